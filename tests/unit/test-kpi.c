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

#include <cjson/cJSON.h>

#include "backend/config.h"
#include "backend/kpi.h"

/* kpi_def holds char *, so the strings it points at must be writable. */
static char s_name[] = "errors";
static char s_title[] = "Error rate";
static char s_unit[] = "%";
static char s_kind[] = "query";
static char s_above[] = "above";
static char s_below[] = "below";

/* A base time far from 0 (0 means "never updated") and aligned to 10 s buckets. */
#define T0	1718452800

/* Fills a KPI definition: direction "above" or "below", thresholds (NAN: none), `for`. */
static void
def_make(struct kpi_def *d, int below, double warn, double crit, long long for_s)
{
	memset(d, 0, sizeof *d);
	d->name = s_name;
	d->enabled = 1;
	d->title = s_title;
	d->kind_name = s_kind;
	d->kind = KPI_QUERY;
	d->unit = s_unit;
	d->direction = below ? s_below : s_above;
	d->below = below;
	d->warn = warn;
	d->crit = crit;
	d->for_s = for_s;
	d->precision = 2;
}

/* Doubles compared in double precision (cmocka 1.1's float assertion casts to float). */
static void
assert_near(double got, double want, double eps)
{
	if (!(fabs(got - want) <= eps))
		fail_msg("got %.17g, want %.17g (within %g)", got, want, eps);
}

static const cJSON *
item(const cJSON *o, const char *key)
{
	const cJSON	*i;

	i = cJSON_GetObjectItemCaseSensitive(o, key);
	if (i == NULL)
		fail_msg("no \"%s\" in the KPI JSON", key);
	return i;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON	*i = item(o, key);

	assert_true(cJSON_IsNumber(i));
	return i->valuedouble;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON	*i = item(o, key);

	assert_true(cJSON_IsString(i));
	return i->valuestring;
}

static int
has(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key) != NULL;
}

static void
test_init(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, 2, 5, 30);
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(k.level, KPI_UNKNOWN);
	assert_int_equal(k.pending, KPI_UNKNOWN);
	assert_true(isnan(k.value));
	assert_int_equal(k.updated, 0);
	assert_int_equal(k.since, T0);
	assert_true(k.warn == 2 && k.crit == 5);
	assert_int_equal(kpi_level_for(&k, NAN), KPI_UNKNOWN);

	o = kpi_json(&k, T0 + 5);
	assert_string_equal(str(o, "name"), "errors");
	assert_string_equal(str(o, "title"), "Error rate");
	assert_string_equal(str(o, "unit"), "%");
	assert_string_equal(str(o, "kind"), "query");
	assert_string_equal(str(o, "direction"), "above");
	assert_true(num(o, "precision") == 2);
	assert_true(num(o, "warn") == 2);
	assert_true(num(o, "crit") == 5);
	assert_false(has(o, "query"));
	assert_true(cJSON_IsNull(item(o, "value")));
	assert_false(has(o, "updated"));
	assert_false(has(o, "age"));
	assert_string_equal(str(o, "state"), "unknown");
	assert_true(num(o, "since") == T0);
	assert_false(has(o, "pending"));
	assert_string_equal(str(o, "error"), "not measured yet");
	assert_false(has(o, "note"));
	cJSON_Delete(o);

	/* A bucket size of 0 or less is taken as 1 s. */
	kpi_clear(&k);
	kpi_init(&k, &d, 0, T0);
	assert_int_equal(k.bucket_s, 1);
	kpi_clear(&k);
	kpi_init(&k, &d, -5, T0);
	assert_int_equal(k.bucket_s, 1);
	kpi_clear(&k);
}

static void
test_level_names(void **state)
{
	(void)state;
	assert_string_equal(kpi_level_name(KPI_UNKNOWN), "unknown");
	assert_string_equal(kpi_level_name(KPI_OK), "ok");
	assert_string_equal(kpi_level_name(KPI_WARN), "warn");
	assert_string_equal(kpi_level_name(KPI_CRIT), "crit");
}

