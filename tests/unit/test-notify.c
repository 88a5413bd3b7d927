/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/notify-format.h"
#include "backend/notify.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"
#include "tests/unit/tmpdir.h"

#define AT	1796204617	/* 2026-12-02 09:43:37 UTC */
#define DASH	"\xe2\x80\x94"

static const struct notice sev1 = {
	.event = "opened",
	.incident = 42,
	.severity = 1,
	.level = 2,
	.title = "Error rate is crit",
	.status = "triggered",
	.summary = "error_rate 7.2% > 5% for 2m",
	.ack_command = "ssh ops.example.com leitstand incident ack 42",
	.user = "alice",
	.at = AT,
};

static int
b64(char c)
{
	const char *set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = strchr(set, c);

	return c != '\0' && p != NULL ? (int)(p - set) : -1;
}

/* Decodes a Subject of RFC 2047 "B" words, checking each word's and line's length. */
static char *
decode_subject(const char *s)
{
	struct buf b;
	const char *p = s, *end, *q;
	unsigned v;
	int n, k, d;

	buf_init(&b);
	buf_addstr(&b, "");
	while (*p != '\0') {
		assert_int_equal(strncmp(p, "=?UTF-8?B?", 10), 0);
		end = strstr(p + 10, "?=");
		assert_non_null(end);
		assert_true(end + 2 - p <= 75);
		for (q = p + 10; q < end; q += 4) {
			v = 0;
			n = 0;
			for (k = 0; k < 4; k++) {
				d = q[k] == '=' ? 0 : b64(q[k]);
				assert_true(d >= 0);
				v = v << 6 | (unsigned)d;
				n += q[k] != '=';
			}
			buf_addch(&b, (char)(v >> 16));
			if (n > 2)
				buf_addch(&b, (char)(v >> 8 & 255));
			if (n > 3)
				buf_addch(&b, (char)(v & 255));
		}
		p = end + 2;
		if (*p != '\0') {
			/* Folded: CRLF and a blank, nothing else between words. */
			assert_int_equal(strncmp(p, "\r\n ", 3), 0);
			p += 3;
		}
	}
	return buf_take(&b);
}

static void
test_subject_encoded(void **state)
{
	char *s = notify_subject(&sev1), *d;
	size_t bad;

	(void)state;
	d = decode_subject(s);
	assert_string_equal(d, "[SEV1] #42 Error rate is crit " DASH
	    " ack: leitstand incident ack 42");
	assert_true(utf8_valid(d, strlen(d), &bad));
	free(d);
	free(s);
}

static void
test_subject_ascii(void **state)
{
	struct notice n = sev1;
	char *s;

	(void)state;
	n.event = "test";
	n.ack_command = NULL;
	n.incident = 0;
	n.title = "Test notification";
	s = notify_subject(&n);
	assert_string_equal(s, "[test] Test notification");
	free(s);

	/* A long ASCII title is folded at a blank, each line within 78 with "Subject: ". */
	n.event = "opened";
	n.incident = 123456;
	n.title = "The assistant answers in the wrong language for most clients";
	s = notify_subject(&n);
	assert_true(strcspn(s, "\r") + 9 <= 78);
	assert_string_equal(s, "[SEV1] #123456 The assistant answers in the wrong language "
	    "for most\r\n clients");
	free(s);
}

/* Each word of a long non-ASCII subject holds whole characters. */
static void
test_subject_words_whole(void **state)
{
	struct notice n = sev1;
	char *s, *d, *word, *p;
	size_t bad;

	(void)state;
	n.title = "Überlastung: Antwortzeiten über 5 s — Störung im Kundendienst für Köln";
	s = notify_subject(&n);
	d = decode_subject(s);
	assert_true(utf8_valid(d, strlen(d), &bad));
	/* Every word alone decodes to valid UTF-8 too: no character is split. */
	for (p = s; (word = strstr(p, "=?UTF-8?B?")) != NULL; p = strstr(word, "?=") + 2) {
		char *one = xstrndup(word, (size_t)(strstr(word, "?=") + 2 - word));
		char *dec = decode_subject(one);

		assert_true(utf8_valid(dec, strlen(dec), &bad));
		free(dec);
		free(one);
	}
	free(d);
	free(s);
}

