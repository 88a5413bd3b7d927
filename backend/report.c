/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/format.h"
#include "backend/report.h"
#include "backend/sanitize.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define DASH		"-"

/* How add_text writes external text: escaped for a table cell, or as block-quote lines. */
#define TEXT_CELL	0x1
#define TEXT_QUOTE	0x2

/* Numbers beyond this are not ids, times or durations: treated as missing. */
#define REPORT_INT_MAX	1e15
/* Sorts after every real key. */
#define KEY_LAST	((long long)2e15)

static const char *
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

static int
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

static int
jint(const cJSON *o, const char *key, long long *out)
{
	double d;

	if (!jnum(o, key, &d) || d < -REPORT_INT_MAX || d > REPORT_INT_MAX)
		return 0;
	*out = (long long)d;
	return 1;
}

/* A positive time (seconds since the epoch), else 0. */
static long long
jtime(const cJSON *o, const char *key)
{
	long long t;

	if (!jint(o, key, &t) || t <= 0)
		return 0;
	return t;
}

static const cJSON *
jarray(const cJSON *o, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsArray(v) ? v : NULL;
}

static int
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
static void
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

void
report_text(struct buf *b, const char *s)
{
	add_text(b, s, 0);
}

/* "2026-11-23 21:08" in local time, or "-". */
static const char *
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
static const char *
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

static void
add_time(struct buf *b, long long t)
{
	char s[32];

	buf_addstr(b, fmt_time(s, sizeof s, t));
}

static void
add_duration(struct buf *b, long long d)
{
	char s[32];

	buf_addstr(b, fmt_duration(s, sizeof s, d));
}

/* "SEV1", or "-" for a missing or odd severity. */
static void
add_severity(struct buf *b, const cJSON *o)
{
	long long sev;

	if (jint(o, "severity", &sev) && sev >= 1 && sev <= 9)
		buf_printf(b, "SEV%lld", sev);
	else
		buf_addstr(b, DASH);
}

static void
add_id(struct buf *b, const cJSON *o)
{
	long long id;

	if (jint(o, "id", &id))
		buf_printf(b, "#%lld", id);
	else
		buf_addstr(b, "#-");
}

static void
add_level(struct buf *b, const cJSON *o)
{
	long long level;

	if (jint(o, "level", &level) && level >= 0 && level <= 99)
		buf_printf(b, "L%lld", level);
	else
		buf_addstr(b, DASH);
}

/* A KPI's value with its unit and precision, as kpi_json or a kpi.state event has it. */
static const char *
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
static const char *
kpi_state(const cJSON *k)
{
	const char *state = jstr(k, "state");

	return state != NULL ? state : jstr(k, "to");
}

/* "4.20 s (crit)" */
static void
add_kpi_reading(struct buf *b, const cJSON *k, int flags)
{
	const char *state = kpi_state(k);
	char v[128];

	add_text(b, fmt_kpi_value(v, sizeof v, k), flags);
	if (state != NULL) {
		buf_addstr(b, " (");
		add_text(b, state, flags);
		buf_addch(b, ')');
	}
}

static int
kind_is_playbook(const char *kind)
{
	return kind != NULL && strncmp(kind, "playbook", 8) == 0;
}

/* The KPI a timeline entry carries, if any: its data is a snapshot or a kpi.state event. */
static const cJSON *
entry_kpi(const cJSON *e)
{
	const cJSON *d;
	double v;

	if (!jeq(e, "kind", "kpi") && !jeq(e, "kind", "recovered"))
		return NULL;
	d = cJSON_GetObjectItemCaseSensitive(e, "data");
	if (!cJSON_IsObject(d) || (jstr(d, "name") == NULL && jstr(d, "title") == NULL))
		return NULL;
	if (!jnum(d, "value", &v) && kpi_state(d) == NULL)
		return NULL;
	return d;
}

/* The incident's milestones, from its fields or else its timeline. */
struct pm_times {
	long long	opened;
	long long	acked;
	long long	mitigated;
	long long	resolved;
	int		is_resolved;
};

