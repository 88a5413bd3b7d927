/* SPDX-License-Identifier: ISC */
/* The negative feedback feed's parser and the eval case written from a conversation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/eval.h"
#include "backend/feedback.h"
#include "backend/json.h"
#include "backend/xmalloc.h"

static cJSON *
parse(const char *body, const char *assistant, struct feedback_stats *st)
{
	return feedback_parse(body, strlen(body), NULL, assistant, st);
}

static void
test_lines(void **state)
{
	static const char body[] =
	    "{\"id\":\"c-1\",\"time\":1764680000,\"assistant\":\"support\",\"release\":\"3\","
	    "\"model\":\"gpt-4o-2024-08-06\",\"rating\":\"negative\",\"question\":\"Refund to "
	    "anna@example.com?\",\"answer\":\"As an AI I cannot.\",\"other\":{\"x\":1}}\n"
	    "\n"
	    "{broken\n"
	    "{\"id\":\"c-2\",\"question\":\"q\",\"answer\":\"\",\"release\":4}\r\n"
	    "{\"id\":\"c-3\",\"question\":\"q\",\"answer\":\"a\",\"rating\":\"positive\"}\n"
	    "{\"id\":\"\",\"question\":\"q\",\"answer\":\"a\"}\n"
	    "{\"id\":\"c-4\",\"question\":\"q\"}\n"
	    "\"a string\"\n"
	    "{\"id\":\"c-5\",\"question\":\"q\",\"answer\":\"a\"} trailing\n"
	    "{\"id\":\"c-6\",\"question\":\"q\",\"answer\":\"a\"}";
	struct feedback_stats st;
	cJSON *list, *c;

	(void)state;
	list = parse(body, NULL, &st);
	assert_int_equal(cJSON_GetArraySize(list), 3);
	assert_int_equal(st.lines, 9);
	assert_int_equal(st.skipped, 5);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(st.dropped, 0);
	assert_string_equal(st.problem, "line 3: not JSON: \"{broken\"");
	c = cJSON_GetArrayItem(list, 0);
	assert_string_equal(json_str(c, "id", ""), "c-1");
	assert_string_equal(json_str(c, "question", ""), "Refund to [email]?");
	assert_string_equal(json_str(c, "release", ""), "3");
	assert_true(json_num(c, "time") == 1764680000);
	assert_null(cJSON_GetObjectItem(c, "other"));
	assert_null(cJSON_GetObjectItem(c, "rating"));
	c = cJSON_GetArrayItem(list, 1);
	assert_string_equal(json_str(c, "release", ""), "4");
	assert_string_equal(json_str(c, "answer", "x"), "");
	assert_null(cJSON_GetObjectItem(c, "time"));
	assert_string_equal(json_str(cJSON_GetArrayItem(list, 2), "id", ""), "c-6");
	cJSON_Delete(list);
	feedback_stats_clear(&st);

	list = parse(body, "support", &st);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	cJSON_Delete(list);
	feedback_stats_clear(&st);

	list = parse("", NULL, &st);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	assert_int_equal(st.lines, 0);
	assert_null(st.problem);
	cJSON_Delete(list);
	feedback_stats_clear(&st);
}

/* Escape sequences, controls, bidi overrides and invalid UTF-8 never pass; lines stay. */
static void
test_hostile_text(void **state)
{
	static const char body[] =
	    "{\"id\":\"c-\\u001b[31m1\",\"question\":\"line\\r\\nnext\\ttab\","
	    "\"answer\":\"\\u001b]0;pwned\\u0007 \\u202e gone \\u009b2J card 4111 1111 1111 1111\","
	    "\"model\":\"m\\u001b[2J\"}\n";
	struct feedback_stats st;
	cJSON *list, *c;
	char bad[] = "{\"id\":\"c-9\",\"question\":\"\xff\xfe\",\"answer\":\"a\\u0000b\"}";

	(void)state;
	list = parse(body, NULL, &st);
	c = cJSON_GetArrayItem(list, 0);
	assert_non_null(c);
	assert_string_equal(json_str(c, "id", ""), "c-^[[31m1");
	assert_string_equal(json_str(c, "question", ""), "line\nnext tab");
	assert_null(strchr(json_str(c, "answer", ""), '\x1b'));
	assert_null(strstr(json_str(c, "answer", ""), "\xe2\x80\xae"));
	assert_non_null(strstr(json_str(c, "answer", ""), "<U+202E>"));
	assert_non_null(strstr(json_str(c, "answer", ""), "[card]"));
	assert_string_equal(json_str(c, "model", ""), "m^[[2J");
	cJSON_Delete(list);
	feedback_stats_clear(&st);

	list = parse(bad, NULL, &st);
	c = cJSON_GetArrayItem(list, 0);
	assert_non_null(c);
	assert_string_equal(json_str(c, "question", ""), "\xef\xbf\xbd\xef\xbf\xbd");
	cJSON_Delete(list);
	feedback_stats_clear(&st);

	/* A NUL byte in a line: binary, skipped. */
	list = feedback_parse("{\"id\":\"c\0\"}\nxx", 13, NULL, NULL, &st);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	assert_int_equal(st.skipped, 2);
	assert_string_equal(st.problem, "line 1: a NUL byte (binary?)");
	cJSON_Delete(list);
	feedback_stats_clear(&st);
}

