/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/cost.h"
#include "backend/dialect.h"
#include "backend/discover.h"
#include "backend/doctor.h"
#include "backend/kpi.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/metrics.h"
#include "backend/poller.h"
#include "backend/proto.h"
#include "backend/xmalloc.h"

/* The vectors of token counts the cost KPIs need; each is queried once per cycle. */
enum cost_query {
	COST_RATE,		/* tokens per second, last 5 minutes */
	COST_REQUESTS,		/* requests per second */
	COST_TODAY,		/* tokens since local midnight */
	COST_MONTH,		/* tokens since the 1st */
	COST_RECENT,		/* tokens in the last hour, for the daily rate */
	COST_COUNT
};

struct cost_result {
	int	 wanted;
	int	 done;
	double	 value;		/* money, or requests per second */
	char	*error;
	char	*note;
};

struct poller {
	struct loop		*loop;
	const struct config	*cfg;
	struct metrics		*metrics;	/* the polls and the poller's own look-ups */
	struct metrics		*adhoc;		/* what clients ask for, a few at a time */
	struct loop_timer	*timer;
	poller_event_cb		 event_cb;
	void			*event_arg;
	struct kpi		*kpis;
	size_t			 nkpis;

	unsigned		 cycle;
	int			 inflight;
	long long		 cycle_start;	/* monotonic ms */
	double			 cycle_ms, slowest_ms, slowest_now;
	time_t			 polled;
	char			*source_error;	/* the last failure reaching Prometheus */
	int			 source_ok;
	struct cost_result	 cost[COST_COUNT];
	int			 unreachable;	/* failures of this cycle that were not query errors */
	int			 closing;	/* cancelled queries only free their context */

	struct dialect		 dialect;	/* what ${placeholders} stand for now */
	struct discovery	*discovery;	/* the last look-up; NULL before the first */
	int			 discovering;
	int			 ready;		/* the queries are built: polls may run */
	time_t			 discover_next;	/* earliest look-up again while data is missing */
	int			 discover_misses;	/* look-ups in a row that found nothing */
	char			*requests_query;	/* [cost] for the dialect */
	char			*type_label;
	char			**model_labels;
	size_t			 nmodel_labels;
};

/* Which query a reply belongs to. */
struct query_ctx {
	struct poller	*p;
	int		 kpi;		/* index, or -1 for a cost query */
	enum cost_query	 cost;
};

static void	poller_cycle(void *);
static void	poller_discover(struct poller *);

static int
kpi_wants(const struct kpi_def *d, enum cost_query q)
{
	switch (d->kind) {
	case KPI_COST_PER_REQUEST:
		return q == COST_RATE || q == COST_REQUESTS;
	case KPI_SPEND_TODAY:
		return q == COST_TODAY;
	case KPI_SPEND_MONTH:
		return q == COST_MONTH;
	case KPI_FORECAST:
		return q == COST_MONTH || q == COST_RECENT;
	default:
		return 0;
	}
}

/* The one value of an instant query, or NAN with the reason. */
static double
single_value(const struct metrics_result *res, char **error)
{
	const struct prom_response *r = &res->resp;

	*error = NULL;
	if (res->status != METRICS_OK) {
		*error = xstrdup(res->error);
		return NAN;
	}
	if (r->type != PROM_VECTOR && r->type != PROM_SCALAR) {
		*error = xstrdup("the query returns a range vector; a KPI needs one value");
		return NAN;
	}
	if (r->nseries == 0 || r->series[0].nsamples == 0) {
		*error = xstrdup("no data: the query returned nothing (leitstand kpi doctor says why)");
		return NAN;
	}
	if (r->nseries > 1) {
		*error = xprintf("the query returned %zu series; a KPI needs one (aggregate it, "
		    "e.g. with sum)", r->nseries);
		return NAN;
	}
	if (isnan(r->series[0].samples[0].v)) {
		*error = xstrdup("no data: the value is NaN (nothing to divide by?)");
		return NAN;
	}
	return r->series[0].samples[0].v;
}

static char *
warnings_note(const struct metrics_result *res)
{
	if (res->status != METRICS_OK || res->resp.nwarnings == 0)
		return NULL;
	return xprintf("partial: %s", res->resp.warnings[0]);
}

