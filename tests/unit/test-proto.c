/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/proto.h"

/* Expects the next line to be want. */
static void
expect_line(struct linebuf *lb, const char *want)
{
	const char	*line = NULL;
	size_t		 len = (size_t)-1;

	assert_int_equal(linebuf_next(lb, &line, &len), LINE_OK);
	assert_non_null(line);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(line, want, len);
	assert_int_equal(line[len], '\0');
}

static void
expect_none(struct linebuf *lb)
{
	const char	*line;
	size_t		 len;

	assert_int_equal(linebuf_next(lb, &line, &len), LINE_NONE);
}

static void
expect_too_long(struct linebuf *lb)
{
	const char	*line;
	size_t		 len;

	assert_int_equal(linebuf_next(lb, &line, &len), LINE_TOO_LONG);
}

static void
feed_str(struct linebuf *lb, const char *s)
{
	linebuf_feed(lb, s, strlen(s));
}

/* A string of n copies of c. */
static char *
repeat(char c, size_t n)
{
	char	*s;

	s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void
test_linebuf_empty(void **state)
{
	struct linebuf	lb;

	(void)state;
	linebuf_init(&lb, 64);
	expect_none(&lb);
	linebuf_feed(&lb, "", 0);
	expect_none(&lb);
	linebuf_free(&lb);
}

static void
test_linebuf_byte_by_byte(void **state)
{
	struct linebuf	 lb;
	const char	*in = "{\"op\":\"status\"}\nsecond line\n";
	size_t		 i, nlines = 0;
	const char	*line;
	size_t		 len;
	enum line_result r;

	(void)state;
	linebuf_init(&lb, 64);
	for (i = 0; in[i] != '\0'; i++) {
		linebuf_feed(&lb, in + i, 1);
		r = linebuf_next(&lb, &line, &len);
		if (in[i] != '\n') {
			assert_int_equal(r, LINE_NONE);
			continue;
		}
		assert_int_equal(r, LINE_OK);
		if (nlines == 0)
			assert_string_equal(line, "{\"op\":\"status\"}");
		else
			assert_string_equal(line, "second line");
		nlines++;
		expect_none(&lb);
	}
	assert_int_equal(nlines, 2);
	linebuf_free(&lb);
}

static void
test_linebuf_several_in_one_feed(void **state)
{
	struct linebuf	lb;

	(void)state;
	linebuf_init(&lb, 64);
	feed_str(&lb, "one\ntwo\nthree\nfour");
	expect_line(&lb, "one");
	expect_line(&lb, "two");
	expect_line(&lb, "three");
	expect_none(&lb);
	/* The partial line survives the next feed. */
	feed_str(&lb, "-and-more\nfive\n");
	expect_line(&lb, "four-and-more");
	expect_line(&lb, "five");
	expect_none(&lb);
	linebuf_free(&lb);
}

static void
test_linebuf_crlf(void **state)
{
	struct linebuf	lb;

	(void)state;
	linebuf_init(&lb, 64);
	feed_str(&lb, "alpha\r\nbeta\r\n\r\ngamma\n");
	expect_line(&lb, "alpha");
	expect_line(&lb, "beta");
	expect_line(&lb, "");
	expect_line(&lb, "gamma");
	expect_none(&lb);
	/* CR and LF in different feeds. */
	feed_str(&lb, "delta\r");
	expect_none(&lb);
	feed_str(&lb, "\n");
	expect_line(&lb, "delta");
	/* Only one trailing CR is stripped; an inner CR stays. */
	feed_str(&lb, "a\rb\r\r\n");
	expect_line(&lb, "a\rb\r");
	expect_none(&lb);
	linebuf_free(&lb);
}

static void
test_linebuf_empty_lines(void **state)
{
	struct linebuf	 lb;
	const char	*line = NULL;
	size_t		 len = 99;

	(void)state;
	linebuf_init(&lb, 64);
	feed_str(&lb, "\n\nx\n\n");
	assert_int_equal(linebuf_next(&lb, &line, &len), LINE_OK);
	assert_int_equal(len, 0);
	assert_string_equal(line, "");
	expect_line(&lb, "");
	expect_line(&lb, "x");
	expect_line(&lb, "");
	expect_none(&lb);
	linebuf_free(&lb);
}

static void
test_linebuf_exact_max(void **state)
{
	struct linebuf	 lb;
	char		*max = repeat('m', 32), *over = repeat('o', 33), *over2 = repeat('o', 34);
	size_t		 i;

	(void)state;
	linebuf_init(&lb, 32);

	/* In one feed. */
	linebuf_feed(&lb, max, 32);
	feed_str(&lb, "\n");
	expect_line(&lb, max);
	expect_none(&lb);

	/* Byte by byte. */
	for (i = 0; i < 32; i++) {
		linebuf_feed(&lb, max + i, 1);
		expect_none(&lb);
	}
	feed_str(&lb, "\n");
	expect_line(&lb, max);
	expect_none(&lb);

	/* max + 1 with its newline in the same feed, then a good line. */
	linebuf_feed(&lb, over, 33);
	feed_str(&lb, "\nafter\n");
	expect_too_long(&lb);
	expect_line(&lb, "after");
	expect_none(&lb);

	/* max + CRLF is a line of max bytes. */
	linebuf_feed(&lb, max, 32);
	feed_str(&lb, "\r");
	expect_none(&lb);
	feed_str(&lb, "\n");
	expect_line(&lb, max);
	expect_none(&lb);

	/*
	 * max + 2 bytes byte by byte: reported once, then the next line comes through. At
	 * max + 1 it may still be max bytes and a CR, so the report waits for one more.
	 */
	for (i = 0; i < 34; i++) {
		linebuf_feed(&lb, over2 + i, 1);
		if (i < 33)
			expect_none(&lb);
		else
			expect_too_long(&lb);
	}
	expect_none(&lb);
	feed_str(&lb, "\nnext\n");
	expect_line(&lb, "next");
	expect_none(&lb);

	free(max);
	free(over);
	free(over2);
	linebuf_free(&lb);
}

static void
test_linebuf_too_long_chunks(void **state)
{
	struct linebuf	 lb;
	char		*chunk = repeat('z', 10);
	const char	*line;
	size_t		 len;
	int		 i, too_long = 0;
	enum line_result r;

	(void)state;
	linebuf_init(&lb, 32);
	feed_str(&lb, "first\n");
	expect_line(&lb, "first");

	/* 1000 chunks of 10 bytes with no newline: one report only. */
	for (i = 0; i < 1000; i++) {
		linebuf_feed(&lb, chunk, 10);
		while ((r = linebuf_next(&lb, &line, &len)) != LINE_NONE) {
			assert_int_equal(r, LINE_TOO_LONG);
			too_long++;
		}
	}
	assert_int_equal(too_long, 1);
	/* The buffer did not keep the dropped bytes. */
	assert_true(lb.in.len - lb.pos <= 32);

	/* The tail of the long line and its newline, then good lines. */
	feed_str(&lb, "tail-of-long\nok\r\n");
	expect_line(&lb, "ok");
	expect_none(&lb);
	feed_str(&lb, "again\n");
	expect_line(&lb, "again");
	expect_none(&lb);

	/* A second over-long line is reported again, once. */
	too_long = 0;
	for (i = 0; i < 100; i++) {
		linebuf_feed(&lb, chunk, 10);
		while ((r = linebuf_next(&lb, &line, &len)) != LINE_NONE) {
			assert_int_equal(r, LINE_TOO_LONG);
			too_long++;
		}
	}
	feed_str(&lb, "\nlast\n");
	expect_line(&lb, "last");
	expect_none(&lb);
	assert_int_equal(too_long, 1);

	free(chunk);
	linebuf_free(&lb);
}

static void
test_linebuf_too_long_then_long_again(void **state)
{
	struct linebuf	 lb;
	char		*over = repeat('q', 40);

	(void)state;
	linebuf_init(&lb, 32);
	/* End of a dropped line, then straight into another over-long one. */
	linebuf_feed(&lb, over, 40);
	expect_too_long(&lb);
	feed_str(&lb, "end\n");
	linebuf_feed(&lb, over, 40);
	expect_too_long(&lb);
	expect_none(&lb);
	feed_str(&lb, "\nfine\n");
	expect_line(&lb, "fine");
	expect_none(&lb);
	free(over);
	linebuf_free(&lb);
}

/* Checks an error reply: ok false, the code, and the id as JSON text. */
static void
check_error(const cJSON *err, const char *code, const char *want_id)
{
	const cJSON	*ok, *e, *c, *m, *id;
	char		*s;

	assert_non_null(err);
	ok = cJSON_GetObjectItemCaseSensitive(err, "ok");
	assert_true(cJSON_IsFalse(ok));
	e = cJSON_GetObjectItemCaseSensitive(err, "error");
	assert_true(cJSON_IsObject(e));
	c = cJSON_GetObjectItemCaseSensitive(e, "code");
	assert_true(cJSON_IsString(c));
	assert_string_equal(c->valuestring, code);
	m = cJSON_GetObjectItemCaseSensitive(e, "message");
	assert_true(cJSON_IsString(m));
	assert_true(m->valuestring[0] != '\0');
	id = cJSON_GetObjectItemCaseSensitive(err, "id");
	assert_non_null(id);
	s = cJSON_PrintUnformatted(id);
	assert_non_null(s);
	assert_string_equal(s, want_id);
	cJSON_free(s);
}

/* Parses a line that must be refused as bad_request with the given id. */
static void
bad_len(const char *line, size_t len, const char *want_id)
{
	cJSON	*req, *err = NULL;

	req = proto_parse_request(line, len, &err);
	assert_null(req);
	check_error(err, "bad_request", want_id);
	cJSON_Delete(err);
}

static void
bad(const char *line, const char *want_id)
{
	bad_len(line, strlen(line), want_id);
}

static void
test_parse_valid(void **state)
{
	const char	*line = "{\"id\":1,\"op\":\"status\",\"args\":{\"x\":[1,2]}}";
	cJSON		*req, *err = (cJSON *)1;
	const cJSON	*op, *args;

	(void)state;
	req = proto_parse_request(line, strlen(line), &err);
	assert_non_null(req);
	assert_null(err);
	op = cJSON_GetObjectItemCaseSensitive(req, "op");
	assert_true(cJSON_IsString(op));
	assert_string_equal(op->valuestring, "status");
	args = cJSON_GetObjectItemCaseSensitive(req, "args");
	assert_true(cJSON_IsObject(args));
	cJSON_Delete(req);

	/* Trailing blanks are fine; the length is respected, not the NUL. */
	line = "{\"op\":\"a\"} \t{garbage";
	req = proto_parse_request(line, 12, &err);
	assert_non_null(req);
	assert_null(err);
	cJSON_Delete(req);
}

static void
test_parse_not_json(void **state)
{
	(void)state;
	bad("hello", "null");
	bad("", "null");
	bad("{", "null");
	bad("{\"op\":\"status\"", "null");
	bad("{\"op\":status}", "null");
	bad("{'op':'status'}", "null");
}

static void
test_parse_not_object(void **state)
{
	(void)state;
	bad("[]", "null");
	bad("[{\"op\":\"status\",\"id\":3}]", "null");
	bad("\"status\"", "null");
	bad("42", "null");
	bad("true", "null");
	bad("null", "null");
}

static void
test_parse_op(void **state)
{
	(void)state;
	bad("{}", "null");
	bad("{\"id\":7}", "7");
	bad("{\"id\":7,\"op\":\"\"}", "7");
	bad("{\"id\":\"x\",\"op\":3}", "\"x\"");
	bad("{\"op\":null}", "null");
	bad("{\"op\":[\"status\"]}", "null");
	bad("{\"op\":{\"name\":\"status\"}}", "null");
	bad("{\"OP\":\"status\"}", "null");
}

static void
test_parse_nul(void **state)
{
	const char	line[] = "{\"op\":\"st\0atus\"}";
	const char	line2[] = "{\"op\":\"status\"}\0";

	(void)state;
	bad_len(line, sizeof line - 1, "null");
	/* A NUL after the object is refused too, not silently cut. */
	bad_len(line2, sizeof line2 - 1, "null");
}

static void
test_parse_trailing(void **state)
{
	(void)state;
	bad("{\"op\":\"status\"}x", "null");
	bad("{\"op\":\"status\"} {\"op\":\"status\"}", "null");
	bad("{\"op\":\"status\"}}", "null");
	bad("{\"op\":\"status\"} ,", "null");
}

static void
test_parse_deep(void **state)
{
	char	*deep;
	size_t	 n = 100000, i;

	(void)state;
	deep = repeat('[', n);
	bad_len(deep, n, "null");
	free(deep);

	/* Nested objects, closed properly. */
	deep = malloc(n * 6 + 16);
	assert_non_null(deep);
	deep[0] = '\0';
	for (i = 0; i < n / 10; i++)
		memcpy(deep + i * 5, "{\"a\":", 5);
	memcpy(deep + (n / 10) * 5, "1", 1);
	for (i = 0; i < n / 10; i++)
		deep[(n / 10) * 5 + 1 + i] = '}';
	bad_len(deep, (n / 10) * 6 + 1, "null");
	free(deep);
}

/* Returns the id of a reply as JSON text; the caller frees. */
static char *
reply_id(const cJSON *reply)
{
	const cJSON	*id;
	char		*s, *copy;

	id = cJSON_GetObjectItemCaseSensitive(reply, "id");
	assert_non_null(id);
	s = cJSON_PrintUnformatted(id);
	assert_non_null(s);
	copy = strdup(s);
	cJSON_free(s);
	return copy;
}

static void
check_id_echo(const char *reqtext, const char *want)
{
	cJSON	*req, *reply, *err;
	char	*id;

	req = cJSON_Parse(reqtext);
	assert_non_null(req);

	reply = proto_reply(req);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok")));
	id = reply_id(reply);
	assert_string_equal(id, want);
	free(id);
	cJSON_Delete(reply);

	err = proto_error(req, "denied", "role %s may not %s", "viewer", "ack");
	check_error(err, "denied", want);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(err, "error"), "message")->valuestring,
	    "role viewer may not ack");
	cJSON_Delete(err);

	cJSON_Delete(req);
}

