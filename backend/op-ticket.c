/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/automation.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/format.h"
#include "backend/incident.h"
#include "backend/job.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"
#include "backend/store.h"
#include "backend/ticket.h"
#include "backend/xmalloc.h"

#define RETRY_FIRST_S	5

/* One export of one incident, with its retries: runs on job threads, reports on the loop. */
struct export {
	struct export		*next;		/* waiting to try again */
	struct loop_timer	*timer;
	struct daemon		*d;
	struct ops_later	*later;		/* the requester's, until the first try ends */
	long long		 id;
	int			 attempt;
	struct ticket_target	 target;
	char			*strings[5];	/* the target's, copied: a reload may free the config's */
	char			**headers;
	cJSON			*incident;
	struct ticket_result	 res;
	int			 rc;
	char			*cause;
};

static int	export_start(struct export *, char **);
static void	export_retry(void *);

/* Exports waiting for their next try; cancelled when the daemon stops. */
static struct export *waiting;

static void
export_free(struct export *e)
{
	char **h;
	int i;

	for (i = 0; i < 5; i++)
		free(e->strings[i]);
	for (h = e->headers; h != NULL && *h != NULL; h++)
		free(*h);
	free(e->headers);
	cJSON_Delete(e->incident);
	ticket_result_free(&e->res);
	free(e->cause);
	free(e);
}

static void
export_work(void *arg)
{
	struct export *e = arg;

	e->rc = ticket_export(&e->target, e->incident, &e->res, &e->cause);
}

static void
export_retry(void *arg)
{
	struct export **ep, *e = arg;
	char *cause = NULL;

	for (ep = &waiting; *ep != NULL && *ep != e; ep = &(*ep)->next)
		;
	if (*ep != NULL)
		*ep = e->next;
	e->timer = NULL;
	if (export_start(e, &cause) < 0) {
		/* Other exports hold every worker: this try waits its turn. */
		log_debug("ticket for incident %lld: %s", e->id, cause);
		free(cause);
		e->timer = loop_timer_add(e->d->loop, RETRY_FIRST_S * 1000, 0, export_retry, e);
		e->next = waiting;
		waiting = e;
	}
}

void
op_ticket_cancel_retries(void)
{
	struct export *e;

	while ((e = waiting) != NULL) {
		waiting = e->next;
		loop_timer_remove(e->timer);
		export_free(e);
	}
}

/* The ticket's key and address on the incident, in the transaction that audits the export. */
static int
export_key(sqlite3 *db, void *arg, char **cause)
{
	struct export *e = arg;

	return incident_set_ticket(db, e->id, e->res.key != NULL ? e->res.key : "", e->res.url,
	    cause);
}

static void
export_done(void *arg)
{
	struct export *e = arg;
	struct daemon *s = e->d;
	const struct config *cfg = s->cfg;
	char *text, *msg, wait[16];
	long delay = RETRY_FIRST_S << (e->attempt - 1);
	int again = e->rc != 0 && e->res.retry && e->attempt <= cfg->ticket_retries;
	cJSON *data, *fields = NULL;

	if (e->rc == 0) {
		text = xprintf("ticket %s created%s%s", e->res.key != NULL ? e->res.key : "",
		    e->res.url != NULL ? ": " : "", e->res.url != NULL ? e->res.url : "");
	} else {
		format_age(wait, sizeof wait, delay);
		text = xprintf("ticket export failed: %s%s%s", e->cause, again ?
		    "; trying again in " : "", again ? wait : "");
	}
	data = cJSON_CreateObject();
	cJSON_AddNumberToObject(data, "attempt", e->attempt);
	if (e->res.key != NULL)
		cJSON_AddStringToObject(data, "key", e->res.key);
	msg = cJSON_PrintUnformatted(data);
	cJSON_Delete(data);
	automation_record(s, e->id, e->rc == 0 ? "ticket" : "ticket.failed", "ticket", text, msg,
	    e->rc == 0 ? export_key : NULL, e);
	cJSON_free(msg);

	/* The requester hears of the first try; later ones reach the timeline only. */
	if (e->later != NULL) {
		if (e->rc == 0) {
			fields = cJSON_CreateObject();
			cJSON_AddStringToObject(fields, "ticket_key", e->res.key != NULL ?
			    e->res.key : "");
			if (e->res.url != NULL)
				cJSON_AddStringToObject(fields, "ticket_url", e->res.url);
		}
		ops_later_send(e->later, fields, e->rc == 0 ? NULL : "unavailable", text);
		e->later = NULL;
	}
	free(text);
	if (!again) {
		export_free(e);
		return;
	}
	log_debug("ticket for incident %lld: try %d in %lds", e->id, e->attempt + 1, delay);
	e->attempt++;
	free(e->cause);
	e->cause = NULL;
	ticket_result_free(&e->res);
	e->timer = loop_timer_add(s->loop, delay * 1000, 0, export_retry, e);
	e->next = waiting;
	waiting = e;
}

