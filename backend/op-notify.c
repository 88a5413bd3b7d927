/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/notify-format.h"
#include "backend/notify.h"
#include "backend/ops.h"
#include "backend/xmalloc.h"

/* One notify.test: its tries, answered together once the last has ended. */
struct trial {
	struct ops_later	*later;
	int			 pending;
	int			 n;
	enum notify_channel	 channel[NOTIFY_CHANNELS];
	cJSON			*result[NOTIFY_CHANNELS];
	int			 failed;
};

/* What one try came to, and who is waiting for it. */
struct trial_try {
	struct trial	*trial;
	int		 i;
};

static cJSON *
result_json(enum notify_channel c, const struct notify_result *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "channel", notify_channel_name(c));
	cJSON_AddBoolToObject(o, "ok", r->ok);
	if (!r->ok) {
		cJSON_AddBoolToObject(o, "transient", r->transient);
		cJSON_AddStringToObject(o, "error", r->error != NULL ? r->error : "failed");
	}
	if (r->detail != NULL)
		cJSON_AddStringToObject(o, "detail", r->detail);
	return o;
}

/* "email: sent (250 2.0.0 ...)" or "slack: failed: ...", one line per channel. */
static char *
trial_text(const struct trial *t)
{
	struct buf b;
	const char *detail, *error;
	int i, ok;

	buf_init(&b);
	for (i = 0; i < t->n; i++) {
		ok = cJSON_IsTrue(cJSON_GetObjectItem(t->result[i], "ok"));
		detail = cJSON_GetStringValue(cJSON_GetObjectItem(t->result[i], "detail"));
		error = cJSON_GetStringValue(cJSON_GetObjectItem(t->result[i], "error"));
		if (b.len > 0)
			buf_addch(&b, '\n');
		if (ok)
			buf_printf(&b, "%s: sent%s%s%s", notify_channel_name(t->channel[i]),
			    detail != NULL ? " (" : "", detail != NULL ? detail : "",
			    detail != NULL ? ")" : "");
		else
			buf_printf(&b, "%s: failed%s: %s", notify_channel_name(t->channel[i]),
			    cJSON_IsTrue(cJSON_GetObjectItem(t->result[i], "transient")) ?
			    " (may pass on another try)" : "", error != NULL ? error : "?");
	}
	return buf_take(&b);
}

static void
trial_finish(struct trial *t)
{
	cJSON *fields, *arr;
	char *text;
	int i;

	text = trial_text(t);
	if (t->failed) {
		ops_later_send(t->later, NULL, "unavailable", text);
		for (i = 0; i < t->n; i++)
			cJSON_Delete(t->result[i]);
	} else {
		fields = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(fields, "results");
		for (i = 0; i < t->n; i++)
			cJSON_AddItemToArray(arr, t->result[i]);
		ops_later_send(t->later, fields, NULL, NULL);
	}
	free(text);
	free(t);
}

static void
trial_done(void *arg, const struct notify_result *r)
{
	struct trial_try *tt = arg;
	struct trial *t = tt->trial;

	t->result[tt->i] = result_json(t->channel[tt->i], r);
	if (!r->ok)
		t->failed = 1;
	free(tt);
	if (--t->pending == 0)
		trial_finish(t);
}

/* notify.test: a test notice to a user over each of their channels (or one). */
int
op_notify_test(struct op_ctx *ctx)
{
	const struct config *cfg = ctx->d->cfg;
	const char *user = op_str(ctx, "user"), *want = op_str(ctx, "channel");
	enum notify_channel order[NOTIFY_CHANNELS];
	struct notify_result failed;
	struct notice n;
	struct trial *t;
	struct trial_try *tt;
	char *summary, *text, *cause = NULL;
	int i, k, c = -1;

	if (config_user(cfg, user) == NULL)
		return op_fail(ctx, "not_found", "no [user.%s] section in the config: nobody "
		    "to reach", user);
	k = notify_user_order(cfg, user, order);
	if (want != NULL) {
		if ((c = notify_channel_parse(want)) < 0)
			return op_fail(ctx, "invalid", "unknown channel \"%s\": email, slack, "
			    "teams, webhook or command", want);
		if ((notify_user_channels(cfg, user) & (1u << c)) == 0)
			return op_fail(ctx, "invalid", "%s is not a channel of user %s ([user.%s] "
			    "channels)", want, user, user);
	}
	if (k == 0)
		return op_fail(ctx, "invalid", "user %s has no channel configured ([user.%s])",
		    user, user);
	summary = xprintf("A test sent by %s with leitstand notify test: this channel "
	    "reaches you.", ctx->who->user != NULL ? ctx->who->user : "?");
	memset(&n, 0, sizeof n);
	n.event = "test";
	n.title = "Test notification";
	n.summary = summary;
	n.user = user;
	n.at = time(NULL);

	t = xcalloc(1, sizeof *t);
	for (i = 0; i < k; i++) {
		if (c < 0 || order[i] == (enum notify_channel)c)
			t->channel[t->n++] = order[i];
	}
	ctx->object = xprintf("user %s", user);
	ctx->details = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx->details, "event", "test");
	if (want != NULL)
		cJSON_AddStringToObject(ctx->details, "channel", want);
	/* The answer waits for every try; none comes back before this returns (callbacks
	   run on the loop), so the handle is taken after they are queued. */
	for (i = 0; i < t->n; i++) {
		tt = xcalloc(1, sizeof *tt);
		tt->trial = t;
		tt->i = i;
		if (notify_send(cfg, t->channel[i], &n, trial_done, tt, &cause) == 0) {
			t->pending++;
			continue;
		}
		memset(&failed, 0, sizeof failed);
		failed.transient = 1;
		failed.error = cause;
		t->result[i] = result_json(t->channel[i], &failed);
		t->failed = 1;
		free(cause);
		cause = NULL;
		free(tt);
	}
	free(summary);
	if (t->pending == 0) {
		text = trial_text(t);
		for (i = 0; i < t->n; i++)
			cJSON_Delete(t->result[i]);
		free(t);
		op_fail(ctx, "unavailable", "%s", text);
		free(text);
		return -1;
	}
	t->later = ops_later(ctx);
	return 0;
}
