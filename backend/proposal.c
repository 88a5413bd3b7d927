/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/json.h"
#include "backend/proposal.h"
#include "backend/release.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

/* Steps a write statement and finalises it; 0, or -1 with *cause. */

/* All rows of a statement as an array of objects; finalises it. */
static cJSON *
rows_json(sqlite3_stmt *st)
{
	cJSON *a = cJSON_CreateArray();

	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(a, store_row_json(st));
	sqlite3_finalize(st);
	return a;
}

/* The first row of a statement, or NULL; finalises it. */
static cJSON *
row_json(sqlite3_stmt *st)
{
	cJSON *o = NULL;

	if (sqlite3_step(st) == SQLITE_ROW)
		o = store_row_json(st);
	sqlite3_finalize(st);
	return o;
}

static void
bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

long long
proposal_create(sqlite3 *db, const char *assistant, const char *description,
    const char *files, const char *author, time_t now, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "INSERT INTO proposal (assistant, description, files, author, "
	    "created_at, state) VALUES (?, ?, ?, ?, ?, 'draft')");
	sqlite3_bind_text(st, 1, assistant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, description, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, files, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, author, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	if (store_write(st, "proposal", cause) != 0)
		return -1;
	return sqlite3_last_insert_rowid(db);
}

int
proposal_set_commit(sqlite3 *db, long long id, const char *head, const char *base,
    char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "UPDATE proposal SET head = ?, base = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, head, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, base, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	return store_write(st, "proposal", cause);
}

#define EVAL_COLUMNS	"id, proposal_id, assistant, tree, started_by, started_at, " \
			"finished_at, status, error, cases, passed, pass_rate, runs, errors, " \
			"tokens, cost, cost_per_answer, latency_ms"

static cJSON *
eval_cases(sqlite3 *db, long long eval)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "SELECT case_id AS id, runs, passed, pass, latency_ms, tokens, "
	    "cost, answer, why FROM eval_case WHERE eval_id = ? ORDER BY rowid");
	sqlite3_bind_int64(st, 1, eval);
	return rows_json(st);
}

cJSON *
proposal_get(sqlite3 *db, long long id, int full)
{
	sqlite3_stmt *st;
	cJSON *p, *e;

	st = store_prepare(db, "SELECT * FROM proposal WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	if ((p = row_json(st)) == NULL)
		return NULL;
	st = store_prepare(db, "SELECT " EVAL_COLUMNS " FROM eval WHERE proposal_id = ? "
	    "ORDER BY id DESC LIMIT 1");
	sqlite3_bind_int64(st, 1, id);
	if ((e = row_json(st)) != NULL) {
		if (full)
			cJSON_AddItemToObject(e, "results", eval_cases(db, (long long)json_num_or(e,
			    "id", 0)));
		cJSON_AddItemToObject(p, "eval", e);
	}
	return p;
}

cJSON *
proposal_list(sqlite3 *db, int limit)
{
	sqlite3_stmt *st;
	cJSON *a, *p, *e;

	st = store_prepare(db, "SELECT p.*, e.status AS eval_status, e.pass_rate, e.cases, "
	    "e.passed, e.cost_per_answer FROM proposal p LEFT JOIN eval e ON e.id = "
	    "(SELECT max(id) FROM eval WHERE proposal_id = p.id) "
	    "ORDER BY p.state IN ('approved', 'rejected'), p.id DESC LIMIT ?");
	sqlite3_bind_int(st, 1, limit);
	a = rows_json(st);
	/* The eval columns nest under "eval", as proposal_get has them. */
	cJSON_ArrayForEach(p, a) {
		if (!cJSON_HasObjectItem(p, "eval_status"))
			continue;
		e = cJSON_AddObjectToObject(p, "eval");
		cJSON_AddItemToObject(e, "status", cJSON_DetachItemFromObject(p, "eval_status"));
		if (cJSON_HasObjectItem(p, "pass_rate"))
			cJSON_AddItemToObject(e, "pass_rate", cJSON_DetachItemFromObject(p,
			    "pass_rate"));
		if (cJSON_HasObjectItem(p, "cases"))
			cJSON_AddItemToObject(e, "cases", cJSON_DetachItemFromObject(p, "cases"));
		if (cJSON_HasObjectItem(p, "passed"))
			cJSON_AddItemToObject(e, "passed", cJSON_DetachItemFromObject(p,
			    "passed"));
		if (cJSON_HasObjectItem(p, "cost_per_answer"))
			cJSON_AddItemToObject(e, "cost_per_answer", cJSON_DetachItemFromObject(p,
			    "cost_per_answer"));
	}
	return a;
}

int
proposal_decide(sqlite3 *db, long long id, const char *state, const char *who, time_t now,
    const char *reason, const char *release, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "UPDATE proposal SET state = ?, decided_by = ?, decided_at = ?, "
	    "reason = ?, release = ? WHERE id = ? AND state IN ('draft', 'evaluated')");
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	bind_opt(st, 4, reason);
	bind_opt(st, 5, release);
	sqlite3_bind_int64(st, 6, id);
	if (store_write(st, "proposal", cause) != 0)
		return -1;
	if (sqlite3_changes(db) != 1) {
		*cause = xprintf("proposal %lld is decided already", id);
		return -1;
	}
	return 0;
}

