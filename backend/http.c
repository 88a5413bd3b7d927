/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backend/curl-dl.h"
#include "backend/http.h"
#include "backend/xmalloc.h"

struct sink {
	struct buf	*b;
	size_t		 max;
	int		 too_big;
};

static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->b->len + size * n > s->max) {
		s->too_big = 1;
		return 0;
	}
	buf_add(s->b, p, size * n);
	return size * n;
}

/* Seconds until an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"), read without the locale; 0
   for a date passed or one that does not parse. */
static double
http_date_delta(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	char mon[4];
	const char *m;
	time_t t, now = time(NULL);

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &tm.tm_mday, mon, &tm.tm_year,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6 || strlen(mon) != 3 ||
	    (m = strstr(months, mon)) == NULL || (m - months) % 3 != 0)
		return 0;
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_year -= 1900;
	if ((t = timegm(&tm)) == (time_t)-1 || t <= now)
		return 0;
	return (double)(t - now);
}

void
http_header_line(struct http_reply *rp, const char *p, size_t len)
{
	static const char name[] = "Retry-After:";
	char v[64];
	size_t i = sizeof name - 1, k = 0;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		rp->retry_after = 0;
	if (len < i || strncasecmp(p, name, i) != 0)
		return;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (i < len && k < sizeof v - 1 && p[i] != '\r' && p[i] != '\n')
		v[k++] = p[i++];
	while (k > 0 && (v[k - 1] == ' ' || v[k - 1] == '\t'))
		k--;
	v[k] = '\0';
	if (k > 0 && strspn(v, "0123456789") == k)
		rp->retry_after = k > 9 ? 1e9 : strtod(v, NULL);
	else if (k > 0 && isalpha((unsigned char)v[0]))
		rp->retry_after = http_date_delta(v);
}

static size_t
http_header(char *p, size_t size, size_t n, void *arg)
{
	http_header_line(arg, p, size * n);
	return size * n;
}

/* Failures of the transfer itself that another try cannot fix. */
static int
http_transient(CURLcode code)
{
	switch (code) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
	case CURLE_LOGIN_DENIED:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_FUNCTION_NOT_FOUND:
	case CURLE_UNKNOWN_OPTION:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_WRITE_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
		return 0;
	default:
		return 1;
	}
}

/* Ends a transfer when its request's abort flag is set (checked about once a second). */
static int
http_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return atomic_load((atomic_int *)arg) != 0;
}

int
http_do(const struct http_request *rq, struct http_reply *rp, char **cause)
{
	long timeout = rq->timeout_ms > 0 ? rq->timeout_ms : 10000L, connect, os_errno = 0;
	struct curl_slist *hdr = NULL;
	const char *const *h;
	char err[CURL_ERROR_SIZE] = "";
	struct sink sink;
	CURLcode rc;
	CURL *c;

	memset(rp, 0, sizeof *rp);
	buf_init(&rp->body);
	if (curl_dl_load(cause) != 0)
		return -1;
	if ((c = curl_easy_init()) == NULL) {
		*cause = xstrdup("cannot initialise libcurl");
		return -1;
	}
	sink.b = &rp->body;
	sink.max = rq->max_body > 0 ? rq->max_body : 1024 * 1024;
	sink.too_big = 0;
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* A redirect is an answer: whoever asked decides (a webhook's never is followed). */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	connect = rq->connect_ms > 0 ? rq->connect_ms : timeout < 10000 ? timeout : 10000;
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "leitstand");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rp);
	if (rq->abort != NULL) {
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, rq->abort);
	}
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (rq->body != NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		/* No "100-continue" round trip for a large body. */
		hdr = curl_slist_append(hdr, "Expect:");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body));
	}
	for (h = rq->headers; h != NULL && *h != NULL; h++)
		hdr = curl_slist_append(hdr, *h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (rq->method != NULL)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->bearer != NULL && *rq->bearer != '\0') {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, rq->bearer);
	} else if (rq->user != NULL && *rq->user != '\0') {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, rq->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, rq->password != NULL ? rq->password : "");
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
	rp->transient = rc != CURLE_OK && !sink.too_big && http_transient(rc);
	/* Known even when the transfer failed after the headers (a body too large). */
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rp->status);
	if (rc == CURLE_OK && rp->status >= 300 && rp->status < 400) {
		char *loc = NULL;

		if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc != NULL)
			rp->location = xstrdup(loc);
	}
	if (rc != CURLE_OK && sink.too_big && sink.max % (1024 * 1024) == 0)
		*cause = xprintf("reply larger than %zu MiB", sink.max >> 20);
	else if (rc != CURLE_OK && sink.too_big)
		*cause = xprintf("reply larger than %zu bytes", sink.max);
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		*cause = xstrdup("stopped");
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		*cause = xprintf("timeout: no answer within %ld ms", timeout);
	else if (rc == CURLE_COULDNT_CONNECT && os_errno != 0)
		*cause = xstrdup(strerror((int)os_errno));
	else if (rc != CURLE_OK)
		*cause = xstrdup(err[0] != '\0' ? err : curl_easy_strerror(rc));
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		buf_free(&rp->body);
		return -1;
	}
	return 0;
}

void
http_reply_free(struct http_reply *rp)
{
	buf_free(&rp->body);
	free(rp->location);
	rp->location = NULL;
}
