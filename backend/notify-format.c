/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backend/buf.h"
#include "backend/notify-format.h"
#include "backend/sanitize.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define ELLIPSIS	"\xe2\x80\xa6"
#define DASH		"\xe2\x80\x94"
#define MAX_TITLE	200
#define MAX_SUBJECT_TITLE 60
#define MAX_SUMMARY	400
#define MAX_FIELD	200

static const char *const channel_names[NOTIFY_CHANNELS] = {
	[NOTIFY_EMAIL] = "email",
	[NOTIFY_SLACK] = "slack",
	[NOTIFY_TEAMS] = "teams",
	[NOTIFY_WEBHOOK] = "webhook",
	[NOTIFY_COMMAND] = "command",
};

const char *
notify_channel_name(enum notify_channel c)
{
	return c >= 0 && c < NOTIFY_CHANNELS ? channel_names[c] : "?";
}

int
notify_channel_parse(const char *s)
{
	int c;

	for (c = 0; c < NOTIFY_CHANNELS; c++) {
		if (strcmp(s, channel_names[c]) == 0)
			return c;
	}
	return -1;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

const char *
notify_address_check(const char *a)
{
	const char *at, *p, *label;
	size_t len;

	if (a == NULL || *a == '\0')
		return "empty address";
	if (has_control(a))
		return "holds a line break or control character (refused: it could add "
		    "headers to the message)";
	if ((len = strlen(a)) > 254)
		return "longer than 254 characters";
	if ((at = strchr(a, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return "not an address local@domain";
	if (at == a || at - a > 64)
		return "not an address local@domain (the part before @ is empty or over 64 "
		    "characters)";
	for (p = a; p < at; p++) {
		if ((unsigned char)*p > 0x7e || *p == ' ' || strchr("<>()[],;:\"\\", *p) != NULL)
			return "not an address local@domain (blanks, non-ASCII and <>()[],;:\"\\ "
			    "are refused before the @)";
	}
	if (a[0] == '.' || at[-1] == '.' || strstr(a, "..") != NULL)
		return "not an address local@domain (a dot at the start, end or twice)";
	/* The domain: dotted labels of letters, digits and inner hyphens. */
	label = at + 1;
	if (*label == '\0' || strchr(label, '.') == NULL)
		return "not an address local@domain (the domain needs a dot: example.com)";
	for (p = label;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || label[0] == '-' || p[-1] == '-')
				return "not an address local@domain (a bad domain label)";
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!isalnum((unsigned char)*p) && *p != '-')
			return "not an address local@domain (the domain holds letters, digits, "
			    "hyphens and dots)";
	}
	return NULL;
}

/* scheme://authority...: NULL or why not, for the schemes given. */
static const char *
url_check(const char *u, const char *const *schemes, const char *want)
{
	const char *host, *end;
	size_t i, n;

	if (u == NULL || *u == '\0')
		return "empty URL";
	if (has_control(u) || strpbrk(u, " \t") != NULL)
		return "a URL may not contain blanks or control characters";
	for (i = 0; schemes[i] != NULL; i++) {
		n = strlen(schemes[i]);
		if (strncasecmp(u, schemes[i], n) == 0)
			break;
	}
	if (schemes[i] == NULL)
		return want;
	host = u + strlen(schemes[i]);
	end = host + strcspn(host, "/?#");
	if (end == host)
		return "the URL names no host";
	if (memchr(host, '@', (size_t)(end - host)) != NULL)
		return "credentials in the URL (user:password@) are refused: they would travel "
		    "with every request and show in errors; use a secret path or env:NAME";
	return NULL;
}

const char *
notify_url_check(const char *u)
{
	static const char *const s[] = { "http://", "https://", NULL };

	return url_check(u, s, "must start with http:// or https://");
}

const char *
notify_smtp_url_check(const char *u)
{
	static const char *const s[] = { "smtp://", "smtps://", NULL };
	const char *err = url_check(u, s, "must start with smtp:// or smtps://");

	if (err != NULL && strstr(err, "credentials") != NULL)
		return "credentials in the URL are refused: use smtp_user and smtp_password";
	return err;
}

char **
notify_command_argv(const char *cmd)
{
	char **v = NULL;
	const char *p = cmd, *start;
	size_t n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = xstrndup(start, (size_t)(p - start));
	}
	v = xreallocarray(v, n + 1, sizeof *v);
	v[n] = NULL;
	return v;
}

void
notify_argv_free(char **v)
{
	char **p;

	for (p = v; p != NULL && *p != NULL; p++)
		free(*p);
	free(v);
}

int
notify_command_check(const char *cmd, char **cause)
{
	char **argv = notify_command_argv(cmd);
	struct stat st;
	int rc = -1;

	if (argv[0] == NULL)
		*cause = xstrdup("no command");
	else if (argv[0][0] != '/')
		*cause = xprintf("\"%.64s\" is not an absolute path (it runs without a shell "
		    "or PATH: write /usr/local/bin/...)", argv[0]);
	else if (stat(argv[0], &st) != 0 || !S_ISREG(st.st_mode))
		*cause = xprintf("%.128s: no such file", argv[0]);
	else if (access(argv[0], X_OK) != 0)
		*cause = xprintf("%.128s: not executable (chmod +x it)", argv[0]);
	else
		rc = 0;
	notify_argv_free(argv);
	return rc;
}

/* "HH:MM" at s into minutes; -1 if not. */
static int
hhmm(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	if ((s[0] - '0') * 10 + s[1] - '0' > 23 || s[3] > '5')
		return -1;
	return ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 + s[4] - '0';
}

int
notify_quiet_parse(const char *s, int *from, int *to)
{
	int f, t;

	if (strlen(s) != 11 || s[5] != '-' || (f = hhmm(s)) < 0 || (t = hhmm(s + 6)) < 0 ||
	    f == t)
		return -1;
	*from = f;
	*to = t;
	return 0;
}

int
notify_quiet_in(int from, int to, int m)
{
	if (from < 0 || to < 0)
		return 0;
	if (from < to)
		return m >= from && m < to;
	return m >= from || m < to;
}

char *
notify_clean(const char *s, size_t max)
{
	struct buf b;
	size_t len, i, n, keep;
	uint32_t cp;

	buf_init(&b);
	buf_addstr(&b, "");
	len = s != NULL ? strlen(s) : 0;
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (cp == UTF8_INVALID)
			buf_addstr(&b, UTF8_FFFD);
		else if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029)
			buf_addch(&b, ' ');
		else if ((cp >= 0x80 && cp <= 0x9f) || sanitize_hidden(cp))
			continue;
		else
			buf_add(&b, s + i, n);
	}
	if (b.len > max) {
		keep = utf8_prefix(b.data, b.len, max - 3);
		b.len = keep;
		b.data[keep] = '\0';
		buf_addstr(&b, ELLIPSIS);
	}
	return buf_take(&b);
}

