/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/daemon.h"
#include "backend/events.h"
#include "backend/incident.h"
#include "backend/library.h"
#include "backend/ops.h"
#include "backend/proto.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

/* The op names after "incident." and their actions. */
static const struct {
	const char		*name;
	enum incident_action	 action;
} actions[] = {
	{ "incident.ack", INC_ACK },
	{ "incident.take", INC_TAKE },
	{ "incident.note", INC_NOTE },
	{ "incident.snooze", INC_SNOOZE },
	{ "incident.reopen", INC_REOPEN },
	{ "incident.escalate", INC_ESCALATE },
	{ "incident.mitigate", INC_MITIGATE },
	{ "incident.resolve", INC_RESOLVE },
};

/* The event every console gets after a change: what happened and the incident as it is now. */
static void
incident_event(struct op_ctx *ctx, long long id, const char *action)
{
	cJSON *ev = proto_event("incident");

	cJSON_AddStringToObject(ev, "action", action);
	cJSON_AddStringToObject(ev, "actor", ctx->who->user);
	cJSON_AddItemToObject(ev, "incident", incident_get(ctx->d->db, &ctx->d->policy, id,
	    time(NULL), 0));
	ctx->event = ev;
	ctx->event_topic = TOPIC_INCIDENT;
}

/* incident.open: title and description come redacted (their args are .text). */
int
op_incident_open(struct op_ctx *ctx)
{
	struct incident_new n;
	char *title, *description, *cause = NULL;
	long long id;
	int existing;

	title = xstrdup(op_str(ctx, "title"));
	description = xstrdup(op_str(ctx, "description") != NULL ?
	    op_str(ctx, "description") : "");
	memset(&n, 0, sizeof n);
	n.title = title;
	n.description = description;
	n.severity = (int)op_int(ctx, "severity", 3);
	n.source = "manual";
	id = incident_open(ctx->d->db, &ctx->d->policy, &n, ctx->who->user, time(NULL),
	    &existing, &cause);
	free(title);
	free(description);
	if (id < 0) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	ctx->object = xprintf("incident %lld", id);
	ctx->details = cJSON_CreateObject();
	cJSON_AddNumberToObject(ctx->details, "severity", n.severity);
	incident_event(ctx, id, "open");
	cJSON_AddItemToObject(ctx->reply, "incident", cJSON_Duplicate(cJSON_GetObjectItem(
	    ctx->event, "incident"), 1));
	return 0;
}

int
op_incident_act(struct op_ctx *ctx)
{
	enum incident_action a = INC_NOTE;
	int found = 0;
	const char *code = NULL, *text = op_str(ctx, "text");
	char *safe = NULL, *cause = NULL;
	long long id = op_int(ctx, "incident", 0);
	size_t i;
	int rc;

	for (i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		if (strcmp(actions[i].name, ctx->op->name) == 0) {
			a = actions[i].action;
			found = 1;
		}
	}
	/* A new op mapped here without its action must not pass for a note. */
	if (!found)
		return op_fail(ctx, "internal", "%s: no incident action", ctx->op->name);
	if (text != NULL)
		safe = xstrdup(text);
	rc = incident_act(ctx->d->db, &ctx->d->policy, id, a, ctx->who->user, safe,
	    op_int(ctx, "minutes", 0) * 60, time(NULL), &code, &cause);
	if (rc != 0) {
		op_fail(ctx, code, "%s", cause);
		free(cause);
		free(safe);
		return -1;
	}
	ctx->object = xprintf("incident %lld", id);
	if (safe != NULL) {
		ctx->details = cJSON_CreateObject();
		cJSON_AddStringToObject(ctx->details, "text", safe);
	}
	free(safe);
	incident_event(ctx, id, incident_action_name(a));
	cJSON_AddItemToObject(ctx->reply, "incident", cJSON_Duplicate(cJSON_GetObjectItem(
	    ctx->event, "incident"), 1));
	return 0;
}

int
op_incident_severity(struct op_ctx *ctx)
{
	long long id = op_int(ctx, "incident", 0);
	int severity = (int)op_int(ctx, "severity", 0);
	const char *code = NULL, *text = op_str(ctx, "text");
	char *cause = NULL;

	if (incident_set_severity(ctx->d->db, &ctx->d->policy, id, severity,
	    ctx->who->user, text, time(NULL), &code, &cause) != 0) {
		op_fail(ctx, code, "%s", cause);
		free(cause);
		return -1;
	}
	ctx->object = xprintf("incident %lld", id);
	ctx->details = cJSON_CreateObject();
	cJSON_AddNumberToObject(ctx->details, "severity", severity);
	if (text != NULL)
		cJSON_AddStringToObject(ctx->details, "text", text);
	incident_event(ctx, id, "severity");
	cJSON_AddItemToObject(ctx->reply, "incident", cJSON_Duplicate(cJSON_GetObjectItem(
	    ctx->event, "incident"), 1));
	return 0;
}

