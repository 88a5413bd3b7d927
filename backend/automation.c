/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/alerts.h"
#include "backend/audit.h"
#include "backend/automation.h"
#include "backend/checkpoint.h"
#include "backend/config.h"
#include "backend/format.h"
#include "backend/http.h"
#include "backend/job.h"
#include "backend/json.h"
#include "backend/kpi-incident.h"
#include "backend/incident.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/retention.h"
#include "backend/server.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

#define ACTOR	"leitstand"
#define ROLE	"daemon"
#define PURGE_FIRST_MS	(60 * 1000L)
#define PURGE_EVERY_MS	(24 * 3600 * 1000L)

/* Incidents changed in one transaction, announced once it is committed. */
struct changes {
	struct server	*srv;
	long long	*ids;
	char		**actions;
	size_t		 n;
	int		 failed;
	char		*cause;
};

static void
changes_add(struct changes *c, long long id, const char *action, const char *text)
{
	cJSON *d = cJSON_CreateObject();
	char *object = xprintf("incident %lld", id), *details, *op;

	cJSON_AddStringToObject(d, "reason", text);
	details = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	op = xprintf("incident.%s", action);
	if (!c->failed && audit_append(c->srv->db, ACTOR, ROLE, op, object, details,
	    &c->cause) < 0)
		c->failed = 1;
	c->ids = xreallocarray(c->ids, c->n + 1, sizeof *c->ids);
	c->actions = xreallocarray(c->actions, c->n + 1, sizeof *c->actions);
	c->ids[c->n] = id;
	c->actions[c->n++] = xstrdup(action);
	cJSON_free(details);
	free(object);
	free(op);
}

static void
changes_tick_cb(void *arg, long long id, const char *action, const char *text)
{
	changes_add(arg, id, action, text);
}

/* Commits (or rolls back) and tells every console what changed. */
static void
changes_finish(struct changes *c, const char *what)
{
	struct server *s = c->srv;
	cJSON *ev;
	size_t i;

	if (c->failed || store_commit(s->db, &c->cause) != 0) {
		store_rollback(s->db);
		log_debug("%s: %s", what, c->cause);
	} else {
		for (i = 0; i < c->n; i++) {
			ev = proto_event("incident");
			cJSON_AddStringToObject(ev, "action", c->actions[i]);
			cJSON_AddStringToObject(ev, "actor", ACTOR);
			cJSON_AddItemToObject(ev, "incident", incident_get(s->db, &s->policy,
			    c->ids[i], time(NULL), 0));
			server_publish(s, TOPIC_INCIDENT, ev);
		}
	}
	for (i = 0; i < c->n; i++)
		free(c->actions[i]);
	free(c->actions);
	free(c->ids);
	free(c->cause);
}

static int
changes_begin(struct changes *c, struct server *s)
{
	memset(c, 0, sizeof *c);
	c->srv = s;
	if (store_begin(s->db, &c->cause) != 0) {
		log_debug("automation: %s", c->cause);
		free(c->cause);
		return -1;
	}
	return 0;
}

int
automation_record(struct server *s, long long id, const char *action, const char *kind,
    const char *text, const char *data, int (*write)(sqlite3 *, void *, char **), void *arg)
{
	struct changes c;
	int failed;

	if (changes_begin(&c, s) != 0)
		return -1;
	if ((write != NULL && write(s->db, arg, &c.cause) != 0) ||
	    incident_timeline(s->db, id, time(NULL), ACTOR, kind, text, data, &c.cause) != 0)
		c.failed = 1;
	else
		changes_add(&c, id, action, text);
	failed = c.failed;
	changes_finish(&c, action);
	return failed ? -1 : 0;
}

static void
automation_tick(void *arg)
{
	struct server *s = arg;
	struct changes c;

	if (changes_begin(&c, s) != 0)
		return;
	if (incident_tick(s->db, &s->policy, time(NULL), changes_tick_cb, &c, &c.cause) != 0)
		c.failed = 1;
	changes_finish(&c, "incident timers");
}

/* A read of Alertmanager's alerts, on a job thread. */
struct am_read {
	struct server		*srv;
	char			*url;
	long			 timeout_ms;
	struct http_reply	 reply;
	int			 rc;
	char			*cause;
};

static void
am_work(void *arg)
{
	struct am_read *r = arg;
	struct http_request rq;

	memset(&rq, 0, sizeof rq);
	rq.url = r->url;
	rq.timeout_ms = r->timeout_ms;
	rq.max_body = 64 * 1024 * 1024;
	r->rc = http_do(&rq, &r->reply, &r->cause);
}