/* The acknowledge command without "ssh HOST ": what one types once logged in. */
static const char *
short_ack(const char *ack)
{
	const char *p;

	if (ack == NULL || strncmp(ack, "ssh ", 4) != 0)
		return ack;
	p = ack + 4 + strspn(ack + 4, " ");
	p += strcspn(p, " ");
	return *p == ' ' ? p + 1 : ack;
}

/* "[SEV1] #42 Error rate is crit": what a notice is about, on one line. */
static void
headline(struct buf *b, const struct notice *n, size_t title_max)
{
	char *t;

	if (n->event != NULL && strcmp(n->event, "test") == 0)
		buf_addstr(b, "[test]");
	else if (n->severity >= 1 && n->severity <= 4)
		buf_printf(b, "[SEV%d]", n->severity);
	else if (n->incident == 0)
		buf_addstr(b, "[proposal]");
	else
		buf_addstr(b, "[SEV?]");
	if (n->incident > 0)
		buf_printf(b, " #%lld", n->incident);
	t = notify_clean(n->title != NULL && *n->title != '\0' ? n->title :
	    "Leitstand notification", title_max);
	buf_printf(b, " %s", t);
	free(t);
}

static int
is_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 0;
	}
	return 1;
}

/* ASCII text folded at blanks so that no line with "Subject: " passes 78 columns. */
static void
fold_ascii(struct buf *b, const char *s)
{
	size_t col = 9, word;
	const char *p = s;

	while (*p != '\0') {
		word = strcspn(p + 1, " ") + 1;
		if (*p == ' ' && col + word > 78 && col > 9) {
			buf_addstr(b, "\r\n");
			col = 0;
		}
		buf_add(b, p, word);
		col += word;
		p += word;
	}
}

