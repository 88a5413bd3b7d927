/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/json.h"
#include "backend/metrics.h"
#include "backend/poller.h"
#include "backend/release-kpis.h"
#include "backend/xmalloc.h"

/* A release's figures cover at most its last hour live, and at least a minute. */
#define WINDOW_MAX	3600
#define WINDOW_MIN	60

enum figure { FIG_REQUESTS, FIG_ERRORS, FIG_P95, FIG_FEEDBACK, FIG_TOKENS, FIG_COUNT };

static const char *const figure_names[FIG_COUNT] = {
	"requests", "error_rate", "latency_p95", "feedback", "cost_per_request"
};

/* Each figure's query; %1$s the release matcher, %2$s the window. */
static const char *const figure_queries[FIG_COUNT] = {
	"sum(increase(${ops_count}{%1$s}[%2$s]))",
	"100 * (sum(increase(${ops_count}{%1$s, ${error_type}!=\"\"}[%2$s])) or vector(0)) / "
	"sum(increase(${ops_count}{%1$s}[%2$s]))",
	"histogram_quantile(0.95, sum by (le) (increase(${ops_bucket}{%1$s}[%2$s])))",
	"100 * (sum(increase(assistant_feedback_total{%1$s, rating=\"positive\"}[%2$s])) or "
	"vector(0)) / sum(increase(assistant_feedback_total{%1$s}[%2$s]))",
	NULL,	/* the token vector: poller_tokens_by_model */
};

struct release_kpis_job {
	struct poller	*p;
	release_kpis_cb	 cb;
	void		*arg;
	cJSON		*out;
	int		 pending;
};

struct figure_ctx {
	struct release_kpis_job	*job;
	cJSON			*release;	/* the object its figure goes into */
	enum figure		 fig;
};

static void
job_done(struct release_kpis_job *job)
{
	const cJSON *r;
	const char *names[] = { "live", "previous" };
	double requests, money;
	size_t i;

	/* Cost per request: the money of the tokens over the requests of the same window. */
	for (i = 0; i < 2; i++) {
		if ((r = cJSON_GetObjectItem(job->out, names[i])) == NULL)
			continue;
		requests = json_num_or(r, "requests", NAN);
		money = json_num_or(r, "money", NAN);
		cJSON_DeleteItemFromObject((cJSON *)r, "money");
		if (isfinite(requests) && requests > 0 && isfinite(money))
			cJSON_AddNumberToObject((cJSON *)r, "cost_per_request", money / requests);
		else
			cJSON_AddNullToObject((cJSON *)r, "cost_per_request");
	}
	job->cb(job->arg, job->out, NULL);
	free(job);
}

static void
figure_done(void *arg, struct metrics_result *res)
{
	struct figure_ctx *ctx = arg;
	struct release_kpis_job *job = ctx->job;
	const struct prom_response *r = &res->resp;
	cJSON *errors;
	char *note = NULL;
	double v = NAN;

	if (res->status != METRICS_OK) {
		errors = cJSON_GetObjectItem(ctx->release, "errors");
		if (errors == NULL)
			errors = cJSON_AddObjectToObject(ctx->release, "errors");
		cJSON_AddStringToObject(errors, figure_names[ctx->fig], res->error);
	} else if (ctx->fig == FIG_TOKENS) {
		v = poller_cost(job->p, r, &note);
		cJSON_AddNumberToObject(ctx->release, "money", v);
		if (note != NULL)
			cJSON_AddStringToObject(ctx->release, "cost_note", note);
		free(note);
	} else if (r->nseries == 1 && r->series[0].nsamples > 0)
		v = r->series[0].samples[0].v;
	if (ctx->fig != FIG_TOKENS) {
		if (isfinite(v))
			cJSON_AddNumberToObject(ctx->release, figure_names[ctx->fig], v);
		else
			cJSON_AddNullToObject(ctx->release, figure_names[ctx->fig]);
	}
	free(ctx);
	if (--job->pending == 0)
		job_done(job);
}

/* Queries one release's figures over its window ending at `at` (0: now). */
static int
release_start(struct release_kpis_job *job, const char *label, const cJSON *row,
    const char *key, long window, double at, char **cause)
{
	struct figure_ctx *ctx;
	cJSON *rel = cJSON_AddObjectToObject(job->out, key);
	char matcher[256], win[32], *q, *expanded;
	long long n = (long long)json_num_or(row, "n", 0);
	int f;

	cJSON_AddNumberToObject(rel, "release", (double)n);
	cJSON_AddStringToObject(rel, "tag", json_str(row, "tag", ""));
	cJSON_AddNumberToObject(rel, "window", (double)window);
	cJSON_AddNumberToObject(rel, "at", at > 0 ? at : (double)time(NULL));
	snprintf(matcher, sizeof matcher, "%s=\"%lld\"", label, n);
	snprintf(win, sizeof win, "%lds", window);
	for (f = 0; f < FIG_COUNT; f++) {
		if (f == FIG_TOKENS)
			expanded = poller_tokens_by_model(job->p, matcher, win);
		else {
			q = xprintf(figure_queries[f], matcher, win);
			expanded = poller_expand(job->p, q, cause);
			free(q);
			if (expanded == NULL)
				return -1;
		}
		ctx = xcalloc(1, sizeof *ctx);
		ctx->job = job;
		ctx->release = rel;
		ctx->fig = f;
		job->pending++;
		if (poller_query_at(job->p, expanded, at, figure_done, ctx, cause) != 0) {
			job->pending--;
			free(ctx);
			free(expanded);
			return -1;
		}
		free(expanded);
	}
	return 0;
}

static long
clamp_window(double seconds)
{
	if (!(seconds > WINDOW_MIN))
		return WINDOW_MIN;
	return seconds > WINDOW_MAX ? WINDOW_MAX : (long)seconds;
}

void
release_kpis(struct poller *p, const char *label, const cJSON *live, const cJSON *previous,
    release_kpis_cb cb, void *arg)
{
	struct release_kpis_job *job = xcalloc(1, sizeof *job);
	double since = json_num_or(live, "created_at", 0);
	char *cause = NULL;
	int rc;

	job->p = p;
	job->cb = cb;
	job->arg = arg;
	job->out = cJSON_CreateObject();
	cJSON_AddStringToObject(job->out, "label", label);
	/* One more than the queries, so no reply completes the job while they are started. */
	job->pending = 1;
	rc = release_start(job, label, live, "live", clamp_window((double)time(NULL) - since), 0,
	    &cause);
	if (rc == 0 && previous != NULL)
		rc = release_start(job, label, previous, "previous",
		    clamp_window(since - json_num_or(previous, "created_at", 0)), since, &cause);
	if (rc != 0 && job->pending == 1) {
		cb(arg, NULL, cause);
		free(cause);
		cJSON_Delete(job->out);
		free(job);
		return;
	}
	free(cause);
	if (--job->pending == 0)
		job_done(job);
}
