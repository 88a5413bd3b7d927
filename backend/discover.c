/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/discover.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/metrics.h"
#include "backend/xmalloc.h"

/* Look-ups cover the last hour: a name that stopped an hour ago is not the source's now. */
#define DISCOVER_WINDOW	3600

enum discover_step { STEP_NAMES, STEP_NAMES_QUERY, STEP_TRAFFIC, STEP_LABELS, STEP_ERRORS,
	STEP_ERRORS_QUERY };

struct discover_ctx {
	struct metrics		*m;
	const struct config	*cfg;
	discover_cb		 cb;
	void			*arg;
	enum discover_step	 step;
	struct discovery	*d;
	int			 kinds[DIALECT_COUNT];	/* candidates found */
	char			*refused;		/* why the label look-up was refused */
	long long		 start;			/* monotonic ms */
};

static void	discover_reply(void *, struct metrics_result *);

void
discovery_free(struct discovery *d)
{
	size_t i;

	if (d == NULL)
		return;
	dialect_clear(&d->dialect);
	free(d->how);
	free(d->why);
	free(d->error);
	for (i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->names);
	for (i = 0; i < d->nerrors; i++)
		free(d->errors[i].value);
	free(d->errors);
	free(d);
}

static char *
since(void)
{
	return xprintf("%lld", (long long)time(NULL) - DISCOVER_WINDOW);
}

/* {__name__="NAME"}: a selector that works for dotted names too. */
static char *
name_selector(const char *name)
{
	return xprintf("{__name__=\"%s\"}", name);
}

static void
finish(struct discover_ctx *c)
{
	size_t i;

	for (i = 0; i < c->d->nerrors; i++)
		c->d->errors[i].class = dialect_classify(c->cfg, c->d->errors[i].value);
	if (c->d->how == NULL)
		c->d->how = xstrdup("label look-ups");
	c->d->ms = loop_now_ms() - c->start;
	c->cb(c->arg, c->d);
	free(c->refused);
	free(c);
}

/* The source failed (down, timing out): nothing learnt, the fallback stays. */
static void
fail(struct discover_ctx *c, const char *error)
{
	free(c->d->error);
	c->d->error = xstrdup(error);
	c->d->found = 0;
	free(c->d->how);
	c->d->how = xprintf("not looked up: %s", error);
	finish(c);
}

static void
add_name(struct discovery *d, const char *name)
{
	d->names = xreallocarray(d->names, d->nnames + 1, sizeof *d->names);
	d->names[d->nnames++] = xstrdup(name);
}

static void
add_error(struct discovery *d, const char *value)
{
	if (d->nerrors == PROM_MAX_VALUES) {
		d->nerrors_total++;
		return;
	}
	d->errors = xreallocarray(d->errors, d->nerrors + 1, sizeof *d->errors);
	d->errors[d->nerrors].value = xstrdup(value);
	d->errors[d->nerrors++].class = ERROR_OTHER;
	d->nerrors_total++;
}

static void
ask_names(struct discover_ctx *c)
{
	char *match = xprintf("{__name__=~\"%s\"}", dialect_names_regex()), *start = since();
	const char *params[] = { "match[]", match, "start", start, "limit", "1000", NULL };

	c->step = STEP_NAMES;
	metrics_get(c->m, "api/v1/label/__name__/values", params, discover_reply, c);
	free(match);
	free(start);
}

/* The same by a query, for sources that refuse label look-ups. */
static void
ask_names_query(struct discover_ctx *c)
{
	char *q = xprintf("count by (__name__) ({__name__=~\"%s\"})", dialect_names_regex());

	c->step = STEP_NAMES_QUERY;
	metrics_query(c->m, q, discover_reply, c);
	free(q);
}

/* The candidates' request rates decide between several spellings. */
static void
ask_traffic(struct discover_ctx *c)
{
	struct buf q;
	const char *p;
	char *name;
	int k, first = 1;

	buf_init(&q);
	buf_addstr(&q, "sum by (__name__) (rate({__name__=~\"");
	for (k = 0; k < DIALECT_COUNT; k++) {
		if (!c->kinds[k])
			continue;
		name = dialect_ops_name(k, "_count");
		if (!first)
			buf_addch(&q, '|');
		first = 0;
		/* A dot of a UTF-8 name is literal: \\. in the PromQL string. */
		for (p = name; *p != '\0'; p++) {
			if (*p == '.')
				buf_addstr(&q, "\\\\");
			buf_addch(&q, *p);
		}
		free(name);
	}
	buf_addstr(&q, "\"}[5m]))");
	c->step = STEP_TRAFFIC;
	metrics_query(c->m, q.data, discover_reply, c);
	buf_free(&q);
}

static void
ask_labels(struct discover_ctx *c)
{
	char *name = dialect_ops_name(c->d->dialect.kind, "_count");
	char *match = name_selector(name), *start = since();
	const char *params[] = { "match[]", match, "start", start, NULL };

	c->step = STEP_LABELS;
	metrics_get(c->m, "api/v1/labels", params, discover_reply, c);
	free(name);
	free(match);
	free(start);
}

