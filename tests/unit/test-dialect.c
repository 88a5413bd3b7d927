/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/dialect.h"

static const char errors_kpi[] =
    "100 * (sum(rate(${ops_count}{${error_type}!=\"\"}[1m])) or vector(0)) / "
    "sum(rate(${ops_count}[1m]))";

/* The expansion of q in a dialect, copied so a failing assertion leaks nothing. */
static void
expand_is(void **state, enum dialect_kind k, const char *q, const char *want)
{
	struct dialect d;
	char *got, *cause = NULL, copy[2048];

	memset(&d, 0, sizeof d);
	dialect_set(&d, k);
	got = dialect_expand(&d, *state, q, &cause);
	dialect_clear(&d);
	if (got == NULL) {
		snprintf(copy, sizeof copy, "%s", cause);
		free(cause);
		fail_msg("expand %s: %s", q, copy);
	}
	snprintf(copy, sizeof copy, "%s", got);
	free(got);
	assert_string_equal(copy, want);
}

static void
test_expand_plain_dialects(void **state)
{
	expand_is(state, DIALECT_COLLECTOR, errors_kpi,
	    "100 * (sum(rate(gen_ai_client_operation_duration_seconds_count{error_type!=\"\"}[1m]))"
	    " or vector(0)) / sum(rate(gen_ai_client_operation_duration_seconds_count[1m]))");
	expand_is(state, DIALECT_SDK, errors_kpi,
	    "100 * (sum(rate(gen_ai_client_operation_duration_count{error_type!=\"\"}[1m]))"
	    " or vector(0)) / sum(rate(gen_ai_client_operation_duration_count[1m]))");
	expand_is(state, DIALECT_SDK, "sum by (${request_model}, ${token_type}) "
	    "(rate(${tokens_sum}[5m]))",
	    "sum by (gen_ai_request_model, gen_ai_token_type) "
	    "(rate(gen_ai_client_token_usage_sum[5m]))");
}

/* Dotted names live inside the braces, quoted; label names are quoted outside strings. */
static void
test_expand_utf8(void **state)
{
	expand_is(state, DIALECT_UTF8, errors_kpi,
	    "100 * (sum(rate({\"gen_ai.client.operation.duration_seconds_count\", "
	    "\"error.type\"!=\"\"}[1m])) or vector(0)) / "
	    "sum(rate({\"gen_ai.client.operation.duration_seconds_count\"}[1m]))");
	expand_is(state, DIALECT_UTF8_BARE, "${ops_bucket}{ }",
	    "{\"gen_ai.client.operation.duration_bucket\"}");
	expand_is(state, DIALECT_UTF8_BARE, "sum by (${response_model}) (${tokens_sum})",
	    "sum by (\"gen_ai.response.model\") ({\"gen_ai.client.token.usage_sum\"})");
	/* In a string (label_replace), names stay bare. */
	expand_is(state, DIALECT_UTF8, "label_replace(x, \"${response_model}\", \"$1\", "
	    "'${request_model}', \"(.*)\")",
	    "label_replace(x, \"gen_ai.response.model\", \"$1\", 'gen_ai.request.model', "
	    "\"(.*)\")");
}

static void
test_expand_classes(void **state)
{
	expand_is(state, DIALECT_COLLECTOR, "x{${error_type}=~\"${rate_limited}\"}",
	    "x{error_type=~\"429|RateLimitError|rate_limit_exceeded\"}");
	expand_is(state, DIALECT_COLLECTOR, "x{e=~\"${server_error}\"}",
	    "x{e=~\"5[0-9][0-9]|timeout|InternalServerError|APIConnectionError|"
	    "APIConnectionTimeoutError|APITimeoutError|ServiceUnavailableError\"}");
}

/* Metacharacters of a class value are escaped for the regex and for the string. */
static void
test_expand_class_escaping(void **state)
{
	struct config *cfg = *state;
	struct namelist saved = cfg->error_classes[0];
	char a[] = "a.b", b[] = "q\"x", c[] = "c\\d", *v[] = { a, b, c };

	cfg->error_classes[0].v = v;
	cfg->error_classes[0].n = 3;
	expand_is(state, DIALECT_COLLECTOR, "x{e=~\"${rate_limited}\"}",
	    "x{e=~\"a\\\\.b|q\\\"x|c\\\\\\\\d\"}");
	expand_is(state, DIALECT_COLLECTOR, "x{e=~`${rate_limited}`}",
	    "x{e=~`a\\.b|q\"x|c\\\\d`}");
	cfg->error_classes[0].n = 0;
	expand_is(state, DIALECT_COLLECTOR, "x{e=~\"${rate_limited}\"}",
	    "x{e=~\"[^\\\\s\\\\S]\"}");
	cfg->error_classes[0] = saved;
}

