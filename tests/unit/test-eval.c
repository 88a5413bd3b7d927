/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/buf.h"
#include "backend/eval.h"
#include "backend/http.h"
#include "backend/json.h"

#define TOKEN	"sk-test-0123456789abcdef"

/* Checks one assertion, given as JSON, against an answer. */
static void
check(const char *assertion, const char *answer, int want, const char *why_part)
{
	cJSON	*a = cJSON_Parse(assertion);
	char	*why = NULL;
	int	 got;

	assert_non_null(a);
	got = eval_assert(a, answer, &why);
	if (got != want)
		fail_msg("%s on \"%s\": got %d (%s), want %d", assertion, answer, got,
		    why != NULL ? why : "", want);
	if (want)
		assert_null(why);
	else {
		assert_non_null(why);
		if (why_part != NULL && strstr(why, why_part) == NULL)
			fail_msg("%s: why \"%s\" lacks \"%s\"", assertion, why, why_part);
	}
	free(why);
	cJSON_Delete(a);
}

static void
test_assert_kinds(void **state)
{
	(void)state;
	check("{\"contains\": \"Settings\"}", "Open Settings > Billing.", 1, NULL);
	check("{\"contains\": \"Settings\"}", "Open settings.", 0,
	    "does not contain \"Settings\"");
	check("{\"not_contains\": \"sorry\"}", "Here you go.", 1, NULL);
	check("{\"not_contains\": \"sorry\"}", "I am sorry.", 0, "contains \"sorry\"");
	check("{\"regex\": \"^Refund[s]? (are|is) \"}", "Refunds are free.", 1, NULL);
	check("{\"regex\": \"^Refund\"}", "A Refund", 0, "does not match");
	check("{\"regex\": \"free\\\\.$\"}", "Refunds are free.", 1, NULL);
	check("{\"regex\": \"free$\"}", "free of charge", 0, NULL);
	check("{\"max_chars\": 3}", "\xc3\xa4\xc3\xb6\xc3\xbc", 1, NULL);	/* äöü */
	check("{\"max_chars\": 2}", "\xc3\xa4\xc3\xb6\xc3\xbc", 0, "3 characters");
	check("{\"max_chars\": 5}", "", 1, NULL);
	check("{\"json_valid\": true}", " {\"a\": [1, 2]}\n", 1, NULL);
	check("{\"json_valid\": true}", "{\"a\": 1} and more", 0, "bytes after");
	check("{\"json_valid\": true}", "{\"a\": ", 0, "not valid JSON");
	check("{\"json_valid\": true}", "", 0, "not valid JSON");
	check("{\"equals\": \"Yes\"}", "  Yes\n", 1, NULL);
	check("{\"equals\": \" Yes \"}", "Yes", 1, NULL);
	check("{\"equals\": \"Yes\"}", "Yes.", 0, "does not equal \"Yes\"");
	check("{\"equals\": \"\"}", " \n", 1, NULL);
	/* A malformed assertion fails instead of passing. */
	check("{\"containz\": \"x\"}", "x", 0, "unknown assertion");
	check("{\"contains\": \"x\", \"regex\": \"x\"}", "x", 0, "one key");
}

static cJSON *
parse(const char *text, char **cause)
{
	*cause = NULL;
	return eval_parse(text, strlen(text), cause);
}

static void
test_parse_good(void **state)
{
	const char *text =
	    "\xef\xbb\xbf# refunds\n"
	    "\n"
	    "{\"id\": \"refund\", \"input\": \"How do I get a refund?\", \"repeat\": 3, "
	    "\"min_pass\": 2, \"assert\": [{\"contains\": \"Settings\"}, {\"max_chars\": 600}]}\r\n"
	    "   \t\n"
	    "  # indented comment\n"
	    "{\"id\": \"json\", \"input\": \"Status as JSON\", \"assert\": [{\"json_valid\": true}, "
	    "{\"regex\": \"^\\\\{\"}, {\"not_contains\": \"x\"}, {\"equals\": \"{}\"}]}";
	const cJSON	*c;
	cJSON		*cases;
	char		*cause;

	(void)state;
	cases = parse(text, &cause);
	if (cases == NULL)
		fail_msg("%s", cause);
	assert_int_equal(cJSON_GetArraySize(cases), 2);
	c = cJSON_GetArrayItem(cases, 0);
	assert_string_equal(json_str(c, "id", ""), "refund");
	assert_true(json_num(c, "repeat") == 3 && json_num(c, "min_pass") == 2);
	assert_true(json_num(c, "line") == 3);
	c = cJSON_GetArrayItem(cases, 1);
	assert_string_equal(json_str(c, "input", ""), "Status as JSON");
	assert_true(json_num(c, "repeat") == 1 && json_num(c, "min_pass") == 1);
	assert_true(json_num(c, "line") == 6);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(c, "assert")), 4);
	assert_int_equal(eval_total_runs(cases), 4);
	cJSON_Delete(cases);

	/* min_pass defaults to every run. */
	cases = parse("{\"id\":\"a\",\"input\":\"b\",\"repeat\":5,\"assert\":[{\"contains\":\"c\"}]}",
	    &cause);
	assert_non_null(cases);
	assert_true(json_num(cJSON_GetArrayItem(cases, 0), "min_pass") == 5);
	cJSON_Delete(cases);
}

