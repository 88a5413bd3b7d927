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

#include "backend/am.h"
#include "backend/buf.h"

/*
 * A GET /api/v2/alerts reply as Alertmanager 0.27 writes it: two alerts of
 * the same alertname/service group (one silenced), one about to resolve.
 */
static const char reply_body[] =
    "[\n"
    "  {\n"
    "    \"annotations\": {\n"
    "      \"summary\": \"5xx rate above 5% on checkout\",\n"
    "      \"description\": \"checkout-7d9f answers 7.2% of requests with 5xx\",\n"
    "      \"runbook_url\": \"https://runbooks.example.com/checkout/5xx\"\n"
    "    },\n"
    "    \"endsAt\": \"2026-11-23T21:12:48Z\",\n"
    "    \"fingerprint\": \"4a1f2c3d5e6f7081\",\n"
    "    \"receivers\": [ { \"name\": \"pager\" }, { \"name\": \"slack\" } ],\n"
    "    \"startsAt\": \"2026-11-23T21:08:18.123Z\",\n"
    "    \"status\": { \"inhibitedBy\": [], \"silencedBy\": [], \"state\": \"active\" },\n"
    "    \"updatedAt\": \"2026-11-23T22:08:48.456+01:00\",\n"
    "    \"generatorURL\": \"http://prometheus:9090/graph?g0.expr=rate%28x%29&g0.tab=1\",\n"
    "    \"labels\": {\n"
    "      \"service\": \"checkout\",\n"
    "      \"alertname\": \"HighErrorRate\",\n"
    "      \"severity\": \"critical\",\n"
    "      \"pod\": \"checkout-7d9f\"\n"
    "    }\n"
    "  },\n"
    "  {\n"
    "    \"annotations\": { \"summary\": \"5xx rate above 5% on checkout\" },\n"
    "    \"endsAt\": \"2026-11-23T21:12:48Z\",\n"
    "    \"fingerprint\": \"9bc0de11f2a3b4c5\",\n"
    "    \"receivers\": [ { \"name\": \"pager\" } ],\n"
    "    \"startsAt\": \"2026-11-23T21:09:03.987654321Z\",\n"
    "    \"status\": { \"inhibitedBy\": [], \"silencedBy\": [\"0f9c6e0a-5d1b-4b8e-9a51-3c2d1e0f9a8b\"],"
    " \"state\": \"suppressed\" },\n"
    "    \"updatedAt\": \"2026-11-23T21:09:03.990Z\",\n"
    "    \"generatorURL\": \"http://prometheus:9090/graph?g0.expr=rate%28x%29&g0.tab=1\",\n"
    "    \"labels\": {\n"
    "      \"alertname\": \"HighErrorRate\",\n"
    "      \"service\": \"checkout\",\n"
    "      \"severity\": \"critical\",\n"
    "      \"pod\": \"checkout-55c2\"\n"
    "    }\n"
    "  },\n"
    "  {\n"
    "    \"annotations\": {\n"
    "      \"summary\": \"Disk \\\"/var\\\" fills within 4 h\",\n"
    "      \"dashboard\": \"https://grafana.example.com/d/disk\"\n"
    "    },\n"
    "    \"endsAt\": \"2026-11-23T21:10:00.5-05:30\",\n"
    "    \"fingerprint\": \"00FFee1234abcdef\",\n"
    "    \"receivers\": [ { \"name\": \"slack\" } ],\n"
    "    \"startsAt\": \"2026-11-23T16:00:00-05:00\",\n"
    "    \"status\": { \"inhibitedBy\": [], \"silencedBy\": [], \"state\": \"active\" },\n"
    "    \"updatedAt\": \"2026-11-23T21:08:18Z\",\n"
    "    \"labels\": {\n"
    "      \"alertname\": \"DiskWillFillIn4Hours\",\n"
    "      \"service\": \"db\",\n"
    "      \"mountpoint\": \"/var\",\n"
    "      \"instance\": \"db-1:9100\"\n"
    "    }\n"
    "  }\n"
    "]\n";

/* A minimal valid alert, for building bodies. */
#define MIN_ALERT \
    "{\"labels\":{\"alertname\":\"A\"},\"fingerprint\":\"ab\"," \
    "\"startsAt\":\"2026-01-01T00:00:00Z\"}"

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

