/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/format.h"
#include "backend/incident.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

static const char *const status_names[] = {
	"triggered", "acknowledged", "mitigated", "resolved"
};

static const char *const action_names[INC_ACTION_COUNT] = {
	"ack", "unack", "mitigate", "resolve", "reopen", "escalate", "take", "note", "snooze"
};

/* The columns every query reads, in this order (see row_json). */
#define INCIDENT_COLUMNS "id, title, description, severity, status, level, assignee, source, " \
	"fingerprint, kpi, opened_by, opened_at, acknowledged_at, mitigated_at, resolved_at, " \
	"activity_at, ack_due, snoozed_until, snooze_reason, recovered, ticket_key, ticket_url, " \
	"page_round"

const char *
incident_status_name(enum incident_status s)
{
	return status_names[s];
}

int
incident_status_parse(const char *s, enum incident_status *out)
{
	size_t i;

	for (i = 0; i < sizeof status_names / sizeof status_names[0]; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum incident_status)i;
			return 0;
		}
	}
	return -1;
}

const char *
incident_action_name(enum incident_action a)
{
	return action_names[a];
}

int
incident_next(enum incident_status from, enum incident_action a, enum incident_status *to,
    const char **why)
{
	*to = from;
	if (from == INC_RESOLVED && a != INC_REOPEN && a != INC_NOTE) {
		*why = "the incident is resolved; reopen it first";
		return -1;
	}
	switch (a) {
	case INC_ACK:
		if (from != INC_TRIGGERED) {
			*why = "only a triggered incident can be acknowledged";
			return -1;
		}
		*to = INC_ACKNOWLEDGED;
		return 0;
	case INC_UNACK:
		if (from != INC_ACKNOWLEDGED) {
			*why = "only an acknowledged incident returns to triggered";
			return -1;
		}
		*to = INC_TRIGGERED;
		return 0;
	case INC_MITIGATE:
		if (from == INC_MITIGATED) {
			*why = "the incident is mitigated already";
			return -1;
		}
		*to = INC_MITIGATED;
		return 0;
	case INC_RESOLVE:
		*to = INC_RESOLVED;
		return 0;
	case INC_REOPEN:
		if (from != INC_RESOLVED) {
			*why = "only a resolved incident can be reopened";
			return -1;
		}
		*to = INC_TRIGGERED;
		return 0;
	case INC_ESCALATE:
	case INC_TAKE:
	case INC_NOTE:
	case INC_SNOOZE:
		return 0;
	default:
		*why = "unknown action";
		return -1;
	}
}

static long
ack_target(const struct incident_policy *p, int severity)
{
	return p->ack_s[severity >= 1 && severity <= 4 ? severity - 1 : 3];
}

int
incident_set_ticket(sqlite3 *db, long long id, const char *key, const char *url, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "UPDATE incident SET ticket_key = ?, ticket_url = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (url != NULL)
		sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	return store_write(st, "incident ticket", cause);
}

