/* SPDX-License-Identifier: ISC */
/* What the daemon does on its own: acknowledge timers, and incidents from KPIs. Each change is
   audited as the user "leitstand" (role daemon) and pushed to every console. */
#ifndef AUTOMATION_H
#define AUTOMATION_H

#include <cjson/cJSON.h>

struct server;

/* Starts the timer that escalates and un-acknowledges incidents. */
void	automation_start(struct server *);
void	automation_stop(struct server *);
/* Handles a "kpi.state" event: crit opens an incident, leaving crit marks it recovered. */
void	automation_kpi(struct server *, const cJSON *event);

#endif
