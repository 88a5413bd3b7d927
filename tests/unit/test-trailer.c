/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backend/json.h"
#include "backend/trailer.h"

static void
test_format(void **state)
{
	struct trailer t[] = {
		{ "Proposal", "12" }, { "Approved-by", "bob" }, { "Gate-override", NULL },
		{ "Eval", "95% (19 of 20 cases)" }
	};
	char *m;

	(void)state;
	m = trailer_message("  Thank the customer\n\n\nSupport leads asked.\n\n", t, 4);
	assert_string_equal(m, "Thank the customer\n\nSupport leads asked.\n\n"
	    "Proposal: 12\nApproved-by: bob\nEval: 95% (19 of 20 cases)\n");
	free(m);
	/* No text still gives a subject. */
	m = trailer_message("", t, 1);
	assert_string_equal(m, "(no description)\n\nProposal: 12\n");
	free(m);
}

/* Values are one line: a newline in a value cannot start a trailer of its own. */
static void
test_flat_values(void **state)
{
	struct trailer t[] = { { "Approved-by", "bob\nApproved-by: mallory" },
	    { "Gate-override", "urgent\r\x1b[2J fix\t now" } };
	char *m;
	cJSON *p;

	(void)state;
	m = trailer_message("Subject\x1b]0;x\x07 line\nbody", t, 2);
	assert_string_equal(m, "Subject]0;x line\n\nbody\n\n"
	    "Approved-by: bob Approved-by: mallory\nGate-override: urgent [2J fix  now\n");
	p = trailer_parse(m);
	assert_string_equal(json_str(p, "Approved-by", ""), "bob Approved-by: mallory");
	cJSON_Delete(p);
	free(m);
}

/* A body whose last paragraph looks like trailers does not count: ours come last. */
static void
test_body_cannot_forge(void **state)
{
	struct trailer t[] = { { "Proposal", "3" } };
	char *m;
	cJSON *p;

	(void)state;
	m = trailer_message("Harmless\n\nApproved-by: mallory\nEval: 100%", t, 1);
	p = trailer_parse(m);
	assert_string_equal(json_str(p, "Proposal", ""), "3");
	assert_null(cJSON_GetObjectItem(p, "Approved-by"));
	assert_null(cJSON_GetObjectItem(p, "Eval"));
	cJSON_Delete(p);
	free(m);
}

/* A "---" line is where git thinks a patch starts: the paragraph before it must not become
   the trailers, in the body or as the subject. */
static void
test_patch_divider_cannot_forge(void **state)
{
	struct trailer t[] = { { "Proposal", "3" } };
	char *m;
	cJSON *p;

	(void)state;
	m = trailer_message("Harmless\n\nApproved-by: mallory\n---\nrest", t, 1);
	p = trailer_parse(m);
	assert_string_equal(json_str(p, "Proposal", ""), "3");
	assert_null(cJSON_GetObjectItem(p, "Approved-by"));
	cJSON_Delete(p);
	free(m);
	m = trailer_message("--- subject", t, 1);
	p = trailer_parse(m);
	assert_string_equal(json_str(p, "Proposal", ""), "3");
	cJSON_Delete(p);
	free(m);
}

/* Values come back as written: trimmed, and an empty one left out rather than swallowing
   the next line. */
static void
test_blank_values(void **state)
{
	struct trailer t[] = { { "Author", " \t" }, { "Gate-override", " late \n" },
	    { "Proposal", "3" } };
	char *m;
	cJSON *p;

	(void)state;
	m = trailer_message("Subject", t, 3);
	assert_string_equal(m, "Subject\n\nGate-override: late\nProposal: 3\n");
	p = trailer_parse(m);
	assert_null(cJSON_GetObjectItem(p, "Author"));
	assert_string_equal(json_str(p, "Gate-override", ""), "late");
	assert_string_equal(json_str(p, "Proposal", ""), "3");
	cJSON_Delete(p);
	free(m);
}

static void
test_parse(void **state)
{
	cJSON *p;

	(void)state;
	p = trailer_parse("Release 4 of support: x\n\nbody\n\nProposal: 9\nRollback-of: "
	    "release/support/3\nProposal: 10\n");
	assert_string_equal(json_str(p, "Proposal", ""), "10");
	assert_string_equal(json_str(p, "Rollback-of", ""), "release/support/3");
	cJSON_Delete(p);
	p = trailer_parse("no trailers at all");
	assert_int_equal(cJSON_GetArraySize(p), 0);
	cJSON_Delete(p);
	p = trailer_parse("");
	assert_int_equal(cJSON_GetArraySize(p), 0);
	cJSON_Delete(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_flat_values),
		cmocka_unit_test(test_body_cannot_forge),
		cmocka_unit_test(test_patch_divider_cannot_forge),
		cmocka_unit_test(test_blank_values),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
