/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/ops.h"
#include "backend/poller.h"
#include "backend/server.h"
#include "backend/xmalloc.h"

/* kpi.list: the current snapshot of every KPI. */
int
op_kpi_list(struct op_ctx *ctx)
{
	cJSON *snap = poller_snapshot(ctx->srv->poller), *item;

	while ((item = snap->child) != NULL) {
		cJSON_DetachItemViaPointer(snap, item);
		cJSON_AddItemToObject(ctx->reply, item->string, item);
	}
	cJSON_Delete(snap);
	return 0;
}

struct range_reply {
	struct server	*srv;
	unsigned long	 conn;
	cJSON		*reply;
};

static void
range_done(void *arg, cJSON *points, const char *error)
{
	struct range_reply *rr = arg;

	if (error == NULL)
		cJSON_AddItemToObject(rr->reply, "points", points);
	ops_reply_later(rr->srv, rr->conn, rr->reply, error != NULL ? "unavailable" : NULL,
	    error);
	free(rr);
}

/* kpi.range: a KPI's values over the last `seconds`, for the detail chart. */
int
op_kpi_range(struct op_ctx *ctx)
{
	struct range_reply *rr = xcalloc(1, sizeof *rr);
	char *cause = NULL;

	rr->srv = ctx->srv;
	rr->conn = ctx->conn->id;
	rr->reply = ctx->reply;
	if (poller_range(ctx->srv->poller, op_str(ctx, "name"), (long)op_int(ctx, "seconds", 3600),
	    (int)op_int(ctx, "width", 120), range_done, rr, &cause) != 0) {
		free(rr);
		op_fail(ctx, "invalid_argument", "%s", cause);
		free(cause);
		return -1;
	}
	ctx->deferred = 1;
	return 0;
}

struct doctor_reply {
	struct server	*srv;
	unsigned long	 conn;
	cJSON		*reply;
};

static void
doctor_done(void *arg, cJSON *report)
{
	struct doctor_reply *dr = arg;
	cJSON *item;

	if (report == NULL) {
		ops_reply_later(dr->srv, dr->conn, dr->reply, "unavailable", "shutting down");
		free(dr);
		return;
	}
	while ((item = report->child) != NULL) {
		cJSON_DetachItemViaPointer(report, item);
		cJSON_AddItemToObject(dr->reply, item->string, item);
	}
	cJSON_Delete(report);
	ops_reply_later(dr->srv, dr->conn, dr->reply, NULL, NULL);
	free(dr);
}

/* kpi.doctor: the dialect found, every KPI's query and series, advice for the blank ones. */
int
op_kpi_doctor(struct op_ctx *ctx)
{
	struct doctor_reply *dr = xcalloc(1, sizeof *dr);

	dr->srv = ctx->srv;
	dr->conn = ctx->conn->id;
	dr->reply = ctx->reply;
	ctx->deferred = 1;
	poller_doctor(ctx->srv->poller, doctor_done, dr);
	return 0;
}
