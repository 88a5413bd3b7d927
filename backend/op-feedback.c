/* SPDX-License-Identifier: ISC */
/*
 * prompt.feedback: the deployment's conversations rated negative, read from its feed on a
 * job thread (never the loop), redacted and made safe for a terminal (feedback.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/feedback.h"
#include "backend/http.h"
#include "backend/job.h"
#include "backend/ops.h"
#include "backend/sanitize.h"
#include "backend/xmalloc.h"

#define FEEDBACK_CONNECT_MS	5000
#define FEEDBACK_QUOTE		80	/* bytes of an error reply's body quoted */

struct feedback_job {
	struct ops_later	*later;
	const struct redactor	*redactor;	/* the daemon's: built once, never replaced */
	char			*url;		/* with ?since= */
	char			*shown;		/* without the query, for replies and messages */
	char			*token;		/* bearer, or NULL */
	char			*assistant;	/* or NULL */
	long			 timeout_ms;
	cJSON			*conversations;
	struct feedback_stats	 stats;
	char			*error;
};

/* The URL's query gets since=ID, escaped. */
static char *
feedback_url_since(const char *url, const char *since)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char *out, *q;

	if (since == NULL || *since == '\0')
		return xstrdup(url);
	out = xmalloc(strlen(url) + 8 + 3 * strlen(since) + 1);
	q = out + sprintf(out, "%s%csince=", url, strchr(url, '?') != NULL ? '&' : '?');
	for (p = (const unsigned char *)since; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			*q++ = (char)*p;
		else {
			*q++ = '%';
			*q++ = hex[*p >> 4];
			*q++ = hex[*p & 15];
		}
	}
	*q = '\0';
	return out;
}

/* The start of an error reply's body, on one line and safe to show. */
static char *
feedback_body_quote(const struct buf *b)
{
	size_t n = b->len < FEEDBACK_QUOTE ? b->len : FEEDBACK_QUOTE, i;
	char *line, *safe;

	line = xstrndup(b->data != NULL ? b->data : "", n);
	for (i = 0; line[i] != '\0'; i++) {
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	}
	safe = sanitize(line, strlen(line), -1, SANITIZE_ASCII, NULL);
	free(line);
	return safe;
}

static void
feedback_work(void *arg)
{
	struct feedback_job *j = arg;
	struct http_request rq;
	struct http_reply rp;
	char *cause = NULL, *quote, *where;

	memset(&rq, 0, sizeof rq);
	rq.url = j->url;
	rq.bearer = j->token;
	rq.headers = (const char *const[]){ "Accept: application/x-ndjson", NULL };
	rq.timeout_ms = j->timeout_ms;
	rq.connect_ms = j->timeout_ms < FEEDBACK_CONNECT_MS ? j->timeout_ms :
	    FEEDBACK_CONNECT_MS;
	rq.max_body = FEEDBACK_MAX_BODY;
	if (http_do(&rq, &rp, &cause) != 0) {
		j->error = xprintf("feedback feed at %s: %s", j->shown, cause);
		free(cause);
		return;
	}
	if (rp.status >= 300 && rp.status < 400) {
		/* Never followed: the feed's address is the config's, not the server's. */
		where = rp.location != NULL ? sanitize(rp.location, strlen(rp.location), 200,
		    SANITIZE_ASCII, NULL) : NULL;
		j->error = xprintf("feedback feed at %s: HTTP %ld, a redirect%s%s: not followed; "
		    "set [prompts] feedback_url to the feed itself", j->shown, rp.status,
		    where != NULL ? " to " : "", where != NULL ? where : "");
		free(where);
	} else if (rp.status != 200) {
		quote = feedback_body_quote(&rp.body);
		j->error = xprintf("feedback feed at %s: HTTP %ld%s%s", j->shown, rp.status,
		    *quote != '\0' ? ": " : "", quote);
		free(quote);
	} else {
		j->conversations = feedback_parse(rp.body.data, rp.body.len, j->redactor,
		    j->assistant, &j->stats);
		/* Lines, and not one of them a conversation: not a feed. */
		if (cJSON_GetArraySize(j->conversations) == 0 && j->stats.skipped > 0) {
			j->error = xprintf("feedback feed at %s: no line is a conversation (%d "
			    "skipped; %s); see README \"Negative feedback feed\"", j->shown,
			    j->stats.skipped, j->stats.problem);
			cJSON_Delete(j->conversations);
			j->conversations = NULL;
		}
	}
	http_reply_free(&rp);
}

static void
feedback_done(void *arg)
{
	struct feedback_job *j = arg;
	cJSON *fields = NULL;

	if (j->error == NULL) {
		fields = cJSON_CreateObject();
		cJSON_AddStringToObject(fields, "url", j->shown);
		cJSON_AddItemToObject(fields, "conversations", j->conversations);
		j->conversations = NULL;
		cJSON_AddNumberToObject(fields, "lines", j->stats.lines);
		cJSON_AddNumberToObject(fields, "skipped", j->stats.skipped);
		cJSON_AddNumberToObject(fields, "ignored", j->stats.ignored);
		cJSON_AddNumberToObject(fields, "dropped", j->stats.dropped);
		if (j->stats.problem != NULL)
			cJSON_AddStringToObject(fields, "problem", j->stats.problem);
	}
	ops_later_send(j->later, fields, j->error != NULL ? "unavailable" : NULL, j->error);
	cJSON_Delete(j->conversations);
	feedback_stats_clear(&j->stats);
	free(j->url);
	free(j->shown);
	free(j->token);
	free(j->assistant);
	free(j->error);
	free(j);
}

/* prompt.feedback: reads the feed ([prompts] feedback_url, else the simulator's). */
int
op_prompt_feedback(struct op_ctx *ctx)
{
	const struct config *cfg = ctx->d->cfg;
	const char *assistant = op_str(ctx, "assistant");
	struct feedback_job *j;
	char *cause = NULL, *url;

	if (cfg->feedback_url != NULL && *cfg->feedback_url != '\0')
		url = xstrdup(cfg->feedback_url);
	else if (cfg->sim_url != NULL && *cfg->sim_url != '\0')
		url = xprintf("%s/sim/feedback", cfg->sim_url);
	else
		return op_fail(ctx, "unavailable", "no feedback feed configured: set [prompts] "
		    "feedback_url (README \"Negative feedback feed\")");
	j = xcalloc(1, sizeof *j);
	url[strcspn(url, "#")] = '\0';
	j->url = feedback_url_since(url, op_str(ctx, "since"));
	/* A token may ride in the query: it is never shown. */
	url[strcspn(url, "?#")] = '\0';
	j->shown = url;
	if (cfg->feedback_token != NULL && *cfg->feedback_token != '\0')
		j->token = xstrdup(cfg->feedback_token);
	j->assistant = assistant != NULL && *assistant != '\0' ? xstrdup(assistant) : NULL;
	j->redactor = ctx->d->redactor;
	j->timeout_ms = (long)cfg->feedback_timeout * 1000;
	if (job_start(JOB_FEEDBACK, feedback_work, feedback_done, j, &cause) != 0) {
		free(j->url);
		free(j->shown);
		free(j->token);
		free(j->assistant);
		free(j);
		op_fail(ctx, "busy", "%s", cause);
		free(cause);
		return -1;
	}
	/* feedback_done answers, from the loop. */
	j->later = ops_later(ctx);
	return 0;
}
