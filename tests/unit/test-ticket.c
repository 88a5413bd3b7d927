/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backend/buf.h"
#include "backend/http.h"
#include "backend/ticket.h"
#include "backend/xmalloc.h"
#include "tests/unit/tmpdir.h"

#define ELL		"\xe2\x80\xa6"
#define FFFD		"\xef\xbf\xbd"
#define USER		"ops@example.com"
#define TOKEN		"s3cr3t-T0ken-4711"

/* The loopback receiver the export tests talk to. */
static struct {
	char	dir[128];
	char	port_file[192];
	char	log_file[192];
	char	mode_file[192];
	pid_t	pid;
	int	port;
	char	base[64];
} rx;

/* 2026-11-23 21:08:00 UTC. */
static time_t
when(int minutes)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 10;
	tm.tm_mday = 23;
	tm.tm_hour = 21;
	tm.tm_min = 8 + minutes;
	return timegm(&tm);
}

static void
add_entry(cJSON *tl, time_t ts, const char *actor, const char *kind, const char *text)
{
	cJSON	*e = cJSON_CreateObject();

	cJSON_AddNumberToObject(e, "ts", (double)ts);
	cJSON_AddStringToObject(e, "actor", actor);
	cJSON_AddStringToObject(e, "kind", kind);
	cJSON_AddStringToObject(e, "text", text);
	cJSON_AddItemToArray(tl, e);
}

/* An incident as incident_get() returns it, with n timeline entries after the first. */
static cJSON *
incident(const char *title, int n)
{
	cJSON	*o = cJSON_CreateObject(), *tl;
	char	 text[32];
	int	 i;

	cJSON_AddNumberToObject(o, "id", 42);
	cJSON_AddStringToObject(o, "title", title);
	cJSON_AddStringToObject(o, "description", "Checkout fails.\nSince the deploy.");
	cJSON_AddNumberToObject(o, "severity", 1);
	cJSON_AddStringToObject(o, "status", "acknowledged");
	cJSON_AddNumberToObject(o, "level", 2);
	cJSON_AddStringToObject(o, "assignee", "alice");
	cJSON_AddStringToObject(o, "source", "kpi");
	cJSON_AddStringToObject(o, "kpi", "checkout_rate");
	cJSON_AddStringToObject(o, "opened_by", "leitstand");
	cJSON_AddNumberToObject(o, "opened_at", (double)when(0));
	cJSON_AddNullToObject(o, "ticket_key");
	tl = cJSON_AddArrayToObject(o, "timeline");
	add_entry(tl, when(0), "leitstand", "opened", "checkout_rate below 0.9");
	for (i = 0; i < n; i++) {
		snprintf(text, sizeof text, "entry-%03d", i);
		add_entry(tl, when(1), "bob", "note", text);
	}
	return o;
}

static const struct ticket_target jira = {
	.kind = TICKET_JIRA,
	.url = "https://jira.example",
	.project = "OPS",
	.issue_type = "Incident",
	.user = USER,
	.token = TOKEN,
};

static const struct ticket_target webhook = {
	.kind = TICKET_WEBHOOK,
	.url = "https://hooks.example/services/T0/B0/secretpath",
};

/* ticket_body() parsed back. */
static cJSON *
body_json(const struct ticket_target *t, const cJSON *inc)
{
	cJSON	*o;
	char	*s;

	s = ticket_body(t, inc);
	assert_non_null(s);
	o = cJSON_Parse(s);
	assert_non_null(o);
	free(s);
	return o;
}

static const char *
path_string(const cJSON *o, const char *a, const char *b, const char *c)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	if (c != NULL)
		v = cJSON_GetObjectItemCaseSensitive(v, c);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static int
contains(const char *s, const char *want)
{
	if (strstr(s, want) != NULL)
		return 1;
	print_error("%s\n--- does not contain ---\n%s\n", s, want);
	return 0;
}

/* UTF-16 units of valid UTF-8, or -1 if it is not valid. */
static long
utf16_units(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	long			 n = 0;
	int			 len, i;

	while (*p != '\0') {
		if (*p < 0x80)
			len = 1;
		else if (*p >= 0xc2 && *p <= 0xdf)
			len = 2;
		else if (*p >= 0xe0 && *p <= 0xef)
			len = 3;
		else if (*p >= 0xf0 && *p <= 0xf4)
			len = 4;
		else
			return -1;
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
		}
		n += len == 4 ? 2 : 1;
		p += len;
	}
	return n;
}

