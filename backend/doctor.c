/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/dialect.h"
#include "backend/discover.h"
#include "backend/doctor.h"
#include "backend/kpi.h"
#include "backend/prom.h"
#include "backend/xmalloc.h"

/* The feedback KPI's counter: not a GenAI convention, the app's own. */
#define FEEDBACK_METRIC	"assistant_feedback_total"

/* Series of a name in the count reply; -1 when the count failed. */
static double
series_of(const struct prom_response *counts, const char *name)
{
	const char *n;
	size_t i;

	if (counts == NULL)
		return -1;
	for (i = 0; i < counts->nseries; i++) {
		n = prom_label(&counts->series[i], "__name__");
		if (n != NULL && strcmp(n, name) == 0 && counts->series[i].nsamples > 0)
			return counts->series[i].samples[0].v;
	}
	return 0;
}

static void
put_names(struct buf *b, const struct discovery *disc)
{
	size_t i;

	for (i = 0; i < disc->nnames && i < 6; i++)
		buf_printf(b, "%s%s", i > 0 ? ", " : "", disc->names[i]);
	if (disc->nnames > 6)
		buf_printf(b, " and %zu more", disc->nnames - 6);
}

/* Why a KPI built from ${placeholders} is blank, and what to change. */
static char *
advice_templated(const struct doctor_input *in, const struct buf *missing)
{
	const struct discovery *disc = in->discovery;
	const char *dialect = dialect_kind_name(in->dialect->kind);
	struct buf b;

	if (disc == NULL && strcmp(in->cfg->prom_dialect, "auto") == 0)
		return xstrdup("the dialect is still being looked up: ask again in a moment");
	if (disc != NULL && disc->error != NULL)
		return xprintf("the dialect could not be looked up (%s); the queries assume %s "
		    "until the source answers", disc->error, dialect);
	if (disc != NULL && !disc->found)
		return xprintf("the source holds no OpenTelemetry GenAI metrics (%s, last hour): "
		    "is the assistant instrumented (gen_ai.client.operation.duration, "
		    "gen_ai.client.token.usage) and scraped by this source? If the source "
		    "hides them from look-ups, set [prometheus] dialect", dialect_names_regex());
	if (missing->len > 0) {
		buf_init(&b);
		buf_printf(&b, "the source has no series of %s (the %s dialect)", missing->data,
		    dialect);
		if (disc != NULL && disc->nnames > 0) {
			buf_addstr(&b, "; it holds ");
			put_names(&b, disc);
		}
		return buf_take(&b);
	}
	return xstrdup("the metrics exist, but the query found nothing in its window: no "
	    "requests in the last minutes, or a label value it needs is absent (such as an "
	    "le=\"2.56\" bucket the instrumentation does not have); run the query at the "
	    "source to see");
}

/* Why a KPI with a query of its own is blank: it is used as written. */
static char *
advice_written(const struct doctor_input *in, const struct buf *missing, int feedback)
{
	const struct discovery *disc = in->discovery;
	struct buf b;

	if (feedback)
		return xstrdup("the assistant counts no user feedback: it must export a counter "
		    FEEDBACK_METRIC "{rating=\"positive\"|\"negative\"} (with OpenTelemetry: a "
		    "counter assistant_feedback with the attribute rating)");
	if (missing->len == 0)
		return xstrdup("the query is used as written; its metrics exist but it found "
		    "nothing in its window: run it at the source to see");
	buf_init(&b);
	buf_printf(&b, "the query is used as written, and the source has no series of %s",
	    missing->data);
	if (disc != NULL && disc->found) {
		buf_printf(&b, "; its GenAI metrics are spelled the %s way (",
		    dialect_kind_name(disc->dialect.kind));
		put_names(&b, disc);
		buf_addstr(&b, "): write ${ops_count}, ${ops_bucket}, ${tokens_sum} and "
		    "${error_type} to follow the source");
	}
	return buf_take(&b);
}