static void
test_first_value_ok(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, 2, 5, 60);
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_update(&k, 1.5, NULL, T0 + 10), 1);
	assert_int_equal(k.level, KPI_OK);
	assert_int_equal(k.since, T0 + 10);
	assert_null(k.error);
	assert_int_equal(kpi_update(&k, 1.0, NULL, T0 + 20), 0);
	assert_int_equal(k.since, T0 + 10);

	o = kpi_json(&k, T0 + 25);
	assert_true(num(o, "value") == 1.0);
	assert_true(num(o, "updated") == T0 + 20);
	assert_true(num(o, "age") == 5);
	assert_string_equal(str(o, "state"), "ok");
	assert_false(has(o, "error"));
	assert_false(has(o, "pending"));
	assert_false(has(o, "pending_left"));
	cJSON_Delete(o);
	kpi_clear(&k);
}

static void
test_breach_waits_for(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, 2, 5, 60);
	kpi_init(&k, &d, 10, T0);

	/* From unknown a breach waits its `for` as unknown: ok would claim what nobody knows. */
	assert_int_equal(kpi_update(&k, 3, NULL, T0), 0);
	assert_int_equal(k.level, KPI_UNKNOWN);
	assert_int_equal(k.pending, KPI_WARN);
	o = kpi_json(&k, T0 + 20);
	assert_string_equal(str(o, "state"), "unknown");
	assert_false(has(o, "error"));
	assert_string_equal(str(o, "pending"), "warn");
	assert_true(num(o, "pending_left") == 40);
	assert_true(num(o, "value") == 3);
	cJSON_Delete(o);

	assert_int_equal(kpi_update(&k, 3.5, NULL, T0 + 30), 0);
	assert_int_equal(k.level, KPI_UNKNOWN);
	assert_int_equal(kpi_update(&k, 3, NULL, T0 + 59), 0);
	assert_int_equal(k.level, KPI_UNKNOWN);
	o = kpi_json(&k, T0 + 59);
	assert_true(num(o, "pending_left") == 1);
	cJSON_Delete(o);

	/* `for` has passed. */
	assert_int_equal(kpi_update(&k, 3, NULL, T0 + 60), 1);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(k.since, T0 + 60);
	assert_int_equal(k.pending, KPI_UNKNOWN);
	o = kpi_json(&k, T0 + 61);
	assert_string_equal(str(o, "state"), "warn");
	assert_false(has(o, "pending"));
	assert_false(has(o, "pending_left"));
	cJSON_Delete(o);
	kpi_clear(&k);

	/* Straight to crit from unknown waits too. */
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_update(&k, 9, NULL, T0), 0);
	assert_int_equal(k.level, KPI_UNKNOWN);
	assert_int_equal(k.pending, KPI_CRIT);
	assert_int_equal(kpi_update(&k, 9, NULL, T0 + 60), 1);
	assert_int_equal(k.level, KPI_CRIT);
	kpi_clear(&k);

	/* A pending breach from unknown that clears is ok at once. */
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_update(&k, 9, NULL, T0), 0);
	assert_int_equal(kpi_update(&k, 1, NULL, T0 + 10), 1);
	assert_int_equal(k.level, KPI_OK);
	assert_int_equal(k.pending, KPI_UNKNOWN);
	kpi_clear(&k);
}

static void
test_for_zero_immediate(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, 2, 5, 0);
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_update(&k, 3, NULL, T0), 1);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(k.pending, KPI_UNKNOWN);
	assert_int_equal(kpi_update(&k, 6, NULL, T0 + 1), 1);
	assert_int_equal(k.level, KPI_CRIT);
	o = kpi_json(&k, T0 + 1);
	assert_false(has(o, "pending"));
	cJSON_Delete(o);
	kpi_clear(&k);

	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_update(&k, 6, NULL, T0), 1);
	assert_int_equal(k.level, KPI_CRIT);
	kpi_clear(&k);
}

