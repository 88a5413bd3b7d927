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

	/*
	 * 4: playbook runs. A run keeps the playbook as it was parsed when it started (and the
	 * file's hash), so editing the file never changes a run in progress.
	 */
	"CREATE TABLE run ("
	"  id          INTEGER PRIMARY KEY,"
	"  playbook    TEXT NOT NULL,"
	"  lang        TEXT NOT NULL,"
	"  title       TEXT NOT NULL,"
	"  file        TEXT NOT NULL,"
	"  file_hash   TEXT NOT NULL,"
	"  content     TEXT NOT NULL,"
	"  steps       INTEGER NOT NULL,"
	"  incident_id INTEGER REFERENCES incident(id),"
	"  started_by  TEXT NOT NULL,"
	"  started_at  INTEGER NOT NULL,"
	"  finished_at INTEGER"
	");"
	"CREATE INDEX run_open ON run(finished_at, id);"
	"CREATE TABLE run_step ("
	"  run_id  INTEGER NOT NULL REFERENCES run(id),"
	"  step    INTEGER NOT NULL,"
	"  result  TEXT NOT NULL CHECK (result IN ('done', 'skipped', 'failed')),"
	"  note    TEXT NOT NULL DEFAULT '',"
	"  actor   TEXT NOT NULL,"
	"  at      INTEGER NOT NULL,"
	"  PRIMARY KEY (run_id, step)"
	");"
	"CREATE TABLE run_tick ("
	"  run_id  INTEGER NOT NULL REFERENCES run(id),"
	"  step    INTEGER NOT NULL,"
	"  item    INTEGER NOT NULL,"
	"  ticked  INTEGER NOT NULL,"
	"  actor   TEXT NOT NULL,"
	"  at      INTEGER NOT NULL,"
	"  PRIMARY KEY (run_id, step, item)"
	");"
	"CREATE TABLE run_note ("
	"  id      INTEGER PRIMARY KEY,"
	"  run_id  INTEGER NOT NULL REFERENCES run(id),"
	"  step    INTEGER NOT NULL,"
	"  text    TEXT NOT NULL,"
	"  actor   TEXT NOT NULL,"
	"  at      INTEGER NOT NULL"
	");",

	/*
	 * 5: prompt releases. The git repository holds the content; these rows hold who did
	 * what, the evals and the release list the console pages through. An eval is of an
	 * assistant's directory tree, so production's baseline is the eval of its tree.
	 */
	"CREATE TABLE proposal ("
	"  id          INTEGER PRIMARY KEY,"
	"  assistant   TEXT NOT NULL,"
	"  description TEXT NOT NULL,"
	"  files       TEXT NOT NULL,"
	"  author      TEXT NOT NULL,"
	"  created_at  INTEGER NOT NULL,"
	"  base        TEXT NOT NULL DEFAULT '',"
	"  head        TEXT NOT NULL DEFAULT '',"
	"  state       TEXT NOT NULL CHECK (state IN"
	"                ('draft', 'evaluated', 'approved', 'rejected')),"
	"  decided_by  TEXT,"
	"  decided_at  INTEGER,"
	"  reason      TEXT,"
	"  release     TEXT"
	");"
	"CREATE INDEX proposal_by_state ON proposal(state, id);"
	"CREATE TABLE eval ("
	"  id          INTEGER PRIMARY KEY,"
	"  proposal_id INTEGER REFERENCES proposal(id),"
	"  assistant   TEXT NOT NULL,"
	"  tree        TEXT NOT NULL,"
	"  started_by  TEXT NOT NULL,"
	"  started_at  INTEGER NOT NULL,"
	"  finished_at INTEGER,"
	"  status      TEXT NOT NULL CHECK (status IN"
	"                ('running', 'done', 'failed', 'interrupted')),"
	"  error       TEXT,"
	"  cases       INTEGER,"
	"  passed      INTEGER,"
	"  pass_rate   REAL,"
	"  runs        INTEGER,"
	"  errors      INTEGER,"
	"  tokens      INTEGER,"
	"  cost        REAL,"
	"  cost_per_answer REAL,"
	"  latency_ms  INTEGER"
	");"
	"CREATE INDEX eval_by_tree ON eval(tree, status, id);"
	"CREATE INDEX eval_by_proposal ON eval(proposal_id, id);"
	"CREATE TABLE eval_case ("
	"  eval_id     INTEGER NOT NULL REFERENCES eval(id),"
	"  case_id     TEXT NOT NULL,"
	"  runs        INTEGER NOT NULL,"
	"  passed      INTEGER NOT NULL,"
	"  pass        INTEGER NOT NULL,"
	"  latency_ms  INTEGER,"
	"  tokens      INTEGER,"
	"  cost        REAL,"
	"  answer      TEXT,"
	"  why         TEXT,"
	"  PRIMARY KEY (eval_id, case_id)"
	");"
	"CREATE TABLE release ("
	"  assistant   TEXT NOT NULL,"
	"  n           INTEGER NOT NULL,"
	"  tag         TEXT NOT NULL UNIQUE,"
	"  commit_id   TEXT NOT NULL,"
	"  created_at  INTEGER NOT NULL,"
	"  author      TEXT NOT NULL,"
	"  approver    TEXT,"
	"  proposal_id INTEGER,"
	"  description TEXT NOT NULL,"
	"  pass_rate   REAL,"
	"  rollback_of TEXT,"
	"  override    TEXT,"
	"  pushed      INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (assistant, n)"
	");"
	"CREATE INDEX release_unpushed ON release(pushed) WHERE pushed = 0;",

	/* 6: why an audit entry's details are gone (they are not part of the chain: the hash
	   of the details is), so verify tells a GDPR erasure from the end of retention. */
	"ALTER TABLE audit ADD COLUMN details_removed TEXT"
	"  CHECK (details_removed IN ('erased', 'expired'));",

	/* 7: the list shows open incidents before resolved ones, whatever their severity. */
	"ALTER TABLE incident ADD COLUMN closed INTEGER"
	"  GENERATED ALWAYS AS (status = 'resolved') VIRTUAL;"
	"CREATE INDEX incident_by_closed ON incident(closed, severity, opened_at, id);",

	/* 8: the KPIs on a KPI incident: one outage that breaches several KPIs is one
	   incident, recovered once all of them are ok. */
	"CREATE TABLE incident_kpi ("
	"  incident_id  INTEGER NOT NULL REFERENCES incident(id),"
	"  kpi          TEXT NOT NULL,"
	"  since        INTEGER NOT NULL,"
	"  recovered_at INTEGER,"
	"  PRIMARY KEY (incident_id, kpi)"
	");"
	"CREATE INDEX incident_kpi_open ON incident_kpi(kpi) WHERE recovered_at IS NULL;"
	"INSERT INTO incident_kpi SELECT id, kpi, opened_at, "
	"  CASE WHEN recovered THEN opened_at END FROM incident "
	"  WHERE source = 'kpi' AND kpi IS NOT NULL;",

	/* 9: the overdue count on every list answer reads an index, not 100 000 rows. */
	"CREATE INDEX incident_by_status_due ON incident(status, ack_due);",

	/* 10: the sparklines across a restart: each KPI's history buckets as the poller left
	   them (the cost KPIs cannot be refilled from Prometheus). */
	"CREATE TABLE kpi_history ("
	"  kpi     TEXT NOT NULL,"
	"  seconds INTEGER NOT NULL,"
	"  bucket  INTEGER NOT NULL,"
	"  sum     REAL NOT NULL,"
	"  n       INTEGER NOT NULL,"
	"  PRIMARY KEY (kpi, seconds, bucket)"
	") WITHOUT ROWID;",

	/* 11: on-call overrides: user covers level from starts_at to ends_at (unix seconds),
	   for for_user if given. The daemon refuses overlaps within a level. */
	"CREATE TABLE oncall_override ("
	"  id          INTEGER PRIMARY KEY,"
	"  level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),"
	"  user        TEXT NOT NULL,"
	"  for_user    TEXT,"
	"  starts_at   INTEGER NOT NULL,"
	"  ends_at     INTEGER NOT NULL CHECK (ends_at > starts_at),"
	"  created_by  TEXT NOT NULL,"
	"  created_at  INTEGER NOT NULL"
	");"
	"CREATE INDEX oncall_override_by_level ON oncall_override(level, ends_at);",

	/* 12: notifications to people: one row per notice, user and channel (the key names the
	   incident, event, level and round, so a notice is sent once), with its tries; and how
	   often the whole chain has been paged again for an incident nobody acknowledges. */
	"CREATE TABLE page ("
	"  id          INTEGER PRIMARY KEY,"
	"  incident_id INTEGER REFERENCES incident(id),"
	"  key         TEXT NOT NULL,"
	"  event       TEXT NOT NULL,"
	"  severity    INTEGER NOT NULL DEFAULT 0,"
	"  level       INTEGER NOT NULL DEFAULT 0,"
	"  user        TEXT NOT NULL,"
	"  channel     TEXT NOT NULL,"
	"  state       TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'retry', 'held', "
	"                'failed', 'cancelled')),"
	"  tries       INTEGER NOT NULL DEFAULT 0,"
	"  next_at     INTEGER,"
	"  error       TEXT,"
	"  detail      TEXT,"
	"  title       TEXT NOT NULL DEFAULT '',"
	"  created_at  INTEGER NOT NULL,"
	"  sent_at     INTEGER,"
	"  UNIQUE (key, user, channel)"
	");"
	"CREATE INDEX page_due ON page(next_at) WHERE state IN ('retry', 'held', 'sending');"
	"CREATE INDEX page_by_incident ON page(incident_id);"
	"ALTER TABLE incident ADD COLUMN page_round INTEGER NOT NULL DEFAULT 0;",

	/* 13: canary rollouts: one live (running or paused) per assistant; the policy it got
	   (JSON), where it stands, the last analysis, an A/B comparison, how it ended. The
	   comparison is also the proposal's. */
	"CREATE TABLE rollout ("
	"  id          INTEGER PRIMARY KEY,"
	"  assistant   TEXT NOT NULL,"
	"  proposal_id INTEGER NOT NULL REFERENCES proposal(id),"
	"  state       TEXT NOT NULL CHECK (state IN ('running', 'paused', 'promoted', "
	"                'rolled_back', 'aborted')),"
	"  policy      TEXT NOT NULL,"
	"  label       TEXT NOT NULL,"
	"  step        INTEGER NOT NULL DEFAULT 0,"
	"  failures    INTEGER NOT NULL DEFAULT 0,"
	"  approver    TEXT NOT NULL,"
	"  override    TEXT,"
	"  started_at  INTEGER NOT NULL,"
	"  step_at     INTEGER NOT NULL,"
	"  next_at     INTEGER NOT NULL,"
	"  analysis    TEXT,"
	"  compare_until INTEGER,"
	"  comparison  TEXT,"
	"  ended_at    INTEGER,"
	"  ended_by    TEXT,"
	"  reason      TEXT,"
	"  release     TEXT"
	");"
	"CREATE UNIQUE INDEX rollout_live ON rollout(assistant) "
	"  WHERE state IN ('running', 'paused');"
	"ALTER TABLE proposal ADD COLUMN comparison TEXT;",
};

const size_t schema_count = sizeof schema_migrations / sizeof schema_migrations[0];
