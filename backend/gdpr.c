/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/buf.h"
#include "backend/gdpr.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

/*
 * Every column that may name or describe a person (docs/data-map.md). The audit log's
 * actor and object stay: they are what the chain protects, kept for the legal obligation to
 * account for changes; erasing removes the audit details instead (their hashes stay).
 */
static const struct {
	const char	*table;
	const char	*column;
} personal[] = {
	{ "incident", "title" }, { "incident", "description" }, { "incident", "assignee" },
	{ "incident", "opened_by" }, { "incident", "snooze_reason" },
	{ "timeline", "actor" }, { "timeline", "text" }, { "timeline", "data" },
	{ "watch", "user" },
	{ "alert", "annotations" },
	{ "run", "started_by" },
	{ "run_step", "note" }, { "run_step", "actor" },
	{ "run_tick", "actor" },
	{ "run_note", "text" }, { "run_note", "actor" },
	{ "proposal", "description" }, { "proposal", "author" }, { "proposal", "decided_by" },
	{ "proposal", "reason" },
	{ "eval", "started_by" },
	{ "eval_case", "answer" }, { "eval_case", "why" },
	{ "release", "author" }, { "release", "approver" }, { "release", "description" },
	{ "release", "override" },
	{ "audit", "actor" }, { "audit", "object" }, { "audit", "details" },
};
#define NPERSONAL (sizeof personal / sizeof personal[0])

#define ERASED	"[erased]"

int
gdpr_subject_ok(const char *subject, char **cause)
{
	size_t n = 0;
	const char *p;

	for (p = subject; *p != '\0'; p++)
		n += !isspace((unsigned char)*p);
	if (n < GDPR_MIN_SUBJECT) {
		*cause = xprintf("the subject must have at least %d characters besides blanks: "
		    "a shorter one matches too much", GDPR_MIN_SUBJECT);
		return -1;
	}
	return 0;
}

/* "col1 LIKE ... OR col2 ..." for the personal columns of a table; NULL if it has none. */
static char *
match_clause(const char *table)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < NPERSONAL; i++) {
		if (strcmp(personal[i].table, table) == 0)
			buf_printf(&b, "%sinstr(lower(\"%s\"), lower(?1)) > 0", b.len ? " OR " : "",
			    personal[i].column);
	}
	return b.len > 0 ? buf_take(&b) : NULL;
}

cJSON *
gdpr_export(sqlite3 *db, const char *subject)
{
	cJSON *out = cJSON_CreateObject(), *rows;
	sqlite3_stmt *st;
	char *where, *sql;
	size_t i;

	for (i = 0; i < NPERSONAL; i++) {
		if (i > 0 && strcmp(personal[i - 1].table, personal[i].table) == 0)
			continue;
		where = match_clause(personal[i].table);
		sql = xprintf("SELECT * FROM \"%s\" WHERE %s ORDER BY rowid", personal[i].table,
		    where);
		st = store_prepare(db, sql);
		sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
		rows = NULL;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (rows == NULL)
				rows = cJSON_AddArrayToObject(out, personal[i].table);
			cJSON_AddItemToArray(rows, store_row_json(st));
		}
		sqlite3_finalize(st);
		free(sql);
		free(where);
	}
	return out;
}

/* s with every occurrence of subject replaced, ignoring ASCII case (as SQLite's lower()). */
static char *
replace_all(const char *s, const char *subject)
{
	size_t n = strlen(subject);
	struct buf b;

	buf_init(&b);
	while (*s != '\0') {
		if (strncasecmp(s, subject, n) == 0) {
			buf_addstr(&b, ERASED);
			s += n;
		} else
			buf_addch(&b, *s++);
	}
	return buf_take(&b);
}

/* Replaces the subject in one column of every row that holds it; returns the count or -1. */
static long long
erase_column(sqlite3 *db, const char *table, const char *column, const char *subject,
    char **cause)
{
	sqlite3_stmt *st, *up;
	char *sql, *text;
	long long n = 0;

	sql = xprintf("SELECT rowid, \"%s\" FROM \"%s\" WHERE instr(lower(\"%s\"), lower(?1)) > 0",
	    column, table, column);
	st = store_prepare(db, sql);
	free(sql);
	sql = xprintf("UPDATE \"%s\" SET \"%s\" = ?1 WHERE rowid = ?2", table, column);
	up = store_prepare(db, sql);
	free(sql);
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		text = replace_all(store_text(st, 1), subject);
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 2, sqlite3_column_int64(st, 0));
		free(text);
		if (sqlite3_step(up) != SQLITE_DONE) {
			*cause = xprintf("erase %s.%s: %s", table, column, sqlite3_errmsg(db));
			n = -1;
			break;
		}
		n++;
	}
	sqlite3_finalize(up);
	sqlite3_finalize(st);
	return n;
}

cJSON *
gdpr_erase(sqlite3 *db, const char *subject, char **cause)
{
	cJSON *out = cJSON_CreateObject();
	sqlite3_stmt *st;
	char *where, *sql, key[64];
	long long n;
	size_t i;

	for (i = 0; i < NPERSONAL; i++) {
		if (strcmp(personal[i].table, "audit") == 0)
			continue;
		if (strcmp(personal[i].table, "watch") == 0) {
			/* A watch entry is only its user: it goes. */
			st = store_prepare(db, "DELETE FROM watch WHERE instr(lower(user), "
			    "lower(?1)) > 0");
			sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
			sqlite3_step(st);
			sqlite3_finalize(st);
			n = sqlite3_changes(db);
		} else if ((n = erase_column(db, personal[i].table, personal[i].column, subject,
		    cause)) < 0) {
			cJSON_Delete(out);
			return NULL;
		}
		if (n > 0) {
			snprintf(key, sizeof key, "%s.%s", personal[i].table, personal[i].column);
			cJSON_AddNumberToObject(out, key, (double)n);
		}
	}
	where = match_clause("audit");
	sql = xprintf("UPDATE audit SET details = NULL WHERE details IS NOT NULL AND (%s)", where);
	st = store_prepare(db, sql);
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	n = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db) : 0;
	sqlite3_finalize(st);
	free(sql);
	free(where);
	if (n > 0)
		cJSON_AddNumberToObject(out, "audit.details", (double)n);
	return out;
}

int
gdpr_personal_column(const char *table, const char *column)
{
	size_t i;

	for (i = 0; i < NPERSONAL; i++) {
		if (strcmp(personal[i].table, table) == 0 &&
		    strcmp(personal[i].column, column) == 0)
			return 1;
	}
	return 0;
}