static void
test_escalation_and_recovery(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, 2, 5, 60);
	kpi_init(&k, &d, 10, T0);
	kpi_update(&k, 3, NULL, T0);
	kpi_update(&k, 3, NULL, T0 + 60);
	assert_int_equal(k.level, KPI_WARN);

	/* warn -> crit waits `for` again, counted from the first crit value. */
	assert_int_equal(kpi_update(&k, 6, NULL, T0 + 100), 0);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(k.pending, KPI_CRIT);
	o = kpi_json(&k, T0 + 130);
	assert_string_equal(str(o, "state"), "warn");
	assert_string_equal(str(o, "pending"), "crit");
	assert_true(num(o, "pending_left") == 30);
	cJSON_Delete(o);
	assert_int_equal(kpi_update(&k, 7, NULL, T0 + 159), 0);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(kpi_update(&k, 7, NULL, T0 + 160), 1);
	assert_int_equal(k.level, KPI_CRIT);
	assert_int_equal(k.since, T0 + 160);

	/* Recovery is immediate, one level or all the way. */
	assert_int_equal(kpi_update(&k, 3, NULL, T0 + 170), 1);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(k.since, T0 + 170);
	assert_int_equal(kpi_update(&k, 1, NULL, T0 + 180), 1);
	assert_int_equal(k.level, KPI_OK);
	assert_int_equal(k.pending, KPI_UNKNOWN);

	kpi_update(&k, 9, NULL, T0 + 200);
	kpi_update(&k, 9, NULL, T0 + 260);
	assert_int_equal(k.level, KPI_CRIT);
	assert_int_equal(kpi_update(&k, 0.5, NULL, T0 + 270), 1);
	assert_int_equal(k.level, KPI_OK);
	kpi_clear(&k);
}

static void
test_hysteresis_above(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;

	(void)state;
	def_make(&d, 0, 2, 5, 0);
	kpi_init(&k, &d, 10, T0);

	/* The threshold itself is not a breach: it must be exceeded. */
	assert_int_equal(kpi_update(&k, 2.0, NULL, T0), 1);
	assert_int_equal(k.level, KPI_OK);
	assert_int_equal(kpi_level_for(&k, 5.0), KPI_WARN);
	assert_int_equal(kpi_level_for(&k, 2.001), KPI_WARN);

	assert_int_equal(kpi_update(&k, 5.01, NULL, T0 + 1), 1);
	assert_int_equal(k.level, KPI_CRIT);
	/* The margin is 2 % of the gap between warn and crit (0.06): 4.95 stays crit. */
	assert_int_equal(kpi_update(&k, 4.95, NULL, T0 + 2), 0);
	assert_int_equal(k.level, KPI_CRIT);
	assert_int_equal(kpi_update(&k, 4.941, NULL, T0 + 3), 0);
	assert_int_equal(k.level, KPI_CRIT);
	assert_int_equal(kpi_update(&k, 4.93, NULL, T0 + 4), 1);
	assert_int_equal(k.level, KPI_WARN);

	/* Leaving warn takes the same margin (2 - 0.06). */
	assert_int_equal(kpi_update(&k, 2.0, NULL, T0 + 5), 0);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(kpi_update(&k, 1.95, NULL, T0 + 6), 0);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(kpi_update(&k, 1.93, NULL, T0 + 7), 1);
	assert_int_equal(k.level, KPI_OK);

	/* Entering crit from warn takes the threshold itself, no margin. */
	kpi_update(&k, 3, NULL, T0 + 8);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(kpi_update(&k, 5.0, NULL, T0 + 9), 0);
	assert_int_equal(k.level, KPI_WARN);
	kpi_clear(&k);
}

