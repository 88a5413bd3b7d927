/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backend/curl-dl.h"
#include "backend/dl.h"
#include "backend/git-dl.h"
#include "backend/mhd-dl.h"

struct table {
	size_t	(*strlen)(const char *);
};

static const struct dl_symbol symbols[] = {
	{ "strlen", offsetof(struct table, strlen) },
};

/* A name that does not load gives way to the next. */
static void
test_next_name(void **state)
{
	const char *const names[] = { "libleitstand-none.so.1", "libc.so.6", NULL };
	struct table t = { NULL };
	char *cause = NULL;

	(void)state;
	assert_int_equal(dl_open(names, "libc6", symbols, 1, &t, &cause), 0);
	assert_null(cause);
	assert_int_equal(t.strlen("four"), 4);
}

/* When none loads, the error names every name tried and the package. */
static void
test_none(void **state)
{
	const char *const names[] = { "libleitstand-none.so.1", "libleitstand-none.so.2", NULL };
	struct table t = { NULL };
	char *cause = NULL;

	(void)state;
	assert_int_equal(dl_open(names, "leitstand-none", symbols, 1, &t, &cause), -1);
	assert_non_null(strstr(cause, "cannot load libleitstand-none.so.1 (tried "
	    "libleitstand-none.so.1, libleitstand-none.so.2; apt-get install leitstand-none): "));
	free(cause);
}

/* A library that lacks a symbol is no match, and the error says which symbol. */
static void
test_lacks(void **state)
{
	const struct dl_symbol missing[] = { { "leitstand_no_such_function", 0 } };
	const char *const names[] = { "libc.so.6", NULL };
	struct table t = { NULL };
	char *cause = NULL;

	(void)state;
	assert_int_equal(dl_open(names, "libc6", missing, 1, &t, &cause), -1);
	assert_non_null(strstr(cause, "): libc.so.6 lacks leitstand_no_such_function"));
	free(cause);
}

/* The libraries of this build load: their symbols are all there. */
static void
test_libraries(void **state)
{
	char *cause = NULL;

	(void)state;
	if (curl_dl_load(&cause) != 0)
		fail_msg("%s", cause);
	if (mhd_dl_load(&cause) != 0)
		fail_msg("%s", cause);
	if (git_dl_load(&cause) != 0)
		fail_msg("%s", cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_name),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_lacks),
		cmocka_unit_test(test_libraries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