static void
publish_state(struct poller *p, const struct kpi *k, enum kpi_level from)
{
	cJSON *ev = proto_event("kpi.state");

	cJSON_AddStringToObject(ev, "name", k->def->name);
	cJSON_AddStringToObject(ev, "title", k->def->title);
	cJSON_AddStringToObject(ev, "from", kpi_level_name(from));
	cJSON_AddStringToObject(ev, "to", kpi_level_name(k->level));
	cJSON_AddStringToObject(ev, "unit", k->def->unit);
	cJSON_AddNumberToObject(ev, "precision", (double)k->def->precision);
	if (k->level != KPI_UNKNOWN)
		cJSON_AddNumberToObject(ev, "value", k->value);
	else
		cJSON_AddStringToObject(ev, "error", k->error);
	log_debug("kpi %s: %s -> %s", k->def->name, kpi_level_name(from),
	    kpi_level_name(k->level));
	p->event_cb(p->event_arg, ev);
}

static void
kpi_set(struct poller *p, struct kpi *k, double v, const char *error, char *note, time_t now)
{
	enum kpi_level from = k->level;

	free(k->note);
	k->note = note;
	if (kpi_update(k, v, error, now))
		publish_state(p, k, from);
}

static void
cost_kpis(struct poller *p, time_t now)
{
	struct cost_result *c = p->cost;
	struct kpi *k;
	const char *error;
	char *note;
	double v;
	size_t i;
	int q;

	for (i = 0; i < p->nkpis; i++) {
		k = &p->kpis[i];
		if (k->def->kind == KPI_QUERY)
			continue;
		error = NULL;
		note = NULL;
		for (q = 0; q < COST_COUNT; q++) {
			if (kpi_wants(k->def, q) && c[q].error != NULL && error == NULL)
				error = c[q].error;
			if (kpi_wants(k->def, q) && c[q].note != NULL && note == NULL)
				note = xstrdup(c[q].note);
		}
		v = NAN;
		if (error == NULL) {
			switch (k->def->kind) {
			case KPI_COST_PER_REQUEST:
				if (c[COST_REQUESTS].value > 0)
					v = c[COST_RATE].value / c[COST_REQUESTS].value;
				else
					error = "no requests in the last 5 minutes";
				break;
			case KPI_SPEND_TODAY:
				v = c[COST_TODAY].value;
				break;
			case KPI_SPEND_MONTH:
				v = c[COST_MONTH].value;
				break;
			case KPI_FORECAST:
				v = cost_forecast(c[COST_MONTH].value, c[COST_RECENT].value * 24, now);
				break;
			default:
				break;
			}
		}
		kpi_set(p, k, v, error, note, now);
	}
}

static void
poller_publish(struct poller *p)
{
	cJSON *ev = poller_snapshot(p), *e = proto_event("kpi"), *item;

	/* The snapshot's fields after "event". */
	while ((item = ev->child) != NULL) {
		cJSON_DetachItemViaPointer(ev, item);
		cJSON_AddItemToObject(e, item->string, item);
	}
	cJSON_Delete(ev);
	p->event_cb(p->event_arg, e);
}

/* A KPI written with ${placeholders} has no data: the source may speak another dialect now. */
static int
missing_data(const struct poller *p)
{
	size_t i;

	if (strcmp(p->cfg->prom_dialect, "auto") != 0)
		return 0;
	for (i = 0; i < p->nkpis; i++) {
		if (p->kpis[i].def->kind == KPI_QUERY && p->kpis[i].level == KPI_UNKNOWN &&
		    dialect_templated(p->kpis[i].def->query))
			return 1;
	}
	return 0;
}