/* The newest FEEDBACK_MAX_CONV are kept; long texts are cut. */
static void
test_bounds(void **state)
{
	struct feedback_stats st;
	char *body, *p, *big;
	cJSON *list;
	size_t len;
	int i;

	(void)state;
	body = p = xmalloc(300 * 80);
	for (i = 1; i <= 300; i++)
		p += sprintf(p, "{\"id\":\"c-%d\",\"question\":\"q\",\"answer\":\"a\"}\n", i);
	list = feedback_parse(body, (size_t)(p - body), NULL, NULL, &st);
	assert_int_equal(cJSON_GetArraySize(list), FEEDBACK_MAX_CONV);
	assert_int_equal(st.dropped, 300 - FEEDBACK_MAX_CONV);
	assert_string_equal(json_str(cJSON_GetArrayItem(list, 0), "id", ""), "c-101");
	assert_string_equal(json_str(cJSON_GetArrayItem(list, FEEDBACK_MAX_CONV - 1), "id", ""),
	    "c-300");
	cJSON_Delete(list);
	feedback_stats_clear(&st);
	free(body);

	len = 3 * FEEDBACK_MAX_TEXT;
	big = xmalloc(len + 64);
	p = big + sprintf(big, "{\"id\":\"c\",\"question\":\"q\",\"answer\":\"");
	memset(p, 'x', len);
	strcpy(p + len, "\"}");
	list = parse(big, NULL, &st);
	assert_int_equal(strlen(json_str(cJSON_GetArrayItem(list, 0), "answer", "")),
	    FEEDBACK_MAX_TEXT + 3);
	cJSON_Delete(list);
	feedback_stats_clear(&st);
	free(big);
}

static void
test_excerpt(void **state)
{
	char *e;

	(void)state;
	e = feedback_excerpt("Thank you for reaching out! As an AI language model I am not able "
	    "to help with this request. Is there anything else?");
	assert_string_equal(e, "As an AI language model I am not able to help with this");
	free(e);
	/* A sentence with a placeholder or a quote is not quoted when another will do. */
	e = feedback_excerpt("Write to [email] for a refund of your whole order today. No.  "
	    "Sorry we lost it");
	assert_string_equal(e, "Sorry we lost it");
	free(e);
	e = feedback_excerpt("ok");
	assert_string_equal(e, "ok");
	free(e);
	e = feedback_excerpt("");
	assert_string_equal(e, "");
	free(e);
}

static const char evals[] =
    "{\"id\": \"refund\", \"input\": \"How do I get a refund?\", "
    "\"assert\": [{\"contains\": \"Settings\"}]}\n";

static cJSON *
conversation(void)
{
	return cJSON_Parse("{\"id\":\"c-42\",\"time\":1764680000,\"assistant\":\"support\","
	    "\"release\":\"3\",\"model\":\"gpt-4o\",\"question\":\"Where is my \\\"parcel\\\"?\","
	    "\"answer\":\"As an AI language model I cannot track parcels.\\nSorry.\"}");
}

