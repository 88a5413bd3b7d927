/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/audit.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/denials.h"
#include "backend/events.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"
#include "backend/proto.h"
#include "backend/ratelimit.h"
#include "backend/server.h"
#include "backend/xmalloc.h"

static const struct op_arg no_args[] = { { NULL, 0, 0, 0, 0 } };

static const struct op_arg subscribe_args[] = {
	{ "topics", ARG_STRINGS, 0, 0, 16 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg audit_list_args[] = {
	{ "before", ARG_INT, 0, 0, 1LL << 53 },
	{ "limit", ARG_INT, 0, 1, 1000 },
	{ "actor", ARG_STRING, 0, 0, 256 },
	{ "action", ARG_STRING, 0, 0, 256 },
	{ "search", ARG_STRING, 0, 0, 256 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg audit_verify_args[] = {
	{ "checkpoints", ARG_STRING, 0, 0, 4096 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg audit_export_args[] = {
	{ "after", ARG_INT, 0, 0, 1LL << 53 },
	{ "limit", ARG_INT, 0, 1, 10000 },
	{ "since", ARG_STRING, 0, 0, 64 },
	{ "until", ARG_STRING, 0, 0, 64 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg kpi_range_args[] = {
	{ "name", ARG_STRING, 1, 0, 128 },
	{ "seconds", ARG_INT, 0, 60, 7 * 86400 },
	{ "width", ARG_INT, 0, 10, 2000 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg sim_profile_args[] = {
	{ "profile", ARG_STRING, 1, 0, 64 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg incident_open_args[] = {
	{ "title", ARG_STRING, 1, 0, 200 },
	{ "description", ARG_STRING, 0, 0, 65536 },
	{ "severity", ARG_INT, 1, 1, 4 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg incident_list_args[] = {
	{ "order", ARG_STRING, 0, 0, 16 },
	{ "status", ARG_STRINGS, 0, 0, 4 },
	{ "severity", ARG_STRINGS, 0, 0, 4 },
	{ "level", ARG_INT, 0, 1, 3 },
	{ "assignee", ARG_STRING, 0, 0, 256 },
	{ "search", ARG_STRING, 0, 0, 256 },
	{ "after", ARG_INT, 0, 0, 1LL << 53 },
	{ "before", ARG_INT, 0, 0, 1LL << 53 },
	{ "last", ARG_BOOL, 0, 0, 0 },
	{ "limit", ARG_INT, 0, 1, 1000 },
	{ NULL, 0, 0, 0, 0 }
};

/* "id" is the request's own: the incident is "incident". */
static const struct op_arg incident_id_args[] = {
	{ "incident", ARG_INT, 1, 1, 1LL << 53 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg incident_show_args[] = {
	{ "incident", ARG_INT, 1, 1, 1LL << 53 },
	{ "lang", ARG_STRING, 0, 0, 8 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg incident_text_args[] = {
	{ "incident", ARG_INT, 1, 1, 1LL << 53 },
	{ "text", ARG_STRING, 0, 0, 65536 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg incident_note_args[] = {
	{ "incident", ARG_INT, 1, 1, 1LL << 53 },
	{ "text", ARG_STRING, 1, 1, 65536 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg incident_snooze_args[] = {
	{ "incident", ARG_INT, 1, 1, 1LL << 53 },
	{ "minutes", ARG_INT, 1, 1, 7 * 24 * 60 },
	{ "text", ARG_STRING, 1, 1, 4096 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg handover_args[] = {
	{ "since", ARG_INT, 0, 0, 1LL << 40 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg playbook_list_args[] = {
	{ "lang", ARG_STRING, 0, 0, 8 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg playbook_args[] = {
	{ "playbook", ARG_STRING, 1, 1, 64 },
	{ "lang", ARG_STRING, 0, 0, 8 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg run_start_args[] = {
	{ "playbook", ARG_STRING, 1, 1, 64 },
	{ "lang", ARG_STRING, 0, 0, 8 },
	{ "incident", ARG_INT, 0, 1, 1LL << 53 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg run_list_args[] = {
	{ "all", ARG_BOOL, 0, 0, 0 },
	{ "limit", ARG_INT, 0, 1, 1000 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg run_args[] = {
	{ "run", ARG_INT, 1, 1, 1LL << 53 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg run_step_args[] = {
	{ "run", ARG_INT, 1, 1, 1LL << 53 },
	{ "step", ARG_INT, 1, 1, 100000 },
	{ "result", ARG_STRING, 1, 1, 16 },
	{ "text", ARG_STRING, 0, 0, 65536 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg run_tick_args[] = {
	{ "run", ARG_INT, 1, 1, 1LL << 53 },
	{ "step", ARG_INT, 1, 1, 100000 },
	{ "item", ARG_INT, 1, 0, 1000 },
	{ "ticked", ARG_BOOL, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg run_note_args[] = {
	{ "run", ARG_INT, 1, 1, 1LL << 53 },
	{ "step", ARG_INT, 1, 1, 100000 },
	{ "text", ARG_STRING, 1, 1, 65536 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg run_check_args[] = {
	{ "run", ARG_INT, 1, 1, 1LL << 53 },
	{ "step", ARG_INT, 1, 1, 100000 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_list_args[] = {
	{ "limit", ARG_INT, 0, 1, 500 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_kpis_args[] = {
	{ "assistant", ARG_STRING, 0, 0, 128 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_id_args[] = {
	{ "proposal", ARG_INT, 1, 1, 1LL << 53 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_diff_args[] = {
	{ "to", ARG_STRING, 1, 0, 256 },
	{ "from", ARG_STRING, 0, 0, 256 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_cat_args[] = {
	{ "file", ARG_STRING, 1, 0, 64 },
	{ "assistant", ARG_STRING, 0, 0, 128 },
	{ "rev", ARG_STRING, 0, 0, 256 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_propose_args[] = {
	{ "description", ARG_STRING, 1, 0, 4096 },
	{ "assistant", ARG_STRING, 0, 0, 128 },
	{ "system", ARG_STRING, 0, 0, 256 * 1024 },
	{ "model", ARG_STRING, 0, 0, 256 * 1024 },
	{ "evals", ARG_STRING, 0, 0, 256 * 1024 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_eval_args[] = {
	{ "proposal", ARG_INT, 1, 1, 1LL << 53 },
	{ "wait", ARG_BOOL, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_approve_args[] = {
	{ "proposal", ARG_INT, 1, 1, 1LL << 53 },
	{ "override", ARG_STRING, 0, 0, 1024 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_reject_args[] = {
	{ "proposal", ARG_INT, 1, 1, 1LL << 53 },
	{ "reason", ARG_STRING, 1, 0, 1024 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_rollback_args[] = {
	{ "assistant", ARG_STRING, 0, 0, 128 },
	{ "to", ARG_STRING, 0, 0, 256 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg prompt_history_args[] = {
	{ "assistant", ARG_STRING, 0, 0, 128 },
	{ "before", ARG_INT, 0, 0, 1LL << 53 },
	{ "limit", ARG_INT, 0, 1, 1000 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg purge_args[] = {
	{ "dry_run", ARG_BOOL, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg gdpr_args[] = {
	{ "subject", ARG_STRING, 1, 0, 256 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct op_arg gdpr_erase_args[] = {
	{ "subject", ARG_STRING, 1, 0, 256 },
	{ "dry_run", ARG_BOOL, 0, 0, 0 },
	{ "force", ARG_BOOL, 0, 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

/* The one op table; docs/protocol.md describes each entry. */
const struct op ops_table[] = {
	{ "status", PERM_READ, 0, no_args, op_status,
	  "daemon version, uptime, clients, data dir, and the caller's user and role" },
	{ "subscribe", PERM_READ, 0, subscribe_args, op_subscribe,
	  "receive events of the given topics (default: all)" },
	{ "audit.list", PERM_READ, 0, audit_list_args, op_audit_list,
	  "audit entries, newest first; details only for operator and above" },
	{ "audit.verify", PERM_READ, OP_ADHOC, audit_verify_args, op_audit_verify,
	  "walk the hash chain; reports the first broken entry; checkpoints (admin): against a file" },
	{ "audit.checkpoint", PERM_ADMIN, OP_WRITE, no_args, op_audit_checkpoint,
	  "sign the chain head now and append it to [audit] checkpoint_file" },
	{ "audit.export", PERM_ADMIN, 0, audit_export_args, op_audit_export,
	  "audit entries with details and hashes, oldest first, in pages" },
	{ "kpi.list", PERM_READ, 0, no_args, op_kpi_list,
	  "every KPI: value, state, thresholds, age, last minutes of history, data source" },
	{ "kpi.range", PERM_READ, OP_ADHOC, kpi_range_args, op_kpi_range,
	  "one KPI's values over the last seconds, about width points (from Prometheus)" },
	{ "kpi.doctor", PERM_READ, OP_ADHOC, no_args, op_kpi_doctor,
	  "why each KPI shows what it shows: the metrics dialect, queries, series, advice" },
	{ "sim.profile", PERM_INCIDENT_WRITE, OP_WRITE, sim_profile_args, op_sim_profile,
	  "switch the configured simulator's traffic profile (demo and training)" },
	{ "incident.list", PERM_READ, 0, incident_list_args, op_incident_list,
	  "a page of incidents (keyset), counts per severity" },
	{ "incident.show", PERM_READ, 0, incident_show_args, op_incident_show,
	  "one incident with timers, MTTA/MTTR, its timeline and suggested playbooks" },
	{ "incident.open", PERM_INCIDENT_WRITE, OP_WRITE, incident_open_args, op_incident_open,
	  "open an incident" },
	{ "incident.ack", PERM_INCIDENT_WRITE, OP_WRITE, incident_text_args, op_incident_act,
	  "acknowledge: stops the escalation timer; the acknowledger owns it unless taken" },
	{ "incident.take", PERM_INCIDENT_WRITE, OP_WRITE, incident_text_args, op_incident_act,
	  "assign the incident to yourself" },
	{ "incident.note", PERM_INCIDENT_WRITE, OP_WRITE, incident_note_args, op_incident_act,
	  "add a note to the timeline (personal data is redacted)" },
	{ "incident.snooze", PERM_INCIDENT_WRITE, OP_WRITE, incident_snooze_args, op_incident_act,
	  "silence the timers for some minutes, with a reason" },
	{ "incident.reopen", PERM_INCIDENT_WRITE, OP_WRITE, incident_text_args, op_incident_act,
	  "reopen a resolved incident" },
	{ "incident.escalate", PERM_INCIDENT_MANAGE, OP_WRITE, incident_text_args,
	  op_incident_act, "raise the level (L1 -> L2 -> L3); puts it on your watch list" },
	{ "incident.mitigate", PERM_INCIDENT_MANAGE, OP_WRITE, incident_text_args,
	  op_incident_act, "mark the impact as mitigated" },
	{ "incident.resolve", PERM_INCIDENT_MANAGE, OP_WRITE, incident_text_args, op_incident_act,
	  "resolve the incident" },
	{ "incident.ticket", PERM_INCIDENT_MANAGE, OP_WRITE, incident_id_args, op_incident_ticket,
	  "export to the ticket system ([ticket]); retried in the background when that may help" },
	{ "incident.report", PERM_READ, 0, incident_id_args, op_incident_report,
	  "the postmortem of an incident, as Markdown" },
	{ "handover", PERM_READ, 0, handover_args, op_handover,
	  "the shift handover since a time, as Markdown" },
	{ "playbook.list", PERM_READ, 0, playbook_list_args, op_playbook_list,
	  "the playbook library in a language (en, de; English where missing) and open runs" },
	{ "playbook.show", PERM_READ, 0, playbook_args, op_playbook_show,
	  "one playbook, parsed: steps and their blocks" },
	{ "run.start", PERM_INCIDENT_WRITE, OP_WRITE, run_start_args, op_run_start,
	  "start a run of a playbook, bound to an incident if one is given" },
	{ "run.list", PERM_READ, 0, run_list_args, op_run_list,
	  "runs, newest first: open ones, or all" },
	{ "run.show", PERM_READ, 0, run_args, op_run_show,
	  "a run: its playbook as started, results, ticks, notes, where to resume" },
	{ "run.step", PERM_INCIDENT_WRITE, OP_WRITE, run_step_args, op_run_act,
	  "record a step done, skipped (with a reason) or failed (with a note)" },
	{ "run.tick", PERM_INCIDENT_WRITE, OP_WRITE, run_tick_args, op_run_act,
	  "tick or untick a checklist item of a step" },
	{ "run.note", PERM_INCIDENT_WRITE, OP_WRITE, run_note_args, op_run_act,
	  "add a note to a step (personal data is redacted)" },
	{ "run.check", PERM_READ, OP_ADHOC, run_check_args, op_run_check,
	  "evaluate a step's live checks against the metrics source now" },
	{ "run.export", PERM_READ, 0, run_args, op_run_export,
	  "a run as a Markdown record" },
	{ "prompt.list", PERM_READ, 0, prompt_list_args, op_prompt_list,
	  "assistants with their release and model, proposals with their state and eval, push" },
	{ "prompt.show", PERM_READ, 0, prompt_id_args, op_prompt_show,
	  "a proposal: eval with cases, production's baseline, the diff, the gate" },
	{ "prompt.diff", PERM_READ, 0, prompt_diff_args, op_prompt_diff,
	  "unified diff: a proposal against production, a release against the one before, or from..to" },
	{ "prompt.cat", PERM_READ, 0, prompt_cat_args, op_prompt_cat,
	  "a file of an assistant at production, a proposal or a release" },
	{ "prompt.propose", PERM_PROMPT_PROPOSE, OP_WRITE, prompt_propose_args, op_prompt_propose,
	  "a new proposal: system.md, model.ini and/or evals.jsonl over production's" },
	{ "prompt.eval", PERM_PROMPT_PROPOSE, OP_WRITE, prompt_eval_args, op_prompt_eval,
	  "run the proposal's evals against staging; wait: reply when done" },
	{ "prompt.approve", PERM_PROMPT_APPROVE, OP_WRITE, prompt_approve_args, op_prompt_approve,
	  "release a proposal (never the author's own; eval gate, or an admin's override)" },
	{ "prompt.reject", PERM_PROMPT_APPROVE, OP_WRITE, prompt_reject_args, op_prompt_reject,
	  "reject a proposal with a reason" },
	{ "prompt.rollback", PERM_PROMPT_APPROVE, OP_WRITE, prompt_rollback_args,
	  op_prompt_rollback,
	  "a new release equal to an earlier one (default: the one before the latest)" },
	{ "prompt.history", PERM_READ, 0, prompt_history_args, op_prompt_history,
	  "releases, newest first" },
	{ "prompt.kpis", PERM_READ, OP_ADHOC, prompt_kpis_args, op_prompt_kpis,
	  "the live release's KPIs next to the release before it, from [prompts] release_label" },
	{ "purge", PERM_ADMIN, OP_WRITE, purge_args, op_purge,
	  "remove what is past its [retention] period now; dry_run: only count it" },
	{ "gdpr.export", PERM_ADMIN, OP_WRITE, gdpr_args, op_gdpr_export,
	  "every stored record that mentions a data subject (GDPR Art. 15); audited" },
	{ "gdpr.erase", PERM_ADMIN, OP_WRITE, gdpr_erase_args, op_gdpr_erase,
	  "erase a data subject wherever stored (GDPR Art. 17); reports what changed; refuses "
	  "one in more than [privacy] erase_max_share of a table unless force; dry_run: only "
	  "count" },
	{ "config.reload", PERM_ADMIN, OP_WRITE, no_args, op_config_reload,
	  "re-read the config file; roles apply to connected clients at once" },
	{ NULL, 0, 0, NULL, NULL, NULL }
};

const struct op *
ops_find(const char *name)
{
	const struct op *op;

	for (op = ops_table; op->name != NULL; op++) {
		if (strcmp(op->name, name) == 0)
			return op;
	}
	return NULL;
}

int
op_fail(struct op_ctx *ctx, const char *code, const char *fmt, ...)
{
	va_list ap;

	ctx->code = code;
	free(ctx->message);
	va_start(ap, fmt);
	xvasprintf(&ctx->message, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
op_str(const struct op_ctx *ctx, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx->req, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

long long
op_int(const struct op_ctx *ctx, const char *name, long long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx->req, name);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
}

int
op_bool(const struct op_ctx *ctx, const char *name, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx->req, name);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

const cJSON *
op_array(const struct op_ctx *ctx, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx->req, name);

	return cJSON_IsArray(v) ? v : NULL;
}

void
ops_subscribe(struct op_ctx *ctx, unsigned topics)
{
	server_subscribe(ctx->conn, topics);
}

struct ops_later {
	struct conn	*conn;		/* referenced until the answer */
	cJSON		*reply;
	int		 answered;	/* the op failed after all: its error went out */
};

struct ops_later *
ops_later(struct op_ctx *ctx)
{
	struct ops_later *l = xcalloc(1, sizeof *l);

	l->conn = ctx->conn;
	server_ref(l->conn);
	l->reply = ctx->reply;
	ctx->later = l;
	return l;
}

void
ops_later_cancel(struct op_ctx *ctx)
{
	server_unref(ctx->later->conn);
	free(ctx->later);
	ctx->later = NULL;
}

void
ops_later_send(struct ops_later *l, cJSON *fields, const char *code, const char *message)
{
	cJSON *item, *reply = l->reply;

	while (fields != NULL && (item = fields->child) != NULL) {
		cJSON_DetachItemViaPointer(fields, item);
		cJSON_AddItemToObject(reply, item->string, item);
	}
	cJSON_Delete(fields);
	if (code != NULL) {
		reply = proto_error(NULL, code, "%s", message);
		cJSON_ReplaceItemInObject(reply, "id", cJSON_DetachItemFromObject(l->reply, "id"));
		cJSON_Delete(l->reply);
	}
	if (l->answered)
		cJSON_Delete(reply);
	else
		server_send(l->conn, reply);
	server_unref(l->conn);
	free(l);
}

/* Checks every field of the request against the op's argument list. */
static int
ops_validate(struct op_ctx *ctx)
{
	const struct op_arg *a;
	const cJSON *v, *e;
	double d;
	int n;

	cJSON_ArrayForEach(v, ctx->req) {
		if (strcmp(v->string, "id") == 0 || strcmp(v->string, "op") == 0)
			continue;
		for (a = ctx->op->args; a->name != NULL; a++) {
			if (strcmp(a->name, v->string) == 0)
				break;
		}
		if (a->name == NULL)
			return op_fail(ctx, "invalid_argument", "%s: unknown argument \"%s\"",
			    ctx->op->name, v->string);
	}
	for (a = ctx->op->args; a->name != NULL; a++) {
		v = cJSON_GetObjectItemCaseSensitive(ctx->req, a->name);
		if (v == NULL || cJSON_IsNull(v)) {
			if (a->required)
				return op_fail(ctx, "invalid_argument", "%s: \"%s\" is required",
				    ctx->op->name, a->name);
			continue;
		}
		switch (a->type) {
		case ARG_STRING:
			if (!cJSON_IsString(v))
				return op_fail(ctx, "invalid_argument",
				    "%s: \"%s\" must be a string", ctx->op->name, a->name);
			if ((long long)strlen(v->valuestring) > a->max)
				return op_fail(ctx, "invalid_argument",
				    "%s: \"%s\" is longer than %lld bytes", ctx->op->name,
				    a->name, a->max);
			break;
		case ARG_INT:
			d = cJSON_IsNumber(v) ? v->valuedouble : 0;
			if (!cJSON_IsNumber(v) || d != (double)(long long)d ||
			    d < (double)a->min || d > (double)a->max)
				return op_fail(ctx, "invalid_argument",
				    "%s: \"%s\" must be an integer from %lld to %lld",
				    ctx->op->name, a->name, a->min, a->max);
			break;
		case ARG_BOOL:
			if (!cJSON_IsBool(v))
				return op_fail(ctx, "invalid_argument",
				    "%s: \"%s\" must be true or false", ctx->op->name, a->name);
			break;
		case ARG_STRINGS:
			n = 0;
			if (!cJSON_IsArray(v))
				return op_fail(ctx, "invalid_argument",
				    "%s: \"%s\" must be an array of strings", ctx->op->name,
				    a->name);
			cJSON_ArrayForEach(e, v) {
				if (!cJSON_IsString(e) || ++n > a->max)
					return op_fail(ctx, "invalid_argument",
					    "%s: \"%s\" must be an array of at most %lld strings",
					    ctx->op->name, a->name, a->max);
			}
			break;
		}
	}
	return 0;
}

/* Whether the connection may run another ad-hoc query now; if not, answers rate_limited
   with the seconds to wait (retry_after), and the request is dropped. */
static int
ops_rate(struct op_ctx *ctx, const cJSON *req)
{
	const struct config *cfg = ctx->d->cfg;
	double retry;
	cJSON *err;

	if (ratelimit_take(server_queries(ctx->conn), ctx->who->uid, (double)cfg->query_rate,
	    (double)cfg->query_burst, loop_now_ms(), &retry) == 0)
		return 0;
	retry = retry < 0.1 ? 0.1 : retry;
	err = proto_error(req, "rate_limited", "%s: too many ad-hoc queries from %s (%lld a "
	    "second after a burst of %lld; [daemon] query_rate); try again in %.1f s",
	    ctx->op->name, ctx->who->user, cfg->query_rate, cfg->query_burst, retry);
	cJSON_AddNumberToObject(cJSON_GetObjectItem(err, "error"), "retry_after",
	    (double)(long long)(retry * 10 + 0.999) / 10);
	server_send(ctx->conn, err);
	return -1;
}

/* The op's own change; the entry is read after it ran (config.reload looks the user up
   again). */
static int
ops_write_work(sqlite3 *db, void *arg, struct audit_tx *tx, char **cause)
{
	struct op_ctx *ctx = arg;

	(void)db;
	(void)cause;
	if (ctx->op->exec(ctx) != 0)
		return -1;
	tx->actor = ctx->who->user;
	tx->role = role_name(ctx->who->role);
	tx->object = ctx->object;
	tx->details = ctx->details;
	return 0;
}

/* Runs a state-changing op and its audit entry in one transaction. */
static int
ops_run_write(struct op_ctx *ctx)
{
	struct audit_tx tx = { .action = ctx->op->name };
	char *cause = NULL;
	cJSON *ev;

	switch (audit_tx(ctx->d->db, &tx, ops_write_work, ctx, &cause)) {
	case AUDIT_TX_OK:
		break;
	case AUDIT_TX_WORK:
		return -1;
	case AUDIT_TX_BEGIN:
		op_fail(ctx, "unavailable", "%s", cause);
		free(cause);
		return -1;
	default:
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	if (ctx->committed != NULL)
		ctx->committed(ctx);
	if (ctx->event != NULL) {
		events_publish(ctx->event_topic, ctx->event);
		ctx->event = NULL;
	}
	ev = proto_event("audit");
	cJSON_AddNumberToObject(ev, "seq", (double)tx.seq);
	cJSON_AddStringToObject(ev, "actor", ctx->who->user);
	cJSON_AddStringToObject(ev, "action", ctx->op->name);
	cJSON_AddStringToObject(ev, "object", ctx->object != NULL ? ctx->object : "");
	events_publish(TOPIC_AUDIT, ev);
	return 0;
}

void
ops_dispatch(struct daemon *d, struct conn *c, const char *line, size_t len)
{
	struct op_ctx ctx;
	cJSON *req, *err;
	const char *opname;
	int rc, drop;

	if ((req = proto_parse_request(line, len, &err)) == NULL) {
		server_send(c, err);
		return;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.d = d;
	ctx.who = server_who(c);
	ctx.conn = c;
	ctx.req = req;
	opname = cJSON_GetObjectItemCaseSensitive(req, "op")->valuestring;

	if ((ctx.op = ops_find(opname)) == NULL) {
		server_send(c, proto_error(req, "unknown_op", "unknown op \"%.64s\"", opname));
		goto out;
	}
	if (!authz_allowed(ctx.who->role, ctx.op->perm)) {
		drop = denials_refused(server_denials(c), ctx.op);
		if (ctx.who->role == ROLE_NONE)
			server_send(c, proto_error(req, "forbidden", "user %s has no role on "
			    "this daemon; ask an admin to add them under [roles]", ctx.who->user));
		else
			server_send(c, proto_error(req, "forbidden", "%s needs role %s; %s is %s",
			    ctx.op->name, role_name(perm_role(ctx.op->perm)), ctx.who->user,
			    role_name(ctx.who->role)));
		if (drop) {
			server_send(c, proto_error(NULL, "too_many_refusals", "%lld requests "
			    "in a row were refused; closing the connection. Ask an admin for a "
			    "role that allows them", d->cfg->max_refusals));
			server_close(c, "only refused requests");
		}
		goto out;
	}
	denials_allowed(server_denials(c));
	if (ops_validate(&ctx) != 0) {
		server_send(c, proto_error(req, ctx.code, "%s", ctx.message));
		goto out;
	}
	if ((ctx.op->flags & OP_ADHOC) && ops_rate(&ctx, req) != 0)
		goto out;
	ctx.reply = proto_reply(req);
	if (ctx.op->flags & OP_WRITE)
		rc = ops_run_write(&ctx);
	else
		rc = ctx.op->exec(&ctx);
	if (rc != 0) {
		/* A handle taken owns the reply; its answer is dropped. */
		if (ctx.later != NULL)
			ctx.later->answered = 1;
		else
			cJSON_Delete(ctx.reply);
		server_send(c, proto_error(req, ctx.code, "%s", ctx.message));
	} else if (ctx.later == NULL)
		server_send(c, ctx.reply);
out:
	free(ctx.message);
	free(ctx.object);
	cJSON_Delete(ctx.details);
	cJSON_Delete(ctx.event);
	cJSON_Delete(req);
}