static void
test_body_jira(void **state)
{
	cJSON		*inc = incident("Checkout conversion down", 1), *o;
	const char	*d;

	(void)state;
	o = body_json(&jira, inc);
	assert_string_equal(path_string(o, "fields", "project", "key"), "OPS");
	assert_string_equal(path_string(o, "fields", "issuetype", "name"), "Incident");
	assert_string_equal(path_string(o, "fields", "summary", NULL),
	    "[SEV1] Checkout conversion down");
	d = path_string(o, "fields", "description", NULL);
	assert_true(contains(d, "Severity: SEV1\n"));
	assert_true(contains(d, "Status: acknowledged\n"));
	assert_true(contains(d, "Level: L2\n"));
	assert_true(contains(d, "Assignee: alice\n"));
	assert_true(contains(d, "Opened: 2026-11-23 21:08 UTC by leitstand\n"));
	assert_true(contains(d, "KPI: checkout_rate\n"));
	assert_true(contains(d, "Description:\n  Checkout fails.\n  Since the deploy.\n"));
	assert_true(contains(d, "\n2026-11-23 21:08 leitstand opened: checkout_rate below 0.9\n"
	    "2026-11-23 21:09 bob note: entry-000\n"));
	assert_null(strstr(d, "earlier"));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "incident"));
	cJSON_Delete(o);

	/* Nobody assigned, no severity: still a body Jira takes. */
	cJSON_ReplaceItemInObject(inc, "assignee", cJSON_CreateNull());
	cJSON_DeleteItemFromObject(inc, "severity");
	o = body_json(&jira, inc);
	assert_true(contains(path_string(o, "fields", "description", NULL),
	    "Assignee: (nobody)\n"));
	assert_string_equal(path_string(o, "fields", "summary", NULL),
	    "[SEV?] Checkout conversion down");
	cJSON_Delete(o);
	cJSON_Delete(inc);
}

static void
check_summary(const char *title, const char *want_prefix, long want_units, int cut)
{
	cJSON		*inc = incident(title, 0), *o;
	const char	*s;
	size_t		 len;

	o = body_json(&jira, inc);
	s = path_string(o, "fields", "summary", NULL);
	assert_int_equal(utf16_units(s), want_units);
	assert_true(strncmp(s, want_prefix, strlen(want_prefix)) == 0);
	len = strlen(s);
	if (cut)
		assert_string_equal(s + len - strlen(ELL), ELL);
	else
		assert_true(len < strlen(ELL) || strcmp(s + len - strlen(ELL), ELL) != 0);
	cJSON_Delete(o);
	cJSON_Delete(inc);
}

static void
test_body_summary_limit(void **state)
{
	struct buf	b;
	int		i;

	(void)state;
	/* 248 ASCII characters fit exactly. */
	buf_init(&b);
	for (i = 0; i < 248; i++)
		buf_addch(&b, 'a' + i % 26);
	check_summary(b.data, "[SEV1] abc", 255, 0);
	buf_addch(&b, 'z');
	check_summary(b.data, "[SEV1] abc", 255, 1);
	buf_free(&b);

	/* Two-byte characters: cut between them. */
	for (i = 0; i < 300; i++)
		buf_addstr(&b, "\xc3\xa4");
	check_summary(b.data, "[SEV1] \xc3\xa4\xc3\xa4", 255, 1);
	buf_free(&b);

	/* Emoji count twice (UTF-16 surrogate pairs, as Jira counts): 123 fit, 254 units. */
	for (i = 0; i < 200; i++)
		buf_addstr(&b, "\xf0\x9f\x98\x80");
	check_summary(b.data, "[SEV1] \xf0\x9f\x98\x80", 254, 1);
	buf_free(&b);

	/* Three-byte characters, with invalid bytes in between replaced. */
	for (i = 0; i < 150; i++)
		buf_addstr(&b, "\xe2\x82\xac\xff");
	check_summary(b.data, "[SEV1] \xe2\x82\xac" FFFD, 255, 1);
	buf_free(&b);
}

