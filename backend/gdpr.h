/* SPDX-License-Identifier: ISC */
/* Data-subject requests (GDPR Art. 15 and 17): every stored record that mentions a person,
   and erasing them. */
#ifndef GDPR_H
#define GDPR_H

#include <sqlite3.h>

#include <cjson/cJSON.h>

#define GDPR_MIN_SUBJECT	3

/* 0 if a subject is specific enough to search for; -1 with *cause if not. */
int	 gdpr_subject_ok(const char *, char **cause);
/* Every row of every table whose personal columns mention the subject (ignoring case), as
   { table: [row, ...] }. */
cJSON	*gdpr_export(sqlite3 *, const char *subject);
/* Replaces the subject with "[erased]" in every personal column (watch entries go, audit
   entries lose their details and keep their hash), in the caller's transaction. Returns
   { "table.column": rows changed }, or NULL with *cause. */
cJSON	*gdpr_erase(sqlite3 *, const char *subject, char **cause);
/* Whether a column is one that may hold personal data. */
int	 gdpr_personal_column(const char *table, const char *column);

#endif
