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
	char *cause = NULL;

	if (ops_args_check(ctx->op, ctx->req, 0, &cause) == 0)
		return 0;
	op_fail(ctx, "invalid_argument", "%s", cause);
	free(cause);
	return -1;
}

/* Whether the caller may give every argument it gave: some need more than the op does. */
static int
ops_allowed_args(struct op_ctx *ctx)
{
	const struct identity *who = ctx->who;
	const struct op_arg *a;
	const cJSON *v;

	for (a = ctx->op->args; a->name != NULL; a++) {
		v = cJSON_GetObjectItemCaseSensitive(ctx->req, a->name);
		if (a->perm == PERM_READ || v == NULL || cJSON_IsNull(v) ||
		    authz_allowed(who->role, a->perm))
			continue;
		return op_fail(ctx, "forbidden", "%s: \"%s\" needs role %s; %s is %s",
		    ctx->op->name, a->name, role_name(perm_role(a->perm)), who->user,
		    role_name(who->role));
	}
	return 0;
}

/* Free text is redacted before any handler sees it, so none can store it raw. */
static void
ops_redact(struct daemon *d, const struct op *op, cJSON *req)
{
	const struct op_arg *a;
	cJSON *v;
	char *safe;

	for (a = op->args; a->name != NULL; a++) {
		v = cJSON_GetObjectItemCaseSensitive(req, a->name);
		if (!a->text || !cJSON_IsString(v))
			continue;
		safe = daemon_redact(d, v->valuestring);
		cJSON_ReplaceItemInObjectCaseSensitive(req, a->name, cJSON_CreateString(safe));
		free(safe);
	}
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
	if (ops_validate(&ctx) != 0 || ops_allowed_args(&ctx) != 0) {
		server_send(c, proto_error(req, ctx.code, "%s", ctx.message));
		goto out;
	}
	if ((ctx.op->flags & OP_ADHOC) && ops_rate(&ctx, req) != 0)
		goto out;
	ops_redact(d, ctx.op, req);
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
