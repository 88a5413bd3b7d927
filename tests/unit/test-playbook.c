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

#include "backend/buf.h"
#include "backend/playbook.h"
#include "backend/xmalloc.h"
#include "tests/unit/tmpdir.h"

#define FM	"---\nid: t\ntitle: T\nversion: 1\nlang: en\n---\n"

static const char example[] =
    "---\n"
    "id: api-errors\n"
    "title: Model provider API errors (5xx)\n"
    "version: 3\n"
    "lang: en\n"
    "level: L1\n"
    "applies_to: kpi:errors, kpi:availability, alert:ProviderErrors, tag:provider\n"
    "owner: support-platform\n"
    "---\n"
    "\n"
    "Optional intro prose before the first step.\n"
    "\n"
    "## Check the error rate\n"
    "Prose with *emphasis*, `code` and [links](https://status.example.com).\n"
    "\n"
    "- a plain list item\n"
    "- [ ] a checklist item, ticked on its own\n"
    "- [ ] another\n"
    "\n"
    "```check\n"
    "query: 100 * (sum(rate(gen_ai_client_operation_duration_seconds_count"
    "{error_type=~\"5..\"}[5m])) or vector(0)) / sum(rate("
    "gen_ai_client_operation_duration_seconds_count[5m]))\n"
    "expect: value < 5\n"
    "```\n"
    "\n"
    "skip_if: checks_pass\n"
    "\n"
    "```sh\n"
    "curl -s https://status.openai.com/api/v2/status.json\n"
    "```\n"
    "\n"
    "## Escalate\n"
    "\n"
    "- [x] page the provider's account team\n";

/* Checks that every line of an error text reads "t.md:LINE: message". */
static void
assert_error_lines(const char *errors, const char *file)
{
	const char	*s = errors, *nl;
	size_t		 flen = strlen(file), n;

	assert_non_null(errors);
	assert_true(*errors != '\0');
	for (;;) {
		nl = strchr(s, '\n');
		if (strncmp(s, file, flen) != 0 || s[flen] != ':')
			fail_msg("no file in '%.60s'", s);
		n = strspn(s + flen + 1, "0123456789");
		if (n == 0 || s[flen + 1 + n] != ':' || s[flen + 2 + n] != ' ')
			fail_msg("no line in '%.60s'", s);
		if (atol(s + flen + 1) < 1)
			fail_msg("line 0 in '%.60s'", s);
		if (nl == NULL)
			break;
		s = nl + 1;
	}
}

static cJSON *
parse_len(const char *text, size_t len)
{
	cJSON	*pb;
	char	*errors = NULL;

	pb = playbook_parse(text, len, "t.md", &errors);
	if (pb == NULL)
		fail_msg("unexpected errors:\n%s", errors);
	assert_null(errors);
	return pb;
}

static cJSON *
parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* Parses text that must fail with exactly the errors given. */
static void
check_errors_len(const char *text, size_t len, const char *want)
{
	cJSON	*pb;
	char	*errors = NULL;

	pb = playbook_parse(text, len, "t.md", &errors);
	assert_null(pb);
	assert_non_null(errors);
	assert_string_equal(errors, want);
	assert_error_lines(errors, "t.md");
	free(errors);
}

static void
check_errors(const char *text, const char *want)
{
	check_errors_len(text, strlen(text), want);
}

static const char *
str(cJSON *o, const char *key)
{
	cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v))
		fail_msg("%s is not a string", key);
	return v->valuestring;
}

static int
num(cJSON *o, const char *key)
{
	cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", key);
	return v->valueint;
}

static cJSON *
step(cJSON *pb, int i)
{
	cJSON	*s;

	s = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pb, "steps"), i);
	assert_non_null(s);
	return s;
}

static cJSON *
block(cJSON *st, int i)
{
	cJSON	*b;

	b = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(st, "blocks"), i);
	if (b == NULL)
		fail_msg("no block %d", i);
	return b;
}

static int
nblocks(cJSON *st)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "blocks"));
}

static const char *
item(cJSON *b, int i)
{
	cJSON	*it;

	it = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "items"), i);
	assert_non_null(it);
	if (cJSON_IsString(it))
		return it->valuestring;
	return str(it, "text");
}

static int
item_index(cJSON *b, int i)
{
	return num(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "items"), i),
	    "index");
}

static char *
with_fm(const char *body)
{
	struct buf	b;

	buf_init(&b);
	buf_addstr(&b, FM);
	buf_addstr(&b, body);
	return buf_take(&b);
}