/* Only our ${names}: the rest of the query, label_replace's $1 and ${1} included, stays. */
static void
test_expand_untouched(void **state)
{
	static const char q[] = "label_replace(up, \"a\", \"${1}-$1\", \"b\", \"(.*)\") * $x "
	    "+ ${ A} + ${}";
	struct dialect d;
	char *cause = NULL, *out;

	expand_is(state, DIALECT_UTF8, q, q);
	assert_int_equal(dialect_templated(q), 0);
	assert_int_equal(dialect_templated("rate(${ops_count}[1m])"), 1);
	memset(&d, 0, sizeof d);
	dialect_set(&d, DIALECT_SDK);
	out = dialect_expand(&d, *state, "sum(${ops_cnt})", &cause);
	dialect_clear(&d);
	assert_null(out);
	assert_string_equal(cause, "unknown placeholder ${ops_cnt}");
	free(cause);
}

/* Exact spellings only: look-alikes are not the GenAI histogram. */
static void
test_kind_of(void **state)
{
	(void)state;
	assert_int_equal(dialect_kind_of("gen_ai_client_operation_duration_seconds_count"),
	    DIALECT_COLLECTOR);
	assert_int_equal(dialect_kind_of("gen_ai_client_operation_duration_count"), DIALECT_SDK);
	assert_int_equal(dialect_kind_of("gen_ai.client.operation.duration_seconds_count"),
	    DIALECT_UTF8);
	assert_int_equal(dialect_kind_of("gen_ai.client.operation.duration_count"),
	    DIALECT_UTF8_BARE);
	assert_int_equal(dialect_kind_of("gen_ai_client_operation_duration_seconds_created"), -1);
	assert_int_equal(dialect_kind_of("gen_ai_client_operation_duration_milliseconds_count"),
	    -1);
	assert_int_equal(dialect_kind_of("my_gen_ai_client_operation_duration_count"), -1);
	assert_int_equal(dialect_kind_of("gen_ai_client_operation_duration_seconds_bucket"), -1);
	assert_int_equal(dialect_kind_of("_count"), -1);
	assert_int_equal(dialect_kind_of(""), -1);
	assert_int_equal(dialect_kind_find("sdk"), DIALECT_SDK);
	assert_int_equal(dialect_kind_find("SDK"), -1);
}

static void
test_classify(void **state)
{
	const struct config *cfg = *state;

	assert_int_equal(dialect_classify(cfg, "429"), ERROR_RATE_LIMITED);
	assert_int_equal(dialect_classify(cfg, "RateLimitError"), ERROR_RATE_LIMITED);
	assert_int_equal(dialect_classify(cfg, "503"), ERROR_SERVER);
	assert_int_equal(dialect_classify(cfg, "500"), ERROR_SERVER);
	assert_int_equal(dialect_classify(cfg, "timeout"), ERROR_SERVER);
	assert_int_equal(dialect_classify(cfg, "APIConnectionTimeoutError"), ERROR_SERVER);
	assert_int_equal(dialect_classify(cfg, "BadRequestError"), ERROR_CLIENT);
	assert_int_equal(dialect_classify(cfg, "400"), ERROR_CLIENT);
	assert_int_equal(dialect_classify(cfg, "5000"), ERROR_OTHER);
	assert_int_equal(dialect_classify(cfg, "5xx"), ERROR_OTHER);
	assert_int_equal(dialect_classify(cfg, "ratelimiterror"), ERROR_OTHER);
	assert_int_equal(dialect_classify(cfg, "_OTHER"), ERROR_OTHER);
}

static void
names_are(const char *q, const char *want)
{
	char *names[8], got[512] = "";
	size_t n, i;

	n = dialect_metric_names(q, names, 8);
	for (i = 0; i < n; i++) {
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? " " : "",
		    names[i]);
		free(names[i]);
	}
	assert_string_equal(got, want);
}

static void
test_metric_names(void **state)
{
	(void)state;
	names_are("100 * (sum(rate(a_count{error_type!=\"\"}[1m])) or vector(0)) / "
	    "sum(rate(a_count[1m]))", "a_count");
	names_are("histogram_quantile(0.95, sum by (le, model) (rate(b_bucket{le=\"2.56\"}[5m])))",
	    "b_bucket");
	names_are("sum(rate(x[5m])) by (job) / on (job) group_left (y) z offset 5m", "x z");
	names_are("sum(rate({\"gen_ai.client.operation.duration_count\", \"error.type\"=\"x\"}"
	    "[1m]))", "gen_ai.client.operation.duration_count");
	names_are("label_replace(up, \"dst\", \"$1\", \"src\", \"(.*)\") and bool nan",
	    "up");
	names_are("avg_over_time(sum(irate(c[5m]))[1h:1m])", "c");
	names_are("", "");
}

static int
setup(void **state)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	char *cause = NULL;

	if (cfg == NULL || config_load(cfg, NULL, &cause) != 0) {
		print_error("config_load: %s\n", cause != NULL ? cause : "out of memory");
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
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_plain_dialects),
		cmocka_unit_test(test_expand_utf8),
		cmocka_unit_test(test_expand_classes),
		cmocka_unit_test(test_expand_class_escaping),
		cmocka_unit_test(test_expand_untouched),
		cmocka_unit_test(test_kind_of),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_metric_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
