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

#include "backend/buf.h"
#include "backend/prom.h"

/* The instant query example of the Prometheus HTTP API documentation, plus a third series. */
static const char vector_body[] =
    "{\n"
    "   \"status\" : \"success\",\n"
    "   \"data\" : {\n"
    "      \"resultType\" : \"vector\",\n"
    "      \"result\" : [\n"
    "         {\n"
    "            \"metric\" : {\n"
    "               \"__name__\" : \"up\",\n"
    "               \"job\" : \"prometheus\",\n"
    "               \"instance\" : \"localhost:9090\"\n"
    "            },\n"
    "            \"value\": [ 1435781451.781, \"1\" ]\n"
    "         },\n"
    "         {\n"
    "            \"metric\" : {\n"
    "               \"__name__\" : \"up\",\n"
    "               \"job\" : \"node\",\n"
    "               \"instance\" : \"localhost:9100\"\n"
    "            },\n"
    "            \"value\" : [ 1435781451.781, \"0\" ]\n"
    "         },\n"
    "         {\n"
    "            \"metric\" : { \"job\" : \"api\", \"code\" : \"500\" },\n"
    "            \"value\" : [ 1435781451, \"0.25\" ]\n"
    "         }\n"
    "      ]\n"
    "   }\n"
    "}\n";

/* The range query example of the documentation. */
static const char matrix_body[] =
    "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
    "{\"metric\":{\"__name__\":\"up\",\"job\":\"prometheus\","
    "\"instance\":\"localhost:9090\"},\"values\":["
    "[1435781430.781,\"1\"],[1435781445.781,\"1\"],[1435781460.781,\"1\"]]},"
    "{\"metric\":{\"__name__\":\"up\",\"job\":\"node\","
    "\"instance\":\"localhost:9091\"},\"values\":["
    "[1435781430.781,\"0\"],[1435781445.781,\"0\"],[1435781460.781,\"1\"]]}"
    "]},\"warnings\":[\"partial\"]}";

static const char error_body[] =
    "{\"status\":\"error\",\"errorType\":\"bad_data\","
    "\"error\":\"invalid parameter \\\"query\\\": 1:1: parse error\"}";

/* Parses a NUL-terminated body and expects success. */
static void
parse_ok(const char *body, struct prom_response *r)
{
	char	*cause = NULL;
	int	 rc;

	rc = prom_parse(body, strlen(body), r, &cause);
	if (rc != 0)
		print_error("unexpected failure: %s\n", cause);
	assert_int_equal(rc, 0);
	assert_null(cause);
}

static int
all_zero(const struct prom_response *r)
{
	return r->ok == 0 && r->type == 0 && r->series == NULL &&
	    r->nseries == 0 && r->error_type == NULL && r->error == NULL &&
	    r->warnings == NULL && r->nwarnings == 0;
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

/* Parses len bytes and expects failure with exactly the given cause (or prefix). */
static void
parse_fail_len(const char *body, size_t len, const char *want, int prefix)
{
	struct prom_response	 r;
	char			*cause = NULL;

	memset(&r, 0xa5, sizeof r);
	assert_int_equal(prom_parse(body, len, &r, &cause), -1);
	check_cause(cause);
	if (prefix) {
		if (strncmp(cause, want, strlen(want)) != 0)
			print_error("cause: %s\n", cause);
		assert_true(strncmp(cause, want, strlen(want)) == 0);
	} else
		assert_string_equal(cause, want);
	assert_true(all_zero(&r));
	prom_response_free(&r);
	free(cause);
}

static void
parse_fail(const char *body, const char *want)
{
	parse_fail_len(body, strlen(body), want, 0);
}

/* A success reply with a vector result of the given elements. */
static char *
vector_of(const char *elements)
{
	struct buf	b;

	buf_init(&b);
	buf_printf(&b, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[%s]}}", elements);
	return buf_take(&b);
}

static void
check_vector_fail(const char *elements, const char *want)
{
	char	*body = vector_of(elements);

	parse_fail(body, want);
	free(body);
}