static void
test_hysteresis_below(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;

	(void)state;
	def_make(&d, 1, 99.5, 99, 0);
	kpi_init(&k, &d, 10, T0);

	assert_int_equal(kpi_update(&k, 100, NULL, T0), 1);
	assert_int_equal(k.level, KPI_OK);
	/* Exactly at a threshold is not a breach. */
	assert_int_equal(kpi_update(&k, 99.5, NULL, T0 + 1), 0);
	assert_int_equal(k.level, KPI_OK);
	assert_int_equal(kpi_level_for(&k, 99.0), KPI_WARN);
	assert_int_equal(kpi_level_for(&k, 99.49), KPI_WARN);
	assert_int_equal(kpi_level_for(&k, 98.99), KPI_CRIT);

	assert_int_equal(kpi_update(&k, 99.2, NULL, T0 + 2), 1);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(kpi_update(&k, 98.9, NULL, T0 + 3), 1);
	assert_int_equal(k.level, KPI_CRIT);
	/* Just back over crit, within the margin (2 % of 0.5): stays crit. */
	assert_int_equal(kpi_update(&k, 99.005, NULL, T0 + 4), 0);
	assert_int_equal(k.level, KPI_CRIT);
	assert_int_equal(kpi_update(&k, 99.05, NULL, T0 + 5), 1);
	assert_int_equal(k.level, KPI_WARN);
	kpi_clear(&k);
}

/*
 * Regression (fixed): kpi_level_for took the hysteresis margin as 2 % of the threshold's value. For
 * availability (direction below, warn 99.5, crit 99, the built-in [kpi.availability]) that
 * is 1.98 and 1.99 points: leaving crit needs a value above 100.98 and leaving warn one
 * above 101.49, which a percentage never reaches. Once availability breaches it stays crit
 * (or warn) for good, even at 100 %.
 */
static void
test_hysteresis_below_recovers(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;

	(void)state;
	def_make(&d, 1, 99.5, 99, 0);
	kpi_init(&k, &d, 10, T0);
	kpi_update(&k, 98.9, NULL, T0);
	assert_int_equal(k.level, KPI_CRIT);
	kpi_update(&k, 100.0, NULL, T0 + 10);
	assert_string_equal(kpi_level_name(k.level), "ok");
	kpi_clear(&k);
}

static void
test_nan_unknown(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, 2, 5, 60);
	kpi_init(&k, &d, 10, T0);
	kpi_update(&k, 3, NULL, T0);
	kpi_update(&k, 3, NULL, T0 + 60);
	assert_int_equal(k.level, KPI_WARN);

	/* Unknown at once, whatever `for` says; the last value and its time stay. */
	assert_int_equal(kpi_update(&k, NAN, "prometheus: connection refused", T0 + 70),
	    1);
	assert_int_equal(k.level, KPI_UNKNOWN);
	assert_int_equal(k.since, T0 + 70);
	assert_string_equal(k.error, "prometheus: connection refused");
	assert_true(k.value == 3);
	assert_int_equal(k.updated, T0 + 60);
	o = kpi_json(&k, T0 + 75);
	assert_string_equal(str(o, "state"), "unknown");
	assert_string_equal(str(o, "error"), "prometheus: connection refused");
	assert_true(num(o, "value") == 3);
	assert_true(num(o, "updated") == T0 + 60);
	assert_true(num(o, "age") == 15);
	assert_false(has(o, "pending"));
	cJSON_Delete(o);

	/* Still unknown: no change; NULL error gives a default text. */
	assert_int_equal(kpi_update(&k, NAN, NULL, T0 + 80), 0);
	assert_string_equal(k.error, "no value");

	/* A value clears the error; a breach after an outage waits `for` again, unknown. */
	assert_int_equal(kpi_update(&k, 3, NULL, T0 + 90), 0);
	assert_int_equal(k.level, KPI_UNKNOWN);
	assert_int_equal(k.pending, KPI_WARN);
	assert_null(k.error);
	kpi_clear(&k);

	/* NaN during a pending breach drops the pending breach. */
	kpi_init(&k, &d, 10, T0);
	kpi_update(&k, 3, NULL, T0);
	assert_int_equal(k.pending, KPI_WARN);
	kpi_update(&k, NAN, "timeout", T0 + 30);
	assert_int_equal(k.pending, KPI_UNKNOWN);
	kpi_update(&k, 3, NULL, T0 + 60);
	assert_int_equal(k.level, KPI_UNKNOWN);
	assert_int_equal(k.pending_since, T0 + 60);
	kpi_clear(&k);
}

