/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "backend/incident.h"
#include "backend/store.h"

#include "store-fixture.h"

/* The injected clock starts here; tests move it by hand. */
#define T0	((time_t)1700000000)

static const struct incident_policy policy = {
	.ack_s = { 60, 300, 3600, 14400 },
	.resolve_s = { 3600, 14400, 86400, 259200 },
	.ack_timeout_s = 600,
};

/* What incident_tick reported. */
struct changes {
	int		n;
	long long	id[16];
	char		action[16][16];
	char		text[16][128];
};

static void
on_change(void *arg, long long id, const char *action, const char *text)
{
	struct changes	*ch = arg;

	assert_true(ch->n < 16);
	ch->id[ch->n] = id;
	snprintf(ch->action[ch->n], sizeof ch->action[ch->n], "%s", action);
	snprintf(ch->text[ch->n], sizeof ch->text[ch->n], "%s", text);
	ch->n++;
}

/* Runs the timers at now; returns how many changes were reported. */
static int
tick(sqlite3 *db, time_t now, struct changes *ch)
{
	char	*cause = NULL;

	memset(ch, 0, sizeof *ch);
	assert_int_equal(incident_tick(db, &policy, now, on_change, ch, &cause), 0);
	assert_null(cause);
	return ch->n;
}

/* Opens a new incident (it must not be a duplicate); returns its id. */
static long long
open_fp(sqlite3 *db, int sev, const char *title, const char *source, const char *fp,
    const char *actor, time_t now)
{
	struct incident_new	 n = { .title = title, .description = "what happened",
				    .severity = sev, .source = source, .fingerprint = fp };
	char			*cause = NULL;
	long long		 id;
	int			 existing = -1;

	id = incident_open(db, &policy, &n, actor, now, &existing, &cause);
	assert_null(cause);
	assert_true(id > 0);
	assert_int_equal(existing, 0);
	return id;
}

static long long
open_inc(sqlite3 *db, int sev, const char *title, time_t now)
{
	return open_fp(db, sev, title, "manual", NULL, "alice", now);
}

static void
act(sqlite3 *db, long long id, enum incident_action a, const char *actor, const char *text,
    long arg, time_t now)
{
	const char	*code = NULL;
	char		*cause = NULL;
	int		 rc;

	rc = incident_act(db, &policy, id, a, actor, text, arg, now, &code, &cause);
	if (rc != 0)
		fprintf(stderr, "incident_act %s: %s: %s\n", incident_action_name(a),
		    code != NULL ? code : "?", cause != NULL ? cause : "?");
	assert_int_equal(rc, 0);
	assert_null(cause);
}

/* An action that must fail with code; the cause says why. */
static void
act_fail(sqlite3 *db, long long id, enum incident_action a, const char *actor,
    const char *text, long arg, time_t now, const char *want)
{
	const char	*code = NULL;
	char		*cause = NULL;

	assert_int_equal(incident_act(db, &policy, id, a, actor, text, arg, now, &code,
	    &cause), -1);
	assert_non_null(code);
	assert_string_equal(code, want);
	assert_non_null(cause);
	assert_true(*cause != '\0');
	free(cause);
}

static cJSON *
get(sqlite3 *db, long long id, time_t now)
{
	cJSON	*o = incident_get(db, &policy, id, now, 1);

	assert_non_null(o);
	return o;
}

static long long
num(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (v == NULL)
		fprintf(stderr, "no field %s\n", name);
	assert_non_null(v);
	assert_true(cJSON_IsNumber(v));
	return (long long)v->valuedouble;
}

static const char *
str(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (v == NULL)
		fprintf(stderr, "no field %s\n", name);
	assert_non_null(v);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static int
is_null(const cJSON *o, const char *name)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int
has(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name) != NULL;
}

static int
is_true(const cJSON *o, const char *name)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int
tl_count(const cJSON *o)
{
	const cJSON	*tl = cJSON_GetObjectItemCaseSensitive(o, "timeline");

	assert_true(cJSON_IsArray(tl));
	return cJSON_GetArraySize(tl);
}

/* Checks the last timeline entry. */
static void
tl_last(const cJSON *o, const char *kind, const char *actor, const char *text)
{
	const cJSON	*tl = cJSON_GetObjectItemCaseSensitive(o, "timeline"), *e;

	assert_true(cJSON_IsArray(tl));
	assert_true(cJSON_GetArraySize(tl) > 0);
	e = cJSON_GetArrayItem(tl, cJSON_GetArraySize(tl) - 1);
	assert_string_equal(str(e, "kind"), kind);
	assert_string_equal(str(e, "actor"), actor);
	if (text != NULL)
		assert_string_equal(str(e, "text"), text);
}

/* Status of an incident as its name. */
static void
check_status(sqlite3 *db, long long id, time_t now, const char *want)
{
	cJSON	*o = get(db, id, now);

	assert_string_equal(str(o, "status"), want);
	cJSON_Delete(o);
}

static long long
level_of(sqlite3 *db, long long id, time_t now)
{
	cJSON		*o = get(db, id, now);
	long long	 level = num(o, "level");

	cJSON_Delete(o);
	return level;
}