/* Tells the consoles when Alertmanager goes away or comes back. */
static void
am_state(struct server *s, char *error)
{
	int changed = (error == NULL) != (s->am_error == NULL) ||
	    (error != NULL && strcmp(error, s->am_error) != 0);

	free(s->am_error);
	s->am_error = error;
	if (changed) {
		log_debug("alertmanager: %s", error != NULL ? error : "reachable");
		server_publish(s, TOPIC_STATUS, proto_event("status"));
	}
}

static void
am_done(void *arg)
{
	struct am_read *r = arg;
	struct server *s = r->srv;
	struct am_alerts list;
	struct changes c;
	char *cause = NULL, *error = NULL;

	s->am_busy = 0;
	memset(&list, 0, sizeof list);
	if (r->rc != 0)
		error = xprintf("alertmanager %s: %s", s->cfg->am_url, r->cause);
	else if (r->reply.status != 200)
		error = xprintf("alertmanager %s: HTTP %ld", s->cfg->am_url, r->reply.status);
	else if (am_parse(r->reply.body.data != NULL ? r->reply.body.data : "",
	    r->reply.body.len, &list, &cause) != 0)
		error = xprintf("alertmanager %s: invalid reply: %s", s->cfg->am_url, cause);
	else if (changes_begin(&c, s) == 0) {
		if (alerts_apply(s->db, s->cfg, &s->policy, s->redactor, &list, time(NULL),
		    changes_tick_cb, &c, &c.cause) != 0)
			c.failed = 1;
		changes_finish(&c, "alerts");
	}
	am_state(s, error);
	am_alerts_free(&list);
	http_reply_free(&r->reply);
	free(cause);
	free(r->cause);
	free(r->url);
	free(r);
}

static void
am_tick(void *arg)
{
	struct server *s = arg;
	struct am_read *r;
	char *cause = NULL;

	if (s->am_busy)
		return;
	r = xcalloc(1, sizeof *r);
	r->srv = s;
	r->url = xprintf("%s%sapi/v2/alerts", s->cfg->am_url,
	    s->cfg->am_url[strlen(s->cfg->am_url) - 1] == '/' ? "" : "/");
	r->timeout_ms = (long)s->cfg->am_timeout * 1000;
	if (job_start(JOB_ALERTS, am_work, am_done, r, &cause) != 0) {
		/* Not while one runs (am_busy): only when the daemon stops. */
		log_debug("alertmanager: %s", cause);
		free(cause);
		free(r->url);
		free(r);
		return;
	}
	s->am_busy = 1;
}

/* The chain head signed every checkpoint_interval, when it moved since the last one. */
static void
checkpoint_tick(void *arg)
{
	struct server *s = arg;
	long long head = checkpoint_head(s->db);
	char *line = NULL, *cause = NULL;

	if (head == s->checkpoint_seq)
		return;
	if (checkpoint_append(s->cfg, s->db, &line, &cause) != 0) {
		log_debug("audit checkpoint: %s", cause);
		free(cause);
		return;
	}
	s->checkpoint_seq = head;
	free(line);
}

/* The daily purge, as the daemon: what is past its retention period goes, audited. */
static void
purge_tick(void *arg)
{
	struct server *s = arg;
	char *cause = NULL, *details;
	cJSON *counts;

	if (store_begin(s->db, &cause) != 0) {
		log_debug("purge: %s", cause);
		free(cause);
		return;
	}
	if ((counts = retention_purge(s->db, s->cfg, time(NULL), 0, &cause)) == NULL) {
		store_rollback(s->db);
		log_debug("purge: %s", cause);
		free(cause);
		return;
	}
	details = cJSON_PrintUnformatted(counts);
	cJSON_Delete(counts);
	if (audit_append(s->db, ACTOR, ROLE, "purge", "retention", details, &cause) < 0 ||
	    store_commit(s->db, &cause) != 0) {
		store_rollback(s->db);
		log_debug("purge: %s", cause);
		free(cause);
	}
	cJSON_free(details);
}

static void
purge_first(void *arg)
{
	struct server *s = arg;

	s->purge_timer = loop_timer_add(s->loop, PURGE_EVERY_MS, 1, purge_tick, s);
	purge_tick(s);
}