/* Every problem, each with its line, in line order. */
static void
test_parse_bad(void **state)
{
	const char *text =
	    "{\"id\": \"ok\", \"input\": \"x\", \"assert\": [{\"contains\": \"y\"}]}\n"	/* 1 */
	    "{\"id\": \"broken\", \"input\": \n"						/* 2 */
	    "{\"input\": \"x\", \"assert\": [{\"contains\": \"y\"}]}\n"			/* 3 */
	    "{\"id\": \"ok\", \"input\": \"x\", \"assert\": [{\"contains\": \"y\"}]}\n"	/* 4 */
	    "# a comment\n"									/* 5 */
	    "{\"id\": \"k\", \"input\": \"x\", \"tags\": [], \"assert\": [{\"contains\": \"y\"}]}\n"
	    "{\"id\": \"u\", \"input\": \"x\", \"assert\": [{\"contains\": \"y\"}, "	/* 7 */
	    "{\"containz\": \"y\"}]}\n"
	    "{\"id\": \"r\", \"input\": \"x\", \"assert\": [{\"regex\": \"(unclosed\"}]}\n"
	    "{\"id\": \"z\", \"input\": \"x\", \"repeat\": 0, \"assert\": [{\"contains\": \"y\"}]}\n"
	    "{\"id\": \"m\", \"input\": \"x\", \"repeat\": 2, \"min_pass\": 3, "	/* 10 */
	    "\"assert\": [{\"contains\": \"y\"}]}\n"
	    "[1, 2]\n"									/* 11 */
	    "{\"id\": \"e\", \"input\": \"x\", \"assert\": []}\n"			/* 12 */
	    "{\"id\": \"n\", \"input\": \"x\", \"assert\": [{\"max_chars\": 0}, "	/* 13 */
	    "{\"json_valid\": false}]}\n"
	    "{\"id\": \"t\", \"input\": \"x\", \"assert\": [{\"contains\": \"y\"}]} {}\n";
	static const char *const want[] = {
		"evals.jsonl:2: not JSON (syntax error at column",
		"evals.jsonl:3: missing \"id\"",
		"evals.jsonl:4: duplicate id \"ok\" (first on line 1)",
		"evals.jsonl:6: unknown key \"tags\"",
		"evals.jsonl:7: assert[1]: unknown assertion \"containz\"",
		"evals.jsonl:8: assert[0]: regex \"(unclosed\": ",
		"evals.jsonl:9: repeat: expected an integer from 1 to 20",
		"evals.jsonl:10: min_pass: expected an integer from 1 to 2",
		"evals.jsonl:11: expected a JSON object",
		"evals.jsonl:12: assert: expected a non-empty array",
		"evals.jsonl:13: assert[0]: max_chars: expected an integer",
		"evals.jsonl:13: assert[1]: json_valid: expected true",
		"evals.jsonl:14: bytes after the JSON object",
	};
	char	*cause, *line, *save = NULL;
	size_t	 i = 0;

	(void)state;
	assert_null(parse(text, &cause));
	assert_non_null(cause);
	for (line = strtok_r(cause, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), i++) {
		if (i >= sizeof want / sizeof want[0])
			fail_msg("unexpected problem: %s", line);
		if (strncmp(line, want[i], strlen(want[i])) != 0)
			fail_msg("problem %zu: got \"%s\", want \"%s...\"", i, line, want[i]);
	}
	assert_int_equal(i, sizeof want / sizeof want[0]);
	free(cause);
}

static void
test_parse_empty(void **state)
{
	char *cause;

	(void)state;
	assert_null(parse("", &cause));
	assert_string_equal(cause, "evals.jsonl: no cases");
	free(cause);
	assert_null(parse("# only a comment\n\n   \n", &cause));
	assert_string_equal(cause, "evals.jsonl: no cases");
	free(cause);
}