static void
test_example(void **state)
{
	cJSON	*pb, *st, *b, *a;

	(void)state;
	pb = parse(example);
	assert_string_equal(str(pb, "id"), "api-errors");
	assert_string_equal(str(pb, "title"), "Model provider API errors (5xx)");
	assert_int_equal(num(pb, "version"), 3);
	assert_string_equal(str(pb, "lang"), "en");
	assert_string_equal(str(pb, "level"), "L1");
	assert_string_equal(str(pb, "owner"), "support-platform");
	assert_string_equal(str(pb, "file"), "t.md");
	a = cJSON_GetObjectItemCaseSensitive(pb, "applies_to");
	assert_int_equal(cJSON_GetArraySize(a), 4);
	assert_string_equal(cJSON_GetArrayItem(a, 0)->valuestring, "kpi:errors");
	assert_string_equal(cJSON_GetArrayItem(a, 2)->valuestring, "alert:ProviderErrors");
	assert_string_equal(cJSON_GetArrayItem(a, 3)->valuestring, "tag:provider");

	a = cJSON_GetObjectItemCaseSensitive(pb, "intro");
	assert_int_equal(cJSON_GetArraySize(a), 1);
	assert_string_equal(str(cJSON_GetArrayItem(a, 0), "type"), "para");
	assert_string_equal(str(cJSON_GetArrayItem(a, 0), "text"),
	    "Optional intro prose before the first step.");

	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pb, "steps")), 2);
	st = step(pb, 0);
	assert_string_equal(str(st, "title"), "Check the error rate");
	assert_int_equal(num(st, "line"), 13);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "skip_if_checks_pass")));
	assert_int_equal(num(st, "checklist"), 2);
	assert_int_equal(num(st, "checks"), 1);
	assert_int_equal(nblocks(st), 5);
	b = block(st, 0);
	assert_string_equal(str(b, "type"), "para");
	assert_string_equal(str(b, "text"),
	    "Prose with *emphasis*, `code` and links (https://status.example.com).");
	b = block(st, 1);
	assert_string_equal(str(b, "type"), "list");
	assert_string_equal(item(b, 0), "a plain list item");
	b = block(st, 2);
	assert_string_equal(str(b, "type"), "checklist");
	assert_string_equal(item(b, 0), "a checklist item, ticked on its own");
	assert_int_equal(item_index(b, 0), 0);
	assert_string_equal(item(b, 1), "another");
	assert_int_equal(item_index(b, 1), 1);
	b = block(st, 3);
	assert_string_equal(str(b, "type"), "check");
	assert_string_equal(str(b, "expect"), "value < 5");
	assert_int_equal(num(b, "line"), 20);
	assert_true(strncmp(str(b, "query"), "100 * (sum(rate(", 16) == 0);
	assert_true(strstr(str(b, "query"), "[5m]))") != NULL);
	b = block(st, 4);
	assert_string_equal(str(b, "type"), "sh");
	assert_string_equal(str(b, "text"),
	    "curl -s https://status.openai.com/api/v2/status.json");

	st = step(pb, 1);
	assert_string_equal(str(st, "title"), "Escalate");
	assert_int_equal(num(st, "line"), 31);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(st, "skip_if_checks_pass")));
	assert_int_equal(num(st, "checklist"), 1);
	assert_int_equal(num(st, "checks"), 0);
	b = block(st, 0);
	assert_string_equal(str(b, "type"), "checklist");
	assert_int_equal(item_index(b, 0), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "items"), 0), "checked")));
	cJSON_Delete(pb);
}

static void
test_front_matter_valid(void **state)
{
	cJSON	*pb;

	(void)state;
	/* Only the required keys; quotes, blanks, comments and trailing blanks. */
	pb = parse("---  \n"
	    "id: a-1\n"
	    "\n"
	    "# a comment\n"
	    "title:   \"Quoted: title\"  \n"
	    "version: 12\n"
	    "lang: 'de'\n"
	    "---\t\n"
	    "## s\n");
	assert_string_equal(str(pb, "id"), "a-1");
	assert_string_equal(str(pb, "title"), "Quoted: title");
	assert_int_equal(num(pb, "version"), 12);
	assert_string_equal(str(pb, "lang"), "de");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(pb, "level")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(pb, "owner")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pb,
	    "applies_to")), 0);
	assert_int_equal(num(step(pb, 0), "line"), 9);
	cJSON_Delete(pb);

	/* Longest id, every level. */
	pb = parse("---\nid: " "0123456789012345678901234567890123456789012345678901234567890123"
	    "\ntitle: x\nversion: 2147483647\nlang: en\nlevel: L3\n"
	    "applies_to: tag:a.b/c_d-e:f\n---\n## s\n");
	assert_string_equal(str(pb, "level"), "L3");
	cJSON_Delete(pb);
}

