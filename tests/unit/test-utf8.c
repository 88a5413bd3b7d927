/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "backend/utf8.h"

/* Decodes s (len bytes) and checks the bytes used and the code point. */
static void
check(const char *s, size_t len, size_t want_n, uint32_t want_cp)
{
	uint32_t	cp = 0;
	size_t		n;

	n = utf8_decode(s, len, &cp);
	assert_int_equal(n, want_n);
	assert_int_equal(cp, want_cp);
	assert_int_equal(utf8_char_len(s, len), want_cp == UTF8_INVALID ? 0 : want_n);
}

static void
test_well_formed(void **state)
{
	(void)state;
	check("A", 1, 1, 'A');
	check("\x00", 1, 1, 0);
	check("\x7f", 1, 1, 0x7f);
	check("\xc2\x80", 2, 2, 0x80);
	check("\xdf\xbf", 2, 2, 0x7ff);
	check("\xe0\xa0\x80", 3, 3, 0x800);
	check("\xed\x9f\xbf", 3, 3, 0xd7ff);
	check("\xee\x80\x80", 3, 3, 0xe000);
	check("\xef\xbf\xbf", 3, 3, 0xffff);
	check("\xf0\x90\x80\x80", 4, 4, 0x10000);
	check("\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff);
	check("\xe2\x82\xac" "x", 4, 3, 0x20ac);
}

static void
test_overlong(void **state)
{
	(void)state;
	check("\xc0\xaf", 2, 1, UTF8_INVALID);
	check("\xc1\xbf", 2, 1, UTF8_INVALID);
	check("\xe0\x80\xaf", 3, 1, UTF8_INVALID);
	check("\xe0\x9f\xbf", 3, 1, UTF8_INVALID);
	check("\xf0\x80\x80\xaf", 4, 1, UTF8_INVALID);
	check("\xf0\x8f\xbf\xbf", 4, 1, UTF8_INVALID);
}

static void
test_surrogates(void **state)
{
	(void)state;
	check("\xed\xa0\x80", 3, 1, UTF8_INVALID);
	check("\xed\xbf\xbf", 3, 1, UTF8_INVALID);
	/* CESU-8 pair for U+10000: two ill-formed steps per half. */
	check("\xed\xa0\x80\xed\xb0\x80", 6, 1, UTF8_INVALID);
}

static void
test_too_big(void **state)
{
	(void)state;
	check("\xf4\x90\x80\x80", 4, 1, UTF8_INVALID);
	check("\xf5\x80\x80\x80", 4, 1, UTF8_INVALID);
	check("\xf8\x88\x80\x80\x80", 5, 1, UTF8_INVALID);
	check("\xff", 1, 1, UTF8_INVALID);
}

static void
test_truncated(void **state)
{
	(void)state;
	check("\xc2", 1, 1, UTF8_INVALID);
	check("\xe2\x82", 2, 2, UTF8_INVALID);
	check("\xf0\x9f\x98", 3, 3, UTF8_INVALID);
	/* The length bounds the read even when more bytes follow in memory. */
	check("\xe2\x82\xac", 2, 2, UTF8_INVALID);
	/* A non-continuation ends the maximal subpart before it. */
	check("\xe2\x82" "A", 3, 2, UTF8_INVALID);
	check("\xf0\x9f" "A", 3, 2, UTF8_INVALID);
	check("\x80", 1, 1, UTF8_INVALID);
	check("\xbf\x80", 2, 1, UTF8_INVALID);
}

static void
test_encode(void **state)
{
	static const uint32_t	cps[] = { 0, 0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000,
	    0xfffd, 0xffff, 0x10000, 0x10ffff };
	char			out[4];
	uint32_t		cp;
	size_t			i, n;

	(void)state;
	for (i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		n = utf8_encode(cps[i], out);
		assert_true(n >= 1 && n <= 4);
		assert_int_equal(utf8_decode(out, n, &cp), n);
		assert_int_equal(cp, cps[i]);
	}
	assert_int_equal(utf8_encode(0xd800, out), 0);
	assert_int_equal(utf8_encode(0xdfff, out), 0);
	assert_int_equal(utf8_encode(0x110000, out), 0);
	n = utf8_encode(0xfffd, out);
	assert_memory_equal(out, UTF8_FFFD, n);
}

static void
test_valid(void **state)
{
	size_t	bad = 99;

	(void)state;
	assert_true(utf8_valid("", 0, &bad));
	assert_true(utf8_valid("gr\xc3\xbc\xc3\x9f" "e \xf0\x9f\x98\x80", 12, &bad));
	assert_false(utf8_valid("ab\xed\xa0\x80", 5, &bad));
	assert_int_equal(bad, 2);
	assert_false(utf8_valid("abc\xc0\x80", 5, &bad));
	assert_int_equal(bad, 3);
	assert_false(utf8_valid("abcd\xe2\x82", 6, &bad));
	assert_int_equal(bad, 4);
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4, NULL));
}

/* A prefix never ends inside a character: it backs off to where the character starts. */
static void
test_prefix(void **state)
{
	/* "a", then U+00FC (2 bytes), then U+1F600 (4 bytes): starts at 0, 1, 3, 7. */
	static const char s[] = "a\xc3\xbc\xf0\x9f\x98\x80";
	static const size_t want[] = { 0, 1, 1, 3, 3, 3, 3, 7 };
	size_t max;

	(void)state;
	for (max = 0; max <= 7; max++)
		assert_int_equal(utf8_prefix(s, 7, max), want[max]);
	assert_int_equal(utf8_prefix(s, 7, 100), 7);
	assert_int_equal(utf8_prefix("", 0, 0), 0);
	/* Continuation bytes alone back off to nothing. */
	assert_int_equal(utf8_prefix("\x80\x80\x80", 3, 2), 0);
}

/* Every two-byte input: the decoder never reads past len, always advances, and
   a two-byte result is a character that needs two bytes. */
static void
test_exhaustive_pairs(void **state)
{
	char		s[2];
	uint32_t	cp;
	size_t		n;
	unsigned	a, b;

	(void)state;
	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			s[0] = (char)a;
			s[1] = (char)b;
			n = utf8_decode(s, 2, &cp);
			assert_true(n >= 1 && n <= 2);
			if (cp != UTF8_INVALID && n == 2)
				assert_true(cp >= 0x80 && cp <= 0x7ff);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_surrogates),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_exhaustive_pairs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
