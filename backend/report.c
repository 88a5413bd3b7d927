/* SPDX-License-Identifier: ISC */
/* The postmortem of one incident. */
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/markdown.h"
#include "backend/report.h"
#include "backend/xmalloc.h"

void
report_text(struct buf *b, const char *s)
{
	add_text(b, s, 0);
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