static int
all_zero(const struct am_alerts *l)
{
	return l->v == NULL && l->n == 0;
}

/* Checks that a cause is short, non-empty printable ASCII. */
static void
check_cause(const char *cause)
{
	const char	*p;

	assert_non_null(cause);
	assert_true(cause[0] != '\0');
	assert_true(strlen(cause) < 400);
	for (p = cause; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

/* Parses a NUL-terminated body and expects success. */
static void
parse_ok(const char *body, struct am_alerts *l)
{
	char	*cause = NULL;
	int	 rc;

	rc = am_parse(body, strlen(body), l, &cause);
	if (rc != 0)
		print_error("unexpected failure: %s\n", cause);
	assert_int_equal(rc, 0);
	assert_null(cause);
}

/* Parses len bytes and expects failure with exactly the given cause (or prefix). */
static void
parse_fail_len(const char *body, size_t len, const char *want, int prefix)
{
	struct am_alerts	 l;
	char			*cause = NULL;

	memset(&l, 0xa5, sizeof l);
	assert_int_equal(am_parse(body, len, &l, &cause), -1);
	check_cause(cause);
	if (prefix) {
		if (strncmp(cause, want, strlen(want)) != 0)
			print_error("cause: %s\n", cause);
		assert_true(strncmp(cause, want, strlen(want)) == 0);
	} else {
		if (strcmp(cause, want) != 0)
			print_error("body: %s\n", body);
		assert_string_equal(cause, want);
	}
	assert_true(all_zero(&l));
	am_alerts_free(&l);
	free(cause);
}

static void
parse_fail(const char *body, const char *want)
{
	parse_fail_len(body, strlen(body), want, 0);
}

/* Checks the invariants every successful parse keeps. */
static void
check_consistent(const struct am_alerts *l)
{
	const struct am_alert	*a;
	const char		*p;
	size_t			 i, j;

	assert_true((l->v == NULL) == (l->n == 0));
	for (i = 0; i < l->n; i++) {
		a = &l->v[i];
		assert_non_null(a->fingerprint);
		assert_true(a->fingerprint[0] != '\0');
		for (p = a->fingerprint; *p != '\0'; p++)
			assert_non_null(strchr("0123456789abcdefABCDEF", *p));
		assert_non_null(a->state);
		assert_true((a->labels == NULL) == (a->nlabels == 0));
		assert_true((a->annotations == NULL) == (a->nannotations == 0));
		for (j = 0; j < 2 * a->nlabels; j++)
			assert_non_null(a->labels[j]);
		for (j = 1; j < a->nlabels; j++)
			assert_true(strcmp(a->labels[2 * j - 2], a->labels[2 * j]) < 0);
		for (j = 0; j < 2 * a->nannotations; j++)
			assert_non_null(a->annotations[j]);
		for (j = 1; j < a->nannotations; j++)
			assert_true(strcmp(a->annotations[2 * j - 2],
			    a->annotations[2 * j]) < 0);
		for (j = 0; j < a->nlabels; j++)
			assert_ptr_equal(am_label(a, a->labels[2 * j]),
			    a->labels[2 * j + 1]);
		assert_true(isfinite(a->starts_at));
		assert_true(isfinite(a->ends_at));
		assert_true(isfinite(a->updated_at));
	}
}

static void
test_reply(void **state)
{
	struct am_alerts	 l;
	const struct am_alert	*a;

	(void)state;
	parse_ok(reply_body, &l);
	check_consistent(&l);
	assert_int_equal(l.n, 3);

	a = &l.v[0];
	assert_string_equal(a->fingerprint, "4a1f2c3d5e6f7081");
	assert_int_equal(a->nlabels, 4);
	/* Sorted by name. */
	assert_string_equal(a->labels[0], "alertname");
	assert_string_equal(a->labels[1], "HighErrorRate");
	assert_string_equal(a->labels[2], "pod");
	assert_string_equal(a->labels[3], "checkout-7d9f");
	assert_string_equal(a->labels[4], "service");
	assert_string_equal(a->labels[5], "checkout");
	assert_string_equal(a->labels[6], "severity");
	assert_string_equal(a->labels[7], "critical");
	assert_int_equal(a->nannotations, 3);
	assert_string_equal(a->annotations[0], "description");
	assert_string_equal(a->annotations[1],
	    "checkout-7d9f answers 7.2% of requests with 5xx");
	assert_string_equal(a->annotations[2], "runbook_url");
	assert_string_equal(a->annotations[3],
	    "https://runbooks.example.com/checkout/5xx");
	assert_string_equal(a->annotations[4], "summary");
	assert_string_equal(a->annotations[5], "5xx rate above 5% on checkout");
	assert_true(near(a->starts_at, 1795468098.123));
	assert_true(a->starts_at == 1795468098.123);
	assert_true(a->ends_at == 1795468368.0);
	assert_true(near(a->updated_at, 1795468128.456));
	assert_string_equal(a->state, "active");
	assert_string_equal(a->generator_url,
	    "http://prometheus:9090/graph?g0.expr=rate%28x%29&g0.tab=1");
	assert_string_equal(am_label(a, "alertname"), "HighErrorRate");
	assert_string_equal(am_label(a, "severity"), "critical");
	assert_null(am_label(a, "Alertname"));
	assert_null(am_label(a, "summary"));
	assert_null(am_label(a, NULL));
	assert_null(am_label(NULL, "alertname"));
	assert_string_equal(am_annotation(a, "runbook_url"),
	    "https://runbooks.example.com/checkout/5xx");
	assert_null(am_annotation(a, "alertname"));
	assert_null(am_annotation(NULL, "summary"));

	a = &l.v[1];
	assert_string_equal(a->fingerprint, "9bc0de11f2a3b4c5");
	assert_int_equal(a->nlabels, 4);
	assert_string_equal(am_label(a, "pod"), "checkout-55c2");
	assert_string_equal(am_label(a, "service"), "checkout");
	assert_int_equal(a->nannotations, 1);
	assert_string_equal(am_annotation(a, "summary"),
	    "5xx rate above 5% on checkout");
	assert_null(am_annotation(a, "description"));
	/* Nanoseconds: kept to what a double holds at this size. */
	assert_true(fabs(a->starts_at - 1795468143.987654321) < 1e-6);
	assert_true(a->ends_at == 1795468368.0);
	assert_true(near(a->updated_at, 1795468143.990));
	assert_string_equal(a->state, "suppressed");
	assert_non_null(a->generator_url);

	a = &l.v[2];
	assert_string_equal(a->fingerprint, "00FFee1234abcdef");
	assert_int_equal(a->nlabels, 4);
	assert_string_equal(a->labels[0], "alertname");
	assert_string_equal(a->labels[2], "instance");
	assert_string_equal(a->labels[4], "mountpoint");
	assert_string_equal(a->labels[6], "service");
	assert_string_equal(am_label(a, "mountpoint"), "/var");
	assert_int_equal(a->nannotations, 2);
	assert_string_equal(a->annotations[0], "dashboard");
	assert_string_equal(am_annotation(a, "summary"),
	    "Disk \"/var\" fills within 4 h");
	assert_true(a->starts_at == 1795467600.0);
	/* Resolves soon: endsAt two minutes after the last update. */
	assert_true(a->ends_at == 1795488000.5);
	assert_true(a->updated_at == 1795468098.0);
	assert_string_equal(a->state, "active");
	assert_null(a->generator_url);

	am_alerts_free(&l);
	assert_true(all_zero(&l));
}

static void
test_optional(void **state)
{
	struct am_alerts	l;

	(void)state;
	/* Only the required fields. */
	parse_ok("[" MIN_ALERT "]", &l);
	check_consistent(&l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].nannotations, 0);
	assert_null(l.v[0].annotations);
	assert_null(am_annotation(&l.v[0], "summary"));
	assert_true(l.v[0].starts_at == 1767225600.0);
	assert_true(l.v[0].ends_at == 0);
	assert_true(l.v[0].updated_at == 0);
	assert_string_equal(l.v[0].state, "unprocessed");
	assert_null(l.v[0].generator_url);
	am_alerts_free(&l);

	/* Go's zero time for endsAt, nulls for the optional fields. */
	parse_ok("[{\"labels\":{\"alertname\":\"A\",\"x\":\"\"},\"annotations\":null,"
	    "\"fingerprint\":\"f0c999b2bd0ee34c\","
	    "\"startsAt\":\"2023-02-06T15:52:14.957445121Z\","
	    "\"endsAt\":\"0001-01-01T00:00:00Z\",\"updatedAt\":null,"
	    "\"generatorURL\":null,\"status\":{\"state\":\"unprocessed\"},"
	    "\"receivers\":[]}]", &l);
	check_consistent(&l);
	assert_null(l.v[0].annotations);
	assert_true(l.v[0].ends_at == 0);
	assert_true(l.v[0].updated_at == 0);
	assert_true(near(l.v[0].starts_at, 1675698734.957445));
	assert_string_equal(l.v[0].state, "unprocessed");
	assert_string_equal(am_label(&l.v[0], "x"), "");
	am_alerts_free(&l);

	/* Empty labels and annotations; a status without state; a newer state kept. */
	parse_ok("[{\"labels\":{},\"annotations\":{},\"fingerprint\":\"1\","
	    "\"startsAt\":\"2026-01-01T00:00:00Z\",\"status\":{}},"
	    "{\"labels\":{},\"fingerprint\":\"2\",\"startsAt\":"
	    "\"2026-01-01T00:00:00Z\",\"status\":{\"state\":\"muted\"}}]", &l);
	check_consistent(&l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].nlabels, 0);
	assert_null(l.v[0].labels);
	assert_null(am_label(&l.v[0], "alertname"));
	assert_int_equal(l.v[0].nannotations, 0);
	assert_string_equal(l.v[0].state, "unprocessed");
	assert_string_equal(l.v[1].state, "muted");
	am_alerts_free(&l);

	/* Duplicate names: the first wins, as for every cJSON lookup. */
	parse_ok("[{\"labels\":{\"b\":\"1\",\"a\":\"2\",\"b\":\"3\"},"
	    "\"annotations\":{\"s\":\"x\",\"s\":\"y\"},\"fingerprint\":\"ab\","
	    "\"fingerprint\":\"zz\",\"startsAt\":\"2026-01-01T00:00:00Z\"}]", &l);
	check_consistent(&l);
	assert_int_equal(l.v[0].nlabels, 2);
	assert_string_equal(am_label(&l.v[0], "b"), "1");
	assert_int_equal(l.v[0].nannotations, 1);
	assert_string_equal(am_annotation(&l.v[0], "s"), "x");
	assert_string_equal(l.v[0].fingerprint, "ab");
	am_alerts_free(&l);
}