static void
test_front_matter_errors(void **state)
{
	(void)state;
	check_errors("# no front matter\n## s\n",
	    "t.md:1: no front matter: start the file with a '---' line, then id:, "
	    "title:, version:, lang:, then '---'");
	check_errors("",
	    "t.md:1: no front matter: start the file with a '---' line, then id:, "
	    "title:, version:, lang:, then '---'\n"
	    "t.md:1: no steps: start each step with a '## ' heading");
	check_errors("---\nid: x\ntitle: y\n## s\n",
	    "t.md:1: front matter not closed: add a '---' line after its keys");
	check_errors("---\nid: x\ntitle: y\nversion: 1\nlang: en\n",
	    "t.md:1: front matter not closed: add a '---' line after its keys");
	check_errors("---\n---\n## s\n",
	    "t.md:1: front matter: missing key id:\n"
	    "t.md:1: front matter: missing key title:\n"
	    "t.md:1: front matter: missing key version:\n"
	    "t.md:1: front matter: missing key lang:");
	check_errors("---\nid: x\ntitle: y\nversion: 1\nlang: en\n"
	    "colour: red\n"
	    "id: z\n"
	    "just text\n"
	    "owner:\n"
	    "---\n## s\n",
	    "t.md:6: unknown key 'colour' (known: id, title, version, lang, level, "
	    "applies_to, owner)\n"
	    "t.md:7: id: given twice (first on line 2)\n"
	    "t.md:8: expected 'key: value', not 'just text'\n"
	    "t.md:9: owner: empty value");
	check_errors("---\nid: Bad_Id\ntitle:\nversion: 0\nlang: fr\nlevel: l1\n---\n## s\n",
	    "t.md:2: id: use 1 to 64 of a-z, 0-9 and '-'\n"
	    "t.md:3: title: empty value\n"
	    "t.md:4: version: must be a positive integer\n"
	    "t.md:5: lang: must be en or de\n"
	    "t.md:6: level: must be L1, L2 or L3");
	check_errors("---\nid: "
	    "01234567890123456789012345678901234567890123456789012345678901234"
	    "\ntitle: x\nversion: 1\nlang: en\n---\n## s\n",
	    "t.md:2: id: use 1 to 64 of a-z, 0-9 and '-'");
	check_errors("---\nid: x\ntitle: x\nversion: -1\nlang: en\n---\n## s\n",
	    "t.md:4: version: must be a positive integer");
	check_errors("---\nid: x\ntitle: x\nversion: 1.5\nlang: en\n---\n## s\n",
	    "t.md:4: version: must be a positive integer");
	check_errors("---\nid: x\ntitle: x\nversion: 99999999999\nlang: en\n---\n## s\n",
	    "t.md:4: version: must be a positive integer");
	check_errors("---\nid: x\ntitle: x\nversion: 1\nlang: en\n"
	    "applies_to: kpi:errors, bogus, tag:, , metric:x, kpi:a b\n---\n## s\n",
	    "t.md:6: applies_to: 'bogus' is not kpi:NAME, alert:NAME or tag:NAME\n"
	    "t.md:6: applies_to: 'tag:' is not kpi:NAME, alert:NAME or tag:NAME\n"
	    "t.md:6: applies_to: '' is not kpi:NAME, alert:NAME or tag:NAME\n"
	    "t.md:6: applies_to: 'metric:x' is not kpi:NAME, alert:NAME or tag:NAME\n"
	    "t.md:6: applies_to: 'kpi:a b' is not kpi:NAME, alert:NAME or tag:NAME");
	/* The front matter must be the first line. */
	check_errors("\n---\nid: x\ntitle: x\nversion: 1\nlang: en\n---\n## s\n",
	    "t.md:1: no front matter: start the file with a '---' line, then id:, "
	    "title:, version:, lang:, then '---'");
}

static void
test_steps(void **state)
{
	cJSON	*pb, *st;
	char	*text;

	(void)state;
	text = with_fm("intro *one*\n"
	    "\n"
	    "# a title heading\n"
	    "\n"
	    "## First ##\n"
	    "### Details\n"
	    "text\n"
	    "continued  \n"
	    "hard break\n"
	    "\n"
	    "Second step\n"
	    "-----------\n"
	    "\n"
	    "> quoted\n"
	    "> more\n"
	    ">\n"
	    "> - a\n"
	    "\n"
	    "---\n"
	    "## Third with `code`\n");
	pb = parse(text);
	free(text);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pb, "intro")), 2);
	assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(pb,
	    "intro"), 1), "type"), "heading");
	st = step(pb, 0);
	assert_string_equal(str(st, "title"), "First");
	assert_int_equal(num(st, "line"), 11);
	assert_string_equal(str(block(st, 0), "type"), "heading");
	assert_int_equal(num(block(st, 0), "level"), 3);
	assert_string_equal(str(block(st, 0), "text"), "Details");
	assert_string_equal(str(block(st, 1), "text"), "text continued\nhard break");
	st = step(pb, 1);
	assert_string_equal(str(st, "title"), "Second step");
	assert_int_equal(num(st, "line"), 17);
	assert_string_equal(str(block(st, 0), "type"), "quote");
	assert_string_equal(str(block(st, 0), "text"), "quoted more\n- a");
	assert_int_equal(nblocks(st), 1);
	st = step(pb, 2);
	assert_string_equal(str(st, "title"), "Third with `code`");
	assert_int_equal(num(st, "line"), 26);
	assert_int_equal(nblocks(st), 0);
	cJSON_Delete(pb);

	/* Steps without a title, found by line even without text. */
	check_errors(FM "\n##\n\ntext\n\n## ##\n```\n##\n```\n##   \n",
	    "t.md:8: a step without a title: write it after the '##'\n"
	    "t.md:12: a step without a title: write it after the '##'\n"
	    "t.md:16: a step without a title: write it after the '##'");
	check_errors(FM "intro only\n\n### not a step\n",
	    "t.md:7: no steps: start each step with a '## ' heading");
	check_errors(FM, "t.md:6: no steps: start each step with a '## ' heading");
	/* A "##" inside a list or quote is not a step. */
	check_errors(FM "- ## in a list\n> ## in a quote\n",
	    "t.md:7: no steps: start each step with a '## ' heading");
}

