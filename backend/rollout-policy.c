/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/json.h"
#include "backend/rollout-policy.h"
#include "backend/xmalloc.h"

#define Z_NOISE	1.96	/* two-sided 95 % */

const char *const rollout_metric_names[RM_COUNT] = {
	"error_rate", "rate_limited", "latency_p95", "feedback", "cost_per_request"
};

/* Whether a larger value is the better one (positive feedback). */
static int
higher_is_better(enum rollout_metric m)
{
	return m == RM_FEEDBACK;
}

/* Whether the metric is a share of counts, judged against noise with the z-test. */
static int
is_share(enum rollout_metric m)
{
	return m == RM_ERROR_RATE || m == RM_RATE_LIMITED || m == RM_FEEDBACK;
}

static const char *
unit_of(enum rollout_metric m)
{
	return m == RM_LATENCY_P95 ? " s" : m == RM_COST ? "" : " %";
}

int
rollout_steps_parse(const char *s, struct rollout_policy *p, char **cause)
{
	const char *q = s;
	char *end;
	long w, last = 0;
	int n = 0;

	for (;;) {
		q += strspn(q, " \t");
		if (!isdigit((unsigned char)*q))
			goto bad;
		w = strtol(q, &end, 10);
		if (w < 1 || w > 100 || w <= last || n == ROLLOUT_MAX_STEPS)
			goto bad;
		p->steps[n++] = (int)w;
		last = w;
		q = end + strspn(end, " \t");
		if (*q == '\0')
			break;
		if (*q != ',')
			goto bad;
		q++;
	}
	if (last != 100)
		goto bad;
	p->nsteps = n;
	return 0;
bad:
	*cause = xprintf("steps \"%.64s\": expected rising weights in percent ending at 100, "
	    "at most %d, e.g. 5, 25, 50, 100", s, ROLLOUT_MAX_STEPS);
	return -1;
}

int
rollout_check_parse(const char *s, struct rollout_check *c, char **cause)
{
	char *copy = xstrdup(s), *term, *save = NULL, *end, word[8];
	double v;
	int n, rc = 0;

	c->on = 0;
	c->min = c->max = c->worse = NAN;
	for (term = strtok_r(copy, ",", &save); term != NULL; term = strtok_r(NULL, ",", &save)) {
		term += strspn(term, " \t");
		if (*term == '\0')
			continue;
		n = 0;
		if (sscanf(term, "%7s %n", word, &n) != 1 || n == 0)
			goto bad;
		v = strtod(term + n, &end);
		if (end == term + n || !isfinite(v) || v < 0)
			goto bad;
		if (strcmp(word, "worse") == 0 && *end == '%')
			end++;
		if (end[strspn(end, " \t")] != '\0')
			goto bad;
		if (strcmp(word, "min") == 0)
			c->min = v;
		else if (strcmp(word, "max") == 0)
			c->max = v;
		else if (strcmp(word, "worse") == 0)
			c->worse = v;
		else
			goto bad;
		c->on = 1;
	}
	if (c->on && !isnan(c->min) && !isnan(c->max) && c->min > c->max)
		goto bad;
	free(copy);
	return rc;
bad:
	*cause = xprintf("check \"%.64s\": expected terms like \"max 5\", \"min 60\", "
	    "\"worse 20%%\", separated by commas, or nothing", s);
	free(copy);
	return -1;
}