static void
cycle_done(struct poller *p)
{
	time_t now = time(NULL);
	int q;

	cost_kpis(p, now);
	p->cycle_ms = (double)(loop_now_ms() - p->cycle_start);
	p->slowest_ms = p->slowest_now;
	p->polled = now;
	p->source_ok = p->unreachable == 0;
	if (p->source_ok) {
		free(p->source_error);
		p->source_error = NULL;
	}
	for (q = 0; q < COST_COUNT; q++) {
		free(p->cost[q].error);
		free(p->cost[q].note);
		memset(&p->cost[q], 0, sizeof p->cost[q]);
	}
	poller_publish(p);
	/* A look-up the source's failure cut short is repeated as soon as it answers. */
	if (p->source_ok && missing_data(p) && (now >= p->discover_next ||
	    (p->discovery != NULL && p->discovery->error != NULL)))
		poller_discover(p);
}

static void
query_done(void *arg, struct metrics_result *res)
{
	struct query_ctx *ctx = arg;
	struct poller *p = ctx->p;
	struct cost_result *c;
	char *error = NULL;
	double v;

	if (p->closing) {
		free(ctx);
		return;
	}
	if (res->seconds * 1000 > p->slowest_now)
		p->slowest_now = res->seconds * 1000;
	if (res->status != METRICS_OK && res->status != METRICS_QUERY) {
		p->unreachable++;
		free(p->source_error);
		p->source_error = xstrdup(res->error);
	}
	if (ctx->kpi >= 0) {
		v = single_value(res, &error);
		kpi_set(p, &p->kpis[ctx->kpi], v, error, warnings_note(res), time(NULL));
		free(error);
	} else {
		c = &p->cost[ctx->cost];
		c->done = 1;
		if (res->status != METRICS_OK)
			c->error = xstrdup(res->error);
		else if (ctx->cost == COST_REQUESTS) {
			c->value = single_value(res, &c->error);
		} else
			c->value = cost_of(p->cfg, &res->resp,
			    (const char *const *)p->model_labels, p->nmodel_labels, p->type_label,
			    &c->note);
		if (c->note == NULL)
			c->note = warnings_note(res);
	}
	free(ctx);
	if (--p->inflight == 0)
		cycle_done(p);
}

static void
query_start(struct poller *p, const char *promql, int kpi, enum cost_query cost)
{
	struct query_ctx *ctx = xcalloc(1, sizeof *ctx);

	ctx->p = p;
	ctx->kpi = kpi;
	ctx->cost = cost;
	p->inflight++;
	metrics_query(p->metrics, promql, query_done, ctx);
}

/* The token vector by model and type: fn over a window, of the series with these matchers
   (none: NULL), in the dialect in force. */
static char *
tokens_vector(struct poller *p, const char *fn, const char *matchers, const char *window)
{
	const struct config *cfg = p->cfg;
	char *q, *expanded, *cause = NULL;

	q = xprintf("sum by (%s, %s) (%s(%s%s%s%s[%s]))", cfg->model_label, cfg->type_label, fn,
	    cfg->tokens_metric, matchers != NULL ? "{" : "", matchers != NULL ? matchers : "",
	    matchers != NULL ? "}" : "", window);
	/* The config check has tried every placeholder: this cannot fail. */
	if ((expanded = dialect_expand(&p->dialect, cfg, q, &cause)) == NULL)
		fatal("%s", cause);
	free(q);
	return expanded;
}

/* The token vector query for a window, e.g. "increase(...[3600s])". */
static char *
tokens_query(struct poller *p, const char *fn, long seconds)
{
	char window[32];

	snprintf(window, sizeof window, "%lds", seconds < 60 ? 60 : seconds);
	return tokens_vector(p, fn, NULL, window);
}

static void
poller_cycle(void *arg)
{
	struct poller *p = arg;
	time_t now = time(NULL);
	char *q;
	size_t i;
	int c;

	if (p->inflight > 0 || !p->ready) {
		log_debug("poll cycle %u still running: skipping a tick", p->cycle);
		return;
	}
	p->cycle++;
	p->cycle_start = loop_now_ms();
	p->slowest_now = 0;
	p->unreachable = 0;
	for (c = 0; c < COST_COUNT; c++) {
		for (i = 0; i < p->nkpis; i++) {
			if (kpi_wants(p->kpis[i].def, c))
				p->cost[c].wanted = 1;
		}
	}
	for (c = 0; c < COST_COUNT; c++) {
		if (!p->cost[c].wanted)
			continue;
		switch (c) {
		case COST_RATE:
			q = tokens_query(p, "rate", 300);
			break;
		case COST_REQUESTS:
			q = xstrdup(p->requests_query);
			break;
		case COST_TODAY:
			q = tokens_query(p, "increase", cost_since_midnight(now));
			break;
		case COST_MONTH:
			q = tokens_query(p, "increase", cost_since_month_start(now));
			break;
		default:
			q = tokens_query(p, "increase", 3600);
			break;
		}
		query_start(p, q, -1, c);
		free(q);
	}
	for (i = 0; i < p->nkpis; i++) {
		if (p->kpis[i].def->kind == KPI_QUERY)
			query_start(p, p->kpis[i].query, (int)i, 0);
	}
	if (p->inflight == 0)
		cycle_done(p);
}