static void
test_empty(void **state)
{
	struct am_alerts	l;

	(void)state;
	parse_ok("[]", &l);
	assert_true(all_zero(&l));
	am_alerts_free(&l);
	parse_ok(" [ ]\n", &l);
	assert_true(all_zero(&l));
	am_alerts_free(&l);
}

static void
test_shape_errors(void **state)
{
	static const struct {
		const char	*body;
		const char	*cause;
	} vec[] = {
		{ "[1]", "[0]: not an object" },
		{ "[" MIN_ALERT ",null]", "[1]: not an object" },
		{ "[[]]", "[0]: not an object" },
		{ "[" MIN_ALERT "," MIN_ALERT "," MIN_ALERT ",{\"labels\":[],"
		  "\"fingerprint\":\"ab\",\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[3].labels: not an object" },
		{ "[{\"fingerprint\":\"ab\",\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].labels: missing" },
		{ "[{\"labels\":null,\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].labels: not an object" },
		{ "[{\"labels\":{\"alertname\":\"A\",\"team\":1},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].labels[\"team\"]: not a string" },
		{ "[{\"labels\":{\"team\":{}},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].labels[\"team\"]: not a string" },
		{ "[{\"labels\":{},\"annotations\":[],\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].annotations: not an object" },
		{ "[{\"labels\":{},\"annotations\":\"x\",\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].annotations: not an object" },
		{ "[" MIN_ALERT ",{\"labels\":{},\"annotations\":{\"summary\":null},"
		  "\"fingerprint\":\"ab\",\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[1].annotations[\"summary\"]: not a string" },
		{ "[{\"labels\":{},\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].fingerprint: missing" },
		{ "[{\"labels\":{},\"fingerprint\":12,"
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].fingerprint: not a string" },
		{ "[{\"labels\":{},\"fingerprint\":null,"
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].fingerprint: not a string" },
		{ "[{\"labels\":{},\"fingerprint\":\"\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].fingerprint: not hex \"\"" },
		{ "[{\"labels\":{},\"fingerprint\":\"abc/../x\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].fingerprint: not hex \"abc/../x\"" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\"}]",
		  "[0].startsAt: missing" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\",\"startsAt\":null}]",
		  "[0].startsAt: not a string" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\",\"startsAt\":1700000000}]",
		  "[0].startsAt: not a string" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-13-01T00:00:00Z\"}]",
		  "[0].startsAt: bad time \"2026-13-01T00:00:00Z\"" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\",\"startsAt\":\"\"}]",
		  "[0].startsAt: bad time \"\"" },
		{ "[" MIN_ALERT ",{\"labels\":{},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\",\"endsAt\":\"yesterday\"}]",
		  "[1].endsAt: bad time \"yesterday\"" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\",\"endsAt\":5}]",
		  "[0].endsAt: not a string" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":\"2026-01-01\"}]",
		  "[0].updatedAt: bad time \"2026-01-01\"" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\",\"updatedAt\":[]}]",
		  "[0].updatedAt: not a string" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\",\"status\":\"active\"}]",
		  "[0].status: not an object" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\",\"status\":{\"state\":1}}]",
		  "[0].status.state: not a string" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\","
		  "\"startsAt\":\"2026-01-01T00:00:00Z\",\"generatorURL\":1}]",
		  "[0].generatorURL: not a string" },
		/* Outside bytes in a cause are escaped and cut. */
		{ "[{\"labels\":{\"\\u001b]52;c;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\":1},"
		  "\"fingerprint\":\"ab\",\"startsAt\":\"2026-01-01T00:00:00Z\"}]",
		  "[0].labels[\"\\x1b]52;c;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"...]: "
		  "not a string" },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\",\"startsAt\":"
		  "\"2026-01-01T00:00:00.000000000000000000000000000000000Z\\n\"}]",
		  "[0].startsAt: bad time "
		  "\"2026-01-01T00:00:00.00000000000000000000\"..." },
		{ "[{\"labels\":{},\"fingerprint\":\"ab\",\"startsAt\":"
		  "\"2026-01-01T00:00:00Z\\u009b\"}]",
		  "[0].startsAt: bad time \"2026-01-01T00:00:00Z\\xc2\\x9b\"" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof vec / sizeof vec[0]; i++)
		parse_fail(vec[i].body, vec[i].cause);
}