static void
pm_times(const cJSON *inc, const cJSON *tl, struct pm_times *t)
{
	const char *status = jstr(inc, "status");
	const cJSON *e;
	long long ts, opened = 0, acked = 0, mitigated = 0, resolved = 0;

	/* A reopen clears mitigation and resolution, as incident_act does. */
	cJSON_ArrayForEach(e, tl) {
		ts = jtime(e, "ts");
		if (jeq(e, "kind", "opened") && opened == 0)
			opened = ts;
		else if (jeq(e, "kind", "acknowledged") && acked == 0)
			acked = ts;
		else if (jeq(e, "kind", "mitigated") && mitigated == 0)
			mitigated = ts;
		else if (jeq(e, "kind", "resolved"))
			resolved = ts;
		else if (jeq(e, "kind", "reopened"))
			mitigated = resolved = 0;
	}
	memset(t, 0, sizeof *t);
	if ((t->opened = jtime(inc, "opened_at")) == 0)
		t->opened = opened;
	if ((t->acked = jtime(inc, "acknowledged_at")) == 0)
		t->acked = acked;
	if ((t->mitigated = jtime(inc, "mitigated_at")) == 0 &&
	    (status == NULL || strcmp(status, "triggered") != 0))
		t->mitigated = mitigated;
	if ((t->resolved = jtime(inc, "resolved_at")) == 0 &&
	    (status == NULL || strcmp(status, "resolved") == 0))
		t->resolved = resolved;
	t->is_resolved = t->resolved != 0 || (status != NULL && strcmp(status, "resolved") == 0);
}

/* A duration field of the incident, or the difference of two known times, or -1. */
static long long
pm_span(const cJSON *inc, const char *key, long long from, long long to)
{
	long long d;

	if (key != NULL && jint(inc, key, &d) && d >= 0)
		return d;
	if (from != 0 && to != 0 && to >= from)
		return to - from;
	return -1;
}

static void
pm_row(struct buf *b, const char *label)
{
	buf_printf(b, "| %s | ", label);
}

static void
pm_row_time(struct buf *b, const char *label, long long t)
{
	pm_row(b, label);
	add_time(b, t);
	buf_addstr(b, " |\n");
}

static void
pm_summary(struct buf *b, const cJSON *inc, const struct pm_times *t)
{
	const char *s, *url;

	buf_addstr(b, "\n## Summary\n\n| Field | Value |\n|---|---|\n");
	pm_row(b, "Incident");
	add_id(b, inc);
	buf_addstr(b, " |\n");
	pm_row(b, "Title");
	add_text(b, jstr(inc, "title"), TEXT_CELL);
	buf_addstr(b, " |\n");
	pm_row(b, "Severity");
	add_severity(b, inc);
	buf_addstr(b, " |\n");
	pm_row(b, "Status");
	add_text(b, jstr(inc, "status"), TEXT_CELL);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(inc, "recovered")))
		buf_addstr(b, " (source recovered)");
	buf_addstr(b, " |\n");
	pm_row(b, "Escalation level");
	add_level(b, inc);
	buf_addstr(b, " |\n");
	pm_row(b, "Owner");
	add_text(b, jstr(inc, "assignee"), TEXT_CELL);
	buf_addstr(b, " |\n");
	pm_row(b, "Source");
	add_text(b, jstr(inc, "source"), TEXT_CELL);
	if ((s = jstr(inc, "kpi")) != NULL && *s != '\0') {
		buf_addstr(b, " (KPI ");
		add_text(b, s, TEXT_CELL);
		buf_addch(b, ')');
	}
	buf_addstr(b, " |\n");
	pm_row(b, "Opened");
	add_time(b, t->opened);
	if ((s = jstr(inc, "opened_by")) != NULL && *s != '\0') {
		buf_addstr(b, " by ");
		add_text(b, s, TEXT_CELL);
	}
	buf_addstr(b, " |\n");
	pm_row_time(b, "Acknowledged", t->acked);
	pm_row_time(b, "Mitigated", t->mitigated);
	pm_row_time(b, "Resolved", t->resolved);
	pm_row(b, "Ticket");
	add_text(b, jstr(inc, "ticket_key"), TEXT_CELL);
	if ((url = jstr(inc, "ticket_url")) != NULL && *url != '\0') {
		buf_addstr(b, " <");
		add_text(b, url, TEXT_CELL);
		buf_addch(b, '>');
	}
	buf_addstr(b, " |\n");

	buf_addstr(b, "\n");
	if ((s = jstr(inc, "description")) != NULL && *s != '\0') {
		buf_addstr(b, "> ");
		add_text(b, s, TEXT_QUOTE);
		buf_addstr(b, "\n");
	} else
		buf_addstr(b, "No description was given.\n");
}

/* One KPI seen in the timeline: its readings at opening and at resolution (or latest). */
struct pm_kpi {
	const char	*name;
	const char	*title;
	const cJSON	*open;
	long long	 open_ts;
	const cJSON	*close;
	long long	 close_ts;
};