void
automation_start(struct server *s)
{
	int i;

	for (i = 0; i < 4; i++) {
		s->policy.ack_s[i] = (long)s->cfg->ack_s[i];
		s->policy.resolve_s[i] = (long)s->cfg->resolve_s[i];
	}
	s->policy.ack_timeout_s = (long)s->cfg->ack_timeout;
	s->incident_timer = loop_timer_add(s->loop, s->cfg->timer_interval * 1000, 1,
	    automation_tick, s);
	if (s->cfg->am_url != NULL && *s->cfg->am_url != '\0') {
		s->am_timer = loop_timer_add(s->loop, s->cfg->am_interval * 1000, 1, am_tick, s);
		am_tick(s);
	}
	if (s->cfg->checkpoint_file != NULL && *s->cfg->checkpoint_file != '\0')
		s->checkpoint_timer = loop_timer_add(s->loop, s->cfg->checkpoint_interval * 1000, 1,
		    checkpoint_tick, s);
	/* Soon after start (a daemon restarted daily still purges), then once a day. */
	s->purge_timer = loop_timer_add(s->loop, PURGE_FIRST_MS, 0, purge_first, s);
}

void
automation_stop(struct server *s)
{
	loop_timer_remove(s->incident_timer);
	loop_timer_remove(s->am_timer);
	loop_timer_remove(s->purge_timer);
	loop_timer_remove(s->checkpoint_timer);
	s->incident_timer = s->am_timer = s->purge_timer = s->checkpoint_timer = NULL;
}

/* The definition of a KPI by name, or NULL. */
static const struct kpi_def *
kpi_def_of(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nkpis; i++) {
		if (strcmp(cfg->kpis[i].name, name) == 0)
			return &cfg->kpis[i];
	}
	return NULL;
}

void
automation_kpi(struct server *s, const cJSON *ev)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "name"));
	const char *title = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "title"));
	const char *from = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "from"));
	const char *to = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "to"));
	double value = cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "value"));
	const struct kpi_def *def;
	struct kpi_breach b;
	struct changes c;
	const char *what;
	char *text, *data, *impact = NULL, shown[64];
	long long id;
	int all;

	if (name == NULL || title == NULL || from == NULL || to == NULL)
		return;
	/* Crit opens; only ok recovers (crit -> warn is still a breach; no news is no news). */
	if (strcmp(to, "crit") != 0 && strcmp(to, "ok") != 0)
		return;
	if (strcmp(to, "ok") == 0 && strcmp(from, "unknown") == 0)
		return;
	if (changes_begin(&c, s) != 0)
		return;
	data = cJSON_PrintUnformatted(ev);
	format_value(shown, sizeof shown, value,
	    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "precision")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(ev, "unit")));
	if (strcmp(to, "crit") == 0) {
		memset(&b, 0, sizeof b);
		b.name = name;
		b.title = title;
		b.shown = shown;
		b.snapshot = data;
		b.severity = (int)s->cfg->kpi_severity;
		if ((def = kpi_def_of(s->cfg, name)) != NULL)
			b.severity = kpi_breach_severity(def, value, b.severity, &impact);
		b.impact = impact;
		text = xprintf("%s is crit (%s)", title, shown);
		if ((id = kpi_incident_crit(s->db, &s->policy, &b, (long)s->cfg->correlate,
		    time(NULL), &what, &c.cause)) < 0)
			c.failed = 1;
		else
			changes_add(&c, id, what, text);
	} else {
		text = xprintf("%s recovered (%s)", title, shown);
		if ((id = kpi_incident_ok(s->db, name, text, data, time(NULL), &all,
		    &c.cause)) < 0)
			c.failed = 1;
		else if (id > 0)
			changes_add(&c, id, all ? "recovered" : "kpi", text);
	}
	changes_finish(&c, "KPI incident");
	free(impact);
	free(text);
	free(data);
}

void
automation_kpi_poll(struct server *s, const cJSON *snapshot)
{
	const cJSON *k;
	const struct kpi_def *def;
	struct changes c;
	char *impact;
	long long id;
	int severity;

	cJSON_ArrayForEach(k, cJSON_GetObjectItem(snapshot, "kpis")) {
		if (strcmp(json_str(k, "state", ""), "crit") != 0 ||
		    (def = kpi_def_of(s->cfg, json_str(k, "name", ""))) == NULL)
			continue;
		severity = kpi_breach_severity(def, json_num(k, "value"),
		    (int)s->cfg->kpi_severity, &impact);
		if (impact == NULL)
			continue;
		if (changes_begin(&c, s) == 0) {
			if ((id = kpi_incident_worse(s->db, &s->policy, def->name, severity, impact,
			    time(NULL), &c.cause)) < 0)
				c.failed = 1;
			else if (id > 0)
				changes_add(&c, id, "severity", impact);
			changes_finish(&c, "KPI impact");
		}
		free(impact);
	}
}
