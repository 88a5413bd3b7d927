/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backend/report.h"

/* 2026-11-23 20:00 UTC */
#define T0	1795464000LL

static void
contains(const char *out, const char *want)
{
	if (strstr(out, want) == NULL) {
		print_error("missing \"%s\" in:\n%s\n", want, out);
		fail();
	}
}

static void
starts(const char *out, const char *want)
{
	if (strncmp(out, want, strlen(want)) != 0) {
		print_error("does not start with \"%s\":\n%s\n", want, out);
		fail();
	}
}

static void
lacks(const char *out, const char *bad)
{
	if (strstr(out, bad) != NULL) {
		print_error("unwanted \"%s\" in:\n%s\n", bad, out);
		fail();
	}
}

static void
before(const char *out, const char *a, const char *b)
{
	const char *pa = strstr(out, a), *pb = strstr(out, b);

	if (pa == NULL || pb == NULL || pa >= pb) {
		print_error("\"%s\" not before \"%s\" in:\n%s\n", a, b, out);
		fail();
	}
}

/* Pipes that split cells: those not escaped with a backslash. */
static int
cells(const char *line, size_t len)
{
	size_t i;
	int n = 0;

	for (i = 0; i < len; i++) {
		if (line[i] == '|' && (i == 0 || line[i - 1] != '\\'))
			n++;
	}
	return n;
}

/*
 * Checks what any report must hold: no control character but newline, no C1 control, and
 * every table row with as many cells as its header.
 */
static void
check_safe(const char *out)
{
	const unsigned char *p;
	const char *line, *end;
	int want = -1, n;

	for (p = (const unsigned char *)out; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f) {
			print_error("control 0x%02x at %td in:\n%s\n", *p,
			    (const char *)p - out, out);
			fail();
		}
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			print_error("C1 control at %td in:\n%s\n", (const char *)p - out, out);
			fail();
		}
	}
	for (line = out; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(line, '\n')) == NULL)
			end = line + strlen(line);
		if (*line != '|') {
			want = -1;
			continue;
		}
		n = cells(line, (size_t)(end - line));
		if (want == -1)
			want = n;
		else if (n != want) {
			print_error("row with %d pipes, header %d: %.*s\n", n, want,
			    (int)(end - line), line);
			fail();
		}
		if (end[-1] != '|') {
			print_error("row not closed: %.*s\n", (int)(end - line), line);
			fail();
		}
	}
}

static cJSON *
entry(cJSON *tl, long long ts, const char *actor, const char *kind, const char *text)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddNumberToObject(e, "ts", (double)ts);
	cJSON_AddStringToObject(e, "actor", actor);
	cJSON_AddStringToObject(e, "kind", kind);
	cJSON_AddStringToObject(e, "text", text);
	cJSON_AddItemToArray(tl, e);
	return e;
}