long long
proposal_eval_begin(sqlite3 *db, long long proposal, const char *assistant,
    const char *tree, const char *who, time_t now, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "INSERT INTO eval (proposal_id, assistant, tree, started_by, "
	    "started_at, status) VALUES (?, ?, ?, ?, ?, 'running')");
	if (proposal > 0)
		sqlite3_bind_int64(st, 1, proposal);
	sqlite3_bind_text(st, 2, assistant, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, tree, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, who, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	if (store_write(st, "eval", cause) != 0)
		return -1;
	return sqlite3_last_insert_rowid(db);
}

/* Binds a number of a result, or NULL when it is absent. */
static void
bind_num(sqlite3_stmt *st, int i, const cJSON *o, const char *key)
{
	double v = json_num(o, key);

	if (!isnan(v))
		sqlite3_bind_double(st, i, v);
}

int
proposal_eval_finish(sqlite3 *db, long long eval, const cJSON *res, const char *error,
    time_t now, char **cause)
{
	static const char *const keys[] = { "total", "passed", "pass_rate", "runs", "errors",
	    "tokens", "cost", "cost_per_answer", "latency_ms" };
	sqlite3_stmt *st;
	const cJSON *c;
	size_t i;

	st = store_prepare(db, "UPDATE eval SET status = ?, error = ?, finished_at = ?, "
	    "cases = ?, passed = ?, pass_rate = ?, runs = ?, errors = ?, tokens = ?, cost = ?, "
	    "cost_per_answer = ?, latency_ms = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, error != NULL ? "failed" : "done", -1, SQLITE_STATIC);
	bind_opt(st, 2, error);
	sqlite3_bind_int64(st, 3, now);
	for (i = 0; res != NULL && i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(keys[i], "tokens") == 0) {
			if (cJSON_HasObjectItem(res, "prompt_tokens"))
				sqlite3_bind_double(st, 4 + (int)i, json_num_or(res, "prompt_tokens", 0) + json_num_or(res, "completion_tokens", 0));
		} else
			bind_num(st, 4 + (int)i, res, keys[i]);
	}
	sqlite3_bind_int64(st, 13, eval);
	if (store_write(st, "eval", cause) != 0)
		return -1;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(res, "cases")) {
		st = store_prepare(db, "INSERT INTO eval_case (eval_id, case_id, runs, passed, "
		    "pass, latency_ms, tokens, cost, answer, why) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
		    "?, ?)");
		sqlite3_bind_int64(st, 1, eval);
		sqlite3_bind_text(st, 2, json_str(c, "id", ""), -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, (int)json_num_or(c, "runs", 0));
		sqlite3_bind_int(st, 4, (int)json_num_or(c, "passed", 0));
		sqlite3_bind_int(st, 5, cJSON_IsTrue(cJSON_GetObjectItem(c, "pass")));
		bind_num(st, 6, c, "latency_ms");
		sqlite3_bind_double(st, 7, json_num_or(c, "prompt_tokens", 0) +
		    json_num_or(c, "completion_tokens", 0));
		bind_num(st, 8, c, "cost");
		bind_opt(st, 9, cJSON_GetStringValue(cJSON_GetObjectItem(c, "answer")));
		bind_opt(st, 10, cJSON_GetStringValue(cJSON_GetObjectItem(c, "why")));
		if (store_write(st, "eval case", cause) != 0)
			return -1;
	}
	return 0;
}

int
proposal_evaluated(sqlite3 *db, long long proposal, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "UPDATE proposal SET state = 'evaluated' WHERE id = ? AND "
	    "state = 'draft'");
	sqlite3_bind_int64(st, 1, proposal);
	return store_write(st, "proposal", cause);
}

cJSON *
proposal_eval_of_tree(sqlite3 *db, const char *tree)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "SELECT " EVAL_COLUMNS " FROM eval WHERE tree = ? AND "
	    "status = 'done' ORDER BY id DESC LIMIT 1");
	sqlite3_bind_text(st, 1, tree, -1, SQLITE_STATIC);
	return row_json(st);
}

int
proposal_eval_interrupted(sqlite3 *db, char **cause)
{
	return store_write(store_prepare(db, "UPDATE eval SET status = 'interrupted', error = "
	    "'the daemon stopped while it ran' WHERE status = 'running'"), "eval", cause);
}

