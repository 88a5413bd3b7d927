/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/kpi.h"
#include "backend/xmalloc.h"

/*
 * A value must come back past a threshold by a margin before the level drops: 2 % of the
 * distance between warn and crit, or 0.5 % of a lone threshold. (A share of the threshold
 * itself would be two points of an availability of 99 %: it would never recover.)
 */
#define KPI_HYSTERESIS_GAP	0.02
#define KPI_HYSTERESIS_LONE	0.005

const char *
kpi_level_name(enum kpi_level l)
{
	static const char *const names[] = { "unknown", "ok", "warn", "crit" };

	return names[l];
}

void
kpi_init(struct kpi *k, const struct kpi_def *def, long bucket_s, time_t now)
{
	memset(k, 0, sizeof *k);
	k->def = def;
	k->bucket_s = bucket_s > 0 ? bucket_s : 1;
	k->value = NAN;
	k->level = KPI_UNKNOWN;
	k->since = now;
	k->pending = KPI_UNKNOWN;
	k->warn = def->warn;
	k->crit = def->crit;
	k->error = xstrdup("not measured yet");
}

void
kpi_clear(struct kpi *k)
{
	free(k->error);
	free(k->note);
	free(k->query);
	k->error = k->note = k->query = NULL;
}

/* Is v beyond threshold t in the bad direction, with margin m (positive: harder to reach)? */
static int
beyond(const struct kpi *k, double v, double t, double m)
{
	if (isnan(t))
		return 0;
	return k->def->below ? v < t - m : v > t + m;
}

enum kpi_level
kpi_level_for(const struct kpi *k, double v)
{
	double m;

	if (!isnan(k->warn) && !isnan(k->crit))
		m = -fabs(k->crit - k->warn) * KPI_HYSTERESIS_GAP;
	else
		m = -fabs(isnan(k->crit) ? k->warn : k->crit) * KPI_HYSTERESIS_LONE;
	double mc = m, mw = m;

	if (isnan(v))
		return KPI_UNKNOWN;
	/* Entering a level takes the threshold itself; leaving it takes the margin as well. */
	if (beyond(k, v, k->crit, k->level == KPI_CRIT ? mc : 0))
		return KPI_CRIT;
	if (beyond(k, v, k->warn, k->level >= KPI_WARN ? mw : 0))
		return KPI_WARN;
	return KPI_OK;
}

void
kpi_history_add(struct kpi *k, double v, time_t when)
{
	long b = (long)(when / k->bucket_s);
	int i = (int)(b % KPI_HISTORY);

	/* A slot holding a newer bucket wins: a late history fill must not wipe it. */
	if (isnan(v) || isinf(v) || k->bucket_index[i] > b)
		return;
	if (k->bucket_index[i] != b) {
		k->bucket_index[i] = b;
		k->bucket_sum[i] = 0;
		k->bucket_n[i] = 0;
	}
	k->bucket_sum[i] += v;
	k->bucket_n[i]++;
}

int
kpi_update(struct kpi *k, double v, const char *error, time_t now)
{
	enum kpi_level want, base, old = k->level;

	free(k->error);
	k->error = NULL;
	if (isnan(v)) {
		/* No news is unknown at once: a stale number is never shown as live. */
		k->error = xstrdup(error != NULL ? error : "no value");
		k->pending = KPI_UNKNOWN;
		want = KPI_UNKNOWN;
	} else {
		k->value = v;
		k->updated = now;
		kpi_history_add(k, v, now);
		want = kpi_level_for(k, v);
		/* From unknown (the first value, or after an outage) a breach waits its `for`
		   too, but as unknown: nobody knows yet whether it lasted, and ok would be a lie. */
		base = k->level;
		if (want <= (base == KPI_UNKNOWN ? KPI_OK : base))
			k->pending = KPI_UNKNOWN;
		else {
			/* The clock runs from the first sample worse than base, whichever band. */
			if (k->pending == KPI_UNKNOWN)
				k->pending_since = now;
			k->pending = want;
			if (now - k->pending_since >= k->def->for_s)
				k->pending = KPI_UNKNOWN;
			else
				want = base;
		}
	}
	if (want == old)
		return 0;
	k->level = want;
	k->since = now;
	return 1;
}

cJSON *
kpi_json(const struct kpi *k, time_t now)
{
	const struct kpi_def *d = k->def;
	cJSON *o = cJSON_CreateObject(), *h;
	long last = (long)(now / k->bucket_s), b;
	int i;

	cJSON_AddStringToObject(o, "name", d->name);
	cJSON_AddStringToObject(o, "title", d->title);
	cJSON_AddStringToObject(o, "unit", d->unit);
	cJSON_AddNumberToObject(o, "precision", (double)d->precision);
	cJSON_AddStringToObject(o, "kind", d->kind_name);
	cJSON_AddStringToObject(o, "direction", d->direction);
	if (k->query != NULL || d->query != NULL)
		cJSON_AddStringToObject(o, "query", k->query != NULL ? k->query : d->query);
	if (!isnan(k->warn))
		cJSON_AddNumberToObject(o, "warn", k->warn);
	if (!isnan(k->crit))
		cJSON_AddNumberToObject(o, "crit", k->crit);
	if (k->updated != 0 && isfinite(k->value)) {
		cJSON_AddNumberToObject(o, "value", k->value);
		cJSON_AddNumberToObject(o, "updated", (double)k->updated);
		cJSON_AddNumberToObject(o, "age", (double)(now - k->updated));
	} else
		cJSON_AddNullToObject(o, "value");
	cJSON_AddStringToObject(o, "state", kpi_level_name(k->level));
	cJSON_AddNumberToObject(o, "since", (double)k->since);
	if (k->pending != KPI_UNKNOWN) {
		cJSON_AddStringToObject(o, "pending", kpi_level_name(k->pending));
		cJSON_AddNumberToObject(o, "pending_left",
		    (double)(k->def->for_s - (now - k->pending_since)));
	}
	if (k->error != NULL)
		cJSON_AddStringToObject(o, "error", k->error);
	if (k->note != NULL)
		cJSON_AddStringToObject(o, "note", k->note);
	cJSON_AddNumberToObject(o, "history_step", (double)k->bucket_s);
	h = cJSON_AddArrayToObject(o, "history");
	for (b = last - KPI_HISTORY + 1; b <= last; b++) {
		i = (int)(b % KPI_HISTORY);
		if (k->bucket_index[i] == b && k->bucket_n[i] > 0)
			cJSON_AddItemToArray(h, cJSON_CreateNumber(k->bucket_sum[i] /
			    k->bucket_n[i]));
		else
			cJSON_AddItemToArray(h, cJSON_CreateNull());
	}
	return o;
}
