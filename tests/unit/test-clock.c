/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "backend/clock.h"

static void
test_fixed(void **state)
{
	(void)state;
	setenv("LEITSTAND_TEST_TIME_NOW", "1700000000", 1);
	assert_int_equal(clock_now(), 1700000000);
	setenv("LEITSTAND_TEST_TIME_NOW", "0", 1);
	assert_int_equal(clock_now(), 0);
}

/* Unset, empty or not a whole number of seconds: the real clock. */
static void
test_real(void **state)
{
	static const char *const bad[] = { "", "12abc", "-5", "1.5", "99999999999999999999" };
	time_t before, t;
	size_t i;

	(void)state;
	for (i = 0; i <= sizeof bad / sizeof bad[0]; i++) {
		if (i == sizeof bad / sizeof bad[0])
			unsetenv("LEITSTAND_TEST_TIME_NOW");
		else
			setenv("LEITSTAND_TEST_TIME_NOW", bad[i], 1);
		before = time(NULL);
		t = clock_now();
		assert_true(t >= before && t <= time(NULL));
	}
}

/* Whole seconds and the fraction add up; nanoseconds past a second carry into tv_sec. */
static void
test_add(void **state)
{
	struct timespec ts = { .tv_sec = 10, .tv_nsec = 950000000L };

	(void)state;
	clock_add(&ts, 0.1);
	assert_int_equal(ts.tv_sec, 11);
	assert_true(ts.tv_nsec >= 49999999L && ts.tv_nsec <= 50000001L);
	clock_add(&ts, 2);
	assert_int_equal(ts.tv_sec, 13);
	assert_true(ts.tv_nsec >= 49999999L && ts.tv_nsec <= 50000001L);
	ts.tv_nsec = 0;
	clock_add(&ts, 0);
	assert_int_equal(ts.tv_sec, 13);
	assert_int_equal(ts.tv_nsec, 0);
	clock_add(&ts, 3600.5);
	assert_int_equal(ts.tv_sec, 3613);
	assert_int_equal(ts.tv_nsec, 500000000L);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_real),
		cmocka_unit_test(test_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