/* SEV1 #42, opened by a crit KPI at T0, acknowledged after 5m, resolved after 2h 10m. */
static cJSON *
incident(const char *note)
{
	cJSON *o = cJSON_CreateObject(), *tl, *e, *d;

	cJSON_AddNumberToObject(o, "id", 42);
	cJSON_AddStringToObject(o, "title", "Answer latency p95 is crit");
	cJSON_AddStringToObject(o, "description", "Latency spiked after the deploy.\n"
	    "Users saw timeouts.");
	cJSON_AddNumberToObject(o, "severity", 1);
	cJSON_AddStringToObject(o, "status", "resolved");
	cJSON_AddNumberToObject(o, "level", 2);
	cJSON_AddStringToObject(o, "assignee", "alice");
	cJSON_AddStringToObject(o, "source", "kpi");
	cJSON_AddNullToObject(o, "fingerprint");
	cJSON_AddStringToObject(o, "kpi", "latency_p95");
	cJSON_AddStringToObject(o, "opened_by", "leitstand");
	cJSON_AddNumberToObject(o, "opened_at", (double)T0);
	cJSON_AddNumberToObject(o, "age", 10800);
	cJSON_AddNumberToObject(o, "acknowledged_at", (double)(T0 + 300));
	cJSON_AddNullToObject(o, "mitigated_at");
	cJSON_AddNumberToObject(o, "resolved_at", (double)(T0 + 7800));
	cJSON_AddBoolToObject(o, "recovered", 1);
	cJSON_AddStringToObject(o, "ticket_key", "OPS-12");
	cJSON_AddStringToObject(o, "ticket_url", "https://jira.example.com/browse/OPS-12");
	cJSON_AddNumberToObject(o, "mtta", 300);
	cJSON_AddNumberToObject(o, "mttr", 7800);
	tl = cJSON_AddArrayToObject(o, "timeline");
	entry(tl, T0, "leitstand", "opened", "SEV1 opened (kpi): Answer latency p95 is crit");
	/* The KPI as kpi_json has it. */
	e = entry(tl, T0, "leitstand", "kpi", "KPI at opening");
	d = cJSON_AddObjectToObject(e, "data");
	cJSON_AddStringToObject(d, "name", "latency_p95");
	cJSON_AddStringToObject(d, "title", "Answer latency p95");
	cJSON_AddStringToObject(d, "unit", "s");
	cJSON_AddNumberToObject(d, "precision", 2);
	cJSON_AddNumberToObject(d, "value", 4.2);
	cJSON_AddStringToObject(d, "state", "crit");
	entry(tl, T0 + 300, "alice", "acknowledged", "acknowledged by alice");
	entry(tl, T0 + 600, "alice", "note", note);
	entry(tl, T0 + 900, "alice", "escalated", "escalated to L2 by alice: need infra");
	e = entry(tl, T0 + 1200, "alice", "playbook", "restart the gateway");
	d = cJSON_AddObjectToObject(e, "data");
	cJSON_AddNumberToObject(d, "step", 2);
	cJSON_AddNumberToObject(d, "steps", 5);
	cJSON_AddStringToObject(d, "status", "done");
	/* A kpi.state event, as automation_kpi stores it. */
	e = entry(tl, T0 + 7200, "leitstand", "recovered",
	    "Answer latency p95 recovered (ok, 1.1): resolve?");
	d = cJSON_AddObjectToObject(e, "data");
	cJSON_AddStringToObject(d, "event", "kpi.state");
	cJSON_AddStringToObject(d, "name", "latency_p95");
	cJSON_AddStringToObject(d, "title", "Answer latency p95");
	cJSON_AddStringToObject(d, "from", "crit");
	cJSON_AddStringToObject(d, "to", "ok");
	cJSON_AddNumberToObject(d, "value", 1.1);
	entry(tl, T0 + 7800, "alice", "resolved", "resolved by alice");
	return o;
}

