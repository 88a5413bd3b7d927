/* SPDX-License-Identifier: ISC */
/* Markdown for the reports: fields of the daemon's JSON read leniently, external text written safely. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/format.h"
#include "backend/markdown.h"
#include "backend/sanitize.h"
#include "backend/utf8.h"

/* Numbers beyond this are not ids, times or durations: treated as missing. */
#define REPORT_INT_MAX	1e15

const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return NULL;
	return v->valuestring;
}

int
jnum(const cJSON *o, const char *key, double *out)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return 0;
	*out = v->valuedouble;
	return 1;
}

int
jint(const cJSON *o, const char *key, long long *out)
{
	double d;

	if (!jnum(o, key, &d) || d < -REPORT_INT_MAX || d > REPORT_INT_MAX)
		return 0;
	*out = (long long)d;
	return 1;
}

/* A positive time (seconds since the epoch), else 0. */
long long
jtime(const cJSON *o, const char *key)
{
	long long t;

	if (!jint(o, key, &t) || t <= 0)
		return 0;
	return t;
}

/* A duration field of the incident, or the difference of two known times, or -1. */
long long
pm_span(const cJSON *inc, const char *key, long long from, long long to)
{
	long long d;

	if (key != NULL && jint(inc, key, &d) && d >= 0)
		return d;
	if (from != 0 && to != 0 && to >= from)
		return to - from;
	return -1;
}

const cJSON *
jarray(const cJSON *o, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsArray(v) ? v : NULL;
}

int
jeq(const cJSON *o, const char *key, const char *want)
{
	const char *s = jstr(o, key);

	return s != NULL && strcmp(s, want) == 0;
}

/* Characters that change how text after them is shown: never copied. */
static int
invisible(uint32_t c)
{
	return c == 0x7f || (c >= 0x80 && c <= 0x9f) || sanitize_hidden(c);
}

/*
 * Appends external text: C0 and C1 controls, DEL and bidi controls dropped (an escape
 * sequence loses its ESC or CSI and is plain text), invalid UTF-8 as U+FFFD, line breaks and
 * tabs as one space (TEXT_QUOTE: line breaks start a new "> " line, a blank line stays one),
 * '|' escaped in a cell. Empty text is "-".
 */
void
add_text(struct buf *b, const char *s, int flags)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	const unsigned char *end = p + strlen((const char *)p);
	size_t start = b->len, n;
	uint32_t c;
	int space = 0, lines = 0;

	for (; p < end; p += n) {
		if ((n = utf8_char_len((const char *)p, (size_t)(end - p))) == 0) {
			n = 1;
			c = 0xfffd;
		} else
			utf8_decode((const char *)p, n, &c);
		if (c == '\n' && (flags & TEXT_QUOTE)) {
			lines++;
			continue;
		}
		if (c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' ||
		    c == 0x2028 || c == 0x2029) {
			space = 1;
			continue;
		}
		if (c < 0x20 || invisible(c))
			continue;
		/* Breaks and spaces wait for the next character: none lead or trail. */
		if (b->len != start) {
			if (lines > 1)
				buf_addstr(b, "\n>\n> ");
			else if (lines == 1)
				buf_addstr(b, "\n> ");
			else if (space && b->data[b->len - 1] != ' ')
				buf_addch(b, ' ');
		}
		lines = space = 0;
		if (c == 0xfffd && n == 1)
			buf_addstr(b, "\xef\xbf\xbd");
		else if (c == '|' && (flags & TEXT_CELL))
			buf_addstr(b, "\\|");
		else
			buf_add(b, p, n);
	}
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	if (b->len == start)
		buf_addstr(b, DASH);
}

/* "2026-11-23 21:08" in local time, or "-". */
const char *
fmt_time(char *s, size_t len, long long t)
{
	struct tm tm;
	time_t tt;

	/* Up to the year 9999: strftime's year stays four digits. */
	if (t <= 0 || t > 253402300799LL)
		goto none;
	tt = (time_t)t;
	if (localtime_r(&tt, &tm) == NULL || strftime(s, len, "%Y-%m-%d %H:%M", &tm) == 0)
		goto none;
	return s;
none:
	snprintf(s, len, DASH);
	return s;
}

/* "45s", "5m", "2h 10m", "3d 4h": the two largest units; negative is "-". */
const char *
fmt_duration(char *s, size_t len, long long d)
{
	static const char units[] = "dhms";
	long long u[4];
	int i;

	if (d < 0) {
		snprintf(s, len, DASH);
		return s;
	}
	u[0] = d / 86400;
	u[1] = d % 86400 / 3600;
	u[2] = d % 3600 / 60;
	u[3] = d % 60;
	for (i = 0; i < 3 && u[i] == 0; i++)
		;
	if (i < 3 && u[i + 1] != 0)
		snprintf(s, len, "%lld%c %lld%c", u[i], units[i], u[i + 1], units[i + 1]);
	else
		snprintf(s, len, "%lld%c", u[i], units[i]);
	return s;
}

void
add_time(struct buf *b, long long t)
{
	char s[32];

	buf_addstr(b, fmt_time(s, sizeof s, t));
}

void
add_duration(struct buf *b, long long d)
{
	char s[32];

	buf_addstr(b, fmt_duration(s, sizeof s, d));
}

/* "SEV1", or "-" for a missing or odd severity. */
void
add_severity(struct buf *b, const cJSON *o)
{
	long long sev;

	if (jint(o, "severity", &sev) && sev >= 1 && sev <= 9)
		buf_printf(b, "SEV%lld", sev);
	else
		buf_addstr(b, DASH);
}

void
add_id(struct buf *b, const cJSON *o)
{
	long long id;

	if (jint(o, "id", &id))
		buf_printf(b, "#%lld", id);
	else
		buf_addstr(b, "#-");
}

void
add_level(struct buf *b, const cJSON *o)
{
	long long level;

	if (jint(o, "level", &level) && level >= 0 && level <= 99)
		buf_printf(b, "L%lld", level);
	else
		buf_addstr(b, DASH);
}

/* A KPI's value with its unit and precision, as kpi_json or a kpi.state event has it. */
const char *
fmt_kpi_value(char *s, size_t len, const cJSON *k)
{
	const char *unit = jstr(k, "unit");
	long long prec;
	double v;

	if (!jnum(k, "value", &v))
		snprintf(s, len, DASH);
	else if (jint(k, "precision", &prec) && prec >= 0 && prec <= 6)
		format_value(s, len, v, (int)prec, unit);
	else if (unit != NULL && *unit != '\0')
		snprintf(s, len, "%g %s", v, unit);
	else
		snprintf(s, len, "%g", v);
	return s;
}

/* A KPI's state: "state" of a snapshot, "to" of a kpi.state event. */
const char *
kpi_state(const cJSON *k)
{
	const char *state = jstr(k, "state");

	return state != NULL ? state : jstr(k, "to");
}