static struct pm_kpi *
pm_kpis(const cJSON *tl, const struct pm_times *t, size_t *count)
{
	struct pm_kpi *k = NULL, *this;
	const cJSON *e, *d;
	const char *name;
	long long ts;
	size_t n = 0, i;

	cJSON_ArrayForEach(e, tl) {
		if ((d = entry_kpi(e)) == NULL)
			continue;
		ts = jtime(e, "ts");
		if (t->resolved != 0 && ts > t->resolved)
			continue;
		if ((name = jstr(d, "name")) == NULL)
			name = jstr(d, "title");
		for (i = 0; i < n; i++) {
			if (strcmp(k[i].name, name) == 0)
				break;
		}
		if (i == n) {
			k = xreallocarray(k, n + 1, sizeof *k);
			memset(&k[n], 0, sizeof k[n]);
			k[n++].name = name;
		}
		this = &k[i];
		if (this->title == NULL)
			this->title = jstr(d, "title");
		if (this->open == NULL && jeq(e, "kind", "kpi")) {
			this->open = d;
			this->open_ts = ts;
		} else {
			this->close = d;
			this->close_ts = ts;
		}
	}
	*count = n;
	return k;
}

static void
add_reading_cell(struct buf *b, const cJSON *d, long long ts)
{
	if (d == NULL) {
		buf_addstr(b, DASH);
		return;
	}
	add_kpi_reading(b, d, TEXT_CELL);
	if (ts != 0) {
		buf_addstr(b, " at ");
		add_time(b, ts);
	}
}

static void
pm_impact(struct buf *b, const cJSON *inc, const cJSON *tl, const struct pm_times *t,
    const struct pm_kpi *k, size_t nk, time_t now)
{
	const cJSON *e;
	size_t notes = 0, escalations = 0, entries = 0;
	long long level;

	buf_addstr(b, "\n## Impact\n\n- Severity ");
	add_severity(b, inc);
	if (jint(inc, "level", &level) && level > 1 && level <= 99)
		buf_printf(b, ", escalated to L%lld", level);
	buf_addstr(b, ".\n");
	if (t->opened == 0)
		buf_addstr(b, "- Duration: - (the opening time is not known).\n");
	else if (t->resolved != 0) {
		buf_addstr(b, "- Duration: ");
		add_duration(b, t->resolved >= t->opened ? t->resolved - t->opened : -1);
		buf_addstr(b, ", from ");
		add_time(b, t->opened);
		buf_addstr(b, " to ");
		add_time(b, t->resolved);
		buf_addstr(b, ".\n");
	} else {
		buf_addstr(b, "- Duration: ");
		add_duration(b, (long long)now >= t->opened ? (long long)now - t->opened : -1);
		buf_addstr(b, " so far, since ");
		add_time(b, t->opened);
		buf_addstr(b, t->is_resolved ? "; resolved, time not recorded.\n" :
		    "; not resolved yet.\n");
	}
	if (nk == 0)
		buf_addstr(b, "- No KPI reading was recorded.\n");
	else {
		buf_addstr(b, "- KPI ");
		add_text(b, k[0].title != NULL ? k[0].title : k[0].name, 0);
		buf_addch(b, ':');
		if (k[0].open != NULL) {
			buf_addch(b, ' ');
			add_kpi_reading(b, k[0].open, 0);
			buf_addstr(b, " at opening");
		}
		if (k[0].close != NULL) {
			buf_addstr(b, k[0].open != NULL ? ", " : " ");
			add_kpi_reading(b, k[0].close, 0);
			buf_addstr(b, t->is_resolved ? " at resolution" : " most recently");
		}
		if (nk > 1)
			buf_printf(b, " (and %zu more)", nk - 1);
		buf_addstr(b, ".\n");
	}
	cJSON_ArrayForEach(e, tl) {
		entries++;
		if (jeq(e, "kind", "note"))
			notes++;
		else if (jeq(e, "kind", "escalated"))
			escalations++;
	}
	buf_printf(b, "- %zu timeline entr%s, %zu note%s, %zu escalation%s.\n", entries,
	    entries == 1 ? "y" : "ies", notes, notes == 1 ? "" : "s", escalations,
	    escalations == 1 ? "" : "s");
}

