/* SPDX-License-Identifier: ISC */
/*
 * Alertmanager ingest: the active alerts, as read from GET /api/v2/alerts, open or update one
 * incident per group of alerts; alerts that disappear are recorded as resolved, and when a
 * whole group has resolved its incident is marked recovered.
 */
#ifndef ALERTS_H
#define ALERTS_H

#include <time.h>

#include <sqlite3.h>

#include "backend/am.h"
#include "backend/incident.h"

struct config;
struct redactor;

/* Applies one reply in the caller's transaction; cb gets every incident changed. */
int	alerts_apply(sqlite3 *, const struct config *, const struct incident_policy *,
	    const struct redactor *, const struct am_alerts *, time_t, incident_change_cb,
	    void *, char **cause);
/* The severity a label value maps to (severity_map), 3 when it is not there. */
int	alerts_severity(const struct config *, const char *value);

#endif