/* Parses a vector with one sample of value v and returns the value parsed. */
static int
vector_value(const char *v, double *out)
{
	struct prom_response	 r;
	struct buf		 b;
	char			*body, *cause = NULL;
	int			 rc;

	buf_init(&b);
	buf_printf(&b, "{\"metric\":{},\"value\":[1,\"%s\"]}", v);
	body = vector_of(b.data);
	buf_free(&b);
	rc = prom_parse(body, strlen(body), &r, &cause);
	if (rc == 0) {
		assert_int_equal(r.nseries, 1);
		assert_int_equal(r.series[0].nsamples, 1);
		*out = r.series[0].samples[0].v;
	} else
		check_cause(cause);
	prom_response_free(&r);
	free(cause);
	free(body);
	return rc;
}

/* Checks the invariants every successful parse keeps. */
static void
check_consistent(const struct prom_response *r)
{
	const struct prom_series	*s;
	size_t				 i, j;

	assert_true(r->ok == 0 || r->ok == 1);
	assert_true(r->type >= PROM_VECTOR && r->type <= PROM_STRING);
	assert_true((r->series == NULL) == (r->nseries == 0));
	assert_true((r->warnings == NULL) == (r->nwarnings == 0));
	for (i = 0; i < r->nwarnings; i++)
		assert_non_null(r->warnings[i]);
	if (!r->ok) {
		assert_non_null(r->error_type);
		assert_non_null(r->error);
		assert_int_equal(r->nseries, 0);
		return;
	}
	assert_null(r->error_type);
	assert_null(r->error);
	if (r->type == PROM_SCALAR || r->type == PROM_STRING)
		assert_int_equal(r->nseries, 1);
	for (i = 0; i < r->nseries; i++) {
		s = &r->series[i];
		assert_true((s->labels == NULL) == (s->nlabels == 0));
		for (j = 0; j < 2 * s->nlabels; j++)
			assert_non_null(s->labels[j]);
		for (j = 1; j < s->nlabels; j++)
			assert_true(strcmp(s->labels[2 * j - 2], s->labels[2 * j]) < 0);
		if (r->type == PROM_MATRIX) {
			assert_true((s->samples == NULL) == (s->nsamples == 0));
			for (j = 1; j < s->nsamples; j++)
				assert_true(s->samples[j - 1].t <= s->samples[j].t);
		} else {
			assert_int_equal(s->nsamples, 1);
			assert_non_null(s->samples);
		}
		if (r->type == PROM_STRING) {
			assert_int_equal(s->nlabels, 1);
			assert_string_equal(s->labels[0], "__value__");
		}
	}
}

static void
test_vector(void **state)
{
	struct prom_response	 r;
	const struct prom_series *s;

	(void)state;
	parse_ok(vector_body, &r);
	check_consistent(&r);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.type, PROM_VECTOR);
	assert_int_equal(r.nseries, 3);
	assert_null(r.error);
	assert_null(r.error_type);
	assert_int_equal(r.nwarnings, 0);

	s = &r.series[0];
	assert_int_equal(s->nlabels, 3);
	/* Sorted by name. */
	assert_string_equal(s->labels[0], "__name__");
	assert_string_equal(s->labels[1], "up");
	assert_string_equal(s->labels[2], "instance");
	assert_string_equal(s->labels[3], "localhost:9090");
	assert_string_equal(s->labels[4], "job");
	assert_string_equal(s->labels[5], "prometheus");
	assert_int_equal(s->nsamples, 1);
	assert_true(s->samples[0].t == 1435781451.781);
	assert_true(s->samples[0].v == 1.0);
	assert_string_equal(prom_label(s, "job"), "prometheus");
	assert_string_equal(prom_label(s, "__name__"), "up");
	assert_null(prom_label(s, "missing"));
	assert_null(prom_label(s, "Job"));

	s = &r.series[1];
	assert_string_equal(prom_label(s, "instance"), "localhost:9100");
	assert_true(s->samples[0].v == 0.0);

	s = &r.series[2];
	assert_int_equal(s->nlabels, 2);
	assert_null(prom_label(s, "__name__"));
	assert_string_equal(prom_label(s, "code"), "500");
	assert_true(s->samples[0].t == 1435781451.0);
	assert_true(s->samples[0].v == 0.25);

	assert_null(prom_label(NULL, "job"));
	assert_null(prom_label(s, NULL));
	prom_response_free(&r);
	assert_true(all_zero(&r));
}