static void
pm_response(struct buf *b, const cJSON *inc, const struct pm_times *t)
{
	buf_addstr(b, "\n## Response times\n\n| Measure | Time |\n|---|---|\n");
	buf_addstr(b, "| MTTA (to acknowledge) | ");
	add_duration(b, pm_span(inc, "mtta", t->opened, t->acked));
	buf_addstr(b, " |\n| Time to mitigate | ");
	add_duration(b, pm_span(inc, NULL, t->opened, t->mitigated));
	buf_addstr(b, " |\n| MTTR (to resolve) | ");
	add_duration(b, pm_span(inc, "mttr", t->opened, t->resolved));
	buf_addstr(b, " |\n");
}

static void
pm_kpi_table(struct buf *b, const struct pm_times *t, const struct pm_kpi *k, size_t nk)
{
	size_t i;

	buf_addstr(b, "\n## KPI values\n\n");
	if (nk == 0) {
		buf_addstr(b, "No KPI values were recorded for this incident.\n");
		return;
	}
	buf_printf(b, "| KPI | At opening | %s |\n|---|---|---|\n",
	    t->is_resolved ? "At resolution" : "Latest");
	for (i = 0; i < nk; i++) {
		buf_addstr(b, "| ");
		add_text(b, k[i].title != NULL ? k[i].title : k[i].name, TEXT_CELL);
		buf_addstr(b, " | ");
		add_reading_cell(b, k[i].open, k[i].open_ts);
		buf_addstr(b, " | ");
		add_reading_cell(b, k[i].close, k[i].close_ts);
		buf_addstr(b, " |\n");
	}
}

static void
pm_playbook(struct buf *b, const cJSON *tl)
{
	const cJSON *e, *d;
	const char *s;
	long long step, steps;
	int any = 0;

	buf_addstr(b, "\n## Playbook\n\n");
	cJSON_ArrayForEach(e, tl) {
		if (!kind_is_playbook(jstr(e, "kind")))
			continue;
		any = 1;
		d = cJSON_GetObjectItemCaseSensitive(e, "data");
		buf_addstr(b, "- ");
		add_time(b, jtime(e, "ts"));
		buf_addstr(b, " ");
		add_text(b, jstr(e, "actor"), 0);
		buf_addstr(b, ": ");
		if ((s = jstr(e, "text")) == NULL || *s == '\0')
			s = jstr(d, "title");
		add_text(b, s, 0);
		if (jint(d, "step", &step)) {
			buf_printf(b, " (step %lld", step);
			if (jint(d, "steps", &steps))
				buf_printf(b, " of %lld", steps);
			if ((s = jstr(d, "status")) != NULL) {
				buf_addstr(b, ", ");
				add_text(b, s, 0);
			}
			buf_addch(b, ')');
		}
		buf_addch(b, '\n');
	}
	if (!any)
		buf_addstr(b, "No playbook was run for this incident.\n");
}

static void
pm_timeline(struct buf *b, const cJSON *tl)
{
	const cJSON *e, *d;

	buf_addstr(b, "\n## Timeline\n\n");
	if (tl == NULL || tl->child == NULL) {
		buf_addstr(b, "No timeline was recorded.\n");
		return;
	}
	buf_addstr(b, "| Time | Who | What | Details |\n|---|---|---|---|\n");
	cJSON_ArrayForEach(e, tl) {
		buf_addstr(b, "| ");
		add_time(b, jtime(e, "ts"));
		buf_addstr(b, " | ");
		add_text(b, jstr(e, "actor"), TEXT_CELL);
		buf_addstr(b, " | ");
		add_text(b, jstr(e, "kind"), TEXT_CELL);
		buf_addstr(b, " | ");
		add_text(b, jstr(e, "text"), TEXT_CELL);
		if ((d = entry_kpi(e)) != NULL) {
			buf_addstr(b, " — ");
			add_kpi_reading(b, d, TEXT_CELL);
		}
		buf_addstr(b, " |\n");
	}
}

