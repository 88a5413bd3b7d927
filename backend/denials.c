/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/audit.h"
#include "backend/buf.h"
#include "backend/config.h"
#include "backend/denials.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"
#include "backend/server.h"
#include "backend/store.h"

/* One audit entry in its own transaction; a failure is logged, never fatal. */
static void
denials_audit(struct server *s, const struct conn *c, const char *object, cJSON *d)
{
	char *cause = NULL, *details = cJSON_PrintUnformatted(d);

	/* Called from the loop only; another's open transaction is never rolled back here. */
	if (!sqlite3_get_autocommit(s->db)) {
		log_debug("audit of a denied request skipped: a transaction is open");
		cJSON_free(details);
		cJSON_Delete(d);
		return;
	}
	if (store_begin(s->db, &cause) != 0 ||
	    audit_append(s->db, c->who.user, role_name(c->who.role), "denied", object, details,
	    &cause) < 0 || store_commit(s->db, &cause) != 0) {
		store_rollback(s->db);
		log_debug("audit of a denied request failed: %s", cause);
		free(cause);
	}
	cJSON_free(details);
	cJSON_Delete(d);
}

static void
denials_timer(void *arg)
{
	struct conn *c = arg;

	c->denials.timer = NULL;	/* a one-shot timer is gone once it fires */
	denials_flush(c->srv, c);
}

void
denials_flush(struct server *s, struct conn *c)
{
	struct denials *dn = &c->denials;
	struct buf object;
	cJSON *d, *ops;
	unsigned i;

	loop_timer_remove(dn->timer);
	dn->timer = NULL;
	if (dn->count > 0) {
		buf_init(&object);
		for (i = 0; i < dn->nops; i++)
			buf_printf(&object, "%s%s", i > 0 ? ", " : "", dn->ops[i]);
		buf_printf(&object, " x%lu", dn->count);
		d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "count", (double)dn->count);
		ops = cJSON_AddArrayToObject(d, "ops");
		for (i = 0; i < dn->nops; i++)
			cJSON_AddItemToArray(ops, cJSON_CreateString(dn->ops[i]));
		cJSON_AddNumberToObject(d, "seconds",
		    (double)((loop_now_ms() - dn->since) / 1000));
		denials_audit(s, c, object.data, d);
		buf_free(&object);
	}
	dn->count = 0;
	dn->nops = 0;
	dn->since = 0;
}

int
denials_refused(struct server *s, struct conn *c, const struct op *op)
{
	struct denials *dn = &c->denials;
	cJSON *d;
	unsigned i;

	dn->run++;
	if (dn->timer == NULL) {
		/* The first refusal of a window is audited at once, as it always was. */
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "op", op->name);
		cJSON_AddStringToObject(d, "needs", role_name(perm_role(op->perm)));
		denials_audit(s, c, op->name, d);
		dn->since = loop_now_ms();
		dn->timer = loop_timer_add(s->loop, (long)s->cfg->denied_window * 1000, 0,
		    denials_timer, c);
	} else {
		dn->count++;
		for (i = 0; i < dn->nops && strcmp(dn->ops[i], op->name) != 0; i++)
			;
		if (i == dn->nops && dn->nops < DENIALS_OPS)
			dn->ops[dn->nops++] = op->name;
	}
	return dn->run >= (unsigned long)s->cfg->max_refusals;
}

void
denials_allowed(struct conn *c)
{
	c->denials.run = 0;
}
