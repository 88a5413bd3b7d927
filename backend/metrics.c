/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/curl-dl.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/metrics.h"
#include "backend/secret.h"
#include "backend/sanitize.h"
#include "backend/xmalloc.h"

/* A reply larger than this is not a KPI value: refuse it rather than grow without bound. */
#define METRICS_MAX_BODY	(16 * 1024 * 1024)

struct request {
	struct metrics	*m;
	CURL		*easy;
	struct buf	 body;
	char		*post;
	char		 errbuf[CURL_ERROR_SIZE];
	metrics_cb	 cb;
	void		*arg;
	int		 too_big;
	long long	 queued_at;	/* monotonic ms, while it waits for its turn */
	struct request	*next;
};

struct metrics {
	struct loop		*loop;
	const struct config	*cfg;
	CURLM			*multi;
	struct loop_timer	*timer;
	struct request		*requests;	/* in curl's hands */
	int			 running;
	int			 max_running;	/* 0: no limit */
	struct request		*waiting, **waiting_tail;	/* not sent yet, oldest first */
	int			 nwaiting;
	int			 max_waiting;
	unsigned long		 sent;
	struct curl_slist	*headers;
};

/* One watched socket of curl's. */
struct sock {
	struct metrics	*m;
	struct loop_io	*io;
};

static void	metrics_check_done(struct metrics *);

const char *
metrics_status_name(enum metrics_status s)
{
	static const char *const names[] = {
		"ok", "unreachable", "timeout", "http_error", "invalid_reply", "query_error"
	};

	return names[s];
}

static void
sock_event(int fd, short revents, void *arg)
{
	struct sock *s = arg;
	struct metrics *m = s->m;
	int running, flags = 0;

	if (revents & POLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP))
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(m->multi, fd, flags, &running);
	metrics_check_done(m);
}

static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct metrics *m = userp;
	struct sock *s = socketp;
	short events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			loop_io_remove(s->io);
			free(s);
		}
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= POLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= POLLOUT;
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->m = m;
		s->io = loop_io_add(m->loop, fd, events, sock_event, s);
		curl_multi_assign(m->multi, fd, s);
	} else
		loop_io_events(s->io, events);
	return 0;
}

static void
timer_fire(void *arg)
{
	struct metrics *m = arg;
	int running;

	m->timer = NULL;
	curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	metrics_check_done(m);
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct metrics *m = userp;

	(void)multi;
	loop_timer_remove(m->timer);
	m->timer = NULL;
	if (timeout_ms >= 0)
		m->timer = loop_timer_add(m->loop, timeout_ms, 0, timer_fire, m);
	return 0;
}

static size_t
write_cb(char *data, size_t size, size_t n, void *userp)
{
	struct request *r = userp;

	if (r->body.len + size * n > METRICS_MAX_BODY) {
		r->too_big = 1;
		return 0;
	}
	buf_add(&r->body, data, size * n);
	return size * n;
}

struct metrics *
metrics_create(struct loop *loop, const struct config *cfg, int max_running, int max_waiting,
    char **cause)
{
	struct metrics *m;

	if (curl_dl_load(cause) != 0)
		return NULL;
	m = xcalloc(1, sizeof *m);
	m->loop = loop;
	m->cfg = cfg;
	m->max_running = max_running;
	m->max_waiting = max_waiting;
	m->waiting_tail = &m->waiting;
	if ((m->multi = curl_multi_init()) == NULL)
		fatal("curl_multi_init failed");
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	/* A few kept-alive connections serve a whole poll cycle. */
	curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	m->headers = curl_slist_append(NULL, "Accept: application/json");
	return m;
}

static void
request_free(struct request *r)
{
	curl_multi_remove_handle(r->m->multi, r->easy);
	curl_easy_cleanup(r->easy);
	buf_free(&r->body);
	free(r->post);
	free(r);
}

/* Ends a request that never reached curl's transfer, with its reason. */
static void
request_fail(struct request *r, enum metrics_status status, char *error)
{
	struct metrics_result res;

	memset(&res, 0, sizeof res);
	res.status = status;
	res.error = error;
	r->cb(r->arg, &res);
	free(res.error);
	request_free(r);
}

void
metrics_free(struct metrics *m)
{
	struct request *r;

	if (m == NULL)
		return;
	while ((r = m->requests) != NULL || (r = m->waiting) != NULL) {
		if (r == m->requests)
			m->requests = r->next;
		else
			m->waiting = r->next;
		request_fail(r, METRICS_UNREACHABLE, xstrdup("cancelled: shutting down"));
	}
	loop_timer_remove(m->timer);
	curl_multi_cleanup(m->multi);
	curl_slist_free_all(m->headers);
	free(m);
}