int
incident_timeline(sqlite3 *db, long long id, time_t now, const char *actor, const char *kind,
    const char *text, const char *data, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "INSERT INTO timeline (incident_id, ts, actor, kind, text, data) "
	    "VALUES (?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text != NULL ? text : "", -1, SQLITE_STATIC);
	if (data != NULL)
		sqlite3_bind_text(st, 6, data, -1, SQLITE_STATIC);
	if (store_write(st, "timeline", cause) != 0)
		return -1;
	st = store_prepare(db, "UPDATE incident SET activity_at = ? WHERE id = ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	return store_write(st, "incident", cause);
}

/* Runs an UPDATE with one incident id as its last parameter after n int64 values. */
static int
update(sqlite3 *db, const char *sql, long long id, int n, const long long *v, const char *text,
    char **cause)
{
	sqlite3_stmt *st = store_prepare(db, sql);
	char *what;
	int i, rc, p = 1;

	if (text != NULL)
		sqlite3_bind_text(st, p++, text, -1, SQLITE_STATIC);
	for (i = 0; i < n; i++) {
		if (v[i] < 0)
			sqlite3_bind_null(st, p++);
		else
			sqlite3_bind_int64(st, p++, v[i]);
	}
	sqlite3_bind_int64(st, p, id);
	what = xprintf("incident %lld", id);
	rc = store_write(st, what, cause);
	free(what);
	return rc;
}

long long
incident_open(sqlite3 *db, const struct incident_policy *p, const struct incident_new *n,
    const char *actor, time_t now, int *existing, char **cause)
{
	sqlite3_stmt *st;
	long long id = 0;
	char *text;

	*existing = 0;
	if (n->fingerprint != NULL) {
		st = store_prepare(db, "SELECT id FROM incident WHERE fingerprint = ? AND "
		    "status != 'resolved'");
		sqlite3_bind_text(st, 1, n->fingerprint, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (id != 0) {
			/* Its source is failing again: no longer recovered. */
			*existing = 1;
			if (update(db, "UPDATE incident SET recovered = 0 WHERE id = ?", id, 0,
			    NULL, NULL, cause) != 0)
				return -1;
			return id;
		}
	}
	st = store_prepare(db, "INSERT INTO incident (title, description, severity, status, "
	    "source, fingerprint, kpi, opened_by, opened_at, activity_at, ack_due) "
	    "VALUES (?, ?, ?, 'triggered', ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_text(st, 1, n->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->description != NULL ? n->description : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, n->severity);
	sqlite3_bind_text(st, 4, n->source, -1, SQLITE_STATIC);
	if (n->fingerprint != NULL)
		sqlite3_bind_text(st, 5, n->fingerprint, -1, SQLITE_STATIC);
	if (n->kpi != NULL)
		sqlite3_bind_text(st, 6, n->kpi, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	sqlite3_bind_int64(st, 9, now);
	sqlite3_bind_int64(st, 10, now + ack_target(p, n->severity));
	if (store_write(st, "incident", cause) != 0)
		return -1;
	id = sqlite3_last_insert_rowid(db);
	text = xprintf("SEV%d opened (%s): %s", n->severity, n->source, n->title);
	if (incident_timeline(db, id, now, actor, "opened", text, NULL, cause) != 0)
		id = -1;
	free(text);
	return id;
}

struct current {
	enum incident_status	 status;
	int			 severity;
	int			 level;
	char			*assignee;
	char			*fingerprint;
};

static int
current_load(sqlite3 *db, long long id, struct current *c)
{
	sqlite3_stmt *st;
	int found = 0;

	memset(c, 0, sizeof *c);
	st = store_prepare(db, "SELECT status, severity, level, assignee, fingerprint "
	    "FROM incident WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		incident_status_parse(store_text(st, 0), &c->status);
		c->severity = sqlite3_column_int(st, 1);
		c->level = sqlite3_column_int(st, 2);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL)
			c->assignee = xstrdup(store_text(st, 3));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			c->fingerprint = xstrdup(store_text(st, 4));
	}
	sqlite3_finalize(st);
	return found;
}

static void
current_free(struct current *c)
{
	free(c->assignee);
	free(c->fingerprint);
}

int
incident_act(sqlite3 *db, const struct incident_policy *p, long long id,
    enum incident_action a, const char *actor, const char *text, long arg, time_t now,
    const char **code, char **cause)
{
	struct current c;
	enum incident_status to;
	const char *why, *kind;
	char *line = NULL, *note, span[16];
	long long v[3] = { 0, 0, 0 }, due;
	sqlite3_stmt *st;
	int rc = -1, other = 0;

	if (!current_load(db, id, &c)) {
		*code = "not_found";
		*cause = xprintf("no incident %lld", id);
		return -1;
	}
	due = now + ack_target(p, c.severity);
	if (incident_next(c.status, a, &to, &why) != 0) {
		*code = "conflict";
		*cause = xprintf("incident %lld is %s: %s", id, incident_status_name(c.status), why);
		goto out;
	}
	*code = "internal";
	switch (a) {
	case INC_ACK:
		/* Whoever acknowledges owns it, unless somebody took it before. */
		v[0] = now;
		/* MTTA counts to the first acknowledgement. */
		rc = update(db, "UPDATE incident SET assignee = coalesce(assignee, ?), "
		    "status = 'acknowledged', acknowledged_at = coalesce(acknowledged_at, ?), "
		    "ack_due = NULL WHERE id = ?",
		    id, 1, v, actor, cause);
		kind = "acknowledged";
		line = xprintf("acknowledged by %s", actor);
		break;
	case INC_UNACK:
		v[0] = due;
		rc = update(db, "UPDATE incident SET status = 'triggered', ack_due = ? WHERE id = ?",
		    id, 1, v, NULL, cause);
		kind = "unacknowledged";
		line = xstrdup(text != NULL ? text : "returned to triggered");
		break;
	case INC_MITIGATE:
		v[0] = now;
		rc = update(db, "UPDATE incident SET status = 'mitigated', mitigated_at = ?, "
		    "ack_due = NULL WHERE id = ?", id, 1, v, NULL, cause);
		kind = "mitigated";
		line = xprintf("mitigated by %s", actor);
		break;
	case INC_RESOLVE:
		v[0] = now;
		rc = update(db, "UPDATE incident SET status = 'resolved', resolved_at = ?, "
		    "ack_due = NULL, snoozed_until = NULL WHERE id = ?", id, 1, v, NULL, cause);
		kind = "resolved";
		line = xprintf("resolved by %s", actor);
		break;
	case INC_REOPEN:
		/* Its source may have opened another incident in the meantime. */
		if (c.fingerprint != NULL) {
			st = store_prepare(db, "SELECT id FROM incident WHERE fingerprint = ? AND "
			    "status != 'resolved'");
			sqlite3_bind_text(st, 1, c.fingerprint, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW)
				other = sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
			if (other != 0) {
				*code = "conflict";
				*cause = xprintf("incident %d from the same source is open; "
				    "add to that one", other);
				goto out;
			}
		}
		v[0] = due;
		rc = update(db, "UPDATE incident SET status = 'triggered', resolved_at = NULL, "
		    "mitigated_at = NULL, recovered = 0, ack_due = ? WHERE id = ?", id, 1, v,
		    NULL, cause);
		kind = "reopened";
		line = xprintf("reopened by %s", actor);
		break;
	case INC_ESCALATE:
		if (c.level >= 3) {
			*code = "conflict";
			*cause = xprintf("incident %lld is at L3 already", id);
			goto out;
		}
		v[0] = c.level + 1;
		v[1] = c.status == INC_TRIGGERED ? due : -1;
		rc = update(db, "UPDATE incident SET level = ?, ack_due = coalesce(?, ack_due) "
		    "WHERE id = ?", id, 2, v, NULL, cause);
		if (rc == 0 && strcmp(actor, "leitstand") != 0)
			rc = incident_watch(db, id, actor, cause);
		kind = "escalated";
		line = xprintf("escalated to L%d by %s", c.level + 1, actor);
		break;
	case INC_TAKE:
		rc = update(db, "UPDATE incident SET assignee = ? WHERE id = ?", id, 0, v, actor,
		    cause);
		kind = "assigned";
		line = xprintf("taken by %s%s%s", actor, c.assignee != NULL ? " from " : "",
		    c.assignee != NULL ? c.assignee : "");
		break;
	case INC_NOTE:
		if (text == NULL || *text == '\0') {
			*code = "invalid_argument";
			*cause = xstrdup("a note needs text");
			goto out;
		}
		rc = 0;
		kind = "note";
		line = xstrdup(text);
		break;
	case INC_SNOOZE:
		if (arg <= 0) {
			*code = "invalid_argument";
			*cause = xstrdup("a snooze needs a duration");
			goto out;
		}
		/* The timers start again when the snooze ends. */
		v[0] = now + arg;
		v[1] = c.status == INC_TRIGGERED ? now + arg + ack_target(p, c.severity) : -1;
		rc = update(db, "UPDATE incident SET snooze_reason = ?, snoozed_until = ?, "
		    "ack_due = coalesce(?, ack_due) WHERE id = ?", id, 2, v,
		    text != NULL ? text : "", cause);
		kind = "snoozed";
		format_age(span, sizeof span, arg);
		line = xprintf("snoozed for %s by %s: %s", span, actor, text != NULL ? text : "");
		break;
	default:
		*cause = xstrdup("unknown action");
		goto out;
	}
	/* What the actor wrote goes with the line: a closing note is the resolution. */
	if (text != NULL && *text != '\0' && a != INC_NOTE && a != INC_SNOOZE &&
	    a != INC_UNACK) {
		note = xprintf("%s: %s", line, text);
		free(line);
		line = note;
	}
	if (rc == 0)
		rc = incident_timeline(db, id, now, actor, kind, line, NULL, cause);
	/* The quiet time of an acknowledged incident counts from the end of a snooze. */
	if (rc == 0 && a == INC_SNOOZE) {
		v[0] = now + arg;
		rc = update(db, "UPDATE incident SET activity_at = ? WHERE id = ?", id, 1, v, NULL,
		    cause);
	}
out:
	free(line);
	current_free(&c);
	return rc;
}

int
incident_set_severity(sqlite3 *db, const struct incident_policy *p, long long id, int severity,
    const char *actor, const char *why, time_t now, const char **code, char **cause)
{
	struct current c;
	long long v[2];
	char *line;
	int rc = -1;

	if (!current_load(db, id, &c)) {
		*code = "not_found";
		*cause = xprintf("no incident %lld", id);
		return -1;
	}
	if (c.status == INC_RESOLVED) {
		*code = "conflict";
		*cause = xprintf("incident %lld is resolved; reopen it first", id);
	} else if (severity < 1 || severity > 4 || severity == c.severity) {
		*code = "invalid_argument";
		*cause = severity == c.severity ? xprintf("incident %lld is SEV%d already", id,
		    severity) : xprintf("a severity is 1 to 4, not %d", severity);
	} else {
		/* The acknowledge target is the new severity's, from now. */
		v[0] = severity;
		v[1] = c.status == INC_TRIGGERED ? now + ack_target(p, severity) : -1;
		*code = "internal";
		line = xprintf("severity SEV%d to SEV%d by %s%s%s", c.severity, severity, actor,
		    why != NULL && *why != '\0' ? ": " : "", why != NULL ? why : "");
		rc = update(db, "UPDATE incident SET severity = ?, ack_due = coalesce(?, ack_due) "
		    "WHERE id = ?", id, 2, v, NULL, cause);
		if (rc == 0)
			rc = incident_timeline(db, id, now, actor, "severity", line, NULL, cause);
		free(line);
	}
	current_free(&c);
	return rc;
}

long long
incident_recovered(sqlite3 *db, const char *fingerprint, const char *text, time_t now,
    char **cause)
{
	sqlite3_stmt *st;
	long long id = 0;

	st = store_prepare(db, "SELECT id FROM incident WHERE fingerprint = ? AND "
	    "status != 'resolved'");
	sqlite3_bind_text(st, 1, fingerprint, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (id == 0)
		return 0;
	if (update(db, "UPDATE incident SET recovered = 1 WHERE id = ?", id, 0, NULL, NULL,
	    cause) != 0 || incident_timeline(db, id, now, "leitstand", "recovered", text, NULL,
	    cause) != 0)
		return -1;
	return id;
}

int
incident_tick(sqlite3 *db, const struct incident_policy *p, time_t now, incident_change_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt *st;
	long long *ids = NULL, id;
	size_t n = 0, i;
	const char *code;
	char *text, span[16];
	int *sevs = NULL, *rounds = NULL, rc = 0;
	long long due;

	/* Triggered past the acknowledge target and below L3: one level up. */
	st = store_prepare(db, "SELECT id, severity FROM incident WHERE status = 'triggered' AND "
	    "ack_due <= ?1 AND level < 3 AND (snoozed_until IS NULL OR snoozed_until <= ?1)");
	sqlite3_bind_int64(st, 1, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n] = sqlite3_column_int64(st, 0);
		sevs = xreallocarray(sevs, n + 1, sizeof *sevs);
		sevs[n++] = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	for (i = 0; i < n && rc == 0; i++) {
		format_age(span, sizeof span, ack_target(p, sevs[i]));
		text = xprintf("not acknowledged within %s", span);
		rc = incident_act(db, p, ids[i], INC_ESCALATE, "leitstand", text, 0, now, &code,
		    cause);
		if (rc == 0 && cb != NULL)
			cb(arg, ids[i], "escalate", text);
		free(text);
	}
	free(ids);
	free(sevs);
	ids = NULL;
	sevs = NULL;
	n = 0;

	/* Triggered past the target at L3: the whole chain is paged again, repeat times. */
	st = store_prepare(db, "SELECT id, severity, page_round FROM incident WHERE status = "
	    "'triggered' AND ack_due <= ?1 AND level >= 3 AND page_round < ?2 AND "
	    "(snoozed_until IS NULL OR snoozed_until <= ?1)");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, p->repeat);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n] = sqlite3_column_int64(st, 0);
		sevs = xreallocarray(sevs, n + 1, sizeof *sevs);
		sevs[n] = sqlite3_column_int(st, 1);
		rounds = xreallocarray(rounds, n + 1, sizeof *rounds);
		rounds[n++] = sqlite3_column_int(st, 2) + 1;
	}
	sqlite3_finalize(st);
	for (i = 0; i < n && rc == 0; i++) {
		due = (long long)now + ack_target(p, sevs[i]);
		format_age(span, sizeof span, ack_target(p, sevs[i]));
		text = xprintf("not acknowledged within %s at L3: paging the chain again "
		    "(%d of %d)", span, rounds[i], p->repeat);
		rc = update(db, "UPDATE incident SET page_round = page_round + 1, ack_due = ? "
		    "WHERE id = ?", ids[i], 1, &due, NULL, cause);
		if (rc == 0)
			rc = incident_timeline(db, ids[i], now, "leitstand", "repage", text, NULL,
			    cause);
		if (rc == 0 && cb != NULL)
			cb(arg, ids[i], "repage", text);
		free(text);
	}
	free(ids);
	free(sevs);
	free(rounds);
	ids = NULL;
	n = 0;

	/* Acknowledged but quiet for too long: back to triggered, as PagerDuty does. */
	st = store_prepare(db, "SELECT id FROM incident WHERE status = 'acknowledged' AND "
	    "activity_at + ?2 <= ?1 AND (snoozed_until IS NULL OR snoozed_until <= ?1)");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, p->ack_timeout_s);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	for (i = 0; i < n && rc == 0; i++) {
		id = ids[i];
		format_age(span, sizeof span, p->ack_timeout_s);
		text = xprintf("returned to triggered: no activity for %s", span);
		rc = incident_act(db, p, id, INC_UNACK, "leitstand", text, 0, now, &code, cause);
		if (rc == 0 && cb != NULL)
			cb(arg, id, "unack", text);
		free(text);
	}
	free(ids);
	return rc;
}