/* RFC 2047 "B" encoded-words of at most 45 bytes of text each (75 characters a word),
   cut between characters, one per folded line. */
static void
encode_words(struct buf *b, const char *s)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p;
	size_t len = strlen(s), off = 0, n, i;
	unsigned v;

	while (off < len) {
		n = utf8_prefix(s + off, len - off, 45);
		if (n == 0)
			n = 1;
		if (off > 0)
			buf_addstr(b, "\r\n ");
		buf_addstr(b, "=?UTF-8?B?");
		p = (const unsigned char *)s + off;
		for (i = 0; i < n; i += 3) {
			v = (unsigned)p[i] << 16;
			if (i + 1 < n)
				v |= (unsigned)p[i + 1] << 8;
			if (i + 2 < n)
				v |= p[i + 2];
			buf_addch(b, b64[v >> 18 & 63]);
			buf_addch(b, b64[v >> 12 & 63]);
			buf_addch(b, i + 1 < n ? b64[v >> 6 & 63] : '=');
			buf_addch(b, i + 2 < n ? b64[v & 63] : '=');
		}
		buf_addstr(b, "?=");
		off += n;
	}
}

char *
notify_subject(const struct notice *n)
{
	struct buf raw, out;
	const char *ack = short_ack(n->ack_command);
	char *a;

	buf_init(&raw);
	headline(&raw, n, MAX_SUBJECT_TITLE);
	if (ack != NULL && *ack != '\0') {
		a = notify_clean(ack, MAX_FIELD);
		buf_printf(&raw, " " DASH " ack: %s", a);
		free(a);
	}
	buf_init(&out);
	buf_addstr(&out, "");
	if (is_ascii(raw.data))
		fold_ascii(&out, raw.data);
	else
		encode_words(&out, raw.data);
	buf_free(&raw);
	return buf_take(&out);
}

/* "2026-12-02 09:43 UTC", without the locale. */
static void
utc_minute(time_t t, char *out, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(out, len, "?");
	else
		snprintf(out, len, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
}

static void
text_field(struct buf *b, const char *label, const char *value)
{
	char *v;

	if (value == NULL || *value == '\0')
		return;
	v = notify_clean(value, MAX_FIELD);
	buf_printf(b, "%-10s%s\n", label, v);
	free(v);
}

char *
notify_text(const struct notice *n)
{
	struct buf b;
	char when[80], *s;

	buf_init(&b);
	headline(&b, n, MAX_TITLE);
	buf_addstr(&b, "\n\n");
	if (n->summary != NULL && *n->summary != '\0') {
		s = notify_clean(n->summary, MAX_SUMMARY);
		buf_printf(&b, "%s\n\n", s);
		free(s);
	}
	text_field(&b, "Event:", n->event);
	text_field(&b, "Status:", n->status);
	if (n->level >= 1 && n->level <= 9)
		buf_printf(&b, "%-10sL%d\n", "Level:", n->level);
	utc_minute(n->at, when, sizeof when);
	buf_printf(&b, "%-10s%s\n", "At:", when);
	if (n->ack_command != NULL && *n->ack_command != '\0') {
		s = notify_clean(n->ack_command, MAX_FIELD);
		buf_printf(&b, "\nAcknowledge with:\n  %s\n", s);
		free(s);
	}
	buf_addstr(&b, "\nNothing in this message gives access: acknowledging needs your own "
	    "login.\n");
	return buf_take(&b);
}

/* Quoted-printable (RFC 2045) of LF-separated text, CRLF lines, at most 76 columns. */
static void
quoted_printable(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t col = 0, w;
	char enc[4];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n') {
			buf_addstr(b, "\r\n");
			col = 0;
			continue;
		}
		/* Blanks before a line end, '=', '.' starting a line (some relays) and every
		   byte outside printable ASCII are encoded. */
		if ((*p >= 0x21 && *p <= 0x7e && *p != '=' && !(*p == '.' && col == 0)) ||
		    ((*p == ' ' || *p == '\t') && p[1] != '\n' && p[1] != '\0')) {
			enc[0] = (char)*p;
			w = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			w = 3;
		}
		if (col + w > 75) {
			buf_addstr(b, "=\r\n");
			col = 0;
		}
		buf_add(b, enc, w);
		col += w;
	}
}

