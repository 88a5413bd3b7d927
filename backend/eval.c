/* SPDX-License-Identifier: ISC */
/* The eval runner: every case's runs sent to the endpoint by a pool of threads, and the results. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/eval.h"
#include "backend/http.h"
#include "backend/json.h"
#include "backend/redact.h"
#include "backend/secret.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define EVAL_MAX_ANSWER		2000	/* bytes of an answer kept in the result */
#define EVAL_MAX_MESSAGE	200	/* bytes of an endpoint's error message */
#define EVAL_MAX_RETRY_AFTER	30.0	/* seconds */
#define EVAL_MAX_BACKOFF	8.0	/* seconds */

/* One run of one case, filled in by a worker. */
struct eval_slot {
	const cJSON	*c;
	char		*answer;	/* NULL: the run ended in an error */
	char		*why;		/* the first failed assertion or the error */
	int		 passed;
	double		 latency_ms;
	double		 prompt_tokens;
	double		 completion_tokens;
};

struct eval_pool {
	const struct eval_target *t;
	struct eval_slot	*slots;
	int			 n;
	int			 next;		/* the next slot to run, under lock */
	pthread_mutex_t		 lock;
	atomic_int		*done;
};

/* Cuts s in place to at most max bytes, at a UTF-8 character boundary. */
static void
eval_cut(char *s, size_t max)
{
	s[utf8_prefix(s, strlen(s), max)] = '\0';
}

static double
eval_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A uniform number in [0, 1) from a per-thread xorshift state: rand() is not thread-safe. */
static double
eval_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (double)(*state >> 11) / 9007199254740992.0;
}

static void
eval_sleep(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static char *
eval_body(const struct eval_target *t, const char *input)
{
	cJSON	*o, *msgs, *m;
	char	*body;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "model", t->model != NULL ? t->model : "");
	msgs = cJSON_AddArrayToObject(o, "messages");
	if (t->system != NULL && *t->system != '\0') {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "role", "system");
		cJSON_AddStringToObject(m, "content", t->system);
		cJSON_AddItemToArray(msgs, m);
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "user");
	cJSON_AddStringToObject(m, "content", input);
	cJSON_AddItemToArray(msgs, m);
	if (t->temperature >= 0)
		cJSON_AddNumberToObject(o, "temperature", t->temperature);
	if (t->max_tokens > 0)
		cJSON_AddNumberToObject(o, "max_tokens", (double)t->max_tokens);
	if ((body = cJSON_PrintUnformatted(o)) == NULL)
		fatal("out of memory");
	cJSON_Delete(o);
	return body;
}

/* The error of a reply that is not a 200, and whether another try may get an answer. */
static char *
eval_http_error(const struct eval_target *t, const struct http_reply *rp, int *retry)
{
	const cJSON	*e;
	const char	*msg, *code;
	cJSON		*o;
	char		*text, *why;

	o = rp->body.len > 0 ? cJSON_ParseWithLength(rp->body.data, rp->body.len) : NULL;
	e = cJSON_GetObjectItemCaseSensitive(o, "error");
	msg = json_str(e, "message", NULL);
	code = json_str(e, "code", "");
	/* Out of quota is a 429 too, but waiting does not refill it. */
	*retry = (rp->status == 429 && strcmp(code, "insufficient_quota") != 0) ||
	    rp->status == 500 || rp->status == 502 || rp->status == 503 || rp->status == 504;
	if (msg != NULL && *msg != '\0') {
		text = secret_scrub(xstrdup(msg), t->token, NULL);
		eval_cut(text, EVAL_MAX_MESSAGE);
		why = xprintf("HTTP %ld: %s", rp->status, text);
		free(text);
	} else
		why = xprintf("HTTP %ld", rp->status);
	cJSON_Delete(o);
	return why;
}

/* Takes the answer of a 200 and checks it; 0, or -1 with *why for a reply without one. */
static int
eval_answer(const struct http_reply *rp, struct eval_slot *s, char **why)
{
	const cJSON	*msg, *a;
	const char	*content;
	char		*cause = NULL, *fail;
	double		 v;
	cJSON		*o;

	if ((o = json_parse_body(rp->body.data, rp->body.len, &cause)) == NULL) {
		*why = xprintf("HTTP 200 with a reply that is %s", cause);
		free(cause);
		return -1;
	}
	msg = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(o, "choices"), 0), "message");
	if ((content = json_str(msg, "content", NULL)) == NULL) {
		*why = xstrdup("HTTP 200 without choices[0].message.content");
		cJSON_Delete(o);
		return -1;
	}
	s->answer = xstrdup(content);
	msg = cJSON_GetObjectItemCaseSensitive(o, "usage");
	if ((v = json_num(msg, "prompt_tokens")) >= 0)
		s->prompt_tokens = v;
	if ((v = json_num(msg, "completion_tokens")) >= 0)
		s->completion_tokens = v;
	cJSON_Delete(o);

	s->passed = 1;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(s->c, "assert")) {
		if (!eval_assert(a, s->answer, &fail)) {
			s->passed = 0;
			s->why = fail;
			break;
		}
	}
	return 0;
}

