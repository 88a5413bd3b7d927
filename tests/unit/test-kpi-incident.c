/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "backend/config.h"
#include "backend/kpi-incident.h"
#include "backend/store.h"

#include "store-fixture.h"

#define T0	((time_t)1700000000)

static const struct incident_policy policy = {
	.ack_s = { 60, 300, 3600, 14400 },
	.resolve_s = { 3600, 14400, 86400, 259200 },
	.ack_timeout_s = 600,
};

/* Files a crit breach of a KPI at severity sev; returns the incident and checks what. */
static long long
crit(sqlite3 *db, const char *name, int sev, long window, time_t now, const char *want)
{
	struct kpi_breach	 b = { .name = name, .title = name, .shown = "1.00 %",
				       .severity = sev, .snapshot = "{\"value\":1}" };
	const char		*what = NULL;
	char			*cause = NULL;
	long long		 id;

	id = kpi_incident_crit(db, &policy, &b, window, now, &what, &cause);
	if (cause != NULL)
		fprintf(stderr, "kpi_incident_crit: %s\n", cause);
	assert_null(cause);
	assert_true(id > 0);
	assert_string_equal(what, want);
	return id;
}

/* The KPI is ok again; returns the incident it was on (0: none) and whether it recovered. */
static long long
ok(sqlite3 *db, const char *name, time_t now, int *all)
{
	char		*cause = NULL;
	long long	 id;

	id = kpi_incident_ok(db, name, "ok again", "{\"value\":0}", now, all, &cause);
	assert_null(cause);
	assert_true(id >= 0);
	return id;
}

static long long
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	long long	 n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static long long
field(sqlite3 *db, long long id, const char *column)
{
	char		 sql[128];

	snprintf(sql, sizeof sql, "SELECT %s FROM incident WHERE id = %lld", column, id);
	return count(db, sql);
}

/* Breaches that start together are one incident; the worst impact sets its severity. */
static void
test_correlate(void **state)
{
	struct fixture	*fx = *state;
	long long	 id;
	int		 all;

	id = crit(fx->db, "errors", 2, 120, T0, "open");
	assert_int_equal(field(fx->db, id, "severity"), 2);
	assert_int_equal(crit(fx->db, "availability", 1, 120, T0 + 60, "joined"), id);
	assert_int_equal(crit(fx->db, "rate_limited", 3, 120, T0 + 90, "joined"), id);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM incident"), 1);
	/* Raised to SEV1 by the worse impact, never lowered by a milder one. */
	assert_int_equal(field(fx->db, id, "severity"), 1);
	assert_int_equal(field(fx->db, id, "ack_due"), T0 + 60 + 60);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM timeline WHERE kind = 'severity' "
	    "AND text LIKE 'severity SEV2 to SEV1 by leitstand: %'"), 1);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM incident_kpi"), 3);

	/* Recovered only once every KPI is ok; crit again undoes a KPI's recovery. */
	assert_int_equal(ok(fx->db, "errors", T0 + 200, &all), id);
	assert_int_equal(all, 0);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM timeline WHERE text = "
	    "'ok again; still crit: availability, rate_limited'"), 1);
	assert_int_equal(crit(fx->db, "errors", 2, 120, T0 + 210, "kpi"), id);
	assert_int_equal(ok(fx->db, "errors", T0 + 220, &all), id);
	assert_int_equal(ok(fx->db, "availability", T0 + 230, &all), id);
	assert_int_equal(all, 0);
	assert_int_equal(field(fx->db, id, "recovered"), 0);
	assert_int_equal(ok(fx->db, "rate_limited", T0 + 240, &all), id);
	assert_int_equal(all, 1);
	assert_int_equal(field(fx->db, id, "recovered"), 1);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM timeline WHERE kind = 'recovered' "
	    "AND text = 'ok again: resolve?'"), 1);
	/* A KPI that is on no incident recovers nothing. */
	assert_int_equal(ok(fx->db, "latency_p95", T0 + 250, &all), 0);
	/* Crit again after the recovery: the same incident, no longer recovered. */
	assert_int_equal(crit(fx->db, "availability", 1, 120, T0 + 260, "kpi"), id);
	assert_int_equal(field(fx->db, id, "recovered"), 0);
}

/* A KPI that gets worse while crit raises its incident's severity, never lowers it. */
static void
test_worse(void **state)
{
	struct fixture	*fx = *state;
	long long	 id;
	char		*cause = NULL;
	const char	*code = NULL;

	id = crit(fx->db, "errors", 3, 120, T0, "open");
	assert_int_equal(kpi_incident_worse(fx->db, &policy, "errors", 3, "same", T0 + 5, &cause),
	    0);
	assert_int_equal(kpi_incident_worse(fx->db, &policy, "latency_p95", 1, "not on it",
	    T0 + 5, &cause), 0);
	assert_int_equal(kpi_incident_worse(fx->db, &policy, "errors", 1, "Error rate 40.00 % is "
	    "above 25.00 %", T0 + 10, &cause), id);
	assert_null(cause);
	assert_int_equal(field(fx->db, id, "severity"), 1);
	assert_int_equal(kpi_incident_worse(fx->db, &policy, "errors", 2, "milder", T0 + 20,
	    &cause), 0);
	assert_int_equal(field(fx->db, id, "severity"), 1);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM timeline WHERE kind = 'severity'"), 1);

	/* Once a person set the severity, the daemon leaves it. */
	assert_int_equal(incident_set_severity(fx->db, &policy, id, 2, "alice", "contained",
	    T0 + 30, &code, &cause), 0);
	assert_int_equal(kpi_incident_worse(fx->db, &policy, "errors", 1, "worse", T0 + 40,
	    &cause), 0);
	assert_int_equal(field(fx->db, id, "severity"), 2);
}