static void
test_parse_limits(void **state)
{
	static const char nul[] = "# x\n{\"id\": \"a\",\0 \"input\": \"b\"}\n";
	struct buf	 b;
	char		*cause = NULL, *p;
	int		 i, lines;

	(void)state;
	assert_null(eval_parse(nul, sizeof nul - 1, &cause));
	assert_string_equal(cause, "evals.jsonl:2: NUL byte at column 12");
	free(cause);

	/* 150 bad lines: 99 shown and one line for the rest. */
	buf_init(&b);
	for (i = 0; i < 150; i++)
		buf_addstr(&b, "{\"id\": 1}\n");
	cause = NULL;
	assert_null(eval_parse(b.data, b.len, &cause));
	for (lines = 1, p = cause; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 100);
	assert_non_null(strstr(cause, "evals.jsonl:1: id: expected a non-empty string\n"));
	assert_non_null(strstr(cause, "\nevals.jsonl: 351 more problems not shown"));
	free(cause);

	/* Over 4 MiB. */
	buf_reset(&b);
	while (b.len <= 4 * 1024 * 1024)
		buf_addstr(&b, "# padding padding padding padding padding padding padding\n");
	cause = NULL;
	assert_null(eval_parse(b.data, b.len, &cause));
	assert_string_equal(cause, "evals.jsonl: larger than 4 MiB");
	free(cause);
	buf_free(&b);
}

static cJSON *
cases_of(const char *text)
{
	cJSON	*cases;
	char	*cause = NULL;

	if ((cases = eval_parse(text, strlen(text), &cause)) == NULL)
		fail_msg("%s", cause);
	return cases;
}

static void
target_init(struct eval_target *t, const char *url)
{
	memset(t, 0, sizeof *t);
	t->url = url;
	t->token = TOKEN;
	t->model = "gpt-test";
	t->temperature = -1;
	t->system = "You are terse.";
	t->concurrency = 4;
	t->timeout_ms = 5000;
	t->max_tries = 1;
	t->price_in = t->price_out = -1;
}

static void
test_run_unreachable(void **state)
{
	struct eval_target	 t;
	const cJSON		*c;
	atomic_int		 done = 0;
	cJSON			*cases, *res;
	const char		*why;

	(void)state;
	cases = cases_of(
	    "{\"id\": \"a\", \"input\": \"x\", \"repeat\": 3, \"assert\": [{\"contains\": \"y\"}]}\n"
	    "{\"id\": \"b\", \"input\": \"x\", \"assert\": [{\"contains\": \"y\"}]}\n");
	target_init(&t, "http://127.0.0.1:1/v1/chat/completions");
	res = eval_run(&t, cases, &done);
	assert_int_equal(atomic_load(&done), 4);
	assert_true(json_num(res, "runs") == 4);
	assert_true(json_num(res, "errors") == 4);
	assert_true(json_num(res, "total") == 2);
	assert_true(json_num(res, "passed") == 0);
	assert_true(json_num(res, "pass_rate") == 0);
	assert_null(cJSON_GetObjectItem(res, "cost"));
	assert_null(cJSON_GetObjectItem(res, "latency_ms"));
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "cases"), 0);
	assert_string_equal(json_str(c, "id", ""), "a");
	assert_true(json_num(c, "runs") == 3 && json_num(c, "passed") == 0);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c, "pass")));
	assert_null(cJSON_GetObjectItem(c, "answer"));
	why = json_str(c, "why", "");
	if (strstr(why, "onnect") == NULL)
		fail_msg("why \"%s\" does not mention the connection", why);
	cJSON_Delete(res);
	cJSON_Delete(cases);
}

/*
 * A scripted endpoint: answers each connection with the next canned reply and keeps what
 * was asked. Sockets time out so that a client that never comes cannot hang the test.
 */
struct canned {
	const char	*status;	/* "200 OK" */
	const char	*headers;	/* extra header lines, each ending in \r\n */
	const char	*body;
};

struct server {
	int			 fd;
	int			 port;
	const struct canned	*replies;
	int			 n;
	int			 served;	/* read after the join */
	struct buf		 requests;	/* every request, headers and body */
	pthread_t		 thread;
};

