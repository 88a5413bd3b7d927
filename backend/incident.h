/* SPDX-License-Identifier: ISC */
/*
 * Incidents: the lifecycle triggered -> acknowledged -> mitigated -> resolved (and reopen),
 * escalation levels L1-L3, acknowledge timers, snooze, timelines, watch lists. Functions work
 * in the caller's transaction and take the time as an argument, so tests control the clock.
 */
#ifndef INCIDENT_H
#define INCIDENT_H

#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

enum incident_status {
	INC_TRIGGERED,
	INC_ACKNOWLEDGED,
	INC_MITIGATED,
	INC_RESOLVED,
};

enum incident_action {
	INC_ACK,
	INC_UNACK,		/* the daemon: acknowledged, then no activity for ack_timeout */
	INC_MITIGATE,
	INC_RESOLVE,
	INC_REOPEN,
	INC_ESCALATE,
	INC_TAKE,
	INC_NOTE,
	INC_SNOOZE,
	INC_ACTION_COUNT
};

/* Targets from the config: acknowledge and resolve per severity (index 0 is SEV1). */
struct incident_policy {
	long	ack_s[4];
	long	resolve_s[4];
	long	ack_timeout_s;
	int	repeat;		/* times the chain is paged again at L3 ([escalation] repeat) */
};

struct incident_new {
	const char	*title;
	const char	*description;
	int		 severity;	/* 1-4 */
	const char	*source;	/* manual, kpi, alertmanager */
	const char	*fingerprint;	/* NULL: never de-duplicated */
	const char	*kpi;		/* linked KPI, or NULL */
};

/* What to list: filters, order and a keyset cursor. */
struct incident_query {
	int		 by_id;		/* order by id, newest first; else severity, then oldest */
	unsigned	 statuses;	/* bit per enum incident_status; 0: all */
	unsigned	 severities;	/* bit per severity 1-4 (1 << sev); 0: all */
	int		 level;		/* 0: any */
	const char	*assignee;	/* NULL: any; "" : nobody */
	const char	*search;	/* substring of the title, NULL: any */
	int		 after;		/* continue after the cursor row */
	int		 before;	/* the page before the cursor row (then ordered backwards) */
	long long	 cursor_id;	/* the cursor row */
	int		 last;		/* the last page */
	int		 limit;
};

const char	*incident_status_name(enum incident_status);
int		 incident_status_parse(const char *, enum incident_status *);
const char	*incident_action_name(enum incident_action);
/* The status an action leads to; -1 with *why when it is not allowed from that status. */
int		 incident_next(enum incident_status, enum incident_action, enum incident_status *,
		     const char **why);
/* Opens an incident; with an open one of the same fingerprint, returns that id and sets
   *existing instead. -1 with *cause on a database error. */
long long	 incident_open(sqlite3 *, const struct incident_policy *, const struct incident_new *,
		     const char *actor, time_t, int *existing, char **cause);
/* Applies an action by actor: text is the note or reason (already redacted), arg the snooze
   seconds. Writes the timeline entry. -1 with *code ("not_found", "conflict",
   "invalid_argument") and *cause. */
int		 incident_act(sqlite3 *, const struct incident_policy *, long long id,
		     enum incident_action, const char *actor, const char *text, long arg, time_t,
		     const char **code, char **cause);
/* Changes an open incident's severity (the acknowledge target starts again for the new one)
   with a timeline entry saying why. -1 with *code and *cause. */
int		 incident_set_severity(sqlite3 *, const struct incident_policy *, long long id,
		     int severity, const char *actor, const char *why, time_t, const char **code,
		     char **cause);
/* Records the ticket an incident was exported to (url may be NULL). */
int	incident_set_ticket(sqlite3 *, long long id, const char *key, const char *url,
	    char **cause);
/* Adds a timeline entry (a KPI snapshot, an alert update, a ticket) and counts as activity. */
int		 incident_timeline(sqlite3 *, long long id, time_t, const char *actor,
		     const char *kind, const char *text, const char *data, char **cause);
/* Marks the open incident of a fingerprint recovered (its source is fine again) with a
   timeline entry. Returns its id, 0 if none is open, -1 on error. */
long long	 incident_recovered(sqlite3 *, const char *fingerprint, const char *text, time_t,
		     char **cause);
/* Runs the timers: escalates triggered incidents past their acknowledge target and returns
   acknowledged ones without activity to triggered; pages the chain again (repage) for one
   nobody acknowledges at L3, policy.repeat times. cb gets each change. */
typedef void (*incident_change_cb)(void *, long long id, const char *action, const char *text);
int		 incident_tick(sqlite3 *, const struct incident_policy *, time_t,
		     incident_change_cb, void *, char **cause);
/* One incident as JSON (fields, timers, MTTA/MTTR), with its timeline if asked. */
cJSON		*incident_get(sqlite3 *, const struct incident_policy *, long long id, time_t,
		     int timeline);
/* A page of incidents. */
cJSON		*incident_list(sqlite3 *, const struct incident_policy *,
		     const struct incident_query *, time_t);
/* Open incidents per severity: [sev1, sev2, sev3, sev4], and how many are past their
   acknowledge target. */
cJSON		*incident_counts(sqlite3 *, time_t);
/* Incidents on a user's watch list. */
int		 incident_watch(sqlite3 *, long long id, const char *user, char **cause);

#endif