/* Rows in the watch table for this user and incident. */
static int
watching(sqlite3 *db, const char *user, long long id)
{
	sqlite3_stmt	*st;
	int		 n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM watch WHERE user = ? "
	    "AND incident_id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
watch_rows(sqlite3 *db)
{
	sqlite3_stmt	*st;
	int		 n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM watch", -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The whole table of (status x action): -1 where forbidden, else the next status. */
static void
test_next_table(void **state)
{
	static const int	 want[4][INC_ACTION_COUNT] = {
		/* ack, unack, mitigate, resolve, reopen, escalate, take, note, snooze */
		[INC_TRIGGERED] = { INC_ACKNOWLEDGED, -1, INC_MITIGATED, INC_RESOLVED, -1,
		    INC_TRIGGERED, INC_TRIGGERED, INC_TRIGGERED, INC_TRIGGERED },
		[INC_ACKNOWLEDGED] = { -1, INC_TRIGGERED, INC_MITIGATED, INC_RESOLVED, -1,
		    INC_ACKNOWLEDGED, INC_ACKNOWLEDGED, INC_ACKNOWLEDGED, INC_ACKNOWLEDGED },
		[INC_MITIGATED] = { -1, -1, -1, INC_RESOLVED, -1,
		    INC_MITIGATED, INC_MITIGATED, INC_MITIGATED, INC_MITIGATED },
		[INC_RESOLVED] = { -1, -1, -1, -1, INC_TRIGGERED,
		    -1, -1, INC_RESOLVED, -1 },
	};
	enum incident_status	 from, to;
	enum incident_action	 a;
	const char		*why;
	int			 rc;

	(void)state;
	for (from = INC_TRIGGERED; from <= INC_RESOLVED; from++) {
		for (a = INC_ACK; a < INC_ACTION_COUNT; a++) {
			why = NULL;
			to = (enum incident_status)99;
			rc = incident_next(from, a, &to, &why);
			if (want[from][a] == -1) {
				if (rc != -1)
					fprintf(stderr, "%s from %s allowed\n",
					    incident_action_name(a), incident_status_name(from));
				assert_int_equal(rc, -1);
				assert_non_null(why);
				assert_true(*why != '\0');
			} else {
				if (rc != 0)
					fprintf(stderr, "%s from %s refused: %s\n",
					    incident_action_name(a), incident_status_name(from),
					    why);
				assert_int_equal(rc, 0);
				assert_int_equal(to, want[from][a]);
			}
		}
	}
	/* Not an action at all. */
	why = NULL;
	assert_int_equal(incident_next(INC_TRIGGERED, INC_ACTION_COUNT, &to, &why), -1);
	assert_non_null(why);
}

static void
test_names(void **state)
{
	enum incident_status	s, out;

	(void)state;
	for (s = INC_TRIGGERED; s <= INC_RESOLVED; s++) {
		assert_int_equal(incident_status_parse(incident_status_name(s), &out), 0);
		assert_int_equal(out, s);
	}
	assert_string_equal(incident_status_name(INC_ACKNOWLEDGED), "acknowledged");
	assert_int_equal(incident_status_parse("open", &out), -1);
	assert_int_equal(incident_status_parse("", &out), -1);
	assert_string_equal(incident_action_name(INC_ACK), "ack");
	assert_string_equal(incident_action_name(INC_UNACK), "unack");
	assert_string_equal(incident_action_name(INC_SNOOZE), "snooze");
}

static void
test_open_fields(void **state)
{
	struct fixture	*fx = *state;
	struct incident_new n = { .title = "Checkout slow", .severity = 2, .source = "kpi",
			    .fingerprint = "kpi:checkout", .kpi = "checkout_p95" };
	char		*cause = NULL;
	long long	 id;
	int		 existing = -1, sev;
	cJSON		*o;

	id = incident_open(fx->db, &policy, &n, "bob", T0, &existing, &cause);
	assert_true(id > 0);
	assert_int_equal(existing, 0);
	assert_null(cause);

	o = get(fx->db, id, T0 + 100);
	assert_int_equal(num(o, "id"), id);
	assert_string_equal(str(o, "title"), "Checkout slow");
	assert_string_equal(str(o, "description"), "");
	assert_int_equal(num(o, "severity"), 2);
	assert_string_equal(str(o, "status"), "triggered");
	assert_int_equal(num(o, "level"), 1);
	assert_true(is_null(o, "assignee"));
	assert_string_equal(str(o, "source"), "kpi");
	assert_string_equal(str(o, "fingerprint"), "kpi:checkout");
	assert_string_equal(str(o, "kpi"), "checkout_p95");
	assert_string_equal(str(o, "opened_by"), "bob");
	assert_int_equal(num(o, "opened_at"), T0);
	assert_int_equal(num(o, "age"), 100);
	assert_true(is_null(o, "acknowledged_at"));
	assert_true(is_null(o, "mitigated_at"));
	assert_true(is_null(o, "resolved_at"));
	assert_int_equal(num(o, "activity_at"), T0);
	assert_int_equal(num(o, "ack_due"), T0 + 300);
	assert_int_equal(num(o, "ack_left"), 200);
	assert_int_equal(num(o, "resolve_left"), 14400 - 100);
	assert_false(has(o, "snoozed_until"));
	assert_false(is_true(o, "recovered"));
	assert_false(has(o, "mtta"));
	assert_false(has(o, "mttr"));
	assert_int_equal(tl_count(o), 1);
	tl_last(o, "opened", "bob", "SEV2 opened (kpi): Checkout slow");
	cJSON_Delete(o);

	/* Past the target the timer is negative: overdue. */
	o = get(fx->db, id, T0 + 400);
	assert_int_equal(num(o, "ack_left"), -100);
	cJSON_Delete(o);

	/* Without the timeline. */
	o = incident_get(fx->db, &policy, id, T0, 0);
	assert_non_null(o);
	assert_false(has(o, "timeline"));
	cJSON_Delete(o);

	/* The acknowledge target of each severity. */
	for (sev = 1; sev <= 4; sev++) {
		id = open_inc(fx->db, sev, "sev", T0 + 10);
		o = get(fx->db, id, T0 + 10);
		assert_int_equal(num(o, "ack_due"), T0 + 10 + policy.ack_s[sev - 1]);
		assert_int_equal(num(o, "resolve_left"), policy.resolve_s[sev - 1]);
		assert_string_equal(str(o, "source"), "manual");
		assert_string_equal(str(o, "description"), "what happened");
		assert_true(is_null(o, "fingerprint"));
		assert_true(is_null(o, "kpi"));
		cJSON_Delete(o);
	}

	/* A severity outside 1-4 is refused by the store. */
	n.severity = 5;
	n.fingerprint = NULL;
	existing = -1;
	assert_int_equal(incident_open(fx->db, &policy, &n, "bob", T0, &existing, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

static void
test_open_dedup(void **state)
{
	struct fixture	*fx = *state;
	struct incident_new n = { .title = "Checkout slow", .severity = 1, .source = "kpi",
			    .fingerprint = "kpi:checkout" };
	char		*cause = NULL;
	long long	 id, again, other, a, b;
	int		 existing;
	cJSON		*o;

	id = open_fp(fx->db, 1, "Checkout slow", "kpi", "kpi:checkout", "leitstand", T0);

	/* Open: the same id, no second timeline entry, nothing changed. */
	n.title = "Checkout slower";
	existing = 0;
	again = incident_open(fx->db, &policy, &n, "leitstand", T0 + 30, &existing, &cause);
	assert_int_equal(again, id);
	assert_int_equal(existing, 1);
	assert_null(cause);
	o = get(fx->db, id, T0 + 30);
	assert_string_equal(str(o, "title"), "Checkout slow");
	assert_int_equal(num(o, "opened_at"), T0);
	assert_int_equal(tl_count(o), 1);
	cJSON_Delete(o);

	/* Acknowledged and mitigated are still open. */
	act(fx->db, id, INC_ACK, "bob", NULL, 0, T0 + 40);
	existing = 0;
	assert_int_equal(incident_open(fx->db, &policy, &n, "leitstand", T0 + 50, &existing,
	    &cause), id);
	assert_int_equal(existing, 1);
	act(fx->db, id, INC_MITIGATE, "bob", NULL, 0, T0 + 60);
	existing = 0;
	assert_int_equal(incident_open(fx->db, &policy, &n, "leitstand", T0 + 70, &existing,
	    &cause), id);
	assert_int_equal(existing, 1);

	/* Another fingerprint is another incident. */
	other = open_fp(fx->db, 1, "Search slow", "kpi", "kpi:search", "leitstand", T0 + 80);
	assert_true(other != id);

	/* Resolved: a new one. */
	act(fx->db, id, INC_RESOLVE, "bob", NULL, 0, T0 + 90);
	existing = -1;
	again = incident_open(fx->db, &policy, &n, "leitstand", T0 + 100, &existing, &cause);
	assert_null(cause);
	assert_int_equal(existing, 0);
	assert_true(again > 0 && again != id && again != other);
	o = get(fx->db, again, T0 + 100);
	assert_string_equal(str(o, "title"), "Checkout slower");
	assert_string_equal(str(o, "status"), "triggered");
	cJSON_Delete(o);
	/* ... and that one de-duplicates now. */
	existing = 0;
	assert_int_equal(incident_open(fx->db, &policy, &n, "leitstand", T0 + 110, &existing,
	    &cause), again);
	assert_int_equal(existing, 1);

	/* No fingerprint: never de-duplicated. */
	a = open_inc(fx->db, 2, "Same title", T0);
	b = open_inc(fx->db, 2, "Same title", T0);
	assert_true(a != b);
}

static void
test_ack(void **state)
{
	struct fixture	*fx = *state;
	long long	 id, taken;
	struct changes	 ch;
	cJSON		*o;

	id = open_inc(fx->db, 2, "Payments failing", T0);
	act(fx->db, id, INC_ACK, "bob", NULL, 0, T0 + 30);
	o = get(fx->db, id, T0 + 40);
	assert_string_equal(str(o, "status"), "acknowledged");
	assert_string_equal(str(o, "assignee"), "bob");
	assert_int_equal(num(o, "acknowledged_at"), T0 + 30);
	assert_int_equal(num(o, "mtta"), 30);
	assert_false(has(o, "ack_left"));
	assert_false(has(o, "ack_due"));
	assert_int_equal(num(o, "resolve_left"), 14400 - 40);
	assert_int_equal(num(o, "activity_at"), T0 + 30);
	assert_int_equal(tl_count(o), 2);
	tl_last(o, "acknowledged", "bob", "acknowledged by bob");
	cJSON_Delete(o);

	/* Twice: conflict. */
	act_fail(fx->db, id, INC_ACK, "carol", NULL, 0, T0 + 50, "conflict");

	/* Back to triggered by the timer, then acknowledged by somebody else: MTTA and the
	   owner stay. */
	assert_int_equal(tick(fx->db, T0 + 30 + 600, &ch), 1);
	assert_string_equal(ch.action[0], "unack");
	check_status(fx->db, id, T0 + 630, "triggered");
	act(fx->db, id, INC_ACK, "dave", NULL, 0, T0 + 700);
	o = get(fx->db, id, T0 + 700);
	assert_string_equal(str(o, "status"), "acknowledged");
	assert_int_equal(num(o, "acknowledged_at"), T0 + 30);
	assert_int_equal(num(o, "mtta"), 30);
	assert_string_equal(str(o, "assignee"), "bob");
	tl_last(o, "acknowledged", "dave", "acknowledged by dave");
	cJSON_Delete(o);

	/* Taken first: acknowledging does not change the owner. */
	taken = open_inc(fx->db, 3, "Taken", T0);
	act(fx->db, taken, INC_TAKE, "carol", NULL, 0, T0 + 5);
	act(fx->db, taken, INC_ACK, "bob", NULL, 0, T0 + 10);
	o = get(fx->db, taken, T0 + 10);
	assert_string_equal(str(o, "assignee"), "carol");
	assert_int_equal(num(o, "mtta"), 10);
	cJSON_Delete(o);
}

static void
test_take(void **state)
{
	struct fixture	*fx = *state;
	long long	 id;
	cJSON		*o;

	id = open_inc(fx->db, 3, "Slow search", T0);
	act(fx->db, id, INC_TAKE, "alice", NULL, 0, T0 + 1);
	o = get(fx->db, id, T0 + 1);
	assert_string_equal(str(o, "assignee"), "alice");
	assert_string_equal(str(o, "status"), "triggered");
	tl_last(o, "assigned", "alice", "taken by alice");
	cJSON_Delete(o);

	act(fx->db, id, INC_TAKE, "bob", NULL, 0, T0 + 2);
	o = get(fx->db, id, T0 + 2);
	assert_string_equal(str(o, "assignee"), "bob");
	assert_int_equal(num(o, "ack_due"), T0 + 3600);
	tl_last(o, "assigned", "bob", "taken by bob from alice");
	assert_int_equal(tl_count(o), 3);
	cJSON_Delete(o);

	/* Not on a resolved one. */
	act(fx->db, id, INC_RESOLVE, "bob", NULL, 0, T0 + 3);
	act_fail(fx->db, id, INC_TAKE, "carol", NULL, 0, T0 + 4, "conflict");
}

static void
test_note(void **state)
{
	struct fixture	*fx = *state;
	long long	 id;
	cJSON		*o;

	id = open_inc(fx->db, 3, "Slow search", T0);
	act_fail(fx->db, id, INC_NOTE, "alice", "", 0, T0 + 1, "invalid_argument");
	act_fail(fx->db, id, INC_NOTE, "alice", NULL, 0, T0 + 1, "invalid_argument");
	o = get(fx->db, id, T0 + 1);
	assert_int_equal(tl_count(o), 1);
	assert_int_equal(num(o, "activity_at"), T0);
	cJSON_Delete(o);

	act(fx->db, id, INC_NOTE, "alice", "restarted the indexer", 0, T0 + 2);
	o = get(fx->db, id, T0 + 2);
	assert_string_equal(str(o, "status"), "triggered");
	assert_true(is_null(o, "assignee"));
	assert_int_equal(num(o, "activity_at"), T0 + 2);
	tl_last(o, "note", "alice", "restarted the indexer");
	cJSON_Delete(o);

	/* A resolved incident still takes notes. */
	act(fx->db, id, INC_RESOLVE, "bob", NULL, 0, T0 + 3);
	o = get(fx->db, id, T0 + 3);
	tl_last(o, "resolved", "bob", "resolved by bob");
	cJSON_Delete(o);
	act(fx->db, id, INC_NOTE, "bob", "post-mortem on Monday", 0, T0 + 4);
	o = get(fx->db, id, T0 + 4);
	assert_string_equal(str(o, "status"), "resolved");
	tl_last(o, "note", "bob", "post-mortem on Monday");
	assert_int_equal(tl_count(o), 4);
	cJSON_Delete(o);
}

static void
test_escalate(void **state)
{
	struct fixture	*fx = *state;
	long long	 id, auto_id;
	cJSON		*o;

	id = open_inc(fx->db, 1, "Checkout down", T0);
	act(fx->db, id, INC_ESCALATE, "erin", "db is down", 0, T0 + 20);
	o = get(fx->db, id, T0 + 20);
	assert_int_equal(num(o, "level"), 2);
	assert_string_equal(str(o, "status"), "triggered");
	/* The acknowledge timer starts again for the new level. */
	assert_int_equal(num(o, "ack_due"), T0 + 20 + 60);
	tl_last(o, "escalated", "erin", "escalated to L2 by erin: db is down");
	cJSON_Delete(o);
	assert_int_equal(watching(fx->db, "erin", id), 1);

	act(fx->db, id, INC_ACK, "frank", NULL, 0, T0 + 30);
	act(fx->db, id, INC_ESCALATE, "frank", NULL, 0, T0 + 40);
	o = get(fx->db, id, T0 + 40);
	assert_int_equal(num(o, "level"), 3);
	assert_string_equal(str(o, "status"), "acknowledged");
	assert_false(has(o, "ack_due"));
	tl_last(o, "escalated", "frank", "escalated to L3 by frank");
	cJSON_Delete(o);
	assert_int_equal(watching(fx->db, "frank", id), 1);

	act_fail(fx->db, id, INC_ESCALATE, "erin", "more", 0, T0 + 50, "conflict");
	o = get(fx->db, id, T0 + 50);
	assert_int_equal(num(o, "level"), 3);
	assert_int_equal(tl_count(o), 4);
	cJSON_Delete(o);
	assert_int_equal(watching(fx->db, "erin", id), 1);
	assert_int_equal(watch_rows(fx->db), 2);

	/* The daemon's own escalations put nobody on a watch list. */
	auto_id = open_inc(fx->db, 2, "Timer", T0);
	act(fx->db, auto_id, INC_ESCALATE, "leitstand", "not acknowledged within 5m", 0, T0 + 300);
	assert_int_equal(level_of(fx->db, auto_id, T0 + 300), 2);
	assert_int_equal(watching(fx->db, "leitstand", auto_id), 0);
	assert_int_equal(watch_rows(fx->db), 2);

	/* Escalating a mitigated incident is allowed; a resolved one is not. */
	act(fx->db, auto_id, INC_MITIGATE, "erin", NULL, 0, T0 + 310);
	act(fx->db, auto_id, INC_ESCALATE, "erin", NULL, 0, T0 + 320);
	assert_int_equal(level_of(fx->db, auto_id, T0 + 320), 3);
	act(fx->db, auto_id, INC_RESOLVE, "erin", NULL, 0, T0 + 330);
	act_fail(fx->db, auto_id, INC_ESCALATE, "erin", NULL, 0, T0 + 340, "conflict");
}

static void
test_watch(void **state)
{
	struct fixture	*fx = *state;
	char		*cause = NULL;
	long long	 id;

	id = open_inc(fx->db, 4, "Watched", T0);
	assert_int_equal(incident_watch(fx->db, id, "gina", &cause), 0);
	assert_int_equal(incident_watch(fx->db, id, "gina", &cause), 0);
	assert_null(cause);
	assert_int_equal(watching(fx->db, "gina", id), 1);
	act(fx->db, id, INC_ESCALATE, "gina", NULL, 0, T0 + 1);
	assert_int_equal(watching(fx->db, "gina", id), 1);
	assert_int_equal(watch_rows(fx->db), 1);
}

static void
test_mitigate_resolve(void **state)
{
	struct fixture	*fx = *state;
	long long	 id, direct;
	cJSON		*o;

	id = open_inc(fx->db, 2, "Payments failing", T0);
	act(fx->db, id, INC_ACK, "bob", NULL, 0, T0 + 60);
	act(fx->db, id, INC_MITIGATE, "bob", NULL, 0, T0 + 600);
	o = get(fx->db, id, T0 + 600);
	assert_string_equal(str(o, "status"), "mitigated");
	assert_int_equal(num(o, "mitigated_at"), T0 + 600);
	assert_true(is_null(o, "resolved_at"));
	assert_false(has(o, "mttr"));
	assert_int_equal(num(o, "resolve_left"), 14400 - 600);
	tl_last(o, "mitigated", "bob", "mitigated by bob");
	cJSON_Delete(o);
	act_fail(fx->db, id, INC_MITIGATE, "bob", NULL, 0, T0 + 610, "conflict");
	act_fail(fx->db, id, INC_ACK, "bob", NULL, 0, T0 + 610, "conflict");

	act(fx->db, id, INC_RESOLVE, "carol", "rolled back", 0, T0 + 1200);
	o = get(fx->db, id, T0 + 1300);
	assert_string_equal(str(o, "status"), "resolved");
	assert_int_equal(num(o, "resolved_at"), T0 + 1200);
	assert_int_equal(num(o, "mitigated_at"), T0 + 600);
	assert_int_equal(num(o, "mtta"), 60);
	assert_int_equal(num(o, "mttr"), 1200);
	assert_false(has(o, "resolve_left"));
	assert_false(has(o, "ack_left"));
	/* The closing note is the resolution: it stays on the timeline. */
	tl_last(o, "resolved", "carol", "resolved by carol: rolled back");
	assert_int_equal(tl_count(o), 4);
	cJSON_Delete(o);

	act_fail(fx->db, id, INC_RESOLVE, "carol", NULL, 0, T0 + 1300, "conflict");
	act_fail(fx->db, id, INC_ACK, "carol", NULL, 0, T0 + 1300, "conflict");
	act_fail(fx->db, id, INC_MITIGATE, "carol", NULL, 0, T0 + 1300, "conflict");
	act_fail(fx->db, id, INC_SNOOZE, "carol", "later", 60, T0 + 1300, "conflict");

	/* Straight from triggered to mitigated, and to resolved. */
	direct = open_inc(fx->db, 1, "Direct", T0);
	act(fx->db, direct, INC_MITIGATE, "bob", NULL, 0, T0 + 5);
	o = get(fx->db, direct, T0 + 5);
	assert_string_equal(str(o, "status"), "mitigated");
	assert_false(has(o, "ack_due"));
	assert_true(is_null(o, "acknowledged_at"));
	assert_false(has(o, "mtta"));
	cJSON_Delete(o);
	direct = open_inc(fx->db, 1, "Direct 2", T0);
	act(fx->db, direct, INC_RESOLVE, "bob", NULL, 0, T0 + 7);
	o = get(fx->db, direct, T0 + 7);
	assert_int_equal(num(o, "mttr"), 7);
	cJSON_Delete(o);
}

static void
test_reopen(void **state)
{
	struct fixture	*fx = *state;
	char		*cause = NULL;
	long long	 id;
	cJSON		*o;

	id = open_fp(fx->db, 2, "Checkout slow", "kpi", "kpi:checkout", "leitstand", T0);
	act_fail(fx->db, id, INC_REOPEN, "bob", NULL, 0, T0 + 1, "conflict");
	act(fx->db, id, INC_MITIGATE, "bob", NULL, 0, T0 + 100);
	assert_int_equal(incident_recovered(fx->db, "kpi:checkout", "fine again", T0 + 150,
	    &cause), id);
	act_fail(fx->db, id, INC_REOPEN, "bob", NULL, 0, T0 + 160, "conflict");
	act(fx->db, id, INC_RESOLVE, "bob", NULL, 0, T0 + 200);

	act(fx->db, id, INC_REOPEN, "carol", NULL, 0, T0 + 1000);
	o = get(fx->db, id, T0 + 1000);
	assert_string_equal(str(o, "status"), "triggered");
	assert_true(is_null(o, "resolved_at"));
	assert_true(is_null(o, "mitigated_at"));
	assert_false(is_true(o, "recovered"));
	assert_false(has(o, "mttr"));
	assert_int_equal(num(o, "ack_due"), T0 + 1000 + 300);
	assert_int_equal(num(o, "ack_left"), 300);
	tl_last(o, "reopened", "carol", "reopened by carol");
	cJSON_Delete(o);

	/* Reopened, it de-duplicates again. */
	{
		struct incident_new n = { .title = "x", .severity = 2, .source = "kpi",
				    .fingerprint = "kpi:checkout" };
		int existing = 0;

		assert_int_equal(incident_open(fx->db, &policy, &n, "leitstand", T0 + 1001,
		    &existing, &cause), id);
		assert_int_equal(existing, 1);
	}
}

static void
test_reopen_conflict(void **state)
{
	struct fixture	*fx = *state;
	long long	 first, second, other;

	first = open_fp(fx->db, 2, "Checkout slow", "kpi", "kpi:checkout", "leitstand", T0);
	act(fx->db, first, INC_RESOLVE, "bob", NULL, 0, T0 + 100);
	second = open_fp(fx->db, 2, "Checkout slow", "kpi", "kpi:checkout", "leitstand",
	    T0 + 200);
	assert_true(second != first);
	/* An open incident of another fingerprint does not matter. */
	other = open_fp(fx->db, 2, "Search slow", "kpi", "kpi:search", "leitstand", T0 + 200);
	(void)other;

	act_fail(fx->db, first, INC_REOPEN, "carol", NULL, 0, T0 + 300, "conflict");
	check_status(fx->db, first, T0 + 300, "resolved");

	act(fx->db, second, INC_RESOLVE, "bob", NULL, 0, T0 + 400);
	act(fx->db, first, INC_REOPEN, "carol", NULL, 0, T0 + 500);
	check_status(fx->db, first, T0 + 500, "triggered");
	/* Now the second one cannot be reopened. */
	act_fail(fx->db, second, INC_REOPEN, "carol", NULL, 0, T0 + 600, "conflict");
}

static void
test_not_found(void **state)
{
	struct fixture	*fx = *state;
	enum incident_action a;

	open_inc(fx->db, 1, "Only one", T0);
	for (a = INC_ACK; a < INC_ACTION_COUNT; a++)
		act_fail(fx->db, 999, a, "bob", "text", 60, T0, "not_found");
	assert_null(incident_get(fx->db, &policy, 999, T0, 1));
	assert_null(incident_get(fx->db, &policy, 0, T0, 0));
}

static void
test_snooze(void **state)
{
	struct fixture	*fx = *state;
	long long	 id;
	cJSON		*o;

	id = open_inc(fx->db, 1, "Noisy", T0);
	act_fail(fx->db, id, INC_SNOOZE, "bob", "later", 0, T0 + 10, "invalid_argument");
	act_fail(fx->db, id, INC_SNOOZE, "bob", "later", -5, T0 + 10, "invalid_argument");
	act(fx->db, id, INC_SNOOZE, "bob", "maintenance window", 1800, T0 + 10);
	o = get(fx->db, id, T0 + 20);
	assert_string_equal(str(o, "status"), "triggered");
	assert_int_equal(num(o, "snoozed_until"), T0 + 1810);
	assert_string_equal(str(o, "snooze_reason"), "maintenance window");
	assert_int_equal(num(o, "ack_due"), T0 + 1810 + 60);
	tl_last(o, "snoozed", "bob", "snoozed for 30m by bob: maintenance window");
	cJSON_Delete(o);

	/* Once over, the snooze is not shown. */
	o = get(fx->db, id, T0 + 1810);
	assert_false(has(o, "snoozed_until"));
	assert_false(has(o, "snooze_reason"));
	cJSON_Delete(o);

	/* Resolving ends a snooze. */
	act(fx->db, id, INC_SNOOZE, "bob", "again", 600, T0 + 1900);
	act(fx->db, id, INC_RESOLVE, "bob", NULL, 0, T0 + 1910);
	o = get(fx->db, id, T0 + 1920);
	assert_false(has(o, "snoozed_until"));
	cJSON_Delete(o);
}

static void
test_tick_escalate(void **state)
{
	struct fixture	*fx = *state;
	struct changes	 ch;
	long long	 id, sev3;
	char		*cause = NULL;
	cJSON		*o;

	id = open_inc(fx->db, 1, "Checkout down", T0);
	sev3 = open_inc(fx->db, 3, "Slow reports", T0);

	assert_int_equal(tick(fx->db, T0, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 59, &ch), 0);
	assert_int_equal(level_of(fx->db, id, T0 + 59), 1);

	/* At the target: L2, with a text naming the target. */
	assert_int_equal(tick(fx->db, T0 + 60, &ch), 1);
	assert_int_equal(ch.id[0], id);
	assert_string_equal(ch.action[0], "escalate");
	assert_string_equal(ch.text[0], "not acknowledged within 60s");
	o = get(fx->db, id, T0 + 60);
	assert_int_equal(num(o, "level"), 2);
	assert_string_equal(str(o, "status"), "triggered");
	assert_int_equal(num(o, "ack_due"), T0 + 120);
	tl_last(o, "escalated", "leitstand",
	    "escalated to L2 by leitstand: not acknowledged within 60s");
	cJSON_Delete(o);

	/* The same tick again changes nothing. */
	assert_int_equal(tick(fx->db, T0 + 60, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 119, &ch), 0);

	/* Another target: L3. */
	assert_int_equal(tick(fx->db, T0 + 120, &ch), 1);
	assert_int_equal(ch.id[0], id);
	assert_string_equal(ch.action[0], "escalate");
	assert_int_equal(level_of(fx->db, id, T0 + 120), 3);

	/* Never above L3, however long; the other one's target comes. */
	assert_int_equal(tick(fx->db, T0 + 180, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 3599, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 3600, &ch), 1);
	assert_int_equal(ch.id[0], sev3);
	assert_string_equal(ch.text[0], "not acknowledged within 60m");
	assert_int_equal(tick(fx->db, T0 + 7200, &ch), 1);
	assert_int_equal(ch.id[0], sev3);
	assert_int_equal(tick(fx->db, T0 + 1000000, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 100000000, &ch), 0);
	assert_int_equal(level_of(fx->db, id, T0 + 100000000), 3);
	assert_int_equal(level_of(fx->db, sev3, T0 + 100000000), 3);
	check_status(fx->db, id, T0 + 100000000, "triggered");
	assert_int_equal(watch_rows(fx->db), 0);

	/* Without a callback. */
	id = open_inc(fx->db, 2, "No callback", T0 + 200000000);
	assert_int_equal(incident_tick(fx->db, &policy, T0 + 200000300, NULL, NULL, &cause), 0);
	assert_null(cause);
	assert_int_equal(level_of(fx->db, id, T0 + 200000300), 2);
}

static void
test_tick_acknowledged(void **state)
{
	struct fixture	*fx = *state;
	struct changes	 ch;
	long long	 id;
	cJSON		*o;

	id = open_inc(fx->db, 2, "Payments failing", T0);
	act(fx->db, id, INC_ACK, "bob", NULL, 0, T0 + 10);

	/* Acknowledged: no escalation past the acknowledge target. */
	assert_int_equal(tick(fx->db, T0 + 300, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 609, &ch), 0);
	check_status(fx->db, id, T0 + 609, "acknowledged");

	/* No activity for ack_timeout: back to triggered. */
	assert_int_equal(tick(fx->db, T0 + 610, &ch), 1);
	assert_int_equal(ch.id[0], id);
	assert_string_equal(ch.action[0], "unack");
	assert_string_equal(ch.text[0], "returned to triggered: no activity for 10m");
	o = get(fx->db, id, T0 + 610);
	assert_string_equal(str(o, "status"), "triggered");
	assert_int_equal(num(o, "level"), 1);
	assert_string_equal(str(o, "assignee"), "bob");
	assert_int_equal(num(o, "ack_due"), T0 + 610 + 300);
	tl_last(o, "unacknowledged", "leitstand", "returned to triggered: no activity for 10m");
	cJSON_Delete(o);

	/* Triggered again, the escalation timer runs. */
	assert_int_equal(tick(fx->db, T0 + 909, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 910, &ch), 1);
	assert_string_equal(ch.action[0], "escalate");
	assert_string_equal(ch.text[0], "not acknowledged within 5m");
}

static void
test_tick_activity(void **state)
{
	struct fixture	*fx = *state;
	struct changes	 ch;
	long long	 id;
	char		*cause = NULL;

	id = open_inc(fx->db, 2, "Payments failing", T0);
	act(fx->db, id, INC_ACK, "bob", NULL, 0, T0 + 10);
	/* A note restarts the clock. */
	act(fx->db, id, INC_NOTE, "bob", "looking at the gateway", 0, T0 + 500);
	assert_int_equal(tick(fx->db, T0 + 610, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 1099, &ch), 0);
	check_status(fx->db, id, T0 + 1099, "acknowledged");
	/* So does any timeline entry. */
	assert_int_equal(incident_timeline(fx->db, id, T0 + 1000, "leitstand", "kpi",
	    "error rate 3 %", "{\"value\":3}", &cause), 0);
	assert_null(cause);
	assert_int_equal(tick(fx->db, T0 + 1100, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 1599, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 1600, &ch), 1);
	assert_string_equal(ch.action[0], "unack");
	check_status(fx->db, id, T0 + 1600, "triggered");
}

static void
test_timeline(void **state)
{
	struct fixture	*fx = *state;
	const cJSON	*tl, *e, *data;
	char		*cause = NULL;
	long long	 id;
	cJSON		*o;

	id = open_inc(fx->db, 3, "With data", T0);
	assert_int_equal(incident_timeline(fx->db, id, T0 + 5, "leitstand", "kpi",
	    "error rate 3 %", "{\"value\":3}", &cause), 0);
	assert_int_equal(incident_timeline(fx->db, id, T0 + 6, "bob", "ticket", NULL, NULL,
	    &cause), 0);
	assert_null(cause);
	o = get(fx->db, id, T0 + 6);
	assert_int_equal(num(o, "activity_at"), T0 + 6);
	assert_int_equal(tl_count(o), 3);
	tl = cJSON_GetObjectItemCaseSensitive(o, "timeline");
	e = cJSON_GetArrayItem(tl, 0);
	assert_string_equal(str(e, "kind"), "opened");
	assert_int_equal(num(e, "ts"), T0);
	assert_false(has(e, "data"));
	e = cJSON_GetArrayItem(tl, 1);
	assert_int_equal(num(e, "ts"), T0 + 5);
	assert_string_equal(str(e, "kind"), "kpi");
	assert_string_equal(str(e, "text"), "error rate 3 %");
	data = cJSON_GetObjectItemCaseSensitive(e, "data");
	assert_int_equal(num(data, "value"), 3);
	tl_last(o, "ticket", "bob", "");
	cJSON_Delete(o);
}

static void
test_tick_snooze(void **state)
{
	struct fixture	*fx = *state;
	struct changes	 ch;
	long long	 id;
	cJSON		*o;

	id = open_inc(fx->db, 1, "Noisy", T0);
	act(fx->db, id, INC_SNOOZE, "bob", "known", 1800, T0 + 10);
	assert_int_equal(tick(fx->db, T0 + 60, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 1000, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 1809, &ch), 0);
	/* The snooze is over, but the timer starts from its end. */
	assert_int_equal(tick(fx->db, T0 + 1810, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 1869, &ch), 0);
	assert_int_equal(level_of(fx->db, id, T0 + 1869), 1);
	o = get(fx->db, id, T0 + 1810);
	assert_int_equal(num(o, "ack_left"), 60);
	cJSON_Delete(o);
	assert_int_equal(tick(fx->db, T0 + 1870, &ch), 1);
	assert_string_equal(ch.action[0], "escalate");
	assert_int_equal(level_of(fx->db, id, T0 + 1870), 2);

	act(fx->db, id, INC_RESOLVE, "bob", NULL, 0, T0 + 1900);

	/* An acknowledged incident is not returned to triggered while snoozed. */
	id = open_inc(fx->db, 2, "Acknowledged and snoozed", T0 + 2000);
	act(fx->db, id, INC_ACK, "bob", NULL, 0, T0 + 2000);
	act(fx->db, id, INC_SNOOZE, "bob", "waiting for the vendor", 3600, T0 + 2010);
	assert_int_equal(tick(fx->db, T0 + 2610, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 5609, &ch), 0);
	check_status(fx->db, id, T0 + 5609, "acknowledged");
}

/*
 * The timers restart from the end of a snooze (incident.c: "The timers start again when the
 * snooze ends."). For an acknowledged incident only ack_due is moved; the no-activity timer
 * still counts from the snooze itself.
 */
static void
test_tick_snooze_acknowledged_restart(void **state)
{
	struct fixture	*fx = *state;
	struct changes	 ch;
	long long	 id;

	id = open_inc(fx->db, 2, "Acknowledged and snoozed", T0);
	act(fx->db, id, INC_ACK, "bob", NULL, 0, T0);
	act(fx->db, id, INC_SNOOZE, "bob", "waiting for the vendor", 3600, T0 + 10);
	assert_int_equal(tick(fx->db, T0 + 3609, &ch), 0);
	/* The quiet time counts from the end of the snooze: ack_timeout (600 s) after it. */
	assert_int_equal(tick(fx->db, T0 + 3610, &ch), 0);
	check_status(fx->db, id, T0 + 3610, "acknowledged");
	assert_int_equal(tick(fx->db, T0 + 4209, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 4210, &ch), 1);
	assert_string_equal(ch.action[0], "unack");
}

static void
test_tick_closed(void **state)
{
	struct fixture	*fx = *state;
	struct changes	 ch;
	long long	 mitigated, resolved, acked;

	mitigated = open_inc(fx->db, 1, "Mitigated", T0);
	resolved = open_inc(fx->db, 1, "Resolved", T0);
	acked = open_inc(fx->db, 1, "Acknowledged", T0);
	act(fx->db, mitigated, INC_MITIGATE, "bob", NULL, 0, T0 + 10);
	act(fx->db, resolved, INC_RESOLVE, "bob", NULL, 0, T0 + 10);
	act(fx->db, acked, INC_ACK, "bob", NULL, 0, T0 + 10);
	act(fx->db, acked, INC_MITIGATE, "bob", NULL, 0, T0 + 20);
	assert_int_equal(tick(fx->db, T0 + 60, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 10000, &ch), 0);
	assert_int_equal(tick(fx->db, T0 + 100000000, &ch), 0);
	assert_int_equal(level_of(fx->db, mitigated, T0), 1);
	assert_int_equal(level_of(fx->db, resolved, T0), 1);
	assert_int_equal(level_of(fx->db, acked, T0), 1);
	check_status(fx->db, mitigated, T0, "mitigated");
	check_status(fx->db, resolved, T0, "resolved");
	check_status(fx->db, acked, T0, "mitigated");
}

static void
test_recovered(void **state)
{
	struct fixture	*fx = *state;
	char		*cause = NULL;
	long long	 id, other, next;
	cJSON		*o;

	assert_int_equal(incident_recovered(fx->db, "kpi:checkout", "fine", T0, &cause), 0);
	id = open_fp(fx->db, 2, "Checkout slow", "kpi", "kpi:checkout", "leitstand", T0);
	other = open_fp(fx->db, 2, "Search slow", "kpi", "kpi:search", "leitstand", T0);
	assert_int_equal(incident_recovered(fx->db, "kpi:nothing", "fine", T0 + 50, &cause), 0);
	assert_int_equal(incident_recovered(fx->db, "kpi:checkout",
	    "Checkout p95 recovered (ok, 0.8): resolve?", T0 + 100, &cause), id);
	assert_null(cause);
	o = get(fx->db, id, T0 + 100);
	assert_true(is_true(o, "recovered"));
	assert_string_equal(str(o, "status"), "triggered");
	assert_int_equal(num(o, "activity_at"), T0 + 100);
	tl_last(o, "recovered", "leitstand", "Checkout p95 recovered (ok, 0.8): resolve?");
	cJSON_Delete(o);
	o = get(fx->db, other, T0 + 100);
	assert_false(is_true(o, "recovered"));
	assert_int_equal(tl_count(o), 1);
	cJSON_Delete(o);

	/* Resolved: none open. */
	act(fx->db, id, INC_RESOLVE, "bob", NULL, 0, T0 + 200);
	assert_int_equal(incident_recovered(fx->db, "kpi:checkout", "fine", T0 + 300, &cause), 0);
	o = get(fx->db, id, T0 + 300);
	assert_int_equal(tl_count(o), 3);
	cJSON_Delete(o);

	/* A new incident of the fingerprint is the one marked. */
	next = open_fp(fx->db, 2, "Checkout slow", "kpi", "kpi:checkout", "leitstand", T0 + 400);
	assert_int_equal(incident_recovered(fx->db, "kpi:checkout", "fine", T0 + 500, &cause),
	    next);
	o = get(fx->db, next, T0 + 500);
	assert_true(is_true(o, "recovered"));
	cJSON_Delete(o);
}

/* The source fires again after it recovered: the open incident is no longer recovered. */
static void
test_recovered_fires_again(void **state)
{
	struct fixture	*fx = *state;
	struct incident_new n = { .title = "Checkout slow", .severity = 2, .source = "kpi",
			    .fingerprint = "kpi:checkout" };
	char		*cause = NULL;
	long long	 id;
	int		 existing = 0, recovered;
	cJSON		*o;

	id = open_fp(fx->db, 2, "Checkout slow", "kpi", "kpi:checkout", "leitstand", T0);
	assert_int_equal(incident_recovered(fx->db, "kpi:checkout", "fine", T0 + 100, &cause),
	    id);
	assert_int_equal(incident_open(fx->db, &policy, &n, "leitstand", T0 + 200, &existing,
	    &cause), id);
	assert_int_equal(existing, 1);
	o = get(fx->db, id, T0 + 200);
	/* The source failing again clears "recovered: resolve?". */
	recovered = is_true(o, "recovered");
	cJSON_Delete(o);
	assert_false(recovered);
}

/* Ids of a page, in order, into ids; returns how many. */
static int
page_ids(const cJSON *page, long long *ids, int max)
{
	const cJSON	*rows = cJSON_GetObjectItemCaseSensitive(page, "incidents"), *r;
	int		 n = 0;

	assert_true(cJSON_IsArray(rows));
	cJSON_ArrayForEach(r, rows) {
		assert_true(n < max);
		ids[n++] = num(r, "id");
	}
	return n;
}

/* Lists with q and checks the ids in order, total and offset. */
static void
check_list(sqlite3 *db, const struct incident_query *q, time_t now, const long long *want,
    int nwant, long long total, long long offset)
{
	long long	 ids[64];
	cJSON		*page;
	int		 n, i;

	page = incident_list(db, &policy, q, now);
	assert_non_null(page);
	n = page_ids(page, ids, 64);
	if (n != nwant) {
		fprintf(stderr, "got %d rows:", n);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %lld", ids[i]);
		fprintf(stderr, "\n");
	}
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i], want[i]);
	assert_int_equal(num(page, "total"), total);
	assert_int_equal(num(page, "offset"), offset);
	cJSON_Delete(page);
}

/* Five incidents: in severity order 5, 2, 4, 3, 1; by id 5, 4, 3, 2, 1. */
static void
five(sqlite3 *db, long long *id)
{
	id[1] = open_inc(db, 3, "one", T0);
	id[2] = open_inc(db, 1, "two", T0 + 10);
	id[3] = open_inc(db, 2, "three", T0 + 5);
	id[4] = open_inc(db, 1, "four", T0 + 10);
	id[5] = open_inc(db, 1, "five", T0 + 3);
	assert_int_equal(id[1], 1);
	assert_int_equal(id[5], 5);
}

static void
test_list_order(void **state)
{
	struct fixture		*fx = *state;
	struct incident_query	 q;
	long long		 id[6];
	const long long		 by_sev[] = { 5, 2, 4, 3, 1 }, by_id[] = { 5, 4, 3, 2, 1 };
	cJSON			*page, *row;

	five(fx->db, id);
	memset(&q, 0, sizeof q);
	check_list(fx->db, &q, T0 + 20, by_sev, 5, 5, 0);
	q.by_id = 1;
	check_list(fx->db, &q, T0 + 20, by_id, 5, 5, 0);

	/* A list row carries the timers but not the long fields. */
	memset(&q, 0, sizeof q);
	q.limit = 1;
	page = incident_list(fx->db, &policy, &q, T0 + 20);
	row = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(page, "incidents"), 0);
	assert_int_equal(num(row, "id"), 5);
	assert_int_equal(num(row, "ack_left"), T0 + 3 + 60 - (T0 + 20));
	assert_int_equal(num(row, "age"), 17);
	assert_false(has(row, "description"));
	assert_false(has(row, "timeline"));
	assert_int_equal(num(page, "total"), 5);
	cJSON_Delete(page);

	/* Nothing matches. */
	memset(&q, 0, sizeof q);
	q.search = "nothing like this";
	check_list(fx->db, &q, T0 + 20, NULL, 0, 0, 0);

	/* A resolved incident goes below every open one, whatever its severity. */
	act(fx->db, 5, INC_RESOLVE, "bob", NULL, 0, T0 + 30);
	memset(&q, 0, sizeof q);
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 2, 4, 3, 1, 5 }, 5, 5, 0);
	q.limit = 2;
	q.after = 1;
	q.cursor_id = 1;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 5 }, 1, 5, 4);
	q.after = 0;
	q.before = 1;
	q.cursor_id = 5;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 3, 1 }, 2, 5, 2);
}