static void
test_matrix(void **state)
{
	struct prom_response	 r;
	struct buf		 b;
	char			*body;
	size_t			 i;

	(void)state;
	parse_ok(matrix_body, &r);
	check_consistent(&r);
	assert_int_equal(r.type, PROM_MATRIX);
	assert_int_equal(r.nseries, 2);
	assert_int_equal(r.series[1].nsamples, 3);
	assert_true(r.series[1].samples[0].t == 1435781430.781);
	assert_true(r.series[1].samples[2].v == 1.0);
	assert_string_equal(prom_label(&r.series[1], "instance"), "localhost:9091");
	assert_int_equal(r.nwarnings, 1);
	assert_string_equal(r.warnings[0], "partial");
	prom_response_free(&r);

	/* Many samples, kept in order. */
	buf_init(&b);
	buf_addstr(&b, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"matrix\",\"result\":[{\"metric\":{\"job\":\"x\"},\"values\":[");
	for (i = 0; i < 5000; i++)
		buf_printf(&b, "%s[%zu.5,\"%zu\"]", i ? "," : "", 1700000000 + 15 * i, i);
	buf_addstr(&b, "]}]}}");
	body = buf_take(&b);
	parse_ok(body, &r);
	check_consistent(&r);
	assert_int_equal(r.nseries, 1);
	assert_int_equal(r.series[0].nsamples, 5000);
	for (i = 0; i < 5000; i++) {
		assert_true(r.series[0].samples[i].t == 1700000000.5 + 15.0 * i);
		assert_true(r.series[0].samples[i].v == (double)i);
	}
	prom_response_free(&r);
	free(body);

	/* Out of order (a merging proxy): sorted by time. */
	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{},\"values\":[[3,\"3\"],[1,\"1\"],[2,\"2\"]]}]}}",
	    &r);
	check_consistent(&r);
	assert_true(r.series[0].samples[0].v == 1.0);
	assert_true(r.series[0].samples[2].v == 3.0);
	assert_int_equal(r.series[0].nlabels, 0);
	assert_null(r.series[0].labels);
	prom_response_free(&r);

	/* An empty values array is a series with no samples. */
	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{\"a\":\"b\"},\"values\":[]}]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.nseries, 1);
	assert_int_equal(r.series[0].nsamples, 0);
	prom_response_free(&r);
}

