/* SPDX-License-Identifier: ISC */
/*
 * Reports for people: a postmortem of one incident and a shift handover, as Markdown that
 * reads well in e-mail and chat. Pure: they work on the JSON the daemon already produces
 * (incident_get, incident_list, kpi.list) and do no I/O. Text from outside is stripped of
 * control characters (C0, C1, DEL, bidi controls) and escaped in table cells; missing or
 * mistyped values print as "-". Times are local ("2026-11-23 21:08"), durations short
 * ("5m", "2h 10m").
 */
#ifndef REPORT_H
#define REPORT_H

#include <time.h>

#include <cjson/cJSON.h>

struct buf;

/* A postmortem of one incident (incident_get with timeline): summary, impact, MTTA/MTTR, KPI
   values at opening and resolution (timeline entries of kind "kpi"/"recovered" whose data
   holds a KPI or a kpi.state event), playbook steps (kind "playbook"), timeline. now is the
   "generated" time. Returns a new string; a NULL incident gives a report that says so. */
char	*report_postmortem(const cJSON *incident, time_t now);
/* A shift handover since `since`: data holds "open", "opened", "resolved" (arrays of incident
   rows), "runs" (playbook runs in progress), "releases" (prompt releases), "kpis" (the
   kpi.list snapshot) and "oncall" (oncall_levels_json, when schedules are in use); any may
   be absent. Returns a new string. */
char	*report_handover(const cJSON *data, time_t since, time_t now);

/* Appends external text as one line of Markdown (for other Markdown records): controls, C1
   and bidi controls dropped, line breaks as spaces, invalid UTF-8 as U+FFFD; "-" if empty. */
void	report_text(struct buf *, const char *);

#endif