static void
test_postmortem_sections(void **state)
{
	cJSON *o = incident("rolled back to prompt v12");
	char *out;

	(void)state;
	out = report_postmortem(o, (time_t)(T0 + 10800));
	check_safe(out);
	starts(out, "# Postmortem: incident #42 Answer latency p95 is crit\n");
	contains(out, "Generated 2026-11-23 23:00 by Leitstand.");
	before(out, "\n## Summary\n", "\n## Impact\n");
	before(out, "\n## Impact\n", "\n## Response times\n");
	before(out, "\n## Response times\n", "\n## KPI values\n");
	before(out, "\n## KPI values\n", "\n## Playbook\n");
	before(out, "\n## Playbook\n", "\n## Timeline\n");
	before(out, "\n## Timeline\n", "\n## Root cause and follow-ups\n");
	contains(out, "| Severity | SEV1 |");
	contains(out, "| Status | resolved (source recovered) |");
	contains(out, "| Escalation level | L2 |");
	contains(out, "| Owner | alice |");
	contains(out, "| Source | kpi (KPI latency_p95) |");
	contains(out, "| Opened | 2026-11-23 20:00 by leitstand |");
	contains(out, "| Acknowledged | 2026-11-23 20:05 |");
	contains(out, "| Mitigated | - |");
	contains(out, "| Resolved | 2026-11-23 22:10 |");
	contains(out, "| Ticket | OPS-12 <https://jira.example.com/browse/OPS-12> |");
	contains(out, "> Latency spiked after the deploy.\n> Users saw timeouts.\n");
	contains(out, "- Severity SEV1, escalated to L2.\n");
	contains(out, "- Duration: 2h 10m, from 2026-11-23 20:00 to 2026-11-23 22:10.\n");
	contains(out, "- KPI Answer latency p95: 4.20 s (crit) at opening, 1.1 (ok) at "
	    "resolution.\n");
	contains(out, "- 8 timeline entries, 1 note, 1 escalation.\n");
	contains(out, "| MTTA (to acknowledge) | 5m |");
	contains(out, "| Time to mitigate | - |");
	contains(out, "| MTTR (to resolve) | 2h 10m |");
	contains(out, "| KPI | At opening | At resolution |");
	contains(out, "| Answer latency p95 | 4.20 s (crit) at 2026-11-23 20:00 | "
	    "1.1 (ok) at 2026-11-23 22:00 |");
	contains(out, "- 2026-11-23 20:20 alice: restart the gateway (step 2 of 5, done)\n");
	contains(out, "| Time | Who | What | Details |");
	contains(out, "| 2026-11-23 20:05 | alice | acknowledged | acknowledged by alice |");
	contains(out, "| 2026-11-23 20:10 | alice | note | rolled back to prompt v12 |");
	contains(out, "| 2026-11-23 20:00 | leitstand | kpi | KPI at opening — 4.20 s (crit) |");
	contains(out, "| 2026-11-23 22:10 | alice | resolved | resolved by alice |");
	free(out);
	cJSON_Delete(o);
}

/* Without the MTTA/MTTR fields and milestones the timeline gives the times. */
static void
test_postmortem_times_from_timeline(void **state)
{
	cJSON *o = incident("note");
	char *out;

	(void)state;
	cJSON_DeleteItemFromObject(o, "mtta");
	cJSON_DeleteItemFromObject(o, "mttr");
	cJSON_DeleteItemFromObject(o, "acknowledged_at");
	cJSON_DeleteItemFromObject(o, "resolved_at");
	entry(cJSON_GetObjectItem(o, "timeline"), T0 + 8000, "bob", "mitigated", "mitigated");
	out = report_postmortem(o, (time_t)(T0 + 10800));
	check_safe(out);
	contains(out, "| MTTA (to acknowledge) | 5m |");
	contains(out, "| MTTR (to resolve) | 2h 10m |");
	contains(out, "| Time to mitigate | 2h 13m |");
	contains(out, "| Resolved | 2026-11-23 22:10 |");
	free(out);
	cJSON_Delete(o);
}

static void
test_postmortem_open(void **state)
{
	cJSON *o = incident("note"), *tl;
	char *out;

	(void)state;
	cJSON_ReplaceItemInObject(o, "status", cJSON_CreateString("acknowledged"));
	cJSON_ReplaceItemInObject(o, "resolved_at", cJSON_CreateNull());
	cJSON_DeleteItemFromObject(o, "mttr");
	tl = cJSON_GetObjectItem(o, "timeline");
	cJSON_DeleteItemFromArray(tl, cJSON_GetArraySize(tl) - 1);
	out = report_postmortem(o, (time_t)(T0 + 3 * 3600 + 1800));
	check_safe(out);
	contains(out, "- Duration: 3h 30m so far, since 2026-11-23 20:00; not resolved yet.\n");
	contains(out, "| MTTR (to resolve) | - |");
	contains(out, "| KPI | At opening | Latest |");
	contains(out, "- KPI Answer latency p95: 4.20 s (crit) at opening, 1.1 (ok) most "
	    "recently.\n");
	contains(out, "| Resolved | - |");
	free(out);
	cJSON_Delete(o);
}

