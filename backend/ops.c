/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/audit.h"
#include "backend/config.h"
#include "backend/denials.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"
#include "backend/ratelimit.h"
#include "backend/server.h"
#include "backend/store.h"
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
ops_reply_later(struct server *s, unsigned long conn, cJSON *reply, const char *code,
    const char *message)
{
	struct conn *c = server_conn(s, conn);
	cJSON *err;

	if (code != NULL) {
		err = proto_error(NULL, code, "%s", message);
		cJSON_ReplaceItemInObject(err, "id", cJSON_DetachItemFromObject(reply, "id"));
		cJSON_Delete(reply);
		reply = err;
	}
	if (c != NULL)
		server_send(s, c, reply);
	else
		cJSON_Delete(reply);
}

struct ops_later {
	struct server	*srv;
	unsigned long	 conn;
	cJSON		*reply;
};

struct ops_later *
ops_later(struct op_ctx *ctx)
{
	struct ops_later *l = xcalloc(1, sizeof *l);

	l->srv = ctx->srv;
	l->conn = ctx->conn->id;
	l->reply = ctx->reply;
	ctx->deferred = 1;
	return l;
}

void
ops_later_send(struct ops_later *l, cJSON *fields, const char *code, const char *message)
{
	cJSON *item;

	while (fields != NULL && (item = fields->child) != NULL) {
		cJSON_DetachItemViaPointer(fields, item);
		cJSON_AddItemToObject(l->reply, item->string, item);
	}
	cJSON_Delete(fields);
	ops_reply_later(l->srv, l->conn, l->reply, code, message);
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
	const struct identity *who = &ctx->conn->who;
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
ops_redact(struct server *s, const struct op *op, cJSON *req)
{
	const struct op_arg *a;
	cJSON *v;
	char *safe;

	for (a = op->args; a->name != NULL; a++) {
		v = cJSON_GetObjectItemCaseSensitive(req, a->name);
		if (!a->text || !cJSON_IsString(v))
			continue;
		safe = server_redact(s, v->valuestring);
		cJSON_ReplaceItemInObjectCaseSensitive(req, a->name, cJSON_CreateString(safe));
		free(safe);
	}
}

/* Whether the connection may run another ad-hoc query now; if not, answers rate_limited
   with the seconds to wait (retry_after), and the request is dropped. */
static int
ops_rate(struct op_ctx *ctx, const cJSON *req)
{
	const struct config *cfg = ctx->srv->cfg;
	struct conn *c = ctx->conn;
	double retry;
	cJSON *err;

	if (ratelimit_take(&c->queries, c->who.uid, (double)cfg->query_rate,
	    (double)cfg->query_burst, loop_now_ms(), &retry) == 0)
		return 0;
	retry = retry < 0.1 ? 0.1 : retry;
	err = proto_error(req, "rate_limited", "%s: too many ad-hoc queries from %s (%lld a "
	    "second after a burst of %lld; [daemon] query_rate); try again in %.1f s",
	    ctx->op->name, c->who.user, cfg->query_rate, cfg->query_burst, retry);
	cJSON_AddNumberToObject(cJSON_GetObjectItem(err, "error"), "retry_after",
	    (double)(long long)(retry * 10 + 0.999) / 10);
	server_send(ctx->srv, c, err);
	return -1;
}

/* Runs a state-changing op and its audit entry in one transaction. */
static int
ops_run_write(struct op_ctx *ctx)
{
	struct server *s = ctx->srv;
	const struct identity *who = &ctx->conn->who;
	char *cause = NULL, *details = NULL;
	cJSON *ev;
	long long seq;

	if (store_begin(s->db, &cause) != 0) {
		op_fail(ctx, "unavailable", "%s", cause);
		free(cause);
		return -1;
	}
	if (ctx->op->exec(ctx) != 0) {
		store_rollback(s->db);
		return -1;
	}
	if (ctx->details != NULL)
		details = cJSON_PrintUnformatted(ctx->details);
	seq = audit_append(s->db, who->user, role_name(who->role), ctx->op->name,
	    ctx->object != NULL ? ctx->object : "", details, &cause);
	cJSON_free(details);
	if (seq < 0 || store_commit(s->db, &cause) != 0) {
		store_rollback(s->db);
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	if (ctx->committed != NULL)
		ctx->committed(ctx);
	if (ctx->event != NULL) {
		server_publish(s, ctx->event_topic, ctx->event);
		ctx->event = NULL;
	}
	ev = proto_event("audit");
	cJSON_AddNumberToObject(ev, "seq", (double)seq);
	cJSON_AddStringToObject(ev, "actor", who->user);
	cJSON_AddStringToObject(ev, "action", ctx->op->name);
	cJSON_AddStringToObject(ev, "object", ctx->object != NULL ? ctx->object : "");
	server_publish(s, TOPIC_AUDIT, ev);
	return 0;
}

void
ops_dispatch(struct server *s, struct conn *c, const char *line, size_t len)
{
	struct op_ctx ctx;
	cJSON *req, *err;
	const char *opname;
	int rc, drop;

	if ((req = proto_parse_request(line, len, &err)) == NULL) {
		server_send(s, c, err);
		return;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.srv = s;
	ctx.conn = c;
	ctx.req = req;
	opname = cJSON_GetObjectItemCaseSensitive(req, "op")->valuestring;

	if ((ctx.op = ops_find(opname)) == NULL) {
		server_send(s, c, proto_error(req, "unknown_op", "unknown op \"%.64s\"", opname));
		goto out;
	}
	if (!authz_allowed(c->who.role, ctx.op->perm)) {
		drop = denials_refused(s, c, ctx.op);
		if (c->who.role == ROLE_NONE)
			server_send(s, c, proto_error(req, "forbidden", "user %s has no role on "
			    "this daemon; ask an admin to add them under [roles]", c->who.user));
		else
			server_send(s, c, proto_error(req, "forbidden", "%s needs role %s; %s is %s",
			    ctx.op->name, role_name(perm_role(ctx.op->perm)), c->who.user,
			    role_name(c->who.role)));
		if (drop) {
			server_send(s, c, proto_error(NULL, "too_many_refusals", "%lld requests "
			    "in a row were refused; closing the connection. Ask an admin for a "
			    "role that allows them", s->cfg->max_refusals));
			server_close(s, c, "only refused requests");
		}
		goto out;
	}
	denials_allowed(c);
	if (ops_validate(&ctx) != 0 || ops_allowed_args(&ctx) != 0) {
		server_send(s, c, proto_error(req, ctx.code, "%s", ctx.message));
		goto out;
	}
	if ((ctx.op->flags & OP_ADHOC) && ops_rate(&ctx, req) != 0)
		goto out;
	ops_redact(s, ctx.op, req);
	ctx.reply = proto_reply(req);
	if (ctx.op->flags & OP_WRITE)
		rc = ops_run_write(&ctx);
	else
		rc = ctx.op->exec(&ctx);
	if (rc != 0) {
		cJSON_Delete(ctx.reply);
		server_send(s, c, proto_error(req, ctx.code, "%s", ctx.message));
	} else if (!ctx.deferred)
		server_send(s, c, ctx.reply);
out:
	free(ctx.message);
	free(ctx.object);
	cJSON_Delete(ctx.details);
	cJSON_Delete(ctx.event);
	cJSON_Delete(req);
}