static void
test_checklists(void **state)
{
	cJSON	*pb, *st, *b;
	char	*text;

	(void)state;
	text = with_fm("## One\n"
	    "- [ ] a\n"
	    "- plain\n"
	    "- [X] b\n"
	    "  - [ ] nested\n"
	    "    - deeper\n"
	    "\n"
	    "text\n"
	    "\n"
	    "1. [ ] c\n"
	    "2. [ ]\n"
	    "## Two\n"
	    "* [ ] first again\n");
	pb = parse(text);
	free(text);
	st = step(pb, 0);
	assert_int_equal(num(st, "checklist"), 5);
	b = block(st, 0);
	assert_string_equal(str(b, "type"), "checklist");
	assert_string_equal(item(b, 0), "a");
	assert_int_equal(item_index(b, 0), 0);
	b = block(st, 1);
	assert_string_equal(str(b, "type"), "list");
	assert_string_equal(item(b, 0), "plain");
	b = block(st, 2);
	assert_string_equal(str(b, "type"), "checklist");
	assert_string_equal(item(b, 0), "b");
	assert_int_equal(item_index(b, 0), 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "items"), 0), "checked")));
	assert_string_equal(item(b, 1), "  nested");
	assert_int_equal(item_index(b, 1), 2);
	b = block(st, 3);
	assert_string_equal(str(b, "type"), "list");
	assert_string_equal(item(b, 0), "    deeper");
	assert_string_equal(str(block(st, 4), "type"), "para");
	b = block(st, 5);
	assert_string_equal(str(b, "type"), "checklist");
	assert_string_equal(item(b, 0), "c");
	assert_int_equal(item_index(b, 0), 3);
	assert_string_equal(item(b, 1), "");
	assert_int_equal(item_index(b, 1), 4);
	assert_int_equal(nblocks(st), 6);
	st = step(pb, 1);
	assert_int_equal(num(st, "checklist"), 1);
	assert_int_equal(item_index(block(st, 0), 0), 0);
	cJSON_Delete(pb);

	/* Loose items, a second paragraph and text after a nested list. */
	text = with_fm("## s\n"
	    "- one\n"
	    "\n"
	    "  one more\n"
	    "  - sub\n"
	    "\n"
	    "  back\n");
	pb = parse(text);
	free(text);
	b = block(step(pb, 0), 0);
	assert_string_equal(item(b, 0), "one one more");
	assert_string_equal(item(b, 1), "  sub");
	assert_string_equal(item(b, 2), "back");
	cJSON_Delete(pb);
}

static void
test_checks(void **state)
{
	cJSON	*pb, *st, *b;
	char	*text;

	(void)state;
	text = with_fm("## s\n"
	    "```check\n"
	    "\n"
	    "  expect:   value >= 0.5 and value<5  \n"
	    "query: up{job=\"a\"}\n"
	    "```\n"
	    "1. look:\n"
	    "   ```check\n"
	    "   query: x\n"
	    "   expect: value == 1\n"
	    "   ```\n"
	    "2. then\n");
	pb = parse(text);
	free(text);
	st = step(pb, 0);
	assert_int_equal(num(st, "checks"), 2);
	b = block(st, 0);
	assert_string_equal(str(b, "type"), "check");
	assert_string_equal(str(b, "query"), "up{job=\"a\"}");
	assert_string_equal(str(b, "expect"), "value >= 0.5 and value<5");
	assert_int_equal(num(b, "line"), 8);
	assert_string_equal(item(block(st, 1), 0), "look:");
	b = block(st, 2);
	assert_string_equal(str(b, "type"), "check");
	assert_string_equal(str(b, "query"), "x");
	assert_int_equal(num(b, "line"), 14);
	assert_string_equal(item(block(st, 3), 0), "then");
	cJSON_Delete(pb);

	check_errors(FM "## s\n"
	    "```check\n"
	    "expect: value < 5\n"
	    "```\n"
	    "```check\n"
	    "query: up\n"
	    "```\n"
	    "```check\n"
	    "query: up\n"
	    "expect: value <> 5\n"
	    "timeout: 5s\n"
	    "query: again\n"
	    "expect:\n"
	    "```\n"
	    "```check\n"
	    "query:\n"
	    "expect: value < 1 or value > 2\n"
	    "```\n",
	    "t.md:8: check block without a 'query:' line\n"
	    "t.md:11: check block without an 'expect:' line\n"
	    "t.md:16: check: expect: expected a number after '<', not '> 5'\n"
	    "t.md:17: check: unexpected line 'timeout: 5s' (a check has only query: "
	    "and expect: lines)\n"
	    "t.md:18: check: second query: (the first is on line 15)\n"
	    "t.md:19: check: second expect: (the first is on line 16)\n"
	    "t.md:22: check: empty query:\n"
	    "t.md:23: check: expect: unexpected 'or value > 2' after the comparison "
	    "(join two with 'and')");
}

static void
test_fences(void **state)
{
	cJSON	*pb, *st;
	char	*text;

	(void)state;
	text = with_fm("## s\n"
	    "```sh\n"
	    "kubectl get pods\n"
	    "\n"
	    "kubectl logs x\n"
	    "```\n"
	    "~~~ python\n"
	    "print(1)\n"
	    "~~~~~\n"
	    "```\n"
	    "```\n"
	    "````\n"
	    "```\n"
	    "inner\n"
	    "```\n"
	    "````\n"
	    "\n"
	    "    indented code\n"
	    "\n"
	    "```check inline\n"
	    "query: q\n"
	    "expect: value != 0\n"
	    "```\n"
	    "```shell\n"
	    "ls\n"
	    "```\n");
	pb = parse(text);
	free(text);
	st = step(pb, 0);
	assert_int_equal(nblocks(st), 7);
	assert_string_equal(str(block(st, 0), "type"), "sh");
	assert_string_equal(str(block(st, 0), "text"), "kubectl get pods\n\nkubectl logs x");
	assert_string_equal(str(block(st, 1), "type"), "code");
	assert_string_equal(str(block(st, 1), "text"), "print(1)");
	assert_string_equal(str(block(st, 2), "type"), "code");
	assert_string_equal(str(block(st, 2), "text"), "");
	assert_string_equal(str(block(st, 3), "text"), "```\ninner\n```");
	assert_string_equal(str(block(st, 4), "type"), "code");
	assert_string_equal(str(block(st, 4), "text"), "indented code");
	assert_string_equal(str(block(st, 5), "type"), "check");
	assert_string_equal(str(block(st, 6), "type"), "code");
	cJSON_Delete(pb);

	/* Unterminated fences: at the end, in a list item, in a quote, too short. */
	check_errors(FM "## s\n```sh\nls\n",
	    "t.md:8: code fence not closed: add a line '```' after the block");
	check_errors(FM "## s\n```\n",
	    "t.md:8: code fence not closed: add a line '```' after the block");
	check_errors(FM "## s\n\n\n```\n## not a step\n",
	    "t.md:10: code fence not closed: add a line '```' after the block");
	check_errors(FM "## s\n- item\n\n  ~~~~\n  code\n- next\n\n```\n```\n",
	    "t.md:10: code fence not closed: add a line '~~~~' after the block");
	check_errors(FM "## s\n> ```\n> code\n\nafter\n",
	    "t.md:8: code fence not closed: add a line '```' after the block");
	check_errors(FM "## s\n````\ncode\n```\n",
	    "t.md:8: code fence not closed: add a line '````' after the block");

	/* Closed ones inside containers. */
	pb = parse(FM "## s\n> ```\n> code\n> ```\n\n- ```\n  x\n  ```\n");
	assert_string_equal(str(block(step(pb, 0), 0), "text"), "code");
	assert_string_equal(str(block(step(pb, 0), 1), "text"), "x");
	cJSON_Delete(pb);
}