/* RFC 5322 date in UTC, with English names whatever the locale. */
static void
mail_date(time_t t, char *out, size_t len)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	    "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
	    tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

char *
notify_email(const struct notice *n, const char *from, const char *to, const char *message_id,
    time_t now)
{
	struct buf b;
	char date[128], *subject, *text, *ev;

	buf_init(&b);
	mail_date(now, date, sizeof date);
	subject = notify_subject(n);
	text = notify_text(n);
	ev = notify_clean(n->event != NULL ? n->event : "", 32);
	buf_printf(&b, "Date: %s\r\n", date);
	buf_printf(&b, "From: Leitstand <%s>\r\n", from);
	buf_printf(&b, "To: <%s>\r\n", to);
	buf_printf(&b, "Subject: %s\r\n", subject);
	buf_printf(&b, "Message-ID: <%s>\r\n", message_id);
	buf_addstr(&b, "MIME-Version: 1.0\r\n");
	buf_addstr(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	buf_addstr(&b, "Content-Transfer-Encoding: quoted-printable\r\n");
	buf_addstr(&b, "Auto-Submitted: auto-generated\r\n");
	if (is_ascii(ev) && *ev != '\0' && strpbrk(ev, " ") == NULL)
		buf_printf(&b, "X-Leitstand-Event: %s\r\n", ev);
	if (n->incident > 0)
		buf_printf(&b, "X-Leitstand-Incident: %lld\r\n", n->incident);
	buf_addstr(&b, "\r\n");
	quoted_printable(&b, text);
	free(subject);
	free(text);
	free(ev);
	return buf_take(&b);
}

/* A cleaned string, or null for NULL or "". */
static void
add_str(cJSON *o, const char *name, const char *v, size_t max)
{
	char *c;

	if (v == NULL || *v == '\0') {
		cJSON_AddNullToObject(o, name);
		return;
	}
	c = notify_clean(v, max);
	cJSON_AddStringToObject(o, name, c);
	free(c);
}

static void
add_num(cJSON *o, const char *name, long long v)
{
	if (v <= 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, (double)v);
}

/* The generic notice: every field of struct notice, the contract README documents. */
static cJSON *
generic(const struct notice *n)
{
	cJSON *o = cJSON_CreateObject();
	struct tm tm;
	char at[80];

	if (gmtime_r(&n->at, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	snprintf(at, sizeof at, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	cJSON_AddNumberToObject(o, "version", 1);
	add_str(o, "event", n->event, 32);
	add_num(o, "incident", n->incident);
	add_num(o, "severity", n->severity);
	add_num(o, "level", n->level);
	add_str(o, "title", n->title, MAX_TITLE);
	add_str(o, "status", n->status, 32);
	add_str(o, "summary", n->summary, MAX_SUMMARY);
	add_str(o, "ack_command", n->ack_command, MAX_FIELD);
	add_str(o, "user", n->user, 64);
	cJSON_AddStringToObject(o, "at", at);
	return o;
}

/* Slack's mrkdwn: &, < and > are its control characters. */
static void
slack_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_addstr(b, "&amp;");
		else if (*s == '<')
			buf_addstr(b, "&lt;");
		else if (*s == '>')
			buf_addstr(b, "&gt;");
		else
			buf_addch(b, *s);
	}
}

/* {"text": "*[SEV1] #42 title*\nsummary\nStatus: ... · Level: L1\nAcknowledge: `...`\n..."} */
static cJSON *
slack(const struct notice *n)
{
	cJSON *o = cJSON_CreateObject();
	struct buf b, h;
	char *s;

	buf_init(&b);
	buf_init(&h);
	headline(&h, n, MAX_TITLE);
	buf_addch(&b, '*');
	slack_escaped(&b, h.data);
	buf_addstr(&b, "*\n");
	if (n->summary != NULL && *n->summary != '\0') {
		s = notify_clean(n->summary, MAX_SUMMARY);
		slack_escaped(&b, s);
		buf_addch(&b, '\n');
		free(s);
	}
	if (n->status != NULL && *n->status != '\0') {
		s = notify_clean(n->status, 32);
		buf_addstr(&b, "Status: ");
		slack_escaped(&b, s);
		free(s);
		if (n->level > 0)
			buf_addstr(&b, " \xc2\xb7 ");
	}
	if (n->level > 0)
		buf_printf(&b, "Level: L%d", n->level);
	if ((n->status != NULL && *n->status != '\0') || n->level > 0)
		buf_addch(&b, '\n');
	if (n->ack_command != NULL && *n->ack_command != '\0') {
		s = notify_clean(n->ack_command, MAX_FIELD);
		buf_addstr(&b, "Acknowledge: `");
		slack_escaped(&b, s);
		buf_addstr(&b, "`\n");
		free(s);
	}
	buf_addstr(&b, "_Nothing in this message gives access._");
	cJSON_AddStringToObject(o, "text", b.data);
	buf_free(&b);
	buf_free(&h);
	return o;
}

static void
fact(cJSON *facts, const char *title, const char *value)
{
	cJSON *f;

	if (value == NULL || *value == '\0')
		return;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "title", title);
	cJSON_AddStringToObject(f, "value", value);
	cJSON_AddItemToArray(facts, f);
}

static cJSON *
text_block(const char *text, int bold)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "type", "TextBlock");
	cJSON_AddStringToObject(t, "text", text);
	if (bold) {
		cJSON_AddStringToObject(t, "weight", "Bolder");
		cJSON_AddStringToObject(t, "size", "Medium");
	}
	cJSON_AddTrueToObject(t, "wrap");
	return t;
}