static void
history_done(void *arg, struct metrics_result *res)
{
	struct query_ctx *ctx = arg;
	struct kpi *k = &ctx->p->kpis[ctx->kpi];
	const struct prom_series *s;
	size_t i;

	if (!ctx->p->closing && res->status == METRICS_OK && res->resp.type == PROM_MATRIX && res->resp.nseries == 1) {
		s = &res->resp.series[0];
		for (i = 0; i < s->nsamples; i++)
			kpi_history_add(k, s->samples[i].v, (time_t)s->samples[i].t);
	}
	free(ctx);
}

/* The sparkline spans prometheus.history in KPI_HISTORY points. */
static long
poller_bucket(const struct config *cfg)
{
	long b = (long)(cfg->prom_history / KPI_HISTORY);

	return b > 0 ? b : 1;
}

/* A placeholder's name as the source spells it, without the quotes of a dotted one. */
static char *
label_name(struct poller *p, const char *text)
{
	char *name, *cause = NULL;
	size_t n;

	if ((name = dialect_expand(&p->dialect, p->cfg, text, &cause)) == NULL)
		fatal("%s", cause);
	n = strlen(name);
	if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
		memmove(name, name + 1, n - 2);
		name[n - 2] = '\0';
	}
	return name;
}

char *
poller_label(struct poller *p, const char *placeholder)
{
	return label_name(p, placeholder);
}

/* The queries of the dialect in force: every KPI's and the cost ones. */
static void
poller_build(struct poller *p)
{
	const struct config *cfg = p->cfg;
	const char *s, *e;
	char *cause = NULL, *one;
	size_t i;

	for (i = 0; i < p->nkpis; i++) {
		if (p->kpis[i].def->kind != KPI_QUERY)
			continue;
		free(p->kpis[i].query);
		if ((p->kpis[i].query = dialect_expand(&p->dialect, cfg, p->kpis[i].def->query,
		    &cause)) == NULL)
			fatal("%s", cause);
	}
	free(p->requests_query);
	if ((p->requests_query = dialect_expand(&p->dialect, cfg, cfg->requests_query,
	    &cause)) == NULL)
		fatal("%s", cause);
	free(p->type_label);
	p->type_label = label_name(p, cfg->type_label);
	for (i = 0; i < p->nmodel_labels; i++)
		free(p->model_labels[i]);
	free(p->model_labels);
	p->model_labels = NULL;
	p->nmodel_labels = 0;
	for (s = cfg->model_label; *s != '\0'; s = *e != '\0' ? e + 1 : e) {
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e)
			continue;
		one = xstrndup(s, (size_t)(e - s));
		p->model_labels = xreallocarray(p->model_labels, p->nmodel_labels + 1,
		    sizeof *p->model_labels);
		p->model_labels[p->nmodel_labels++] = label_name(p, one);
		free(one);
	}
}

/* Queries are built: fill the sparklines and start polling. */
static void
poller_ready(struct poller *p)
{
	const struct config *cfg = p->cfg;
	struct query_ctx *ctx;
	time_t now = time(NULL);
	size_t i;

	poller_build(p);
	p->ready = 1;
	for (i = 0; i < p->nkpis; i++) {
		if (p->kpis[i].def->kind != KPI_QUERY)
			continue;
		ctx = xcalloc(1, sizeof *ctx);
		ctx->p = p;
		ctx->kpi = (int)i;
		metrics_query_range(p->metrics, p->kpis[i].query,
		    (double)(now - cfg->prom_history), (double)now, (double)poller_bucket(cfg),
		    history_done, ctx);
	}
	poller_cycle(p);
	p->timer = loop_timer_add(p->loop, cfg->prom_interval * 1000, 1, poller_cycle, p);
}