static void
test_pending_reset(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, 2, 5, 60);
	kpi_init(&k, &d, 10, T0);
	kpi_update(&k, 3, NULL, T0);
	assert_int_equal(k.pending, KPI_WARN);
	/* A good value interrupts the breach. */
	assert_int_equal(kpi_update(&k, 1, NULL, T0 + 30), 1);
	assert_int_equal(k.level, KPI_OK);
	assert_int_equal(k.pending, KPI_UNKNOWN);
	o = kpi_json(&k, T0 + 30);
	assert_false(has(o, "pending"));
	cJSON_Delete(o);

	/* The next breach waits the full `for` from its own start. */
	kpi_update(&k, 3, NULL, T0 + 40);
	assert_int_equal(kpi_update(&k, 3, NULL, T0 + 60), 0);
	assert_int_equal(kpi_update(&k, 3, NULL, T0 + 99), 0);
	assert_int_equal(k.level, KPI_OK);
	o = kpi_json(&k, T0 + 99);
	assert_true(num(o, "pending_left") == 1);
	cJSON_Delete(o);
	assert_int_equal(kpi_update(&k, 3, NULL, T0 + 100), 1);
	assert_int_equal(k.level, KPI_WARN);

	/* The same at warn with crit pending. */
	kpi_update(&k, 6, NULL, T0 + 110);
	assert_int_equal(k.pending, KPI_CRIT);
	kpi_update(&k, 3, NULL, T0 + 140);
	assert_int_equal(k.pending, KPI_UNKNOWN);
	kpi_update(&k, 6, NULL, T0 + 150);
	assert_int_equal(kpi_update(&k, 6, NULL, T0 + 200), 0);
	assert_int_equal(k.level, KPI_WARN);
	assert_int_equal(kpi_update(&k, 6, NULL, T0 + 210), 1);
	assert_int_equal(k.level, KPI_CRIT);
	kpi_clear(&k);
}

/*
 * Regression (fixed): kpi_update restarted the `for` clock whenever the pending level changes. A value that
 * moves between the warn and crit bands (above warn all the time) therefore never becomes
 * warn: each switch warn <-> crit resets pending_since.
 */
static void
test_pending_band_switch(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	int		 t;

	(void)state;
	def_make(&d, 0, 2, 5, 60);
	kpi_init(&k, &d, 10, T0);
	for (t = 0; t <= 300; t += 30)
		kpi_update(&k, (t / 30) % 2 ? 6 : 3, NULL, T0 + t);
	assert_string_equal(kpi_level_name(k.level), "warn");
	kpi_clear(&k);
}