static void
test_postmortem_hostile(void **state)
{
	cJSON *o = incident("Rolled back | prompt v12\nsee \x1b[2J dashboard \xc2\x9b" "31m "
	    "\x9b" "1m \xe2\x80\xae" "evil\r\n\a");
	char *out;

	(void)state;
	cJSON_ReplaceItemInObject(o, "title",
	    cJSON_CreateString("db | down\n# injected\x1b]0;pwn\x07"));
	cJSON_ReplaceItemInObject(o, "assignee",
	    cJSON_CreateString("mall\xf3\xa0\x81\x81ory\xe2\x80\x8b\n| x | y |"));
	cJSON_ReplaceItemInObject(o, "description",
	    cJSON_CreateString("first\n\n## not a section\x1b[0m\n"));
	out = report_postmortem(o, (time_t)(T0 + 10800));
	check_safe(out);
	lacks(out, "\x1b");
	lacks(out, "\xc2\x9b");
	lacks(out, "\xe2\x80\xae");
	lacks(out, "\xf3\xa0\x81\x81");	/* a tag: invisible "A" */
	lacks(out, "\xe2\x80\x8b");	/* zero width space */
	lacks(out, "\n# injected");
	lacks(out, "\n## not a section");
	starts(out, "# Postmortem: incident #42 db | down # injected]0;pwn\n");
	contains(out, "| Title | db \\| down # injected]0;pwn |");
	contains(out, "| Owner | mallory \\| x \\| y \\| |");
	contains(out, "> first\n>\n> ## not a section[0m\n");
	contains(out, "| note | Rolled back \\| prompt v12 see [2J dashboard 31m "
	    "\xef\xbf\xbd" "1m evil |");
	free(out);
	cJSON_Delete(o);
}

static void
test_postmortem_minimal(void **state)
{
	cJSON *o = cJSON_Parse("{\"id\": 7, \"title\": \"Something broke\"}");
	char *out;

	(void)state;
	out = report_postmortem(o, (time_t)T0);
	check_safe(out);
	starts(out, "# Postmortem: incident #7 Something broke\n");
	contains(out, "## Summary");
	contains(out, "| Severity | - |");
	contains(out, "| Owner | - |");
	contains(out, "| Opened | - |");
	contains(out, "No description was given.");
	contains(out, "## Impact");
	contains(out, "- Severity -.\n");
	contains(out, "- Duration: - (the opening time is not known).\n");
	contains(out, "- No KPI reading was recorded.\n");
	contains(out, "| MTTA (to acknowledge) | - |");
	contains(out, "| MTTR (to resolve) | - |");
	contains(out, "No KPI values were recorded for this incident.");
	contains(out, "No playbook was run for this incident.");
	contains(out, "No timeline was recorded.");
	contains(out, "## Root cause and follow-ups");
	free(out);
	cJSON_Delete(o);
}

static void
test_postmortem_null(void **state)
{
	cJSON *o;
	char *out;

	(void)state;
	out = report_postmortem(NULL, (time_t)T0);
	check_safe(out);
	contains(out, "# Postmortem\n");
	contains(out, "No incident was given");
	contains(out, "Generated 2026-11-23 20:00");
	free(out);

	o = cJSON_CreateString("not an incident");
	out = report_postmortem(o, (time_t)T0);
	contains(out, "No incident was given");
	free(out);
	cJSON_Delete(o);
}