static void
test_inline(void **state)
{
	cJSON	*pb, *st;

	(void)state;
	pb = parse(FM "## s\n"
	    "See [the status page](https://status.example.com \"title\"), "
	    "<https://x.example/a>, **bold** _em_ ~~gone~~ and `a < b`.\n"
	    "\n"
	    "![graph](https://img.example/g.png) [ref][r] &amp; &lt;&#65;&#x42;&copy; &bogus;\n"
	    "\n"
	    "[r]: https://ref.example/\n"
	    "\n"
	    "- item with [a link](http://l.example)\n"
	    "\n"
	    "| col a | col `b` |\n"
	    "|:------|------:|\n"
	    "| 1     | [x](http://t) |\n"
	    "| 2 |\n"
	    "\n"
	    "<b>raw html</b>\n");
	st = step(pb, 0);
	assert_string_equal(str(block(st, 0), "text"),
	    "See the status page (https://status.example.com), https://x.example/a, "
	    "**bold** *em* gone and `a < b`.");
	assert_string_equal(str(block(st, 1), "text"),
	    "graph (https://img.example/g.png) ref (https://ref.example/) & <AB\xc2\xa9 &bogus;");
	assert_string_equal(item(block(st, 2), 0), "item with a link (http://l.example)");
	assert_string_equal(str(block(st, 3), "type"), "code");
	assert_string_equal(str(block(st, 3), "text"),
	    "col a | col `b`\n1 | x (http://t)\n2 | ");
	assert_string_equal(str(block(st, 4), "text"), "<b>raw html</b>");
	cJSON_Delete(pb);

	/* Literal markers are escaped; inside code they are not. */
	pb = parse(FM "## s\n2 \\* 3 a\\b \\`x\\` `*p`\n");
	assert_string_equal(str(block(step(pb, 0), 0), "text"), "2 \\* 3 a\\\\b \\`x\\` `*p`");
	cJSON_Delete(pb);
}

static void
test_skip_if(void **state)
{
	cJSON	*pb;

	(void)state;
	pb = parse(FM "## a\n  skip_if:   checks_pass  \n## b\nNo skip_if: checks_pass here\n"
	    "## c\n- skip_if: checks_pass\n");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(step(pb, 0),
	    "skip_if_checks_pass")));
	assert_int_equal(nblocks(step(pb, 0)), 0);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(step(pb, 1),
	    "skip_if_checks_pass")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(step(pb, 2),
	    "skip_if_checks_pass")));
	cJSON_Delete(pb);
	check_errors(FM "## a\nskip_if: never\n",
	    "t.md:8: skip_if: unknown condition 'never' (only checks_pass)");
	check_errors(FM "## a\nskip_if: checks_pass is set\n",
	    "t.md:8: skip_if: unknown condition 'checks_pass is set' (only checks_pass)");
	check_errors(FM "skip_if: checks_pass\n## a\n",
	    "t.md:7: skip_if before the first step: move it under a '## ' heading");
}

static int
cond_ok(const char *text, double v)
{
	struct pb_condition	 c;
	char			*why = NULL;

	if (pb_condition_parse(text, &c, &why) != 0)
		fail_msg("'%s': %s", text, why);
	assert_null(why);
	return pb_condition_eval(&c, v);
}

static void
cond_bad(const char *text, const char *want)
{
	struct pb_condition	 c;
	char			*why = NULL;

	assert_int_equal(pb_condition_parse(text, &c, &why), -1);
	assert_non_null(why);
	if (want != NULL)
		assert_string_equal(why, want);
	assert_int_equal(c.n, 0);
	free(why);
	assert_int_equal(pb_condition_parse(text, &c, NULL), -1);
}