/* A title with a line break and a header of its own adds no header to the message. */
static void
test_email_header_injection(void **state)
{
	struct notice n = sev1;
	char *m, *line, *save, *copy, *subject;

	(void)state;
	n.title = "Down\r\nBcc: evil@example.net\r\n\r\nfake body";
	n.summary = "line one\nX-Injected: yes";
	m = notify_email(&n, "leitstand@ops.example.com", "alice@example.com",
	    "leitstand.42.1.00@ops.example.com", AT);
	copy = xstrdup(m);
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n",
	    &save)) {
		assert_false(strncmp(line, "Bcc:", 4) == 0);
		assert_false(strncmp(line, "X-Injected:", 11) == 0);
	}
	free(copy);
	/* Only CRLF line ends, and none but folds inside the headers. */
	subject = notify_subject(&n);
	for (line = subject; (line = strstr(line, "\r\n")) != NULL; line += 2)
		assert_int_equal(line[2], ' ');
	assert_null(strstr(subject, "\n\n"));
	free(subject);
	for (line = m; (line = strchr(line, '\n')) != NULL; line++)
		assert_int_equal(line[-1], '\r');
	free(m);
}

/* Quoted-printable decoded (soft breaks joined, CRLF as LF). */
static char *
qp_decode(const char *s)
{
	struct buf b;
	unsigned v;

	buf_init(&b);
	buf_addstr(&b, "");
	while (*s != '\0') {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n')
			s += 3;
		else if (s[0] == '=' && sscanf(s + 1, "%2X", &v) == 1) {
			buf_addch(&b, (char)v);
			s += 3;
		} else if (s[0] == '\r' && s[1] == '\n') {
			buf_addch(&b, '\n');
			s += 2;
		} else
			buf_addch(&b, *s++);
	}
	return buf_take(&b);
}