static void
test_not_json(void **state)
{
	static const char	html[] =
	    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
	    "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
	    "<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";
	struct am_alerts	 l;
	char			*cause = NULL, deep[3000];

	(void)state;
	parse_fail_len(html, strlen(html), "not JSON", 1);

	/* The cause quotes at most 64 bytes, escaped. */
	assert_int_equal(am_parse(html, strlen(html), &l, &cause), -1);
	assert_non_null(strstr(cause, "<html>\\x0d\\x0a<head>"));
	assert_null(strstr(cause, "nginx"));
	free(cause);

	parse_fail_len("", 0, "not JSON: empty body", 0);
	parse_fail_len(NULL, 0, "not JSON: empty body", 0);
	parse_fail_len("  \n", 3, "not JSON", 1);
	parse_fail_len("[" MIN_ALERT, strlen("[" MIN_ALERT), "not JSON", 1);
	parse_fail_len("[] x", 4, "not JSON (trailing bytes at byte 3)", 1);
	parse_fail_len("[][]", 4, "not JSON", 1);
	parse_fail_len("[]\0[1]", 6, "not JSON (NUL byte at byte 2)", 1);
	memset(deep, '[', sizeof deep);
	parse_fail_len(deep, sizeof deep, "not JSON", 1);

	/* Trailing whitespace is fine; len bounds the body. */
	parse_ok("[] \r\n\t", &l);
	assert_int_equal(am_parse("[]xyz", 2, &l, &cause), 0);
	am_alerts_free(&l);
}