static void
test_list_filters(void **state)
{
	struct fixture		*fx = *state;
	struct incident_query	 q;
	long long		 id[6], pct, us;

	five(fx->db, id);
	act(fx->db, 2, INC_ACK, "bob", NULL, 0, T0 + 20);
	act(fx->db, 3, INC_TAKE, "carol", NULL, 0, T0 + 20);
	act(fx->db, 3, INC_MITIGATE, "carol", NULL, 0, T0 + 21);
	act(fx->db, 1, INC_RESOLVE, "bob", NULL, 0, T0 + 22);
	act(fx->db, 4, INC_ESCALATE, "erin", NULL, 0, T0 + 23);
	act(fx->db, 4, INC_ESCALATE, "erin", NULL, 0, T0 + 24);
	act(fx->db, 5, INC_ESCALATE, "erin", NULL, 0, T0 + 25);

	memset(&q, 0, sizeof q);
	q.statuses = 1u << INC_TRIGGERED;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 5, 4 }, 2, 2, 0);
	q.statuses = (1u << INC_ACKNOWLEDGED) | (1u << INC_MITIGATED);
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 2, 3 }, 2, 2, 0);
	q.statuses = 1u << INC_RESOLVED;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 1 }, 1, 1, 0);
	q.statuses = 0xf;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 5, 2, 4, 3, 1 }, 5, 5, 0);

	memset(&q, 0, sizeof q);
	q.severities = 1u << 1;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 5, 2, 4 }, 3, 3, 0);
	q.severities = (1u << 2) | (1u << 3);
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 3, 1 }, 2, 2, 0);
	q.severities = 1u << 4;
	check_list(fx->db, &q, T0 + 30, NULL, 0, 0, 0);
	q.severities = 1u << 1;
	q.statuses = (1u << INC_TRIGGERED) | (1u << INC_RESOLVED);
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 5, 4 }, 2, 2, 0);

	memset(&q, 0, sizeof q);
	q.level = 1;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 2, 3, 1 }, 3, 3, 0);
	q.level = 2;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 5 }, 1, 1, 0);
	q.level = 3;
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 4 }, 1, 1, 0);

	memset(&q, 0, sizeof q);
	q.assignee = "bob";
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 2 }, 1, 1, 0);
	q.assignee = "carol";
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 3 }, 1, 1, 0);
	q.assignee = "";
	check_list(fx->db, &q, T0 + 30, (const long long[]){ 5, 4, 1 }, 3, 3, 0);
	q.assignee = "nobody";
	check_list(fx->db, &q, T0 + 30, NULL, 0, 0, 0);

	/* Search: a substring, % and _ taken literally. */
	pct = open_inc(fx->db, 4, "Error rate 50% on checkout", T0 + 40);
	open_inc(fx->db, 4, "Error rate 50 on checkout", T0 + 41);
	us = open_inc(fx->db, 4, "queue a_b full", T0 + 42);
	open_inc(fx->db, 4, "queue axb full", T0 + 43);
	open_inc(fx->db, 4, "back\\slash", T0 + 44);
	memset(&q, 0, sizeof q);
	q.search = "50%";
	check_list(fx->db, &q, T0 + 50, (const long long[]){ pct }, 1, 1, 0);
	q.search = "a_b";
	check_list(fx->db, &q, T0 + 50, (const long long[]){ us }, 1, 1, 0);
	q.search = "%";
	check_list(fx->db, &q, T0 + 50, (const long long[]){ pct }, 1, 1, 0);
	q.search = "_";
	check_list(fx->db, &q, T0 + 50, (const long long[]){ us }, 1, 1, 0);
	q.search = "\\";
	check_list(fx->db, &q, T0 + 50, (const long long[]){ us + 2 }, 1, 1, 0);
	q.search = "queue";
	check_list(fx->db, &q, T0 + 50, (const long long[]){ us, us + 1 }, 2, 2, 0);
	q.search = "o";
	q.severities = 1u << 1;
	check_list(fx->db, &q, T0 + 50, (const long long[]){ 2, 4 }, 2, 2, 0);
	q.search = "";
	q.severities = 0;
	q.assignee = "";
	q.statuses = 1u << INC_TRIGGERED;
	q.level = 1;
	check_list(fx->db, &q, T0 + 50,
	    (const long long[]){ pct, pct + 1, us, us + 1, us + 2 }, 5, 5, 0);
}

