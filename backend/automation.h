/* SPDX-License-Identifier: ISC */
/* What the daemon does on its own: acknowledge timers, and incidents from KPIs. Each change is
   audited as the user "leitstand" (role daemon) and pushed to every console. */
#ifndef AUTOMATION_H
#define AUTOMATION_H

#include <sqlite3.h>

#include <cjson/cJSON.h>

struct daemon;

/* Starts the timer that escalates and un-acknowledges incidents, Alertmanager's reads, the
   checkpoints and the daily purge. */
void	automation_start(struct daemon *);
/* Starts them again with the config reloaded. */
void	automation_restart(struct daemon *);
/* Stops them all (the daemon is stopping). */
void	automation_stop(struct daemon *);
/* Why the last read of Alertmanager failed, or NULL. */
const char *automation_am_error(void);
/* Records a change the daemon made to an incident on its own (a ticket exported): write(db,
   arg, cause) when given (the change itself), the timeline entry, the audit entry as
   "leitstand" and the event to every console, in one transaction. Returns 0 or -1 (logged). */
int	automation_record(struct daemon *, long long id, const char *action, const char *kind,
	    const char *text, const char *data, int (*write)(sqlite3 *, void *, char **),
	    void *arg);
/* Handles a "kpi.state" event: crit opens an incident, leaving crit marks it recovered. */
void	automation_kpi(struct daemon *, const cJSON *event);
struct incident_new;
/* An incident the daemon finds itself (n->fingerprint set): opened unless one of the
   fingerprint is open; with n NULL the open one of fingerprint is marked recovered. text is
   the audit reason and the recovery's timeline line. 0 or -1 (logged). */
int	automation_finding(struct daemon *, const struct incident_new *n,
	    const char *fingerprint, const char *text);
/* A poll's KPI snapshot: a crit KPI now beyond its sev1 makes its incident SEV1. */
void	automation_kpi_poll(struct daemon *, const cJSON *snapshot);

#endif
