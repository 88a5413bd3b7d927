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
};

const size_t schema_count = sizeof schema_migrations / sizeof schema_migrations[0];