static void
test_body_timeline_cap(void **state)
{
	cJSON		*inc = incident("Many notes", 250), *o, *tl;
	const char	*d, *p;
	struct buf	 b;
	int		 lines = 0, i;

	(void)state;
	o = body_json(&jira, inc);
	d = path_string(o, "fields", "description", NULL);
	assert_true(contains(d, "(51 earlier entries not shown)\n"));
	assert_null(strstr(d, "entry-048"));
	assert_null(strstr(d, "entry-049"));
	assert_true(contains(d, "2026-11-23 21:09 bob note: entry-050\n"));
	assert_true(contains(d, "2026-11-23 21:09 bob note: entry-249\n"));
	assert_null(strstr(d, "leitstand opened:"));
	for (p = d; (p = strstr(p, "\n2026-11-23 ")) != NULL; p++)
		lines++;
	assert_int_equal(lines, 200);
	cJSON_Delete(o);
	cJSON_Delete(inc);

	/* Long notes: the newest that fit Jira's 32767, the line cut to 2000. */
	inc = incident("Long notes", 0);
	tl = cJSON_GetObjectItemCaseSensitive(inc, "timeline");
	buf_init(&b);
	for (i = 0; i < 3000; i++)
		buf_addch(&b, 'x');
	for (i = 0; i < 40; i++) {
		buf_printf(&b, "%02d", i);
		add_entry(tl, when(2), "carol", "note", b.data + b.len - 2500);
	}
	buf_free(&b);
	o = body_json(&jira, inc);
	d = path_string(o, "fields", "description", NULL);
	assert_true(utf16_units(d) <= 32767);
	assert_true(utf16_units(d) > 30000);
	assert_true(contains(d, "earlier entries not shown)\n"));
	assert_true(contains(d, "carol note: xxx"));
	assert_true(contains(d, "xxx" ELL "\n"));
	cJSON_Delete(o);
	cJSON_Delete(inc);
}

static void
test_body_hostile(void **state)
{
	cJSON		*inc, *o, *tl;
	const char	*d;

	(void)state;
	inc = incident("a\"},\"x\":{\"\\\n\x1b[2Jb\xff", 0);
	tl = cJSON_GetObjectItemCaseSensitive(inc, "timeline");
	add_entry(tl, when(3), "mallory\nroot", "note",
	    "ok\n2026-01-01 00:00 admin resolve: fake\r\n\x1b[31mred\"}]");
	o = body_json(&jira, inc);
	assert_int_equal(cJSON_GetArraySize(o), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "fields")), 4);
	assert_string_equal(path_string(o, "fields", "summary", NULL),
	    "[SEV1] a\"},\"x\":{\"\\  [2Jb" FFFD);
	d = path_string(o, "fields", "description", NULL);
	assert_true(contains(d, "2026-11-23 21:11 mallory root note: ok\n"
	    "  2026-01-01 00:00 admin resolve: fake\n  \x1b[31mred\"}]\n"));
	assert_null(strstr(d, "\n2026-01-01"));
	assert_string_equal(path_string(o, "fields", "project", "key"), "OPS");
	cJSON_Delete(o);
	cJSON_Delete(inc);
}

