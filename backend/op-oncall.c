/* SPDX-License-Identifier: ISC */
/* On-call ops: who is on call, overrides, the iCalendar export. */
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/clock.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/events.h"
#include "backend/oncall.h"
#include "backend/ops.h"
#include "backend/proto.h"
#include "backend/store.h"
#include "backend/tz.h"
#include "backend/xmalloc.h"

/* A time argument in a zone (NULL: local), or def when absent; -1 after op_fail. */
static int
time_arg(struct op_ctx *ctx, const char *name, const char *zone, time_t def, time_t *out)
{
	const char *s = op_str(ctx, name);
	char *cause = NULL;

	*out = def;
	if (s == NULL)
		return 0;
	if (tz_parse(s, zone, out, &cause) != 0) {
		op_fail(ctx, "invalid_argument", "%s: %s", name, cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* A local account's name; -1 after op_fail. */
static int
user_arg(struct op_ctx *ctx, const char *name, const char *user)
{
	const char *p;

	for (p = user; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("._-$", *p) == NULL)
			return op_fail(ctx, "invalid_argument", "%s: a user name holds only "
			    "letters, digits and . _ - $", name);
	}
	if (*user == '\0' || getpwnam(user) == NULL)
		return op_fail(ctx, "invalid_argument", "%s: unknown user \"%s\": no local "
		    "account of that name", name, user);
	return 0;
}

static int
load(struct op_ctx *ctx, struct oncall *oc, time_t from)
{
	char *cause = NULL;

	if (oncall_load(oc, ctx->d->cfg, ctx->d->db, from, &cause) != 0) {
		op_fail(ctx, "internal", "on-call overrides: %s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Consoles read the status again: its warning says whether a level has nobody. */
static void
status_changed(struct op_ctx *ctx)
{
	ctx->event = proto_event("status");
	ctx->event_topic = TOPIC_STATUS;
}

/* oncall.show: who is on call per level at a time (default now), and who is next. */
int
op_oncall_show(struct op_ctx *ctx)
{
	struct oncall oc;
	time_t at;

	if (time_arg(ctx, "at", NULL, clock_now(), &at) != 0 || load(ctx, &oc, at) != 0)
		return -1;
	cJSON_AddNumberToObject(ctx->reply, "at", (double)at);
	cJSON_AddItemToObject(ctx->reply, "levels", oncall_levels_json(&oc, ctx->d->cfg, at));
	oncall_clear(&oc);
	return 0;
}

/* oncall.override.add: USER covers LEVEL from a time to a time, optionally for a user. */
int
op_oncall_override_add(struct op_ctx *ctx)
{
	int level = (int)op_int(ctx, "level", 1);
	const char *user = op_str(ctx, "user"), *for_user = op_str(ctx, "for");
	const char *zone = oncall_zone(ctx->d->cfg, level);
	sqlite3_stmt *st;
	time_t start, end, now = clock_now();
	char *cause = NULL, a[64], b[64];
	long long id;
	int rc;

	if (user_arg(ctx, "user", user) != 0 ||
	    (for_user != NULL && user_arg(ctx, "for", for_user) != 0))
		return -1;
	if (time_arg(ctx, "from", zone, 0, &start) != 0 ||
	    time_arg(ctx, "until", zone, 0, &end) != 0)
		return -1;
	if (end <= start)
		return op_fail(ctx, "invalid_argument", "until must be after from");
	st = store_prepare(ctx->d->db, "SELECT id, user, starts_at, ends_at FROM "
	    "oncall_override WHERE level = ? AND starts_at < ? AND ends_at > ? LIMIT 1");
	sqlite3_bind_int(st, 1, level);
	sqlite3_bind_int64(st, 2, (long long)end);
	sqlite3_bind_int64(st, 3, (long long)start);
	if ((rc = store_step(st, &cause)) == 1) {
		op_fail(ctx, "conflict", "overlaps override %lld of L%d (%s from %s to %s); "
		    "remove that one first or choose other times",
		    (long long)sqlite3_column_int64(st, 0), level, store_text(st, 1),
		    tz_format(zone, (time_t)sqlite3_column_int64(st, 2), a, sizeof a),
		    tz_format(zone, (time_t)sqlite3_column_int64(st, 3), b, sizeof b));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (rc < 0) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	st = store_prepare(ctx->d->db, "INSERT INTO oncall_override (level, user, for_user, "
	    "starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int(st, 1, level);
	sqlite3_bind_text(st, 2, user, -1, SQLITE_TRANSIENT);
	if (for_user != NULL)
		sqlite3_bind_text(st, 3, for_user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (long long)start);
	sqlite3_bind_int64(st, 5, (long long)end);
	sqlite3_bind_text(st, 6, ctx->who->user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 7, (long long)now);
	if (store_write(st, "oncall override", &cause) != 0) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	id = sqlite3_last_insert_rowid(ctx->d->db);
	ctx->object = xprintf("oncall L%d override %lld", level, id);
	ctx->details = cJSON_CreateObject();
	cJSON_AddNumberToObject(ctx->details, "level", level);
	cJSON_AddStringToObject(ctx->details, "user", user);
	if (for_user != NULL)
		cJSON_AddStringToObject(ctx->details, "for", for_user);
	cJSON_AddNumberToObject(ctx->details, "starts_at", (double)start);
	cJSON_AddNumberToObject(ctx->details, "ends_at", (double)end);
	cJSON_AddNumberToObject(ctx->reply, "override", (double)id);
	cJSON_AddNumberToObject(ctx->reply, "starts_at", (double)start);
	cJSON_AddNumberToObject(ctx->reply, "ends_at", (double)end);
	status_changed(ctx);
	return 0;
}

/* oncall.override.remove: takes an override back. */
int
op_oncall_override_remove(struct op_ctx *ctx)
{
	long long id = op_int(ctx, "override", 0);
	sqlite3_stmt *st;
	char *cause = NULL;
	int rc;

	st = store_prepare(ctx->d->db, "SELECT id, level, user, for_user, starts_at, ends_at "
	    "FROM oncall_override WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_step(st, &cause)) == 1)
		ctx->details = store_row_json(st);
	sqlite3_finalize(st);
	if (rc < 0) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	if (rc == 0)
		return op_fail(ctx, "not_found", "no on-call override %lld", id);
	st = store_prepare(ctx->d->db, "DELETE FROM oncall_override WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (store_write(st, "oncall override", &cause) != 0) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	ctx->object = xprintf("oncall L%d override %lld",
	    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(ctx->details, "level")), id);
	cJSON_AddNumberToObject(ctx->reply, "override", (double)id);
	status_changed(ctx);
	return 0;
}

/* oncall.override.list: the overrides that have not ended (all: past ones too). */
int
op_oncall_override_list(struct op_ctx *ctx)
{
	long long level = op_int(ctx, "level", 0);
	int all = op_bool(ctx, "all", 0);
	sqlite3_stmt *st;
	cJSON *arr;
	char *cause = NULL;
	int rc;

	st = store_prepare(ctx->d->db, "SELECT id, level, user, for_user, starts_at, ends_at, "
	    "created_by, created_at FROM oncall_override WHERE (?1 = 0 OR level = ?1) AND "
	    "(?2 OR ends_at > ?3) ORDER BY starts_at, level LIMIT 1000");
	sqlite3_bind_int64(st, 1, level);
	sqlite3_bind_int(st, 2, all);
	sqlite3_bind_int64(st, 3, (long long)clock_now());
	arr = cJSON_AddArrayToObject(ctx->reply, "overrides");
	while ((rc = store_step(st, &cause)) == 1)
		cJSON_AddItemToArray(arr, store_row_json(st));
	sqlite3_finalize(st);
	if (rc < 0) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* A UID's domain from the assistant's name: letters, digits, . and - only. */
static char *
uid_domain(const char *name)
{
	char *s = xstrdup(name != NULL && *name != '\0' ? name : "leitstand"), *p;

	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			*p = '-';
		else
			*p = (char)tolower((unsigned char)*p);
	}
	return s;
}

/* oncall.export: an iCalendar of the next weeks' shifts. */
int
op_oncall_export(struct op_ctx *ctx)
{
	struct oncall oc;
	time_t from, now = clock_now();
	long long weeks = op_int(ctx, "weeks", 4);
	char *ics, *dom, *name;
	int n;

	if (time_arg(ctx, "from", NULL, now, &from) != 0 || load(ctx, &oc, from) != 0)
		return -1;
	dom = uid_domain(ctx->d->cfg->name);
	name = xprintf("On call: %s", ctx->d->cfg->name != NULL ? ctx->d->cfg->name : "");
	ics = oncall_ical(&oc, from, from + (time_t)weeks * 7 * 86400, now, name, dom, &n);
	cJSON_AddNumberToObject(ctx->reply, "from", (double)from);
	cJSON_AddNumberToObject(ctx->reply, "weeks", (double)weeks);
	cJSON_AddNumberToObject(ctx->reply, "events", n);
	cJSON_AddStringToObject(ctx->reply, "ics", ics);
	free(ics);
	free(name);
	free(dom);
	oncall_clear(&oc);
	return 0;
}