static cJSON *
doctor_kpi(const struct doctor_input *in, const struct kpi *k)
{
	const struct kpi_def *d = k->def;
	cJSON *o = cJSON_CreateObject(), *series, *s;
	char *names[16], *advice = NULL;
	const char *q = k->query != NULL ? k->query : d->query;
	struct buf missing;
	size_t n = 0, i;
	double count;
	int feedback = 0, templated = d->query != NULL && dialect_templated(d->query);

	cJSON_AddStringToObject(o, "name", d->name);
	cJSON_AddStringToObject(o, "title", d->title);
	cJSON_AddStringToObject(o, "kind", d->kind_name);
	cJSON_AddStringToObject(o, "state", kpi_level_name(k->level));
	if (k->updated != 0 && isfinite(k->value))
		cJSON_AddNumberToObject(o, "value", k->value);
	else
		cJSON_AddNullToObject(o, "value");
	cJSON_AddStringToObject(o, "unit", d->unit);
	cJSON_AddNumberToObject(o, "precision", (double)d->precision);
	if (d->kind == KPI_QUERY) {
		cJSON_AddStringToObject(o, "query", q);
		cJSON_AddStringToObject(o, "origin", templated ? "built for the dialect" :
		    "as written");
	}
	if (k->error != NULL)
		cJSON_AddStringToObject(o, "error", k->error);
	if (k->note != NULL)
		cJSON_AddStringToObject(o, "note", k->note);

	buf_init(&missing);
	if (d->kind == KPI_QUERY && q != NULL) {
		n = dialect_metric_names(q, names, 16);
		series = cJSON_AddArrayToObject(o, "series");
		for (i = 0; i < n; i++) {
			count = series_of(in->counts, names[i]);
			s = cJSON_CreateObject();
			cJSON_AddStringToObject(s, "name", names[i]);
			if (count >= 0)
				cJSON_AddNumberToObject(s, "count", count);
			cJSON_AddItemToArray(series, s);
			if (count == 0) {
				buf_printf(&missing, "%s%s", missing.len ? ", " : "", names[i]);
				feedback |= strcmp(names[i], FEEDBACK_METRIC) == 0;
			}
			free(names[i]);
		}
	}

	if (in->source_error != NULL && k->level == KPI_UNKNOWN)
		advice = xprintf("the source does not answer (%s): check [prometheus] url, "
		    "its credentials and the network", in->source_error);
	else if (k->level == KPI_UNKNOWN && d->kind == KPI_QUERY)
		advice = templated ? advice_templated(in, &missing) :
		    advice_written(in, &missing, feedback);
	else if (k->level == KPI_UNKNOWN && in->discovery != NULL && !in->discovery->found)
		advice = advice_templated(in, &missing);
	else if (k->level == KPI_UNKNOWN && k->error != NULL &&
	    strncmp(k->error, "no requests", 11) == 0)
		advice = xstrdup("the assistant had no requests in the last 5 minutes: costs "
		    "per request need some");
	else if (k->note != NULL && strncmp(k->note, "no price for", 12) == 0)
		advice = xstrdup("add a [price.MODEL] section for each model named (or the "
		    "model to aliases = of one, or a [price.PREFIX*] section): those tokens are "
		    "not in the figure");
	if (advice != NULL) {
		cJSON_AddStringToObject(o, "advice", advice);
		free(advice);
	}
	buf_free(&missing);
	return o;
}

cJSON *
doctor_report(const struct doctor_input *in)
{
	cJSON *o = cJSON_CreateObject(), *dl, *arr, *e;
	const struct discovery *disc = in->discovery;
	size_t i;

	dl = cJSON_AddObjectToObject(o, "dialect");
	cJSON_AddStringToObject(dl, "configured", in->cfg->prom_dialect);
	cJSON_AddStringToObject(dl, "in_force", dialect_kind_name(in->dialect->kind));
	cJSON_AddItemToObject(dl, "labels", dialect_labels_json(in->dialect));
	if (disc != NULL)
		cJSON_AddItemToObject(dl, "discovery", discovery_json(disc));
	if (disc != NULL) {
		arr = cJSON_AddArrayToObject(dl, "unclassed");
		for (i = 0; i < disc->nerrors; i++) {
			if (disc->errors[i].class == ERROR_OTHER)
				cJSON_AddItemToArray(arr, cJSON_CreateString(disc->errors[i].value));
		}
		if (cJSON_GetArraySize(arr) > 0)
			cJSON_AddStringToObject(dl, "advice", "these error_type values are in no "
			    "class of [errors]: they count as errors, but not as rate limited or "
			    "unavailable; add each to rate_limited, server or client");
	}
	if (in->counts_error != NULL)
		cJSON_AddStringToObject(o, "series_error", in->counts_error);
	arr = cJSON_AddArrayToObject(o, "kpis");
	for (i = 0; i < in->nkpis; i++) {
		e = doctor_kpi(in, &in->kpis[i]);
		cJSON_AddItemToArray(arr, e);
	}
	return o;
}
