/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "backend/ratelimit.h"

/* How many of n requests at time t (ms) one connection gets through. */
static int
take(struct ratelimit *c, uid_t uid, int n, long long t, double *retry)
{
	int ok = 0;

	while (n-- > 0)
		ok += ratelimit_take(c, uid, 2, 20, t, retry) == 0;
	return ok;
}

static void
test_burst_then_rate(void **state)
{
	struct ratelimit c;
	double retry = 0;

	(void)state;
	memset(&c, 0, sizeof c);
	assert_int_equal(take(&c, 1001, 100, 1000, &retry), 20);
	/* Empty: one token comes back every half second. */
	assert_true(retry > 0.49 && retry <= 0.5);
	assert_int_equal(take(&c, 1001, 10, 1250, &retry), 0);
	assert_true(retry > 0.24 && retry <= 0.25);
	assert_int_equal(take(&c, 1001, 10, 1500, &retry), 1);
	assert_int_equal(take(&c, 1001, 10, 6500, &retry), 10);
	/* Never more than the burst, however long it was idle. */
	assert_int_equal(take(&c, 1001, 100, 1000000, &retry), 20);
	ratelimit_clear();
}

static void
test_user_across_connections(void **state)
{
	struct ratelimit c[5];
	double retry = 0;
	int i, ok = 0;

	(void)state;
	memset(c, 0, sizeof c);
	/* Five fresh connections of one user: twice a connection's burst, not five times. */
	for (i = 0; i < 5; i++)
		ok += take(&c[i], 1002, 20, 1000, &retry);
	assert_int_equal(ok, 40);
	/* The user's bucket refills at twice the rate: 4 a second. */
	memset(&c[0], 0, sizeof c[0]);
	assert_int_equal(take(&c[0], 1002, 20, 2000, &retry), 4);
	/* Another user is not held back. */
	memset(&c[1], 0, sizeof c[1]);
	assert_int_equal(take(&c[1], 1003, 30, 2000, &retry), 20);
	ratelimit_clear();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_user_across_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