static void
test_scalar(void **state)
{
	struct prom_response	r;

	(void)state;
	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[1435781451.781,\"42.5\"]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.type, PROM_SCALAR);
	assert_int_equal(r.nseries, 1);
	assert_int_equal(r.series[0].nlabels, 0);
	assert_int_equal(r.series[0].nsamples, 1);
	assert_true(r.series[0].samples[0].t == 1435781451.781);
	assert_true(r.series[0].samples[0].v == 42.5);
	prom_response_free(&r);
}

static void
test_string(void **state)
{
	struct prom_response	r;

	(void)state;
	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
	    "\"result\":[1435781451.781,\"hello \\u00e9\"]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.type, PROM_STRING);
	assert_int_equal(r.nseries, 1);
	assert_string_equal(prom_label(&r.series[0], "__value__"),
	    "hello \xc3\xa9");
	assert_true(r.series[0].samples[0].t == 1435781451.781);
	assert_true(isnan(r.series[0].samples[0].v));
	prom_response_free(&r);
}

static void
test_special_values(void **state)
{
	struct prom_response	r;

	(void)state;
	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":["
	    "{\"metric\":{\"i\":\"0\"},\"value\":[1,\"NaN\"]},"
	    "{\"metric\":{\"i\":\"1\"},\"value\":[1,\"+Inf\"]},"
	    "{\"metric\":{\"i\":\"2\"},\"value\":[1,\"-Inf\"]},"
	    "{\"metric\":{\"i\":\"3\"},\"value\":[1,\"Inf\"]}]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.nseries, 4);
	assert_true(isnan(r.series[0].samples[0].v));
	assert_true(isinf(r.series[1].samples[0].v) && r.series[1].samples[0].v > 0);
	assert_true(isinf(r.series[2].samples[0].v) && r.series[2].samples[0].v < 0);
	assert_true(isinf(r.series[3].samples[0].v) && r.series[3].samples[0].v > 0);
	prom_response_free(&r);
}

static void
test_error(void **state)
{
	struct prom_response	r;

	(void)state;
	parse_ok(error_body, &r);
	check_consistent(&r);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.error_type, "bad_data");
	assert_string_equal(r.error,
	    "invalid parameter \"query\": 1:1: parse error");
	assert_int_equal(r.nseries, 0);
	prom_response_free(&r);

	/* Missing or odd fields become empty strings; data may be present. */
	parse_ok("{\"status\":\"error\",\"errorType\":7,\"data\":{\"x\":1},"
	    "\"warnings\":[\"w1\",2,\"w2\"]}", &r);
	check_consistent(&r);
	assert_int_equal(r.ok, 0);
	assert_string_equal(r.error_type, "");
	assert_string_equal(r.error, "");
	assert_int_equal(r.nwarnings, 2);
	assert_string_equal(r.warnings[0], "w1");
	assert_string_equal(r.warnings[1], "w2");
	prom_response_free(&r);

	parse_ok("{\"status\":\"error\",\"errorType\":\"timeout\","
	    "\"error\":\"query timed out in expression evaluation\"}", &r);
	assert_string_equal(r.error_type, "timeout");
	prom_response_free(&r);
}

static void
test_warnings(void **state)
{
	struct prom_response	r;

	(void)state;
	parse_ok("{\"status\":\"success\",\"warnings\":[\"remote read: "
	    "partial data\",\"store 2 unreachable\"],\"infos\":[\"i\"],"
	    "\"data\":{\"resultType\":\"vector\",\"result\":["
	    "{\"metric\":{},\"value\":[1,\"1\"]}]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.nseries, 1);
	assert_int_equal(r.nwarnings, 2);
	assert_string_equal(r.warnings[0], "remote read: partial data");
	assert_string_equal(r.warnings[1], "store 2 unreachable");
	prom_response_free(&r);

	/* A warnings member that is not an array is ignored. */
	parse_ok("{\"status\":\"success\",\"warnings\":\"x\",\"data\":"
	    "{\"resultType\":\"vector\",\"result\":[]}}", &r);
	assert_int_equal(r.nwarnings, 0);
	prom_response_free(&r);
}

static void
test_empty(void **state)
{
	struct prom_response	r;

	(void)state;
	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.type, PROM_VECTOR);
	assert_int_equal(r.nseries, 0);
	assert_null(r.series);
	prom_response_free(&r);
}