char *
report_postmortem(const cJSON *inc, time_t now)
{
	struct buf b;
	struct pm_times t;
	struct pm_kpi *k;
	const cJSON *tl;
	size_t nk;
	char when[32];

	buf_init(&b);
	fmt_time(when, sizeof when, (long long)now);
	if (!cJSON_IsObject(inc)) {
		buf_printf(&b, "# Postmortem\n\nGenerated %s by Leitstand.\n\n"
		    "No incident was given: there is nothing to report.\n", when);
		return buf_take(&b);
	}
	tl = jarray(inc, "timeline");
	pm_times(inc, tl, &t);
	k = pm_kpis(tl, &t, &nk);

	buf_addstr(&b, "# Postmortem: incident ");
	add_id(&b, inc);
	buf_addstr(&b, " ");
	add_text(&b, jstr(inc, "title"), 0);
	buf_printf(&b, "\n\nGenerated %s by Leitstand.\n", when);
	pm_summary(&b, inc, &t);
	pm_impact(&b, inc, tl, &t, k, nk, now);
	pm_response(&b, inc, &t);
	pm_kpi_table(&b, &t, k, nk);
	pm_playbook(&b, tl);
	pm_timeline(&b, tl);
	buf_addstr(&b, "\n## Root cause and follow-ups\n\n"
	    "To be written by the incident owner: what caused it, what ended it, and what "
	    "keeps it from coming back.\n");
	free(k);
	return buf_take(&b);
}

/* Rows of an array sorted for a report; ties keep the array's order. */
enum sort_by {
	BY_SEVERITY,	/* SEV1 first, then oldest */
	BY_OPENED,
	BY_RESOLVED,
	BY_AT,
	BY_STARTED,
	BY_KPI_STATE,	/* crit, warn, unknown, ok */
};

struct row {
	const cJSON	*o;
	long long	 key[2];
	size_t		 n;
};

static long long
time_key(const cJSON *o, const char *key)
{
	long long t = jtime(o, key);

	return t != 0 ? t : KEY_LAST;
}

static int
state_rank(const char *state)
{
	static const char *const order[] = { "crit", "warn", "unknown", "ok" };
	int i;

	for (i = 0; state != NULL && i < 4; i++) {
		if (strcmp(state, order[i]) == 0)
			return i;
	}
	return 4;
}

static int
row_cmp(const void *a0, const void *b0)
{
	const struct row *a = a0, *b = b0;
	int i;

	for (i = 0; i < 2; i++) {
		if (a->key[i] != b->key[i])
			return a->key[i] < b->key[i] ? -1 : 1;
	}
	return a->n < b->n ? -1 : a->n > b->n;
}

/* The objects of arr, sorted; *count of them. The caller frees the array. */
static struct row *
rows_sorted(const cJSON *arr, enum sort_by by, size_t *count)
{
	struct row *r = NULL;
	const cJSON *e;
	long long sev;
	size_t n = 0;

	cJSON_ArrayForEach(e, arr) {
		if (!cJSON_IsObject(e))
			continue;
		r = xreallocarray(r, n + 1, sizeof *r);
		r[n].o = e;
		r[n].n = n;
		r[n].key[1] = 0;
		switch (by) {
		case BY_SEVERITY:
			if (!jint(e, "severity", &sev) || sev < 1 || sev > 9)
				sev = 10;
			r[n].key[0] = sev;
			r[n].key[1] = time_key(e, "opened_at");
			break;
		case BY_OPENED:
			r[n].key[0] = time_key(e, "opened_at");
			break;
		case BY_RESOLVED:
			r[n].key[0] = time_key(e, "resolved_at");
			break;
		case BY_AT:
			r[n].key[0] = time_key(e, "at");
			break;
		case BY_STARTED:
			r[n].key[0] = time_key(e, "started_at");
			break;
		case BY_KPI_STATE:
			r[n].key[0] = state_rank(kpi_state(e));
			break;
		}
		n++;
	}
	if (n > 1)
		qsort(r, n, sizeof *r, row_cmp);
	*count = n;
	return r;
}

/* The KPIs of a kpi.list snapshot (or a bare array of them), or NULL. */
static const cJSON *
snapshot_kpis(const cJSON *snap)
{
	if (cJSON_IsArray(snap))
		return snap;
	return jarray(snap, "kpis");
}

/* The open incident's timers against now: "ack overdue by 5m, resolve in 2h". */
static void
add_timers(struct buf *b, const cJSON *o, time_t now)
{
	long long t, left = 0;
	size_t start = b->len;
	const char *sep = "";

	if ((t = jtime(o, "snoozed_until")) > (long long)now) {
		buf_addstr(b, "snoozed until ");
		add_time(b, t);
		sep = ", ";
	}
	if ((t = jtime(o, "ack_due")) != 0 || jint(o, "ack_left", &left)) {
		if (t != 0)
			left = t - (long long)now;
		buf_printf(b, "%sack ", sep);
		if (left >= 0) {
			buf_addstr(b, "due in ");
			add_duration(b, left);
		} else {
			buf_addstr(b, "overdue by ");
			add_duration(b, -left);
		}
		sep = ", ";
	}
	if (jint(o, "resolve_left", &left)) {
		buf_printf(b, "%sresolve ", sep);
		if (left >= 0) {
			buf_addstr(b, "due in ");
			add_duration(b, left);
		} else {
			buf_addstr(b, "overdue by ");
			add_duration(b, -left);
		}
	}
	if (b->len == start)
		buf_addstr(b, DASH);
}