static void
test_id_echo(void **state)
{
	cJSON	*reply;
	char	*id;

	(void)state;
	check_id_echo("{\"op\":\"x\",\"id\":12}", "12");
	check_id_echo("{\"op\":\"x\",\"id\":-3.5}", "-3.5");
	check_id_echo("{\"op\":\"x\",\"id\":\"abc\"}", "\"abc\"");
	check_id_echo("{\"op\":\"x\",\"id\":\"\"}", "\"\"");
	check_id_echo("{\"op\":\"x\"}", "null");
	check_id_echo("{\"op\":\"x\",\"id\":{\"a\":1}}", "null");
	check_id_echo("{\"op\":\"x\",\"id\":[1]}", "null");
	check_id_echo("{\"op\":\"x\",\"id\":true}", "null");
	check_id_echo("{\"op\":\"x\",\"id\":null}", "null");

	/* No request at all. */
	reply = proto_reply(NULL);
	id = reply_id(reply);
	assert_string_equal(id, "null");
	free(id);
	cJSON_Delete(reply);
}

static void
test_parse_error_echoes_id(void **state)
{
	const char	*line = "{\"id\":\"req-9\",\"op\":\"\"}";
	cJSON		*req, *err;

	(void)state;
	req = proto_parse_request(line, strlen(line), &err);
	assert_null(req);
	check_error(err, "bad_request", "\"req-9\"");
	cJSON_Delete(err);
}

