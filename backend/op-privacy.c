/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/gdpr.h"
#include "backend/hash.h"
#include "backend/ops.h"
#include "backend/log.h"
#include "backend/retention.h"
#include "backend/xmalloc.h"

/* Old versions of removed data may still sit in the write-ahead log: fold it into the
   database (where secure_delete overwrote them) and empty it. */
static void
wal_truncate(struct op_ctx *ctx)
{
	/* A reader can hold the log open; the next checkpoint folds it then. */
	if (sqlite3_exec(ctx->d->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) !=
	    SQLITE_OK)
		log_debug("wal checkpoint: %s", sqlite3_errmsg(ctx->d->db));
}

/* purge: what is past its retention period goes now (dry_run: only counted). */
int
op_purge(struct op_ctx *ctx)
{
	int dry = op_bool(ctx, "dry_run", 0);
	char *cause = NULL;
	cJSON *counts;

	if ((counts = retention_purge(ctx->d->db, ctx->d->cfg, time(NULL), dry,
	    &cause)) == NULL) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	cJSON_AddBoolToObject(ctx->reply, "dry_run", dry);
	cJSON_AddItemToObject(ctx->reply, "classes", counts);
	ctx->object = xstrdup(dry ? "retention (dry run)" : "retention");
	ctx->details = cJSON_Duplicate(counts, 1);
	if (!dry)
		ctx->committed = wal_truncate;
	return 0;
}

/* The audit log names a subject by its hash: the request must not store what it erases. */
static const char *
subject_arg(struct op_ctx *ctx)
{
	const char *subject = op_str(ctx, "subject");
	char *cause = NULL, hex[HASH_HEX];

	if (gdpr_subject_ok(subject, &cause) != 0) {
		op_fail(ctx, "invalid_argument", "%s", cause);
		free(cause);
		return NULL;
	}
	hash_sha256_hex(subject, strlen(subject), hex);
	ctx->object = xprintf("subject sha256:%.16s", hex);
	return subject;
}

/* gdpr.export (Art. 15): every stored record that mentions the subject. */
int
op_gdpr_export(struct op_ctx *ctx)
{
	const char *subject = subject_arg(ctx);
	const cJSON *t;
	cJSON *records;
	int n = 0;

	if (subject == NULL)
		return -1;
	records = gdpr_export(ctx->d->db, subject);
	cJSON_ArrayForEach(t, records)
		n += cJSON_GetArraySize(t);
	cJSON_AddItemToObject(ctx->reply, "records", records);
	ctx->details = cJSON_CreateObject();
	cJSON_AddNumberToObject(ctx->details, "records", n);
	return 0;
}

/*
 * gdpr.erase (Art. 17): the subject replaced everywhere it is stored, reported per column.
 * A subject found in more than [privacy] erase_max_share of a table's rows is more likely
 * a word than a person: refused unless forced. dry_run only counts.
 */
int
op_gdpr_erase(struct op_ctx *ctx)
{
	const char *subject = subject_arg(ctx);
	int dry = op_bool(ctx, "dry_run", 0), force = op_bool(ctx, "force", 0);
	char *cause = NULL, *object;
	cJSON *changed, *matches;

	if (subject == NULL)
		return -1;
	matches = gdpr_matches(ctx->d->db, subject);
	if (!dry && !force && gdpr_share_ok(matches, ctx->d->cfg->erase_max_share,
	    &cause) != 0) {
		op_fail(ctx, "invalid_argument", "%s", cause);
		free(cause);
		cJSON_Delete(matches);
		return -1;
	}
	if ((changed = gdpr_erase(ctx->d->db, subject, dry, &cause)) == NULL) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		cJSON_Delete(matches);
		return -1;
	}
	cJSON_AddBoolToObject(ctx->reply, "dry_run", dry);
	cJSON_AddItemToObject(ctx->reply, "changed", changed);
	cJSON_AddItemToObject(ctx->reply, "matches", matches);
	ctx->details = cJSON_CreateObject();
	cJSON_AddItemToObject(ctx->details, "changed", cJSON_Duplicate(changed, 1));
	if (force)
		cJSON_AddBoolToObject(ctx->details, "force", 1);
	if (dry) {
		object = xprintf("%s (dry run)", ctx->object);
		free(ctx->object);
		ctx->object = object;
	} else
		ctx->committed = wal_truncate;
	return 0;
}
