/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/cost.h"
#include "backend/prom.h"
#include "backend/xmalloc.h"

double
cost_of(const struct config *cfg, const struct prom_response *r, char **note)
{
	const struct prom_series *s;
	const struct price_def *pr;
	const char *model, *type;
	struct buf missing;
	const char **named = NULL;
	double total = 0, tokens, price;
	size_t i, j, nnamed = 0;

	*note = NULL;
	buf_init(&missing);
	for (i = 0; i < r->nseries; i++) {
		s = &r->series[i];
		if (s->nsamples == 0 || !isfinite(tokens = s->samples[s->nsamples - 1].v))
			continue;
		model = prom_label(s, cfg->model_label);
		type = prom_label(s, cfg->type_label);
		if (model == NULL || type == NULL)
			continue;
		if ((pr = config_price(cfg, model)) == NULL) {
			for (j = 0; j < nnamed && strcmp(named[j], model) != 0; j++)
				;
			if (tokens > 0 && j == nnamed) {
				named = xreallocarray(named, nnamed + 1, sizeof *named);
				named[nnamed++] = model;
				buf_printf(&missing, "%s%s", missing.len ? ", " : "", model);
			}
			continue;
		}
		/* OpenTelemetry says input/output; older instrumentations prompt/completion. */
		if (strcmp(type, "input") == 0 || strcmp(type, "prompt") == 0)
			price = pr->input;
		else if (strcmp(type, "output") == 0 || strcmp(type, "completion") == 0)
			price = pr->output;
		else
			continue;
		total += tokens * price / 1e6;
	}
	if (missing.len > 0)
		*note = xprintf("no price for %s", missing.data);
	buf_free(&missing);
	free(named);
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