/* Wrong types everywhere: "-" where a value should be, and no crash. */
static void
test_postmortem_malformed(void **state)
{
	static const char *const inputs[] = {
		"{}",
		"{\"id\": \"x\", \"title\": 5, \"severity\": \"high\", \"opened_at\": \"today\", "
		"\"level\": 1e300, \"timeline\": {}}",
		"{\"id\": 1e300, \"opened_at\": 1e300, \"resolved_at\": -5, \"mtta\": -1, "
		"\"mttr\": 1e20, \"timeline\": [1, \"x\", null, [], {}]}",
		"{\"timeline\": [{\"ts\": \"x\", \"kind\": \"kpi\", \"data\": \"4.2\"}, "
		"{\"ts\": 1, \"kind\": \"kpi\", \"data\": {\"name\": 3}}, "
		"{\"kind\": \"kpi\", \"data\": {\"name\": \"a\", \"value\": \"x\", "
		"\"precision\": 1e300, \"state\": \"crit\"}}, "
		"{\"kind\": \"recovered\", \"data\": {\"title\": \"b\", \"value\": 1, "
		"\"precision\": -3, \"unit\": [] }}, "
		"{\"kind\": \"playbook\", \"data\": {\"step\": \"2\"}}, "
		"{\"kind\": 5, \"actor\": null, \"text\": {}}]}",
		"{\"opened_at\": 100, \"resolved_at\": 50, \"status\": 3}",
	};
	cJSON *o;
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		o = cJSON_Parse(inputs[i]);
		assert_non_null(o);
		out = report_postmortem(o, (time_t)T0);
		check_safe(out);
		contains(out, "## Summary");
		contains(out, "## Timeline");
		free(out);
		cJSON_Delete(o);
	}
	o = cJSON_Parse(inputs[1]);
	out = report_postmortem(o, (time_t)T0);
	contains(out, "# Postmortem: incident #- -\n");
	contains(out, "| Severity | - |");
	contains(out, "| Escalation level | - |");
	contains(out, "No timeline was recorded.");
	free(out);
	cJSON_Delete(o);
	o = cJSON_Parse(inputs[3]);
	out = report_postmortem(o, (time_t)T0);
	contains(out, "| a | - (crit) | - |");
	contains(out, "| b | - | 1 |");
	contains(out, "- - -: -\n");
	contains(out, "| - | - | - | - |");
	free(out);
	cJSON_Delete(o);
}

static cJSON *
row(int id, int sev, const char *title, const char *status, const char *assignee,
    long long opened)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "id", id);
	cJSON_AddStringToObject(o, "title", title);
	cJSON_AddNumberToObject(o, "severity", sev);
	cJSON_AddStringToObject(o, "status", status);
	cJSON_AddNumberToObject(o, "level", 1);
	if (assignee != NULL)
		cJSON_AddStringToObject(o, "assignee", assignee);
	else
		cJSON_AddNullToObject(o, "assignee");
	cJSON_AddStringToObject(o, "opened_by", "leitstand");
	cJSON_AddNumberToObject(o, "opened_at", (double)opened);
	return o;
}

static cJSON *
kpi(const char *name, const char *title, const char *unit, double value, const char *state)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "title", title);
	cJSON_AddStringToObject(o, "unit", unit);
	cJSON_AddNumberToObject(o, "precision", 2);
	if (value >= 0)
		cJSON_AddNumberToObject(o, "value", value);
	else {
		cJSON_AddNullToObject(o, "value");
		cJSON_AddStringToObject(o, "error", "not measured yet");
	}
	cJSON_AddStringToObject(o, "state", state);
	cJSON_AddNumberToObject(o, "since", (double)(T0 - 3600));
	return o;
}