/* How long an incident row has been open at now. */
static long long
row_age(const cJSON *o, time_t now)
{
	long long t = jtime(o, "opened_at"), age;

	if (t != 0)
		return (long long)now >= t ? (long long)now - t : -1;
	if (jint(o, "age", &age))
		return age;
	return -1;
}

static int
ack_overdue(const cJSON *o, time_t now)
{
	long long t = jtime(o, "ack_due"), left;

	if (t != 0)
		return t < (long long)now;
	return jint(o, "ack_left", &left) && left < 0;
}

/* How many objects an array holds: what the lists below show. */
static size_t
objects(const cJSON *arr)
{
	const cJSON *e;
	size_t n = 0;

	cJSON_ArrayForEach(e, arr) {
		if (cJSON_IsObject(e))
			n++;
	}
	return n;
}

static void
ho_glance(struct buf *b, const cJSON *data, time_t now)
{
	const cJSON *e, *kpis;
	size_t sev[5] = { 0, 0, 0, 0, 0 }, total = 0, triggered = 0, overdue = 0;
	size_t states[5] = { 0, 0, 0, 0, 0 };
	long long s;

	cJSON_ArrayForEach(e, jarray(data, "open")) {
		if (!cJSON_IsObject(e))
			continue;
		total++;
		if (jint(e, "severity", &s) && s >= 1 && s <= 4)
			sev[s - 1]++;
		else
			sev[4]++;
		if (jeq(e, "status", "triggered"))
			triggered++;
		if (ack_overdue(e, now))
			overdue++;
	}
	buf_printf(b, "\n## At a glance\n\n- Open incidents: %zu (SEV1: %zu, SEV2: %zu, "
	    "SEV3: %zu, SEV4: %zu", total, sev[0], sev[1], sev[2], sev[3]);
	if (sev[4] != 0)
		buf_printf(b, ", other: %zu", sev[4]);
	buf_printf(b, "); %zu not acknowledged, %zu past the acknowledge target.\n", triggered,
	    overdue);
	buf_printf(b, "- Opened in this shift: %zu.\n", objects(jarray(data, "opened")));
	buf_printf(b, "- Resolved in this shift: %zu.\n", objects(jarray(data, "resolved")));
	buf_printf(b, "- Playbook runs in progress: %zu.\n", objects(jarray(data, "runs")));
	buf_printf(b, "- Prompt releases: %zu.\n", objects(jarray(data, "releases")));
	kpis = snapshot_kpis(cJSON_GetObjectItemCaseSensitive(data, "kpis"));
	if (kpis == NULL) {
		buf_addstr(b, "- KPIs: no snapshot.\n");
		return;
	}
	cJSON_ArrayForEach(e, kpis)
		states[state_rank(kpi_state(e))]++;
	buf_printf(b, "- KPIs: %zu crit, %zu warn, %zu unknown, %zu ok.\n", states[0],
	    states[1], states[2], states[3]);
}

static void
ho_open(struct buf *b, const cJSON *data, time_t now)
{
	struct row *r;
	size_t n, i;

	buf_addstr(b, "\n## Open incidents\n\n");
	r = rows_sorted(jarray(data, "open"), BY_SEVERITY, &n);
	if (n == 0) {
		buf_addstr(b, "No incidents are open.\n");
		free(r);
		return;
	}
	buf_addstr(b, "| Severity | Incident | Title | Status | Level | Owner | Open for | "
	    "Timers |\n|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		buf_addstr(b, "| ");
		add_severity(b, r[i].o);
		buf_addstr(b, " | ");
		add_id(b, r[i].o);
		buf_addstr(b, " | ");
		add_text(b, jstr(r[i].o, "title"), TEXT_CELL);
		buf_addstr(b, " | ");
		add_text(b, jstr(r[i].o, "status"), TEXT_CELL);
		buf_addstr(b, " | ");
		add_level(b, r[i].o);
		buf_addstr(b, " | ");
		add_text(b, jstr(r[i].o, "assignee"), TEXT_CELL);
		buf_addstr(b, " | ");
		add_duration(b, row_age(r[i].o, now));
		buf_addstr(b, " | ");
		add_timers(b, r[i].o, now);
		buf_addstr(b, " |\n");
	}
	free(r);
}