static void
add_time(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, (double)sqlite3_column_int64(st, col));
}

static void
add_text(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddStringToObject(o, name, store_text(st, col));
}

/* One row of INCIDENT_COLUMNS as JSON, with the timers worked out for now. */
static cJSON *
row_json(sqlite3_stmt *st, const struct incident_policy *p, time_t now, int full)
{
	cJSON *o = cJSON_CreateObject();
	enum incident_status status = INC_TRIGGERED;
	long long opened = sqlite3_column_int64(st, 11);
	int sev = sqlite3_column_int(st, 3);

	incident_status_parse(store_text(st, 4), &status);
	cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
	cJSON_AddStringToObject(o, "title", store_text(st, 1));
	if (full)
		cJSON_AddStringToObject(o, "description", store_text(st, 2));
	cJSON_AddNumberToObject(o, "severity", sev);
	cJSON_AddStringToObject(o, "status", incident_status_name(status));
	cJSON_AddNumberToObject(o, "level", sqlite3_column_int(st, 5));
	add_text(o, "assignee", st, 6);
	cJSON_AddStringToObject(o, "source", store_text(st, 7));
	if (full)
		add_text(o, "fingerprint", st, 8);
	add_text(o, "kpi", st, 9);
	cJSON_AddStringToObject(o, "opened_by", store_text(st, 10));
	cJSON_AddNumberToObject(o, "opened_at", (double)opened);
	cJSON_AddNumberToObject(o, "age", (double)(now - opened));
	add_time(o, "acknowledged_at", st, 12);
	add_time(o, "mitigated_at", st, 13);
	add_time(o, "resolved_at", st, 14);
	add_time(o, "activity_at", st, 15);
	if (status == INC_TRIGGERED && sqlite3_column_type(st, 16) != SQLITE_NULL) {
		cJSON_AddNumberToObject(o, "ack_due", (double)sqlite3_column_int64(st, 16));
		cJSON_AddNumberToObject(o, "ack_left",
		    (double)(sqlite3_column_int64(st, 16) - now));
	}
	if (status != INC_RESOLVED && sev >= 1 && sev <= 4)
		cJSON_AddNumberToObject(o, "resolve_left",
		    (double)(opened + p->resolve_s[sev - 1] - now));
	if (sqlite3_column_type(st, 17) != SQLITE_NULL && sqlite3_column_int64(st, 17) > now) {
		cJSON_AddNumberToObject(o, "snoozed_until", (double)sqlite3_column_int64(st, 17));
		add_text(o, "snooze_reason", st, 18);
	}
	cJSON_AddBoolToObject(o, "recovered", sqlite3_column_int(st, 19));
	add_text(o, "ticket_key", st, 20);
	if (full)
		add_text(o, "ticket_url", st, 21);
	if (sqlite3_column_int(st, 22) > 0)
		cJSON_AddNumberToObject(o, "page_round", sqlite3_column_int(st, 22));
	if (sqlite3_column_type(st, 12) != SQLITE_NULL)
		cJSON_AddNumberToObject(o, "mtta", (double)(sqlite3_column_int64(st, 12) - opened));
	if (sqlite3_column_type(st, 14) != SQLITE_NULL)
		cJSON_AddNumberToObject(o, "mttr", (double)(sqlite3_column_int64(st, 14) - opened));
	return o;
}