/* Playbooks whose applies_to names the incident's KPI, one of its alerts or a word of its title. */
static cJSON *
suggested(struct op_ctx *ctx, long long id, const cJSON *inc)
{
	const char *kpi = cJSON_GetStringValue(cJSON_GetObjectItem(inc, "kpi")), *t;
	sqlite3_stmt *st;
	char **keys = NULL;
	size_t n = 0, i, len;
	cJSON *out;

	if (kpi != NULL) {
		keys = xreallocarray(keys, n + 1, sizeof *keys);
		keys[n++] = xprintf("kpi:%s", kpi);
	}
	/* Tags: the words of the title ("Provider outage": tag:provider, tag:outage). */
	for (t = cJSON_GetStringValue(cJSON_GetObjectItem(inc, "title")); t != NULL && *t;) {
		len = strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
		if (len == 0) {
			t++;
			continue;
		}
		keys = xreallocarray(keys, n + 1, sizeof *keys);
		keys[n] = xprintf("tag:%.*s", (int)len, t);
		for (i = 4; keys[n][i] != '\0'; i++)
			keys[n][i] = (char)tolower((unsigned char)keys[n][i]);
		n++;
		t += len;
	}
	st = store_prepare(ctx->d->db, "SELECT DISTINCT name FROM alert WHERE incident_id = ?");
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		keys = xreallocarray(keys, n + 1, sizeof *keys);
		keys[n++] = xprintf("alert:%s", store_text(st, 0));
	}
	sqlite3_finalize(st);
	out = library_suggest(ctx->d->library, op_str(ctx, "lang"),
	    (const char *const *)keys, n);
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	return out;
}

int
op_incident_show(struct op_ctx *ctx)
{
	long long id = op_int(ctx, "incident", 0);
	cJSON *inc;

	if ((inc = incident_get(ctx->d->db, &ctx->d->policy, id, time(NULL), 1)) == NULL)
		return op_fail(ctx, "not_found", "no incident %lld", id);
	cJSON_AddItemToObject(inc, "suggested", suggested(ctx, id, inc));
	cJSON_AddItemToObject(ctx->reply, "incident", inc);
	return 0;
}

/* Parses a list of names against a table; returns a bit mask or -1 naming the bad one. */
static int
mask_of(struct op_ctx *ctx, const char *arg, const char *const *names, int n, int shift,
    unsigned *mask)
{
	const cJSON *e;
	int i;

	*mask = 0;
	cJSON_ArrayForEach(e, op_array(ctx, arg)) {
		for (i = 0; i < n; i++) {
			if (strcmp(e->valuestring, names[i]) == 0)
				break;
		}
		if (i == n)
			return op_fail(ctx, "invalid_argument", "incident.list: unknown %s "
			    "\"%.32s\"", arg, e->valuestring);
		*mask |= 1u << (i + shift);
	}
	return 0;
}

/*
 * incident.list: a page in severity order (open before resolved, most severe, then oldest
 * first) or by id (newest first). The cursor is the id of a row: "after" continues below it, "before" gives the page
 * above it, "last" the final page.
 */
int
op_incident_list(struct op_ctx *ctx)
{
	static const char *const statuses[] = {
		"triggered", "acknowledged", "mitigated", "resolved"
	};
	static const char *const severities[] = { "1", "2", "3", "4" };
	struct incident_query q;
	const char *order = op_str(ctx, "order");
	long long cursor = 0;
	cJSON *page, *item;

	memset(&q, 0, sizeof q);
	if (order != NULL && strcmp(order, "id") != 0 && strcmp(order, "severity") != 0)
		return op_fail(ctx, "invalid_argument", "incident.list: order is severity or id");
	q.by_id = order != NULL && strcmp(order, "id") == 0;
	if (mask_of(ctx, "status", statuses, 4, 0, &q.statuses) != 0 ||
	    mask_of(ctx, "severity", severities, 4, 1, &q.severities) != 0)
		return -1;
	q.level = (int)op_int(ctx, "level", 0);
	q.assignee = op_str(ctx, "assignee");
	q.search = op_str(ctx, "search");
	q.limit = (int)op_int(ctx, "limit", 100);
	q.last = op_bool(ctx, "last", 0);
	if ((cursor = op_int(ctx, "after", 0)) > 0)
		q.after = 1;
	else if ((cursor = op_int(ctx, "before", 0)) > 0)
		q.before = 1;
	q.cursor_id = cursor;
	if ((page = incident_list(ctx->d->db, &ctx->d->policy, &q, time(NULL))) == NULL)
		return op_fail(ctx, "not_found", "incident.list: no incident %lld", cursor);
	while ((item = page->child) != NULL) {
		cJSON_DetachItemViaPointer(page, item);
		cJSON_AddItemToObject(ctx->reply, item->string, item);
	}
	cJSON_Delete(page);
	cJSON_AddItemToObject(ctx->reply, "counts", incident_counts(ctx->d->db, time(NULL)));
	return 0;
}
