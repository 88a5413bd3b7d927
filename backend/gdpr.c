/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include "backend/buf.h"
#include "backend/gdpr.h"
#include "backend/store.h"
#include "backend/utf8.h"
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
	{ "oncall_override", "user" }, { "oncall_override", "for_user" },
	{ "oncall_override", "created_by" },
	{ "page", "user" }, { "page", "error" }, { "page", "detail" }, { "page", "title" },
	{ "rollout", "approver" }, { "rollout", "override" }, { "rollout", "ended_by" },
	{ "rollout", "reason" },
	{ "audit", "actor" }, { "audit", "object" }, { "audit", "details" },
};
#define NPERSONAL (sizeof personal / sizeof personal[0])

#define ERASED	"[erased]"

/* What a table's rows are called in a message. */
static const struct {
	const char	*table;
	const char	*noun;
} nouns[] = {
	{ .table = "incident", .noun = "incidents" },
	{ .table = "timeline", .noun = "timeline entries" },
	{ .table = "watch", .noun = "watch entries" },
	{ .table = "alert", .noun = "alerts" },
	{ .table = "run", .noun = "playbook runs" },
	{ .table = "run_step", .noun = "playbook steps" },
	{ .table = "run_tick", .noun = "checklist ticks" },
	{ .table = "run_note", .noun = "playbook notes" },
	{ .table = "proposal", .noun = "proposals" },
	{ .table = "eval", .noun = "evals" },
	{ .table = "rollout", .noun = "canary rollouts" },
	{ .table = "eval_case", .noun = "eval answers" },
	{ .table = "release", .noun = "releases" },
	{ .table = "oncall_override", .noun = "on-call overrides" },
	{ .table = "page", .noun = "notifications" },
	{ .table = "audit", .noun = "audit entries" },
};

static const char *
table_noun(const char *table)
{
	size_t i;

	for (i = 0; i < sizeof nouns / sizeof nouns[0]; i++) {
		if (strcmp(nouns[i].table, table) == 0)
			return nouns[i].noun;
	}
	return table;
}

/*
 * How much a character says about who is meant: 1 for a letter or digit in any script
 * (whatever the daemon's own locale), 2 for a syllable of kana, Hangul or a CJK ideograph
 * (a two-character Chinese name is a name), 0 for the rest.
 */