static void
test_histograms(void **state)
{
	struct prom_response	r;

	(void)state;
	/* Native histogram samples are skipped, float samples kept. */
	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":["
	    "{\"metric\":{\"a\":\"h\"},\"histogram\":[1,{\"count\":\"3\","
	    "\"sum\":\"2\",\"buckets\":[[1,\"0\",\"1\",\"3\"]]}]},"
	    "{\"metric\":{\"a\":\"f\"},\"value\":[1,\"5\"]}]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.nseries, 1);
	assert_string_equal(prom_label(&r.series[0], "a"), "f");
	prom_response_free(&r);

	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":["
	    "{\"metric\":{\"a\":\"h\"},\"histograms\":[[1,{\"count\":\"3\"}]]},"
	    "{\"metric\":{\"a\":\"m\"},\"values\":[[1,\"1\"]],"
	    "\"histograms\":[[2,{\"count\":\"3\"}]]}]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.nseries, 1);
	assert_string_equal(prom_label(&r.series[0], "a"), "m");
	assert_int_equal(r.series[0].nsamples, 1);
	prom_response_free(&r);

	/* Only histograms: no series at all. */
	parse_ok("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":[{\"metric\":{},\"histogram\":[1,{}]}]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.nseries, 0);
	assert_null(r.series);
	prom_response_free(&r);
}

static void
test_duplicates(void **state)
{
	struct prom_response	r;

	(void)state;
	/* cJSON takes the first of duplicate keys; so do labels. */
	parse_ok("{\"status\":\"success\",\"status\":\"error\",\"data\":"
	    "{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"job\":\"a\","
	    "\"x\":\"1\",\"job\":\"b\",\"job\":\"c\"},\"value\":[1,\"1\"]}]}}", &r);
	check_consistent(&r);
	assert_int_equal(r.ok, 1);
	assert_int_equal(r.series[0].nlabels, 2);
	assert_string_equal(prom_label(&r.series[0], "job"), "a");
	prom_response_free(&r);
}

static void
test_not_json(void **state)
{
	static const char	html[] =
	    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
	    "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
	    "<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n";
	struct prom_response	 r;
	char			*cause = NULL, big[4096];

	(void)state;
	parse_fail_len(html, strlen(html), "not JSON", 1);

	/* The cause quotes at most 64 bytes, escaped. */
	memset(&r, 0, sizeof r);
	assert_int_equal(prom_parse(html, strlen(html), &r, &cause), -1);
	assert_non_null(strstr(cause, "<html>\\x0d\\x0a<head>"));
	assert_null(strstr(cause, "nginx"));
	free(cause);

	memset(big, 'A', sizeof big);
	big[0] = '\x1b';
	big[1] = ']';
	parse_fail_len(big, sizeof big, "not JSON", 1);

	parse_fail_len("", 0, "not JSON", 1);
	parse_fail_len(NULL, 0, "not JSON", 1);
	parse_fail_len("   \n", 4, "not JSON", 1);
	parse_fail_len("{\"status\":\"success\"", 19, "not JSON", 1);
	parse_fail_len("{\"status\":\"success\"} x", 22, "not JSON", 1);
	parse_fail_len("{} {}", 5, "not JSON", 1);
	/* An embedded NUL: cJSON would stop early. */
	parse_fail_len("{\"status\":\"error\"}\0garbage", 26, "not JSON", 1);
	parse_fail_len("{\"status\":\"er\0ror\"}", 19, "not JSON", 1);
	/* Deep nesting is refused by cJSON. */
	{
		char	deep[3000];

		memset(deep, '[', sizeof deep);
		parse_fail_len(deep, sizeof deep, "not JSON", 1);
	}
	/* Trailing whitespace is fine; len bounds the body. */
	parse_ok("{\"status\":\"error\"} \r\n\t", &r);
	prom_response_free(&r);
	assert_int_equal(prom_parse("{\"status\":\"error\"}xyz", 18, &r,
	    &cause), 0);
	prom_response_free(&r);
}

static void
test_not_api(void **state)
{
	(void)state;
	parse_fail("{}", "not a Prometheus API response: no \"status\" string");
	parse_fail("[]", "not a Prometheus API response: not an object");
	parse_fail("42", "not a Prometheus API response: not an object");
	parse_fail("\"success\"", "not a Prometheus API response: not an object");
	parse_fail("{\"status\":\"weird\"}",
	    "not a Prometheus API response: status \"weird\"");
	parse_fail("{\"status\":1}",
	    "not a Prometheus API response: no \"status\" string");
	parse_fail("{\"status\":\"Success\"}",
	    "not a Prometheus API response: status \"Success\"");
	parse_fail("{\"status\":\"\\u001b[2Jxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
	    "not a Prometheus API response: status "
	    "\"\\x1b[2Jxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"...");
}

/* The label look-ups answer a list of strings; a long one is kept up to PROM_MAX_VALUES. */
static void
test_list(void **state)
{
	struct prom_response	 r;
	struct buf		 b;
	char			*cause = NULL;
	size_t			 i;

	(void)state;
	assert_int_equal(prom_parse("{\"status\":\"success\",\"data\":[]}", 30, &r, &cause), 0);
	assert_int_equal(r.type, PROM_LIST);
	assert_int_equal(r.nvalues, 0);
	prom_response_free(&r);
	buf_init(&b);
	buf_addstr(&b, "{\"status\":\"success\",\"data\":[\"error_type\"");
	for (i = 1; i < PROM_MAX_VALUES + 5; i++)
		buf_printf(&b, ",\"v%zu\"", i);
	buf_addstr(&b, "]}");
	assert_int_equal(prom_parse(b.data, b.len, &r, &cause), 0);
	buf_free(&b);
	assert_int_equal(r.type, PROM_LIST);
	assert_int_equal(r.nvalues, PROM_MAX_VALUES);
	assert_int_equal(r.nvalues_total, PROM_MAX_VALUES + 5);
	assert_string_equal(r.values[0], "error_type");
	assert_string_equal(r.values[PROM_MAX_VALUES - 1], "v999");
	prom_response_free(&r);
}

static void
test_shape_errors(void **state)
{
	static const struct {
		const char	*elements;
		const char	*cause;
	} vec[] = {
		{ "1", "data.result[0]: not an object" },
		{ "{\"metric\":{}}", "data.result[0]: no value" },
		{ "{\"metric\":{},\"value\":[1,\"1\"]},{\"metric\":[],\"value\":[1,\"1\"]}",
		  "data.result[1].metric: not an object" },
		{ "{\"value\":[1,\"1\"]}", "data.result[0].metric: not an object" },
		{ "{\"metric\":{\"job\":1},\"value\":[1,\"1\"]}",
		  "data.result[0].metric[\"job\"]: not a string" },
		{ "{\"metric\":{\"job\":null},\"value\":[1,\"1\"]}",
		  "data.result[0].metric[\"job\"]: not a string" },
		{ "{\"metric\":{},\"value\":\"1\"}",
		  "data.result[0].value: not an array of 2" },
		{ "{\"metric\":{},\"value\":[1]}",
		  "data.result[0].value: not an array of 2" },
		{ "{\"metric\":{},\"value\":[1,\"1\",2]}",
		  "data.result[0].value: not an array of 2" },
		{ "{\"metric\":{},\"value\":[\"1\",\"1\"]}",
		  "data.result[0].value[0]: not a number" },
		{ "{\"metric\":{},\"value\":[1e999,\"1\"]}",
		  "data.result[0].value[0]: not a finite number" },
		{ "{\"metric\":{},\"value\":[1,\"1\"]},{\"metric\":{},\"value\":[1,\"1\"]},"
		  "{\"metric\":{},\"value\":[1,\"1\"]},{\"metric\":{},\"value\":[1,1]}",
		  "data.result[3].value[1]: not a string" },
		{ "{\"metric\":{},\"value\":[1,\"12abc\"]}",
		  "data.result[0].value[1]: bad sample value \"12abc\"" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof vec / sizeof vec[0]; i++)
		check_vector_fail(vec[i].elements, vec[i].cause);

	parse_fail("{\"status\":\"success\"}", "data: not an object");
	parse_fail("{\"status\":\"success\",\"data\":[\"a\",1]}", "data[1]: not a string");
	parse_fail("{\"status\":\"success\",\"data\":{}}",
	    "data.resultType: not a string");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"table\","
	    "\"result\":[]}}", "data.resultType: unknown type \"table\"");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\"}}",
	    "data.result: not an array");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	    "\"result\":{}}}", "data.result: not an array");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{},\"value\":[1,\"1\"]}]}}",
	    "data.result[0].values: not an array");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{},\"values\":[[1,\"1\"],[2,\"2\"],[3,3]]}]}}",
	    "data.result[0].values[2][1]: not a string");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{},\"values\":[[1,\"1\"],{}]}]}}",
	    "data.result[0].values[1]: not an array of 2");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	    "\"result\":[{\"metric\":{},\"values\":[]},{\"metric\":1,\"values\":[]}]}}",
	    "data.result[1].metric: not an object");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[]}}", "data.result: not an array of 2");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\"}}",
	    "data.result: not an array of 2");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[1,\"x\"]}}", "data.result[1]: bad sample value \"x\"");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	    "\"result\":[null,\"1\"]}}", "data.result[0]: not a number");
	parse_fail("{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
	    "\"result\":[1,2]}}", "data.result[1]: not a string");
	/* A hostile label name is escaped and cut. */
	check_vector_fail("{\"metric\":{\"\\u001b]52;c;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\":1},"
	    "\"value\":[1,\"1\"]}",
	    "data.result[0].metric[\"\\x1b]52;c;AAAAAAAAAAAAAAAAAAAAAAAAA\"...]: "
	    "not a string");
}

