/* SPDX-License-Identifier: ISC */
#include "backend/schema.h"

/* Append only: a released migration never changes. */
const char *const schema_migrations[] = {
	/* 1: the audit chain. details is NULL once retention removed it; its hash stays. */
	"CREATE TABLE audit ("
	"  seq          INTEGER PRIMARY KEY,"
	"  ts           TEXT NOT NULL,"
	"  actor        TEXT NOT NULL,"
	"  role         TEXT NOT NULL,"
	"  action       TEXT NOT NULL,"
	"  object       TEXT NOT NULL,"
	"  details      TEXT,"
	"  details_hash TEXT NOT NULL,"
	"  hash         TEXT NOT NULL"
	");"
	"CREATE INDEX audit_by_actor ON audit(actor, seq);"
	"CREATE INDEX audit_by_action ON audit(action, seq);",

	/*
	 * 2: incidents, their timelines, personal watch lists and the alerts behind them.
	 * Times are unix seconds. A fingerprint de-duplicates: one open incident per KPI or alert
	 * group. Free text is redacted before it gets here.
	 */
	"CREATE TABLE incident ("
	"  id             INTEGER PRIMARY KEY,"
	"  title          TEXT NOT NULL,"
	"  description    TEXT NOT NULL DEFAULT '',"
	"  severity       INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 4),"
	"  status         TEXT NOT NULL CHECK (status IN"
	"                   ('triggered', 'acknowledged', 'mitigated', 'resolved')),"
	"  level          INTEGER NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 3),"
	"  assignee       TEXT,"
	"  source         TEXT NOT NULL CHECK (source IN ('manual', 'kpi', 'alertmanager')),"
	"  fingerprint    TEXT,"
	"  kpi            TEXT,"
	"  opened_by      TEXT NOT NULL,"
	"  opened_at      INTEGER NOT NULL,"
	"  acknowledged_at INTEGER,"
	"  mitigated_at   INTEGER,"
	"  resolved_at    INTEGER,"
	"  activity_at    INTEGER NOT NULL,"
	"  ack_due        INTEGER,"
	"  snoozed_until  INTEGER,"
	"  snooze_reason  TEXT,"
	"  recovered      INTEGER NOT NULL DEFAULT 0,"
	"  ticket_key     TEXT,"
	"  ticket_url     TEXT"
	");"
	"CREATE UNIQUE INDEX incident_open_fingerprint ON incident(fingerprint)"
	"  WHERE status != 'resolved' AND fingerprint IS NOT NULL;"
	"CREATE INDEX incident_by_severity ON incident(severity, opened_at, id);"
	"CREATE INDEX incident_by_status ON incident(status, severity, opened_at, id);"
	"CREATE INDEX incident_due ON incident(ack_due) WHERE ack_due IS NOT NULL;"
	"CREATE TABLE timeline ("
	"  id          INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),"
	"  ts          INTEGER NOT NULL,"
	"  actor       TEXT NOT NULL,"
	"  kind        TEXT NOT NULL,"
	"  text        TEXT NOT NULL DEFAULT '',"
	"  data        TEXT"
	");"
	"CREATE INDEX timeline_by_incident ON timeline(incident_id, id);"
	"CREATE TABLE watch ("
	"  user        TEXT NOT NULL,"
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),"
	"  PRIMARY KEY (user, incident_id)"
	");",

	/* 3: alerts from Alertmanager, by fingerprint, and the incident of their group. */
	"CREATE TABLE alert ("
	"  fingerprint TEXT PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),"
	"  group_key   TEXT NOT NULL,"
	"  name        TEXT NOT NULL,"
	"  firing      INTEGER NOT NULL,"
	"  starts_at   INTEGER NOT NULL,"
	"  ends_at     INTEGER,"
	"  annotations TEXT"
	");"
	"CREATE INDEX alert_firing ON alert(firing, group_key);",
};

const size_t schema_count = sizeof schema_migrations / sizeof schema_migrations[0];