static void
test_list_keyset(void **state)
{
	struct fixture		*fx = *state;
	struct incident_query	 q;
	long long		 id[6];

	five(fx->db, id);
	/* Severity order: 5 (1, T0+3), 2 (1, T0+10), 4 (1, T0+10), 3 (2, T0+5), 1 (3, T0). */
	memset(&q, 0, sizeof q);
	q.limit = 2;
	check_list(fx->db, &q, T0, (const long long[]){ 5, 2 }, 2, 5, 0);
	q.after = 1;
	q.cursor_id = 2;
	check_list(fx->db, &q, T0, (const long long[]){ 4, 3 }, 2, 5, 2);
	q.cursor_id = 3;
	check_list(fx->db, &q, T0, (const long long[]){ 1 }, 1, 5, 4);
	q.cursor_id = 1;
	check_list(fx->db, &q, T0, NULL, 0, 5, 0);

	/* Before: the rows just above the cursor, in display order. */
	memset(&q, 0, sizeof q);
	q.limit = 2;
	q.before = 1;
	q.cursor_id = 4;
	check_list(fx->db, &q, T0, (const long long[]){ 5, 2 }, 2, 5, 0);
	q.cursor_id = 1;
	check_list(fx->db, &q, T0, (const long long[]){ 4, 3 }, 2, 5, 2);
	q.cursor_id = 2;
	check_list(fx->db, &q, T0, (const long long[]){ 5 }, 1, 5, 0);
	q.cursor_id = 5;
	check_list(fx->db, &q, T0, NULL, 0, 5, 0);

	/* The last page. */
	memset(&q, 0, sizeof q);
	q.limit = 2;
	q.last = 1;
	check_list(fx->db, &q, T0, (const long long[]){ 3, 1 }, 2, 5, 3);
	q.limit = 10;
	check_list(fx->db, &q, T0, (const long long[]){ 5, 2, 4, 3, 1 }, 5, 5, 0);

	/* With a filter the position counts matching rows only. */
	memset(&q, 0, sizeof q);
	q.limit = 1;
	q.severities = 1u << 1;
	q.after = 1;
	q.cursor_id = 5;
	check_list(fx->db, &q, T0, (const long long[]){ 2 }, 1, 3, 1);

	/* By id, newest first: the cursor is the id. */
	memset(&q, 0, sizeof q);
	q.by_id = 1;
	q.limit = 2;
	check_list(fx->db, &q, T0, (const long long[]){ 5, 4 }, 2, 5, 0);
	q.after = 1;
	q.cursor_id = 4;
	check_list(fx->db, &q, T0, (const long long[]){ 3, 2 }, 2, 5, 2);
	q.cursor_id = 2;
	check_list(fx->db, &q, T0, (const long long[]){ 1 }, 1, 5, 4);
	q.after = 0;
	q.before = 1;
	q.cursor_id = 2;
	check_list(fx->db, &q, T0, (const long long[]){ 4, 3 }, 2, 5, 1);
	q.cursor_id = 4;
	check_list(fx->db, &q, T0, (const long long[]){ 5 }, 1, 5, 0);
	q.before = 0;
	q.last = 1;
	check_list(fx->db, &q, T0, (const long long[]){ 2, 1 }, 2, 5, 3);
}

