/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/job.h"
#include "backend/ops.h"
#include "backend/sim.h"
#include "backend/xmalloc.h"

/* The HTTP call to the sim runs off the loop. */
struct sim_job {
	struct ops_later *later;
	char		*url;
	char		*profile;
	char		*error;
};

static void
sim_work(void *arg)
{
	struct sim_job *j = arg;

	if (sim_set_profile(j->url, j->profile, &j->error) != 0 && j->error == NULL)
		j->error = xstrdup("the simulator refused the profile");
}

static void
sim_done(void *arg)
{
	struct sim_job *j = arg;
	cJSON *fields = NULL;
	char *msg = NULL;

	if (j->error != NULL)
		msg = xprintf("sim at %s: %s", j->url, j->error);
	else {
		fields = cJSON_CreateObject();
		cJSON_AddStringToObject(fields, "profile", j->profile);
	}
	ops_later_send(j->later, fields, msg != NULL ? "unavailable" : NULL, msg);
	free(msg);
	free(j->url);
	free(j->profile);
	free(j->error);
	free(j);
}

/* sim.profile: switches the configured simulator (demo and training) to another profile. */
int
op_sim_profile(struct op_ctx *ctx)
{
	const struct config *cfg = ctx->d->cfg;
	struct sim_job *j;
	char *cause = NULL;

	if (cfg->sim_url == NULL || *cfg->sim_url == '\0')
		return op_fail(ctx, "unavailable", "no simulator configured: set [sim] url");
	j = xcalloc(1, sizeof *j);
	j->url = xstrdup(cfg->sim_url);
	j->profile = xstrdup(op_str(ctx, "profile"));
	ctx->object = xstrdup(j->url);
	ctx->details = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx->details, "profile", j->profile);
	if (job_start(JOB_SIM, sim_work, sim_done, j, &cause) != 0) {
		free(j->url);
		free(j->profile);
		free(j);
		op_fail(ctx, "busy", "%s", cause);
		free(cause);
		return -1;
	}
	/* sim_done runs later, from the loop. */
	j->later = ops_later(ctx);
	return 0;
}