/* A shift from 15:00 to 23:00 with everything in it. */
static cJSON *
shift(void)
{
	cJSON *d = cJSON_CreateObject(), *a, *o, *snap, *src;
	long long now = T0 + 3 * 3600;

	a = cJSON_AddArrayToObject(d, "open");
	o = row(3, 3, "Slow embeddings", "acknowledged", "bob", T0 - 3600);
	cJSON_AddNumberToObject(o, "resolve_left", 3600);
	cJSON_AddItemToArray(a, o);
	o = row(5, 1, "Gateway | 502s\n\x1b[31mred", "triggered", NULL, T0 + 1800);
	cJSON_ReplaceItemInObject(o, "level", cJSON_CreateNumber(2));
	cJSON_AddNumberToObject(o, "ack_due", (double)(now - 300));
	cJSON_AddNumberToObject(o, "ack_left", -300);
	cJSON_AddNumberToObject(o, "resolve_left", 1800);
	cJSON_AddItemToArray(a, o);
	o = row(4, 1, "Older SEV1", "acknowledged", "alice", T0);
	cJSON_AddNumberToObject(o, "resolve_left", -600);
	cJSON_AddItemToArray(a, o);
	o = row(6, 4, "Typo in answer", "triggered", NULL, T0 + 3000);
	cJSON_AddNumberToObject(o, "ack_due", (double)(now + 7200));
	cJSON_AddNumberToObject(o, "snoozed_until", (double)(now + 3600));
	cJSON_AddItemToArray(a, o);

	a = cJSON_AddArrayToObject(d, "opened");
	cJSON_AddItemToArray(a, row(6, 4, "Typo in answer", "triggered", NULL, T0 + 3000));
	cJSON_AddItemToArray(a, row(5, 1, "Gateway 502s", "triggered", NULL, T0 + 1800));

	a = cJSON_AddArrayToObject(d, "resolved");
	o = row(2, 2, "Cost spike", "resolved", "carol", T0 - 7200);
	cJSON_AddNumberToObject(o, "acknowledged_at", (double)(T0 - 7080));
	cJSON_AddNumberToObject(o, "resolved_at", (double)(T0 - 1800));
	cJSON_AddItemToArray(a, o);

	a = cJSON_AddArrayToObject(d, "runs");
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", 7);
	cJSON_AddStringToObject(o, "playbook", "restart-gateway");
	cJSON_AddStringToObject(o, "title", "Restart the gateway");
	cJSON_AddNumberToObject(o, "step", 2);
	cJSON_AddNumberToObject(o, "steps", 5);
	cJSON_AddStringToObject(o, "started_by", "alice");
	cJSON_AddNumberToObject(o, "started_at", (double)(T0 + 3600));
	cJSON_AddItemToArray(a, o);

	a = cJSON_AddArrayToObject(d, "releases");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "assistant", "support-bot");
	cJSON_AddStringToObject(o, "tag", "v13");
	cJSON_AddStringToObject(o, "by", "dave");
	cJSON_AddNumberToObject(o, "at", (double)(T0 + 4000));
	cJSON_AddItemToArray(a, o);

	snap = cJSON_AddObjectToObject(d, "kpis");
	src = cJSON_AddObjectToObject(snap, "source");
	cJSON_AddStringToObject(src, "state", "ok");
	a = cJSON_AddArrayToObject(snap, "kpis");
	cJSON_AddItemToArray(a, kpi("availability", "Availability", "%", 99.95, "ok"));
	cJSON_AddItemToArray(a, kpi("cost_today", "Cost today", "EUR", 120.5, "warn"));
	cJSON_AddItemToArray(a, kpi("errors", "Error rate", "%", -1, "unknown"));
	cJSON_AddItemToArray(a, kpi("latency_p95", "Answer latency p95", "s", 4.2, "crit"));
	return d;
}

