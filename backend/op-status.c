/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/automation.h"
#include "backend/clock.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/events.h"
#include "backend/job.h"
#include "backend/oncall.h"
#include "backend/ops.h"
#include "backend/prompts.h"
#include "backend/proto.h"
#include "backend/server.h"
#include "backend/version.h"
#include "backend/xmalloc.h"

/* A level with nobody on call, when schedules are in use; NULL if none. */
static char *
oncall_status_warning(struct daemon *s)
{
	struct oncall oc;
	time_t now = clock_now();
	char *line, *cause = NULL;

	if (!oncall_in_use(s->cfg))
		return NULL;
	if (oncall_load(&oc, s->cfg, s->db, now, &cause) != 0) {
		line = xprintf("on call: %s", cause);
		free(cause);
		return line;
	}
	line = oncall_warning(&oc, s->cfg, now);
	oncall_clear(&oc);
	return line;
}

int
op_status(struct op_ctx *ctx)
{
	struct daemon *s = ctx->d;
	const struct identity *who = ctx->who;
	cJSON *r = ctx->reply, *w, *push;
	const char *error;
	char *line;
	int clients, clients_max;

	cJSON_AddStringToObject(r, "version", LEITSTAND_VERSION);
	cJSON_AddNumberToObject(r, "protocol", PROTO_VERSION);
	cJSON_AddNumberToObject(r, "pid", (double)getpid());
	cJSON_AddNumberToObject(r, "uptime", (double)(time(NULL) - s->started));
	server_clients(s->srv, &clients, &clients_max);
	cJSON_AddNumberToObject(r, "clients", clients);
	cJSON_AddNumberToObject(r, "clients_max", clients_max);
	cJSON_AddNumberToObject(r, "workers", job_workers());
	cJSON_AddNumberToObject(r, "jobs", job_pending());
	cJSON_AddStringToObject(r, "data_dir", s->cfg->data_dir);
	cJSON_AddStringToObject(r, "socket", s->cfg->socket);
	cJSON_AddStringToObject(r, "config", s->cfg->file != NULL ? s->cfg->file : "(built-in)");
	cJSON_AddStringToObject(r, "assistant", s->cfg->name);
	cJSON_AddStringToObject(r, "environment", s->cfg->environment);
	cJSON_AddStringToObject(r, "user", who->user);
	cJSON_AddStringToObject(r, "role", role_name(who->role));
	cJSON_AddBoolToObject(r, "readonly", who->readonly);
	/* Settings that weaken security, shown in every console's status line. */
	w = cJSON_AddArrayToObject(r, "warnings");
	if (automation_am_error() != NULL)
		cJSON_AddItemToArray(w, cJSON_CreateString(automation_am_error()));
	if (prompts_repo(&error) == NULL)
		cJSON_AddItemToArray(w, cJSON_CreateString(error));
	if (s->cfg->checkpoint_file != NULL && strncmp(s->cfg->checkpoint_file,
	    s->cfg->data_dir, strlen(s->cfg->data_dir)) == 0 &&
	    s->cfg->checkpoint_file[strlen(s->cfg->data_dir)] == '/')
		cJSON_AddItemToArray(w, cJSON_CreateString("audit.checkpoint_file is inside the "
		    "data dir: whoever can replace the log can replace its checkpoints too"));
	if ((line = prompts_push_warning(s)) != NULL) {
		cJSON_AddItemToArray(w, cJSON_CreateString(line));
		free(line);
	}
	if (s->cfg->prom_insecure)
		cJSON_AddItemToArray(w, cJSON_CreateString("prometheus.insecure: TLS certificates "
		    "of the metrics source are not verified"));
	if ((line = oncall_status_warning(s)) != NULL) {
		cJSON_AddItemToArray(w, cJSON_CreateString(line));
		free(line);
	}
	if ((push = prompts_push_state(s)) != NULL)
		cJSON_AddItemToObject(r, "prompt_push", push);
	if (prompts_repo(&error) != NULL)
		cJSON_AddItemToObject(r, "prompt_signing", prompts_signing_state());
	return 0;
}

static const char *const topic_names[] = { "audit", "status", "kpi", "incident", "prompt" };

int
op_subscribe(struct op_ctx *ctx)
{
	const cJSON *topics = op_array(ctx, "topics"), *t;
	unsigned mask = 0;
	size_t i;

	if (topics == NULL)
		mask = TOPIC_ALL;
	cJSON_ArrayForEach(t, topics) {
		if (strcmp(t->valuestring, "*") == 0) {
			mask = TOPIC_ALL;
			continue;
		}
		for (i = 0; i < sizeof topic_names / sizeof topic_names[0]; i++) {
			if (strcmp(t->valuestring, topic_names[i]) == 0)
				break;
		}
		if (i == sizeof topic_names / sizeof topic_names[0])
			return op_fail(ctx, "invalid_argument", "subscribe: unknown topic "
			    "\"%.64s\"", t->valuestring);
		mask |= 1u << i;
	}
	ops_subscribe(ctx, mask);
	return 0;
}
