/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/audit.h"
#include "backend/buf.h"
#include "backend/hash.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Length-prefixed fields, so no choice of field contents can collide with another. */
static void
chain_field(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	buf_printf(b, "%zu:", n);
	buf_add(b, s, n);
}

static void
chain_hash(struct buf *b, const char *prev, long long seq, const char *ts, const char *actor,
    const char *role, const char *action, const char *object, const char *details_hash,
    char *out)
{
	char num[32];

	buf_reset(b);
	buf_addstr(b, "leitstand-audit-v1");
	snprintf(num, sizeof num, "%lld", seq);
	chain_field(b, prev);
	chain_field(b, num);
	chain_field(b, ts);
	chain_field(b, actor);
	chain_field(b, role);
	chain_field(b, action);
	chain_field(b, object);
	chain_field(b, details_hash);
	hash_sha256_hex(b->data, b->len, out);
}

void
audit_now(char *out, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    ts.tv_nsec / 1000000);
}

long long
audit_append(sqlite3 *db, const char *actor, const char *role, const char *action,
    const char *object, const char *details, char **cause)
{
	sqlite3_stmt *st;
	struct buf b;
	char prev[65] = GENESIS, dhash[65], hash[65], ts[32];
	long long seq = 1;

	st = store_prepare(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
	if (sqlite3_step(st) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0) + 1;
		snprintf(prev, sizeof prev, "%s", store_text(st, 1));
	}
	sqlite3_finalize(st);

	if (details == NULL)
		details = "{}";
	audit_now(ts, sizeof ts);
	hash_sha256_hex(details, strlen(details), dhash);
	buf_init(&b);
	chain_hash(&b, prev, seq, ts, actor, role, action, object, dhash, hash);
	buf_free(&b);

	st = store_prepare(db, "INSERT INTO audit (seq, ts, actor, role, action, object, "
	    "details, details_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, ts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, object, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, details, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, dhash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
	if (store_write(st, "audit", cause) != 0)
		seq = -1;
	return seq;
}

/* Counts an entry without details by why they went. */
static void
count_removed(struct audit_removed *r, const char *why)
{
	if (why != NULL && strcmp(why, "erased") == 0)
		r->erased++;
	else if (why != NULL && strcmp(why, "expired") == 0)
		r->expired++;
	else
		r->unmarked++;
}

int
audit_verify(sqlite3 *db, long long *count, long long *bad, struct audit_removed *removed,
    char **why)
{
	sqlite3_stmt *st;
	struct buf b;
	char prev[65] = GENESIS, dhash[65], hash[65];
	const char *details;
	long long seq, expect = 1;
	int rc, result = 0;

	*count = 0;
	*bad = 0;
	if (removed != NULL)
		memset(removed, 0, sizeof *removed);
	buf_init(&b);
	st = store_prepare(db, "SELECT seq, ts, actor, role, action, object, details, "
	    "details_hash, hash, details_removed FROM audit ORDER BY seq");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		if (seq != expect) {
			*bad = expect;
			*why = xprintf("entry %lld is missing (next is %lld)", expect, seq);
			result = 1;
			break;
		}
		details = (const char *)sqlite3_column_text(st, 6);
		if (details != NULL) {
			hash_sha256_hex(details, (size_t)sqlite3_column_bytes(st, 6), dhash);
			if (strcmp(dhash, store_text(st, 7)) != 0) {
				*bad = seq;
				*why = xprintf("entry %lld: details do not match their hash", seq);
				result = 1;
				break;
			}
		} else if (removed != NULL)
			count_removed(removed, (const char *)sqlite3_column_text(st, 9));
		chain_hash(&b, prev, seq, store_text(st, 1), store_text(st, 2),
		    store_text(st, 3), store_text(st, 4), store_text(st, 5),
		    store_text(st, 7), hash);
		if (strcmp(hash, store_text(st, 8)) != 0) {
			*bad = seq;
			*why = xprintf("entry %lld: hash does not match its contents and the "
			    "entry before it", seq);
			result = 1;
			break;
		}
		memcpy(prev, hash, sizeof prev);
		expect++;
		(*count)++;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		*why = xprintf("audit: %s", sqlite3_errmsg(db));
		result = -1;
	}
	sqlite3_finalize(st);
	buf_free(&b);
	return result;
}