/* Cursor fields from a row. */
static void
cursor_from(struct incident_query *q, const cJSON *row)
{
	q->cursor_id = num(row, "id");
}

/* Is a before b in q's display order? */
static int
in_order(const struct incident_query *q, const cJSON *a, const cJSON *b)
{
	int ra = strcmp(str(a, "status"), "resolved") == 0;
	int rb = strcmp(str(b, "status"), "resolved") == 0;

	if (q->by_id)
		return num(a, "id") > num(b, "id");
	if (ra != rb)
		return rb;
	if (num(a, "severity") != num(b, "severity"))
		return num(a, "severity") < num(b, "severity");
	if (num(a, "opened_at") != num(b, "opened_at"))
		return num(a, "opened_at") < num(b, "opened_at");
	return num(a, "id") < num(b, "id");
}

/*
 * Walks every page forward (after the last row of each page) and then backward from the
 * last page (before the first row of each): each matching row once, in order, with the
 * right offsets. Returns how many rows were seen.
 */
static int
walk(sqlite3 *db, struct incident_query *q, int limit, int nmax)
{
	unsigned char	*seen = calloc((size_t)nmax + 1, 1);
	const cJSON	*rows, *r, *prev;
	cJSON		*page, *last_row = NULL;
	long long	 total = -1, offset;
	int		 n = 0, k, pages = 0, id;

	assert_non_null(seen);
	q->limit = limit;
	q->after = q->before = q->last = 0;
	for (;;) {
		page = incident_list(db, &policy, q, T0 + 100000);
		rows = cJSON_GetObjectItemCaseSensitive(page, "incidents");
		k = cJSON_GetArraySize(rows);
		if (total < 0)
			total = num(page, "total");
		assert_int_equal(num(page, "total"), total);
		if (k == 0) {
			cJSON_Delete(page);
			break;
		}
		assert_true(k <= limit);
		assert_int_equal(num(page, "offset"), n);
		prev = last_row;
		cJSON_ArrayForEach(r, rows) {
			id = (int)num(r, "id");
			assert_true(id >= 1 && id <= nmax);
			assert_int_equal(seen[id], 0);
			seen[id] = 1;
			if (prev != NULL)
				assert_true(in_order(q, prev, r));
			prev = r;
			n++;
		}
		cJSON_Delete(last_row);
		last_row = cJSON_Duplicate(prev, 1);
		cJSON_Delete(page);
		cursor_from(q, last_row);
		q->after = 1;
		pages++;
		assert_true(pages <= nmax + 1);
	}
	cJSON_Delete(last_row);
	assert_int_equal(n, total);

	/* Backward from the last page. */
	q->after = 0;
	q->last = 1;
	offset = total;
	for (;;) {
		page = incident_list(db, &policy, q, T0 + 100000);
		rows = cJSON_GetObjectItemCaseSensitive(page, "incidents");
		k = cJSON_GetArraySize(rows);
		if (k == 0) {
			assert_int_equal(offset, 0);
			cJSON_Delete(page);
			break;
		}
		offset -= k;
		assert_int_equal(num(page, "offset"), offset);
		prev = NULL;
		cJSON_ArrayForEach(r, rows) {
			id = (int)num(r, "id");
			assert_int_equal(seen[id], 1);
			seen[id] = 2;
			if (prev != NULL)
				assert_true(in_order(q, prev, r));
			prev = r;
		}
		cursor_from(q, cJSON_GetArrayItem(rows, 0));
		q->last = 0;
		q->before = 1;
		cJSON_Delete(page);
	}
	for (id = 1; id <= nmax; id++)
		assert_true(seen[id] == 0 || seen[id] == 2);
	free(seen);
	return n;
}

