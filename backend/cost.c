/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/cost.h"
#include "backend/prom.h"
#include "backend/xmalloc.h"

/* An unpriced model and the tokens it used. */
struct unpriced {
	const char	*model;
	double		 tokens;
};

/* The price of a series: the first of its model labels whose model has one. *model is the
   name to report when none has (the first label present). */
static const struct price_def *
series_price(const struct config *cfg, const struct prom_series *s,
    const char *const *model_labels, size_t nlabels, const char **model)
{
	const struct price_def *pr;
	const char *v;
	size_t i;

	*model = NULL;
	for (i = 0; i < nlabels; i++) {
		if ((v = prom_label(s, model_labels[i])) == NULL || *v == '\0')
			continue;
		if (*model == NULL)
			*model = v;
		if ((pr = config_price(cfg, v)) != NULL)
			return pr;
	}
	return NULL;
}

double
cost_of(const struct config *cfg, const struct prom_response *r,
    const char *const *model_labels, size_t nlabels, const char *type_label, char **note)
{
	const struct prom_series *s;
	const struct price_def *pr;
	const char *model, *type;
	struct unpriced *missing = NULL;
	struct buf b;
	double total = 0, tokens, all = 0, price;
	size_t i, j, nmissing = 0;

	*note = NULL;
	for (i = 0; i < r->nseries; i++) {
		s = &r->series[i];
		if (s->nsamples == 0 || !isfinite(tokens = s->samples[s->nsamples - 1].v))
			continue;
		if ((type = prom_label(s, type_label)) == NULL)
			continue;
		/* OpenTelemetry says input/output; older instrumentations prompt/completion. */
		if (strcmp(type, "input") != 0 && strcmp(type, "prompt") != 0 &&
		    strcmp(type, "output") != 0 && strcmp(type, "completion") != 0)
			continue;
		all += tokens;
		pr = series_price(cfg, s, model_labels, nlabels, &model);
		if (pr == NULL) {
			if (model == NULL || tokens <= 0)
				continue;
			for (j = 0; j < nmissing && strcmp(missing[j].model, model) != 0; j++)
				;
			if (j == nmissing) {
				missing = xreallocarray(missing, nmissing + 1, sizeof *missing);
				missing[nmissing].model = model;
				missing[nmissing++].tokens = 0;
			}
			missing[j].tokens += tokens;
			continue;
		}
		price = type[0] == 'i' || type[0] == 'p' ? pr->input : pr->output;
		total += tokens * price / 1e6;
	}
	if (nmissing > 0) {
		buf_init(&b);
		for (j = 0; j < nmissing; j++)
			buf_printf(&b, "%s%s (%.1f %% of tokens)", j > 0 ? ", " : "no price for ",
			    missing[j].model, all > 0 ? 100 * missing[j].tokens / all : 0);
		*note = buf_take(&b);
	}
	free(missing);
	return total;
}

static time_t
local_start(time_t now, int month)
{
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	if (month)
		tm.tm_mday = 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

long
cost_since_midnight(time_t now)
{
	return (long)(now - local_start(now, 0));
}

long
cost_since_month_start(time_t now)
{
	return (long)(now - local_start(now, 1));
}

double
cost_forecast(double month_to_date, double per_day, time_t now)
{
	struct tm tm;
	time_t start = local_start(now, 1), end;

	localtime_r(&start, &tm);
	tm.tm_mon++;
	tm.tm_isdst = -1;
	end = mktime(&tm);
	return month_to_date + per_day * (double)(end - now) / 86400.0;
}
