/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/release.h"

/* An approval by bob of alice's proposal 7 that passed 95% at a gate of 90%. */
static struct release_approval
approval(void)
{
	struct release_approval a;

	memset(&a, 0, sizeof a);
	a.proposal = 7;
	a.author = "alice";
	a.approver = "bob";
	a.role = ROLE_APPROVER;
	a.pass_rate = 0.95;
	a.gate = 90;
	return a;
}

/* Runs the check; returns its result with *code and *cause (freed by the caller). */
static int
check(const struct release_approval *a, int *overridden, const char **code, char **cause)
{
	*code = NULL;
	*cause = NULL;
	return release_approve_check(a, overridden, code, cause);
}

static void
test_four_eyes(void **state)
{
	struct release_approval a = approval();
	const char *code;
	char *cause;
	int over = -1;

	(void)state;
	assert_int_equal(check(&a, &over, &code, &cause), 0);
	assert_int_equal(over, 0);
	assert_null(cause);

	/* The author may not approve, whatever the role, the eval or an override. */
	a.approver = "alice";
	a.role = ROLE_ADMIN;
	a.override = "urgent";
	assert_int_equal(check(&a, &over, &code, &cause), -1);
	assert_string_equal(code, "forbidden");
	assert_string_equal(cause, "four eyes: alice proposed 7 and may not approve it; "
	    "another approver must");
	free(cause);
	a.pass_rate = NAN;
	assert_int_equal(check(&a, &over, &code, &cause), -1);
	assert_string_equal(code, "forbidden");
	assert_non_null(strstr(cause, "four eyes"));
	free(cause);
}

static void
test_gate(void **state)
{
	struct release_approval a = approval();
	const char *code;
	char *cause;
	int over;

	(void)state;
	/* At the gate exactly passes: 19 of 20 at 95% is not lost to rounding. */
	assert_true(release_gate_passed(19.0 / 20, 95));
	assert_false(release_gate_passed(18.0 / 20, 95));
	assert_false(release_gate_passed(NAN, 0));
	assert_true(release_gate_passed(0, 0));

	a.pass_rate = 0.8;
	assert_int_equal(check(&a, &over, &code, &cause), -1);
	assert_string_equal(code, "gate");
	assert_string_equal(cause, "proposal 7 passed 80% of its eval cases, below the gate of "
	    "90%; an admin may approve with a stated override");
	free(cause);

	a.pass_rate = NAN;
	assert_int_equal(check(&a, &over, &code, &cause), -1);
	assert_string_equal(code, "gate");
	assert_string_equal(cause, "proposal 7 has no finished eval: run leitstand prompt eval 7");
	free(cause);
}

static void
test_override(void **state)
{
	struct release_approval a = approval();
	const char *code;
	char *cause;
	int over;

	(void)state;
	/* Only an admin overrides, and only with a reason. */
	a.pass_rate = 0.5;
	a.override = "customer outage, fix needed now";
	assert_int_equal(check(&a, &over, &code, &cause), -1);
	assert_string_equal(code, "forbidden");
	assert_string_equal(cause, "overriding the eval gate needs role admin; bob is approver");
	free(cause);

	a.role = ROLE_ADMIN;
	a.override = " \t\n";
	assert_int_equal(check(&a, &over, &code, &cause), -1);
	assert_string_equal(code, "invalid_argument");
	free(cause);

	a.override = "customer outage, fix needed now";
	assert_int_equal(check(&a, &over, &code, &cause), 0);
	assert_int_equal(over, 1);

	/* A passed gate needs no override: one given is not recorded as used. */
	a.pass_rate = 1;
	assert_int_equal(check(&a, &over, &code, &cause), 0);
	assert_int_equal(over, 0);
}

static void
test_numbering(void **state)
{
	char *t, buf[64];

	(void)state;
	assert_int_equal(release_number_after(0), 1);
	assert_int_equal(release_number_after(41), 42);
	t = release_tag("support", 3);
	assert_string_equal(t, "release/support/3");
	assert_true(release_tag_of(t, "support"));
	assert_false(release_tag_of(t, "supp"));
	assert_false(release_tag_of(t, "support/3"));
	assert_false(release_tag_of("production", "support"));
	assert_false(release_tag_of(NULL, "support"));
	free(t);

	release_eval_text(buf, sizeof buf, NAN, 0, 0);
	assert_string_equal(buf, "none");
	release_eval_text(buf, sizeof buf, 0.95, 19, 20);
	assert_string_equal(buf, "95% (19 of 20 cases)");
}

static void
test_reject_rollback(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(release_reject_check("too chatty", &cause), 0);
	assert_int_equal(release_reject_check(" \r\n", &cause), -1);
	assert_string_equal(cause, "say why the proposal is rejected");
	free(cause);
	cause = NULL;
	assert_int_equal(release_reject_check(NULL, &cause), -1);
	free(cause);
	cause = NULL;

	assert_int_equal(release_rollback_check("support", "release/support/1", "aaa", "bbb",
	    &cause), 0);
	assert_int_equal(release_rollback_check("support", "release/support/1", "aaa", "aaa",
	    &cause), -1);
	assert_string_equal(cause, "production of support equals release/support/1 already");
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_eyes),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_numbering),
		cmocka_unit_test(test_reject_rollback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