static void
test_email_message(void **state)
{
	char *m, *body, *text, *line, *p;

	(void)state;
	m = notify_email(&sev1, "leitstand@ops.example.com", "alice@example.com",
	    "leitstand.42.1796204617.0011223344556677@ops.example.com", AT);
	assert_non_null(strstr(m, "Date: Wed, 02 Dec 2026 09:43:37 +0000\r\n"));
	assert_non_null(strstr(m, "\r\nFrom: Leitstand <leitstand@ops.example.com>\r\n"));
	assert_non_null(strstr(m, "\r\nTo: <alice@example.com>\r\n"));
	assert_non_null(strstr(m, "\r\nSubject: =?UTF-8?B?"));
	assert_non_null(strstr(m, "\r\nMessage-ID: <leitstand.42.1796204617.0011223344556677"
	    "@ops.example.com>\r\n"));
	assert_non_null(strstr(m, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(m, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
	assert_non_null(strstr(m, "\r\nX-Leitstand-Incident: 42\r\n"));
	body = strstr(m, "\r\n\r\n");
	assert_non_null(body);
	/* No body line is over 76 characters. */
	for (p = body + 4; *p != '\0'; p = line + 2) {
		line = strstr(p, "\r\n");
		if (line == NULL)
			line = p + strlen(p) - 2;
		assert_true(line - p <= 76);
	}
	text = qp_decode(body + 4);
	assert_string_equal(text,
	    "[SEV1] #42 Error rate is crit\n"
	    "\n"
	    "error_rate 7.2% > 5% for 2m\n"
	    "\n"
	    "Event:    opened\n"
	    "Status:   triggered\n"
	    "Level:    L2\n"
	    "At:       2026-12-02 09:43 UTC\n"
	    "\n"
	    "Acknowledge with:\n"
	    "  ssh ops.example.com leitstand incident ack 42\n"
	    "\n"
	    "Nothing in this message gives access: acknowledging needs your own login.\n");
	free(text);
	free(m);
}

static void
test_json_generic(void **state)
{
	char *j = notify_json(NOTIFY_WEBHOOK, &sev1, NULL);

	(void)state;
	assert_string_equal(j, "{\"version\":1,\"event\":\"opened\",\"incident\":42,"
	    "\"severity\":1,\"level\":2,\"title\":\"Error rate is crit\",\"status\":\"triggered\","
	    "\"summary\":\"error_rate 7.2% > 5% for 2m\","
	    "\"ack_command\":\"ssh ops.example.com leitstand incident ack 42\","
	    "\"user\":\"alice\",\"at\":\"2026-12-02T09:43:37Z\"}");
	free(j);
}

static void
test_json_command(void **state)
{
	struct notice n = { .event = "proposal", .title = "Shorter greeting", .user = "bob",
	    .summary = "proposal 7 waits for a second pair of eyes", .at = AT };
	char *j = notify_json(NOTIFY_COMMAND, &n, "+49 170 1234567");

	(void)state;
	assert_string_equal(j, "{\"version\":1,\"event\":\"proposal\",\"incident\":null,"
	    "\"severity\":null,\"level\":null,\"title\":\"Shorter greeting\",\"status\":null,"
	    "\"summary\":\"proposal 7 waits for a second pair of eyes\",\"ack_command\":null,"
	    "\"user\":\"bob\",\"at\":\"2026-12-02T09:43:37Z\",\"channel\":\"command\","
	    "\"phone\":\"+49 170 1234567\"}");
	free(j);
}

static void
test_json_slack(void **state)
{
	struct notice n = sev1;
	char *j;

	(void)state;
	n.title = "Latency <p95> & errors";
	j = notify_json(NOTIFY_SLACK, &n, NULL);
	assert_string_equal(j, "{\"text\":\"*[SEV1] #42 Latency &lt;p95&gt; &amp; errors*\\n"
	    "error_rate 7.2% &gt; 5% for 2m\\n"
	    "Status: triggered \xc2\xb7 Level: L2\\n"
	    "Acknowledge: `ssh ops.example.com leitstand incident ack 42`\\n"
	    "_Nothing in this message gives access._\"}");
	free(j);
}

static void
test_json_teams(void **state)
{
	char *j = notify_json(NOTIFY_TEAMS, &sev1, NULL);

	(void)state;
	assert_string_equal(j, "{\"type\":\"message\",\"attachments\":[{"
	    "\"contentType\":\"application/vnd.microsoft.card.adaptive\",\"contentUrl\":null,"
	    "\"content\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\","
	    "\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\"body\":["
	    "{\"type\":\"TextBlock\",\"text\":\"[SEV1] #42 Error rate is crit\","
	    "\"weight\":\"Bolder\",\"size\":\"Medium\",\"wrap\":true},"
	    "{\"type\":\"TextBlock\",\"text\":\"error_rate 7.2% > 5% for 2m\",\"wrap\":true},"
	    "{\"type\":\"FactSet\",\"facts\":[{\"title\":\"Status\",\"value\":\"triggered\"},"
	    "{\"title\":\"Level\",\"value\":\"L2\"},{\"title\":\"Acknowledge\","
	    "\"value\":\"ssh ops.example.com leitstand incident ack 42\"}]},"
	    "{\"type\":\"TextBlock\",\"text\":\"Nothing in this message gives access.\","
	    "\"wrap\":true}]}}]}");
	free(j);
}

/* Controls, invalid UTF-8 and hidden characters in any field never reach a payload. */
static void
test_clean(void **state)
{
	char *s;

	(void)state;
	s = notify_clean("a\r\nb\x1b[31mc\xff" "d\xe2\x80\xae" "e", 100);
	assert_string_equal(s, "a  b [31mc" UTF8_FFFD "de");
	free(s);
	s = notify_clean("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", 6);
	assert_string_equal(s, "\xc3\xa4\xe2\x80\xa6");
	free(s);
}

static void
test_address_check(void **state)
{
	(void)state;
	assert_null(notify_address_check("alice@example.com"));
	assert_null(notify_address_check("ops+pager.l1@mail.example.co.uk"));
	assert_non_null(notify_address_check("alice@example.com\r\nBcc: x@y.z"));
	assert_non_null(notify_address_check("alice@example.com\n"));
	assert_non_null(notify_address_check("alice@example.com\t"));
	assert_non_null(notify_address_check(""));
	assert_non_null(notify_address_check("alice"));
	assert_non_null(notify_address_check("alice@localhost"));
	assert_non_null(notify_address_check("@example.com"));
	assert_non_null(notify_address_check("a@b@example.com"));
	assert_non_null(notify_address_check("Alice <alice@example.com>"));
	assert_non_null(notify_address_check("al ice@example.com"));
	assert_non_null(notify_address_check("alice@-example.com"));
	assert_non_null(notify_address_check("alice@exa_mple.com"));
	assert_non_null(notify_address_check("alice.@example.com"));
	assert_non_null(notify_address_check("j\xc3\xb6rg@example.com"));
	assert_non_null(strstr(notify_address_check("a@b.c\r\nBcc: d@e.f"), "line break"));
}

static void
test_url_check(void **state)
{
	(void)state;
	assert_null(notify_url_check("https://hooks.slack.com/services/T0/B0/XYZ"));
	assert_null(notify_url_check("http://127.0.0.1:8080/hook"));
	assert_non_null(notify_url_check("ftp://example.com/x"));
	assert_non_null(notify_url_check("file:///etc/passwd"));
	assert_non_null(notify_url_check("https://"));
	assert_non_null(notify_url_check("https://user:pw@example.com/x"));
	assert_non_null(strstr(notify_url_check("https://u:p@h/x"), "credentials"));
	assert_non_null(notify_url_check("https://example.com/x\r\nHost: evil"));
	assert_null(notify_smtp_url_check("smtp://127.0.0.1:25"));
	assert_null(notify_smtp_url_check("smtps://mail.example.com:465"));
	assert_non_null(notify_smtp_url_check("http://mail.example.com"));
	assert_non_null(notify_smtp_url_check("smtp://me:pw@mail.example.com"));
}

static void
test_quiet(void **state)
{
	int f = 0, t = 0;

	(void)state;
	assert_int_equal(notify_quiet_parse("22:00-07:00", &f, &t), 0);
	assert_int_equal(f, 22 * 60);
	assert_int_equal(t, 7 * 60);
	assert_true(notify_quiet_in(f, t, 23 * 60));
	assert_true(notify_quiet_in(f, t, 0));
	assert_true(notify_quiet_in(f, t, 6 * 60 + 59));
	assert_false(notify_quiet_in(f, t, 7 * 60));
	assert_false(notify_quiet_in(f, t, 12 * 60));
	assert_int_equal(notify_quiet_parse("12:00-13:30", &f, &t), 0);
	assert_true(notify_quiet_in(f, t, 12 * 60 + 30));
	assert_false(notify_quiet_in(f, t, 13 * 60 + 30));
	assert_int_equal(notify_quiet_parse("22:00-22:00", &f, &t), -1);
	assert_int_equal(notify_quiet_parse("24:00-07:00", &f, &t), -1);
	assert_int_equal(notify_quiet_parse("22:00 - 07:00", &f, &t), -1);
	assert_int_equal(notify_quiet_parse("22:60-07:00", &f, &t), -1);
	assert_int_equal(notify_quiet_parse("", &f, &t), -1);
}

static void
test_channels(void **state)
{
	int c;

	(void)state;
	for (c = 0; c < NOTIFY_CHANNELS; c++)
		assert_int_equal(notify_channel_parse(notify_channel_name(c)), c);
	assert_int_equal(notify_channel_parse("pager"), -1);
	assert_int_equal(notify_channel_parse("Email"), -1);
}

static void
test_command_argv(void **state)
{
	char **v = notify_command_argv("  /usr/local/bin/sms  --gateway\tgw1  ");
	char *cause = NULL;

	(void)state;
	assert_string_equal(v[0], "/usr/local/bin/sms");
	assert_string_equal(v[1], "--gateway");
	assert_string_equal(v[2], "gw1");
	assert_null(v[3]);
	notify_argv_free(v);
	assert_int_equal(notify_command_check("/bin/sh -c true", &cause), 0);
	assert_int_equal(notify_command_check("sh", &cause), -1);
	assert_non_null(strstr(cause, "absolute"));
	free(cause);
	assert_int_equal(notify_command_check("/nonexistent/hook", &cause), -1);
	free(cause);
	assert_int_equal(notify_command_check("/etc/passwd", &cause), -1);
	free(cause);
	assert_int_equal(notify_command_check("", &cause), -1);
	free(cause);
}

/* A config of the given text (a mode 600 file), loaded; 0 or -1 with *cause. */
static int
load(struct config *cfg, const char *text, char **cause)
{
	char dir[128], path[192];
	FILE *f;
	int rc;

	assert_int_equal(tmpdir_make(dir, sizeof dir, "notify"), 0);
	snprintf(path, sizeof path, "%s/leitstand.ini", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
	rc = config_load(cfg, path, cause);
	unlink(path);
	rmdir(dir);
	return rc;
}

/* Channels in the user's order, and quiet hours in their zone across a DST change. */
static void
test_user_config(void **state)
{
	struct config cfg;
	enum notify_channel order[NOTIFY_CHANNELS];
	char *cause = NULL;

	(void)state;
	if (load(&cfg, "[notify]\nsmtp_url = smtp://127.0.0.1:25\ncommand = /bin/cat\n"
	    "[user.root]\nemail = root@example.com\nwebhook = http://127.0.0.1:1/x\n"
	    "command = yes\nchannels = command, email\nquiet_hours = 22:00-07:00\n"
	    "timezone = Europe/Berlin\n", &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(notify_user_channels(&cfg, "root"),
	    1u << NOTIFY_COMMAND | 1u << NOTIFY_EMAIL);
	assert_int_equal(notify_user_order(&cfg, "root", order), 2);
	assert_int_equal(order[0], NOTIFY_COMMAND);
	assert_int_equal(order[1], NOTIFY_EMAIL);
	assert_int_equal(notify_user_channels(&cfg, "nobody-here"), 0);
	assert_true(notify_quiet(&cfg, "root", 1796247000));	/* 2026-12-02 22:30 CET */
	assert_false(notify_quiet(&cfg, "root", 1796209200));	/* 12:00 CET */
	assert_true(notify_quiet(&cfg, "root", 1782880200));	/* 2026-07-01 06:30 CEST */
	assert_false(notify_quiet(&cfg, "root", 1782883800));	/* 07:30 CEST */
	assert_false(notify_quiet(&cfg, "nobody-here", 1796247000));
	config_free(&cfg);

	/* Without channels: every one configured, in the channels' order. */
	if (load(&cfg, "[user.root]\nteams = https://t.example.com/x\n"
	    "slack = https://s.example.com/x\n", &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(notify_user_order(&cfg, "root", order), 2);
	assert_int_equal(order[0], NOTIFY_SLACK);
	assert_int_equal(order[1], NOTIFY_TEAMS);
	assert_false(notify_quiet(&cfg, "root", 1796247000));
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject_encoded),
		cmocka_unit_test(test_subject_ascii),
		cmocka_unit_test(test_subject_words_whole),
		cmocka_unit_test(test_email_header_injection),
		cmocka_unit_test(test_email_message),
		cmocka_unit_test(test_json_generic),
		cmocka_unit_test(test_json_command),
		cmocka_unit_test(test_json_slack),
		cmocka_unit_test(test_json_teams),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_address_check),
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_channels),
		cmocka_unit_test(test_command_argv),
		cmocka_unit_test(test_user_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
