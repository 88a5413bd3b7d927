/* SPDX-License-Identifier: ISC */
#include "backend/config.h"
#include "backend/kpi.h"
#include "backend/kpi-history.h"
#include "backend/store.h"

int
kpi_history_keep(sqlite3 *db, const struct kpi *kpis, size_t n, char **cause)
{
	sqlite3_stmt *st;
	size_t i;
	int b;

	if (store_begin(db, cause) != 0)
		return -1;
	if (store_write(store_prepare(db, "DELETE FROM kpi_history"), "kpi history", cause) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		for (b = 0; b < KPI_HISTORY; b++) {
			if (kpis[i].bucket_n[b] == 0)
				continue;
			st = store_prepare(db, "INSERT OR REPLACE INTO kpi_history (kpi, seconds, "
			    "bucket, sum, n) VALUES (?, ?, ?, ?, ?)");
			sqlite3_bind_text(st, 1, kpis[i].def->name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, kpis[i].bucket_s);
			sqlite3_bind_int64(st, 3, kpis[i].bucket_index[b]);
			sqlite3_bind_double(st, 4, kpis[i].bucket_sum[b]);
			sqlite3_bind_int(st, 5, kpis[i].bucket_n[b]);
			if (store_write(st, "kpi history", cause) != 0)
				goto fail;
		}
	}
	return store_commit(db, cause);
fail:
	store_rollback(db);
	return -1;
}

void
kpi_history_restore(sqlite3 *db, struct kpi *kpis, size_t n, time_t now)
{
	sqlite3_stmt *st;
	struct kpi *k;
	long long bucket;
	size_t i;
	int slot;

	for (i = 0; i < n; i++) {
		k = &kpis[i];
		st = store_prepare(db, "SELECT bucket, sum, n FROM kpi_history WHERE kpi = ? AND "
		    "seconds = ? AND bucket > ? AND bucket <= ?");
		sqlite3_bind_text(st, 1, k->def->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, k->bucket_s);
		sqlite3_bind_int64(st, 3, now / k->bucket_s - KPI_HISTORY);
		sqlite3_bind_int64(st, 4, now / k->bucket_s);
		while (sqlite3_step(st) == SQLITE_ROW) {
			bucket = sqlite3_column_int64(st, 0);
			slot = (int)(bucket % KPI_HISTORY);
			k->bucket_index[slot] = (long)bucket;
			k->bucket_sum[slot] = sqlite3_column_double(st, 1);
			k->bucket_n[slot] = sqlite3_column_int(st, 2);
		}
		sqlite3_finalize(st);
	}
}