static void
test_conditions(void **state)
{
	struct pb_condition	c;

	(void)state;
	assert_int_equal(pb_condition_parse("value < 5", &c, NULL), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.op[0], PB_LT);
	assert_true(c.value[0] == 5);
	assert_int_equal(pb_condition_parse(" value>-1.5e3 and value <= 0x10 ", &c, NULL), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.op[0], PB_GT);
	assert_true(c.value[0] == -1500);
	assert_int_equal(c.op[1], PB_LE);
	assert_true(c.value[1] == 16);

	assert_true(cond_ok("value < 5", 4.9));
	assert_false(cond_ok("value < 5", 5));
	assert_true(cond_ok("value <= 5", 5));
	assert_false(cond_ok("value <= 5", 5.1));
	assert_true(cond_ok("value > 5", 5.1));
	assert_false(cond_ok("value > 5", 5));
	assert_true(cond_ok("value >= 5", 5));
	assert_false(cond_ok("value >= 5", 4.9));
	assert_true(cond_ok("value == 0", 0));
	assert_true(cond_ok("value == 0", -0.0));
	assert_false(cond_ok("value == 0", 1e-300));
	assert_true(cond_ok("value != 0", 1));
	assert_false(cond_ok("value != 0", 0));
	assert_true(cond_ok("value > 0.5 and value < 5", 1));
	assert_false(cond_ok("value > 0.5 and value < 5", 0.5));
	assert_false(cond_ok("value > 0.5 and value < 5", 5));
	assert_true(cond_ok("value >= -1 and value <= -1", -1));
	assert_true(cond_ok("value < 1E2", 99));
	assert_true(cond_ok("value > .5", 0.6));
	assert_true(cond_ok("value < +3", 2));
	assert_true(cond_ok("value\t<\t3", 2));
	assert_true(cond_ok("value < 5", -INFINITY));
	assert_false(cond_ok("value < 5", INFINITY));
	/* NaN satisfies nothing, not even != */
	assert_false(cond_ok("value < 5", NAN));
	assert_false(cond_ok("value != 5", NAN));
	assert_false(cond_ok("value == 5 and value != 5", NAN));
	assert_false(cond_ok("value > 0 and value < 1", NAN));

	cond_bad("", "empty condition: write 'value OP NUMBER', e.g. 'value < 5'");
	cond_bad("   ", NULL);
	cond_bad("value", "expected <, <=, >, >=, == or != after 'value', not ''");
	cond_bad("value < ", "expected a number after '<', not ''");
	cond_bad("value < five", "expected a number after '<', not 'five'");
	cond_bad("value < 5x", "'5x' is not a number");
	cond_bad("value < nan", NULL);
	cond_bad("value < inf", NULL);
	cond_bad("value < -inf", "'-inf' is not a number");
	cond_bad("value < 1e999", "'1e999' is not a number");
	cond_bad("value = 5", NULL);
	cond_bad("value => 5", NULL);
	cond_bad("values < 5", "expected 'value' at 'values < 5' (write 'value OP NUMBER')");
	cond_bad("5 > value", NULL);
	cond_bad("value < 5 or value > 6", NULL);
	cond_bad("value < 5 and", "expected 'value' at '' (write 'value OP NUMBER')");
	cond_bad("value < 5 and value > 1 and value != 3",
	    "at most two comparisons can be joined with 'and'");
	cond_bad("value < 5 andvalue > 1", NULL);
	cond_bad("rate < 5", NULL);
	cond_bad("value < 5;", NULL);
	cond_bad("VALUE < 5", NULL);

	memset(&c, 0, sizeof c);
	assert_false(pb_condition_eval(&c, 1));
}

static char *
crlf(const char *text)
{
	struct buf	b;

	buf_init(&b);
	for (; *text != '\0'; text++) {
		if (*text == '\n')
			buf_addch(&b, '\r');
		buf_addch(&b, *text);
	}
	return buf_take(&b);
}

static void
test_crlf_bom(void **state)
{
	static const char bad[] = "---\nid: x\ntitle: y\nversion: one\nlang: en\n---\n"
	    "## s\n```check\nquery: up\nexpect: value ~ 1\n```\n##\n```sh\nls\n";
	static const char want[] =
	    "t.md:4: version: must be a positive integer\n"
	    "t.md:10: check: expect: expected <, <=, >, >=, == or != after 'value', "
	    "not '~ 1'\n"
	    "t.md:12: a step without a title: write it after the '##'\n"
	    "t.md:13: code fence not closed: add a line '```' after the block";
	cJSON	*pb, *st;
	char	*text, *bom;

	(void)state;
	check_errors(bad, want);
	text = crlf(bad);
	check_errors(text, want);
	free(text);

	text = crlf(example);
	pb = parse(text);
	free(text);
	st = step(pb, 0);
	assert_int_equal(num(st, "line"), 13);
	assert_int_equal(num(block(st, 3), "line"), 20);
	assert_string_equal(str(block(st, 3), "expect"), "value < 5");
	assert_string_equal(str(block(st, 4), "text"),
	    "curl -s https://status.openai.com/api/v2/status.json");
	assert_string_equal(str(pb, "owner"), "support-platform");
	cJSON_Delete(pb);

	/* A byte order mark, with LF and with CRLF. */
	xasprintf(&bom, "\xef\xbb\xbf%s", example);
	pb = parse(bom);
	assert_string_equal(str(pb, "id"), "api-errors");
	assert_int_equal(num(step(pb, 0), "line"), 13);
	cJSON_Delete(pb);
	text = crlf(bom);
	pb = parse(text);
	assert_string_equal(str(pb, "id"), "api-errors");
	cJSON_Delete(pb);
	free(text);
	free(bom);
	check_errors("\xef\xbb\xbf" "## s\n",
	    "t.md:1: no front matter: start the file with a '---' line, then id:, "
	    "title:, version:, lang:, then '---'");
}

