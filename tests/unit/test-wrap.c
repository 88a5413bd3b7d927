/* SPDX-License-Identifier: ISC */
/* The console's one text layout: rows, widths of what is drawn, and a cost linear in the text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/sanitize.h"
#include "backend/xmalloc.h"
#include "tui/wrap.h"

/* Lays out text and compares the rows, joined with |, with want. */
static void
check(const char *text, int width, int flags, const char *want)
{
	struct wrap w = { 0 };
	struct buf b;
	int i;

	buf_init(&b);
	wrap_layout(&w, text, strlen(text), width, flags);
	for (i = 0; i < w.n; i++)
		buf_printf(&b, "%s%.*s", i ? "|" : "", (int)w.rows[i].len, text + w.rows[i].off);
	assert_string_equal(b.data != NULL ? b.data : "", want);
	buf_free(&b);
	wrap_free(&w);
}

/* The widest row, measured the way draw_text measures: no row is wider than width. */
static int
widest(const char *text, int width, int flags)
{
	struct wrap w = { 0 };
	char *s;
	int i, cols, max = 0;

	wrap_layout(&w, text, strlen(text), width, flags);
	for (i = 0; i < w.n; i++) {
		s = sanitize(text + w.rows[i].off, w.rows[i].len, -1, 0, &cols);
		free(s);
		if (cols > max)
			max = cols;
	}
	wrap_free(&w);
	return max;
}

static void
test_words(void **state)
{
	(void)state;
	check("the quick brown fox", 9, WRAP_WORDS, "the quick|brown fox");
	check("the quick brown fox", 10, WRAP_WORDS, "the quick|brown fox");
	check("the quick brown fox", 19, WRAP_WORDS, "the quick brown fox");
	check("a  b", 1, WRAP_WORDS, "a|b");
	check("one two    three", 7, WRAP_WORDS, "one two|three");
	/* Without WRAP_WORDS a row is full before it breaks (a query, code). */
	check("the quick brown fox", 9, 0, "the quick| brown fo|x");
}

static void
test_line_breaks(void **state)
{
	(void)state;
	check("a\nb", 10, WRAP_WORDS, "a|b");
	check("a\n\nb", 10, WRAP_WORDS, "a||b");
	check("a\n", 10, WRAP_WORDS, "a");
	check("\n", 10, WRAP_WORDS, "");
	check("line one is long\nx", 8, WRAP_WORDS, "line one|is long|x");
}

static void
test_empty(void **state)
{
	struct wrap w = { 0 };
	struct wrap_row r;
	size_t pos = 0;

	(void)state;
	wrap_layout(&w, "", 0, 10, WRAP_WORDS);
	assert_int_equal(w.n, 1);
	assert_int_equal(w.rows[0].len, 0);
	wrap_free(&w);
	assert_int_equal(wrap_next("", 0, &pos, 10, 0, &r), 0);
	/* A width below one column still makes progress. */
	check("abc", 0, WRAP_WORDS, "a|b|c");
}

static void
test_long_word(void **state)
{
	(void)state;
	check("abcdefghij", 4, WRAP_WORDS, "abcd|efgh|ij");
	check("ab cdefghij", 4, WRAP_WORDS, "ab|cdef|ghij");
}

