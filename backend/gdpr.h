/* SPDX-License-Identifier: ISC */
/* Data-subject requests (GDPR Art. 15 and 17): every stored record that mentions a person,
   and erasing them. */
#ifndef GDPR_H
#define GDPR_H

#include <sqlite3.h>

#include <cjson/cJSON.h>

/* Letters or digits a subject needs. */
#define GDPR_MIN_SUBJECT	3
/* A table where the subject matches this many rows or fewer never counts as too broad: a
   small database would otherwise need --force for every person. */
#define GDPR_SHARE_FLOOR	10

/* 0 if a subject is specific enough to search for; -1 with *cause if not. */
int	 gdpr_subject_ok(const char *, char **cause);
/* Per table, the rows whose personal columns mention the subject and the table's size:
   [{ "table", "noun", "rows", "of" }] for every table with a match. */
cJSON	*gdpr_matches(sqlite3 *, const char *subject);
/* 0, or -1 with *cause when the subject matches more than max_share percent (and more
   than GDPR_SHARE_FLOOR rows) of a table: more likely a word than a person. */
int	 gdpr_share_ok(const cJSON *matches, long long max_share, char **cause);
/* Every row of every table whose personal columns mention the subject (ignoring case), as
   { table: [row, ...] }. */
cJSON	*gdpr_export(sqlite3 *, const char *subject);
/* Replaces the subject with "[erased]" in every personal column (watch entries go, audit
   entries lose their details, marked erased, and keep their hash), in the caller's
   transaction; dry: changes nothing. Returns { "table.column": rows (to be) changed }, or
   NULL with *cause. */
cJSON	*gdpr_erase(sqlite3 *, const char *subject, int dry, char **cause);
/* Whether a column is one that may hold personal data. */
int	 gdpr_personal_column(const char *table, const char *column);

#endif