static void
test_infinity(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o, *back;
	char		*text;

	(void)state;
	def_make(&d, 0, 2, 5, 0);
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_level_for(&k, INFINITY), KPI_CRIT);
	assert_int_equal(kpi_level_for(&k, -INFINITY), KPI_OK);
	assert_int_equal(kpi_update(&k, INFINITY, NULL, T0), 1);
	assert_int_equal(k.level, KPI_CRIT);
	assert_null(k.error);

	/*
	 * JSON has no infinity: "value" is null while the state says crit. That is the
	 * sane choice (a string or a huge number would lie about the type or the value);
	 * the text must still be valid JSON.
	 */
	o = kpi_json(&k, T0 + 1);
	assert_true(cJSON_IsNull(item(o, "value")));
	assert_string_equal(str(o, "state"), "crit");
	text = cJSON_PrintUnformatted(o);
	assert_non_null(text);
	assert_null(strstr(text, "inf"));
	assert_null(strstr(text, "nan"));
	back = cJSON_Parse(text);
	assert_non_null(back);
	cJSON_Delete(back);
	cJSON_free(text);
	cJSON_Delete(o);
	kpi_clear(&k);

	/* Direction below: -Inf is beyond both thresholds. */
	def_make(&d, 1, 99.5, 99, 0);
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_level_for(&k, -INFINITY), KPI_CRIT);
	assert_int_equal(kpi_level_for(&k, INFINITY), KPI_OK);
	kpi_clear(&k);
}

static void
test_no_thresholds(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, NAN, NAN, 0);
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_update(&k, 1e12, NULL, T0), 1);
	assert_int_equal(k.level, KPI_OK);
	assert_int_equal(kpi_update(&k, -1e12, NULL, T0 + 1), 0);
	assert_int_equal(kpi_update(&k, 0, NULL, T0 + 2), 0);
	assert_int_equal(k.level, KPI_OK);
	assert_int_equal(kpi_level_for(&k, INFINITY), KPI_OK);
	o = kpi_json(&k, T0 + 2);
	assert_false(has(o, "warn"));
	assert_false(has(o, "crit"));
	assert_string_equal(str(o, "state"), "ok");
	cJSON_Delete(o);
	kpi_clear(&k);

	def_make(&d, 1, NAN, NAN, 0);
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_update(&k, -1e12, NULL, T0), 1);
	assert_int_equal(k.level, KPI_OK);
	kpi_clear(&k);

	/* Only crit set: warn never fires. */
	def_make(&d, 0, NAN, 5, 0);
	kpi_init(&k, &d, 10, T0);
	kpi_update(&k, 4.9, NULL, T0);
	assert_int_equal(k.level, KPI_OK);
	kpi_update(&k, 5.1, NULL, T0 + 1);
	assert_int_equal(k.level, KPI_CRIT);
	kpi_update(&k, 4.5, NULL, T0 + 2);
	assert_int_equal(k.level, KPI_OK);
	kpi_clear(&k);
}

static void
test_return_value(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;

	(void)state;
	def_make(&d, 0, 2, 5, 0);
	kpi_init(&k, &d, 10, T0);
	assert_int_equal(kpi_update(&k, NAN, "down", T0), 0);	/* unknown -> unknown */
	assert_int_equal(kpi_update(&k, 1, NULL, T0 + 1), 1);	/* -> ok */
	assert_int_equal(kpi_update(&k, 1.5, NULL, T0 + 2), 0);
	assert_int_equal(kpi_update(&k, 3, NULL, T0 + 3), 1);	/* -> warn */
	assert_int_equal(kpi_update(&k, 4, NULL, T0 + 4), 0);
	assert_int_equal(kpi_update(&k, 6, NULL, T0 + 5), 1);	/* -> crit */
	assert_int_equal(kpi_update(&k, 60, NULL, T0 + 6), 0);
	assert_int_equal(kpi_update(&k, INFINITY, NULL, T0 + 7), 0);
	assert_int_equal(kpi_update(&k, NAN, NULL, T0 + 8), 1);	/* -> unknown */
	assert_int_equal(kpi_update(&k, NAN, NULL, T0 + 9), 0);
	assert_int_equal(kpi_update(&k, 6, NULL, T0 + 10), 1);	/* -> crit */
	assert_int_equal(kpi_update(&k, 1, NULL, T0 + 11), 1);	/* -> ok */
	kpi_clear(&k);
}