cJSON *
incident_get(sqlite3 *db, const struct incident_policy *p, long long id, time_t now,
    int timeline)
{
	sqlite3_stmt *st;
	cJSON *o = NULL, *tl, *e;

	st = store_prepare(db, "SELECT " INCIDENT_COLUMNS " FROM incident WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		o = row_json(st, p, now, 1);
	sqlite3_finalize(st);
	if (o == NULL || !timeline)
		return o;
	/* The KPIs of one outage: each with when it joined and whether it is ok again. */
	tl = cJSON_AddArrayToObject(o, "kpis");
	st = store_prepare(db, "SELECT kpi, since, recovered_at FROM incident_kpi "
	    "WHERE incident_id = ? ORDER BY since, kpi");
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", store_text(st, 0));
		cJSON_AddNumberToObject(e, "since", (double)sqlite3_column_int64(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			cJSON_AddNumberToObject(e, "recovered_at",
			    (double)sqlite3_column_int64(st, 2));
		cJSON_AddItemToArray(tl, e);
	}
	sqlite3_finalize(st);
	tl = cJSON_AddArrayToObject(o, "timeline");
	st = store_prepare(db, "SELECT ts, actor, kind, text, data FROM timeline "
	    "WHERE incident_id = ? ORDER BY id");
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "ts", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(e, "actor", store_text(st, 1));
		cJSON_AddStringToObject(e, "kind", store_text(st, 2));
		cJSON_AddStringToObject(e, "text", store_text(st, 3));
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			cJSON_AddItemToObject(e, "data", cJSON_Parse(store_text(st, 4)));
		cJSON_AddItemToArray(tl, e);
	}
	sqlite3_finalize(st);
	return o;
}

/* The WHERE clause of a query's filters; binds come in filter_bind's order. */
static void
filter_sql(struct buf *b, const struct incident_query *q)
{
	int i, first;

	buf_addstr(b, " WHERE 1");
	if (q->statuses != 0) {
		buf_addstr(b, " AND status IN (");
		for (i = 0, first = 1; i < 4; i++) {
			if (q->statuses & (1u << i)) {
				buf_printf(b, "%s'%s'", first ? "" : ", ", status_names[i]);
				first = 0;
			}
		}
		buf_addch(b, ')');
	}
	if (q->severities != 0) {
		buf_addstr(b, " AND severity IN (");
		for (i = 1, first = 1; i <= 4; i++) {
			if (q->severities & (1u << i)) {
				buf_printf(b, "%s%d", first ? "" : ", ", i);
				first = 0;
			}
		}
		buf_addch(b, ')');
	}
	if (q->level > 0)
		buf_printf(b, " AND level = %d", q->level);
	if (q->assignee != NULL)
		buf_addstr(b, *q->assignee == '\0' ? " AND assignee IS NULL" : " AND assignee = ?");
	if (q->search != NULL)
		buf_addstr(b, " AND title LIKE ? ESCAPE '\\'");
}

static int
filter_bind(sqlite3_stmt *st, const struct incident_query *q, char **pattern)
{
	struct buf b;
	const char *s;
	int i = 1;

	*pattern = NULL;
	if (q->assignee != NULL && *q->assignee != '\0')
		sqlite3_bind_text(st, i++, q->assignee, -1, SQLITE_STATIC);
	if (q->search != NULL) {
		buf_init(&b);
		buf_addch(&b, '%');
		for (s = q->search; *s != '\0'; s++) {
			if (*s == '%' || *s == '_' || *s == '\\')
				buf_addch(&b, '\\');
			buf_addch(&b, *s);
		}
		buf_addch(&b, '%');
		*pattern = buf_take(&b);
		sqlite3_bind_text(st, i++, *pattern, -1, SQLITE_STATIC);
	}
	return i;
}

/* The keyset of the list order: open before resolved, most severe, oldest, id. */
#define KEYSET		"(closed, severity, opened_at, id)"

/* A row's keyset values (by id: only the id); 0 if there is no such incident. */
static int
keyset_of(sqlite3 *db, const struct incident_query *q, long long id, long long key[4])
{
	sqlite3_stmt *st;
	int i, found;

	st = store_prepare(db, "SELECT closed, severity, opened_at, id FROM incident WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if ((found = sqlite3_step(st) == SQLITE_ROW)) {
		for (i = 0; i < 4; i++)
			key[i] = sqlite3_column_int64(st, q->by_id ? 3 : i);
	}
	sqlite3_finalize(st);
	return found;
}

static void
keyset_bind(sqlite3_stmt *st, const struct incident_query *q, int i, const long long key[4])
{
	int k;

	for (k = 0; k < (q->by_id ? 1 : 4); k++)
		sqlite3_bind_int64(st, i + k, key[k]);
}

/* Rows matching the filters, and those of them before the keyset (the list position). */
static long long
filter_count(sqlite3 *db, const struct incident_query *q, const long long *before)
{
	struct buf sql;
	sqlite3_stmt *st;
	char *pattern;
	long long n = 0;
	int i;

	buf_init(&sql);
	buf_addstr(&sql, "SELECT count(*) FROM incident");
	filter_sql(&sql, q);
	if (before != NULL)
		buf_addstr(&sql, q->by_id ? " AND id > ?" : " AND " KEYSET " < (?, ?, ?, ?)");
	st = store_prepare(db, sql.data);
	buf_free(&sql);
	i = filter_bind(st, q, &pattern);
	if (before != NULL)
		keyset_bind(st, q, i, before);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(pattern);
	return n;
}

cJSON *
incident_list(sqlite3 *db, const struct incident_policy *p, const struct incident_query *q,
    time_t now)
{
	/* Forward is the display order; a page before the cursor or the last page is read
	   backwards and turned around. */
	const char *order_fwd = q->by_id ? " ORDER BY id DESC" :
	    " ORDER BY closed, severity, opened_at, id";
	const char *order_bwd = q->by_id ? " ORDER BY id ASC" :
	    " ORDER BY closed DESC, severity DESC, opened_at DESC, id DESC";
	const char *after = q->by_id ? " AND id < ?" : " AND " KEYSET " > (?, ?, ?, ?)";
	const char *before = q->by_id ? " AND id > ?" : " AND " KEYSET " < (?, ?, ?, ?)";
	int backwards = q->before || q->last, n;
	long long cursor[4], first[4];
	cJSON *out, *rows;
	struct buf sql;
	sqlite3_stmt *st;
	char *pattern;

	if ((q->after || q->before) && !keyset_of(db, q, q->cursor_id, cursor))
		return NULL;
	out = cJSON_CreateObject();
	buf_init(&sql);
	buf_addstr(&sql, "SELECT " INCIDENT_COLUMNS " FROM incident");
	filter_sql(&sql, q);
	if (q->after)
		buf_addstr(&sql, after);
	else if (q->before)
		buf_addstr(&sql, before);
	buf_addstr(&sql, backwards ? order_bwd : order_fwd);
	buf_printf(&sql, " LIMIT %d", q->limit > 0 ? q->limit : 100);
	st = store_prepare(db, sql.data);
	buf_free(&sql);
	n = filter_bind(st, q, &pattern);
	if (q->after || q->before)
		keyset_bind(st, q, n, cursor);
	rows = cJSON_AddArrayToObject(out, "incidents");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (backwards)
			cJSON_InsertItemInArray(rows, 0, row_json(st, p, now, 0));
		else
			cJSON_AddItemToArray(rows, row_json(st, p, now, 0));
	}
	sqlite3_finalize(st);
	free(pattern);

	n = cJSON_GetArraySize(rows);
	cJSON_AddNumberToObject(out, "total", (double)filter_count(db, q, NULL));
	/* The position of the first row: how many come before it. */
	if (n > 0 && keyset_of(db, q, (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(rows, 0), "id")), first))
		cJSON_AddNumberToObject(out, "offset", (double)filter_count(db, q, first));
	else
		cJSON_AddNumberToObject(out, "offset", 0);
	return out;
}

cJSON *
incident_counts(sqlite3 *db, time_t now)
{
	sqlite3_stmt *st;
	cJSON *o = cJSON_CreateObject(), *sev;
	double counts[4] = { 0, 0, 0, 0 };
	int s;

	st = store_prepare(db, "SELECT severity, count(*) FROM incident WHERE closed = 0 "
	    "GROUP BY severity");
	while (sqlite3_step(st) == SQLITE_ROW) {
		s = sqlite3_column_int(st, 0);
		if (s >= 1 && s <= 4)
			counts[s - 1] = (double)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	sev = cJSON_CreateDoubleArray(counts, 4);
	cJSON_AddItemToObject(o, "open", sev);
	st = store_prepare(db, "SELECT count(*) FROM incident WHERE status = 'triggered' AND "
	    "ack_due <= ?");
	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddNumberToObject(o, "overdue", (double)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return o;
}

int
incident_watch(sqlite3 *db, long long id, const char *user, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "INSERT OR IGNORE INTO watch (user, incident_id) VALUES (?, ?)");
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	return store_write(st, "watch list", cause);
}
