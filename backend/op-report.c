/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <time.h>

#include "backend/daemon.h"
#include "backend/incident.h"
#include "backend/oncall.h"
#include "backend/ops.h"
#include "backend/poller.h"
#include "backend/report.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

/* incident.report: the postmortem of one incident. */
int
op_incident_report(struct op_ctx *ctx)
{
	long long id = op_int(ctx, "incident", 0);
	cJSON *inc;
	char *md;

	if ((inc = incident_get(ctx->d->db, &ctx->d->policy, id, time(NULL), 1)) == NULL)
		return op_fail(ctx, "not_found", "no incident %lld", id);
	md = report_postmortem(inc, time(NULL));
	cJSON_AddStringToObject(ctx->reply, "markdown", md);
	free(md);
	cJSON_Delete(inc);
	return 0;
}

/* Incidents matching a condition on the store, as list rows, newest first. */
static cJSON *
rows_where(struct op_ctx *ctx, const char *where, long long since)
{
	sqlite3_stmt *st;
	cJSON *rows = cJSON_CreateArray(), *row;

	st = store_prepare(ctx->d->db, where);
	sqlite3_bind_int64(st, 1, since);
	while (sqlite3_step(st) == SQLITE_ROW) {
		row = incident_get(ctx->d->db, &ctx->d->policy, sqlite3_column_int64(st, 0),
		    time(NULL), 0);
		if (row != NULL)
			cJSON_AddItemToArray(rows, row);
	}
	sqlite3_finalize(st);
	return rows;
}

/* handover: the shift since `since` (default 8 hours ago) for the next shift. */
int
op_handover(struct op_ctx *ctx)
{
	time_t now = time(NULL);
	long long since = op_int(ctx, "since", (long long)now - 8 * 3600);
	cJSON *data = cJSON_CreateObject();
	struct oncall oc;
	char *md, *cause = NULL;

	cJSON_AddItemToObject(data, "open", rows_where(ctx, "SELECT id FROM incident WHERE "
	    "status != 'resolved' AND ?1 = ?1 ORDER BY severity, opened_at LIMIT 1000", since));
	cJSON_AddItemToObject(data, "opened", rows_where(ctx, "SELECT id FROM incident WHERE "
	    "opened_at >= ? ORDER BY opened_at LIMIT 1000", since));
	cJSON_AddItemToObject(data, "resolved", rows_where(ctx, "SELECT id FROM incident WHERE "
	    "resolved_at >= ? ORDER BY resolved_at LIMIT 1000", since));
	cJSON_AddItemToObject(data, "kpis", poller_snapshot(ctx->d->poller));
	if (oncall_in_use(ctx->d->cfg) &&
	    oncall_load(&oc, ctx->d->cfg, ctx->d->db, now, &cause) == 0) {
		cJSON_AddItemToObject(data, "oncall", oncall_levels_json(&oc, ctx->d->cfg, now));
		oncall_clear(&oc);
	}
	free(cause);
	md = report_handover(data, (time_t)since, now);
	cJSON_AddStringToObject(ctx->reply, "markdown", md);
	free(md);
	cJSON_Delete(data);
	return 0;
}