unsigned long
metrics_requests(const struct metrics *m)
{
	return m->sent;
}

/* At most 120 bytes of a body, escaped, for an error message. */
static char *
body_excerpt(const struct buf *b)
{
	return sanitize_log(b->data != NULL ? b->data : "", b->len < 120 ? b->len : 120);
}

/* Turns a finished transfer into a result: the one place that knows every failure mode. */
static void
request_outcome(struct request *r, CURLcode code, struct metrics_result *res)
{
	const char *url = r->m->cfg->prom_url;
	char *cause = NULL, *excerpt;
	double secs = 0;
	long os_errno = 0;

	memset(res, 0, sizeof *res);
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res->http_status);
	curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME, &secs);
	curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &os_errno);
	res->seconds = secs;

	if (r->too_big) {
		res->status = METRICS_INVALID;
		res->error = xprintf("%s: reply larger than %d MiB", url,
		    METRICS_MAX_BODY >> 20);
		return;
	}
	switch (code) {
	case CURLE_OK:
		break;
	case CURLE_OPERATION_TIMEDOUT:
		res->status = METRICS_TIMEOUT;
		res->error = xprintf("%s: no answer within %llds", url,
		    r->m->cfg->prom_timeout);
		return;
	case CURLE_COULDNT_CONNECT:
		res->status = METRICS_UNREACHABLE;
		res->error = xprintf("%s: %s", url, os_errno != 0 ? strerror((int)os_errno) :
		    "cannot connect");
		return;
	default:
		res->status = METRICS_UNREACHABLE;
		res->error = xprintf("%s: %s", url, r->errbuf[0] != '\0' ? r->errbuf :
		    curl_easy_strerror(code));
		return;
	}

	/* Prometheus answers errors as JSON with 400, 422 and 503; anything else is not it. */
	if (prom_parse(r->body.data != NULL ? r->body.data : "", r->body.len, &res->resp,
	    &cause) != 0) {
		excerpt = body_excerpt(&r->body);
		if (res->http_status >= 200 && res->http_status < 300) {
			res->status = METRICS_INVALID;
			res->error = xprintf("%s: invalid reply: %s", url, cause);
		} else {
			res->status = METRICS_HTTP;
			res->error = xprintf("%s: upstream error: HTTP %ld: %s", url,
			    res->http_status, *excerpt != '\0' ? excerpt : "(empty body)");
		}
		free(excerpt);
		free(cause);
		return;
	}
	if (!res->resp.ok) {
		res->status = METRICS_QUERY;
		res->error = xprintf("Prometheus: %s: %s", res->resp.error_type,
		    res->resp.error);
		return;
	}
	res->status = METRICS_OK;
}

/* The outcome, with the credentials taken out of what an upstream may have echoed. */
static void
request_result(struct request *r, CURLcode code, struct metrics_result *res)
{
	const struct config *cfg = r->m->cfg;

	request_outcome(r, code, res);
	if (res->error != NULL) {
		res->error = secret_scrub(res->error, cfg->prom_token, NULL);
		res->error = secret_scrub(res->error, cfg->prom_password, cfg->prom_user);
	}
}

static void
request_send(struct metrics *m, struct request *r)
{
	r->next = m->requests;
	m->requests = r;
	m->running++;
	m->sent++;
	curl_multi_add_handle(m->multi, r->easy);
}

/* Sends waiting requests while there is room; one that waited longer than a query may take
   is answered at once instead: its client has waited long enough. */
static void
metrics_next(struct metrics *m)
{
	long long now = loop_now_ms(), waited;
	struct request *r;

	while (m->waiting != NULL && (m->max_running == 0 || m->running < m->max_running)) {
		r = m->waiting;
		if ((m->waiting = r->next) == NULL)
			m->waiting_tail = &m->waiting;
		m->nwaiting--;
		waited = now - r->queued_at;
		if (waited > m->cfg->prom_timeout * 1000) {
			request_fail(r, METRICS_TIMEOUT, xprintf("%s: not sent: waited %llds behind "
			    "other queries for consoles (at most %d at once); try again",
			    m->cfg->prom_url, waited / 1000, m->max_running));
			continue;
		}
		request_send(m, r);
	}
}

