/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "backend/alerts.h"
#include "backend/buf.h"
#include "backend/config.h"
#include "backend/redact.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

#define ACTOR "alertmanager"

int
alerts_severity(const struct config *cfg, const char *value)
{
	const char *p = cfg->am_severity_map;
	size_t n;

	if (value == NULL || p == NULL)
		return 3;
	n = strlen(value);
	/* "critical=1, error=2": find value=, then its digit. */
	while ((p = strstr(p, value)) != NULL) {
		if ((p == cfg->am_severity_map || p[-1] == ',' || p[-1] == ' ') && p[n] == '=' &&
		    p[n + 1] >= '1' && p[n + 1] <= '4')
			return p[n + 1] - '0';
		p += n;
	}
	return 3;
}

/* The label names of group_by, split on commas and blanks. */
static char **
group_labels(const struct config *cfg, size_t *n)
{
	char *copy = xstrdup(cfg->am_group_by != NULL ? cfg->am_group_by : "alertname"), *w, *save;
	char **v = NULL;

	*n = 0;
	for (w = strtok_r(copy, ", \t", &save); w != NULL; w = strtok_r(NULL, ", \t", &save)) {
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(w);
	}
	free(copy);
	return v;
}

/* The annotations as a JSON object, each value redacted. */
static char *
annotations_json(const struct am_alert *a, const struct redactor *r)
{
	cJSON *o = cJSON_CreateObject();
	char *s, *safe;
	size_t i;

	for (i = 0; i < a->nannotations; i++) {
		safe = redact(r, a->annotations[2 * i + 1], NULL);
		cJSON_AddStringToObject(o, a->annotations[2 * i], safe);
		free(safe);
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* What the timeline says of an alert: its summary or description, else its name. */
static char *
alert_text(const struct am_alert *a, const struct redactor *r, const char *what)
{
	const char *name = am_label(a, "alertname"), *summary = am_annotation(a, "summary");
	char *safe, *text;

	if (summary == NULL)
		summary = am_annotation(a, "description");
	safe = redact(r, summary != NULL ? summary : "", NULL);
	text = xprintf("%s %s%s%s", what, name != NULL ? name : "(unnamed)", *safe ? ": " : "",
	    safe);
	free(safe);
	return text;
}

static int
alert_firing(const struct am_alert *a)
{
	return strcmp(a->state, "active") == 0 || strcmp(a->state, "unprocessed") == 0;
}

/* A new or returning alert: to the incident of its group, opening one if none is open. */
static int
alert_fire(sqlite3 *db, const struct config *cfg, const struct incident_policy *p,
    const struct redactor *r, const struct am_alert *a, const char *group, time_t now,
    incident_change_cb cb, void *arg, char **cause)
{
	struct incident_new n;
	sqlite3_stmt *st;
	char *fingerprint, *title, *text, *annotations, *safe;
	const char *summary = am_annotation(a, "summary"), *name = am_label(a, "alertname");
	long long id;
	int existing, rc;

	fingerprint = xprintf("am:%s", group);
	safe = redact(r, summary != NULL ? summary : name != NULL ? name : group, NULL);
	title = xprintf("%s%s%s", name != NULL && summary != NULL ? name : "",
	    name != NULL && summary != NULL ? ": " : "", safe);
	free(safe);
	memset(&n, 0, sizeof n);
	n.title = title;
	n.severity = alerts_severity(cfg, am_label(a, cfg->am_severity_label));
	n.source = "alertmanager";
	n.fingerprint = fingerprint;
	id = incident_open(db, p, &n, ACTOR, now, &existing, cause);
	free(title);
	free(fingerprint);
	if (id < 0)
		return -1;
	annotations = annotations_json(a, r);
	st = store_prepare(db, "INSERT INTO alert (fingerprint, incident_id, group_key, name, "
	    "firing, starts_at, annotations) VALUES (?, ?, ?, ?, 1, ?, ?) "
	    "ON CONFLICT (fingerprint) DO UPDATE SET incident_id = excluded.incident_id, "
	    "firing = 1, ends_at = NULL, annotations = excluded.annotations");
	sqlite3_bind_text(st, 1, a->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, group, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, name != NULL ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (long long)a->starts_at);
	sqlite3_bind_text(st, 6, annotations, -1, SQLITE_STATIC);
	if (store_write(st, "alert", cause) != 0) {
		free(annotations);
		return -1;
	}
	/* The annotations (summary, description, runbook_url) go to the timeline as data. */
	text = alert_text(a, r, "firing");
	rc = incident_timeline(db, id, now, ACTOR, "alert", text, annotations, cause);
	if (rc == 0 && cb != NULL)
		cb(arg, id, existing ? "alert" : "open", text);
	free(text);
	free(annotations);
	return rc;
}

/* An alert no longer in the list has resolved; a group with none left firing recovers. */
static int
alert_resolve(sqlite3 *db, const char *fingerprint, long long id, const char *name,
    const char *group, time_t now, incident_change_cb cb, void *arg, char **cause)
{
	sqlite3_stmt *st;
	char *text, *fp;
	int left = 0, rc;

	st = store_prepare(db, "UPDATE alert SET firing = 0, ends_at = ? WHERE fingerprint = ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, fingerprint, -1, SQLITE_STATIC);
	rc = store_step(st, cause);
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	text = xprintf("resolved %s", name);
	rc = incident_timeline(db, id, now, ACTOR, "alert", text, NULL, cause);
	free(text);
	if (rc != 0)
		return -1;
	st = store_prepare(db, "SELECT count(*) FROM alert WHERE incident_id = ? AND firing = 1");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		left = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (left > 0) {
		if (cb != NULL)
			cb(arg, id, "alert", "an alert of the group resolved; others still fire");
		return 0;
	}
	fp = xprintf("am:%s", group);
	if (incident_recovered(db, fp, "all alerts of the group resolved: resolve?", now,
	    cause) < 0)
		rc = -1;
	else if (cb != NULL)
		cb(arg, id, "recovered", "all alerts of the group resolved");
	free(fp);
	return rc;
}

int
alerts_apply(sqlite3 *db, const struct config *cfg, const struct incident_policy *p,
    const struct redactor *r, const struct am_alerts *list, time_t now, incident_change_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt *st;
	struct { char *fp, *name, *group; long long id; } *gone = NULL;
	char **labels, *group;
	size_t nlabels, i, j, ngone = 0;
	int rc = 0, firing, known;

	labels = group_labels(cfg, &nlabels);
	for (i = 0; i < list->n && rc == 0; i++) {
		const struct am_alert *a = &list->v[i];

		if (!alert_firing(a))
			continue;	/* silenced or inhibited: neither new nor resolved */
		st = store_prepare(db, "SELECT firing FROM alert WHERE fingerprint = ?");
		sqlite3_bind_text(st, 1, a->fingerprint, -1, SQLITE_STATIC);
		known = sqlite3_step(st) == SQLITE_ROW;
		firing = known && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (firing)
			continue;
		group = am_group_key(a, (const char *const *)labels, nlabels);
		rc = alert_fire(db, cfg, p, r, a, group, now, cb, arg, cause);
		free(group);
	}

	/* Firing alerts the list no longer has. */
	st = store_prepare(db, "SELECT fingerprint, incident_id, name, group_key FROM alert "
	    "WHERE firing = 1");
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *fp = store_text(st, 0);

		for (j = 0; j < list->n && strcmp(list->v[j].fingerprint, fp) != 0; j++)
			;
		if (j < list->n)
			continue;
		gone = xreallocarray(gone, ngone + 1, sizeof *gone);
		gone[ngone].fp = xstrdup(fp);
		gone[ngone].id = sqlite3_column_int64(st, 1);
		gone[ngone].name = xstrdup(store_text(st, 2));
		gone[ngone++].group = xstrdup(store_text(st, 3));
	}
	sqlite3_finalize(st);
	for (i = 0; i < ngone; i++) {
		if (rc == 0)
			rc = alert_resolve(db, gone[i].fp, gone[i].id, gone[i].name, gone[i].group,
			    now, cb, arg, cause);
		free(gone[i].fp);
		free(gone[i].name);
		free(gone[i].group);
	}
	free(gone);
	for (i = 0; i < nlabels; i++)
		free(labels[i]);
	free(labels);
	return rc;
}