static void
test_handover_full(void **state)
{
	cJSON *d = shift();
	char *out;

	(void)state;
	out = report_handover(d, (time_t)(T0 - 5 * 3600), (time_t)(T0 + 3 * 3600));
	check_safe(out);
	starts(out, "# Shift handover\n");
	contains(out, "Shift from 2026-11-23 15:00 to 2026-11-23 23:00 (8h). "
	    "Generated 2026-11-23 23:00 by Leitstand.");
	before(out, "## At a glance", "## Open incidents");
	before(out, "## Open incidents", "## Opened in this shift");
	before(out, "## Opened in this shift", "## Resolved in this shift");
	before(out, "## Resolved in this shift", "## Playbook runs in progress");
	before(out, "## Playbook runs in progress", "## Prompt releases");
	before(out, "## Prompt releases", "## KPIs");

	contains(out, "- Open incidents: 4 (SEV1: 2, SEV2: 0, SEV3: 1, SEV4: 1); "
	    "2 not acknowledged, 1 past the acknowledge target.\n");
	contains(out, "- Opened in this shift: 2.\n");
	contains(out, "- Resolved in this shift: 1.\n");
	contains(out, "- Playbook runs in progress: 1.\n");
	contains(out, "- Prompt releases: 1.\n");
	contains(out, "- KPIs: 1 crit, 1 warn, 1 unknown, 1 ok.\n");

	/* SEV1 first, the older one first; then SEV3, SEV4. */
	contains(out, "| Severity | Incident | Title | Status | Level | Owner | Open for | "
	    "Timers |");
	contains(out, "| SEV1 | #4 | Older SEV1 | acknowledged | L1 | alice | 3h | "
	    "resolve overdue by 10m |");
	contains(out, "| SEV1 | #5 | Gateway \\| 502s [31mred | triggered | L2 | - | 2h 30m | "
	    "ack overdue by 5m, resolve due in 30m |");
	contains(out, "| SEV3 | #3 | Slow embeddings | acknowledged | L1 | bob | 4h | "
	    "resolve due in 1h |");
	contains(out, "| SEV4 | #6 | Typo in answer | triggered | L1 | - | 2h 10m | "
	    "snoozed until 2026-11-24 00:00, ack due in 2h |");
	before(out, "| SEV1 | #4 |", "| SEV1 | #5 |");
	before(out, "| SEV1 | #5 |", "| SEV3 | #3 |");
	before(out, "| SEV3 | #3 |", "| SEV4 | #6 |");

	/* Opened and resolved, oldest first. */
	contains(out, "- SEV1 #5 Gateway 502s — opened 2026-11-23 20:30 by leitstand; "
	    "now triggered.\n");
	contains(out, "- SEV4 #6 Typo in answer — opened 2026-11-23 20:50 by leitstand; "
	    "now triggered.\n");
	before(out, "- SEV1 #5 Gateway 502s", "- SEV4 #6 Typo");
	contains(out, "- SEV2 #2 Cost spike — resolved 2026-11-23 19:30 after 1h 30m "
	    "(MTTA 2m), owner carol.\n");

	contains(out, "- Run #7 Restart the gateway (playbook restart-gateway) — step 2 of 5, "
	    "started 2026-11-23 21:00 by alice, running for 2h.\n");
	contains(out, "| Time | Assistant | Tag | By |\n|---|---|---|---|\n"
	    "| 2026-11-23 21:06 | support-bot | v13 | dave |\n");

	/* Crit, warn, unknown, ok. */
	contains(out, "Needs attention: **Answer latency p95** (crit), **Cost today** (warn).");
	contains(out, "| Answer latency p95 | 4.20 s | **crit** | 2026-11-23 19:00 | - |");
	contains(out, "| Cost today | 120.50 EUR | **warn** | 2026-11-23 19:00 | - |");
	contains(out, "| Error rate | - | unknown | 2026-11-23 19:00 | not measured yet |");
	contains(out, "| Availability | 99.95 % | ok | 2026-11-23 19:00 | - |");
	before(out, "| Answer latency p95 |", "| Cost today |");
	before(out, "| Cost today |", "| Error rate |");
	before(out, "| Error rate |", "| Availability |");
	lacks(out, "\x1b");
	free(out);
	cJSON_Delete(d);
}

static void
test_handover_absent(void **state)
{
	cJSON *d = shift();
	char *out;

	(void)state;
	cJSON_DeleteItemFromObject(d, "runs");
	cJSON_DeleteItemFromObject(d, "releases");
	cJSON_DeleteItemFromObject(d, "kpis");
	out = report_handover(d, (time_t)T0, (time_t)(T0 + 3600));
	check_safe(out);
	contains(out, "- Playbook runs in progress: 0.\n");
	contains(out, "- Prompt releases: 0.\n");
	contains(out, "- KPIs: no snapshot.\n");
	contains(out, "No playbook runs are in progress.");
	contains(out, "No prompts were released in this shift.");
	contains(out, "No KPI snapshot was available.");
	free(out);

	/* Present but empty. */
	cJSON_AddArrayToObject(d, "runs");
	cJSON_AddArrayToObject(d, "releases");
	cJSON_AddItemToObject(d, "kpis", cJSON_Parse("{\"source\": {\"state\": \"error\", "
	    "\"error\": \"127.0.0.1:9090: connection refused\"}, \"kpis\": []}"));
	out = report_handover(d, (time_t)T0, (time_t)(T0 + 3600));
	check_safe(out);
	contains(out, "No playbook runs are in progress.");
	contains(out, "No prompts were released in this shift.");
	contains(out, "The metrics source is failing: 127.0.0.1:9090: connection refused.");
	contains(out, "No KPIs are configured.");
	free(out);
	cJSON_Delete(d);
}