/* Checks the "history" array: want[i] NAN means null. */
static void
check_history(const cJSON *o, const double *want)
{
	const cJSON	*h = item(o, "history"), *e;
	int		 i;

	assert_true(cJSON_IsArray(h));
	assert_int_equal(cJSON_GetArraySize(h), KPI_HISTORY);
	for (i = 0; i < KPI_HISTORY; i++) {
		e = cJSON_GetArrayItem(h, i);
		if (isnan(want[i])) {
			if (!cJSON_IsNull(e))
				fail_msg("history[%d]: want null", i);
		} else {
			if (!cJSON_IsNumber(e))
				fail_msg("history[%d]: want %g, not a number", i, want[i]);
			assert_near(e->valuedouble, want[i], 1e-9);
		}
	}
}

static void
test_history(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	double		 want[KPI_HISTORY];
	cJSON		*o;
	int		 i;

	(void)state;
	def_make(&d, 0, 2, 5, 0);
	kpi_init(&k, &d, 10, T0);
	for (i = 0; i < KPI_HISTORY; i++)
		want[i] = NAN;

	o = kpi_json(&k, T0);
	assert_true(num(o, "history_step") == 10);
	check_history(o, want);
	cJSON_Delete(o);

	/* In time order: one bucket too old, the oldest shown, two recent ones. */
	kpi_history_add(&k, 100, T0 - 60 * 10);
	kpi_history_add(&k, 7, T0 - 59 * 10 + 9);
	kpi_history_add(&k, 5, T0 - 10);
	kpi_history_add(&k, 1, T0);
	kpi_history_add(&k, 3, T0 + 9);
	kpi_history_add(&k, NAN, T0 + 5);
	kpi_history_add(&k, INFINITY, T0 + 5);
	kpi_history_add(&k, -INFINITY, T0 + 5);
	/* The state is not touched. */
	assert_int_equal(k.level, KPI_UNKNOWN);
	assert_int_equal(k.updated, 0);

	want[0] = 7;
	want[58] = 5;
	want[59] = 2;
	o = kpi_json(&k, T0 + 9);
	check_history(o, want);
	cJSON_Delete(o);

	/* kpi_update adds its value to the current bucket. */
	kpi_update(&k, 8, NULL, T0 + 5);
	want[59] = 4;
	o = kpi_json(&k, T0 + 5);
	check_history(o, want);
	cJSON_Delete(o);

	/* Time moves on: buckets scroll left and drop off after KPI_HISTORY. */
	for (i = 0; i < KPI_HISTORY; i++)
		want[i] = NAN;
	want[57] = 5;
	want[58] = 4;
	o = kpi_json(&k, T0 + 10);
	check_history(o, want);
	cJSON_Delete(o);
	want[57] = want[58] = NAN;
	for (i = 0; i < KPI_HISTORY; i++)
		want[i] = NAN;
	want[0] = 4;
	o = kpi_json(&k, T0 + 59 * 10);
	check_history(o, want);
	cJSON_Delete(o);
	want[0] = NAN;
	o = kpi_json(&k, T0 + 60 * 10);
	check_history(o, want);
	cJSON_Delete(o);
	kpi_clear(&k);
}

static void
test_history_wraps(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	double		 want[KPI_HISTORY];
	cJSON		*o;
	int		 i;

	(void)state;
	def_make(&d, 0, NAN, NAN, 0);
	kpi_init(&k, &d, 60, T0);
	/* Two and a half rounds of the ring, one sample per bucket: value = bucket number. */
	for (i = 0; i < 150; i++)
		kpi_history_add(&k, i, T0 + (time_t)i * 60);
	for (i = 0; i < KPI_HISTORY; i++)
		want[i] = 90 + i;
	o = kpi_json(&k, T0 + 149 * 60 + 30);
	assert_true(num(o, "history_step") == 60);
	check_history(o, want);
	cJSON_Delete(o);

	/* A sample in a reused slot replaces the old bucket instead of averaging with it. */
	kpi_history_add(&k, 1000, T0 + 150 * 60);
	want[KPI_HISTORY - 1] = 1000;
	for (i = 0; i < KPI_HISTORY - 1; i++)
		want[i] = 91 + i;
	o = kpi_json(&k, T0 + 150 * 60);
	check_history(o, want);
	cJSON_Delete(o);
	kpi_clear(&k);
}

