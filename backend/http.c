/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

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

int
http_do(const struct http_request *rq, struct http_reply *rp, char **cause)
{
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
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rq->timeout_ms > 0 ? rq->timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "leitstand");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (rq->body != NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
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
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rp->status);
	else if (sink.too_big)
		*cause = xprintf("reply larger than %zu bytes", sink.max);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		*cause = xprintf("no answer within %lds", (rq->timeout_ms + 999) / 1000);
	else
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
}