static void
test_handover_kpis_ok(void **state)
{
	cJSON *d = cJSON_Parse("{\"kpis\": [{\"title\": \"Availability\", \"value\": 99.9, "
	    "\"unit\": \"%\", \"precision\": 1, \"state\": \"ok\"}]}");
	char *out;

	(void)state;
	/* A bare array of KPIs does as well as the snapshot. */
	out = report_handover(d, (time_t)T0, (time_t)(T0 + 60));
	check_safe(out);
	contains(out, "No KPI is at warn or crit.");
	contains(out, "| Availability | 99.9 % | ok | - | - |");
	contains(out, "(1m)");
	free(out);
	cJSON_Delete(d);
}

static void
check_empty(const char *out)
{
	check_safe(out);
	contains(out, "Shift from 2026-11-23 20:00 to 2026-11-24 04:00 (8h).");
	contains(out, "- Open incidents: 0 (SEV1: 0, SEV2: 0, SEV3: 0, SEV4: 0); "
	    "0 not acknowledged, 0 past the acknowledge target.\n");
	contains(out, "No incidents are open.");
	contains(out, "No incidents were opened in this shift.");
	contains(out, "No incidents were resolved in this shift.");
	contains(out, "No KPI snapshot was available.");
}

static void
test_handover_empty(void **state)
{
	cJSON *d = cJSON_CreateObject();
	char *out;

	(void)state;
	out = report_handover(d, (time_t)T0, (time_t)(T0 + 8 * 3600));
	check_empty(out);
	contains(out, "No playbook runs are in progress.");
	contains(out, "No prompts were released in this shift.");
	lacks(out, "No handover data was given.");
	free(out);

	out = report_handover(NULL, (time_t)T0, (time_t)(T0 + 8 * 3600));
	check_empty(out);
	contains(out, "No handover data was given.");
	free(out);

	/* Wrong types for every part. */
	cJSON_AddNumberToObject(d, "open", 1);
	cJSON_AddStringToObject(d, "opened", "x");
	cJSON_AddItemToObject(d, "resolved", cJSON_CreateObject());
	cJSON_AddItemToObject(d, "runs", cJSON_Parse("[1, null, {}]"));
	cJSON_AddItemToObject(d, "releases", cJSON_Parse("[{\"at\": \"x\"}]"));
	cJSON_AddNumberToObject(d, "kpis", 3);
	out = report_handover(d, (time_t)T0, (time_t)(T0 + 8 * 3600));
	check_empty(out);
	contains(out, "- Run #- - (playbook -) — step -, started - by -.\n");
	contains(out, "| - | - | - | - |");
	free(out);
	cJSON_Delete(d);
}

/* Durations: seconds, minutes, the two largest units. */
static void
test_handover_durations(void **state)
{
	static const struct {
		long long	 mttr;
		const char	*want;
	} cases[] = {
		{ 0, "after 0s " },
		{ 45, "after 45s " },
		{ 300, "after 5m " },
		{ 330, "after 5m 30s " },
		{ 7200, "after 2h " },
		{ 7805, "after 2h 10m " },
		{ 90061, "after 1d 1h " },
		{ -5, "after - " },
	};
	cJSON *d, *a, *o;
	char *out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		d = cJSON_CreateObject();
		a = cJSON_AddArrayToObject(d, "resolved");
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "mttr", (double)cases[i].mttr);
		cJSON_AddItemToArray(a, o);
		out = report_handover(d, (time_t)T0, (time_t)T0);
		contains(out, cases[i].want);
		contains(out, "- - #- - — resolved - after ");
		free(out);
		cJSON_Delete(d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postmortem_sections),
		cmocka_unit_test(test_postmortem_times_from_timeline),
		cmocka_unit_test(test_postmortem_open),
		cmocka_unit_test(test_postmortem_hostile),
		cmocka_unit_test(test_postmortem_minimal),
		cmocka_unit_test(test_postmortem_null),
		cmocka_unit_test(test_postmortem_malformed),
		cmocka_unit_test(test_handover_full),
		cmocka_unit_test(test_handover_absent),
		cmocka_unit_test(test_handover_kpis_ok),
		cmocka_unit_test(test_handover_empty),
		cmocka_unit_test(test_handover_durations),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