/*
 * Regression (fixed): kpi_history_add reset a ring slot for any other bucket, older ones too. A sample more
 * than KPI_HISTORY buckets old wipes the newest bucket that shares its slot. The poller's
 * history fill (poller.c history_done) queries from now - prometheus.history, i.e. bucket
 * last-60, the slot of the current bucket, and it may land after live updates.
 */
static void
test_history_old_sample(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	const cJSON	*e;
	cJSON		*o;
	double		 last;

	(void)state;
	def_make(&d, 0, NAN, NAN, 0);
	kpi_init(&k, &d, 10, T0);
	kpi_history_add(&k, 5, T0);
	kpi_history_add(&k, 1, T0 - KPI_HISTORY * 10);
	o = kpi_json(&k, T0);
	e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "history"),
	    KPI_HISTORY - 1);
	last = cJSON_IsNumber(e) ? e->valuedouble : NAN;
	/* Freed before asserting: a failure must not leak under ASan. */
	cJSON_Delete(o);
	kpi_clear(&k);
	if (isnan(last))
		fail_msg("history[59] is null: the newest bucket was wiped");
	assert_near(last, 5, 1e-9);
}

static void
test_threshold_override(void **state)
{
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	/* The poller sets the forecast's thresholds from the budget after kpi_init. */
	def_make(&d, 0, NAN, NAN, 0);
	kpi_init(&k, &d, 10, T0);
	k.warn = 4500;
	k.crit = 5000;
	kpi_update(&k, 4600, NULL, T0);
	assert_int_equal(k.level, KPI_WARN);
	kpi_update(&k, 5200, NULL, T0 + 1);
	assert_int_equal(k.level, KPI_CRIT);
	kpi_update(&k, 4995, NULL, T0 + 2);
	assert_int_equal(k.level, KPI_CRIT);	/* within 2 % of the 500 between them */
	o = kpi_json(&k, T0 + 2);
	assert_true(num(o, "warn") == 4500);
	assert_true(num(o, "crit") == 5000);
	cJSON_Delete(o);
	kpi_clear(&k);
}

static void
test_note_and_query(void **state)
{
	static char	 query[] = "sum(rate(x[1m]))";
	struct kpi_def	 d;
	struct kpi	 k;
	cJSON		*o;

	(void)state;
	def_make(&d, 0, 2, 5, 0);
	d.query = query;
	kpi_init(&k, &d, 10, T0);
	k.note = strdup("no price for llama-3");
	assert_non_null(k.note);
	o = kpi_json(&k, T0);
	assert_string_equal(str(o, "query"), "sum(rate(x[1m]))");
	assert_string_equal(str(o, "note"), "no price for llama-3");
	cJSON_Delete(o);
	kpi_clear(&k);
	assert_null(k.note);
	assert_null(k.error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_level_names),
		cmocka_unit_test(test_first_value_ok),
		cmocka_unit_test(test_breach_waits_for),
		cmocka_unit_test(test_for_zero_immediate),
		cmocka_unit_test(test_escalation_and_recovery),
		cmocka_unit_test(test_hysteresis_above),
		cmocka_unit_test(test_hysteresis_below),
		cmocka_unit_test(test_hysteresis_below_recovers),
		cmocka_unit_test(test_nan_unknown),
		cmocka_unit_test(test_pending_reset),
		cmocka_unit_test(test_pending_band_switch),
		cmocka_unit_test(test_infinity),
		cmocka_unit_test(test_no_thresholds),
		cmocka_unit_test(test_return_value),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_history_wraps),
		cmocka_unit_test(test_history_old_sample),
		cmocka_unit_test(test_threshold_override),
		cmocka_unit_test(test_note_and_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
