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

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/cost.h"
#include "backend/prom.h"

#define DAY	86400L
#define HOUR	3600L

/* Fixed times (see date -d ... +%s). */
#define UTC_JUN15_1200		1718452800	/* 2024-06-15 12:00:00 UTC */
#define UTC_JUN15_123456	1718454896	/* 2024-06-15 12:34:56 UTC */
#define UTC_JUN30_1800		1719770400	/* 2024-06-30 18:00:00 UTC */
#define UTC_JUN01_0000		1717200000	/* 2024-06-01 00:00:00 UTC */
#define UTC_JUL01_0000		1719792000	/* 2024-07-01 00:00:00 UTC */
#define UTC_DEC31_1200		1735646400	/* 2024-12-31 12:00:00 UTC */
#define UTC_FEB15_0000		1707955200	/* 2024-02-15 00:00:00 UTC, leap */
#define BER_JAN15_1200		1705316400	/* 2024-01-15 12:00 CET */
#define BER_MAR15_1200		1710500400	/* 2024-03-15 12:00 CET */
#define BER_MAR31_0130		1711845000	/* 2024-03-31 01:30 CET (before DST) */
#define BER_MAR31_1200		1711879200	/* 2024-03-31 12:00 CEST, after it */
#define BER_OCT15_1200		1728986400	/* 2024-10-15 12:00 CEST */

/* Where cost_of must write NULL: a note pointer set to it beforehand must change. */
static char unset[] = "unset";

/* A vector sample: requested model, token type (NULL: no such label), value as Prometheus
   writes it, and the answering model (NULL: no such label). */
struct row {
	const char	*model;
	const char	*type;
	const char	*value;
	const char	*response;
};

/* The built-in config's labels, as the collector dialect spells them. */
static const char *const model_labels[] = { "gen_ai_response_model", "gen_ai_request_model" };
#define COST_OF(cfg, r, note) cost_of((cfg), (r), model_labels, 2, "gen_ai_token_type", (note))

/* Doubles compared in double precision (cmocka 1.1's float assertion casts to float). */
static void
assert_near(double got, double want, double eps)
{
	if (!(fabs(got - want) <= eps))
		fail_msg("got %.17g, want %.17g (within %g)", got, want, eps);
}

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Skips the test when the zone's rules are not installed (the zone would act as UTC). */
static void
need_berlin(void)
{
	struct tm	 tm;
	time_t		 t = BER_JAN15_1200;

	set_tz("Europe/Berlin");
	localtime_r(&t, &tm);
	if (tm.tm_hour != 12 || tm.tm_gmtoff != HOUR)
		skip();
}