/* Each try reads the incident anew, so the ticket gets the latest timeline. 0 when it runs,
   1 when the incident is gone (e is freed), -1 with *cause when the pool is full. */
static int
export_start(struct export *e, char **cause)
{
	cJSON_Delete(e->incident);
	e->incident = incident_get(e->d->db, &e->d->policy, e->id, time(NULL), 1);
	if (e->incident == NULL) {
		export_free(e);
		return 1;
	}
	return job_start(JOB_TICKET, export_work, export_done, e, cause);
}

/* The config's "Name: value" headers, copied into a NULL-terminated list. */
static char **
copy_headers(const struct namelist *l)
{
	char **v = xreallocarray(NULL, l->n + 1, sizeof *v);
	size_t i;

	for (i = 0; i < l->n; i++)
		v[i] = xstrdup(l->v[i]);
	v[l->n] = NULL;
	return v;
}

/* incident.ticket: exports the incident; retries in the background when that may help. */
int
op_incident_ticket(struct op_ctx *ctx)
{
	const struct config *cfg = ctx->d->cfg;
	long long id = op_int(ctx, "incident", 0);
	struct export *e;
	cJSON *inc;
	const char *key;
	char *cause = NULL;
	int rc;

	if (cfg->ticket_kind == NULL || strcmp(cfg->ticket_kind, "none") == 0)
		return op_fail(ctx, "unavailable", "no ticket system configured: set [ticket] kind "
		    "and url");
	if ((inc = incident_get(ctx->d->db, &ctx->d->policy, id, time(NULL), 0)) == NULL)
		return op_fail(ctx, "not_found", "no incident %lld", id);
	key = cJSON_GetStringValue(cJSON_GetObjectItem(inc, "ticket_key"));
	if (key != NULL && *key != '\0') {
		op_fail(ctx, "conflict", "incident %lld is exported already as %s", id, key);
		cJSON_Delete(inc);
		return -1;
	}
	cJSON_Delete(inc);
	e = xcalloc(1, sizeof *e);
	e->d = ctx->d;
	e->id = id;
	e->attempt = 1;
	e->target.kind = strcmp(cfg->ticket_kind, "jira") == 0 ? TICKET_JIRA : TICKET_WEBHOOK;
	e->target.url = e->strings[0] = xstrdup(cfg->ticket_url != NULL ? cfg->ticket_url : "");
	e->target.project = e->strings[1] = xstrdup(cfg->ticket_project != NULL ?
	    cfg->ticket_project : "");
	e->target.issue_type = e->strings[2] = xstrdup(cfg->ticket_issue_type != NULL ?
	    cfg->ticket_issue_type : "");
	e->target.user = e->strings[3] = xstrdup(cfg->ticket_user != NULL ? cfg->ticket_user : "");
	e->target.token = e->strings[4] = xstrdup(cfg->ticket_token != NULL ?
	    cfg->ticket_token : "");
	e->headers = copy_headers(&cfg->ticket_headers);
	e->target.headers = (const char *const *)e->headers;
	e->target.timeout_ms = (long)cfg->ticket_timeout * 1000;
	ctx->object = xprintf("incident %lld", id);
	/* The reply joins the export once it runs: done comes later, from the loop. */
	if ((rc = export_start(e, &cause)) != 0) {
		if (rc > 0)
			return op_fail(ctx, "not_found", "no incident %lld", id);
		export_free(e);
		op_fail(ctx, "busy", "%s", cause);
		free(cause);
		return -1;
	}
	e->later = ops_later(ctx);
	return 0;
}
