/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/ops.h"
#include "backend/xmalloc.h"

/* config.reload: re-reads the config file; roles apply to connected clients at once. */
int
op_config_reload(struct op_ctx *ctx)
{
	char *cause = NULL;

	if (daemon_reload(ctx->d, &cause) != 0) {
		op_fail(ctx, "invalid_config", "%s", cause);
		free(cause);
		return -1;
	}
	ctx->object = xstrdup(ctx->d->cfg->file != NULL ? ctx->d->cfg->file : "(built-in)");
	cJSON_AddStringToObject(ctx->reply, "config", ctx->object);
	cJSON_AddStringToObject(ctx->reply, "note", "[daemon] settings apply at the next restart");
	return 0;
}