static void
test_encoding(void **state)
{
	static const char text[] = FM "## s\nok \xc3\xa4\n\xff bad\n\xc0\xaf overlong\n"
	    "\xed\xa0\x80 surrogate\nnul\0here\0twice \xfe\n\xe2\x82 cut\n\xf0\x9f\x98\x80 fine\n"
	    "\xef\xbb\xbf inner bom is fine\n";
	cJSON	*pb;

	(void)state;
	check_errors_len(text, sizeof text - 1,
	    "t.md:9: invalid UTF-8: save the file as UTF-8\n"
	    "t.md:10: invalid UTF-8: save the file as UTF-8\n"
	    "t.md:11: invalid UTF-8: save the file as UTF-8\n"
	    "t.md:12: NUL byte: a playbook is UTF-8 text\n"
	    "t.md:12: invalid UTF-8: save the file as UTF-8\n"
	    "t.md:13: invalid UTF-8: save the file as UTF-8");
	check_errors_len(FM "## \xff\n", sizeof FM "## \xff\n" - 1,
	    "t.md:7: invalid UTF-8: save the file as UTF-8");
	check_errors_len("---\nid: x\0\ntitle: x\nversion: 1\nlang: en\n---\n## s\n",
	    sizeof "---\nid: x\0\ntitle: x\nversion: 1\nlang: en\n---\n## s\n" - 1,
	    "t.md:2: NUL byte: a playbook is UTF-8 text");
	pb = parse(FM "## s\n\xf4\x8f\xbf\xbf \xe2\x82\xac\n");
	cJSON_Delete(pb);
}

static void
test_size(void **state)
{
	struct buf	 b;
	cJSON		*pb;
	char		 dir[64], path[128], *errors;
	FILE		*f;

	(void)state;
	buf_init(&b);
	buf_addstr(&b, example);
	buf_addstr(&b, "\n## Filler\n");
	while (b.len < PLAYBOOK_MAX - 100)
		buf_addstr(&b, "Lorem ipsum dolor sit amet, *consectetur* adipiscing elit.\n");
	while (b.len < PLAYBOOK_MAX)
		buf_addch(&b, 'x');
	assert_int_equal(b.len, PLAYBOOK_MAX);
	pb = parse_len(b.data, b.len);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pb, "steps")), 3);
	cJSON_Delete(pb);

	assert_int_equal(tmpdir_make(dir, sizeof dir, "playbook"), 0);
	snprintf(path, sizeof path, "%s/ok.md", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	fclose(f);
	pb = playbook_load(path, &errors);
	assert_non_null(pb);
	assert_null(errors);
	assert_string_equal(str(pb, "file"), path);
	cJSON_Delete(pb);

	while (b.len < 2 * PLAYBOOK_MAX)
		buf_addstr(&b, "more text\n");
	check_errors_len(b.data, PLAYBOOK_MAX + 1,
	    "t.md:1: file too large (1048577 bytes; the limit is 1 MiB)");
	b.len = 2 * PLAYBOOK_MAX;
	check_errors_len(b.data, b.len,
	    "t.md:1: file too large (2097152 bytes; the limit is 1 MiB)");
	snprintf(path, sizeof path, "%s/big.md", dir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	fclose(f);
	assert_null(playbook_load(path, &errors));
	assert_non_null(strstr(errors, "big.md:1: file too large (2097152 bytes"));
	free(errors);
	buf_free(&b);

	snprintf(path, sizeof path, "%s/missing.md", dir);
	assert_null(playbook_load(path, &errors));
	assert_non_null(strstr(errors, "missing.md: No such file or directory"));
	free(errors);
	assert_null(playbook_load(dir, &errors));
	assert_non_null(strstr(errors, ": not a regular file"));
	free(errors);
	assert_int_equal(tmpdir_remove(dir), 0);
}

/* Builds FM, "## s", then prefix repeated n times and tail. */
static char *
repeat(const char *prefix, int n, const char *tail)
{
	struct buf	b;
	int		i;

	buf_init(&b);
	buf_addstr(&b, FM "## s\n");
	for (i = 0; i < n; i++)
		buf_addstr(&b, prefix);
	buf_addstr(&b, tail);
	return buf_take(&b);
}

static void
test_nesting(void **state)
{
	static const char *prefixes[] = { "- ", "> ", "1. ", "- [ ] ", "> - ", "* > ",
	    "[", "*", "`", "![", "<", "- ```\n" };
	cJSON		*pb, *b;
	char		*text, *errors;
	struct buf	 lines;
	size_t		 i;
	int		 k;

	(void)state;
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		text = repeat(prefixes[i], 10000, "deep\n");
		errors = NULL;
		pb = playbook_parse(text, strlen(text), "t.md", &errors);
		if (pb == NULL)
			assert_error_lines(errors, "t.md");
		cJSON_Delete(pb);
		free(errors);
		free(text);
	}

	/* Indentation stops at 16 levels. */
	buf_init(&lines);
	buf_addstr(&lines, FM "## s\n");
	for (k = 0; k < 40; k++) {
		for (i = 0; i < (size_t)k * 2; i++)
			buf_addch(&lines, ' ');
		buf_printf(&lines, "- l%d\n", k);
	}
	pb = parse(lines.data);
	buf_free(&lines);
	b = block(step(pb, 0), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "items")), 40);
	assert_string_equal(item(b, 0), "l0");
	assert_string_equal(item(b, 1), "  l1");
	assert_string_equal(item(b, 15), "                              l15");
	assert_string_equal(item(b, 16), "                              l16");
	assert_string_equal(item(b, 39), "                              l39");
	cJSON_Delete(pb);

	/* A task item 10 000 lists deep. */
	text = repeat("- ", 9999, "- [ ] x\n");
	pb = parse(text);
	free(text);
	assert_int_equal(num(step(pb, 0), "checklist"), 1);
	assert_string_equal(item(block(step(pb, 0), 0), 0), "                              x");
	cJSON_Delete(pb);
}

