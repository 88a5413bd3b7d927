/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/json.h"
#include "backend/ops.h"
#include "backend/poller.h"
#include "backend/proposal.h"
#include "backend/release-kpis.h"
#include "backend/xmalloc.h"

static void
kpis_done(void *arg, cJSON *figures, const char *error)
{
	ops_later_send(arg, figures, figures == NULL ? "unavailable" : NULL, error);
}

/* prompt.kpis: the live release's KPIs next to the release before it. */
int
op_prompt_kpis(struct op_ctx *ctx)
{
	struct daemon *s = ctx->d;
	const char *assistant = op_str(ctx, "assistant");
	cJSON *live, *previous, *newest = NULL;
	char *cause = NULL;

	if (poller_busy(s->poller, &cause)) {
		op_fail(ctx, "busy", "%s", cause);
		free(cause);
		return -1;
	}
	/* Without a name: the assistant of the newest release. */
	if (assistant == NULL) {
		newest = release_history(s->db, NULL, 0, 1);
		assistant = json_str(cJSON_GetArrayItem(newest, 0), "assistant", "");
	}
	if ((live = release_get(s->db, assistant, NULL)) == NULL) {
		op_fail(ctx, "not_found", "assistant \"%.64s\" has no release", assistant);
		cJSON_Delete(newest);
		return -1;
	}
	previous = release_before(s->db, assistant, (long long)cJSON_GetObjectItem(live,
	    "n")->valuedouble);
	cJSON_AddStringToObject(ctx->reply, "assistant", assistant);
	cJSON_AddStringToObject(ctx->reply, "currency", s->cfg->currency);
	cJSON_Delete(newest);
	release_kpis(s->poller, s->cfg->release_label, live, previous, kpis_done, ops_later(ctx));
	cJSON_Delete(live);
	cJSON_Delete(previous);
	return 0;
}