static void
test_values_in_body(void **state)
{
	double	v;

	(void)state;
	assert_int_equal(vector_value("1e3", &v), 0);
	assert_true(v == 1000.0);
	assert_int_equal(vector_value("-0.5", &v), 0);
	assert_true(v == -0.5);
	assert_int_equal(vector_value("1e-07", &v), 0);
	assert_true(v == 1e-7);
	assert_int_equal(vector_value("1.5e+21", &v), 0);
	assert_true(v == 1.5e21);
	assert_int_equal(vector_value("12abc", &v), -1);
	assert_int_equal(vector_value("", &v), -1);
	assert_int_equal(vector_value("0x10", &v), -1);
	assert_int_equal(vector_value("nan", &v), -1);
}

static void
test_prom_value(void **state)
{
	static const char	*bad[] = {
		"", " ", "1 ", " 1", "12abc", "abc", "0x1p3", "0x10", "nan", "inf",
		"-inf", "+inf", "NAN", "INF", "Infinity", "+NaN", "-NaN", "+", "-",
		".", "e5", "1e", "1e+", "1.2.3", "--1", "1,5", "1e999", "-1e999",
		"\t1", "1\n", "1_000",
	};
	double			 v;
	size_t			 i;

	(void)state;
	assert_int_equal(prom_value("1", &v), 0);
	assert_true(v == 1.0);
	assert_int_equal(prom_value("0", &v), 0);
	assert_true(v == 0.0);
	assert_int_equal(prom_value("-0", &v), 0);
	assert_true(v == 0.0 && signbit(v));
	assert_int_equal(prom_value("1e3", &v), 0);
	assert_true(v == 1000.0);
	assert_int_equal(prom_value("1E3", &v), 0);
	assert_true(v == 1000.0);
	assert_int_equal(prom_value("-0.5", &v), 0);
	assert_true(v == -0.5);
	assert_int_equal(prom_value("+2.5", &v), 0);
	assert_true(v == 2.5);
	assert_int_equal(prom_value(".5", &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(prom_value("5.", &v), 0);
	assert_true(v == 5.0);
	assert_int_equal(prom_value("1.7976931348623157e+308", &v), 0);
	assert_true(v == 1.7976931348623157e308);
	assert_int_equal(prom_value("5e-324", &v), 0);
	assert_true(v > 0.0);
	assert_int_equal(prom_value("1e-400", &v), 0);
	assert_true(v == 0.0);
	assert_int_equal(prom_value("12345678901234567890", &v), 0);
	assert_true(v == 12345678901234567890.0);
	assert_int_equal(prom_value("NaN", &v), 0);
	assert_true(isnan(v));
	assert_int_equal(prom_value("+Inf", &v), 0);
	assert_true(isinf(v) && v > 0);
	assert_int_equal(prom_value("Inf", &v), 0);
	assert_true(isinf(v) && v > 0);
	assert_int_equal(prom_value("-Inf", &v), 0);
	assert_true(isinf(v) && v < 0);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = 42.0;
		if (prom_value(bad[i], &v) != -1)
			print_error("accepted \"%s\"\n", bad[i]);
		assert_int_equal(prom_value(bad[i], &v), -1);
		assert_true(v == 42.0);
	}
	assert_int_equal(prom_value(NULL, &v), -1);
}

static void
test_big(void **state)
{
	struct prom_response	 r;
	struct buf		 b;
	char			*body, *cause = NULL;
	size_t			 i, len;

	(void)state;
	buf_init(&b);
	buf_addstr(&b, "{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[");
	for (i = 0; i < 100000; i++) {
		buf_printf(&b, "%s{\"metric\":{\"__name__\":\"http_requests_total\","
		    "\"job\":\"api-server\",\"instance\":\"10.%zu.%zu.%zu:9100\","
		    "\"handler\":\"/api/v1/query_range\",\"series\":\"%zu\"},"
		    "\"value\":[1700000000.123,\"%zu.25\"]}",
		    i ? "," : "", i >> 16, (i >> 8) & 0xff, i & 0xff, i, i);
	}
	buf_addstr(&b, "]}}");
	len = b.len;
	body = buf_take(&b);
	assert_true(len >= 10 * 1000 * 1000);

	assert_int_equal(prom_parse(body, len, &r, &cause), 0);
	assert_null(cause);
	assert_int_equal(r.nseries, 100000);
	assert_string_equal(prom_label(&r.series[99999], "series"), "99999");
	assert_true(r.series[99999].samples[0].v == 99999.25);
	assert_int_equal(r.series[12345].nlabels, 5);
	prom_response_free(&r);
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
	static const char	 special[] = "{}[]\",:0123456789.eE+-tfnul\\ \x00\xff";
	const char		*bases[5];
	struct prom_response	 r;
	uint64_t		 seed = 0x5eed1e175a4dULL;
	char			*buf, *cause, *scalar, *string;
	size_t			 len, cap, base_len, pos, n, i, k, j;
	int			 rc, ok = 0, fail = 0;
	unsigned char		 c;

	(void)state;
	scalar = strdup("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"scalar\",\"result\":[1435781451.781,\"1\"]}}");
	string = strdup("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"string\",\"result\":[1435781451.781,\"s\"]}}");
	assert_non_null(scalar);
	assert_non_null(string);
	bases[0] = vector_body;
	bases[1] = matrix_body;
	bases[2] = error_body;
	bases[3] = scalar;
	bases[4] = string;
	cap = sizeof vector_body + 64;
	buf = malloc(cap);
	assert_non_null(buf);

	for (i = 0; i < 20000; i++) {
		k = rnd(&seed) % 5;
		base_len = strlen(bases[k]);
		memcpy(buf, bases[k], base_len);
		len = base_len;
		n = 1 + rnd(&seed) % 4;
		for (j = 0; j < n; j++) {
			pos = len == 0 ? 0 : rnd(&seed) % len;
			c = rnd(&seed) % 2 ? special[rnd(&seed) % (sizeof special - 1)] :
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
		rc = prom_parse(buf, len, &r, &cause);
		if (rc == 0) {
			assert_null(cause);
			check_consistent(&r);
			ok++;
		} else {
			assert_int_equal(rc, -1);
			check_cause(cause);
			assert_true(all_zero(&r));
			fail++;
		}
		prom_response_free(&r);
		assert_true(all_zero(&r));
		free(cause);
	}
	/* The mutations exercise both outcomes. */
	assert_true(ok > 100);
	assert_true(fail > 100);
	free(buf);
	free(scalar);
	free(string);
}

static void
test_response_free(void **state)
{
	struct prom_response	r;

	(void)state;
	memset(&r, 0, sizeof r);
	prom_response_free(&r);
	prom_response_free(&r);
	prom_response_free(NULL);
	assert_true(all_zero(&r));
	parse_ok(matrix_body, &r);
	prom_response_free(&r);
	prom_response_free(&r);
	assert_true(all_zero(&r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_scalar),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_histograms),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_not_api),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_values_in_body),
		cmocka_unit_test(test_prom_value),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_response_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
