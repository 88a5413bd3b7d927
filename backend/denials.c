/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/audit.h"
#include "backend/buf.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/denials.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"

/* One audit entry in its own transaction; a failure is logged, never fatal. */
static void
denials_audit(struct denials *dn, const char *object, cJSON *d)
{
	struct audit_tx tx = { .actor = dn->who->user, .role = role_name(dn->who->role),
	    .action = "denied", .object = object, .details = d };
	char *cause = NULL;

	/* Called from the loop only; another's open transaction is never rolled back here. */
	if (!sqlite3_get_autocommit(dn->d->db))
		log_debug("audit of a denied request skipped: a transaction is open");
	else if (audit_tx(dn->d->db, &tx, NULL, NULL, &cause) != AUDIT_TX_OK) {
		log_debug("audit of a denied request failed: %s", cause);
		free(cause);
	}
	cJSON_Delete(d);
}

static void
denials_timer(void *arg)
{
	struct denials *dn = arg;

	dn->timer = NULL;	/* a one-shot timer is gone once it fires */
	denials_flush(dn);
}

void
denials_init(struct denials *dn, struct daemon *d, const struct identity *who)
{
	memset(dn, 0, sizeof *dn);
	dn->d = d;
	dn->who = who;
}

void
denials_flush(struct denials *dn)
{
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
		denials_audit(dn, object.data, d);
		buf_free(&object);
	}
	dn->count = 0;
	dn->nops = 0;
	dn->since = 0;
}

int
denials_refused(struct denials *dn, const struct op *op)
{
	const struct config *cfg = dn->d->cfg;
	cJSON *d;
	unsigned i;

	dn->run++;
	if (dn->timer == NULL) {
		/* The first refusal of a window is audited at once, as it always was. */
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "op", op->name);
		cJSON_AddStringToObject(d, "needs", role_name(perm_role(op->perm)));
		denials_audit(dn, op->name, d);
		dn->since = loop_now_ms();
		dn->timer = loop_timer_add(dn->d->loop, (long)cfg->denied_window * 1000, 0,
		    denials_timer, dn);
	} else {
		dn->count++;
		for (i = 0; i < dn->nops && strcmp(dn->ops[i], op->name) != 0; i++)
			;
		if (i == dn->nops && dn->nops < DENIALS_OPS)
			dn->ops[dn->nops++] = op->name;
	}
	return dn->run >= (unsigned long)cfg->max_refusals;
}

void
denials_allowed(struct denials *dn)
{
	dn->run = 0;
}