static void
add_num(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

cJSON *
rollout_policy_json(const struct rollout_policy *p)
{
	cJSON *o = cJSON_CreateObject(), *steps, *checks, *c;
	int i;

	steps = cJSON_AddArrayToObject(o, "steps");
	for (i = 0; i < p->nsteps; i++)
		cJSON_AddItemToArray(steps, cJSON_CreateNumber(p->steps[i]));
	cJSON_AddNumberToObject(o, "interval", (double)p->interval);
	cJSON_AddNumberToObject(o, "threshold", p->threshold);
	cJSON_AddNumberToObject(o, "min_requests", (double)p->min_requests);
	checks = cJSON_AddObjectToObject(o, "checks");
	for (i = 0; i < RM_COUNT; i++) {
		if (!p->checks[i].on)
			continue;
		c = cJSON_AddObjectToObject(checks, rollout_metric_names[i]);
		add_num(c, "min", p->checks[i].min);
		add_num(c, "max", p->checks[i].max);
		add_num(c, "worse", p->checks[i].worse);
	}
	return o;
}

int
rollout_policy_from_json(const cJSON *o, struct rollout_policy *p, char **cause)
{
	const cJSON *steps = cJSON_GetObjectItem(o, "steps"), *checks, *c, *s;
	int i;

	memset(p, 0, sizeof *p);
	cJSON_ArrayForEach(s, steps) {
		if (p->nsteps == ROLLOUT_MAX_STEPS || !cJSON_IsNumber(s))
			break;
		p->steps[p->nsteps++] = s->valueint;
	}
	p->interval = (long)json_num_or(o, "interval", 0);
	p->threshold = (int)json_num_or(o, "threshold", 0);
	p->min_requests = (long)json_num_or(o, "min_requests", 0);
	if (p->nsteps == 0 || p->steps[p->nsteps - 1] != 100 || p->interval <= 0 ||
	    p->threshold <= 0) {
		*cause = xstrdup("the stored rollout policy is damaged");
		return -1;
	}
	checks = cJSON_GetObjectItem(o, "checks");
	for (i = 0; i < RM_COUNT; i++) {
		p->checks[i].min = p->checks[i].max = p->checks[i].worse = NAN;
		if ((c = cJSON_GetObjectItem(checks, rollout_metric_names[i])) == NULL)
			continue;
		p->checks[i].on = 1;
		p->checks[i].min = json_num_or(c, "min", NAN);
		p->checks[i].max = json_num_or(c, "max", NAN);
		p->checks[i].worse = json_num_or(c, "worse", NAN);
	}
	return 0;
}

static double
share(double x, double n)
{
	return isfinite(x) && isfinite(n) && n > 0 ? 100 * x / n : NAN;
}

double
rollout_value(const struct rollout_side *s, enum rollout_metric m)
{
	switch (m) {
	case RM_ERROR_RATE:
		return share(s->errors, s->requests);
	case RM_RATE_LIMITED:
		return share(s->limited, s->requests);
	case RM_FEEDBACK:
		return share(s->positive, s->ratings);
	case RM_LATENCY_P95:
		return s->p95;
	default:
		return s->cost;
	}
}

/* The counts behind a share metric: x of n. */
static void
counts(const struct rollout_side *s, enum rollout_metric m, double *x, double *n)
{
	*x = m == RM_ERROR_RATE ? s->errors : m == RM_RATE_LIMITED ? s->limited : s->positive;
	*n = m == RM_FEEDBACK ? s->ratings : s->requests;
}

double
rollout_ztest(double x1, double n1, double x2, double n2)
{
	double p1, p2, p, se;

	if (!(n1 > 0) || !(n2 > 0) || !isfinite(x1) || !isfinite(x2))
		return NAN;
	p1 = x1 / n1;
	p2 = x2 / n2;
	p = (x1 + x2) / (n1 + n2);
	se = sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
	return se > 0 ? (p1 - p2) / se : NAN;
}

/* The z statistic of the canary against production for a share metric. */
static double
share_z(enum rollout_metric m, const struct rollout_side *c, const struct rollout_side *p)
{
	double x1, n1, x2, n2;

	counts(c, m, &x1, &n1);
	counts(p, m, &x2, &n2);
	return rollout_ztest(x1, n1, x2, n2);
}

static void
fmt_value(char *buf, size_t len, enum rollout_metric m, double v)
{
	if (m == RM_COST)
		snprintf(buf, len, "%.4g", v);
	else
		snprintf(buf, len, "%.*f%s", m == RM_LATENCY_P95 ? 2 : 1, v, unit_of(m));
}

enum rollout_verdict
rollout_judge(const struct rollout_check *c, enum rollout_metric m,
    const struct rollout_side *canary, const struct rollout_side *production,
    char *why, size_t whylen)
{
	double cv = rollout_value(canary, m), pv = rollout_value(production, m), limit, z;
	int better_high = higher_is_better(m), worse;
	char a[32], b[32];

	if (isnan(cv)) {
		snprintf(why, whylen, "no data for the canary");
		return RV_NODATA;
	}
	fmt_value(a, sizeof a, m, cv);
	if (!isnan(c->max) && cv > c->max) {
		fmt_value(b, sizeof b, m, c->max);
		snprintf(why, whylen, "%s > max %s", a, b);
		return RV_FAIL;
	}
	if (!isnan(c->min) && cv < c->min) {
		fmt_value(b, sizeof b, m, c->min);
		snprintf(why, whylen, "%s < min %s", a, b);
		return RV_FAIL;
	}
	if (!isnan(c->worse) && !isnan(pv)) {
		limit = better_high ? pv * (1 - c->worse / 100) : pv * (1 + c->worse / 100);
		worse = better_high ? cv < limit : cv > limit;
		/* A share must also differ beyond noise: 2 errors in 40 requests against none
		   is no evidence yet. */
		z = is_share(m) ? share_z(m, canary, production) : NAN;
		if (worse && is_share(m) && !(fabs(z) > Z_NOISE))
			worse = 0;
		fmt_value(b, sizeof b, m, pv);
		if (worse) {
			snprintf(why, whylen, "%s vs %s: %s by more than %g %%", a, b,
			    better_high ? "lower" : "higher", c->worse);
			return RV_FAIL;
		}
		snprintf(why, whylen, "%s vs %s", a, b);
		return RV_PASS;
	}
	snprintf(why, whylen, "%s%s", a, isnan(pv) && !isnan(c->worse) ?
	    " (production: no data)" : "");
	return RV_PASS;
}

cJSON *
rollout_analyse(const struct rollout_policy *p, const struct rollout_side *canary,
    const struct rollout_side *production, enum rollout_decision *decision)
{
	static const char *const verdicts[] = { "pass", "fail", "no data" };
	cJSON *o = cJSON_CreateObject(), *checks, *c;
	enum rollout_verdict v;
	char why[160], failed[512] = "";
	int i, nodata = 0, nfail = 0;

	checks = cJSON_CreateArray();
	for (i = 0; i < RM_COUNT; i++) {
		if (!p->checks[i].on)
			continue;
		v = rollout_judge(&p->checks[i], i, canary, production, why, sizeof why);
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "name", rollout_metric_names[i]);
		add_num(c, "canary", rollout_value(canary, i));
		add_num(c, "production", rollout_value(production, i));
		cJSON_AddStringToObject(c, "verdict", verdicts[v]);
		cJSON_AddStringToObject(c, "why", why);
		cJSON_AddItemToArray(checks, c);
		if (v == RV_FAIL) {
			snprintf(failed + strlen(failed), sizeof failed - strlen(failed), "%s%s: %s",
			    nfail > 0 ? "; " : "", rollout_metric_names[i], why);
			nfail++;
		} else if (v == RV_NODATA)
			nodata++;
	}
	add_num(o, "canary_requests", canary->requests);
	add_num(o, "production_requests", production->requests);
	if (nfail > 0) {
		*decision = RD_FAIL;
		cJSON_AddStringToObject(o, "why", failed);
	} else if (!(canary->requests >= (double)p->min_requests)) {
		*decision = RD_HOLD;
		snprintf(why, sizeof why, "not enough traffic: %.0f canary requests of the %ld "
		    "needed", isfinite(canary->requests) ? canary->requests : 0, p->min_requests);
		cJSON_AddStringToObject(o, "why", why);
	} else if (nodata > 0) {
		*decision = RD_HOLD;
		cJSON_AddStringToObject(o, "why", "a check has no data for the canary yet");
	} else {
		*decision = RD_ADVANCE;
		cJSON_AddStringToObject(o, "why", "every check passed");
	}
	cJSON_AddStringToObject(o, "decision", *decision == RD_FAIL ? "fail" :
	    *decision == RD_HOLD ? "hold" : "advance");
	cJSON_AddItemToObject(o, "checks", checks);
	return o;
}

cJSON *
rollout_compare(const struct rollout_side *canary, const struct rollout_side *production)
{
	cJSON *o = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(o, "metrics"), *r;
	double cv, pv, z;
	int i;

	cJSON_AddStringToObject(o, "test", "two-proportion z-test (pooled), two-sided, 95 %: "
	    "|z| > 1.96; p95 and cost are not shares and get no test");
	add_num(o, "canary_requests", canary->requests);
	add_num(o, "production_requests", production->requests);
	for (i = 0; i < RM_COUNT; i++) {
		cv = rollout_value(canary, i);
		pv = rollout_value(production, i);
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "name", rollout_metric_names[i]);
		add_num(r, "canary", cv);
		add_num(r, "production", pv);
		add_num(r, "difference", cv - pv);
		if (is_share(i)) {
			z = share_z(i, canary, production);
			add_num(r, "z", z);
			cJSON_AddBoolToObject(r, "significant", fabs(z) > Z_NOISE);
		}
		cJSON_AddItemToArray(rows, r);
	}
	return o;
}