/* A Teams "message" with one Adaptive Card 1.4: what Teams' Workflows incoming webhooks
   take (the older Office 365 connectors take it too). */
static cJSON *
teams(const struct notice *n)
{
	cJSON *o = cJSON_CreateObject(), *atts, *att, *card, *body, *facts, *fs;
	struct buf h;
	char level[8], *status, *ack, *summary;

	buf_init(&h);
	headline(&h, n, MAX_TITLE);
	status = n->status != NULL ? notify_clean(n->status, 32) : NULL;
	ack = n->ack_command != NULL ? notify_clean(n->ack_command, MAX_FIELD) : NULL;
	summary = n->summary != NULL ? notify_clean(n->summary, MAX_SUMMARY) : NULL;
	snprintf(level, sizeof level, "L%d", n->level);

	cJSON_AddStringToObject(o, "type", "message");
	atts = cJSON_AddArrayToObject(o, "attachments");
	att = cJSON_CreateObject();
	cJSON_AddItemToArray(atts, att);
	cJSON_AddStringToObject(att, "contentType", "application/vnd.microsoft.card.adaptive");
	cJSON_AddNullToObject(att, "contentUrl");
	card = cJSON_AddObjectToObject(att, "content");
	cJSON_AddStringToObject(card, "$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
	cJSON_AddStringToObject(card, "type", "AdaptiveCard");
	cJSON_AddStringToObject(card, "version", "1.4");
	body = cJSON_AddArrayToObject(card, "body");
	cJSON_AddItemToArray(body, text_block(h.data, 1));
	if (summary != NULL && *summary != '\0')
		cJSON_AddItemToArray(body, text_block(summary, 0));
	fs = cJSON_CreateObject();
	cJSON_AddStringToObject(fs, "type", "FactSet");
	facts = cJSON_AddArrayToObject(fs, "facts");
	fact(facts, "Status", status);
	fact(facts, "Level", n->level > 0 ? level : NULL);
	fact(facts, "Acknowledge", ack);
	if (cJSON_GetArraySize(facts) > 0)
		cJSON_AddItemToArray(body, fs);
	else
		cJSON_Delete(fs);
	cJSON_AddItemToArray(body, text_block("Nothing in this message gives access.", 0));
	buf_free(&h);
	free(status);
	free(ack);
	free(summary);
	return o;
}

char *
notify_json(enum notify_channel c, const struct notice *n, const char *phone)
{
	cJSON *o;
	char *out;

	switch (c) {
	case NOTIFY_SLACK:
		o = slack(n);
		break;
	case NOTIFY_TEAMS:
		o = teams(n);
		break;
	case NOTIFY_COMMAND:
		o = generic(n);
		cJSON_AddStringToObject(o, "channel", "command");
		add_str(o, "phone", phone, 64);
		break;
	default:
		o = generic(n);
		break;
	}
	if ((out = cJSON_PrintUnformatted(o)) == NULL)
		fatal("out of memory printing a notification");
	cJSON_Delete(o);
	return out;
}
