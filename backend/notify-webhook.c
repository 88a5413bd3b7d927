/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "backend/notify-channel.h"
#include "backend/notify-format.h"
#include "backend/sanitize.h"
#include "backend/secret.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

/* A reply larger than this is no webhook's "ok". */
#define WEBHOOK_MAX_REPLY	(64 * 1024)

/* "slack webhook at https://host": never the path, which is the webhook's secret. */
static char *
where(const struct notify_target *t)
{
	const char *host = strstr(t->url, "://");
	size_t len = strlen(t->url);
	char *o, *s;

	if (host != NULL)
		len = (size_t)(host + 3 - t->url) + strcspn(host + 3, "/?#");
	o = sanitize_log(t->url, len);
	if (t->channel == NOTIFY_WEBHOOK)
		s = xprintf("webhook at %s", o);
	else
		s = xprintf("%s webhook at %s", notify_channel_name(t->channel), o);
	free(o);
	return s;
}

/* s (freed) without the URL's path and query, in any form a server may echo them. */
static char *
scrub(const struct notify_target *t, char *s)
{
	const char *path = strstr(t->url, "://");

	if (path != NULL && (path = strpbrk(path + 3, "/?#")) != NULL && path[1] != '\0') {
		s = secret_scrub(s, path, NULL);
		if (path[0] == '/' && strchr(path + 1, '/') != NULL)
			s = secret_scrub(s, strchr(path + 1, '/'), NULL);
	}
	return s;
}

/* The start of a text from the far end, one line, escaped, without the secret. */
static char *
excerpt(const struct notify_target *t, const char *s, size_t len)
{
	size_t cut = utf8_prefix(s, len, NOTIFY_MAX_DETAIL);
	char *raw = xstrndup(s, cut), *out;

	raw = scrub(t, raw);
	out = sanitize_log(raw, strlen(raw));
	free(raw);
	if (cut < len) {
		raw = out;
		out = xprintf("%s...", raw);
		free(raw);
	}
	return out;
}

void
notify_webhook_send(const struct notify_target *t, const struct notice *n,
    struct notify_result *res)
{
	struct http_request rq;
	struct http_reply r;
	const char *err;
	char *body, *at = where(t), *why = NULL, *said;
	long s;

	memset(res, 0, sizeof *res);
	if ((err = notify_url_check(t->url)) != NULL) {
		notify_fail(res, 0, "%s: %s", at, err);
		free(at);
		return;
	}
	body = notify_json(t->channel, n, NULL);
	memset(&rq, 0, sizeof rq);
	rq.url = t->url;
	rq.body = body;
	rq.timeout_ms = t->timeout_ms;
	rq.max_body = WEBHOOK_MAX_REPLY;
	if (http_do(&rq, &r, &why) != 0) {
		why = scrub(t, why);
		notify_fail(res, r.transient, "%s: %s", at, why);
		free(why);
		free(body);
		free(at);
		return;
	}
	s = r.status;
	said = excerpt(t, r.body.data != NULL ? r.body.data : "", r.body.len);
	if (s >= 200 && s < 300) {
		res->ok = 1;
		res->detail = xprintf("HTTP %ld%s%s", s, *said != '\0' ? ": " : "", said);
	} else if (s >= 300 && s < 400) {
		free(said);
		said = r.location != NULL ? excerpt(t, r.location, strlen(r.location)) :
		    xstrdup("(no Location)");
		notify_fail(res, 0, "%s: HTTP %ld redirects to %s: not followed (configure the "
		    "final URL)", at, s, said);
	} else
		notify_fail(res, s == 408 || s == 429 || s >= 500, "%s: HTTP %ld: %s", at, s,
		    *said != '\0' ? said : "(empty body)");
	free(said);
	http_reply_free(&r);
	free(body);
	free(at);
}
