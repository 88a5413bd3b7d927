/* SPDX-License-Identifier: ISC */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/report.h"
#include "backend/run.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

long long
run_start(sqlite3 *db, const cJSON *pb, const char *hash, long long incident, const char *actor,
    time_t now, char **cause)
{
	sqlite3_stmt *st;
	char *content = cJSON_PrintUnformatted(pb);
	long long id = -1;

	st = store_prepare(db, "INSERT INTO run (playbook, lang, title, file, file_hash, content, "
	    "steps, incident_id, started_by, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_text(st, 1, json_str(pb, "id", ""), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json_str(pb, "lang", ""), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, json_str(pb, "title", ""), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, json_str(pb, "file", ""), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, content, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, cJSON_GetArraySize(cJSON_GetObjectItem(pb, "steps")));
	if (incident > 0)
		sqlite3_bind_int64(st, 8, incident);
	sqlite3_bind_text(st, 9, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, now);
	if (store_write(st, "run", cause) == 0)
		id = sqlite3_last_insert_rowid(db);
	cJSON_free(content);
	return id;
}

/* The run's step count and whether it is finished; 0 if there is no such run. */
static int
run_load(sqlite3 *db, long long run, int *steps, int *finished)
{
	sqlite3_stmt *st;
	int found = 0;

	st = store_prepare(db, "SELECT steps, finished_at IS NOT NULL FROM run WHERE id = ?");
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		*steps = sqlite3_column_int(st, 0);
		*finished = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return found;
}

/* Checks a run and a step number for an action; -1 with *code and *cause if it cannot be. */
static int
run_check(sqlite3 *db, long long run, int step, const char **code, char **cause)
{
	int steps, finished;

	if (!run_load(db, run, &steps, &finished)) {
		*code = "not_found";
		*cause = xprintf("no run %lld", run);
		return -1;
	}
	if (finished) {
		*code = "conflict";
		*cause = xprintf("run %lld is finished", run);
		return -1;
	}
	if (step < 0 || step >= steps) {
		*code = "invalid_argument";
		*cause = xprintf("run %lld has steps 1 to %d", run, steps);
		return -1;
	}
	return 0;
}

static int
run_exec(sqlite3_stmt *st, const char **code, char **cause)
{
	if (store_write(st, "run", cause) != 0) {
		*code = "internal";
		return -1;
	}
	return 0;
}

int
run_step(sqlite3 *db, long long run, int step, const char *result, const char *note,
    const char *actor, time_t now, int *finished, const char **code, char **cause)
{
	sqlite3_stmt *st;
	int left = 1;

	*finished = 0;
	if (run_check(db, run, step, code, cause) != 0)
		return -1;
	if (strcmp(result, "done") != 0 && strcmp(result, "skipped") != 0 &&
	    strcmp(result, "failed") != 0) {
		*code = "invalid_argument";
		*cause = xprintf("a step is done, skipped or failed, not \"%.32s\"", result);
		return -1;
	}
	if (strcmp(result, "done") != 0 && (note == NULL || *note == '\0')) {
		*code = "invalid_argument";
		*cause = xprintf("a %s step needs a note saying why", result);
		return -1;
	}
	/* A step's result can be changed later (done after failed); the last one counts. */
	st = store_prepare(db, "INSERT INTO run_step (run_id, step, result, note, actor, at) "
	    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, step) DO UPDATE SET "
	    "result = excluded.result, note = excluded.note, actor = excluded.actor, "
	    "at = excluded.at");
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int(st, 2, step);
	sqlite3_bind_text(st, 3, result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, note != NULL ? note : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	if (run_exec(st, code, cause) != 0)
		return -1;
	st = store_prepare(db, "SELECT steps - (SELECT count(*) FROM run_step WHERE run_id = ?1) "
	    "FROM run WHERE id = ?1");
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW)
		left = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (left > 0)
		return 0;
	*finished = 1;
	st = store_prepare(db, "UPDATE run SET finished_at = ? WHERE id = ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, run);
	return run_exec(st, code, cause);
}

int
run_tick(sqlite3 *db, long long run, int step, int item, int ticked, const char *actor,
    time_t now, const char **code, char **cause)
{
	sqlite3_stmt *st;
	int items;

	if (run_check(db, run, step, code, cause) != 0)
		return -1;
	/* The playbook as started says how many items the step's checklists have. */
	st = store_prepare(db, "SELECT json_extract(content, '$.steps[' || ? || '].checklist') "
	    "FROM run WHERE id = ?");
	sqlite3_bind_int(st, 1, step);
	sqlite3_bind_int64(st, 2, run);
	items = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (item < 0 || item >= items) {
		*code = "invalid_argument";
		*cause = items == 0 ? xprintf("step %d of run %lld has no checklist", step + 1,
		    run) : xprintf("step %d of run %lld has checklist items 1 to %d, not %d",
		    step + 1, run, items, item + 1);
		return -1;
	}
	st = store_prepare(db, "INSERT INTO run_tick (run_id, step, item, ticked, actor, at) "
	    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, step, item) DO UPDATE SET "
	    "ticked = excluded.ticked, actor = excluded.actor, at = excluded.at");
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int(st, 2, step);
	sqlite3_bind_int(st, 3, item);
	sqlite3_bind_int(st, 4, ticked);
	sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	return run_exec(st, code, cause);
}