static void
test_not_list(void **state)
{
	(void)state;
	parse_fail("{}", "not an Alertmanager alerts list: got an object");
	/* API v1 wraps the list: still refused. */
	parse_fail("{\"status\":\"success\",\"data\":[]}",
	    "not an Alertmanager alerts list: got an object");
	parse_fail("42", "not an Alertmanager alerts list: got a number");
	parse_fail("\"[]\"", "not an Alertmanager alerts list: got a string");
	parse_fail("null", "not an Alertmanager alerts list: got null");
	parse_fail("true", "not an Alertmanager alerts list: got a boolean");
}

static void
check_time(const char *s, double want)
{
	double	t = -42.0;

	if (am_time(s, &t) != 0)
		print_error("refused %s\n", s);
	assert_int_equal(am_time(s, &t), 0);
	if (!near(t, want))
		print_error("%s: %.9f, want %.9f\n", s, t, want);
	assert_true(near(t, want));
}

static void
test_time(void **state)
{
	static const char	*bad[] = {
		"", "2026", "2026-11-23", "2026-11-23T21:08", "2026-11-23T21:08:18",
		"2026-11-23 21:08:18Z", "2026-11-23T21:08:18+0100",
		"2026-11-23T21:08:18+01", "2026-11-23T21:08:18+1:00",
		"2026-11-23T21:08:18 Z", "2026-11-23T21:08:18ZZ",
		"2026-11-23T21:08:18Z ", " 2026-11-23T21:08:18Z",
		"2026-11-23T21:08:18.Z", "2026-11-23T21:08:18.123",
		"2026-11-23T21:08:18,123Z", "2026-11-23T21:08:18.1a3Z",
		"2026-11-23T21:08:18Z+01:00", "2026-11-23T21:08:18+01:00Z",
		"2026-11-23T21:08:18UTC", "2026-11-23T21:08:18+01:00:00",
		"2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-11-00T00:00:00Z", "2026-11-31T00:00:00Z",
		"2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-11-23T24:00:00Z",
		"2026-11-23T21:60:00Z", "2026-11-23T21:08:60Z",
		"2026-11-23T21:08:18+24:00", "2026-11-23T21:08:18+01:60",
		"26-11-23T21:08:18Z", "20261-11-23T21:08:18Z",
		"2026-1-23T21:08:18Z", "2026-11-2T21:08:18Z",
		"2026/11/23T21:08:18Z", "+2026-11-23T21:08:18Z",
		"-2026-11-23T21:08:18Z", "2026-11-23T21:08:18.123Zjunk",
		"2026-11-23T21:08:18.123+01:00junk", "1700000000", "now",
		"2026-11-23T21:08:1\xffZ",
	};
	double			 t;
	size_t			 i;

	(void)state;
	check_time("1970-01-01T00:00:00Z", 0.0);
	check_time("2026-11-23T21:08:18Z", 1795468098.0);
	check_time("2026-11-23T21:08:18.123Z", 1795468098.123);
	check_time("2026-11-23t21:08:18.123z", 1795468098.123);
	check_time("2026-11-23T22:08:18.123+01:00", 1795468098.123);
	check_time("2026-11-23T15:38:18-05:30", 1795468098.0);
	check_time("2026-11-23T21:08:18-00:00", 1795468098.0);
	check_time("2026-11-23T21:08:18.5Z", 1795468098.5);
	check_time("2026-11-23T21:08:18.987654321Z", 1795468098.987654321);
	/* Any length of fraction: digits past the nanosecond are dropped. */
	check_time("2026-11-23T21:08:18.25000000000000000000000000000000000001Z",
	    1795468098.25);
	check_time("2024-02-29T12:00:00Z", 1709208000.0);
	check_time("2000-02-29T00:00:00Z", 951782400.0);
	check_time("2000-03-01T00:00:00Z", 951868800.0);
	check_time("1969-12-31T23:59:59Z", -1.0);
	check_time("9999-12-31T23:59:59Z", 253402300799.0);
	check_time("2026-12-31T23:59:59+23:59", 1798761599.0 - 86340.0);
	/* Go's zero time.Time means "not set". */
	check_time("0001-01-01T00:00:00Z", 0.0);
	check_time("0001-01-01T00:00:00.000000001+01:00", 0.0);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = 42.0;
		if (am_time(bad[i], &t) != -1)
			print_error("accepted \"%s\"\n", bad[i]);
		assert_int_equal(am_time(bad[i], &t), -1);
		assert_true(t == 42.0);
	}
	assert_int_equal(am_time(NULL, &t), -1);
}