/* One run: the request, tried again on what waiting may fix. */
static void
eval_one(const struct eval_target *t, struct eval_slot *s, uint64_t *seed)
{
	struct http_request	 rq;
	struct http_reply	 rp;
	char			*body, *err, *why;
	double			 start, wait;
	int			 try, retry, tries = t->max_tries > 0 ? t->max_tries : 1;

	body = eval_body(t, json_str(s->c, "input", ""));
	memset(&rq, 0, sizeof rq);
	rq.url = t->url;
	rq.body = body;
	rq.bearer = t->token;
	rq.timeout_ms = t->timeout_ms;
	rq.abort = t->stop;
	for (try = 1;; try++) {
		err = why = NULL;
		start = eval_now_ms();
		if (http_do(&rq, &rp, &err) != 0) {
			retry = rp.transient;
			why = secret_scrub(err, t->token, NULL);
		} else if (rp.status == 200) {
			s->latency_ms = eval_now_ms() - start;
			retry = 0;
			if (eval_answer(&rp, s, &why) == 0) {
				http_reply_free(&rp);
				break;
			}
		} else
			why = eval_http_error(t, &rp, &retry);
		wait = rp.retry_after;
		http_reply_free(&rp);
		if (!retry || try >= tries) {
			s->why = try == 1 ? why : xprintf("%s (%d tries)", why, try);
			if (s->why != why)
				free(why);
			break;
		}
		free(why);
		if (t->stop != NULL && atomic_load(t->stop)) {
			s->why = xstrdup("stopped: the daemon is shutting down");
			break;
		}
		if (wait <= 0) {
			/* Exponential backoff, jittered so parallel runs spread out. */
			wait = ldexp(0.5, try - 1);
			wait = (wait < EVAL_MAX_BACKOFF ? wait : EVAL_MAX_BACKOFF) *
			    (0.75 + 0.5 * eval_random(seed));
		}
		eval_sleep(wait < EVAL_MAX_RETRY_AFTER ? wait : EVAL_MAX_RETRY_AFTER);
	}
	free(body);
}

static void *
eval_worker(void *arg)
{
	struct eval_pool	*p = arg;
	struct timespec		 ts;
	uint64_t		 seed;
	int			 i;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)&seed ^ 0x9e3779b97f4a7c15ULL;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next < p->n && (p->t->stop == NULL || !atomic_load(p->t->stop)) ?
		    p->next++ : -1;
		pthread_mutex_unlock(&p->lock);
		if (i < 0)
			break;
		eval_one(p->t, &p->slots[i], &seed);
		if (p->done != NULL)
			atomic_fetch_add(p->done, 1);
	}
	return NULL;
}

static int
eval_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Adds the median of n latencies as key (sorting them), or nothing when n is 0. */
static void
eval_median(cJSON *o, double *v, int n)
{
	double m;

	if (n == 0)
		return;
	qsort(v, (size_t)n, sizeof *v, eval_cmp);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	cJSON_AddNumberToObject(o, "latency_ms", round(m));
}

/* A stored copy of a text from the endpoint: redacted, then cut. */
static char *
eval_keep(const struct redactor *r, const char *text, size_t max)
{
	char *s = redact(r, text, NULL);

	eval_cut(s, max);
	return s;
}

/* The result of one case from its runs; adds to the totals. */
static cJSON *
eval_case_result(const struct eval_target *t, const struct redactor *r,
    const struct eval_slot *runs, int n, double *lat, int *passed, int *answers)
{
	const cJSON	*c = runs[0].c;
	const char	*answer = NULL, *why = NULL;
	double		 pt = 0, ct = 0, min;
	char		*keep;
	int		 i, ok = 0, nlat = 0;
	cJSON		*o;

	for (i = 0; i < n; i++) {
		ok += runs[i].passed;
		pt += runs[i].prompt_tokens;
		ct += runs[i].completion_tokens;
		if (runs[i].answer != NULL) {
			lat[nlat++] = runs[i].latency_ms;
			if (answer == NULL)
				answer = runs[i].answer;
		}
		if (why == NULL)
			why = runs[i].why;
	}
	min = json_num(c, "min_pass");
	if (!(min >= 1 && min <= n))
		min = n;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", json_str(c, "id", ""));
	cJSON_AddNumberToObject(o, "runs", n);
	cJSON_AddNumberToObject(o, "passed", ok);
	cJSON_AddBoolToObject(o, "pass", ok >= min);
	eval_median(o, lat, nlat);
	cJSON_AddNumberToObject(o, "prompt_tokens", pt);
	cJSON_AddNumberToObject(o, "completion_tokens", ct);
	if (t->price_in >= 0 && t->price_out >= 0)
		cJSON_AddNumberToObject(o, "cost", (pt * t->price_in + ct * t->price_out) / 1e6);
	if (answer != NULL) {
		keep = eval_keep(r, answer, EVAL_MAX_ANSWER);
		cJSON_AddStringToObject(o, "answer", keep);
		free(keep);
	}
	if (why != NULL) {
		keep = eval_keep(r, why, EVAL_MAX_ANSWER);
		cJSON_AddStringToObject(o, "why", keep);
		free(keep);
	}
	*passed += ok >= min;
	*answers += nlat;
	return o;
}