static long long
discover_wait(const struct poller *p)
{
	long long wait = 15, max = p->cfg->prom_discover_interval;
	int i;

	if (p->discover_misses == 0)
		return max;
	for (i = 1; i < p->discover_misses && wait < max; i++)
		wait *= 2;
	return wait < max ? wait : max;
}

/* Takes a look-up's result: the dialect it found, and queries built for it. The doctor's
   look-ups (asked for) leave the schedule of the poller's own alone. */
static void
discovery_apply(struct poller *p, struct discovery *d, int scheduled)
{
	enum dialect_kind was = p->dialect.kind;

	discovery_free(p->discovery);
	p->discovery = d;
	/* A source without GenAI metrics yet (an assistant not scraped so far) is asked again
	   soon, then less often: 15 s, 30 s, ... up to the interval. */
	if (scheduled || d->found) {
		p->discover_misses = d->found ? 0 : p->discover_misses + 1;
		p->discover_next = time(NULL) + discover_wait(p);
	}
	if (d->found)
		dialect_copy(&p->dialect, &d->dialect);
	log_debug("metrics dialect: %s (%s)", dialect_kind_name(p->dialect.kind), d->how);
	if (!p->ready)
		poller_ready(p);
	else if (p->dialect.kind != was || d->found)
		poller_build(p);
}

static void
discover_done(void *arg, struct discovery *d)
{
	struct poller *p = arg;

	p->discovering = 0;
	if (p->closing)
		discovery_free(d);
	else
		discovery_apply(p, d, 1);
}

static void
poller_discover(struct poller *p)
{
	if (p->discovering || p->metrics == NULL)
		return;
	p->discovering = 1;
	p->discover_next = time(NULL) + p->cfg->prom_discover_interval;
	discover_start(p->metrics, p->cfg, &p->dialect, discover_done, p);
}

struct poller *
poller_create(struct loop *loop, const struct config *cfg, poller_event_cb cb, void *arg)
{
	struct poller *p = xcalloc(1, sizeof *p);
	time_t now = time(NULL);
	char *cause = NULL;
	size_t i, n = 0;

	p->loop = loop;
	p->cfg = cfg;
	p->event_cb = cb;
	p->event_arg = arg;
	p->kpis = xcalloc(cfg->nkpis + 1, sizeof *p->kpis);
	for (i = 0; i < cfg->nkpis; i++) {
		if (!cfg->kpis[i].enabled)
			continue;
		kpi_init(&p->kpis[n], &cfg->kpis[i], poller_bucket(cfg), now);
		/* The forecast is measured against the budget unless it has thresholds. */
		if (cfg->kpis[i].kind == KPI_FORECAST && isnan(cfg->kpis[i].warn) &&
		    isnan(cfg->kpis[i].crit) && !isnan(cfg->monthly_budget)) {
			p->kpis[n].warn = 0.9 * cfg->monthly_budget;
			p->kpis[n].crit = cfg->monthly_budget;
		}
		n++;
	}
	p->nkpis = n;
	if (cfg->prom_url == NULL || *cfg->prom_url == '\0')
		cause = xstrdup("no metrics source: set [prometheus] url");
	else if ((p->metrics = metrics_create(loop, cfg, 0, 0, &cause)) != NULL)
		/* Its own connections and queue: a flood of charts never delays a poll. */
		p->adhoc = metrics_create(loop, cfg, (int)cfg->prom_query_concurrency,
		    (int)cfg->prom_query_queue, &cause);
	if (p->metrics == NULL) {
		for (i = 0; i < p->nkpis; i++) {
			free(p->kpis[i].error);
			p->kpis[i].error = xstrdup(cause);
		}
		p->source_error = cause;
		dialect_set(&p->dialect, DIALECT_COLLECTOR);
		poller_build(p);
		return p;
	}
	if (strcmp(cfg->prom_dialect, "auto") == 0) {
		dialect_set(&p->dialect, DIALECT_COLLECTOR);
		poller_discover(p);
	} else {
		dialect_set(&p->dialect, dialect_kind_find(cfg->prom_dialect));
		poller_ready(p);
	}
	return p;
}

