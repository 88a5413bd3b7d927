/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/audit.h"
#include "backend/checkpoint.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/job.h"
#include "backend/ops.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

int
op_audit_list(struct op_ctx *ctx)
{
	struct audit_query q;

	memset(&q, 0, sizeof q);
	q.before = op_int(ctx, "before", 0);
	q.limit = (int)op_int(ctx, "limit", 100);
	q.actor = op_str(ctx, "actor");
	q.action = op_str(ctx, "action");
	q.search = op_str(ctx, "search");
	q.details = authz_allowed(ctx->who->role, PERM_AUDIT_DETAILS);
	cJSON_AddItemToObject(ctx->reply, "entries", audit_list(ctx->d->db, &q));
	return 0;
}

int
op_audit_export(struct op_ctx *ctx)
{
	struct audit_query q;

	memset(&q, 0, sizeof q);
	q.ascending = 1;
	q.after = op_int(ctx, "after", 0);
	q.limit = (int)op_int(ctx, "limit", 1000);
	q.since = op_str(ctx, "since");
	q.until = op_str(ctx, "until");
	q.details = 1;
	cJSON_AddItemToObject(ctx->reply, "entries", audit_list(ctx->d->db, &q));
	return 0;
}

/* A verify walks the whole log: it runs on its own read-only connection, off the loop (as
   many connections at once as the pool has verify workers). */
struct verify_job {
	struct ops_later *later;
	char		*data_dir;
	char		*checkpoints;	/* a checkpoints file to check the log against, or NULL */
	char		*key;
	int		 configured;	/* [audit] checkpoint_file is set */
	long long	 vouched, newest;
	int		 chain_ok;
	struct audit_removed removed;
	int		 result;
	long long	 count, bad;
	char		*why;
};

static void
verify_work(void *arg)
{
	struct verify_job *j = arg;
	sqlite3 *db;

	if ((db = store_open(j->data_dir, 1, &j->why)) == NULL) {
		j->result = -1;
		return;
	}
	j->result = audit_verify(db, &j->count, &j->bad, &j->removed, &j->why);
	if ((j->chain_ok = j->result == 0) && j->checkpoints != NULL)
		j->result = checkpoint_verify(j->key, db, j->checkpoints, &j->vouched,
		    &j->newest, &j->bad, &j->why);
	store_close(db);
}

static void	warn(cJSON *, const char *, ...) __attribute__((format(printf, 2, 3)));

static void
warn(cJSON *warnings, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	cJSON_AddItemToArray(warnings, cJSON_CreateString(msg));
	free(msg);
}

/*
 * What an intact chain does not prove, in words: the chain shows edited, deleted and
 * reordered entries, but only a checkpoint shows a cut-off tail or a log rewritten from
 * scratch, and details that are gone cannot be checked at all.
 */
static void
verify_warnings(const struct verify_job *j, cJSON *r)
{
	cJSON *w = cJSON_AddArrayToObject(r, "warnings");
	long long head = j->count, n = j->removed.unmarked;

	if (n > 0)
		warn(w, "%lld %s lost %s details with neither an erasure nor a purge marking it "
		    "(removed by hand, or before the reason was recorded): what %s held cannot "
		    "be checked", n, n == 1 ? "entry" : "entries", n == 1 ? "its" : "their",
		    n == 1 ? "it" : "they");
	if (head == 0)
		return;
	if (j->checkpoints == NULL && !j->configured)
		warn(w, "no checkpoint vouches for the chain: none are made ([audit] "
		    "checkpoint_file is not set), so a cut-off tail or a log rewritten from "
		    "scratch would not show");
	else if (j->checkpoints == NULL)
		warn(w, "not checked against the checkpoints: a cut-off tail or a log rewritten "
		    "from scratch shows only with --checkpoints FILE (admin)");
	else if (j->vouched == 0)
		warn(w, "%s holds no checkpoint: nothing vouches for the chain", j->checkpoints);
	else if (j->newest == head - 1)
		warn(w, "entry %lld is newer than the last checkpoint: nothing vouches for it yet",
		    head);
	else if (j->newest < head)
		warn(w, "entries %lld to %lld are newer than the last checkpoint (entry %lld): "
		    "nothing vouches for them yet", j->newest + 1, head, j->newest);
}

static void
verify_done(void *arg)
{
	struct verify_job *j = arg;
	cJSON *r = cJSON_CreateObject();

	if (j->result >= 0) {
		cJSON_AddBoolToObject(r, "intact", j->result == 0);
		cJSON_AddNumberToObject(r, "entries", (double)j->count);
		if (j->checkpoints != NULL && j->result == 0) {
			cJSON_AddNumberToObject(r, "checkpoints", (double)j->vouched);
			cJSON_AddNumberToObject(r, "checkpoint_newest", (double)j->newest);
		}
		if (j->result == 0) {
			cJSON_AddNumberToObject(r, "details_erased", (double)j->removed.erased);
			cJSON_AddNumberToObject(r, "details_expired", (double)j->removed.expired);
			cJSON_AddNumberToObject(r, "details_unmarked", (double)j->removed.unmarked);
			verify_warnings(j, r);
		}
		if (j->result == 1) {
			if (j->chain_ok)
				cJSON_AddBoolToObject(r, "checkpoints_failed", 1);
			cJSON_AddNumberToObject(r, "first_bad", (double)j->bad);
			cJSON_AddStringToObject(r, "reason", j->why);
		}
	}
	ops_later_send(j->later, r, j->result < 0 ? "internal" : NULL, j->why);
	free(j->data_dir);
	free(j->checkpoints);
	free(j->key);
	free(j->why);
	free(j);
}

int
op_audit_verify(struct op_ctx *ctx)
{
	const struct config *cfg = ctx->d->cfg;
	struct verify_job *j;
	const char *file = op_str(ctx, "checkpoints");
	char *cause = NULL;

	j = xcalloc(1, sizeof *j);
	if (file != NULL) {
		j->checkpoints = xstrdup(file);
		j->key = xstrdup(cfg->checkpoint_key);
	}
	j->configured = cfg->checkpoint_file != NULL && *cfg->checkpoint_file != '\0';
	j->data_dir = xstrdup(cfg->data_dir);
	if (job_start(JOB_VERIFY, verify_work, verify_done, j, &cause) != 0) {
		free(j->data_dir);
		free(j->checkpoints);
		free(j->key);
		free(j);
		op_fail(ctx, "busy", "%s", cause);
		free(cause);
		return -1;
	}
	/* verify_done runs later, from the loop. */
	j->later = ops_later(ctx);
	return 0;
}

/* audit.checkpoint: signs the chain head now and appends it to the checkpoint file. */
int
op_audit_checkpoint(struct op_ctx *ctx)
{
	char *line = NULL, *cause = NULL;

	if (checkpoint_append(ctx->d->cfg, ctx->d->db, &line, &cause) != 0) {
		op_fail(ctx, "unavailable", "%s", cause);
		free(cause);
		return -1;
	}
	cJSON_AddStringToObject(ctx->reply, "checkpoint", line);
	ctx->object = xstrdup(ctx->d->cfg->checkpoint_file);
	free(line);
	return 0;
}