int
run_note(sqlite3 *db, long long run, int step, const char *text, const char *actor, time_t now,
    const char **code, char **cause)
{
	sqlite3_stmt *st;

	if (run_check(db, run, step, code, cause) != 0)
		return -1;
	st = store_prepare(db, "INSERT INTO run_note (run_id, step, text, actor, at) "
	    "VALUES (?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int(st, 2, step);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	return run_exec(st, code, cause);
}

long long
run_incident(sqlite3 *db, long long run)
{
	sqlite3_stmt *st;
	long long id = -1;

	st = store_prepare(db, "SELECT coalesce(incident_id, 0) FROM run WHERE id = ?");
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

/* Rows of a query on one run as an array of objects, columns named by names. */
static cJSON *
rows(sqlite3 *db, const char *sql, long long run, const char *const *names, int n)
{
	sqlite3_stmt *st = store_prepare(db, sql);
	cJSON *arr = cJSON_CreateArray(), *o;
	int i;

	sqlite3_bind_int64(st, 1, run);
	while (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		for (i = 0; i < n; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
				cJSON_AddNumberToObject(o, names[i],
				    (double)sqlite3_column_int64(st, i));
			else
				cJSON_AddStringToObject(o, names[i], store_text(st, i));
		}
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

cJSON *
run_get(sqlite3 *db, long long run, const char *current_hash, time_t now)
{
	static const char *const step_cols[] = { "step", "result", "note", "actor", "at" };
	static const char *const tick_cols[] = { "step", "item", "ticked", "actor", "at" };
	static const char *const note_cols[] = { "step", "text", "actor", "at" };
	sqlite3_stmt *st;
	cJSON *o, *results, *r, *sum, *end;
	int steps, current, done = 0, skipped = 0, failed = 0;
	const char *result;

	st = store_prepare(db, "SELECT id, playbook, lang, title, file, file_hash, content, steps, "
	    "incident_id, started_by, started_at, finished_at FROM run WHERE id = ?");
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
	cJSON_AddStringToObject(o, "playbook", store_text(st, 1));
	cJSON_AddStringToObject(o, "lang", store_text(st, 2));
	cJSON_AddStringToObject(o, "title", store_text(st, 3));
	cJSON_AddStringToObject(o, "file", store_text(st, 4));
	cJSON_AddStringToObject(o, "file_hash", store_text(st, 5));
	cJSON_AddBoolToObject(o, "file_changed", current_hash != NULL &&
	    strcmp(current_hash, store_text(st, 5)) != 0);
	cJSON_AddItemToObject(o, "content", cJSON_Parse(store_text(st, 6)));
	steps = sqlite3_column_int(st, 7);
	cJSON_AddNumberToObject(o, "steps", steps);
	if (sqlite3_column_type(st, 8) != SQLITE_NULL)
		cJSON_AddNumberToObject(o, "incident", (double)sqlite3_column_int64(st, 8));
	cJSON_AddStringToObject(o, "started_by", store_text(st, 9));
	cJSON_AddNumberToObject(o, "started_at", (double)sqlite3_column_int64(st, 10));
	if (sqlite3_column_type(st, 11) != SQLITE_NULL)
		cJSON_AddNumberToObject(o, "finished_at", (double)sqlite3_column_int64(st, 11));
	sqlite3_finalize(st);

	results = rows(db, "SELECT step, result, note, actor, at FROM run_step WHERE run_id = ? "
	    "ORDER BY step", run, step_cols, 5);
	cJSON_AddItemToObject(o, "results", results);
	cJSON_AddItemToObject(o, "ticks", rows(db, "SELECT step, item, ticked, actor, at FROM "
	    "run_tick WHERE run_id = ? ORDER BY step, item", run, tick_cols, 5));
	cJSON_AddItemToObject(o, "notes", rows(db, "SELECT step, text, actor, at FROM run_note "
	    "WHERE run_id = ? ORDER BY id", run, note_cols, 4));

	/* Where to resume: the first step without a result. */
	for (current = 0; current < steps; current++) {
		cJSON_ArrayForEach(r, results) {
			if ((int)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "step")) == current)
				break;
		}
		if (r == NULL)
			break;
	}
	cJSON_AddNumberToObject(o, "current", current < steps ? current : steps - 1);
	cJSON_ArrayForEach(r, results) {
		result = json_str(r, "result", "");
		done += strcmp(result, "done") == 0;
		skipped += strcmp(result, "skipped") == 0;
		failed += strcmp(result, "failed") == 0;
	}
	sum = cJSON_AddObjectToObject(o, "summary");
	cJSON_AddNumberToObject(sum, "done", done);
	cJSON_AddNumberToObject(sum, "skipped", skipped);
	cJSON_AddNumberToObject(sum, "failed", failed);
	end = cJSON_GetObjectItem(o, "finished_at");
	cJSON_AddNumberToObject(sum, "seconds", (end != NULL ? end->valuedouble : (double)now) -
	    cJSON_GetNumberValue(cJSON_GetObjectItem(o, "started_at")));
	return o;
}

cJSON *
run_list(sqlite3 *db, int open_only, int limit)
{
	sqlite3_stmt *st;
	cJSON *arr = cJSON_CreateArray(), *o;

	st = store_prepare(db, "SELECT r.id, r.playbook, r.title, r.lang, r.steps, "
	    "coalesce(r.incident_id, 0), r.started_by, r.started_at, r.finished_at, "
	    "(SELECT count(*) FROM run_step s WHERE s.run_id = r.id), "
	    "(SELECT actor || ' ' || result || ' step ' || (step + 1) FROM run_step s "
	    "  WHERE s.run_id = r.id ORDER BY at DESC, rowid DESC LIMIT 1), "
	    "(SELECT max(at) FROM run_step s WHERE s.run_id = r.id) "
	    "FROM run r WHERE NOT ? OR r.finished_at IS NULL "
	    "ORDER BY r.finished_at IS NOT NULL, r.id DESC LIMIT ?");
	sqlite3_bind_int(st, 1, open_only);
	sqlite3_bind_int(st, 2, limit);
	while (sqlite3_step(st) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(o, "playbook", store_text(st, 1));
		cJSON_AddStringToObject(o, "title", store_text(st, 2));
		cJSON_AddStringToObject(o, "lang", store_text(st, 3));
		cJSON_AddNumberToObject(o, "steps", sqlite3_column_int(st, 4));
		if (sqlite3_column_int64(st, 5) > 0)
			cJSON_AddNumberToObject(o, "incident", (double)sqlite3_column_int64(st, 5));
		cJSON_AddStringToObject(o, "started_by", store_text(st, 6));
		cJSON_AddNumberToObject(o, "started_at", (double)sqlite3_column_int64(st, 7));
		if (sqlite3_column_type(st, 8) != SQLITE_NULL)
			cJSON_AddNumberToObject(o, "finished_at",
			    (double)sqlite3_column_int64(st, 8));
		cJSON_AddNumberToObject(o, "answered", sqlite3_column_int(st, 9));
		if (sqlite3_column_type(st, 10) != SQLITE_NULL)
			cJSON_AddStringToObject(o, "last", store_text(st, 10));
		if (sqlite3_column_type(st, 11) != SQLITE_NULL)
			cJSON_AddNumberToObject(o, "last_at", (double)sqlite3_column_int64(st, 11));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_finalize(st);
	return arr;
}

/* A number of the run's JSON as an integer; 0 when it is missing or out of range. */
static long long
md_int(const cJSON *o, const char *key)
{
	double d = cJSON_GetNumberValue(cJSON_GetObjectItem(o, key));

	return d >= INT_MIN && d <= INT_MAX ? (long long)d : 0;
}

/* Whether a step's checklist item is ticked in a run. */
static int
ticked(const cJSON *run, int step, int item)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(run, "ticks")) {
		if (md_int(t, "step") == step && md_int(t, "item") == item)
			return md_int(t, "ticked") != 0;
	}
	return 0;
}

/* " (YYYY-MM-DD HH:MM UTC)" of an object's "at". */
static void
md_time(struct buf *b, const cJSON *o)
{
	double d = cJSON_GetNumberValue(cJSON_GetObjectItem(o, "at"));
	time_t at = d >= 0 && d <= 253402300799.0 ? (time_t)d : 0;	/* up to the year 9999 */
	char when[32];
	struct tm tm;

	if (gmtime_r(&at, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(when, sizeof when, "-");
	buf_printf(b, " (%s)", when);
}

char *
run_markdown(const cJSON *run)
{
	const cJSON *steps = cJSON_GetObjectItem(cJSON_GetObjectItem(run, "content"), "steps");
	const cJSON *sum = cJSON_GetObjectItem(run, "summary"), *s, *r, *n, *blk, *item;
	struct buf b;
	char dur[16];
	int i = 0;

	buf_init(&b);
	buf_addstr(&b, "# Playbook run ");
	buf_printf(&b, "%.0f: ", cJSON_GetNumberValue(cJSON_GetObjectItem(run, "id")));
	report_text(&b, json_str(run, "title", ""));
	buf_addstr(&b, "\n\n- Playbook: ");
	report_text(&b, json_str(run, "playbook", ""));
	buf_addstr(&b, " (");
	report_text(&b, json_str(run, "lang", ""));
	buf_addstr(&b, ")\n- Started by: ");
	report_text(&b, json_str(run, "started_by", ""));
	if (cJSON_GetObjectItem(run, "incident") != NULL)
		buf_printf(&b, "\n- Incident: #%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(run,
		    "incident")));
	format_age(dur, sizeof dur, (long)md_int(sum, "seconds"));
	buf_printf(&b, "\n- %s after %s: %.0f done, %.0f skipped, %.0f failed of %.0f steps\n",
	    cJSON_GetObjectItem(run, "finished_at") != NULL ? "Finished" : "In progress", dur,
	    cJSON_GetNumberValue(cJSON_GetObjectItem(sum, "done")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(sum, "skipped")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(sum, "failed")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(run, "steps")));
	if (cJSON_IsTrue(cJSON_GetObjectItem(run, "file_changed")))
		buf_addstr(&b, "- The playbook file has changed since this run started.\n");
	cJSON_ArrayForEach(s, steps) {
		buf_printf(&b, "\n## %d. ", i + 1);
		report_text(&b, json_str(s, "title", ""));
		buf_addstr(&b, "\n\n");
		cJSON_ArrayForEach(blk, cJSON_GetObjectItem(s, "blocks")) {
			cJSON_ArrayForEach(item, cJSON_GetObjectItem(blk, "items")) {
				if (strcmp(json_str(blk, "type", ""), "checklist") != 0)
					break;
				buf_addstr(&b, ticked(run, i, (int)md_int(item, "index")) ?
				    "- [x] " : "- [ ] ");
				report_text(&b, json_str(item, "text", ""));
				buf_addch(&b, '\n');
			}
		}
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(run, "results")) {
			if (md_int(r, "step") != i)
				continue;
			buf_addstr(&b, "\n**");
			report_text(&b, json_str(r, "result", ""));
			buf_addstr(&b, "** by ");
			report_text(&b, json_str(r, "actor", ""));
			md_time(&b, r);
			if (*json_str(r, "note", "") != '\0') {
				buf_addstr(&b, ": ");
				report_text(&b, json_str(r, "note", ""));
			}
			buf_addch(&b, '\n');
		}
		cJSON_ArrayForEach(n, cJSON_GetObjectItem(run, "notes")) {
			if (md_int(n, "step") != i)
				continue;
			buf_addstr(&b, "\n- note by ");
			report_text(&b, json_str(n, "actor", ""));
			md_time(&b, n);
			buf_addstr(&b, ": ");
			report_text(&b, json_str(n, "text", ""));
			buf_addch(&b, '\n');
		}
		i++;
	}
	return buf_take(&b);
}