static int
eval_repeat(const cJSON *c)
{
	double r = json_num(c, "repeat");

	return r >= 1 && r <= EVAL_MAX_REPEAT ? (int)r : 1;
}

int
eval_total_runs(const cJSON *cases)
{
	const cJSON	*c;
	int		 n = 0;

	cJSON_ArrayForEach(c, cases)
		n += eval_repeat(c);
	return n;
}

cJSON *
eval_run(const struct eval_target *t, const cJSON *cases, atomic_int *done)
{
	struct eval_pool	 p;
	struct redactor		*own = NULL;
	const struct redactor	*r = t->redactor;
	const cJSON		*c;
	pthread_t		*th;
	double			*lat, pt = 0, ct = 0, cost;
	int			 i, k, n, nth, started = 0, passed = 0, answers = 0;
	int			 ncases = 0, errors = 0;
	cJSON			*res, *list, *o;

	memset(&p, 0, sizeof p);
	p.t = t;
	p.n = eval_total_runs(cases);
	p.done = done;
	p.slots = xcalloc((size_t)p.n + 1, sizeof *p.slots);
	i = 0;
	cJSON_ArrayForEach(c, cases) {
		for (k = eval_repeat(c); k > 0; k--)
			p.slots[i++].c = c;
	}

	/* Workers pull the next run; each writes only its own slots. */
	pthread_mutex_init(&p.lock, NULL);
	nth = t->concurrency > 1 ? t->concurrency : 1;
	if (nth > p.n)
		nth = p.n;
	th = xcalloc((size_t)nth + 1, sizeof *th);
	for (i = 0; i < nth; i++) {
		if (pthread_create(&th[started], NULL, eval_worker, &p) == 0)
			started++;
	}
	if (started == 0)
		eval_worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.lock);
	free(th);

	if (r == NULL)
		r = own = redactor_create(NULL, NULL, 0, 0, NULL);
	res = cJSON_CreateObject();
	list = cJSON_AddArrayToObject(res, "cases");
	lat = xcalloc((size_t)p.n + 1, sizeof *lat);
	for (i = 0; i < p.n; i += n) {
		for (n = 1; i + n < p.n && p.slots[i + n].c == p.slots[i].c; n++)
			;
		o = eval_case_result(t, r, &p.slots[i], n, lat, &passed, &answers);
		cJSON_AddItemToArray(list, o);
		pt += json_num(o, "prompt_tokens");
		ct += json_num(o, "completion_tokens");
		ncases++;
	}
	for (i = 0; i < p.n; i++)
		errors += p.slots[i].answer == NULL;
	cJSON_AddNumberToObject(res, "total", ncases);
	cJSON_AddNumberToObject(res, "passed", passed);
	cJSON_AddNumberToObject(res, "pass_rate", ncases > 0 ? (double)passed / ncases : 0);
	cJSON_AddNumberToObject(res, "runs", p.n);
	cJSON_AddNumberToObject(res, "errors", errors);
	cJSON_AddNumberToObject(res, "prompt_tokens", pt);
	cJSON_AddNumberToObject(res, "completion_tokens", ct);
	if (t->price_in >= 0 && t->price_out >= 0) {
		cost = (pt * t->price_in + ct * t->price_out) / 1e6;
		cJSON_AddNumberToObject(res, "cost", cost);
		if (answers > 0)
			cJSON_AddNumberToObject(res, "cost_per_answer", cost / answers);
	}
	for (i = n = 0; i < p.n; i++) {
		if (p.slots[i].answer != NULL)
			lat[n++] = p.slots[i].latency_ms;
	}
	eval_median(res, lat, n);

	for (i = 0; i < p.n; i++) {
		free(p.slots[i].answer);
		free(p.slots[i].why);
	}
	free(p.slots);
	free(lat);
	redactor_free(own);
	return res;
}
