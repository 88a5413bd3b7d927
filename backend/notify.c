/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "backend/config.h"
#include "backend/job.h"
#include "backend/notify-channel.h"
#include "backend/notify-format.h"
#include "backend/notify.h"
#include "backend/tz.h"
#include "backend/xmalloc.h"

_Static_assert(USER_CHANNELS == NOTIFY_CHANNELS, "[user.NAME] knows every channel");

/* One try: the notice and target copied, the result filled on the worker. */
struct notify_try {
	struct notice		 n;
	char			*strings[7];	/* the notice's, copied */
	struct notify_target	 t;
	struct notify_result	 res;
	notify_cb		 cb;
	void			*arg;
};

void
notify_fail(struct notify_result *res, int transient, const char *fmt, ...)
{
	va_list ap;

	res->ok = 0;
	res->transient = transient;
	free(res->error);
	va_start(ap, fmt);
	xvasprintf(&res->error, fmt, ap);
	va_end(ap);
}

unsigned
notify_user_channels(const struct config *cfg, const char *user)
{
	const struct user_def *u = config_user(cfg, user);
	unsigned mask = 0;
	int i;

	for (i = 0; u != NULL && i < u->norder; i++)
		mask |= 1u << u->order[i];
	return mask;
}

int
notify_user_order(const struct config *cfg, const char *user,
    enum notify_channel out[NOTIFY_CHANNELS])
{
	const struct user_def *u = config_user(cfg, user);
	int i;

	for (i = 0; u != NULL && i < u->norder; i++)
		out[i] = (enum notify_channel)u->order[i];
	return u != NULL ? u->norder : 0;
}

int
notify_quiet(const struct config *cfg, const char *user, time_t t)
{
	const struct user_def *u = config_user(cfg, user);
	struct tm tm;

	if (u == NULL || u->quiet_from < 0)
		return 0;
	tz_local(u->timezone != NULL && *u->timezone != '\0' ? u->timezone : NULL, t, &tm);
	return notify_quiet_in(u->quiet_from, u->quiet_to, tm.tm_hour * 60 + tm.tm_min);
}

char *
notify_host(const struct config *cfg)
{
	char host[256];

	if (cfg->notify_host != NULL && *cfg->notify_host != '\0')
		return xstrdup(cfg->notify_host);
	if (gethostname(host, sizeof host) != 0 || *host == '\0')
		return xstrdup("localhost");
	host[sizeof host - 1] = '\0';
	return xstrdup(host);
}