/* Builds an instant-vector response body from rows and parses it. */
static void
parse_rows(const struct row *rows, size_t n, struct prom_response *r)
{
	struct buf	 b;
	char		*cause = NULL;
	size_t		 i;
	int		 rc;

	buf_init(&b);
	buf_printf(&b, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[");
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s{\"metric\":{\"__name__\":\"gen_ai_client_token_usage_sum\"",
		    i > 0 ? "," : "");
		if (rows[i].model != NULL)
			buf_printf(&b, ",\"gen_ai_request_model\":\"%s\"", rows[i].model);
		if (rows[i].type != NULL)
			buf_printf(&b, ",\"gen_ai_token_type\":\"%s\"", rows[i].type);
		if (rows[i].response != NULL)
			buf_printf(&b, ",\"gen_ai_response_model\":\"%s\"", rows[i].response);
		buf_printf(&b, "},\"value\":[1718452800,\"%s\"]}", rows[i].value);
	}
	buf_printf(&b, "]}}");
	rc = prom_parse(b.data, b.len, r, &cause);
	if (rc != 0)
		fail_msg("prom_parse: %s", cause);
	assert_int_equal(r->nseries, n);
	buf_free(&b);
}

/* cost_of over rows with the built-in config; *note as cost_of leaves it (caller frees). */
static double
cost_rows(void **state, const struct row *rows, size_t n, char **note)
{
	struct prom_response	 r;
	double			 v;

	parse_rows(rows, n, &r);
	v = COST_OF(*state, &r, note);
	prom_response_free(&r);
	return v;
}

static int
setup(void **state)
{
	struct config	*cfg;
	char		*cause = NULL;

	cfg = calloc(1, sizeof *cfg);
	if (cfg == NULL)
		return -1;
	if (config_load(cfg, NULL, &cause) != 0) {
		print_error("config_load: %s\n", cause);
		free(cause);
		free(cfg);
		return -1;
	}
	*state = cfg;
	return 0;
}

static int
teardown(void **state)
{
	config_free(*state);
	free(*state);
	unsetenv("TZ");
	tzset();
	return 0;
}

static void
test_defaults(void **state)
{
	const struct config	*cfg = *state;
	const struct price_def	*pr;

	assert_string_equal(cfg->model_label, "${response_model}, ${request_model}");
	assert_string_equal(cfg->type_label, "${token_type}");
	pr = config_price(cfg, "gpt-4o-2024-08-06");
	assert_non_null(pr);
	assert_near(pr->input, 2.50, 1e-12);
	assert_near(pr->output, 10.00, 1e-12);
	pr = config_price(cfg, "gpt-4o-mini-2024-07-18");
	assert_non_null(pr);
	assert_near(pr->input, 0.15, 1e-12);
	assert_near(pr->output, 0.60, 1e-12);
	assert_null(config_price(cfg, "llama-3"));
}

static void
test_priced(void **state)
{
	static const struct row rows[] = {
		{ "gpt-4o-2024-08-06", "input", "1000000", NULL },
		{ "gpt-4o-2024-08-06", "output", "500000", NULL },
		{ "gpt-4o-mini-2024-07-18", "prompt", "2e6", NULL },
		{ "gpt-4o-mini-2024-07-18", "completion", "1000000", NULL },
		{ "gpt-4o-2024-11-20", "input", "0", NULL },
	};
	char	*note = unset;

	/* 2.50 + 5.00 + 0.30 + 0.60 + 0 */
	assert_near(cost_rows(state, rows, 5, &note), 8.40, 1e-9);
	assert_null(note);

	/* One series alone. */
	note = unset;
	assert_near(cost_rows(state, &rows[1], 1, &note), 5.0, 1e-12);
	assert_null(note);
	assert_near(cost_rows(state, &rows[2], 1, &note), 0.30, 1e-12);
	assert_null(note);
}

static void
test_unpriced(void **state)
{
	static const struct row rows[] = {
		{ "gpt-4o-2024-08-06", "input", "1000000", NULL },
		{ "llama-3", "input", "1000", NULL },
		{ "llama-3", "output", "2000", NULL },
		{ "claude-x", "output", "5", NULL },
		{ "llama-3", "prompt", "7", NULL },
	};
	static const struct row zero[] = {
		{ "gpt-4o-2024-08-06", "output", "100000", NULL },
		{ "mistral", "input", "0", NULL },
	};
	char	*note = NULL;

	assert_near(cost_rows(state, rows, 2, &note), 2.50, 1e-12);
	assert_non_null(note);
	assert_string_equal(note, "no price for llama-3 (0.1 % of tokens)");
	free(note);

	/* Named once even if it appears for input and output. */
	assert_near(cost_rows(state, rows, 3, &note), 2.50, 1e-12);
	assert_string_equal(note, "no price for llama-3 (0.3 % of tokens)");
	free(note);

	assert_near(cost_rows(state, rows, 5, &note), 2.50, 1e-12);
	assert_string_equal(note, "no price for llama-3 (0.3 % of tokens), claude-x (0.0 % of tokens)");
	free(note);

	/* Only unpriced models: nothing to sum. */
	assert_near(cost_rows(state, &rows[1], 2, &note), 0, 0);
	assert_string_equal(note, "no price for llama-3 (100.0 % of tokens)");
	free(note);

	/* An unpriced model that used no tokens costs nothing and is not named. */
	assert_near(cost_rows(state, zero, 2, &note), 1.0, 1e-12);
	assert_null(note);
}

/*
 * Regression (fixed): cost_of checked whether a model is named already with strstr, so a model whose name is
 * part of one named before (or of ", ") is left out of the note.
 */
static void
test_unpriced_substring(void **state)
{
	static const struct row rows[] = {
		{ "my-model-v2", "input", "10", NULL },
		{ "my-model", "input", "10", NULL },
	};
	char	*note = NULL, got[128];

	assert_near(cost_rows(state, rows, 2, &note), 0, 0);
	assert_non_null(note);
	/* Copied and freed before asserting: a failure must not leak under ASan. */
	snprintf(got, sizeof got, "%s", note);
	free(note);
	assert_string_equal(got, "no price for my-model-v2 (50.0 % of tokens), my-model (50.0 % of tokens)");
}

/* The answering model is priced first, then the requested alias; aliases and prefixes. */
static void
test_response_alias_prefix(void **state)
{
	static const struct row rows[] = {
		/* The alias a request names, the snapshot that answered: the snapshot's price. */
		{ "gpt-4o", "input", "1000000", "gpt-4o-2024-11-20" },
		/* An unknown snapshot of a known alias: the alias's price (aliases = gpt-4o). */
		{ "gpt-4o", "output", "1000000", "gpt-4o-2099-01-01" },
		/* Only the alias. */
		{ "gpt-4o-mini", "input", "1000000", NULL },
	};
	static const struct row unknown[] = {
		{ "my-alias", "input", "300", "my-snapshot" },
		{ "gpt-4o", "input", "100", NULL },
	};
	struct config *cfg = *state;
	const struct price_def *pr;
	char *note = unset;

	/* 2.50 + 10.00 + 0.15 */
	assert_near(cost_rows(state, rows, 3, &note), 12.65, 1e-9);
	assert_null(note);
	/* Unpriced: named by the answering model, with its share of the tokens. */
	assert_near(cost_rows(state, unknown, 2, &note), 100 * 2.50 / 1e6, 1e-12);
	assert_string_equal(note, "no price for my-snapshot (75.0 % of tokens)");
	free(note);

	/* A section ending in * prices every model it begins; the longest prefix wins and an
	   exact name or alias beats any prefix. */
	cfg->prices = realloc(cfg->prices, (cfg->nprices + 2) * sizeof *cfg->prices);
	memset(&cfg->prices[cfg->nprices], 0, 2 * sizeof *cfg->prices);
	cfg->prices[cfg->nprices].model = strdup("gpt-*");
	cfg->prices[cfg->nprices].where = strdup("test");
	cfg->prices[cfg->nprices++].input = 1;
	cfg->prices[cfg->nprices].model = strdup("gpt-4o-*");
	cfg->prices[cfg->nprices].where = strdup("test");
	cfg->prices[cfg->nprices++].input = 2;
	assert_non_null(pr = config_price(cfg, "gpt-5"));
	assert_near(pr->input, 1, 0);
	assert_non_null(pr = config_price(cfg, "gpt-4o-2099-01-01"));
	assert_near(pr->input, 2, 0);
	assert_non_null(pr = config_price(cfg, "gpt-4o-mini"));
	assert_near(pr->input, 0.15, 1e-12);
	assert_null(config_price(cfg, "gp"));
	assert_null(config_price(cfg, "claude"));
}

static void
test_skipped(void **state)
{
	static const struct row rows[] = {
		{ "gpt-4o-2024-08-06", "input", "1000000", NULL },	/* 2.50 */
		{ "gpt-4o-2024-08-06", NULL, "1000000", NULL },	/* no type */
		{ NULL, "output", "1000000", NULL },			/* no model */
		{ NULL, NULL, "1000000", NULL },
		{ "gpt-4o-2024-08-06", "output", "NaN", NULL },
		{ "gpt-4o-2024-08-06", "output", "+Inf", NULL },
		{ "gpt-4o-2024-08-06", "output", "-Inf", NULL },
		{ "gpt-4o-2024-08-06", "total", "1000000", NULL },	/* unknown type */
		{ "gpt-4o-2024-08-06", "Input", "1000000", NULL },	/* case matters */
		{ "llama-3", "input", "NaN", NULL },			/* not named: no value */
		{ "llama-3", NULL, "5", NULL },			/* not named: no type */
	};
	char	*note = unset;

	assert_near(cost_rows(state, rows, sizeof rows / sizeof rows[0], &note),
	    2.50, 1e-12);
	assert_null(note);
}

static void
test_empty(void **state)
{
	struct prom_response	 r;
	char			*note = unset;

	assert_near(cost_rows(state, NULL, 0, &note), 0, 0);
	assert_null(note);

	/* A zeroed response (no series at all) too. */
	memset(&r, 0, sizeof r);
	note = unset;
	assert_near(COST_OF(*state, &r, &note), 0, 0);
	assert_null(note);
}

static void
test_matrix_last_sample(void **state)
{
	static const char body[] =
	    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
	    "{\"metric\":{\"gen_ai_request_model\":\"gpt-4o-2024-08-06\","
	    "\"gen_ai_token_type\":\"output\"},\"values\":["
	    "[1718452700,\"1\"],[1718452800,\"200000\"]]}]}}";
	struct prom_response	 r;
	char			*cause = NULL, *note = NULL;

	assert_int_equal(prom_parse(body, strlen(body), &r, &cause), 0);
	assert_near(COST_OF(*state, &r, &note), 2.0, 1e-12);
	assert_null(note);
	prom_response_free(&r);
}

static void
test_forecast_utc(void **state)
{
	(void)state;
	set_tz("UTC");

	/* Middle of June (30 days): 15.5 days left. */
	assert_near(cost_forecast(100, 10, UTC_JUN15_1200), 100 + 10 * 15.5, 1e-9);
	/* Last day, 18:00: a quarter of a day left. */
	assert_near(cost_forecast(100, 10, UTC_JUN30_1800), 102.5, 1e-9);
	/* At the first instant of the month: the whole month left. */
	assert_near(cost_forecast(0, 1, UTC_JUN01_0000), 30, 1e-9);
	/* One second before the next month. */
	assert_near(cost_forecast(0, DAY, UTC_JUL01_0000 - 1), 1, 1e-9);
	/* December rolls into January. */
	assert_near(cost_forecast(50, 4, UTC_DEC31_1200), 52, 1e-9);
	/* February of a leap year has 29 days. */
	assert_near(cost_forecast(0, 1, UTC_FEB15_0000), 15, 1e-9);
	/* No spend rate: the month to date. */
	assert_near(cost_forecast(1234.5, 0, UTC_JUN15_1200), 1234.5, 0);
}

static void
test_forecast_berlin_dst(void **state)
{
	double	 f;

	(void)state;
	need_berlin();

	/*
	 * 2024-03-15 12:00 CET: 16.5 days of wall clock to April 1st, but March 31st has 23
	 * hours. Days left are real time to local midnight of the 1st: 395 hours.
	 */
	f = cost_forecast(0, 24, BER_MAR15_1200);
	assert_true(fabs(f - 16.5 * 24) <= 24);
	assert_near(f, 395, 1e-9);

	/* On the last day, after the change: 12 hours to midnight. */
	f = cost_forecast(10, 24, BER_MAR31_1200);
	assert_near(f, 10 + 12, 1e-9);
	/* On the last day, before the change: 22.5 wall-clock hours, 21.5 real ones. */
	f = cost_forecast(0, 24, BER_MAR31_0130);
	assert_near(f, 21.5, 1e-9);

	/* October has 745 hours: 2024-10-15 12:00 CEST has 16.5 days + 1 hour left. */
	f = cost_forecast(0, 24, BER_OCT15_1200);
	assert_true(fabs(f - 16.5 * 24) <= 24);
	assert_near(f, 397, 1e-9);

	/* A winter month: local midnight, not UTC's (Jan 15 12:00 CET = 16.5 days). */
	f = cost_forecast(0, 24, BER_JAN15_1200);
	assert_near(f, 16.5 * 24, 1e-9);
}

static void
test_since_utc(void **state)
{
	(void)state;
	set_tz("UTC");

	assert_int_equal(cost_since_midnight(UTC_JUN15_123456), 12 * HOUR + 34 * 60 + 56);
	assert_int_equal(cost_since_month_start(UTC_JUN15_123456),
	    14 * DAY + 12 * HOUR + 34 * 60 + 56);
	assert_int_equal(cost_since_midnight(UTC_JUN01_0000), 0);
	assert_int_equal(cost_since_month_start(UTC_JUN01_0000), 0);
	assert_int_equal(cost_since_midnight(UTC_JUL01_0000 - 1), DAY - 1);
	assert_int_equal(cost_since_month_start(UTC_JUL01_0000 - 1), 30 * DAY - 1);
	assert_int_equal(cost_since_midnight(UTC_JUN30_1800), 18 * HOUR);
	assert_int_equal(cost_since_month_start(UTC_JUN30_1800), 29 * DAY + 18 * HOUR);
	assert_int_equal(cost_since_month_start(UTC_DEC31_1200), 30 * DAY + 12 * HOUR);
}

static void
test_since_berlin(void **state)
{
	(void)state;
	need_berlin();

	/* Local midnight, in real seconds: the day of the change lost an hour. */
	assert_int_equal(cost_since_midnight(BER_JAN15_1200), 12 * HOUR);
	assert_int_equal(cost_since_midnight(BER_MAR31_0130), HOUR + 30 * 60);
	assert_int_equal(cost_since_midnight(BER_MAR31_1200), 11 * HOUR);
	assert_int_equal(cost_since_month_start(BER_MAR15_1200), 14 * DAY + 12 * HOUR);
	assert_int_equal(cost_since_month_start(BER_MAR31_1200), 30 * DAY + 11 * HOUR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_priced),
		cmocka_unit_test(test_unpriced),
		cmocka_unit_test(test_unpriced_substring),
		cmocka_unit_test(test_skipped),
		cmocka_unit_test(test_response_alias_prefix),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_matrix_last_sample),
		cmocka_unit_test(test_forecast_utc),
		cmocka_unit_test(test_forecast_berlin_dst),
		cmocka_unit_test(test_since_utc),
		cmocka_unit_test(test_since_berlin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
