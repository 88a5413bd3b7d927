/* SPDX-License-Identifier: ISC */
/* The postmortem of one incident. */
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/json.h"
#include "backend/markdown.h"
#include "backend/report.h"
#include "backend/xmalloc.h"

void
report_text(struct buf *b, const char *s)
{
	markdown_text(b, s, 0);
}

/* "4.20 s (crit)" */
static void
add_kpi_reading(struct buf *b, const cJSON *k, int flags)
{
	const char *state = markdown_kpi_state(k);
	char v[128];

	markdown_text(b, markdown_fmt_kpi_value(v, sizeof v, k), flags);
	if (state != NULL) {
		buf_addstr(b, " (");
		markdown_text(b, state, flags);
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

	if (!json_is(e, "kind", "kpi") && !json_is(e, "kind", "recovered"))
		return NULL;
	d = cJSON_GetObjectItemCaseSensitive(e, "data");
	if (!cJSON_IsObject(d) ||
	    (json_str(d, "name", NULL) == NULL && json_str(d, "title", NULL) == NULL))
		return NULL;
	if (!json_finite(d, "value", &v) && markdown_kpi_state(d) == NULL)
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
	const char *status = json_str(inc, "status", NULL);
	const cJSON *e;
	long long ts, opened = 0, acked = 0, mitigated = 0, resolved = 0;

	/* A reopen clears mitigation and resolution, as incident_act does. */
	cJSON_ArrayForEach(e, tl) {
		ts = json_time(e, "ts");
		if (json_is(e, "kind", "opened") && opened == 0)
			opened = ts;
		else if (json_is(e, "kind", "acknowledged") && acked == 0)
			acked = ts;
		else if (json_is(e, "kind", "mitigated") && mitigated == 0)
			mitigated = ts;
		else if (json_is(e, "kind", "resolved"))
			resolved = ts;
		else if (json_is(e, "kind", "reopened"))
			mitigated = resolved = 0;
	}
	memset(t, 0, sizeof *t);
	if ((t->opened = json_time(inc, "opened_at")) == 0)
		t->opened = opened;
	if ((t->acked = json_time(inc, "acknowledged_at")) == 0)
		t->acked = acked;
	if ((t->mitigated = json_time(inc, "mitigated_at")) == 0 &&
	    (status == NULL || strcmp(status, "triggered") != 0))
		t->mitigated = mitigated;
	if ((t->resolved = json_time(inc, "resolved_at")) == 0 &&
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
	markdown_time(b, t);
	buf_addstr(b, " |\n");
}

/* before, the string member key of o and after, in a table cell, if the member is not empty. */
static void
pm_cell_extra(struct buf *b, const cJSON *o, const char *key, const char *before,
    const char *after)
{
	const char *s = json_str(o, key, NULL);

	if (s != NULL && *s != '\0') {
		buf_addstr(b, before);
		markdown_text(b, s, MARKDOWN_CELL);
		buf_addstr(b, after);
	}
}

static void
pm_summary(struct buf *b, const cJSON *inc, const struct pm_times *t)
{
	const char *s;

	buf_addstr(b, "\n## Summary\n\n| Field | Value |\n|---|---|\n");
	pm_row(b, "Incident");
	markdown_id(b, inc);
	buf_addstr(b, " |\n");
	pm_row(b, "Title");
	markdown_text(b, json_str(inc, "title", NULL), MARKDOWN_CELL);
	buf_addstr(b, " |\n");
	pm_row(b, "Severity");
	markdown_severity(b, inc);
	buf_addstr(b, " |\n");
	pm_row(b, "Status");
	markdown_text(b, json_str(inc, "status", NULL), MARKDOWN_CELL);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(inc, "recovered")))
		buf_addstr(b, " (source recovered)");
	buf_addstr(b, " |\n");
	pm_row(b, "Escalation level");
	markdown_level(b, inc);
	buf_addstr(b, " |\n");
	pm_row(b, "Owner");
	markdown_text(b, json_str(inc, "assignee", NULL), MARKDOWN_CELL);
	buf_addstr(b, " |\n");
	pm_row(b, "Source");
	markdown_text(b, json_str(inc, "source", NULL), MARKDOWN_CELL);
	pm_cell_extra(b, inc, "kpi", " (KPI ", ")");
	buf_addstr(b, " |\n");
	pm_row(b, "Opened");
	markdown_time(b, t->opened);
	pm_cell_extra(b, inc, "opened_by", " by ", "");
	buf_addstr(b, " |\n");
	pm_row_time(b, "Acknowledged", t->acked);
	pm_row_time(b, "Mitigated", t->mitigated);
	pm_row_time(b, "Resolved", t->resolved);
	pm_row(b, "Ticket");
	markdown_text(b, json_str(inc, "ticket_key", NULL), MARKDOWN_CELL);
	pm_cell_extra(b, inc, "ticket_url", " <", ">");
	buf_addstr(b, " |\n");

	buf_addstr(b, "\n");
	if ((s = json_str(inc, "description", NULL)) != NULL && *s != '\0') {
		buf_addstr(b, "> ");
		markdown_text(b, s, MARKDOWN_QUOTE);
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
		ts = json_time(e, "ts");
		if (t->resolved != 0 && ts > t->resolved)
			continue;
		if ((name = json_str(d, "name", NULL)) == NULL)
			name = json_str(d, "title", NULL);
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
			this->title = json_str(d, "title", NULL);
		if (this->open == NULL && json_is(e, "kind", "kpi")) {
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
		buf_addstr(b, MARKDOWN_NONE);
		return;
	}
	add_kpi_reading(b, d, MARKDOWN_CELL);
	if (ts != 0) {
		buf_addstr(b, " at ");
		markdown_time(b, ts);
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
	markdown_severity(b, inc);
	if (json_int(inc, "level", &level) && level > 1 && level <= 99)
		buf_printf(b, ", escalated to L%lld", level);
	buf_addstr(b, ".\n");
	if (t->opened == 0)
		buf_addstr(b, "- Duration: - (the opening time is not known).\n");
	else if (t->resolved != 0) {
		buf_addstr(b, "- Duration: ");
		markdown_duration(b, t->resolved >= t->opened ? t->resolved - t->opened : -1);
		buf_addstr(b, ", from ");
		markdown_time(b, t->opened);
		buf_addstr(b, " to ");
		markdown_time(b, t->resolved);
		buf_addstr(b, ".\n");
	} else {
		buf_addstr(b, "- Duration: ");
		markdown_duration(b, (long long)now >= t->opened ? (long long)now - t->opened : -1);
		buf_addstr(b, " so far, since ");
		markdown_time(b, t->opened);
		buf_addstr(b, t->is_resolved ? "; resolved, time not recorded.\n" :
		    "; not resolved yet.\n");
	}
	if (nk == 0)
		buf_addstr(b, "- No KPI reading was recorded.\n");
	else {
		buf_addstr(b, "- KPI ");
		markdown_text(b, k[0].title != NULL ? k[0].title : k[0].name, 0);
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
		if (json_is(e, "kind", "note"))
			notes++;
		else if (json_is(e, "kind", "escalated"))
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
	markdown_duration(b, markdown_span(inc, "mtta", t->opened, t->acked));
	buf_addstr(b, " |\n| Time to mitigate | ");
	markdown_duration(b, markdown_span(inc, NULL, t->opened, t->mitigated));
	buf_addstr(b, " |\n| MTTR (to resolve) | ");
	markdown_duration(b, markdown_span(inc, "mttr", t->opened, t->resolved));
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
		markdown_text(b, k[i].title != NULL ? k[i].title : k[i].name, MARKDOWN_CELL);
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
		if (!kind_is_playbook(json_str(e, "kind", NULL)))
			continue;
		any = 1;
		d = cJSON_GetObjectItemCaseSensitive(e, "data");
		buf_addstr(b, "- ");
		markdown_time(b, json_time(e, "ts"));
		buf_addstr(b, " ");
		markdown_text(b, json_str(e, "actor", NULL), 0);
		buf_addstr(b, ": ");
		if ((s = json_str(e, "text", NULL)) == NULL || *s == '\0')
			s = json_str(d, "title", NULL);
		markdown_text(b, s, 0);
		if (json_int(d, "step", &step)) {
			buf_printf(b, " (step %lld", step);
			if (json_int(d, "steps", &steps))
				buf_printf(b, " of %lld", steps);
			if ((s = json_str(d, "status", NULL)) != NULL) {
				buf_addstr(b, ", ");
				markdown_text(b, s, 0);
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
		markdown_time(b, json_time(e, "ts"));
		buf_addstr(b, " | ");
		markdown_text(b, json_str(e, "actor", NULL), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_text(b, json_str(e, "kind", NULL), MARKDOWN_CELL);
		buf_addstr(b, " | ");
		markdown_text(b, json_str(e, "text", NULL), MARKDOWN_CELL);
		if ((d = entry_kpi(e)) != NULL) {
			buf_addstr(b, " — ");
			add_kpi_reading(b, d, MARKDOWN_CELL);
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
	markdown_fmt_time(when, sizeof when, (long long)now);
	if (!cJSON_IsObject(inc)) {
		buf_printf(&b, "# Postmortem\n\nGenerated %s by Leitstand.\n\n"
		    "No incident was given: there is nothing to report.\n", when);
		return buf_take(&b);
	}
	tl = json_array(inc, "timeline");
	pm_times(inc, tl, &t);
	k = pm_kpis(tl, &t, &nk);

	buf_addstr(&b, "# Postmortem: incident ");
	markdown_id(&b, inc);
	buf_addstr(&b, " ");
	markdown_text(&b, json_str(inc, "title", NULL), 0);
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
