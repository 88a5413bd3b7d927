/* SPDX-License-Identifier: ISC */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/retention.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

#define REMOVED	"'[removed after the retention period]'"
/* Audit details are marked, so audit verify tells them from erased ones. */
#define AUDIT_EXPIRED	", details_removed = 'expired'"

/*
 * One column of a class: its table, what it is set to, and the time a row was written
 * (?1 is the cutoff). Free text that must stay non-NULL gets a marker, so a reader sees
 * that something was there.
 */
static const struct column {
	const char	*class;
	size_t		 keep;		/* offset of the period in struct config */
	const char	*table;
	const char	*column;
	const char	*removed;
	const char	*written;
} columns[] = {
	/* What people typed: notes, reasons, closing notes, playbook step notes. */
	{ "incident_notes", offsetof(struct config, keep_incident_notes), "timeline", "text",
	  REMOVED, "kind IN ('note', 'playbook', 'ack', 'mitigate', 'resolve', 'reopen', "
	  "'escalate', 'snooze') AND ts" },
	{ "timeline_details", offsetof(struct config, keep_timeline_details), "timeline", "data",
	  "NULL", "ts" },
	{ "timeline_details", offsetof(struct config, keep_timeline_details), "alert",
	  "annotations", "NULL", "starts_at" },
	{ "playbook_notes", offsetof(struct config, keep_playbook_notes), "run_note", "text",
	  REMOVED, "at" },
	{ "playbook_notes", offsetof(struct config, keep_playbook_notes), "run_step", "note",
	  REMOVED, "at" },
	{ "eval_transcripts", offsetof(struct config, keep_eval_transcripts), "eval_case",
	  "answer", "NULL", "(SELECT started_at FROM eval WHERE eval.id = eval_case.eval_id)" },
	{ "eval_transcripts", offsetof(struct config, keep_eval_transcripts), "eval_case", "why",
	  "NULL", "(SELECT started_at FROM eval WHERE eval.id = eval_case.eval_id)" },
	{ "audit_details", offsetof(struct config, keep_audit_details), "audit", "details",
	  "NULL", "CAST(strftime('%s', ts) AS INTEGER)" },
	/* What a notice said and what the receiving servers answered (may name addresses). */
	{ "notification_details", offsetof(struct config, keep_notification_details), "page",
	  "title", REMOVED, "created_at" },
	{ "notification_details", offsetof(struct config, keep_notification_details), "page",
	  "error", "NULL", "created_at" },
	{ "notification_details", offsetof(struct config, keep_notification_details), "page",
	  "detail", "NULL", "created_at" },
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

/* The class's entry in the reply, added on first use. */
static cJSON *
class_entry(cJSON *out, const struct column *c, long long keep, time_t before)
{
	cJSON *e;

	cJSON_ArrayForEach(e, out) {
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "class")), c->class) == 0)
			return e;
	}
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "class", c->class);
	cJSON_AddNumberToObject(e, "keep", (double)keep);
	if (keep > 0)
		cJSON_AddNumberToObject(e, "before", (double)before);
	cJSON_AddNumberToObject(e, "count", 0);
	cJSON_AddItemToArray(out, e);
	return e;
}

cJSON *
retention_purge(sqlite3 *db, const struct config *cfg, time_t now, int dry_run, char **cause)
{
	const struct column *c;
	sqlite3_stmt *st;
	cJSON *out = cJSON_CreateArray(), *e;
	long long keep, n;
	char *where, *sql;
	size_t i;
	int rc;

	for (i = 0; i < NCOLUMNS; i++) {
		c = &columns[i];
		keep = *(const long long *)((const char *)cfg + c->keep);
		e = class_entry(out, c, keep, now - (time_t)keep);
		if (keep <= 0)
			continue;
		where = xprintf("%s IS NOT NULL AND %s != '' AND %s IS NOT %s AND %s < ?1",
		    c->column, c->column, c->column, c->removed, c->written);
		sql = dry_run ? xprintf("SELECT count(*) FROM %s WHERE %s", c->table, where) :
		    xprintf("UPDATE %s SET %s = %s%s WHERE %s", c->table, c->column, c->removed,
		    strcmp(c->table, "audit") == 0 ? AUDIT_EXPIRED : "", where);
		st = store_prepare(db, sql);
		sqlite3_bind_int64(st, 1, (long long)(now - (time_t)keep));
		if ((rc = sqlite3_step(st)) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		else if (rc == SQLITE_DONE)
			n = sqlite3_changes(db);
		else {
			*cause = xprintf("purge %s.%s: %s", c->table, c->column, sqlite3_errmsg(db));
			sqlite3_finalize(st);
			free(sql);
			free(where);
			cJSON_Delete(out);
			return NULL;
		}
		sqlite3_finalize(st);
		cJSON_SetNumberValue(cJSON_GetObjectItem(e, "count"),
		    cJSON_GetNumberValue(cJSON_GetObjectItem(e, "count")) + (double)n);
		free(sql);
		free(where);
	}
	return out;
}