static void
test_many_steps(void **state)
{
	struct buf	 b;
	cJSON		*pb, *st;
	char		*errors;
	int		 i;

	(void)state;
	buf_init(&b);
	buf_addstr(&b, FM);
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "## Step %d\n- [ ] do %d\n", i, i);
	pb = parse(b.data);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pb, "steps")),
	    10000);
	st = step(pb, 9999);
	assert_string_equal(str(st, "title"), "Step 9999");
	assert_int_equal(num(st, "line"), 6 + 9999 * 2 + 1);
	assert_int_equal(num(st, "checklist"), 1);
	cJSON_Delete(pb);

	/* 10 000 untitled steps: the first 1000 problems and a count. */
	buf_reset(&b);
	buf_addstr(&b, FM);
	for (i = 0; i < 10000; i++)
		buf_addstr(&b, "##\n");
	errors = NULL;
	assert_null(playbook_parse(b.data, b.len, "t.md", &errors));
	assert_error_lines(errors, "t.md");
	assert_non_null(strstr(errors, "t.md:7: a step without a title"));
	assert_non_null(strstr(errors, "t.md:1006: a step without a title"));
	assert_null(strstr(errors, "t.md:1007: a step without a title"));
	assert_non_null(strstr(errors, "\nt.md:1007: too many problems, 9000 more not shown"));
	free(errors);
	buf_free(&b);
}

static uint64_t	rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void
test_binary(void **state)
{
	cJSON	*pb;
	char	*data, *errors;
	size_t	 i, n;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	n = PLAYBOOK_MAX;
	data = malloc(n);
	assert_non_null(data);
	for (i = 0; i < n; i++)
		data[i] = (char)rng();
	errors = NULL;
	pb = playbook_parse(data, n, "bin", &errors);
	assert_null(pb);
	assert_error_lines(errors, "bin");
	free(errors);
	/* The same after a valid front matter. */
	memcpy(data, FM, sizeof FM - 1);
	pb = playbook_parse(data, n, "bin", &errors);
	assert_null(pb);
	assert_error_lines(errors, "bin");
	free(errors);
	free(data);

	/* Robustness on NULL and empty input. */
	assert_null(playbook_parse(NULL, 0, NULL, &errors));
	assert_error_lines(errors, "-");
	free(errors);
	assert_null(playbook_parse("", 0, "t.md", NULL));
}

static void
test_mutation(void **state)
{
	static const char *snippets[] = { "```", "~~~", "## ", "##", "- [ ] ", "- [x] ",
	    "---\n", "\n", "\r\n", "\r", "expect: value < 1\n", "query: up\n",
	    "```check\n", "```sh\n", "skip_if: checks_pass\n", "> ", "    ", "[a](b)",
	    "&amp;", "&#0;", "|a|b|\n|-|-|\n", "*", "`", "\xef\xbb\xbf", "\xff",
	    "id: x\n", "1. ", "<", "![", "\0" };
	struct buf	 b;
	cJSON		*pb;
	char		*errors;
	size_t		 len, pos, n, k;
	int		 iter, m, nm, parsed = 0, failed = 0;

	(void)state;
	rng_state = 0x2545f4914f6cdd1dULL;
	len = strlen(example);
	buf_init(&b);
	for (iter = 0; iter < 20000; iter++) {
		buf_reset(&b);
		buf_add(&b, example, len);
		nm = 1 + rng() % 6;
		for (m = 0; m < nm; m++) {
			pos = b.len == 0 ? 0 : rng() % b.len;
			switch (rng() % 5) {
			case 0:		/* flip a byte */
				if (b.len > 0)
					b.data[pos] = (char)rng();
				break;
			case 1:		/* delete a range */
				n = rng() % 16;
				if (pos + n > b.len)
					n = b.len - pos;
				memmove(b.data + pos, b.data + pos + n, b.len - pos - n);
				b.len -= n;
				break;
			case 2:		/* insert a snippet */
				k = rng() % (sizeof snippets / sizeof snippets[0]);
				n = *snippets[k] == '\0' ? 1 : strlen(snippets[k]);
				buf_add(&b, snippets[k], n);
				memmove(b.data + pos + n, b.data + pos, b.len - n - pos);
				memcpy(b.data + pos, snippets[k], n);
				break;
			case 3:		/* duplicate a range */
				n = rng() % 64;
				if (pos + n > b.len)
					n = b.len - pos;
				{
					char tmp[64];

					memcpy(tmp, b.data + pos, n);
					buf_add(&b, tmp, n);
					memmove(b.data + pos + n, b.data + pos, b.len - n - pos);
					memcpy(b.data + pos, tmp, n);
				}
				break;
			default:	/* change a newline */
				if (b.len > 0 && b.data[pos] == '\n')
					b.data[pos] = rng() % 2 ? '\r' : ' ';
				else if (b.len > 0)
					b.data[pos] = '\n';
				break;
			}
		}
		errors = NULL;
		pb = playbook_parse(b.data, b.len, "m.md", &errors);
		if (pb != NULL) {
			assert_null(errors);
			assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pb,
			    "steps")) >= 1);
			parsed++;
		} else {
			assert_error_lines(errors, "m.md");
			failed++;
		}
		cJSON_Delete(pb);
		free(errors);
	}
	buf_free(&b);
	assert_true(parsed > 100);
	assert_true(failed > 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_front_matter_valid),
		cmocka_unit_test(test_front_matter_errors),
		cmocka_unit_test(test_steps),
		cmocka_unit_test(test_checklists),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_fences),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_skip_if),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_crlf_bom),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_many_steps),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_mutation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
