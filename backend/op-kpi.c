/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/daemon.h"
#include "backend/ops.h"
#include "backend/poller.h"
#include "backend/xmalloc.h"

/* kpi.list: the current snapshot of every KPI. */
int
op_kpi_list(struct op_ctx *ctx)
{
	cJSON *snap = poller_snapshot(ctx->d->poller), *item;

	while ((item = snap->child) != NULL) {
		cJSON_DetachItemViaPointer(snap, item);
		cJSON_AddItemToObject(ctx->reply, item->string, item);
	}
	cJSON_Delete(snap);
	return 0;
}

static void
range_done(void *arg, cJSON *points, const char *error)
{
	cJSON *fields = NULL;

	if (error == NULL) {
		fields = cJSON_CreateObject();
		cJSON_AddItemToObject(fields, "points", points);
	}
	ops_later_send(arg, fields, error != NULL ? "unavailable" : NULL, error);
}

/* kpi.range: a KPI's values over the last `seconds`, for the detail chart. */
int
op_kpi_range(struct op_ctx *ctx)
{
	struct ops_later *later;
	char *cause = NULL;

	if (poller_busy(ctx->d->poller, &cause)) {
		op_fail(ctx, "busy", "%s", cause);
		free(cause);
		return -1;
	}
	later = ops_later(ctx);
	if (poller_range(ctx->d->poller, op_str(ctx, "name"), (long)op_int(ctx, "seconds", 3600),
	    (int)op_int(ctx, "width", 120), range_done, later, &cause) != 0) {
		ops_later_cancel(ctx);
		op_fail(ctx, "invalid_argument", "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

static void
doctor_done(void *arg, cJSON *report)
{
	ops_later_send(arg, report, report == NULL ? "unavailable" : NULL, "shutting down");
}

/* kpi.doctor: the dialect found, every KPI's query and series, advice for the blank ones. */
int
op_kpi_doctor(struct op_ctx *ctx)
{
	char *cause = NULL;

	if (poller_busy(ctx->d->poller, &cause)) {
		op_fail(ctx, "busy", "%s", cause);
		free(cause);
		return -1;
	}
	poller_doctor(ctx->d->poller, doctor_done, ops_later(ctx));
	return 0;
}