/* The text is the header, the answer as comments and one case that parses. */
static void
test_case_text(void **state)
{
	cJSON *c = conversation(), *cases;
	char *text, *cause = NULL, *out;
	const char *last;

	(void)state;
	text = feedback_case_text(c);
	assert_non_null(strstr(text, "# An eval case from conversation c-42, rated negative"));
	assert_non_null(strstr(text, "release 3"));
	assert_non_null(strstr(text, "#   As an AI language model I cannot track parcels.\n"
	    "#   Sorry.\n"));
	last = strrchr(text, '{');
	while (last > text && last[-1] != '\n')
		last--;
	assert_string_equal(last, "{\"id\":\"feedback-c-42\",\"input\":\"Where is my "
	    "\\\"parcel\\\"?\",\"assert\":[{\"not_contains\":\"As an AI language model I cannot "
	    "track parcels\"}]}\n");
	cases = eval_parse(text, strlen(text), &cause);
	assert_non_null(cases);
	assert_int_equal(cJSON_GetArraySize(cases), 1);
	cJSON_Delete(cases);

	/* Unchanged: refused. */
	assert_null(feedback_case_take(text, text, evals, &cause));
	assert_non_null(strstr(cause, "unchanged"));
	free(cause);
	cause = NULL;
	free(text);
	cJSON_Delete(c);

	/* Edited: appended to production's, which keeps every byte. */
	out = feedback_case_take("# note\n\n{\"id\":\"new\",\"input\":\"q\",\"assert\":"
	    "[{\"max_chars\":100}]}\n\n", "# other", evals, &cause);
	assert_non_null(out);
	assert_null(cause);
	assert_int_equal(strncmp(out, evals, strlen(evals)), 0);
	assert_string_equal(out + strlen(evals),
	    "{\"id\":\"new\",\"input\":\"q\",\"assert\":[{\"max_chars\":100}]}\n");
	free(out);
	/* Production's file without a final newline gets one. */
	out = feedback_case_take("{\"id\":\"new\",\"input\":\"q\",\"assert\":[{\"max_chars\":1}]}",
	    "", "{\"id\":\"a\",\"input\":\"q\",\"assert\":[{\"max_chars\":1}]}", &cause);
	assert_non_null(out);
	assert_non_null(strstr(out, "}\n{\"id\":\"new\""));
	free(out);
}

static void
check_refused(const char *edited, const char *want)
{
	char *cause = NULL, *out;

	out = feedback_case_take(edited, "prefilled", evals, &cause);
	if (out != NULL || cause == NULL || strstr(cause, want) == NULL)
		fprintf(stderr, "edited: %s\ncause: %s\nwant: %s\n", edited,
		    cause != NULL ? cause : "(none)", want);
	assert_null(out);
	assert_non_null(cause);
	assert_non_null(strstr(cause, want));
	assert_non_null(strstr(cause, "nothing was proposed"));
	free(cause);
}

static void
test_case_refused(void **state)
{
	(void)state;
	check_refused("", "no case left");
	check_refused("# only\n#comments\n\n", "no case left");
	check_refused("{\"id\":\"a\",\"input\":\"q\",\"assert\":[{\"max_chars\":1}]}\n"
	    "{\"id\":\"b\",\"input\":\"q\",\"assert\":[{\"max_chars\":1}]}", "2 lines");
	check_refused("{not json", "the case: not JSON");
	check_refused("{\"id\":\"a\",\"input\":\"q\",\"assert\":[]}", "the case: assert: "
	    "expected a non-empty array");
	check_refused("{\"id\":\"a\",\"input\":\"q\",\"assert\":[{\"regex\":\"(\"}]}",
	    "the case: assert[0]: regex");
	/* An id production has already. */
	check_refused("{\"id\":\"refund\",\"input\":\"q\",\"assert\":[{\"max_chars\":1}]}",
	    "evals.jsonl:2: duplicate id \"refund\" (first on line 1)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_excerpt),
		cmocka_unit_test(test_case_text),
		cmocka_unit_test(test_case_refused),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "en_US.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