long long
release_next(sqlite3 *db, const char *assistant)
{
	sqlite3_stmt *st;
	long long n = 1;

	st = store_prepare(db, "SELECT max(n) FROM release WHERE assistant = ?");
	sqlite3_bind_text(st, 1, assistant, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = release_number_after(sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return n;
}

int
release_add(sqlite3 *db, const struct release_row *r, char **cause)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "INSERT INTO release (assistant, n, tag, commit_id, created_at, "
	    "author, approver, proposal_id, description, pass_rate, rollback_of, override) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_text(st, 1, r->assistant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->n);
	sqlite3_bind_text(st, 3, r->tag, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->commit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, r->created_at);
	sqlite3_bind_text(st, 6, r->author, -1, SQLITE_STATIC);
	bind_opt(st, 7, r->approver);
	if (r->proposal > 0)
		sqlite3_bind_int64(st, 8, r->proposal);
	sqlite3_bind_text(st, 9, r->description, -1, SQLITE_STATIC);
	if (r->pass_rate >= 0)
		sqlite3_bind_double(st, 10, r->pass_rate);
	bind_opt(st, 11, r->rollback_of);
	bind_opt(st, 12, r->override);
	return store_write(st, "release", cause);
}

int
release_known(sqlite3 *db, const char *tag)
{
	sqlite3_stmt *st;
	int found;

	st = store_prepare(db, "SELECT 1 FROM release WHERE tag = ?");
	sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

cJSON *
release_get(sqlite3 *db, const char *assistant, const char *tag)
{
	sqlite3_stmt *st;

	if (tag != NULL) {
		st = store_prepare(db, "SELECT * FROM release WHERE tag = ?");
		sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
	} else {
		st = store_prepare(db, "SELECT * FROM release WHERE assistant = ? "
		    "ORDER BY n DESC LIMIT 1");
		sqlite3_bind_text(st, 1, assistant, -1, SQLITE_STATIC);
	}
	return row_json(st);
}

cJSON *
release_before(sqlite3 *db, const char *assistant, long long n)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "SELECT * FROM release WHERE assistant = ? AND n < ? "
	    "ORDER BY n DESC LIMIT 1");
	sqlite3_bind_text(st, 1, assistant, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	return row_json(st);
}

cJSON *
release_history(sqlite3 *db, const char *assistant, long long before, int limit)
{
	sqlite3_stmt *st;

	st = store_prepare(db, "SELECT * FROM release WHERE (?1 IS NULL OR assistant = ?1) "
	    "AND (?2 = 0 OR n < ?2) ORDER BY created_at DESC, n DESC LIMIT ?3");
	bind_opt(st, 1, assistant);
	sqlite3_bind_int64(st, 2, before);
	sqlite3_bind_int(st, 3, limit);
	return rows_json(st);
}

cJSON *
release_unpushed(sqlite3 *db)
{
	sqlite3_stmt *st;
	cJSON *a = cJSON_CreateArray();

	st = store_prepare(db, "SELECT tag FROM release WHERE pushed = 0 ORDER BY created_at");
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(a, cJSON_CreateString(store_text(st, 0)));
	sqlite3_finalize(st);
	return a;
}

char **
release_tags(sqlite3 *db, size_t *n)
{
	sqlite3_stmt *st;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	st = store_prepare(db, "SELECT tag FROM release");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[(*n)++] = xstrdup(store_text(st, 0));
	}
	sqlite3_finalize(st);
	return v;
}

long long
release_unpushed_count(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long n = 0;

	st = store_prepare(db, "SELECT count(*) FROM release WHERE pushed = 0");
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Sets pushed to v for each tag (every release when tags is NULL); -1 and *cause on error. */
static int
release_set_pushed(sqlite3 *db, const cJSON *tags, int v, char **cause)
{
	sqlite3_stmt *st;
	const cJSON *t;
	int rc = 0;

	if (tags == NULL) {
		st = store_prepare(db, "UPDATE release SET pushed = ?1 WHERE pushed != ?1");
		sqlite3_bind_int(st, 1, v);
		rc = store_step(st, cause);
		sqlite3_finalize(st);
		return rc < 0 ? -1 : 0;
	}
	st = store_prepare(db, "UPDATE release SET pushed = ?1 WHERE tag = ?2 AND pushed != ?1");
	sqlite3_bind_int(st, 1, v);
	cJSON_ArrayForEach(t, tags) {
		sqlite3_bind_text(st, 2, t->valuestring, -1, SQLITE_STATIC);
		if ((rc = store_step(st, cause)) < 0)
			break;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

int
release_unpushed_again(sqlite3 *db, const cJSON *tags, char **cause)
{
	return release_set_pushed(db, tags, 0, cause);
}

int
release_pushed(sqlite3 *db, const cJSON *tags, char **cause)
{
	return release_set_pushed(db, tags, 1, cause);
}
