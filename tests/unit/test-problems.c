/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "backend/problems.h"

static void
test_none(void **state)
{
	struct problems	p;

	(void)state;
	problems_init(&p, 3);
	assert_null(problems_take(&p, 0));
	problems_free(&p);
}

static void
test_where_and_order(void **state)
{
	struct problems	p;
	char		*s;

	(void)state;
	problems_init(&p, 0);
	problems_add(&p, "a.md", 9, "late");
	problems_add(&p, "a.md", 2, "early\nsecond line");
	problems_add(&p, "a.ini", 0, "whole file");
	problems_add(&p, NULL, 0, "cost.x: %d", 7);
	s = problems_take(&p, 0);
	assert_string_equal(s, "a.md:9: late\na.md:2: early second line\na.ini: whole file\n"
	    "cost.x: 7");
	free(s);
	problems_add(&p, "a.md", 9, "nine");
	problems_add(&p, "a.md", 2, "two");
	problems_add(&p, "a.md", 9, "nine again");
	s = problems_take(&p, 1);
	assert_string_equal(s, "a.md:2: two\na.md:9: nine\na.md:9: nine again");
	free(s);
	problems_free(&p);
}

static void
test_limit(void **state)
{
	struct problems	p;
	char		*s;
	int		i;

	(void)state;
	problems_init(&p, 2);
	for (i = 10; i > 0; i--)
		problems_add(&p, "f", (size_t)i, "n%d", i);
	s = problems_take(&p, 1);
	/* The first line not shown is the lowest of those dropped. */
	assert_string_equal(s, "f:9: n9\nf:10: n10\nf:1: too many problems, 8 more not shown");
	free(s);
	problems_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_where_and_order),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