static void
test_wide(void **state)
{
	(void)state;
	/* Two columns each: three fit in 6, never half of one. */
	check("日本語日本語", 6, WRAP_WORDS, "日本語|日本語");
	check("日本語日本語", 5, WRAP_WORDS, "日本|語日|本語");
	/* A character wider than the row is alone in it. */
	check("日本", 1, WRAP_WORDS, "日|本");
	/* Combining marks take no column and stay with their letter. */
	check("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2, 0, "e\xcc\x81" "e\xcc\x81|e\xcc\x81");
	assert_true(widest("Grüße aus Köln, 日本語 und ☃ ☃ ☃ mit Umlauten äöü", 7,
	    WRAP_WORDS) <= 7);
}

static void
test_controls_invalid(void **state)
{
	(void)state;
	/* ESC is drawn as ^[ (two columns), an invalid byte as one U+FFFD. */
	check("\x1b\x1b\x1b", 4, 0, "\x1b\x1b|\x1b");
	check("a\xff" "b\xc3", 2, 0, "a\xff|b\xc3");
	/* A truncated sequence is one character: never split. */
	check("ab\xe6\x97", 2, 0, "ab|\xe6\x97");
	/* <U+202E> takes eight columns: the narrowest row that holds it. */
	assert_true(widest("\xff\xfe\xc0\xaf \x1b[31m red \xe2\x80\xae rtl", 8, WRAP_WORDS) <= 8);
}

static void
test_cut(void **state)
{
	(void)state;
	/* Preformatted: one row per line; a long line keeps one hidden character (drawn: …). */
	check("short\nlong line here\nx", 6, WRAP_CUT, "short|long li|x");
	check("abc", 6, WRAP_CUT, "abc");
}

static void
test_cached(void **state)
{
	struct wrap w = { 0 };
	const char *text = "some words to lay out again";
	unsigned long long before;

	(void)state;
	wrap_layout(&w, text, strlen(text), 8, WRAP_WORDS);
	before = wrap_measured();
	wrap_layout(&w, text, strlen(text), 8, WRAP_WORDS);
	assert_true(wrap_measured() == before);		/* same text, same width: kept */
	wrap_layout(&w, text, strlen(text), 9, WRAP_WORDS);
	assert_true(wrap_measured() > before);
	wrap_free(&w);
}

/* Builds len bytes of a pattern, repeated. */
static char *
repeat(const char *unit, size_t len)
{
	size_t n = strlen(unit), i;
	char *s = xmalloc(len + 1);

	for (i = 0; i < len; i++)
		s[i] = unit[i % n];
	s[len] = '\0';
	return s;
}

/* Every kind of text costs at most three measured bytes per byte, at any width. */
static void
test_linear(void **state)
{
	static const char *const units[] = {
		"word ", "a", " ", "abcdefghijklmnopqrstuvwxyz0123456789 ", "日本語", "x\n",
		"a b", "\xff", "e\xcc\x81",
	};
	static const int widths[] = { 1, 7, 60, 200 };
	static const int flags[] = { WRAP_WORDS, 0, WRAP_CUT };
	const size_t len = 1 << 20;
	struct wrap w = { 0 };
	unsigned long long before;
	size_t u, i, f;
	char *s;

	(void)state;
	for (u = 0; u < sizeof units / sizeof units[0]; u++) {
		s = repeat(units[u], len);
		for (i = 0; i < sizeof widths / sizeof widths[0]; i++) {
			for (f = 0; f < sizeof flags / sizeof flags[0]; f++) {
				before = wrap_measured();
				wrap_layout(&w, s, len, widths[i], flags[f]);
				if (wrap_measured() - before > 3 * (unsigned long long)len)
					fail_msg("unit %zu width %d flags %d: %llu bytes measured "
					    "for %zu", u, widths[i], flags[f], wrap_measured() - before,
					    len);
				wrap_forget(&w);
			}
		}
		free(s);
	}
	wrap_free(&w);
}

/* Random bytes at random widths: the rows are in order, inside the text, make progress, and
   none is wider than the width unless it holds a single character. */
static void
test_random(void **state)
{
	struct wrap w = { 0 };
	char text[512], *s;
	size_t len, end;
	int round, i, width, flags, cols, one;

	(void)state;
	srand(12);
	for (round = 0; round < 20000; round++) {
		len = (size_t)(rand() % (int)sizeof text);
		for (i = 0; i < (int)len; i++)
			text[i] = (char)(rand() % 4 == 0 ? " \n\xe6\x97\xa5\xff\x1b"[rand() % 7] :
			    rand() % 256);
		width = rand() % 12;
		flags = rand() % 4;
		wrap_layout(&w, text, len, width, flags);
		assert_true(w.n >= 1);
		for (i = 0, end = 0; i < w.n; i++) {
			assert_true(w.rows[i].off >= end);
			assert_true(w.rows[i].off + w.rows[i].len <= len);
			assert_true(i == 0 || w.rows[i].off > w.rows[i - 1].off);
			end = w.rows[i].off + w.rows[i].len;
			s = sanitize(text + w.rows[i].off, w.rows[i].len, -1, 0, &cols);
			free(s);
			one = sanitize_char(text + w.rows[i].off, w.rows[i].len > 0 ?
			    w.rows[i].len : 1, 0, &(int){ 0 }) >= w.rows[i].len;
			if (!(flags & WRAP_CUT) && !one)
				assert_true(cols <= (width < 1 ? 1 : width));
		}
		wrap_forget(&w);
	}
	wrap_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_line_breaks),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_long_word),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_controls_invalid),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_cached),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_random),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "test-wrap: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