static int
letter_weight(long cp)
{
	static locale_t utf8;
	static int tried;

	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return isalnum((int)cp) ? 1 : 0;
	if ((cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30a1 && cp <= 0x30fa) ||
	    (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
	    (cp >= 0x20000 && cp <= 0x2ffff))
		return 2;
	if (!tried) {
		tried = 1;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	/* Without a UTF-8 locale to ask, any character beyond Latin-1's symbols counts. */
	if (utf8 == (locale_t)0)
		return cp >= 0xc0 ? 1 : 0;
	return iswalnum_l((wint_t)cp, utf8) ? 1 : 0;
}

/*
 * A subject names somebody only with some letters or digits in it: punctuation and blanks
 * (":", "{", ",", no-break spaces) occur in nearly every stored JSON text and title.
 */
int
gdpr_subject_ok(const char *subject, char **cause)
{
	size_t len = strlen(subject), off, used, n = 0;
	uint32_t cp;

	for (off = 0; off < len; off += used) {
		used = utf8_decode(subject + off, len - off, &cp);
		n += (size_t)letter_weight(cp == UTF8_INVALID ? -1 : (long)cp);
	}
	if (n < GDPR_MIN_SUBJECT) {
		*cause = xprintf("the subject needs at least %d letters or digits (a name, an "
		    "e-mail address, a user name): one with fewer, or only punctuation and "
		    "blanks, matches nearly everything", GDPR_MIN_SUBJECT);
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

cJSON *
gdpr_matches(sqlite3 *db, const char *subject)
{
	cJSON *out = cJSON_CreateArray(), *m;
	sqlite3_stmt *st;
	char *where, *sql;
	long long rows, total;
	size_t i;

	for (i = 0; i < NPERSONAL; i++) {
		if (i > 0 && strcmp(personal[i - 1].table, personal[i].table) == 0)
			continue;
		where = match_clause(personal[i].table);
		sql = xprintf("SELECT count(*) FILTER (WHERE %s), count(*) FROM \"%s\"", where,
		    personal[i].table);
		st = store_prepare(db, sql);
		sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
		rows = total = 0;
		if (sqlite3_step(st) == SQLITE_ROW) {
			rows = sqlite3_column_int64(st, 0);
			total = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		free(sql);
		free(where);
		if (rows == 0)
			continue;
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "table", personal[i].table);
		cJSON_AddStringToObject(m, "noun", table_noun(personal[i].table));
		cJSON_AddNumberToObject(m, "rows", (double)rows);
		cJSON_AddNumberToObject(m, "of", (double)total);
		cJSON_AddItemToArray(out, m);
	}
	return out;
}

int
gdpr_share_ok(const cJSON *matches, long long max_share, char **cause)
{
	const cJSON *m, *worst = NULL;
	double rows, of, share, most = 0;

	cJSON_ArrayForEach(m, matches) {
		rows = cJSON_GetNumberValue(cJSON_GetObjectItem(m, "rows"));
		of = cJSON_GetNumberValue(cJSON_GetObjectItem(m, "of"));
		share = of > 0 ? 100 * rows / of : 0;
		if (rows > GDPR_SHARE_FLOOR && share > (double)max_share && share > most) {
			worst = m;
			most = share;
		}
	}
	if (worst == NULL)
		return 0;
	*cause = xprintf("the subject matches %.0f of %.0f %s (%.0f %%), more than [privacy] "
	    "erase_max_share (%lld %%): is this a person? See what it matches with --dry-run; "
	    "repeat with --force to erase it all the same",
	    cJSON_GetNumberValue(cJSON_GetObjectItem(worst, "rows")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(worst, "of")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(worst, "noun")), most, max_share);
	return -1;
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

/* Replaces the subject in one column of every row that holds it (dry: only counts them);
   returns the count or -1. */
static long long
erase_column(sqlite3 *db, const char *table, const char *column, const char *subject,
    int dry, char **cause)
{
	sqlite3_stmt *st, *up;
	char *sql, *text, *why;
	long long n = 0;
	int rc;

	sql = xprintf("SELECT rowid, \"%s\" FROM \"%s\" WHERE instr(lower(\"%s\"), lower(?1)) > 0",
	    column, table, column);
	st = store_prepare(db, sql);
	free(sql);
	if (dry) {
		sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
		while ((rc = store_step(st, cause)) == 1)
			n++;
		sqlite3_finalize(st);
		return rc < 0 ? -1 : n;
	}
	sql = xprintf("UPDATE \"%s\" SET \"%s\" = ?1 WHERE rowid = ?2", table, column);
	up = store_prepare(db, sql);
	free(sql);
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	/* A read that stops on an error must fail the erase, not end it early. */
	while ((rc = store_step(st, cause)) == 1) {
		text = replace_all(store_text(st, 1), subject);
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 2, sqlite3_column_int64(st, 0));
		free(text);
		if ((rc = store_step(up, cause)) < 0)
			break;
		n++;
	}
	sqlite3_finalize(up);
	sqlite3_finalize(st);
	if (rc < 0) {
		why = *cause;
		*cause = xprintf("erase %s.%s: %s", table, column, why);
		free(why);
		return -1;
	}
	return n;
}

cJSON *
gdpr_erase(sqlite3 *db, const char *subject, int dry, char **cause)
{
	cJSON *out = cJSON_CreateObject();
	sqlite3_stmt *st;
	char *where, *sql, *why, key[64];
	long long n;
	size_t i;
	int rc;

	for (i = 0; i < NPERSONAL; i++) {
		if (strcmp(personal[i].table, "audit") == 0)
			continue;
		if (strcmp(personal[i].table, "watch") == 0) {
			/* A watch entry is only its user: it goes. */
			st = store_prepare(db, dry ? "SELECT count(*) FROM watch WHERE "
			    "instr(lower(user), lower(?1)) > 0" : "DELETE FROM watch WHERE "
			    "instr(lower(user), lower(?1)) > 0");
			sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
			rc = store_step(st, cause);
			n = rc == 1 ? sqlite3_column_int64(st, 0) : sqlite3_changes(db);
			sqlite3_finalize(st);
			if (rc < 0) {
				cJSON_Delete(out);
				return NULL;
			}
		} else if ((n = erase_column(db, personal[i].table, personal[i].column, subject,
		    dry, cause)) < 0) {
			cJSON_Delete(out);
			return NULL;
		}
		if (n > 0) {
			snprintf(key, sizeof key, "%s.%s", personal[i].table, personal[i].column);
			cJSON_AddNumberToObject(out, key, (double)n);
		}
	}
	/* Marked, so audit verify tells erased details from expired ones. */
	where = match_clause("audit");
	sql = dry ? xprintf("SELECT count(*) FROM audit WHERE details IS NOT NULL AND (%s)",
	    where) : xprintf("UPDATE audit SET details = NULL, details_removed = 'erased' "
	    "WHERE details IS NOT NULL AND (%s)", where);
	st = store_prepare(db, sql);
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	switch (store_step(st, &why)) {
	case 1:
		n = sqlite3_column_int64(st, 0);
		break;
	case 0:
		n = sqlite3_changes(db);
		break;
	default:
		*cause = xprintf("erase audit.details: %s", why);
		free(why);
		n = -1;
		break;
	}
	sqlite3_finalize(st);
	free(sql);
	free(where);
	if (n < 0) {
		cJSON_Delete(out);
		return NULL;
	}
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
