/* SPDX-License-Identifier: ISC */
/* KPI breaches as incidents: one outage is one incident with every KPI it hit, of the
   severity its worst impact calls for, recovered once all of them are ok again. */
#ifndef KPI_INCIDENT_H
#define KPI_INCIDENT_H

#include <time.h>

#include <sqlite3.h>

#include "backend/incident.h"

/* A KPI that turned crit. */
struct kpi_breach {
	const char	*name;
	const char	*title;
	const char	*shown;		/* the value as the tile shows it: "33.76 %" */
	int		 severity;	/* the incident's severity for this breach */
	const char	*impact;	/* why that severity, or NULL: the default */
	const char	*snapshot;	/* the kpi.state event, for the postmortem */
};

/* The severity a breach calls for: SEV1 beyond the KPI's sev1, else its own severity, else
   the default. *impact says why ("Availability 85.00 % below 90.00 %") when not the
   default; a new string or NULL. */
int		 kpi_breach_severity(const struct kpi_def *, double value, int dflt,
		     char **impact);
/*
 * Files a breach: on the open incident that has this KPI already ("kpi": crit again), else
 * on the open KPI incident opened within window seconds ("joined"; its severity raised when
 * this breach calls for more), else on a new incident ("open"). Returns the incident id and
 * sets *what; -1 with *cause.
 */
long long	 kpi_incident_crit(sqlite3 *, const struct incident_policy *,
		     const struct kpi_breach *, long window, time_t, const char **what,
		     char **cause);
/* A KPI still crit got worse: its open incident gets the severity it now calls for if that
   is more severe and no person has set one, with why on the timeline. Returns the incident
   id if it changed, 0 if not, -1 with *cause. */
long long	 kpi_incident_worse(sqlite3 *, const struct incident_policy *, const char *name,
		     int severity, const char *why, time_t, char **cause);
/* A KPI is ok again: marks it so on its open incident with text and the kpi.state event
   (snapshot, for the postmortem's reading at resolution) on the timeline; once every KPI of
   the incident is, the incident is recovered (*all set). Returns the incident id, 0 if the
   KPI is on none, -1 with *cause. */
long long	 kpi_incident_ok(sqlite3 *, const char *name, const char *text,
		     const char *snapshot, time_t, int *all, char **cause);

#endif
