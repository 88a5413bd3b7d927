/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/json.h"
#include "backend/rollout-policy.h"

static void
test_steps(void **state)
{
	struct rollout_policy p;
	char *cause = NULL;

	(void)state;
	memset(&p, 0, sizeof p);
	assert_int_equal(rollout_steps_parse("5, 25,50 ,100", &p, &cause), 0);
	assert_int_equal(p.nsteps, 4);
	assert_int_equal(p.steps[0], 5);
	assert_int_equal(p.steps[3], 100);
	assert_int_equal(rollout_steps_parse("100", &p, &cause), 0);
	assert_int_equal(p.nsteps, 1);
	/* Falling, repeated, beyond 100, not ending at 100, junk, empty, too many. */
	const char *bad[] = { "50, 10, 100", "10, 10, 100", "10, 200", "10, 50", "10,,100",
	    "ten", "", "5, 25x, 100", "1,2,3,4,5,6,7,8,9,10,100", "-5, 100", "0, 100" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(rollout_steps_parse(bad[i], &p, &cause), -1);
		assert_non_null(strstr(cause, "rising weights"));
		free(cause);
		cause = NULL;
	}
	assert_int_equal(p.nsteps, 1);	/* a refused text leaves the policy as it was */
}

static void
test_checks(void **state)
{
	struct rollout_check c;
	char *cause = NULL;

	(void)state;
	assert_int_equal(rollout_check_parse("max 5, worse 50%", &c, &cause), 0);
	assert_true(c.on);
	assert_true(c.max == 5 && c.worse == 50 && isnan(c.min));
	assert_int_equal(rollout_check_parse("min 60", &c, &cause), 0);
	assert_true(c.min == 60 && isnan(c.max) && isnan(c.worse));
	assert_int_equal(rollout_check_parse("", &c, &cause), 0);
	assert_false(c.on);
	assert_int_equal(rollout_check_parse("  ,  ", &c, &cause), 0);
	assert_false(c.on);
	const char *bad[] = { "max", "max five", "most 5", "max 5 6", "worse -1%", "max nan",
	    "min 9, max 3", "max 5%%", "worse 5%x", "max inf" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(rollout_check_parse(bad[i], &c, &cause), -1);
		assert_non_null(strstr(cause, "expected terms"));
		free(cause);
		cause = NULL;
	}
}

/* A policy with error rate max 5 worse 50 %, p95 worse 30 %, feedback min 50 worse 15 %. */
static struct rollout_policy
policy(void)
{
	struct rollout_policy p;
	char *cause = NULL;

	memset(&p, 0, sizeof p);
	assert_int_equal(rollout_steps_parse("10, 50, 100", &p, &cause), 0);
	p.interval = 60;
	p.threshold = 2;
	p.min_requests = 50;
	assert_int_equal(rollout_check_parse("max 5, worse 50%", &p.checks[RM_ERROR_RATE],
	    &cause), 0);
	assert_int_equal(rollout_check_parse("worse 30%", &p.checks[RM_LATENCY_P95], &cause), 0);
	assert_int_equal(rollout_check_parse("min 50, worse 15%", &p.checks[RM_FEEDBACK],
	    &cause), 0);
	return p;
}

static struct rollout_side
side(double requests, double errors, double p95, double ratings, double positive)
{
	struct rollout_side s = { requests, errors, 0, ratings, positive, p95, NAN };

	return s;
}

static const char *
decision_of(const struct rollout_policy *p, struct rollout_side c, struct rollout_side prod,
    enum rollout_decision *d)
{
	static char why[256];
	cJSON *o = rollout_analyse(p, &c, &prod, d);

	snprintf(why, sizeof why, "%s", json_str(o, "why", ""));
	cJSON_Delete(o);
	return why;
}