static void
test_group_key(void **state)
{
	static const char *const	 an_svc[] = { "alertname", "service" };
	static const char *const	 svc_an[] = { "service", "alertname" };
	static const char *const	 with_cluster[] = {
		"alertname", "cluster", "service"
	};
	static const char *const	 x_only[] = { "x" };
	static const char *const	 x_y[] = { "x", "y" };
	struct am_alerts		 l;
	char				*k0, *k1, *k2;

	(void)state;
	parse_ok(reply_body, &l);
	k0 = am_group_key(&l.v[0], an_svc, 2);
	k1 = am_group_key(&l.v[1], an_svc, 2);
	k2 = am_group_key(&l.v[2], an_svc, 2);
	assert_string_equal(k0, "alertname=HighErrorRate,service=checkout");
	assert_string_equal(k0, k1);
	assert_string_equal(k2, "alertname=DiskWillFillIn4Hours,service=db");
	free(k0);
	free(k1);
	free(k2);

	/* The order given is kept. */
	k0 = am_group_key(&l.v[0], svc_an, 2);
	assert_string_equal(k0, "service=checkout,alertname=HighErrorRate");
	free(k0);

	/* A missing label has an empty value. */
	k0 = am_group_key(&l.v[0], with_cluster, 3);
	assert_string_equal(k0,
	    "alertname=HighErrorRate,cluster=,service=checkout");
	free(k0);
	k0 = am_group_key(&l.v[2], x_only, 1);
	assert_string_equal(k0, "x=");
	free(k0);

	/* No labels to group by: one group. */
	k0 = am_group_key(&l.v[0], NULL, 0);
	assert_string_equal(k0, "");
	free(k0);
	am_alerts_free(&l);

	/* Separators in values are escaped: different label sets, different keys. */
	parse_ok("[{\"labels\":{\"x\":\"1,y=2\"},\"fingerprint\":\"a\","
	    "\"startsAt\":\"2026-01-01T00:00:00Z\"},"
	    "{\"labels\":{\"x\":\"1\",\"y\":\"2\"},\"fingerprint\":\"b\","
	    "\"startsAt\":\"2026-01-01T00:00:00Z\"},"
	    "{\"labels\":{\"x\":\"a\\\\\",\"y\":\"\"},\"fingerprint\":\"c\","
	    "\"startsAt\":\"2026-01-01T00:00:00Z\"}]", &l);
	k0 = am_group_key(&l.v[0], x_y, 2);
	k1 = am_group_key(&l.v[1], x_y, 2);
	k2 = am_group_key(&l.v[2], x_y, 2);
	assert_string_equal(k0, "x=1\\,y\\=2,y=");
	assert_string_equal(k1, "x=1,y=2");
	assert_string_equal(k2, "x=a\\\\,y=");
	free(k0);
	free(k1);
	free(k2);
	am_alerts_free(&l);
}