static void
test_body_webhook(void **state)
{
	cJSON		*inc = incident("Checkout conversion down", 2), *o, *j;

	(void)state;
	o = body_json(&webhook, inc);
	assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(o, "incident"), inc, 1));
	assert_string_equal(path_string(o, "summary", NULL, NULL),
	    "[SEV1] Checkout conversion down");
	j = body_json(&jira, inc);
	assert_string_equal(path_string(o, "text", NULL, NULL),
	    path_string(j, "fields", "description", NULL));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "fields"));
	cJSON_Delete(j);
	cJSON_Delete(o);
	cJSON_Delete(inc);
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
start_receiver(void **state)
{
	struct timespec	 pause = { 0, 10 * 1000 * 1000 };
	char		*argv[] = { (char *)"python3", (char *)"tests/lib/ticket-receiver.py",
			    rx.port_file, rx.log_file, rx.mode_file, NULL };
	double		 deadline;
	FILE		*f;
	int		 status;

	(void)state;
	if (tmpdir_make(rx.dir, sizeof rx.dir, "ticket") != 0)
		return -1;
	snprintf(rx.port_file, sizeof rx.port_file, "%s/port", rx.dir);
	snprintf(rx.log_file, sizeof rx.log_file, "%s/log", rx.dir);
	snprintf(rx.mode_file, sizeof rx.mode_file, "%s/mode", rx.dir);
	if ((f = fopen(rx.mode_file, "w")) == NULL)
		return -1;
	fputs("jira\n", f);
	fclose(f);
	if (posix_spawnp(&rx.pid, "python3", NULL, NULL, argv, environ) != 0) {
		print_error("cannot start python3: %s\n", strerror(errno));
		return -1;
	}
	/* Poll for the port file the receiver writes once it listens. */
	deadline = now_s() + 15;
	while (now_s() < deadline) {
		if ((f = fopen(rx.port_file, "r")) != NULL) {
			if (fscanf(f, "%d", &rx.port) != 1)
				rx.port = 0;
			fclose(f);
			if (rx.port > 0)
				break;
		}
		if (waitpid(rx.pid, &status, WNOHANG) == rx.pid) {
			print_error("ticket-receiver.py exited early\n");
			rx.pid = 0;
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	if (rx.port <= 0) {
		print_error("ticket-receiver.py wrote no port\n");
		return -1;
	}
	snprintf(rx.base, sizeof rx.base, "http://127.0.0.1:%d", rx.port);
	return 0;
}

static int
stop_receiver(void **state)
{
	(void)state;
	if (rx.pid > 0) {
		kill(rx.pid, SIGTERM);
		waitpid(rx.pid, NULL, 0);
		rx.pid = 0;
	}
	return tmpdir_remove(rx.dir);
}

static void
set_mode(const char *mode)
{
	FILE	*f;

	assert_non_null(f = fopen(rx.mode_file, "w"));
	fprintf(f, "%s\n", mode);
	assert_int_equal(fclose(f), 0);
}

/* Requests logged so far. */
static int
requests(void)
{
	FILE	*f;
	int	 c, n = 0;

	if ((f = fopen(rx.log_file, "r")) == NULL)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* The last request the receiver logged, parsed. */
static cJSON *
last_request(void)
{
	char	 line[65536], last[65536] = "";
	FILE	*f;
	cJSON	*o;

	assert_non_null(f = fopen(rx.log_file, "r"));
	while (fgets(line, sizeof line, f) != NULL)
		memcpy(last, line, sizeof last);
	fclose(f);
	assert_non_null(o = cJSON_Parse(last));
	return o;
}

/* A logged request's header; the receiver keeps names as sent, cJSON looks them up
   without case. */
static const char *
header(const cJSON *req, const char *name)
{
	const cJSON	*v;

	v = cJSON_GetObjectItem(cJSON_GetObjectItemCaseSensitive(req, "headers"), name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *
b64(const char *s)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789+/";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), i, o = 0;
	char			*out = xmalloc(len / 3 * 4 + 5);
	unsigned		 v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned)p[i] << 16;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* A cause is printable ASCII and holds no credential in any form. */
static void
check_cause(const char *cause)
{
	const char	*p;
	char		*cred;

	assert_non_null(cause);
	assert_true(cause[0] != '\0');
	for (p = cause; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_null(strstr(cause, TOKEN));
	assert_null(strstr(cause, "secretpath"));
	cred = b64(USER ":" TOKEN);
	assert_null(strstr(cause, cred));
	free(cred);
}

/* Exports and expects failure with retry as given and want in the cause. */
static void
export_fail(const struct ticket_target *t, int retry, long status, const char *want)
{
	struct ticket_result	 res;
	cJSON			*inc = incident("Checkout conversion down", 1);
	char			*cause = NULL;

	memset(&res, 0xa5, sizeof res);
	assert_int_equal(ticket_export(t, inc, &res, &cause), -1);
	check_cause(cause);
	if (strstr(cause, want) == NULL)
		print_error("cause: %s\n", cause);
	assert_non_null(strstr(cause, want));
	assert_int_equal(res.retry, retry);
	assert_int_equal(res.http_status, status);
	assert_null(res.key);
	assert_null(res.url);
	ticket_result_free(&res);
	free(cause);
	cJSON_Delete(inc);
}

static void
test_export_jira(void **state)
{
	struct ticket_target	 t = jira;
	struct ticket_result	 res;
	cJSON			*inc = incident("Checkout conversion down", 3), *req;
	struct buf		 b;
	char			*cause = NULL, *cred, *want, *body, *browse;
	int			 rc, i;

	(void)state;
	set_mode("jira");
	t.url = rx.base;
	rc = ticket_export(&t, inc, &res, &cause);
	if (rc != 0)
		print_error("cause: %s\n", cause);
	assert_int_equal(rc, 0);
	assert_null(cause);
	assert_string_equal(res.key, "OPS-1");
	browse = xprintf("%s/browse/OPS-1", rx.base);
	assert_string_equal(res.url, browse);
	assert_int_equal(res.http_status, 201);

	req = last_request();
	assert_string_equal(path_string(req, "method", NULL, NULL), "POST");
	assert_string_equal(path_string(req, "path", NULL, NULL), "/rest/api/2/issue");
	cred = b64(USER ":" TOKEN);
	want = xprintf("Basic %s", cred);
	assert_string_equal(header(req, "Authorization"), want);
	assert_string_equal(header(req, "Content-Type"), "application/json");
	assert_string_equal(header(req, "Accept"), "application/json");
	body = ticket_body(&t, inc);
	assert_string_equal(path_string(req, "body", NULL, NULL), body);
	ticket_result_free(&res);
	assert_null(res.key);

	/* Bearer without a user; a base URL with a trailing slash; the key counts up. */
	t.user = NULL;
	free(browse);
	browse = xprintf("%s/", rx.base);
	t.url = browse;
	assert_int_equal(ticket_export(&t, inc, &res, &cause), 0);
	assert_string_equal(res.key, "OPS-2");
	free(want);
	want = xprintf("%s/browse/OPS-2", rx.base);
	assert_string_equal(res.url, want);
	cJSON_Delete(req);
	req = last_request();
	assert_string_equal(path_string(req, "path", NULL, NULL), "/rest/api/2/issue");
	assert_string_equal(header(req, "Authorization"), "Bearer " TOKEN);
	ticket_result_free(&res);
	cJSON_Delete(inc);

	/* The receiver checks summaries as Jira does (length, newlines): cut ones pass. */
	buf_init(&b);
	for (i = 0; i < 200; i++)
		buf_addstr(&b, i % 50 == 0 ? "\n\xf0\x9f\x98\x80" : "\xc3\xa4");
	inc = incident(b.data, 300);
	buf_free(&b);
	assert_int_equal(ticket_export(&t, inc, &res, &cause), 0);
	assert_string_equal(res.key, "OPS-3");
	ticket_result_free(&res);

	cJSON_Delete(req);
	free(browse);
	free(body);
	free(want);
	free(cred);
	cJSON_Delete(inc);
}

static void
test_export_webhook(void **state)
{
	static const char *const extra[] = { "X-Leitstand-Team: payments",
					     "X-Trace: a b c", NULL };
	struct ticket_target	 t = webhook;
	struct ticket_result	 res;
	cJSON			*inc = incident("Checkout conversion down", 1), *req, *body;
	char			*url, *cause = NULL;

	(void)state;
	set_mode("webhook");
	url = xprintf("%s/hooks/T0/secretpath?x=1", rx.base);
	t.url = url;
	t.headers = extra;
	t.token = TOKEN;
	assert_int_equal(ticket_export(&t, inc, &res, &cause), 0);
	assert_null(cause);
	assert_string_equal(res.key, "WH-1");
	assert_string_equal(res.url, "https://tickets.example/WH-1");
	assert_int_equal(res.http_status, 200);
	ticket_result_free(&res);

	req = last_request();
	assert_string_equal(path_string(req, "path", NULL, NULL), "/hooks/T0/secretpath?x=1");
	assert_string_equal(header(req, "X-Leitstand-Team"), "payments");
	assert_string_equal(header(req, "X-Trace"), "a b c");
	assert_string_equal(header(req, "Authorization"), "Bearer " TOKEN);
	assert_string_equal(header(req, "Content-Type"), "application/json");
	body = cJSON_Parse(path_string(req, "body", NULL, NULL));
	assert_non_null(body);
	assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(body, "incident"), inc, 1));
	assert_string_equal(path_string(body, "summary", NULL, NULL),
	    "[SEV1] Checkout conversion down");
	assert_true(contains(path_string(body, "text", NULL, NULL), "bob note: entry-000"));
	cJSON_Delete(body);
	cJSON_Delete(req);

	/* No token, no extra headers: no Authorization at all. */
	t.token = NULL;
	t.headers = NULL;
	assert_int_equal(ticket_export(&t, inc, &res, &cause), 0);
	assert_string_equal(res.key, "WH-2");
	req = last_request();
	assert_null(header(req, "Authorization"));
	cJSON_Delete(req);
	ticket_result_free(&res);

	/* A reply that is not JSON still means delivered, with no key. */
	set_mode("html");
	assert_int_equal(ticket_export(&t, inc, &res, &cause), 0);
	assert_null(res.key);
	assert_null(res.url);
	ticket_result_free(&res);

	free(url);
	cJSON_Delete(inc);
}

static void
test_export_retryable(void **state)
{
	struct ticket_target	 j = jira, w = webhook;
	char			*url;

	(void)state;
	j.url = rx.base;
	url = xprintf("%s/hooks/secretpath", rx.base);
	w.url = url;
	w.token = TOKEN;
	set_mode("500");
	export_fail(&j, 1, 500, "HTTP 500: internal error: database is down");
	export_fail(&w, 1, 500, "HTTP 500");
	set_mode("429");
	export_fail(&j, 1, 429, "HTTP 429");
	export_fail(&w, 1, 429, "HTTP 429");
	free(url);
}

static void
test_export_jira_400(void **state)
{
	struct ticket_target	t = jira;

	(void)state;
	t.url = rx.base;
	set_mode("400");
	export_fail(&t, 0, 400, "Project 'NOPE' does not exist.");
	export_fail(&t, 0, 400, "Odd \\x1b[31mred\\x1b[0m text");
	export_fail(&t, 0, 400, "issuetype: The issue type selected is invalid.");

	/* A request Jira would refuse never leaves. */
	set_mode("jira");
	t.project = "";
	export_fail(&t, 0, 0, "no project key");
}

static void
test_export_timeout(void **state)
{
	struct ticket_target	t = jira;
	double			start;

	(void)state;
	t.url = rx.base;
	t.timeout_ms = 500;
	set_mode("hang");
	start = now_s();
	export_fail(&t, 1, 0, "timeout");
	assert_true(now_s() - start < 5);
}

static void
test_export_invalid_reply(void **state)
{
	struct ticket_target	 t = jira, w = webhook;
	char			*url;

	(void)state;
	t.url = rx.base;
	set_mode("html");
	export_fail(&t, 0, 200, "invalid reply");
	set_mode("big");
	export_fail(&t, 0, 200, "larger than 1 MiB");
	url = xprintf("%s/hook", rx.base);
	w.url = url;
	export_fail(&w, 0, 200, "larger than 1 MiB");
	free(url);
}

static void
test_export_refused(void **state)
{
	struct sockaddr_in	 sin;
	struct ticket_target	 t = jira, w = webhook;
	socklen_t		 len = sizeof sin;
	char			*url, *hook;
	int			 fd;

	(void)state;
	/* A port that was free a moment ago and has no listener now. */
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	url = xprintf("http://127.0.0.1:%d", ntohs(sin.sin_port));
	hook = xprintf("http://u:secretpath@127.0.0.1:%d/secretpath", ntohs(sin.sin_port));
	t.url = url;
	w.url = hook;
	w.token = TOKEN;
	export_fail(&t, 1, 0, "Jira at http://127.0.0.1:");
	export_fail(&w, 1, 0, "webhook at http://127.0.0.1:");
	free(hook);
	free(url);
}

static void
test_export_bad_target(void **state)
{
	static const char *const injected[] = { "X-Ok: 1", "X-Evil: 1\r\nHost: evil", NULL };
	static const char *const nameless[] = { ": value", NULL };
	struct ticket_target	 t = jira, w = webhook;
	int			 before = requests();

	(void)state;
	set_mode("webhook");
	w.url = rx.base;
	w.headers = injected;
	export_fail(&w, 0, 0, "Name: value");
	w.headers = nameless;
	export_fail(&w, 0, 0, "Name: value");
	w.headers = NULL;
	w.url = "ftp://127.0.0.1/x";
	export_fail(&w, 0, 0, "http:// or https://");
	w.url = NULL;
	export_fail(&w, 0, 0, "no URL");
	t.url = rx.base;
	t.issue_type = NULL;
	export_fail(&t, 0, 0, "no issue type");
	t.issue_type = "Bug";
	t.token = "tok\nX-Evil: 1";
	export_fail(&t, 0, 0, "control character");
	assert_int_equal(requests(), before);
}

static void
test_export_token_echo(void **state)
{
	struct ticket_target	t = jira;

	(void)state;
	t.url = rx.base;
	set_mode("401");
	export_fail(&t, 0, 401, "HTTP 401 (check the user and token): Unauthorized: Basic "
	    "[redacted]");
	t.user = NULL;
	export_fail(&t, 0, 401, "Unauthorized: Bearer [redacted]");
}

/* A webhook that echoes the path it was posted to ("Cannot POST /...") does not put the
   path, the webhook's secret, into the cause. */
static void
test_classify_path_echo(void **state)
{
	struct ticket_result	res;
	struct http_reply	r;
	char			*cause = NULL;

	(void)state;
	memset(&r, 0, sizeof r);
	r.status = 404;
	buf_init(&r.body);
	buf_addstr(&r.body, "Cannot POST /services/T0/B0/secretpath");
	memset(&res, 0, sizeof res);
	assert_int_equal(ticket_classify(&webhook, 0, &r, NULL, &res, &cause), -1);
	check_cause(cause);
	assert_string_equal(cause, "webhook at https://hooks.example: HTTP 404: Cannot POST "
	    "[redacted]");
	free(cause);
	buf_free(&r.body);
}

/* Header values are secrets too: an echo of them, plain or as JSON escapes it, is cut. */
static void
test_export_header_echo(void **state)
{
	static const char *const headers[] = {
		"X-Api-Key: hk-7/\"q\"-secret", "X-Team:  night-shift-42", NULL
	};
	struct ticket_target	 t = webhook;
	struct ticket_result	 res;
	cJSON			*inc = incident("Checkout conversion down", 1);
	char			*cause = NULL;

	(void)state;
	t.url = rx.base;
	t.token = TOKEN;
	t.headers = headers;
	set_mode("echo");
	assert_int_equal(ticket_export(&t, inc, &res, &cause), -1);
	check_cause(cause);
	assert_non_null(strstr(cause, "HTTP 400"));
	assert_non_null(strstr(cause, "[redacted]"));
	assert_null(strstr(cause, "hk-7"));
	assert_null(strstr(cause, "night-shift"));
	assert_null(strstr(cause, "s3cr3t"));
	free(cause);
	cause = NULL;
	ticket_result_free(&res);

	/* A ticket key or URL made of a header value reaches no timeline either. */
	set_mode("echokey");
	assert_int_equal(ticket_export(&t, inc, &res, &cause), 0);
	assert_non_null(res.key);
	assert_null(strstr(res.key, "hk-7"));
	assert_null(strstr(res.url, "hk-7"));
	assert_non_null(strstr(res.url, "[redacted]"));
	ticket_result_free(&res);
	cJSON_Delete(inc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_jira),
		cmocka_unit_test(test_body_summary_limit),
		cmocka_unit_test(test_body_timeline_cap),
		cmocka_unit_test(test_body_hostile),
		cmocka_unit_test(test_body_webhook),
		cmocka_unit_test(test_export_jira),
		cmocka_unit_test(test_export_webhook),
		cmocka_unit_test(test_export_retryable),
		cmocka_unit_test(test_export_jira_400),
		cmocka_unit_test(test_export_timeout),
		cmocka_unit_test(test_export_invalid_reply),
		cmocka_unit_test(test_export_refused),
		cmocka_unit_test(test_export_bad_target),
		cmocka_unit_test(test_export_token_echo),
		cmocka_unit_test(test_classify_path_echo),
		cmocka_unit_test(test_export_header_echo),
	};

	return cmocka_run_group_tests(tests, start_receiver, stop_receiver);
}