static void
test_list_thousand(void **state)
{
	struct fixture		*fx = *state;
	struct incident_query	 q;
	char			*cause = NULL, title[64];
	long long		 id;
	int			 i, triggered_sev12 = 0, bob = 0;

	assert_int_equal(store_begin(fx->db, &cause), 0);
	for (i = 1; i <= 1000; i++) {
		snprintf(title, sizeof title, "incident %d", i);
		/* Many ties in (severity, opened_at): the id decides. */
		id = open_inc(fx->db, i % 4 + 1, title, T0 + (i * 7919) % 50);
		assert_int_equal(id, i);
		if (i % 3 == 0)
			act(fx->db, id, INC_ACK, i % 2 ? "bob" : "carol", NULL, 0, T0 + 60);
		else if (i % 7 == 0)
			act(fx->db, id, INC_RESOLVE, "bob", NULL, 0, T0 + 60);
		if (i % 3 != 0 && i % 7 != 0 && i % 4 + 1 <= 2)
			triggered_sev12++;
		if (i % 3 == 0 && i % 2)
			bob++;
	}
	assert_int_equal(store_commit(fx->db, &cause), 0);
	assert_null(cause);

	memset(&q, 0, sizeof q);
	assert_int_equal(walk(fx->db, &q, 37, 1000), 1000);
	memset(&q, 0, sizeof q);
	assert_int_equal(walk(fx->db, &q, 1000, 1000), 1000);
	memset(&q, 0, sizeof q);
	assert_int_equal(walk(fx->db, &q, 1, 1000), 1000);
	memset(&q, 0, sizeof q);
	q.by_id = 1;
	assert_int_equal(walk(fx->db, &q, 64, 1000), 1000);
	memset(&q, 0, sizeof q);
	q.statuses = 1u << INC_TRIGGERED;
	q.severities = (1u << 1) | (1u << 2);
	assert_int_equal(walk(fx->db, &q, 25, 1000), triggered_sev12);
	memset(&q, 0, sizeof q);
	q.assignee = "bob";
	q.by_id = 1;
	assert_int_equal(walk(fx->db, &q, 10, 1000), bob);
	memset(&q, 0, sizeof q);
	q.search = "incident 1";
	/* 1, 10-19, 100-199, 1000 */
	assert_int_equal(walk(fx->db, &q, 9, 1000), 1 + 10 + 100 + 1);
}