static void
test_big(void **state)
{
	struct am_alerts	 l;
	struct buf		 b;
	char			*body, *cause = NULL;
	size_t			 i, len;

	(void)state;
	buf_init(&b);
	buf_addch(&b, '[');
	for (i = 0; i < 100000; i++) {
		buf_printf(&b, "%s{\"annotations\":{\"summary\":\"target %zu down\"},"
		    "\"endsAt\":\"2026-11-23T21:12:48.123Z\","
		    "\"fingerprint\":\"%016zx\",\"receivers\":[],"
		    "\"startsAt\":\"2026-11-23T21:%02zu:%02zu.%03zuZ\","
		    "\"status\":{\"inhibitedBy\":[],\"silencedBy\":[],"
		    "\"state\":\"active\"},\"updatedAt\":\"2026-11-23T21:08:18Z\","
		    "\"generatorURL\":\"http://prometheus:9090/graph?g0.expr=up\","
		    "\"labels\":{\"alertname\":\"TargetDown\",\"job\":\"node\","
		    "\"instance\":\"10.%zu.%zu.%zu:9100\",\"service\":\"svc-%zu\"}}",
		    i ? "," : "", i, (size_t)(i * 0x9e3779b97f4a7c15ULL), (i / 60) % 60,
		    i % 60, i % 1000, i >> 16, (i >> 8) & 0xff, i & 0xff, i % 100);
	}
	buf_addch(&b, ']');
	len = b.len;
	body = buf_take(&b);
	assert_true(len >= 30 * 1000 * 1000);

	assert_int_equal(am_parse(body, len, &l, &cause), 0);
	assert_null(cause);
	assert_int_equal(l.n, 100000);
	assert_string_equal(am_label(&l.v[99999], "instance"), "10.1.134.159:9100");
	assert_string_equal(am_label(&l.v[12345], "service"), "svc-45");
	assert_string_equal(am_annotation(&l.v[99999], "summary"),
	    "target 99999 down");
	assert_int_equal(l.v[54321].nlabels, 4);
	assert_true(near(l.v[61].starts_at, 1795467661.061));
	am_alerts_free(&l);
	free(body);
}