/* A label name in a URL path: Prometheus 3 wants names beyond [a-zA-Z0-9_] escaped as
   U__ with _HEX_ for each such character and __ for _. */
static char *
label_path(const char *label)
{
	struct buf b;
	const char *p;

	for (p = label; isalnum((unsigned char)*p) || *p == '_'; p++)
		;
	if (*p == '\0')
		return xprintf("api/v1/label/%s/values", label);
	buf_init(&b);
	buf_addstr(&b, "api/v1/label/U__");
	for (p = label; *p != '\0'; p++) {
		if (*p == '_')
			buf_addstr(&b, "__");
		else if (isalnum((unsigned char)*p))
			buf_addch(&b, *p);
		else
			buf_printf(&b, "_%x_", (unsigned char)*p);
	}
	buf_addstr(&b, "/values");
	return buf_take(&b);
}

static void
ask_errors(struct discover_ctx *c)
{
	char *name = dialect_ops_name(c->d->dialect.kind, "_count");
	char *match = name_selector(name), *start = since();
	char *path = label_path(c->d->dialect.label_error);
	const char *params[] = { "match[]", match, "start", start, "limit", "1000", NULL };

	c->step = STEP_ERRORS;
	metrics_get(c->m, path, params, discover_reply, c);
	free(name);
	free(match);
	free(start);
	free(path);
}

static void
ask_errors_query(struct discover_ctx *c)
{
	char *name = dialect_ops_name(c->d->dialect.kind, "_count"), *q;

	/* Quoted label names are Prometheus 3's; older sources take only plain ones. */
	q = xprintf(strchr(c->d->dialect.label_error, '.') != NULL ?
	    "count by (\"%s\") ({__name__=\"%s\"})" : "count by (%s) ({__name__=\"%s\"})",
	    c->d->dialect.label_error, name);
	c->step = STEP_ERRORS_QUERY;
	metrics_query(c->m, q, discover_reply, c);
	free(name);
	free(q);
}

/* The names are known: choose the spelling, or ask which has the traffic. */
static void
names_found(struct discover_ctx *c)
{
	struct discovery *d = c->d;
	struct buf how;
	size_t i;
	int k, n = 0;

	for (i = 0; i < d->nnames; i++) {
		if ((k = dialect_kind_of(d->names[i])) >= 0)
			c->kinds[k] = 1;
	}
	for (k = 0; k < DIALECT_COUNT; k++) {
		if (c->kinds[k]) {
			if (n++ == 0)
				dialect_set(&d->dialect, k);
		}
	}
	if (n == 0) {
		d->found = 0;
		buf_init(&how);
		buf_printf(&how, "%s found no GenAI metric in the last hour",
		    d->how != NULL ? d->how : "label look-ups");
		free(d->how);
		d->how = buf_take(&how);
		finish(c);
		return;
	}
	d->found = 1;
	if (n > 1)
		ask_traffic(c);
	else
		ask_labels(c);
}

/* Several spellings: the one with the most requests in the last 5 minutes wins; with none
   anywhere, the first in the table's order (collector, sdk, utf8, utf8-bare). */
static void
traffic_found(struct discover_ctx *c, const struct prom_response *r)
{
	struct discovery *d = c->d;
	struct buf why;
	const char *name;
	double best = 0, v;
	size_t i;
	int k, best_kind = d->dialect.kind;

	buf_init(&why);
	for (i = 0; i < r->nseries; i++) {
		if ((name = prom_label(&r->series[i], "__name__")) == NULL ||
		    (k = dialect_kind_of(name)) < 0 || r->series[i].nsamples == 0)
			continue;
		v = r->series[i].samples[0].v;
		buf_printf(&why, "%s%s %.3g req/s", why.len ? ", " : "", dialect_kind_name(k), v);
		if (isfinite(v) && v > best) {
			best = v;
			best_kind = k;
		}
	}
	dialect_set(&d->dialect, best_kind);
	d->why = xprintf("several spellings: %s in the last 5 minutes; %s wins (%s)",
	    why.len ? why.data : "no requests", dialect_kind_name(best_kind), best > 0 ?
	    "the most requests" : "none has requests: the first of collector, sdk, utf8, "
	    "utf8-bare");
	buf_free(&why);
	ask_labels(c);
}