void
poller_free(struct poller *p)
{
	size_t i;
	int c;

	if (p == NULL)
		return;
	loop_timer_remove(p->timer);
	p->closing = 1;
	metrics_free(p->adhoc);
	metrics_free(p->metrics);
	for (i = 0; i < p->nkpis; i++)
		kpi_clear(&p->kpis[i]);
	for (c = 0; c < COST_COUNT; c++) {
		free(p->cost[c].error);
		free(p->cost[c].note);
	}
	free(p->kpis);
	free(p->source_error);
	dialect_clear(&p->dialect);
	discovery_free(p->discovery);
	free(p->requests_query);
	free(p->type_label);
	for (i = 0; i < p->nmodel_labels; i++)
		free(p->model_labels[i]);
	free(p->model_labels);
	free(p);
}

struct kpi *
poller_kpis(struct poller *p, size_t *n)
{
	*n = p->nkpis;
	return p->kpis;
}

unsigned long
poller_requests(const struct poller *p)
{
	return p->metrics != NULL ? metrics_requests(p->metrics) + metrics_requests(p->adhoc) : 0;
}

cJSON *
poller_snapshot(struct poller *p)
{
	const struct config *cfg = p->cfg;
	cJSON *o = cJSON_CreateObject(), *src, *arr;
	enum kpi_level worst = KPI_OK;
	time_t now = time(NULL);
	size_t i;

	src = cJSON_AddObjectToObject(o, "source");
	if (p->metrics == NULL) {
		cJSON_AddStringToObject(src, "state", cfg->prom_url != NULL && *cfg->prom_url ?
		    "error" : "none");
		cJSON_AddStringToObject(src, "error", p->source_error);
	} else {
		cJSON_AddStringToObject(src, "url", cfg->prom_url);
		cJSON_AddStringToObject(src, "state", p->polled == 0 ? "starting" :
		    p->source_ok ? "ok" : "error");
		if (p->source_error != NULL)
			cJSON_AddStringToObject(src, "error", p->source_error);
		cJSON_AddBoolToObject(src, "insecure", cfg->prom_insecure);
		cJSON_AddNumberToObject(src, "requests", (double)poller_requests(p));
		cJSON_AddNumberToObject(src, "cycles", (double)p->cycle);
	}
	cJSON_AddNumberToObject(o, "interval", (double)cfg->prom_interval);
	if (p->polled != 0) {
		cJSON_AddNumberToObject(o, "polled", (double)p->polled);
		cJSON_AddNumberToObject(o, "cycle_ms", p->cycle_ms);
		cJSON_AddNumberToObject(o, "slowest_ms", p->slowest_ms);
	}
	cJSON_AddStringToObject(o, "currency", cfg->currency);
	arr = cJSON_AddArrayToObject(o, "kpis");
	for (i = 0; i < p->nkpis; i++) {
		cJSON_AddItemToArray(arr, kpi_json(&p->kpis[i], now));
		if (p->kpis[i].level == KPI_UNKNOWN && worst < KPI_WARN)
			worst = KPI_UNKNOWN;
		else if (p->kpis[i].level > worst)
			worst = p->kpis[i].level;
	}
	cJSON_AddStringToObject(o, "state", kpi_level_name(worst));
	return o;
}

struct range_ctx {
	poller_range_cb	 cb;
	void		*arg;
};