/* Serialises msg and checks it is exactly one line. */
static void
check_one_line(const cJSON *msg)
{
	char		*line;
	size_t		 len = 0;
	cJSON		*back;

	line = proto_line(msg, &len);
	assert_non_null(line);
	assert_int_equal(len, strlen(line));
	assert_true(len >= 2);
	assert_int_equal(line[len - 1], '\n');
	assert_null(memchr(line, '\n', len - 1));
	assert_null(memchr(line, '\r', len));
	/* It parses back to the same message. */
	back = cJSON_ParseWithLength(line, len - 1);
	assert_non_null(back);
	assert_true(cJSON_Compare(back, msg, 1));
	cJSON_Delete(back);
	free(line);
}

static void
test_proto_line(void **state)
{
	cJSON	*msg, *req;

	(void)state;
	msg = proto_event("alert.fired");
	cJSON_AddStringToObject(msg, "text", "line one\nline two\r\nthree\n");
	cJSON_AddStringToObject(msg, "new\nkey", "\n");
	check_one_line(msg);
	cJSON_Delete(msg);

	req = cJSON_Parse("{\"op\":\"x\",\"id\":5}");
	assert_non_null(req);
	msg = proto_error(req, "bad\ncode", "two\nlines%s", "\n");
	check_one_line(msg);
	cJSON_Delete(msg);
	msg = proto_reply(req);
	cJSON_AddItemToObject(msg, "list", cJSON_CreateArray());
	check_one_line(msg);
	cJSON_Delete(msg);
	cJSON_Delete(req);

	msg = cJSON_CreateObject();
	check_one_line(msg);
	cJSON_Delete(msg);
}