static void
read_request(int fd, struct buf *b)
{
	char		 chunk[4096], *end, *cl;
	ssize_t		 n;
	size_t		 start = b->len, want = 0;

	for (;;) {
		if ((n = read(fd, chunk, sizeof chunk)) <= 0)
			return;
		buf_add(b, chunk, (size_t)n);
		if (want == 0 && (end = strstr(b->data + start, "\r\n\r\n")) != NULL) {
			cl = strcasestr(b->data + start, "\r\nContent-Length:");
			want = (size_t)(end + 4 - (b->data + start)) +
			    (cl != NULL && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (want != 0 && b->len - start >= want)
			return;
	}
}

static void *
server_main(void *arg)
{
	struct server	*s = arg;
	char		*reply;
	int		 fd;

	for (s->served = 0; s->served < s->n; s->served++) {
		if ((fd = accept(s->fd, NULL, NULL)) < 0)
			break;
		read_request(fd, &s->requests);
		buf_addstr(&s->requests, "\n----\n");
		reply = NULL;
		if (asprintf(&reply, "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
		    s->replies[s->served].status, strlen(s->replies[s->served].body),
		    s->replies[s->served].headers, s->replies[s->served].body) < 0)
			abort();
		if (write(fd, reply, strlen(reply)) < 0)
			perror("write");
		free(reply);
		close(fd);
	}
	return NULL;
}

static void
server_start(struct server *s, const struct canned *replies, int n)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	struct timeval		 tv = { 10, 0 };

	memset(s, 0, sizeof *s);
	buf_init(&s->requests);
	s->replies = replies;
	s->n = n;
	assert_true((s->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&sin, &len), 0);
	assert_int_equal(setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
	s->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void
server_stop(struct server *s)
{
	pthread_join(s->thread, NULL);
	close(s->fd);
	buf_free(&s->requests);
}

static const char answer_ok[] = "{\"choices\": [{\"message\": {\"role\": \"assistant\", "
    "\"content\": \"Open Settings. Questions: help@example.com\"}}], "
    "\"usage\": {\"prompt_tokens\": 100, \"completion_tokens\": 20}}";

/* Answers, a retried 503, and errors that are not tried again. */
static void
test_run_scripted(void **state)
{
	static const struct canned replies[] = {
		{ "200 OK", "", answer_ok },
		{ "503 Service Unavailable", "",
		    "{\"error\": {\"message\": \"overloaded\", \"type\": \"server_error\"}}" },
		{ "200 OK", "", answer_ok },
		{ "401 Unauthorized", "", "{\"error\": {\"message\": \"Incorrect API key "
		    "provided: " TOKEN ".\", \"code\": \"invalid_api_key\"}}" },
		{ "429 Too Many Requests", "Retry-After: 20\r\n", "{\"error\": {\"message\": "
		    "\"You exceeded your current quota\", \"code\": \"insufficient_quota\"}}" },
	};
	struct eval_target	 t;
	struct server		 s;
	const cJSON		*list, *c;
	char			 url[64];
	cJSON			*cases, *res;

	(void)state;
	cases = cases_of(
	    "{\"id\": \"a\", \"input\": \"Refund?\", \"repeat\": 2, "
	    "\"assert\": [{\"contains\": \"Settings\"}]}\n"
	    "{\"id\": \"b\", \"input\": \"x\", \"assert\": [{\"contains\": \"y\"}]}\n"
	    "{\"id\": \"c\", \"input\": \"x\", \"assert\": [{\"contains\": \"y\"}]}\n");
	server_start(&s, replies, 5);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/chat/completions", s.port);
	target_init(&t, url);
	/* One at a time, so that the replies come in the script's order. */
	t.concurrency = 1;
	t.max_tries = 3;
	t.temperature = 0.5;
	t.max_tokens = 300;
	t.price_in = 2;
	t.price_out = 10;
	res = eval_run(&t, cases, NULL);
	server_stop(&s);

	assert_int_equal(s.served, 5);
	list = cJSON_GetObjectItem(res, "cases");
	c = cJSON_GetArrayItem(list, 0);
	assert_true(json_num(c, "runs") == 2 && json_num(c, "passed") == 2);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "pass")));
	assert_true(json_num(c, "prompt_tokens") == 200);
	assert_true(json_num(c, "completion_tokens") == 40);
	assert_true(json_num(c, "cost") == (200 * 2 + 40 * 10) / 1e6);
	assert_true(json_num(c, "latency_ms") >= 0);
	assert_string_equal(json_str(c, "answer", ""), "Open Settings. Questions: [email]");
	assert_null(cJSON_GetObjectItem(c, "why"));

	c = cJSON_GetArrayItem(list, 1);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(c, "pass")));
	assert_string_equal(json_str(c, "why", ""),
	    "HTTP 401: Incorrect API key provided: [redacted].");
	c = cJSON_GetArrayItem(list, 2);
	assert_string_equal(json_str(c, "why", ""),
	    "HTTP 429: You exceeded your current quota");

	assert_true(json_num(res, "total") == 3 && json_num(res, "passed") == 1);
	assert_true(json_num(res, "runs") == 4 && json_num(res, "errors") == 2);
	assert_true(json_num(res, "prompt_tokens") == 200);
	assert_true(json_num(res, "cost") == 800 / 1e6);
	assert_true(json_num(res, "cost_per_answer") == 400 / 1e6);
	assert_true(fabs(json_num(res, "pass_rate") - 1.0 / 3) < 1e-9);
	cJSON_Delete(res);
	cJSON_Delete(cases);
}