static void
range_done(void *arg, struct metrics_result *res)
{
	struct range_ctx *ctx = arg;
	const struct prom_series *s;
	cJSON *pts, *pt;
	char *error = NULL;
	size_t i;

	if (res->status != METRICS_OK)
		error = xstrdup(res->error);
	else if (res->resp.type != PROM_MATRIX || res->resp.nseries > 1)
		error = xstrdup("the query does not give one series over time");
	if (error != NULL) {
		ctx->cb(ctx->arg, NULL, error);
		free(error);
		free(ctx);
		return;
	}
	pts = cJSON_CreateArray();
	if (res->resp.nseries == 1) {
		s = &res->resp.series[0];
		for (i = 0; i < s->nsamples; i++) {
			if (!isfinite(s->samples[i].v))
				continue;
			pt = cJSON_CreateArray();
			cJSON_AddItemToArray(pt, cJSON_CreateNumber(s->samples[i].t));
			cJSON_AddItemToArray(pt, cJSON_CreateNumber(s->samples[i].v));
			cJSON_AddItemToArray(pts, pt);
		}
	}
	ctx->cb(ctx->arg, pts, NULL);
	free(ctx);
}

int
poller_range(struct poller *p, const char *name, long seconds, int width, poller_range_cb cb,
    void *arg, char **cause)
{
	struct range_ctx *ctx;
	const struct kpi *k = NULL;
	time_t now = time(NULL);
	double step;
	size_t i;

	for (i = 0; i < p->nkpis; i++) {
		if (strcmp(p->kpis[i].def->name, name) == 0)
			k = &p->kpis[i];
	}
	if (k == NULL) {
		*cause = xprintf("no KPI \"%.64s\"", name);
		return -1;
	}
	if (p->metrics == NULL) {
		*cause = xstrdup("no metrics source: set [prometheus] url");
		return -1;
	}
	if (k->def->kind != KPI_QUERY) {
		*cause = xprintf("%s is computed from costs; it has no query to chart", name);
		return -1;
	}
	step = (double)seconds / (width > 0 ? width : 60);
	if (step < 1)
		step = 1;
	ctx = xcalloc(1, sizeof *ctx);
	ctx->cb = cb;
	ctx->arg = arg;
	if (k->query == NULL) {
		*cause = xstrdup("the metrics dialect is still being looked up");
		free(ctx);
		return -1;
	}
	metrics_query_range(p->adhoc, k->query, (double)(now - seconds), (double)now,
	    step, range_done, ctx);
	return 0;
}

struct instant_ctx {
	poller_value_cb	 cb;
	void		*arg;
};

static void
instant_done(void *arg, struct metrics_result *res)
{
	struct instant_ctx *ctx = arg;
	char *error = NULL;
	double v = single_value(res, &error);

	ctx->cb(ctx->arg, v, error);
	free(error);
	free(ctx);
}

void
poller_instant(struct poller *p, const char *promql, poller_value_cb cb, void *arg)
{
	struct instant_ctx *ctx;
	char *q, *cause = NULL;

	if (p->metrics == NULL) {
		cb(arg, NAN, p->source_error != NULL ? p->source_error : "no metrics source");
		return;
	}
	/* Playbook checks are written with ${placeholders} too. */
	if ((q = dialect_expand(&p->dialect, p->cfg, promql, &cause)) == NULL) {
		cb(arg, NAN, cause);
		free(cause);
		return;
	}
	ctx = xcalloc(1, sizeof *ctx);
	ctx->cb = cb;
	ctx->arg = arg;
	metrics_query(p->adhoc, q, instant_done, ctx);
	free(q);
}

struct doctor_ctx {
	struct poller	*p;
	poller_doctor_cb cb;
	void		*arg;
};

static cJSON *
doctor_build(struct poller *p, const struct prom_response *counts, const char *counts_error)
{
	struct doctor_input in;
	cJSON *o, *src;

	memset(&in, 0, sizeof in);
	in.cfg = p->cfg;
	in.dialect = &p->dialect;
	in.discovery = p->discovery;
	in.kpis = p->kpis;
	in.nkpis = p->nkpis;
	in.counts = counts;
	in.counts_error = counts_error;
	in.source_error = p->metrics == NULL || !p->source_ok ? p->source_error : NULL;
	o = doctor_report(&in);
	src = cJSON_AddObjectToObject(o, "source");
	cJSON_AddStringToObject(src, "url", p->cfg->prom_url != NULL ? p->cfg->prom_url : "");
	cJSON_AddStringToObject(src, "state", p->metrics == NULL ? "none" : p->polled == 0 ?
	    "starting" : p->source_ok ? "ok" : "error");
	if (p->source_error != NULL)
		cJSON_AddStringToObject(src, "error", p->source_error);
	return o;
}

