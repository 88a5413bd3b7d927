/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/format.h"
#include "backend/kpi-incident.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

#define ACTOR	"leitstand"

int
kpi_breach_severity(const struct kpi_def *d, double v, int dflt, char **impact)
{
	char shown[64], limit[64];

	*impact = NULL;
	if (!isnan(d->sev1) && !isnan(v) && (d->below ? v < d->sev1 : v > d->sev1)) {
		format_value(shown, sizeof shown, v, (int)d->precision, d->unit);
		format_value(limit, sizeof limit, d->sev1, (int)d->precision, d->unit);
		*impact = xprintf("%s %s is %s %s (kpi.%s.sev1)", d->title, shown,
		    d->below ? "below" : "above", limit, d->name);
		return 1;
	}
	return d->severity >= 1 && d->severity <= 4 ? (int)d->severity : dflt;
}

/* The open incident that has the KPI on it (still crit, or also where it is ok again), 0 if
   none. */
static long long
incident_of(sqlite3 *db, const char *kpi, int crit_only)
{
	sqlite3_stmt *st;
	long long id = 0;

	st = store_prepare(db, crit_only ?
	    "SELECT k.incident_id FROM incident_kpi k JOIN incident i ON i.id = k.incident_id "
	    "WHERE k.kpi = ? AND k.recovered_at IS NULL AND i.status != 'resolved' "
	    "ORDER BY k.incident_id DESC" :
	    "SELECT k.incident_id FROM incident_kpi k JOIN incident i ON i.id = k.incident_id "
	    "WHERE k.kpi = ? AND i.status != 'resolved' ORDER BY k.incident_id DESC");
	sqlite3_bind_text(st, 1, kpi, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* The newest open KPI incident opened since then; 0 if none. */
static long long
recent_incident(sqlite3 *db, time_t since)
{
	sqlite3_stmt *st;
	long long id = 0;

	st = store_prepare(db, "SELECT id FROM incident WHERE source = 'kpi' AND status != "
	    "'resolved' AND opened_at >= ? ORDER BY opened_at DESC, id DESC");
	sqlite3_bind_int64(st, 1, since);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* Puts a KPI on an incident as crit since then (again, if it was ok). */
static int
kpi_crit_on(sqlite3 *db, long long id, const char *kpi, time_t now, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "INSERT INTO incident_kpi (incident_id, kpi, since) VALUES "
	    "(?, ?, ?) ON CONFLICT (incident_id, kpi) DO UPDATE SET recovered_at = NULL");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, kpi, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if (store_write(st, "incident_kpi", cause) != 0)
		return -1;
	/* A KPI crit again: the incident has not recovered after all. */
	st = store_prepare(db, "UPDATE incident SET recovered = 0 WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	return store_write(st, "incident", cause);
}

/* Raises an open incident to severity when that is more severe and no person has set one
   (a severity a person set stands: the daemon does not argue with it). 1 if it changed, 0
   if not, -1 with *cause. */
static int
raise_severity(sqlite3 *db, const struct incident_policy *p, long long id, int severity,
    const char *why, time_t now, char **cause)
{
	sqlite3_stmt *st;
	const char *code;
	int current = 0;

	st = store_prepare(db, "SELECT severity, EXISTS (SELECT 1 FROM timeline WHERE "
	    "incident_id = ?1 AND kind = 'severity' AND actor != ?2) FROM incident WHERE id = ?1");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, ACTOR, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1) == 0)
		current = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (severity >= current)
		return 0;
	return incident_set_severity(db, p, id, severity, ACTOR, why, now, &code, cause) == 0 ?
	    1 : -1;
}

long long
kpi_incident_crit(sqlite3 *db, const struct incident_policy *p, const struct kpi_breach *b,
    long window, time_t now, const char **what, char **cause)
{
	struct incident_new n;
	char *title, *fingerprint, *text;
	long long id;
	int existing, joined = 0, rc;

	if ((id = incident_of(db, b->name, 0)) > 0) {
		*what = "kpi";
		text = xstrdup("crit again");
	} else if (window > 0 && (id = recent_incident(db, now - window)) > 0) {
		/* Another KPI of the same outage joins the incident opened moments ago. */
		*what = "joined";
		joined = 1;
		text = xprintf("%s is crit too (%s)", b->title, b->shown);
	} else {
		*what = "open";
		title = xprintf("%s is crit (%s)", b->title, b->shown);
		fingerprint = xprintf("kpi:%s", b->name);
		memset(&n, 0, sizeof n);
		n.title = title;
		n.description = b->impact;
		n.severity = b->severity;
		n.source = "kpi";
		n.fingerprint = fingerprint;
		n.kpi = b->name;
		id = incident_open(db, p, &n, ACTOR, now, &existing, cause);
		free(title);
		free(fingerprint);
		if (id < 0)
			return -1;
		/* The KPI as it was when the incident opened, for the postmortem. */
		text = xstrdup(existing ? "crit again" : "KPI at opening");
	}
	rc = kpi_crit_on(db, id, b->name, now, cause);
	if (rc == 0)
		rc = incident_timeline(db, id, now, ACTOR, "kpi", text, b->snapshot, cause);
	/* A worse impact raises the severity of the incident it joined. */
	if (rc == 0 && joined && raise_severity(db, p, id, b->severity, b->impact != NULL ?
	    b->impact : text, now, cause) < 0)
		rc = -1;
	free(text);
	return rc == 0 ? id : -1;
}

long long
kpi_incident_worse(sqlite3 *db, const struct incident_policy *p, const char *name, int severity,
    const char *why, time_t now, char **cause)
{
	long long id;
	int rc;

	if ((id = incident_of(db, name, 1)) == 0)
		return 0;
	if ((rc = raise_severity(db, p, id, severity, why, now, cause)) < 0)
		return -1;
	return rc > 0 ? id : 0;
}

long long
kpi_incident_ok(sqlite3 *db, const char *name, const char *text, const char *snapshot,
    time_t now, int *all, char **cause)
{
	sqlite3_stmt *st;
	long long id;
	char *left = NULL, *line;
	int rc;

	*all = 0;
	if ((id = incident_of(db, name, 1)) == 0)
		return 0;
	st = store_prepare(db, "UPDATE incident_kpi SET recovered_at = ? WHERE incident_id = ? "
	    "AND kpi = ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if (store_write(st, "incident_kpi", cause) != 0)
		return -1;
	/* The KPIs of the incident still crit, by name. */
	st = store_prepare(db, "SELECT group_concat(kpi, ', ') FROM incident_kpi WHERE "
	    "incident_id = ? AND recovered_at IS NULL");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		left = xstrdup(store_text(st, 0));
	sqlite3_finalize(st);
	if (left != NULL) {
		line = xprintf("%s; still crit: %s", text, left);
		rc = incident_timeline(db, id, now, ACTOR, "kpi", line, snapshot, cause);
		free(line);
		free(left);
		return rc == 0 ? id : -1;
	}
	*all = 1;
	line = xprintf("%s: resolve?", text);
	st = store_prepare(db, "UPDATE incident SET recovered = 1 WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	rc = store_write(st, "incident", cause);
	if (rc == 0)
		rc = incident_timeline(db, id, now, ACTOR, "recovered", line, snapshot, cause);
	free(line);
	return rc == 0 ? id : -1;
}
