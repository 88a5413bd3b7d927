/* SPDX-License-Identifier: ISC */
/*
 * Canary rollout policy: the steps a canary's weight takes, how long each is watched, and
 * the checks that judge the canary's KPIs against production's over the same window, each
 * as an absolute range and as an allowed relative change. Pure functions over plain values
 * (tests/unit/test-rollout-policy.c); rollout.c queries the figures and acts on the verdict.
 */
#ifndef ROLLOUT_POLICY_H
#define ROLLOUT_POLICY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define ROLLOUT_MAX_STEPS	10

/* What a check judges; shares and p95 in the units the KPIs use. */
enum rollout_metric {
	RM_ERROR_RATE,		/* % of requests that failed */
	RM_RATE_LIMITED,	/* % of requests answered 429 */
	RM_LATENCY_P95,		/* seconds */
	RM_FEEDBACK,		/* % of ratings that are positive */
	RM_COST,		/* money per request */
	RM_COUNT
};

/* A check: canary within [min, max] (NAN: no bound), and no worse than production by more
   than worse percent (NAN: not compared). off: not checked at all. */
struct rollout_check {
	int		 on;
	double		 min, max;
	double		 worse;
};

struct rollout_policy {
	int		 steps[ROLLOUT_MAX_STEPS];	/* weights in percent, rising, last 100 */
	int		 nsteps;
	long		 interval;			/* seconds a step is watched */
	int		 threshold;			/* failed analyses that roll back */
	long		 min_requests;			/* of the canary per window, else hold */
	struct rollout_check checks[RM_COUNT];
};

/* One side's figures over the window: requests, the failed and rate-limited ones and the
   ratings as counts (NAN: unknown), p95 and cost per request. */
struct rollout_side {
	double		 requests, errors, limited, ratings, positive;
	double		 p95, cost;
};

enum rollout_verdict { RV_PASS, RV_FAIL, RV_NODATA };

/* What the analysis of one interval says. */
enum rollout_decision {
	RD_ADVANCE,	/* every check passed */
	RD_HOLD,	/* not enough data: stay, no failure counted */
	RD_FAIL		/* a check failed */
};

extern const char *const rollout_metric_names[RM_COUNT];

/* "5, 25, 50, 100": rising weights of 1-100 ending at 100. -1 with *cause. */
int	rollout_steps_parse(const char *, struct rollout_policy *, char **cause);
/* "max 5, worse 50%", "min 60", "" (off). -1 with *cause. */
int	rollout_check_parse(const char *, struct rollout_check *, char **cause);
/* The policy as JSON (stored with a rollout) and back; -1 with *cause. */
cJSON	*rollout_policy_json(const struct rollout_policy *);
int	rollout_policy_from_json(const cJSON *, struct rollout_policy *, char **cause);
/* A side's value of a metric: NAN when unknown (no requests, no ratings). */
double	rollout_value(const struct rollout_side *, enum rollout_metric);
/* The two-proportion z statistic of x1 of n1 against x2 of n2 (pooled); NAN when it is not
   defined (an empty side, or both shares 0 or 1). |z| > 1.96: beyond noise at 95 %. */
double	rollout_ztest(double x1, double n1, double x2, double n2);
/* Judges one check of the canary against production; why says how (e.g. "2.1 % > max 1 %"). */
enum rollout_verdict rollout_judge(const struct rollout_check *, enum rollout_metric,
	    const struct rollout_side *canary, const struct rollout_side *production,
	    char *why, size_t whylen);
/* The interval's decision with each check's verdict: {"decision", "why", "checks": [{name,
   canary, production, verdict, why}]} (a new object). */
cJSON	*rollout_analyse(const struct rollout_policy *, const struct rollout_side *canary,
	    const struct rollout_side *production, enum rollout_decision *);
/* The A/B table of a comparison window: per metric both values, the difference and, for
   shares, the z statistic and whether it is beyond noise (a new object). */
cJSON	*rollout_compare(const struct rollout_side *canary, const struct rollout_side *production);

#endif