/* "- SEV2 #43 Title" */
static void
add_incident_item(struct buf *b, const cJSON *o)
{
	buf_addstr(b, "- ");
	add_severity(b, o);
	buf_addch(b, ' ');
	add_id(b, o);
	buf_addch(b, ' ');
	add_text(b, jstr(o, "title"), 0);
}

static void
ho_opened(struct buf *b, const cJSON *data)
{
	struct row *r;
	const char *s;
	size_t n, i;

	buf_addstr(b, "\n## Opened in this shift\n\n");
	r = rows_sorted(jarray(data, "opened"), BY_OPENED, &n);
	if (n == 0)
		buf_addstr(b, "No incidents were opened in this shift.\n");
	for (i = 0; i < n; i++) {
		add_incident_item(b, r[i].o);
		buf_addstr(b, " — opened ");
		add_time(b, jtime(r[i].o, "opened_at"));
		if ((s = jstr(r[i].o, "opened_by")) != NULL) {
			buf_addstr(b, " by ");
			add_text(b, s, 0);
		}
		buf_addstr(b, "; now ");
		add_text(b, jstr(r[i].o, "status"), 0);
		if ((s = jstr(r[i].o, "assignee")) != NULL) {
			buf_addstr(b, ", owner ");
			add_text(b, s, 0);
		}
		buf_addstr(b, ".\n");
	}
	free(r);
}

static void
ho_resolved(struct buf *b, const cJSON *data)
{
	struct row *r;
	const char *s;
	size_t n, i;
	long long opened, resolved;

	buf_addstr(b, "\n## Resolved in this shift\n\n");
	r = rows_sorted(jarray(data, "resolved"), BY_RESOLVED, &n);
	if (n == 0)
		buf_addstr(b, "No incidents were resolved in this shift.\n");
	for (i = 0; i < n; i++) {
		opened = jtime(r[i].o, "opened_at");
		resolved = jtime(r[i].o, "resolved_at");
		add_incident_item(b, r[i].o);
		buf_addstr(b, " — resolved ");
		add_time(b, resolved);
		buf_addstr(b, " after ");
		add_duration(b, pm_span(r[i].o, "mttr", opened, resolved));
		buf_addstr(b, " (MTTA ");
		add_duration(b, pm_span(r[i].o, "mtta", opened, jtime(r[i].o,
		    "acknowledged_at")));
		buf_addch(b, ')');
		if ((s = jstr(r[i].o, "assignee")) != NULL) {
			buf_addstr(b, ", owner ");
			add_text(b, s, 0);
		}
		buf_addstr(b, ".\n");
	}
	free(r);
}

static void
ho_runs(struct buf *b, const cJSON *data, time_t now)
{
	struct row *r;
	const char *s;
	size_t n, i;
	long long step, steps, started;

	buf_addstr(b, "\n## Playbook runs in progress\n\n");
	r = rows_sorted(jarray(data, "runs"), BY_STARTED, &n);
	if (n == 0)
		buf_addstr(b, "No playbook runs are in progress.\n");
	for (i = 0; i < n; i++) {
		buf_addstr(b, "- Run ");
		add_id(b, r[i].o);
		buf_addstr(b, " ");
		if ((s = jstr(r[i].o, "title")) == NULL)
			s = jstr(r[i].o, "playbook");
		add_text(b, s, 0);
		buf_addstr(b, " (playbook ");
		add_text(b, jstr(r[i].o, "playbook"), 0);
		buf_addstr(b, ") — step ");
		if (jint(r[i].o, "step", &step))
			buf_printf(b, "%lld", step);
		else
			buf_addstr(b, DASH);
		if (jint(r[i].o, "steps", &steps))
			buf_printf(b, " of %lld", steps);
		buf_addstr(b, ", started ");
		started = jtime(r[i].o, "started_at");
		add_time(b, started);
		buf_addstr(b, " by ");
		add_text(b, jstr(r[i].o, "started_by"), 0);
		if (started != 0 && (long long)now >= started) {
			buf_addstr(b, ", running for ");
			add_duration(b, (long long)now - started);
		}
		buf_addstr(b, ".\n");
	}
	free(r);
}