static void
test_counts(void **state)
{
	struct fixture	*fx = *state;
	const cJSON	*sev;
	long long	 a, b, c, d, e, f;
	cJSON		*o;
	int		 i;
	const int	 want[4] = { 2, 2, 0, 1 };

	o = incident_counts(fx->db, T0);
	sev = cJSON_GetObjectItemCaseSensitive(o, "open");
	assert_int_equal(cJSON_GetArraySize(sev), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(cJSON_GetArrayItem(sev, i)->valuedouble, 0);
	assert_int_equal(num(o, "overdue"), 0);
	cJSON_Delete(o);

	a = open_inc(fx->db, 1, "a", T0);		/* due T0 + 60 */
	b = open_inc(fx->db, 2, "b", T0);		/* due T0 + 300 */
	c = open_inc(fx->db, 2, "c", T0);		/* acknowledged */
	d = open_inc(fx->db, 3, "d", T0);		/* resolved */
	e = open_inc(fx->db, 4, "e", T0);		/* mitigated */
	f = open_inc(fx->db, 1, "f", T0);		/* snoozed */
	act(fx->db, c, INC_ACK, "bob", NULL, 0, T0 + 1);
	act(fx->db, d, INC_RESOLVE, "bob", NULL, 0, T0 + 1);
	act(fx->db, e, INC_MITIGATE, "bob", NULL, 0, T0 + 1);
	act(fx->db, f, INC_SNOOZE, "bob", "known", 3600, T0 + 1);
	(void)a;
	(void)b;

	o = incident_counts(fx->db, T0 + 59);
	sev = cJSON_GetObjectItemCaseSensitive(o, "open");
	for (i = 0; i < 4; i++)
		assert_int_equal(cJSON_GetArrayItem(sev, i)->valuedouble, want[i]);
	assert_int_equal(num(o, "overdue"), 0);
	cJSON_Delete(o);

	o = incident_counts(fx->db, T0 + 60);
	assert_int_equal(num(o, "overdue"), 1);
	cJSON_Delete(o);
	o = incident_counts(fx->db, T0 + 300);
	assert_int_equal(num(o, "overdue"), 2);
	cJSON_Delete(o);
	/* The snoozed one is overdue once its timer, restarted at the snooze end, runs out. */
	o = incident_counts(fx->db, T0 + 1 + 3600 + 60);
	assert_int_equal(num(o, "overdue"), 3);
	cJSON_Delete(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_table),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_open_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_dedup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mitigate_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snooze, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_escalate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_acknowledged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_activity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_snooze, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tick_snooze_acknowledged_restart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tick_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovered_fires_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_keyset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_thousand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