static void
test_proto_event(void **state)
{
	cJSON		*e;
	const cJSON	*name;

	(void)state;
	e = proto_event("incident.opened");
	name = cJSON_GetObjectItemCaseSensitive(e, "event");
	assert_true(cJSON_IsString(name));
	assert_string_equal(name->valuestring, "incident.opened");
	assert_null(cJSON_GetObjectItemCaseSensitive(e, "id"));
	cJSON_Delete(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linebuf_empty),
		cmocka_unit_test(test_linebuf_byte_by_byte),
		cmocka_unit_test(test_linebuf_several_in_one_feed),
		cmocka_unit_test(test_linebuf_crlf),
		cmocka_unit_test(test_linebuf_empty_lines),
		cmocka_unit_test(test_linebuf_exact_max),
		cmocka_unit_test(test_linebuf_too_long_chunks),
		cmocka_unit_test(test_linebuf_too_long_then_long_again),
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_not_json),
		cmocka_unit_test(test_parse_not_object),
		cmocka_unit_test(test_parse_op),
		cmocka_unit_test(test_parse_nul),
		cmocka_unit_test(test_parse_trailing),
		cmocka_unit_test(test_parse_deep),
		cmocka_unit_test(test_id_echo),
		cmocka_unit_test(test_parse_error_echoes_id),
		cmocka_unit_test(test_proto_line),
		cmocka_unit_test(test_proto_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
