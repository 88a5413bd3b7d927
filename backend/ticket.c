/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backend/buf.h"
#include "backend/http.h"
#include "backend/sanitize.h"
#include "backend/secret.h"
#include "backend/ticket.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

/* A reply larger than this is no "issue created": refuse it rather than grow without bound. */
#define TICKET_MAX_REPLY	(1024 * 1024)
/* Jira's limits, counted as Java counts them: in UTF-16 code units. */
#define TICKET_MAX_SUMMARY	255
#define TICKET_MAX_DESCRIPTION	32767
/* The incident's own description and any one timeline entry get at most this much. */
#define TICKET_MAX_FREETEXT	8000
#define TICKET_MAX_LINE		2000
#define TICKET_MAX_FIELD	200
#define TICKET_MAX_ENTRIES	200
/* Error details from the far end, before escaping. */
#define TICKET_MAX_DETAIL	300
#define TICKET_TIMEOUT_MS	30000L

#define ELLIPSIS		"\xe2\x80\xa6"
#define REPLACEMENT		"\xef\xbf\xbd"

/* How text_add() treats line breaks and controls. */
enum text_mode {
	TEXT_LINE,	/* one line: every control becomes a space (Jira refuses newlines) */
	TEXT_INDENT,	/* lines after the first indented, so no text can forge a line */
};

/* UTF-16 code units of the valid UTF-8 character starting with byte c (0 if a continuation). */
static size_t
utf16_units(unsigned char c)
{
	if ((c & 0xc0) == 0x80)
		return 0;
	return c >= 0xf0 ? 2 : 1;
}

static size_t
utf16_len(const char *s, size_t len)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++)
		n += utf16_units((unsigned char)s[i]);
	return n;
}

/* Cuts the valid UTF-8 in b after start to at most max units, ending in an ellipsis if cut. */
static void
text_cut(struct buf *b, size_t start, size_t max)
{
	size_t	i, units = 0, u;

	if (utf16_len(b->data + start, b->len - start) <= max)
		return;
	for (i = start; i < b->len; i++) {
		u = utf16_units((unsigned char)b->data[i]);
		if (u != 0 && units + u > max - 1)
			break;
		units += u;
	}
	b->len = i;
	b->data[i] = '\0';
	buf_addstr(b, ELLIPSIS);
}

/* Appends s as valid UTF-8: invalid bytes become U+FFFD, controls as the mode says. */
static void
text_add(struct buf *b, const char *s, enum text_mode mode)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), i, n;
	uint32_t		 cp;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (cp == UTF8_INVALID) {
			buf_addstr(b, REPLACEMENT);
			n = 1;
			continue;
		}
		/* The reports' policy: C1 controls and text that reorders or hides are dropped. */
		if ((cp >= 0x80 && cp <= 0x9f) || (sanitize_hidden(cp) && cp != 0x2028 &&
		    cp != 0x2029))
			continue;
		if (cp == 0x2028 || cp == 0x2029) {
			buf_addstr(b, mode == TEXT_LINE ? " " : "\n  ");
			continue;
		}
		if (n > 1 || (p[i] >= 0x20 && p[i] != 0x7f)) {
			buf_add(b, p + i, n);
			continue;
		}
		if (mode == TEXT_LINE)
			buf_addch(b, ' ');
		else if (p[i] == '\r' && p[i + 1] == '\n')
			continue;
		else if (p[i] == '\r' || p[i] == '\n')
			buf_addstr(b, "\n  ");
		else
			buf_addch(b, (char)p[i]);	/* kept as data: JSON escapes it */
	}
}

static const char *
get_string(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
get_number(const cJSON *o, const char *name, double *d)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v))
		return 0;
	*d = v->valuedouble;
	return 1;
}