char *
notify_from(const struct config *cfg)
{
	char *host, *from;

	if (cfg->notify_from != NULL && *cfg->notify_from != '\0')
		return xstrdup(cfg->notify_from);
	host = notify_host(cfg);
	/* A host name without a dot is no mail domain a server accepts as is. */
	from = xprintf("leitstand@%s%s", host, strchr(host, '.') == NULL ? ".localdomain" : "");
	free(host);
	return from;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
try_free(struct notify_try *tr)
{
	size_t i;

	for (i = 0; i < sizeof tr->strings / sizeof tr->strings[0]; i++)
		free(tr->strings[i]);
	free(tr->t.url);
	free(tr->t.to);
	free(tr->t.from);
	free(tr->t.smtp_user);
	free(tr->t.smtp_password);
	free(tr->t.smtp_ca);
	free(tr->t.message_id);
	notify_argv_free(tr->t.argv);
	free(tr->t.phone);
	free(tr->res.error);
	free(tr->res.detail);
	free(tr);
}

static void
try_work(void *arg)
{
	struct notify_try *tr = arg;

	switch (tr->t.channel) {
	case NOTIFY_EMAIL:
		notify_email_send(&tr->t, &tr->n, &tr->res);
		break;
	case NOTIFY_COMMAND:
		notify_command_run(&tr->t, &tr->n, &tr->res);
		break;
	default:
		notify_webhook_send(&tr->t, &tr->n, &tr->res);
		break;
	}
}

static void
try_done(void *arg)
{
	struct notify_try *tr = arg;

	if (!tr->res.ok && tr->res.error == NULL)
		tr->res.error = xstrdup("failed");
	tr->cb(tr->arg, &tr->res);
	try_free(tr);
}

/* "leitstand.42.opened.1764668617.9f3a...@domain" */
static char *
message_id(const struct notice *n, const char *from)
{
	unsigned char r[8];
	const char *at = strchr(from, '@');
	size_t i;
	char hex[17];

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		memset(r, 0, sizeof r);
	for (i = 0; i < sizeof r; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	return xprintf("leitstand.%lld.%lld.%s@%s", n->incident, (long long)n->at, hex,
	    at != NULL ? at + 1 : "localhost");
}

/* The target of a channel from the config; -1 with *cause when it is not configured. */
static int
target_fill(const struct config *cfg, const struct user_def *u, enum notify_channel c,
    const struct notice *n, struct notify_target *t, char **cause)
{
	const char *url = NULL;

	t->channel = c;
	t->timeout_ms = (long)cfg->notify_timeout * 1000;
	switch (c) {
	case NOTIFY_EMAIL:
		if (cfg->notify_smtp_url == NULL || *cfg->notify_smtp_url == '\0') {
			*cause = xstrdup("no [notify] smtp_url configured");
			return -1;
		}
		t->url = xstrdup(cfg->notify_smtp_url);
		t->to = xstrdup(u->email);
		t->from = notify_from(cfg);
		if (notify_address_check(t->from) != NULL) {
			*cause = xprintf("the sender %s is no address a mail server takes: set "
			    "[notify] from", t->from);
			return -1;
		}
		t->smtp_user = dup_or_null(cfg->notify_smtp_user);
		t->smtp_password = dup_or_null(cfg->notify_smtp_password);
		t->smtp_ca = dup_or_null(cfg->notify_smtp_ca);
		t->starttls = cfg->notify_smtp_starttls == NULL ? NOTIFY_STARTTLS_TRY :
		    strcmp(cfg->notify_smtp_starttls, "always") == 0 ? NOTIFY_STARTTLS_ALWAYS :
		    strcmp(cfg->notify_smtp_starttls, "no") == 0 ? NOTIFY_STARTTLS_NO :
		    NOTIFY_STARTTLS_TRY;
		t->message_id = message_id(n, t->from);
		return 0;
	case NOTIFY_SLACK:
		url = u->slack;
		break;
	case NOTIFY_TEAMS:
		url = u->teams;
		break;
	case NOTIFY_WEBHOOK:
		url = u->webhook;
		break;
	case NOTIFY_COMMAND:
		if (cfg->notify_command == NULL || *cfg->notify_command == '\0') {
			*cause = xstrdup("no [notify] command configured");
			return -1;
		}
		t->argv = notify_command_argv(cfg->notify_command);
		t->phone = dup_or_null(u->phone);
		t->timeout_ms = (long)cfg->notify_command_timeout * 1000;
		return 0;
	default:
		*cause = xstrdup("unknown channel");
		return -1;
	}
	t->url = xstrdup(url != NULL ? url : "");
	return 0;
}

int
notify_send(const struct config *cfg, enum notify_channel c, const struct notice *n,
    notify_cb cb, void *arg, char **cause)
{
	const struct user_def *u = config_user(cfg, n->user);
	struct notify_try *tr;

	if (c < 0 || c >= NOTIFY_CHANNELS) {
		*cause = xstrdup("unknown channel");
		return -1;
	}
	if (u == NULL) {
		*cause = xprintf("%.64s has no [user.%.64s] section: no way to reach them",
		    n->user != NULL ? n->user : "(nobody)", n->user != NULL ? n->user : "?");
		return -1;
	}
	if ((notify_user_channels(cfg, n->user) & (1u << c)) == 0) {
		*cause = xprintf("%s is not a channel of user %s ([user.%s])",
		    notify_channel_name(c), u->name, u->name);
		return -1;
	}
	if (job_full(JOB_NOTIFY, cause) != 0)
		return -1;
	tr = xcalloc(1, sizeof *tr);
	tr->n = *n;
	tr->n.event = tr->strings[0] = dup_or_null(n->event);
	tr->n.title = tr->strings[1] = dup_or_null(n->title);
	tr->n.status = tr->strings[2] = dup_or_null(n->status);
	tr->n.summary = tr->strings[3] = dup_or_null(n->summary);
	tr->n.ack_command = tr->strings[4] = dup_or_null(n->ack_command);
	tr->n.user = tr->strings[5] = dup_or_null(n->user);
	tr->cb = cb;
	tr->arg = arg;
	if (target_fill(cfg, u, c, &tr->n, &tr->t, cause) != 0 ||
	    job_start(JOB_NOTIFY, try_work, try_done, tr, cause) != 0) {
		try_free(tr);
		return -1;
	}
	return 0;
}