/* %text% for LIKE, with the wildcards of the text escaped. */
static char *
like_pattern(const char *text)
{
	struct buf b;

	buf_init(&b);
	buf_addch(&b, '%');
	for (; *text != '\0'; text++) {
		if (*text == '%' || *text == '_' || *text == '\\')
			buf_addch(&b, '\\');
		buf_addch(&b, *text);
	}
	buf_addch(&b, '%');
	return buf_take(&b);
}

cJSON *
audit_list(sqlite3 *db, const struct audit_query *q)
{
	sqlite3_stmt *st;
	struct buf sql;
	cJSON *arr = cJSON_CreateArray(), *e;
	char *pattern = NULL;
	int i = 1;

	buf_init(&sql);
	buf_addstr(&sql, "SELECT seq, ts, actor, role, action, object, details, details_hash, "
	    "hash, details_removed FROM audit WHERE 1");
	if (q->ascending)
		buf_addstr(&sql, " AND seq > ?");
	else if (q->before > 0)
		buf_addstr(&sql, " AND seq < ?");
	if (q->actor != NULL)
		buf_addstr(&sql, " AND actor = ?");
	if (q->action != NULL)
		buf_addstr(&sql, " AND action = ?");
	if (q->search != NULL)
		buf_addstr(&sql, " AND (actor || ' ' || action || ' ' || object) LIKE ? ESCAPE '\\'");
	if (q->since != NULL)
		buf_addstr(&sql, " AND ts >= ?");
	if (q->until != NULL)
		buf_addstr(&sql, " AND ts < ?");
	buf_printf(&sql, " ORDER BY seq %s LIMIT ?", q->ascending ? "ASC" : "DESC");
	st = store_prepare(db, sql.data);
	buf_free(&sql);

	if (q->ascending)
		sqlite3_bind_int64(st, i++, q->after);
	else if (q->before > 0)
		sqlite3_bind_int64(st, i++, q->before);
	if (q->actor != NULL)
		sqlite3_bind_text(st, i++, q->actor, -1, SQLITE_STATIC);
	if (q->action != NULL)
		sqlite3_bind_text(st, i++, q->action, -1, SQLITE_STATIC);
	if (q->search != NULL)
		sqlite3_bind_text(st, i++, pattern = like_pattern(q->search), -1, SQLITE_STATIC);
	if (q->since != NULL)
		sqlite3_bind_text(st, i++, q->since, -1, SQLITE_STATIC);
	if (q->until != NULL)
		sqlite3_bind_text(st, i++, q->until, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, i, q->limit);

	while (sqlite3_step(st) == SQLITE_ROW) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "seq", (double)sqlite3_column_int64(st, 0));
		cJSON_AddStringToObject(e, "ts", store_text(st, 1));
		cJSON_AddStringToObject(e, "actor", store_text(st, 2));
		cJSON_AddStringToObject(e, "role", store_text(st, 3));
		cJSON_AddStringToObject(e, "action", store_text(st, 4));
		cJSON_AddStringToObject(e, "object", store_text(st, 5));
		if (q->details) {
			if (sqlite3_column_type(st, 6) == SQLITE_NULL) {
				cJSON_AddNullToObject(e, "details");
				if (sqlite3_column_type(st, 9) != SQLITE_NULL)
					cJSON_AddStringToObject(e, "details_removed",
					    store_text(st, 9));
			} else
				cJSON_AddStringToObject(e, "details", store_text(st, 6));
			cJSON_AddStringToObject(e, "details_hash", store_text(st, 7));
			cJSON_AddStringToObject(e, "hash", store_text(st, 8));
		}
		cJSON_AddItemToArray(arr, e);
	}
	sqlite3_finalize(st);
	free(pattern);
	return arr;
}

int
audit_tx(sqlite3 *db, struct audit_tx *tx,
    int (*work)(sqlite3 *, void *, struct audit_tx *, char **), void *arg, char **cause)
{
	char *details = NULL;
	long long seq = 0;

	tx->seq = 0;
	if (store_begin(db, cause) != 0)
		return AUDIT_TX_BEGIN;
	if (work != NULL && work(db, arg, tx, cause) != 0) {
		store_rollback(db);
		return AUDIT_TX_WORK;
	}
	if (tx->action != NULL) {
		if (tx->details != NULL)
			details = cJSON_PrintUnformatted(tx->details);
		seq = audit_append(db, tx->actor, tx->role, tx->action, tx->object != NULL ?
		    tx->object : "", details, cause);
		cJSON_free(details);
	}
	if (seq < 0 || store_commit(db, cause) != 0) {
		store_rollback(db);
		return AUDIT_TX_COMMIT;
	}
	tx->seq = seq;
	return AUDIT_TX_OK;
}