/* "2026-11-23 21:08" in UTC, or "?" for a missing or impossible time. */
static void
format_time(const cJSON *o, const char *name, char *out, size_t len)
{
	struct tm	tm;
	time_t		t;
	double		d;

	if (!get_number(o, name, &d) || d < 0 || d > 253402300799.0) {
		snprintf(out, len, "?");
		return;
	}
	t = (time_t)d;
	if (gmtime_r(&t, &tm) == NULL || strftime(out, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, len, "?");
}

static int
severity(const cJSON *incident)
{
	double	d;

	if (!get_number(incident, "severity", &d) || d < 1 || d > 9)
		return 0;
	return (int)d;
}

/* "[SEV1] title" on one line, at most Jira's 255 units. */
static char *
summary(const cJSON *incident)
{
	const char	*title = get_string(incident, "title");
	struct buf	 b;
	int		 sev = severity(incident);

	buf_init(&b);
	if (sev != 0)
		buf_printf(&b, "[SEV%d] ", sev);
	else
		buf_addstr(&b, "[SEV?] ");
	text_add(&b, title != NULL && *title != '\0' ? title : "(untitled)", TEXT_LINE);
	text_cut(&b, 0, TICKET_MAX_SUMMARY);
	return buf_take(&b);
}

/* One "label: value" header line of the description, if the value is there. */
static void
header_line(struct buf *b, const char *label, const char *value)
{
	size_t	start;

	if (value == NULL || *value == '\0')
		return;
	buf_printf(b, "%s: ", label);
	start = b->len;
	text_add(b, value, TEXT_LINE);
	text_cut(b, start, TICKET_MAX_FIELD);
	buf_addch(b, '\n');
}

/* The header: what the incident is, who has it, since when. */
static void
describe_header(struct buf *b, const cJSON *incident)
{
	const char	*s;
	char		 when[32];
	double		 d;
	size_t		 start;
	int		 sev = severity(incident);

	buf_addstr(b, "Leitstand incident");
	if (get_number(incident, "id", &d))
		buf_printf(b, " #%.0f", d);
	buf_addch(b, '\n');
	if (sev != 0)
		buf_printf(b, "Severity: SEV%d\n", sev);
	header_line(b, "Status", get_string(incident, "status"));
	if (get_number(incident, "level", &d) && d >= 0 && d < 100)
		buf_printf(b, "Level: L%d\n", (int)d);
	s = get_string(incident, "assignee");
	header_line(b, "Assignee", s != NULL && *s != '\0' ? s : "(nobody)");
	format_time(incident, "opened_at", when, sizeof when);
	buf_printf(b, "Opened: %s UTC", when);
	if ((s = get_string(incident, "opened_by")) != NULL && *s != '\0') {
		buf_addstr(b, " by ");
		start = b->len;
		text_add(b, s, TEXT_LINE);
		text_cut(b, start, TICKET_MAX_FIELD);
	}
	buf_addch(b, '\n');
	header_line(b, "Source", get_string(incident, "source"));
	header_line(b, "KPI", get_string(incident, "kpi"));
	if ((s = get_string(incident, "description")) != NULL && *s != '\0') {
		buf_addstr(b, "\nDescription:\n  ");
		start = b->len;
		text_add(b, s, TEXT_INDENT);
		text_cut(b, start, TICKET_MAX_FREETEXT);
		buf_addch(b, '\n');
	}
}

/* One timeline entry: "2026-11-23 21:08 actor kind: text". */
static char *
describe_entry(const cJSON *e)
{
	const char	*actor = get_string(e, "actor"), *kind = get_string(e, "kind");
	const char	*text = get_string(e, "text");
	struct buf	 b;
	char		 when[32];

	buf_init(&b);
	format_time(e, "ts", when, sizeof when);
	buf_addstr(&b, when);
	buf_addch(&b, ' ');
	text_add(&b, actor != NULL && *actor != '\0' ? actor : "?", TEXT_LINE);
	buf_addch(&b, ' ');
	text_add(&b, kind != NULL && *kind != '\0' ? kind : "?", TEXT_LINE);
	if (text != NULL && *text != '\0') {
		buf_addstr(&b, ": ");
		text_add(&b, text, TEXT_INDENT);
	}
	text_cut(&b, 0, TICKET_MAX_LINE);
	buf_addch(&b, '\n');
	return buf_take(&b);
}

/*
 * The plain-text description: header, then the newest timeline entries that fit Jira's
 * limit (at most the last 200), with a line saying how many older ones were left out.
 */
static char *
describe(const cJSON *incident)
{
	const cJSON	*tl = cJSON_GetObjectItemCaseSensitive(incident, "timeline");
	const cJSON	*e;
	struct buf	 b;
	char		*lines[TICKET_MAX_ENTRIES];
	size_t		 budget, units, used = 0;
	int		 total, first, keep, i;

	buf_init(&b);
	describe_header(&b, incident);
	total = cJSON_IsArray(tl) ? cJSON_GetArraySize(tl) : 0;
	if (total == 0)
		return buf_take(&b);

	first = total > TICKET_MAX_ENTRIES ? total - TICKET_MAX_ENTRIES : 0;
	i = 0;
	cJSON_ArrayForEach(e, tl) {
		if (i >= first)
			lines[i - first] = describe_entry(e);
		i++;
	}
	/* Room for the heading and the "earlier entries" line; the header is bounded. */
	units = utf16_len(b.data, b.len) + 80;
	budget = units < TICKET_MAX_DESCRIPTION ? TICKET_MAX_DESCRIPTION - units : 0;
	for (keep = 0; keep < total - first; keep++) {
		units = utf16_len(lines[total - first - 1 - keep],
		    strlen(lines[total - first - 1 - keep]));
		if (used + units > budget)
			break;
		used += units;
	}
	buf_addstr(&b, "\nTimeline (UTC):\n");
	if (total - keep > 0)
		buf_printf(&b, "(%d earlier %s not shown)\n", total - keep,
		    total - keep == 1 ? "entry" : "entries");
	for (i = 0; i < total - first; i++) {
		if (i >= total - first - keep)
			buf_addstr(&b, lines[i]);
		free(lines[i]);
	}
	return buf_take(&b);
}

char *
ticket_body(const struct ticket_target *t, const cJSON *incident)
{
	cJSON	*o, *fields, *project, *type;
	char	*s, *d, *out;

	s = summary(incident);
	d = describe(incident);
	o = cJSON_CreateObject();
	if (t->kind == TICKET_JIRA) {
		fields = cJSON_AddObjectToObject(o, "fields");
		project = cJSON_AddObjectToObject(fields, "project");
		cJSON_AddStringToObject(project, "key", t->project != NULL ? t->project : "");
		cJSON_AddStringToObject(fields, "summary", s);
		type = cJSON_AddObjectToObject(fields, "issuetype");
		cJSON_AddStringToObject(type, "name",
		    t->issue_type != NULL ? t->issue_type : "");
		cJSON_AddStringToObject(fields, "description", d);
	} else {
		cJSON_AddItemToObject(o, "incident", cJSON_Duplicate(incident, 1));
		cJSON_AddStringToObject(o, "summary", s);
		cJSON_AddStringToObject(o, "text", d);
	}
	if ((out = cJSON_PrintUnformatted(o)) == NULL)
		fatal("out of memory printing a ticket");
	cJSON_Delete(o);
	free(s);
	free(d);
	return out;
}

void
ticket_result_free(struct ticket_result *res)
{
	free(res->key);
	free(res->url);
	res->key = res->url = NULL;
}

static int
has_scheme(const char *url)
{
	return strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0;
}

/* "Jira at https://host:port": the URL without user info, path or query (a webhook's path
   is often its secret), escaped. */
static char *
cause_prefix(const struct ticket_target *t)
{
	const char	*name = t->kind == TICKET_JIRA ? "Jira" : "webhook";
	const char	*url = t->url != NULL ? t->url : "", *host, *end, *at;
	char		*scheme, *origin, *out;

	if ((host = strstr(url, "://")) == NULL)
		return xprintf("%s", name);
	host += 3;
	end = host + strcspn(host, "/?#");
	if ((at = memchr(host, '@', (size_t)(end - host))) != NULL)
		host = at + 1;
	scheme = sanitize_log(url, (size_t)(strstr(url, "://") - url));
	origin = sanitize_log(host, (size_t)(end - host));
	out = xprintf("%s at %s://%s", name, scheme, origin);
	free(scheme);
	free(origin);
	return out;
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

/* Checks a target before anything is sent; NULL or why it cannot work. */
static const char *
target_check(const struct ticket_target *t)
{
	const char *const	*h;
	const char		*colon;

	if (t->url == NULL || *t->url == '\0')
		return "no URL configured";
	if (!has_scheme(t->url) || has_control(t->url))
		return "URL must start with http:// or https://";
	if (t->token != NULL && has_control(t->token))
		return "token holds a control character";
	if (t->user != NULL && has_control(t->user))
		return "user holds a control character";
	if (t->kind == TICKET_JIRA) {
		if (t->project == NULL || *t->project == '\0')
			return "no project key configured";
		if (t->issue_type == NULL || *t->issue_type == '\0')
			return "no issue type configured";
		if (t->user != NULL && *t->user != '\0' && (t->token == NULL || *t->token == '\0'))
			return "user configured without a token";
		return NULL;
	}
	for (h = t->headers; h != NULL && *h != NULL; h++) {
		colon = strchr(*h, ':');
		if (colon == NULL || colon == *h || has_control(*h))
			return "extra headers must be \"Name: value\" on one line";
	}
	return NULL;
}

/* s (which it frees) without the token and any header value: a far end may echo either. */
static char *
target_scrub(const struct ticket_target *t, char *s)
{
	const char *const	*h;
	const char		*v, *path;

	s = secret_scrub(s, t->token, t->user);
	/* A webhook's path is often its secret, and servers echo it ("Cannot POST /"). */
	if (t->kind == TICKET_WEBHOOK && (path = strstr(t->url, "://")) != NULL &&
	    (path = strchr(path + 3, '/')) != NULL && path[1] != '\0')
		s = secret_scrub(s, path, NULL);
	for (h = t->headers; h != NULL && *h != NULL; h++) {
		if ((v = strchr(*h, ':')) != NULL)
			s = secret_scrub(s, v + 1 + strspn(v + 1, " \t"), NULL);
	}
	return s;
}

/* Jira's {"errorMessages": [...], "errors": {field: msg}} as "msg; field: msg", or NULL. */
static char *
jira_errors(const cJSON *o)
{
	const cJSON	*msgs = cJSON_GetObjectItemCaseSensitive(o, "errorMessages");
	const cJSON	*errs = cJSON_GetObjectItemCaseSensitive(o, "errors");
	const cJSON	*e;
	struct buf	 b;

	buf_init(&b);
	cJSON_ArrayForEach(e, (cJSON_IsArray(msgs) ? msgs : NULL)) {
		if (!cJSON_IsString(e))
			continue;
		buf_printf(&b, "%s%s", b.len != 0 ? "; " : "", e->valuestring);
	}
	cJSON_ArrayForEach(e, (cJSON_IsObject(errs) ? errs : NULL)) {
		if (!cJSON_IsString(e) || e->string == NULL)
			continue;
		buf_printf(&b, "%s%s: %s", b.len != 0 ? "; " : "", e->string, e->valuestring);
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* What the far end said about an error: Jira's messages if it sent them, else the start of
   its body; without the token or header values, cut to 300 bytes, escaped. */
static char *
error_detail(const struct ticket_target *t, const struct buf *body)
{
	cJSON	*o;
	char	*raw = NULL, *out, *cut;
	size_t	 len;

	if (body->len != 0 && (o = cJSON_ParseWithLength(body->data, body->len)) != NULL) {
		raw = jira_errors(o);
		cJSON_Delete(o);
	}
	if (raw == NULL)
		raw = xstrndup(body->data != NULL ? body->data : "", body->len);
	raw = target_scrub(t, raw);
	if ((len = strlen(raw)) == 0) {
		free(raw);
		return xstrdup("(empty body)");
	}
	len = utf8_prefix(raw, len, TICKET_MAX_DETAIL);
	out = sanitize_log(raw, len);
	if (len < strlen(raw)) {
		cut = out;
		out = xprintf("%s...", cut);
		free(cut);
	}
	free(raw);
	return out;
}

/* A Jira issue key: letters, digits and underscores, a dash, a number. */
static int
jira_key_ok(const char *k)
{
	const char	*dash = strrchr(k, '-'), *p;

	if (dash == NULL || dash == k || dash[1] == '\0' || strlen(k) > 64)
		return 0;
	if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z')))
		return 0;
	for (p = k; p < dash; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	}
	for (p = dash + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
	}
	return 1;
}

/* A webhook's "key" or "url": short, one line, and the URL a web one. */
static int
reply_text_ok(const char *s, int is_url)
{
	const unsigned char	*p;

	if (*s == '\0' || strlen(s) > (is_url ? 2048 : 200))
		return 0;
	if (is_url && !has_scheme(s))
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || (is_url && *p == ' '))
			return 0;
	}
	return 1;
}

/* The browse URL of a Jira issue: the base without trailing slashes, "/browse/", the key. */
static char *
jira_browse(const char *base, const char *key)
{
	size_t	len = strlen(base);

	while (len > 0 && base[len - 1] == '/')
		len--;
	return xprintf("%.*s/browse/%s", (int)len, base, key);
}

/* A 2xx from Jira: the key of the issue it created, or -1 with *cause. */
static int
jira_created(const struct ticket_target *t, const struct buf *body, const char *prefix,
    struct ticket_result *res, char **cause)
{
	cJSON		*o = NULL;
	const char	*key = NULL;
	char		*excerpt;

	if (body->len != 0)
		o = cJSON_ParseWithLength(body->data, body->len);
	if (cJSON_IsObject(o))
		key = get_string(o, "key");
	if (key == NULL || !jira_key_ok(key)) {
		excerpt = sanitize_log(body->data != NULL ? body->data : "",
		    body->len < 120 ? body->len : 120);
		*cause = xprintf("%s: invalid reply: HTTP %ld without an issue key: %s", prefix,
		    res->http_status, *excerpt != '\0' ? excerpt : "(empty body)");
		free(excerpt);
		cJSON_Delete(o);
		return -1;
	}
	res->key = xstrdup(key);
	res->url = jira_browse(t->url, key);
	cJSON_Delete(o);
	return 0;
}

/* A 2xx from a webhook: its "key" (or "id") and "url" if it sent JSON with them. */
static void
webhook_created(const struct buf *body, struct ticket_result *res)
{
	const cJSON	*v;
	cJSON		*o;
	const char	*s;

	if (body->len == 0 || (o = cJSON_ParseWithLength(body->data, body->len)) == NULL)
		return;
	if (cJSON_IsObject(o)) {
		if ((s = get_string(o, "key")) == NULL)
			s = get_string(o, "id");
		if (s != NULL && reply_text_ok(s, 0))
			res->key = xstrdup(s);
		v = cJSON_GetObjectItemCaseSensitive(o, "id");
		if (res->key == NULL && cJSON_IsNumber(v) && v->valuedouble >= 0 &&
		    v->valuedouble < 1e15)
			res->key = xprintf("%.0f", v->valuedouble);
		if ((s = get_string(o, "url")) != NULL && reply_text_ok(s, 1))
			res->url = xstrdup(s);
	}
	cJSON_Delete(o);
}

int
ticket_classify(const struct ticket_target *t, int transfer, const struct http_reply *r,
    const char *why, struct ticket_result *res, char **cause)
{
	const char	*hint = "";
	char		*prefix = cause_prefix(t), *detail;
	long		 status = r->status;
	int		 rc = -1;

	res->http_status = status;
	if (transfer != 0) {
		res->retry = r->transient;
		*cause = xprintf("%s: %s", prefix, why);
	} else if (status >= 200 && status < 300) {
		if (t->kind == TICKET_JIRA)
			rc = jira_created(t, &r->body, prefix, res, cause);
		else {
			webhook_created(&r->body, res);
			rc = 0;
		}
		res->retry = 0;
	} else {
		res->retry = status == 408 || status == 429 || status >= 500;
		if (status == 401 || status == 403)
			hint = " (check the user and token)";
		else if (status >= 300 && status < 400)
			hint = " (redirected: configure the final URL)";
		detail = error_detail(t, &r->body);
		*cause = xprintf("%s: HTTP %ld%s: %s", prefix, status, hint, detail);
		free(detail);
	}
	free(prefix);
	if (rc != 0)
		*cause = target_scrub(t, *cause);
	/* What a webhook calls its ticket reaches the timeline too. */
	if (res->key != NULL)
		res->key = target_scrub(t, res->key);
	if (res->url != NULL)
		res->url = target_scrub(t, res->url);
	return rc;
}

/* The URL to POST to: Jira's create-issue endpoint under its base, or the webhook itself. */
static char *
post_url(const struct ticket_target *t)
{
	size_t	len = strlen(t->url);

	if (t->kind != TICKET_JIRA)
		return xstrdup(t->url);
	while (len > 0 && t->url[len - 1] == '/')
		len--;
	return xprintf("%.*s/rest/api/2/issue", (int)len, t->url);
}

int
ticket_export(const struct ticket_target *t, const cJSON *incident,
    struct ticket_result *res, char **cause)
{
	struct http_request	 rq;
	struct http_reply	 r;
	const char		*why;
	char			*prefix, *url, *body, *err = NULL;
	int			 rc, transfer;

	memset(res, 0, sizeof *res);
	if ((why = target_check(t)) != NULL) {
		prefix = cause_prefix(t);
		*cause = xprintf("%s: %s", prefix, why);
		free(prefix);
		return -1;
	}
	url = post_url(t);
	body = ticket_body(t, incident);
	memset(&rq, 0, sizeof rq);
	rq.url = url;
	rq.body = body;
	rq.timeout_ms = t->timeout_ms > 0 ? t->timeout_ms : TICKET_TIMEOUT_MS;
	rq.max_body = TICKET_MAX_REPLY;
	if (t->kind == TICKET_WEBHOOK)
		rq.headers = t->headers;
	if (t->kind == TICKET_JIRA && t->user != NULL && *t->user != '\0') {
		rq.user = t->user;
		rq.password = t->token;
	} else
		rq.bearer = t->token;
	transfer = http_do(&rq, &r, &err);
	rc = ticket_classify(t, transfer, &r, err, res, cause);
	http_reply_free(&r);
	free(err);
	free(body);
	free(url);
	return rc;
}