/* xorshift64*: the same sequence on every libc. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void
test_mutations(void **state)
{
	static const char	 special[] =
	    "{}[]\",:0123456789.eE+-tfnulTZ\\ \x00\xff";
	const char		*bases[3];
	struct am_alerts	 l;
	uint64_t		 seed = 0xa1e27a5eedULL;
	char			*buf, *cause;
	size_t			 len, cap, base_len, pos, n, i, k, j;
	int			 rc, ok = 0, fail = 0;
	unsigned char		 c;

	(void)state;
	bases[0] = reply_body;
	bases[1] = "[" MIN_ALERT "," MIN_ALERT "]";
	bases[2] = "[{\"labels\":{\"alertname\":\"A\"},\"annotations\":"
	    "{\"s\":\"x\"},\"fingerprint\":\"0a\",\"startsAt\":"
	    "\"2026-01-01T00:00:00.5+01:00\",\"endsAt\":\"0001-01-01T00:00:00Z\","
	    "\"status\":{\"state\":\"active\"},\"generatorURL\":\"u\"}]";
	cap = sizeof reply_body + 64;
	buf = malloc(cap);
	assert_non_null(buf);

	for (i = 0; i < 20000; i++) {
		k = rnd(&seed) % 3;
		base_len = strlen(bases[k]);
		memcpy(buf, bases[k], base_len);
		len = base_len;
		n = 1 + rnd(&seed) % 4;
		for (j = 0; j < n; j++) {
			pos = len == 0 ? 0 : rnd(&seed) % len;
			c = rnd(&seed) % 2 ?
			    (unsigned char)special[rnd(&seed) % (sizeof special - 1)] :
			    (unsigned char)rnd(&seed);
			switch (rnd(&seed) % 4) {
			case 0:
				if (len > 0)
					buf[pos] ^= (char)(1u << (rnd(&seed) % 8));
				break;
			case 1:
				if (len > 0)
					buf[pos] = (char)c;
				break;
			case 2:
				if (len < cap) {
					memmove(buf + pos + 1, buf + pos, len - pos);
					buf[pos] = (char)c;
					len++;
				}
				break;
			default:
				if (len > 0) {
					k = 1 + rnd(&seed) % 8;
					if (k > len - pos)
						k = len - pos;
					memmove(buf + pos, buf + pos + k, len - pos - k);
					len -= k;
				}
				break;
			}
		}
		cause = NULL;
		rc = am_parse(buf, len, &l, &cause);
		if (rc == 0) {
			assert_null(cause);
			check_consistent(&l);
			ok++;
		} else {
			assert_int_equal(rc, -1);
			check_cause(cause);
			assert_true(all_zero(&l));
			fail++;
		}
		am_alerts_free(&l);
		assert_true(all_zero(&l));
		free(cause);
	}
	/* The mutations exercise both outcomes. */
	assert_true(ok > 100);
	assert_true(fail > 100);
	free(buf);
}

static void
test_alerts_free(void **state)
{
	struct am_alerts	l;

	(void)state;
	memset(&l, 0, sizeof l);
	am_alerts_free(&l);
	am_alerts_free(&l);
	am_alerts_free(NULL);
	assert_true(all_zero(&l));
	parse_ok(reply_body, &l);
	am_alerts_free(&l);
	am_alerts_free(&l);
	assert_true(all_zero(&l));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_optional),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_not_list),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_group_key),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_alerts_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