static void
metrics_check_done(struct metrics *m)
{
	struct metrics_result res;
	struct request **rp, *r;
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (rp = &m->requests; (r = *rp) != NULL; rp = &r->next) {
			if (r->easy == msg->easy_handle)
				break;
		}
		if (r == NULL)
			continue;
		*rp = r->next;
		m->running--;
		request_result(r, msg->data.result, &res);
		if (res.status != METRICS_OK)
			log_debug("metrics: %s", res.error);
		r->cb(r->arg, &res);
		prom_response_free(&res.resp);
		free(res.error);
		request_free(r);
	}
	metrics_next(m);
}

static void
metrics_start(struct metrics *m, const char *path, char *post, metrics_cb cb, void *arg)
{
	const struct config *cfg = m->cfg;
	struct request *r = xcalloc(1, sizeof *r);
	char *url;

	r->m = m;
	r->cb = cb;
	r->arg = arg;
	r->post = post;
	buf_init(&r->body);
	if ((r->easy = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	url = xprintf("%s%s%s", cfg->prom_url,
	    cfg->prom_url[strlen(cfg->prom_url) - 1] == '/' ? "" : "/", path);
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	if (r->post != NULL)
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->post);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, m->headers);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, cfg->prom_connect_timeout * 1000L);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, cfg->prom_timeout * 1000L);
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "leitstand");
	curl_easy_setopt(r->easy, CURLOPT_ACCEPT_ENCODING, "");
	if (cfg->prom_insecure) {
		curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (cfg->prom_token != NULL && *cfg->prom_token != '\0') {
		curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(r->easy, CURLOPT_XOAUTH2_BEARER, cfg->prom_token);
	} else if (cfg->prom_user != NULL && *cfg->prom_user != '\0') {
		curl_easy_setopt(r->easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(r->easy, CURLOPT_USERNAME, cfg->prom_user);
		curl_easy_setopt(r->easy, CURLOPT_PASSWORD, cfg->prom_password);
	}
	if (m->max_running == 0 || m->running < m->max_running) {
		request_send(m, r);
		return;
	}
	r->queued_at = loop_now_ms();
	*m->waiting_tail = r;
	m->waiting_tail = &r->next;
	m->nwaiting++;
}

int
metrics_full(const struct metrics *m, char **cause)
{
	if (m->max_waiting == 0 || m->nwaiting < m->max_waiting)
		return 0;
	*cause = xprintf("%d Prometheus queries for consoles are waiting (%d run at once); try "
	    "again in a few seconds", m->nwaiting, m->max_running);
	return 1;
}

/* Prometheus is asked to give up half a second before we do, so it reports its own timeout.
   Its durations take no fractions: milliseconds it is. */
static char *
server_timeout(const struct metrics *m)
{
	long long ms = m->cfg->prom_timeout * 1000 - 500;

	return xprintf("%lldms", ms < 500 ? 500 : ms);
}

static char *
form_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *copy;

	if (e == NULL)
		fatal("out of memory escaping a query");
	copy = xstrdup(e);
	curl_free(e);
	return copy;
}

void
metrics_query(struct metrics *m, const char *promql, metrics_cb cb, void *arg)
{
	metrics_query_at(m, promql, 0, cb, arg);
}

void
metrics_query_at(struct metrics *m, const char *promql, double at, metrics_cb cb, void *arg)
{
	char *q = form_escape(promql), *t = server_timeout(m), *when;

	when = at > 0 ? xprintf("&time=%.3f", at) : xstrdup("");
	metrics_start(m, "api/v1/query", xprintf("query=%s&timeout=%s%s", q, t, when), cb, arg);
	free(q);
	free(t);
	free(when);
}

void
metrics_query_range(struct metrics *m, const char *promql, double start, double end,
    double step, metrics_cb cb, void *arg)
{
	char *q = form_escape(promql), *t = server_timeout(m);

	metrics_start(m, "api/v1/query_range", xprintf("query=%s&start=%.3f&end=%.3f&step=%g"
	    "&timeout=%s", q, start, end, step, t), cb, arg);
	free(q);
	free(t);
}

void
metrics_get(struct metrics *m, const char *path, const char *const *params, metrics_cb cb,
    void *arg)
{
	struct buf url;
	char *v;
	size_t i;

	buf_init(&url);
	buf_addstr(&url, path);
	for (i = 0; params[i] != NULL; i += 2) {
		v = form_escape(params[i + 1]);
		buf_printf(&url, "%c%s=%s", i == 0 ? '?' : '&', params[i], v);
		free(v);
	}
	metrics_start(m, url.data, NULL, cb, arg);
	buf_free(&url);
}