static void
doctor_counted(void *arg, struct metrics_result *res)
{
	struct doctor_ctx *ctx = arg;
	cJSON *o;

	if (ctx->p->closing) {
		ctx->cb(ctx->arg, NULL);
		free(ctx);
		return;
	}
	o = doctor_build(ctx->p, res->status == METRICS_OK ? &res->resp : NULL,
	    res->status == METRICS_OK ? NULL : res->error);
	ctx->cb(ctx->arg, o);
	free(ctx);
}

/* Adds a name to a regular expression of alternatives, its metacharacters escaped for the
   regex and the PromQL string. */
static void
regex_add(struct buf *b, const char *name)
{
	const char *c;

	if (b->len > 0)
		buf_addch(b, '|');
	for (c = name; *c != '\0'; c++) {
		if (strchr("\\.+*?()|[]{}^$", *c) != NULL)
			buf_addstr(b, "\\\\");
		else if (*c == '"')
			buf_addch(b, '\\');
		buf_addch(b, *c);
	}
}

/* The doctor's count of series per metric name of every query in force. */
static void
doctor_count(struct doctor_ctx *ctx)
{
	struct poller *p = ctx->p;
	struct buf re;
	char *names[16], *q;
	size_t i, j, n;

	buf_init(&re);
	for (i = 0; i < p->nkpis; i++) {
		if (p->kpis[i].query == NULL)
			continue;
		n = dialect_metric_names(p->kpis[i].query, names, 16);
		for (j = 0; j < n; j++) {
			regex_add(&re, names[j]);
			free(names[j]);
		}
	}
	if (re.len == 0) {
		buf_free(&re);
		ctx->cb(ctx->arg, doctor_build(p, NULL, "no KPI has a query"));
		free(ctx);
		return;
	}
	q = xprintf("count by (__name__) ({__name__=~\"%s\"})", re.data);
	buf_free(&re);
	metrics_query(p->adhoc, q, doctor_counted, ctx);
	free(q);
}

/* The doctor looks the dialect up again (a source changes), then counts. */
static void
doctor_discovered(void *arg, struct discovery *d)
{
	struct doctor_ctx *ctx = arg;

	if (ctx->p->closing) {
		discovery_free(d);
		ctx->cb(ctx->arg, NULL);
		free(ctx);
		return;
	}
	discovery_apply(ctx->p, d, 0);
	doctor_count(ctx);
}

void
poller_doctor(struct poller *p, poller_doctor_cb cb, void *arg)
{
	struct doctor_ctx *ctx;

	if (p->metrics == NULL) {
		cb(arg, doctor_build(p, NULL, "no metrics source"));
		return;
	}
	ctx = xcalloc(1, sizeof *ctx);
	ctx->p = p;
	ctx->cb = cb;
	ctx->arg = arg;
	if (strcmp(p->cfg->prom_dialect, "auto") == 0)
		discover_start(p->adhoc, p->cfg, &p->dialect, doctor_discovered, ctx);
	else
		doctor_count(ctx);
}

char *
poller_expand(struct poller *p, const char *q, char **cause)
{
	return dialect_expand(&p->dialect, p->cfg, q, cause);
}

int
poller_query_at(struct poller *p, const char *promql, double at, metrics_cb cb, void *arg,
    char **cause)
{
	if (p->metrics == NULL) {
		*cause = xstrdup(p->source_error != NULL ? p->source_error : "no metrics source");
		return -1;
	}
	metrics_query_at(p->adhoc, promql, at, cb, arg);
	return 0;
}

int
poller_busy(struct poller *p, char **cause)
{
	return p->adhoc != NULL && metrics_full(p->adhoc, cause);
}

double
poller_cost(struct poller *p, const struct prom_response *r, char **note)
{
	return cost_of(p->cfg, r, (const char *const *)p->model_labels, p->nmodel_labels,
	    p->type_label, note);
}

char *
poller_tokens_by_model(struct poller *p, const char *matchers, const char *window)
{
	return tokens_vector(p, "increase", matchers, window);
}
