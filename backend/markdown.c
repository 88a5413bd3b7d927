/* SPDX-License-Identifier: ISC */
/* Markdown for the reports: external text written safely, times, durations, incident fields. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/markdown.h"
#include "backend/sanitize.h"
#include "backend/utf8.h"

/* A duration field of the incident, or the difference of two known times, or -1. */
long long
markdown_span(const cJSON *inc, const char *key, long long from, long long to)
{
	long long d;

	if (key != NULL && json_int(inc, key, &d) && d >= 0)
		return d;
	if (from != 0 && to != 0 && to >= from)
		return to - from;
	return -1;
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
 * tabs as one space (MARKDOWN_QUOTE: line breaks start a new "> " line, a blank line stays one),
 * '|' escaped in a cell. Empty text is "-".
 */
void
markdown_text(struct buf *b, const char *s, int flags)
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
		if (c == '\n' && (flags & MARKDOWN_QUOTE)) {
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
			buf_addstr(b, UTF8_FFFD);
		else if (c == '|' && (flags & MARKDOWN_CELL))
			buf_addstr(b, "\\|");
		else
			buf_add(b, p, n);
	}
	while (b->len > start && b->data[b->len - 1] == ' ')
		b->data[--b->len] = '\0';
	if (b->len == start)
		buf_addstr(b, MARKDOWN_NONE);
}

/* "2026-11-23 21:08" in local time, or "-". */
const char *
markdown_fmt_time(char *s, size_t len, long long t)
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
	snprintf(s, len, MARKDOWN_NONE);
	return s;
}

/* "45s", "5m", "2h 10m", "3d 4h": the two largest units; negative is "-". */
const char *
markdown_fmt_duration(char *s, size_t len, long long d)
{
	static const char units[] = "dhms";
	long long u[4];
	int i;

	if (d < 0) {
		snprintf(s, len, MARKDOWN_NONE);
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
markdown_time(struct buf *b, long long t)
{
	char s[32];

	buf_addstr(b, markdown_fmt_time(s, sizeof s, t));
}

void
markdown_duration(struct buf *b, long long d)
{
	char s[32];

	buf_addstr(b, markdown_fmt_duration(s, sizeof s, d));
}

/* prefix and the number member key if it is from min to max, else none. */
static void
markdown_number(struct buf *b, const cJSON *o, const char *key, long long min, long long max,
    const char *prefix, const char *none)
{
	long long v;

	if (json_int(o, key, &v) && v >= min && v <= max)
		buf_printf(b, "%s%lld", prefix, v);
	else
		buf_addstr(b, none);
}

/* "SEV1", or "-" for a missing or odd severity. */
void
markdown_severity(struct buf *b, const cJSON *o)
{
	markdown_number(b, o, "severity", 1, 9, "SEV", MARKDOWN_NONE);
}

void
markdown_id(struct buf *b, const cJSON *o)
{
	markdown_number(b, o, "id", LLONG_MIN, LLONG_MAX, "#", "#-");
}

void
markdown_level(struct buf *b, const cJSON *o)
{
	markdown_number(b, o, "level", 0, 99, "L", MARKDOWN_NONE);
}

/* A KPI's value with its unit and precision, as kpi_json or a kpi.state event has it. */
const char *
markdown_fmt_kpi_value(char *s, size_t len, const cJSON *k)
{
	const char *unit = json_str(k, "unit", NULL);
	long long prec;
	double v;

	if (!json_finite(k, "value", &v))
		snprintf(s, len, MARKDOWN_NONE);
	else if (json_int(k, "precision", &prec) && prec >= 0 && prec <= 6)
		format_value(s, len, v, (int)prec, unit);
	else if (unit != NULL && *unit != '\0')
		snprintf(s, len, "%g %s", v, unit);
	else
		snprintf(s, len, "%g", v);
	return s;
}

/* A KPI's state: "state" of a snapshot, "to" of a kpi.state event. */
const char *
markdown_kpi_state(const cJSON *k)
{
	const char *state = json_str(k, "state", NULL);

	return state != NULL ? state : json_str(k, "to", NULL);
}
