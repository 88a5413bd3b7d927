/* SPDX-License-Identifier: ISC */
/* The shift handover: what is open, what opened and resolved, runs, releases and KPIs. */
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/json.h"
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
	long long t = json_time(o, key);

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
	/* The time member each order by time sorts on, the oldest first. */
	static const char *const by_time[] = {
		[BY_OPENED] = "opened_at",
		[BY_RESOLVED] = "resolved_at",
		[BY_AT] = "at",
		[BY_STARTED] = "started_at",
	};
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
			if (!json_int(e, "severity", &sev) || sev < 1 || sev > 9)
				sev = 10;
			r[n].key[0] = sev;
			r[n].key[1] = time_key(e, "opened_at");
			break;
		case BY_OPENED:
		case BY_RESOLVED:
		case BY_AT:
		case BY_STARTED:
			r[n].key[0] = time_key(e, by_time[by]);
			break;
		case BY_KPI_STATE:
			r[n].key[0] = state_rank(markdown_kpi_state(e));
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
	return json_array(snap, "kpis");
}

/* The open incident's timers against now: "ack overdue by 5m, resolve in 2h". */
static void
add_timers(struct buf *b, const cJSON *o, time_t now)
{
	long long t, left = 0;
	size_t start = b->len;
	const char *sep = "";

	if ((t = json_time(o, "snoozed_until")) > (long long)now) {
		buf_addstr(b, "snoozed until ");
		markdown_time(b, t);
		sep = ", ";
	}
	if ((t = json_time(o, "ack_due")) != 0 || json_int(o, "ack_left", &left)) {
		if (t != 0)
			left = t - (long long)now;
		buf_printf(b, "%sack ", sep);
		if (left >= 0) {
			buf_addstr(b, "due in ");
			markdown_duration(b, left);
		} else {
			buf_addstr(b, "overdue by ");
			markdown_duration(b, -left);
		}
		sep = ", ";
	}
	if (json_int(o, "resolve_left", &left)) {
		buf_printf(b, "%sresolve ", sep);
		if (left >= 0) {
			buf_addstr(b, "due in ");
			markdown_duration(b, left);
		} else {
			buf_addstr(b, "overdue by ");
			markdown_duration(b, -left);
		}
	}
	if (b->len == start)
		buf_addstr(b, MARKDOWN_NONE);
}

/* How long an incident row has been open at now. */
static long long
row_age(const cJSON *o, time_t now)
{
	long long t = json_time(o, "opened_at"), age;

	if (t != 0)
		return (long long)now >= t ? (long long)now - t : -1;
	if (json_int(o, "age", &age))
		return age;
	return -1;
}