static void
ho_releases(struct buf *b, const cJSON *data)
{
	struct row *r;
	size_t n, i;

	buf_addstr(b, "\n## Prompt releases\n\n");
	r = rows_sorted(jarray(data, "releases"), BY_AT, &n);
	if (n == 0) {
		buf_addstr(b, "No prompts were released in this shift.\n");
		free(r);
		return;
	}
	buf_addstr(b, "| Time | Assistant | Tag | By |\n|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		buf_addstr(b, "| ");
		add_time(b, jtime(r[i].o, "at"));
		buf_addstr(b, " | ");
		add_text(b, jstr(r[i].o, "assistant"), TEXT_CELL);
		buf_addstr(b, " | ");
		add_text(b, jstr(r[i].o, "tag"), TEXT_CELL);
		buf_addstr(b, " | ");
		add_text(b, jstr(r[i].o, "by"), TEXT_CELL);
		buf_addstr(b, " |\n");
	}
	free(r);
}

static void
ho_kpis(struct buf *b, const cJSON *data)
{
	const cJSON *snap = cJSON_GetObjectItemCaseSensitive(data, "kpis"), *src;
	const char *state, *s;
	struct row *r;
	size_t n, i, bad;
	char v[128];

	buf_addstr(b, "\n## KPIs\n\n");
	if (snapshot_kpis(snap) == NULL) {
		buf_addstr(b, "No KPI snapshot was available.\n");
		return;
	}
	src = cJSON_GetObjectItemCaseSensitive(snap, "source");
	if (jeq(src, "state", "error")) {
		buf_addstr(b, "The metrics source is failing: ");
		add_text(b, jstr(src, "error"), 0);
		buf_addstr(b, ".\n\n");
	}
	r = rows_sorted(snapshot_kpis(snap), BY_KPI_STATE, &n);
	if (n == 0) {
		buf_addstr(b, "No KPIs are configured.\n");
		free(r);
		return;
	}
	for (i = bad = 0; i < n; i++) {
		if (r[i].key[0] <= 1)
			bad++;
	}
	if (bad == 0)
		buf_addstr(b, "No KPI is at warn or crit.\n\n");
	else {
		buf_addstr(b, "Needs attention: ");
		for (i = 0; i < bad; i++) {
			if (i > 0)
				buf_addstr(b, ", ");
			if ((s = jstr(r[i].o, "title")) == NULL)
				s = jstr(r[i].o, "name");
			buf_addstr(b, "**");
			add_text(b, s, 0);
			buf_addstr(b, "** (");
			add_text(b, kpi_state(r[i].o), 0);
			buf_addch(b, ')');
		}
		buf_addstr(b, ".\n\n");
	}
	buf_addstr(b, "| KPI | Value | State | Since | Note |\n|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		buf_addstr(b, "| ");
		if ((s = jstr(r[i].o, "title")) == NULL)
			s = jstr(r[i].o, "name");
		add_text(b, s, TEXT_CELL);
		buf_addstr(b, " | ");
		add_text(b, fmt_kpi_value(v, sizeof v, r[i].o), TEXT_CELL);
		buf_addstr(b, " | ");
		state = kpi_state(r[i].o);
		if (r[i].key[0] <= 1) {
			buf_addstr(b, "**");
			add_text(b, state, TEXT_CELL);
			buf_addstr(b, "**");
		} else
			add_text(b, state, TEXT_CELL);
		buf_addstr(b, " | ");
		add_time(b, jtime(r[i].o, "since"));
		buf_addstr(b, " | ");
		if ((s = jstr(r[i].o, "error")) == NULL)
			s = jstr(r[i].o, "note");
		add_text(b, s, TEXT_CELL);
		buf_addstr(b, " |\n");
	}
	free(r);
}

char *
report_handover(const cJSON *data, time_t since, time_t now)
{
	struct buf b;
	char from[32], to[32], span[32];

	buf_init(&b);
	if (!cJSON_IsObject(data))
		data = NULL;
	buf_printf(&b, "# Shift handover\n\nShift from %s to %s (%s). Generated %s by "
	    "Leitstand.\n", fmt_time(from, sizeof from, (long long)since),
	    fmt_time(to, sizeof to, (long long)now),
	    fmt_duration(span, sizeof span, since > 0 && now >= since ?
	    (long long)(now - since) : -1), to);
	if (data == NULL)
		buf_addstr(&b, "\nNo handover data was given.\n");
	ho_glance(&b, data, now);
	ho_open(&b, data, now);
	ho_opened(&b, data);
	ho_resolved(&b, data);
	ho_runs(&b, data, now);
	ho_releases(&b, data);
	ho_kpis(&b, data);
	return buf_take(&b);
}