/* What the endpoint is sent. */
static void
test_run_request(void **state)
{
	static const struct canned replies[] = { { "200 OK", "", answer_ok } };
	struct eval_target	 t;
	struct server		 s;
	char			 url[64], *body;
	cJSON			*cases, *res, *req, *m;

	(void)state;
	cases = cases_of("{\"id\": \"a\", \"input\": \"Hallo \\u00e4\", "
	    "\"assert\": [{\"contains\": \"Settings\"}]}");
	server_start(&s, replies, 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/chat/completions", s.port);
	target_init(&t, url);
	t.temperature = 0;
	t.max_tokens = 300;
	res = eval_run(&t, cases, NULL);
	pthread_join(s.thread, NULL);

	assert_non_null(strstr(s.requests.data, "POST /v1/chat/completions HTTP/1.1\r\n"));
	assert_non_null(strcasestr(s.requests.data, "\r\nAuthorization: Bearer " TOKEN "\r\n"));
	assert_non_null(body = strstr(s.requests.data, "\r\n\r\n"));
	*strstr(body, "\n----\n") = '\0';
	assert_non_null(req = cJSON_Parse(body + 4));
	assert_string_equal(json_str(req, "model", ""), "gpt-test");
	assert_true(json_num(req, "temperature") == 0);
	assert_true(json_num(req, "max_tokens") == 300);
	m = cJSON_GetObjectItem(req, "messages");
	assert_int_equal(cJSON_GetArraySize(m), 2);
	assert_string_equal(json_str(cJSON_GetArrayItem(m, 0), "role", ""), "system");
	assert_string_equal(json_str(cJSON_GetArrayItem(m, 0), "content", ""), "You are terse.");
	assert_string_equal(json_str(cJSON_GetArrayItem(m, 1), "role", ""), "user");
	assert_string_equal(json_str(cJSON_GetArrayItem(m, 1), "content", ""), "Hallo \xc3\xa4");
	cJSON_Delete(req);
	close(s.fd);
	buf_free(&s.requests);

	/* Not sent when unset. */
	server_start(&s, replies, 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/chat/completions", s.port);
	target_init(&t, url);
	t.token = NULL;
	cJSON_Delete(res);
	res = eval_run(&t, cases, NULL);
	pthread_join(s.thread, NULL);
	assert_null(strcasestr(s.requests.data, "Authorization:"));
	assert_null(strstr(s.requests.data, "\"temperature\""));
	assert_null(strstr(s.requests.data, "\"max_tokens\""));
	close(s.fd);
	buf_free(&s.requests);
	cJSON_Delete(res);
	cJSON_Delete(cases);
}

/* http_reply.retry_after from both forms of the header, 0 without one. */
static void
test_http_retry_after(void **state)
{
	static const struct canned replies[] = {
		{ "429 Too Many Requests", "Retry-After: 7\r\n", "{}" },
		{ "503 Service Unavailable", "retry-after:  120 \r\n", "{}" },
		{ "503 Service Unavailable", "Retry-After: Fri, 31 Dec 2100 23:59:59 GMT\r\n",
		    "{}" },
		{ "503 Service Unavailable", "Retry-After: Thu, 01 Jan 1970 00:00:00 GMT\r\n",
		    "{}" },
		{ "429 Too Many Requests", "Retry-After: soon\r\n", "{}" },
		{ "200 OK", "", "{}" },
	};
	struct http_request	 rq;
	struct http_reply	 rp;
	struct server		 s;
	char			 url[64], *cause = NULL;
	double			 want[] = { 7, 120, -1, 0, 0, 0 };
	size_t			 i;

	(void)state;
	server_start(&s, replies, 6);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", s.port);
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		if (http_do(&rq, &rp, &cause) != 0)
			fail_msg("request %zu: %s", i, cause);
		if (want[i] < 0)
			assert_true(rp.retry_after > 1e9);
		else if (rp.retry_after != want[i])
			fail_msg("request %zu: retry_after %g, want %g", i, rp.retry_after,
			    want[i]);
		http_reply_free(&rp);
	}
	server_stop(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assert_kinds),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_run_unreachable),
		cmocka_unit_test(test_run_scripted),
		cmocka_unit_test(test_run_request),
		cmocka_unit_test(test_http_retry_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