static int
ack_overdue(const cJSON *o, time_t now)
{
	long long t = json_time(o, "ack_due"), left;

	if (t != 0)
		return t < (long long)now;
	return json_int(o, "ack_left", &left) && left < 0;
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

	cJSON_ArrayForEach(e, json_array(data, "open")) {
		if (!cJSON_IsObject(e))
			continue;
		total++;
		if (json_int(e, "severity", &s) && s >= 1 && s <= 4)
			sev[s - 1]++;
		else
			sev[4]++;
		if (json_is(e, "status", "triggered"))
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
	buf_printf(b, "- Opened in this shift: %zu.\n", objects(json_array(data, "opened")));
	buf_printf(b, "- Resolved in this shift: %zu.\n", objects(json_array(data, "resolved")));
	buf_printf(b, "- Playbook runs in progress: %zu.\n", objects(json_array(data, "runs")));
	buf_printf(b, "- Prompt releases: %zu.\n", objects(json_array(data, "releases")));
	kpis = snapshot_kpis(cJSON_GetObjectItemCaseSensitive(data, "kpis"));
	if (kpis == NULL) {
		buf_addstr(b, "- KPIs: no snapshot.\n");
		return;
	}
	cJSON_ArrayForEach(e, kpis)
		states[state_rank(markdown_kpi_state(e))]++;
	buf_printf(b, "- KPIs: %zu crit, %zu warn, %zu unknown, %zu ok.\n", states[0],
	    states[1], states[2], states[3]);
}

/* Who is on call per level (oncall_levels_json), when schedules are in use. */
static void
ho_oncall(struct buf *b, const cJSON *data)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(data, "oncall"), *l, *u, *next;
	long long until;

	if (!cJSON_IsArray(arr))
		return;
	buf_addstr(b, "\n## On call\n\n| Level | Who | Until | Next |\n|---|---|---|---|\n");
	cJSON_ArrayForEach(l, arr) {
		u = cJSON_GetObjectItemCaseSensitive(l, "user");
		buf_addstr(b, "| ");
		markdown_text(b, json_str(l, "name", NULL), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_text(b, cJSON_IsString(u) ? u->valuestring : "nobody", MARKDOWN_CELL);
		if (cJSON_GetObjectItemCaseSensitive(l, "override") != NULL)
			buf_addstr(b, " (override)");
		buf_addstr(b, " | ");
		if (json_int(l, "until", &until) && until > 0)
			markdown_time(b, until);
		else
			buf_addch(b, '-');
		buf_addstr(b, " | ");
		next = cJSON_GetObjectItemCaseSensitive(l, "next");
		u = cJSON_GetObjectItemCaseSensitive(next, "user");
		markdown_text(b, next == NULL ? NULL : cJSON_IsString(u) ? u->valuestring :
		    "nobody", MARKDOWN_CELL);
		buf_addstr(b, " |\n");
	}
}

/* Starts a section: its heading, then its rows sorted; NULL after the line that says there are
   none. */
static struct row *
ho_section(struct buf *b, const char *heading, const cJSON *arr, enum sort_by by,
    const char *none, size_t *n)
{
	struct row *r;

	buf_printf(b, "\n## %s\n\n", heading);
	r = rows_sorted(arr, by, n);
	if (*n == 0) {
		buf_addstr(b, none);
		free(r);
		return NULL;
	}
	return r;
}

static void
ho_open(struct buf *b, const cJSON *data, time_t now)
{
	struct row *r;
	size_t n, i;

	if ((r = ho_section(b, "Open incidents", json_array(data, "open"), BY_SEVERITY,
	    "No incidents are open.\n", &n)) == NULL)
		return;
	buf_addstr(b, "| Severity | Incident | Title | Status | Level | Owner | Open for | "
	    "Timers |\n|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		buf_addstr(b, "| ");
		markdown_severity(b, r[i].o);
		buf_addstr(b, " | ");
		markdown_id(b, r[i].o);
		buf_addstr(b, " | ");
		markdown_text(b, json_str(r[i].o, "title", NULL), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_text(b, json_str(r[i].o, "status", NULL), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_level(b, r[i].o);
		buf_addstr(b, " | ");
		markdown_text(b, json_str(r[i].o, "assignee", NULL), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_duration(b, row_age(r[i].o, now));
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
	markdown_severity(b, o);
	buf_addch(b, ' ');
	markdown_id(b, o);
	buf_addch(b, ' ');
	markdown_text(b, json_str(o, "title", NULL), 0);
}

/* before and the string member key of o, if it has one. */
static void
add_member(struct buf *b, const char *before, const cJSON *o, const char *key)
{
	const char *s = json_str(o, key, NULL);

	if (s != NULL) {
		buf_addstr(b, before);
		markdown_text(b, s, 0);
	}
}

static void
ho_opened(struct buf *b, const cJSON *data)
{
	struct row *r;
	size_t n, i;

	if ((r = ho_section(b, "Opened in this shift", json_array(data, "opened"), BY_OPENED,
	    "No incidents were opened in this shift.\n", &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		add_incident_item(b, r[i].o);
		buf_addstr(b, " — opened ");
		markdown_time(b, json_time(r[i].o, "opened_at"));
		add_member(b, " by ", r[i].o, "opened_by");
		buf_addstr(b, "; now ");
		markdown_text(b, json_str(r[i].o, "status", NULL), 0);
		add_member(b, ", owner ", r[i].o, "assignee");
		buf_addstr(b, ".\n");
	}
	free(r);
}

static void
ho_resolved(struct buf *b, const cJSON *data)
{
	struct row *r;
	size_t n, i;
	long long opened, resolved;

	if ((r = ho_section(b, "Resolved in this shift", json_array(data, "resolved"), BY_RESOLVED,
	    "No incidents were resolved in this shift.\n", &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		opened = json_time(r[i].o, "opened_at");
		resolved = json_time(r[i].o, "resolved_at");
		add_incident_item(b, r[i].o);
		buf_addstr(b, " — resolved ");
		markdown_time(b, resolved);
		buf_addstr(b, " after ");
		markdown_duration(b, markdown_span(r[i].o, "mttr", opened, resolved));
		buf_addstr(b, " (MTTA ");
		markdown_duration(b, markdown_span(r[i].o, "mtta", opened, json_time(r[i].o,
		    "acknowledged_at")));
		buf_addch(b, ')');
		add_member(b, ", owner ", r[i].o, "assignee");
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

	if ((r = ho_section(b, "Playbook runs in progress", json_array(data, "runs"), BY_STARTED,
	    "No playbook runs are in progress.\n", &n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		buf_addstr(b, "- Run ");
		markdown_id(b, r[i].o);
		buf_addstr(b, " ");
		s = json_str(r[i].o, "title", json_str(r[i].o, "playbook", NULL));
		markdown_text(b, s, 0);
		buf_addstr(b, " (playbook ");
		markdown_text(b, json_str(r[i].o, "playbook", NULL), 0);
		buf_addstr(b, ") — step ");
		if (json_int(r[i].o, "step", &step))
			buf_printf(b, "%lld", step);
		else
			buf_addstr(b, MARKDOWN_NONE);
		if (json_int(r[i].o, "steps", &steps))
			buf_printf(b, " of %lld", steps);
		buf_addstr(b, ", started ");
		started = json_time(r[i].o, "started_at");
		markdown_time(b, started);
		buf_addstr(b, " by ");
		markdown_text(b, json_str(r[i].o, "started_by", NULL), 0);
		if (started != 0 && (long long)now >= started) {
			buf_addstr(b, ", running for ");
			markdown_duration(b, (long long)now - started);
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

	if ((r = ho_section(b, "Prompt releases", json_array(data, "releases"), BY_AT,
	    "No prompts were released in this shift.\n", &n)) == NULL)
		return;
	buf_addstr(b, "| Time | Assistant | Tag | By |\n|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		buf_addstr(b, "| ");
		markdown_time(b, json_time(r[i].o, "at"));
		buf_addstr(b, " | ");
		markdown_text(b, json_str(r[i].o, "assistant", NULL), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_text(b, json_str(r[i].o, "tag", NULL), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_text(b, json_str(r[i].o, "by", NULL), MARKDOWN_CELL);
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
	if (json_is(src, "state", "error")) {
		buf_addstr(b, "The metrics source is failing: ");
		markdown_text(b, json_str(src, "error", NULL), 0);
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
			s = json_str(r[i].o, "title", json_str(r[i].o, "name", NULL));
			buf_addstr(b, "**");
			markdown_text(b, s, 0);
			buf_addstr(b, "** (");
			markdown_text(b, markdown_kpi_state(r[i].o), 0);
			buf_addch(b, ')');
		}
		buf_addstr(b, ".\n\n");
	}
	buf_addstr(b, "| KPI | Value | State | Since | Note |\n|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		buf_addstr(b, "| ");
		s = json_str(r[i].o, "title", json_str(r[i].o, "name", NULL));
		markdown_text(b, s, MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_text(b, markdown_fmt_kpi_value(v, sizeof v, r[i].o), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		state = markdown_kpi_state(r[i].o);
		if (r[i].key[0] <= 1) {
			buf_addstr(b, "**");
			markdown_text(b, state, MARKDOWN_CELL);
			buf_addstr(b, "**");
		} else
			markdown_text(b, state, MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_time(b, json_time(r[i].o, "since"));
		buf_addstr(b, " | ");
		s = json_str(r[i].o, "error", json_str(r[i].o, "note", NULL));
		markdown_text(b, s, MARKDOWN_CELL);
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
	    "Leitstand.\n", markdown_fmt_time(from, sizeof from, (long long)since),
	    markdown_fmt_time(to, sizeof to, (long long)now),
	    markdown_fmt_duration(span, sizeof span, since > 0 && now >= since ?
	    (long long)(now - since) : -1), to);
	if (data == NULL)
		buf_addstr(&b, "\nNo handover data was given.\n");
	ho_glance(&b, data, now);
	ho_oncall(&b, data);
	ho_open(&b, data, now);
	ho_opened(&b, data);
	ho_resolved(&b, data);
	ho_runs(&b, data, now);
	ho_releases(&b, data);
	ho_kpis(&b, data);
	return buf_take(&b);
}