static void
test_analyse(void **state)
{
	struct rollout_policy p = policy();
	enum rollout_decision d;
	const char *why;

	(void)state;
	/* Alike: advance. */
	why = decision_of(&p, side(200, 2, 2.0, 20, 17), side(2000, 20, 2.0, 200, 170), &d);
	assert_int_equal(d, RD_ADVANCE);
	assert_string_equal(why, "every check passed");
	/* Over the absolute bound: fail, whatever production does. */
	why = decision_of(&p, side(200, 12, 2.0, 20, 17), side(2000, 200, 2.0, 200, 170), &d);
	assert_int_equal(d, RD_FAIL);
	assert_non_null(strstr(why, "error_rate: 6.0 % > max 5.0 %"));
	/* p95 40 % slower: fail by the relative change (no noise test for p95). */
	why = decision_of(&p, side(200, 2, 2.8, 20, 17), side(2000, 20, 2.0, 200, 170), &d);
	assert_int_equal(d, RD_FAIL);
	assert_non_null(strstr(why, "latency_p95: 2.80 s vs 2.00 s: higher by more than 30 %"));
	/* 2 errors in 60 against 1 % is worse by half, but not beyond noise: no failure. */
	why = decision_of(&p, side(60, 2, 2.0, 20, 17), side(2000, 20, 2.0, 200, 170), &d);
	assert_int_equal(d, RD_ADVANCE);
	/* 4 % of 1000 against 1 % of 10000 is: fail. */
	why = decision_of(&p, side(1000, 40, 2.0, 100, 85), side(10000, 100, 2.0, 1000, 850),
	    &d);
	assert_int_equal(d, RD_FAIL);
	assert_non_null(strstr(why, "error_rate: 4.0 % vs 1.0 %: higher by more than 50 %"));
	/* Feedback 40 % of 100 against 85 %: lower beyond noise, and under its min. */
	why = decision_of(&p, side(1000, 10, 2.0, 100, 40), side(10000, 100, 2.0, 1000, 850),
	    &d);
	assert_int_equal(d, RD_FAIL);
	assert_non_null(strstr(why, "feedback: 40.0 % < min 50.0 %"));
	/* Too few canary requests: hold, not a pass. */
	why = decision_of(&p, side(20, 0, 2.0, 5, 5), side(2000, 20, 2.0, 200, 170), &d);
	assert_int_equal(d, RD_HOLD);
	assert_non_null(strstr(why, "not enough traffic: 20 canary requests of the 50"));
	/* No ratings for the canary yet: hold. */
	why = decision_of(&p, side(200, 2, 2.0, 0, 0), side(2000, 20, 2.0, 200, 170), &d);
	assert_int_equal(d, RD_HOLD);
	/* Production unknown: judged on the absolute bounds alone. */
	why = decision_of(&p, side(200, 2, 2.0, 20, 17), side(NAN, NAN, NAN, NAN, NAN), &d);
	assert_int_equal(d, RD_ADVANCE);
}

static void
test_ztest(void **state)
{
	(void)state;
	/* 40 of 100 against 85 of 100: z about -6.57. */
	assert_true(fabs(rollout_ztest(40, 100, 85, 100) + 6.572) < 0.001);
	assert_true(fabs(rollout_ztest(10, 100, 10, 100)) < 1e-9);
	assert_true(isnan(rollout_ztest(1, 0, 1, 10)));
	assert_true(isnan(rollout_ztest(0, 10, 0, 10)));	/* both 0: no spread */
	assert_true(isnan(rollout_ztest(NAN, 10, 1, 10)));
}

static void
test_json_round_trip(void **state)
{
	struct rollout_policy p = policy(), q;
	cJSON *j = rollout_policy_json(&p), *cmp;
	char *cause = NULL;
	struct rollout_side c = side(1000, 40, 2.5, 100, 40), prod = side(10000, 100, 2.0,
	    1000, 850);
	const cJSON *m;

	(void)state;
	assert_int_equal(rollout_policy_from_json(j, &q, &cause), 0);
	assert_int_equal(q.nsteps, 3);
	assert_int_equal(q.steps[1], 50);
	assert_int_equal(q.threshold, 2);
	assert_true(q.checks[RM_ERROR_RATE].on && q.checks[RM_ERROR_RATE].max == 5);
	assert_false(q.checks[RM_COST].on);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"steps\": [10, 50], \"interval\": 60, \"threshold\": 1}");
	assert_int_equal(rollout_policy_from_json(j, &q, &cause), -1);
	free(cause);
	cJSON_Delete(j);
	/* The A/B table: shares get z and significance, p95 and cost no test. */
	cmp = rollout_compare(&c, &prod);
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(cmp, "metrics"), RM_ERROR_RATE);
	assert_true(fabs(json_num(m, "difference") - 3.0) < 1e-9);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "significant")));
	m = cJSON_GetArrayItem(cJSON_GetObjectItem(cmp, "metrics"), RM_LATENCY_P95);
	assert_null(cJSON_GetObjectItem(m, "significant"));
	cJSON_Delete(cmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_analyse),
		cmocka_unit_test(test_ztest),
		cmocka_unit_test(test_json_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
