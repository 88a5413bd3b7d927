/* SPDX-License-Identifier: ISC */
/* The shift handover: what is open, what opened and resolved, runs, releases and KPIs. */
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/markdown.h"
#include "backend/report.h"
#include "backend/xmalloc.h"

/* Sorts after every real key. */
#define KEY_LAST	((long long)2e15)

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