/* Outside the window, with it off, or after a resolve: a new incident. */
static void
test_separate(void **state)
{
	struct fixture	*fx = *state;
	long long	 a, b, c, d;
	char		*cause = NULL;
	const char	*code = NULL;

	a = crit(fx->db, "errors", 2, 120, T0, "open");
	b = crit(fx->db, "latency_p95", 2, 120, T0 + 121, "open");
	assert_true(b != a);
	c = crit(fx->db, "tokens", 3, 0, T0 + 122, "open");
	assert_true(c != b);
	/* A manual incident is never joined. */
	assert_int_equal(sqlite3_exec(fx->db, "UPDATE incident SET source = 'manual'", NULL, NULL,
	    NULL), SQLITE_OK);
	d = crit(fx->db, "feedback", 3, 120, T0 + 123, "open");
	assert_true(d != c);
	/* Resolved: the KPI opens a new one. */
	assert_int_equal(incident_act(fx->db, &policy, d, INC_RESOLVE, "bob", NULL, 0, T0 + 130,
	    &code, &cause), 0);
	assert_true(crit(fx->db, "feedback", 3, 120, T0 + 140, "open") > d);
}

static void
test_set_severity(void **state)
{
	struct fixture	*fx = *state;
	long long	 id;
	char		*cause = NULL;
	const char	*code = NULL;

	id = crit(fx->db, "errors", 3, 120, T0, "open");
	assert_int_equal(field(fx->db, id, "ack_due"), T0 + 3600);
	assert_int_equal(incident_set_severity(fx->db, &policy, id, 1, "alice", "checkout down",
	    T0 + 10, &code, &cause), 0);
	assert_int_equal(field(fx->db, id, "severity"), 1);
	assert_int_equal(field(fx->db, id, "ack_due"), T0 + 10 + 60);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM timeline WHERE text = "
	    "'severity SEV3 to SEV1 by alice: checkout down'"), 1);

	assert_int_equal(incident_set_severity(fx->db, &policy, id, 1, "alice", NULL, T0 + 20,
	    &code, &cause), -1);
	assert_string_equal(code, "invalid_argument");
	free(cause);
	cause = NULL;
	assert_int_equal(incident_set_severity(fx->db, &policy, id, 5, "alice", NULL, T0 + 20,
	    &code, &cause), -1);
	assert_string_equal(code, "invalid_argument");
	free(cause);
	cause = NULL;
	assert_int_equal(incident_set_severity(fx->db, &policy, 99, 2, "alice", NULL, T0 + 20,
	    &code, &cause), -1);
	assert_string_equal(code, "not_found");
	free(cause);
	cause = NULL;
	/* Acknowledged: no acknowledge timer to restart. */
	assert_int_equal(incident_act(fx->db, &policy, id, INC_ACK, "bob", NULL, 0, T0 + 30,
	    &code, &cause), 0);
	assert_int_equal(incident_set_severity(fx->db, &policy, id, 4, "bob", NULL, T0 + 40,
	    &code, &cause), 0);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM incident WHERE ack_due IS NULL"), 1);
	assert_int_equal(incident_act(fx->db, &policy, id, INC_RESOLVE, "bob", NULL, 0, T0 + 50,
	    &code, &cause), 0);
	assert_int_equal(incident_set_severity(fx->db, &policy, id, 2, "bob", NULL, T0 + 60,
	    &code, &cause), -1);
	assert_string_equal(code, "conflict");
	free(cause);
}

static void
test_breach_severity(void **state)
{
	struct kpi_def	 d;
	char		*impact = NULL;

	(void)state;
	memset(&d, 0, sizeof d);
	d.name = (char *)"availability";
	d.title = (char *)"Availability";
	d.unit = (char *)"%";
	d.precision = 2;
	d.below = 1;
	d.sev1 = 90;
	assert_int_equal(kpi_breach_severity(&d, 95, 2, &impact), 2);
	assert_null(impact);
	assert_int_equal(kpi_breach_severity(&d, 85, 2, &impact), 1);
	assert_string_equal(impact, "Availability 85.00 % is below 90.00 % (kpi.availability.sev1)");
	free(impact);
	d.severity = 3;
	assert_int_equal(kpi_breach_severity(&d, 95, 2, &impact), 3);
	assert_null(impact);
	d.below = 0;
	d.sev1 = NAN;
	assert_int_equal(kpi_breach_severity(&d, 1e9, 2, &impact), 3);
	assert_null(impact);
	assert_int_equal(kpi_breach_severity(&d, NAN, 2, &impact), 3);
	assert_null(impact);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_correlate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_severity, setup, teardown),
		cmocka_unit_test(test_breach_severity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