/* The label names found: each role takes the dialect's own name, else the other style's. */
static void
labels_found(struct discover_ctx *c, const struct prom_response *r)
{
	struct dialect *dl = &c->d->dialect;
	struct dialect other;
	char **mine[] = { &dl->label_error, &dl->label_request_model, &dl->label_response_model,
	    &dl->label_token_type };
	char **theirs[] = { &other.label_error, &other.label_request_model,
	    &other.label_response_model, &other.label_token_type };
	size_t i, j;
	int has_mine, has_theirs;

	memset(&other, 0, sizeof other);
	dialect_set(&other, dialect_dotted(dl) ? DIALECT_COLLECTOR : DIALECT_UTF8);
	for (j = 0; j < 4; j++) {
		has_mine = has_theirs = 0;
		for (i = 0; i < r->nvalues; i++) {
			has_mine |= strcmp(r->values[i], *mine[j]) == 0;
			has_theirs |= strcmp(r->values[i], *theirs[j]) == 0;
		}
		if (!has_mine && has_theirs) {
			free(*mine[j]);
			*mine[j] = xstrdup(*theirs[j]);
		}
	}
	dialect_clear(&other);
}

static void
discover_reply(void *arg, struct metrics_result *res)
{
	struct discover_ctx *c = arg;
	const struct prom_response *r = &res->resp;
	const char *v;
	size_t i;

	/* Down or too slow: there is nothing to fall back to. */
	if (res->status == METRICS_UNREACHABLE || res->status == METRICS_TIMEOUT) {
		fail(c, res->error);
		return;
	}
	switch (c->step) {
	case STEP_NAMES:
		if (res->status != METRICS_OK || r->type != PROM_LIST) {
			c->refused = xstrdup(res->status != METRICS_OK ? res->error :
			    "not a list");
			ask_names_query(c);
			return;
		}
		for (i = 0; i < r->nvalues; i++)
			add_name(c->d, r->values[i]);
		names_found(c);
		return;
	case STEP_NAMES_QUERY:
		if (res->status != METRICS_OK) {
			fail(c, res->error);
			return;
		}
		c->d->how = xprintf("queries (the label look-up was refused: %s)", c->refused);
		for (i = 0; i < r->nseries; i++) {
			if ((v = prom_label(&r->series[i], "__name__")) != NULL)
				add_name(c->d, v);
		}
		names_found(c);
		return;
	case STEP_TRAFFIC:
		if (res->status == METRICS_OK)
			traffic_found(c, r);
		else
			ask_labels(c);
		return;
	case STEP_LABELS:
		if (res->status == METRICS_OK && r->type == PROM_LIST)
			labels_found(c, r);
		if (c->refused != NULL)
			ask_errors_query(c);
		else
			ask_errors(c);
		return;
	case STEP_ERRORS:
		if (res->status != METRICS_OK || r->type != PROM_LIST) {
			ask_errors_query(c);
			return;
		}
		for (i = 0; i < r->nvalues; i++) {
			if (*r->values[i] != '\0')
				add_error(c->d, r->values[i]);
		}
		c->d->nerrors_total += r->nvalues_total - r->nvalues;
		finish(c);
		return;
	case STEP_ERRORS_QUERY:
		if (res->status == METRICS_OK) {
			for (i = 0; i < r->nseries; i++) {
				v = prom_label(&r->series[i], c->d->dialect.label_error);
				if (v != NULL && *v != '\0')
					add_error(c->d, v);
			}
		}
		finish(c);
		return;
	}
}

void
discover_start(struct metrics *m, const struct config *cfg, const struct dialect *fallback,
    discover_cb cb, void *arg)
{
	struct discover_ctx *c = xcalloc(1, sizeof *c);

	c->m = m;
	c->cfg = cfg;
	c->cb = cb;
	c->arg = arg;
	c->d = xcalloc(1, sizeof *c->d);
	c->d->at = time(NULL);
	c->start = loop_now_ms();
	dialect_copy(&c->d->dialect, fallback);
	log_debug("discovering the metrics dialect");
	ask_names(c);
}

cJSON *
discovery_json(const struct discovery *d)
{
	cJSON *o = cJSON_CreateObject(), *a, *e;
	size_t i;

	cJSON_AddBoolToObject(o, "found", d->found);
	cJSON_AddStringToObject(o, "dialect", dialect_kind_name(d->dialect.kind));
	cJSON_AddItemToObject(o, "labels", dialect_labels_json(&d->dialect));
	cJSON_AddNumberToObject(o, "at", (double)d->at);
	cJSON_AddNumberToObject(o, "ms", (double)d->ms);
	if (d->how != NULL)
		cJSON_AddStringToObject(o, "how", d->how);
	if (d->why != NULL)
		cJSON_AddStringToObject(o, "why", d->why);
	if (d->error != NULL)
		cJSON_AddStringToObject(o, "error", d->error);
	a = cJSON_AddArrayToObject(o, "names");
	for (i = 0; i < d->nnames; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(d->names[i]));
	a = cJSON_AddArrayToObject(o, "errors");
	for (i = 0; i < d->nerrors; i++) {
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "value", d->errors[i].value);
		cJSON_AddStringToObject(e, "class", error_class_name(d->errors[i].class));
		cJSON_AddItemToArray(a, e);
	}
	if (d->nerrors_total > d->nerrors)
		cJSON_AddNumberToObject(o, "errors_total", (double)d->nerrors_total);
	return o;
}
