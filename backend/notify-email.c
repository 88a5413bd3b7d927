/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/curl-dl.h"
#include "backend/notify-channel.h"
#include "backend/notify-format.h"
#include "backend/sanitize.h"
#include "backend/secret.h"
#include "backend/xmalloc.h"

/* The message, handed to libcurl in pieces (it dot-stuffs lines itself). */
struct source {
	const char	*data;
	size_t		 len, off;
};

/* The last complete reply line the server sent. */
struct replies {
	char		 last[512];
	char		 line[512];
	size_t		 n;
};

static size_t
email_read(char *p, size_t size, size_t n, void *arg)
{
	struct source *s = arg;
	size_t want = size * n;

	if (want > s->len - s->off)
		want = s->len - s->off;
	memcpy(p, s->data + s->off, want);
	s->off += want;
	return want;
}

static int
email_debug(CURL *c, curl_infotype type, char *data, size_t len, void *arg)
{
	struct replies *r = arg;
	size_t i;

	(void)c;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	for (i = 0; i < len; i++) {
		if (data[i] == '\n') {
			while (r->n > 0 && r->line[r->n - 1] == '\r')
				r->n--;
			r->line[r->n] = '\0';
			if (r->n > 0)
				memcpy(r->last, r->line, r->n + 1);
			r->n = 0;
		} else if (r->n < sizeof r->line - 1)
			r->line[r->n++] = data[i];
	}
	return 0;
}

/* "smtp://host:port": the URL without its path, escaped. */
static char *
origin(const char *url)
{
	const char *host = strstr(url, "://");
	size_t len = strlen(url);

	if (host != NULL)
		len = (size_t)(host + 3 - url) + strcspn(host + 3, "/?#");
	return sanitize_log(url, len);
}

/* What the server said last, escaped, without the credentials. */
static char *
server_said(const struct notify_target *t, const struct replies *r)
{
	char *s = sanitize_log(r->last, strlen(r->last));

	s = secret_scrub(s, t->smtp_password, t->smtp_user);
	return s;
}

static void
email_failed(const struct notify_target *t, CURLcode rc, long code, long os_errno,
    const char *err, const struct replies *r, struct notify_result *res)
{
	char *where = origin(t->url), *said = server_said(t, r);
	const char *why = err[0] != '\0' ? err : curl_easy_strerror(rc);
	int transient;

	switch (rc) {
	case CURLE_LOGIN_DENIED:
		/* 454 "temporary authentication failure" is the server's trouble, not ours. */
		notify_fail(res, code >= 400 && code < 500, "SMTP at %s: authentication refused "
		    "(check [notify] smtp_user and smtp_password): %s", where, said);
		break;
	case CURLE_USE_SSL_FAILED:
		notify_fail(res, 0, "SMTP at %s: the server offers no STARTTLS "
		    "(smtp_starttls = always)", where);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		notify_fail(res, 0, "SMTP at %s: TLS: %s (is [notify] smtp_ca the CA of its "
		    "certificate?)", where, why);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		notify_fail(res, 1, "SMTP at %s: timeout: no answer within %ld ms%s%s", where,
		    t->timeout_ms, *said != '\0' ? "; last: " : "", said);
		break;
	case CURLE_COULDNT_CONNECT:
		notify_fail(res, 1, "SMTP at %s: %s", where, os_errno != 0 ?
		    strerror((int)os_errno) : why);
		break;
	default:
		/* A reply code says it best: 4xx may pass, 5xx will not. */
		if (code >= 400 && code < 600) {
			transient = code < 500;
			notify_fail(res, transient, "SMTP at %s: refused: %s", where, said);
		} else
			notify_fail(res, rc != CURLE_URL_MALFORMAT &&
			    rc != CURLE_UNSUPPORTED_PROTOCOL && rc != CURLE_NOT_BUILT_IN,
			    "SMTP at %s: %s", where, why);
		break;
	}
	res->error = secret_scrub(res->error, t->smtp_password, t->smtp_user);
	free(where);
	free(said);
}

void
notify_email_send(const struct notify_target *t, const struct notice *n,
    struct notify_result *res)
{
	struct curl_slist *rcpt = NULL;
	struct source src;
	struct replies r;
	char err[CURL_ERROR_SIZE] = "", *msg, *from, *to, *cause = NULL;
	long code = 0, os_errno = 0;
	CURLcode rc;
	CURL *c;

	memset(res, 0, sizeof *res);
	if (curl_dl_load(&cause) != 0 || (c = curl_easy_init()) == NULL) {
		notify_fail(res, 0, "e-mail: %s", cause != NULL ? cause :
		    "cannot initialise libcurl");
		free(cause);
		return;
	}
	msg = notify_email(n, t->from, t->to, t->message_id, time(NULL));
	src.data = msg;
	src.len = strlen(msg);
	src.off = 0;
	memset(&r, 0, sizeof r);
	from = xprintf("<%s>", t->from);
	to = xprintf("<%s>", t->to);
	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(c, CURLOPT_URL, t->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, t->timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, email_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &src);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE, (long)src.len);
	curl_easy_setopt(c, CURLOPT_USE_SSL, t->starttls == NOTIFY_STARTTLS_ALWAYS ?
	    (long)CURLUSESSL_ALL : t->starttls == NOTIFY_STARTTLS_TRY ? (long)CURLUSESSL_TRY :
	    (long)CURLUSESSL_NONE);
	if (t->smtp_user != NULL && *t->smtp_user != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, t->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, t->smtp_password != NULL ?
		    t->smtp_password : "");
	}
	if (t->smtp_ca != NULL && *t->smtp_ca != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, t->smtp_ca);
	/* The server's replies, for detail and errors: libcurl hands them to the debug
	   function only. */
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, email_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, &r);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
	if (rc == CURLE_OK) {
		res->ok = 1;
		res->detail = server_said(t, &r);
	} else
		email_failed(t, rc, code, os_errno, err, &r, res);
	/* The QUIT exchange of the cleanup is not this try's. */
	curl_easy_setopt(c, CURLOPT_VERBOSE, 0L);
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	free(from);
	free(to);
	free(msg);
}
