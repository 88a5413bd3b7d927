/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "backend/sanitize.h"

#define FFFD	"\xef\xbf\xbd"
#define ELL	"\xe2\x80\xa6"

/* Sanitises len bytes and checks the result and the width reported. */
static void
check_len(const char *in, size_t len, int max, int flags, const char *want,
    int want_width)
{
	char	*out;
	int	 w = -1;

	out = sanitize(in, len, max, flags, &w);
	assert_string_equal(out, want);
	assert_int_equal(w, want_width);
	free(out);
}

static void
check(const char *in, int max, int flags, const char *want, int want_width)
{
	check_len(in, strlen(in), max, flags, want, want_width);
}

static void
check_log(const char *in, size_t len, const char *want)
{
	char	*out;

	out = sanitize_log(in, len);
	assert_string_equal(out, want);
	free(out);
}

static void
test_plain(void **state)
{
	(void)state;
	check("cpu 93% on web-1", -1, 0, "cpu 93% on web-1", 16);
	check("", -1, 0, "", 0);
	check("", 10, 0, "", 0);
	check_len(NULL, 0, 10, 0, "", 0);
}

static void
test_escape_sequences(void **state)
{
	(void)state;
	check("\033]52;c;ZXZpbA==\a", -1, 0, "^[]52;c;ZXZpbA==^G", 18);
	check("\033[2J", -1, 0, "^[[2J", 5);
	check("\033]0;title\a", -1, 0, "^[]0;title^G", 12);
	check("OK\rFAIL", -1, 0, "OK^MFAIL", 8);
	check("a\nb", -1, 0, "a^Jb", 4);
	check("a\tb", -1, 0, "a b", 3);
	check("\x7f", -1, 0, "^?", 2);
	check("\x1f", -1, 0, "^_", 2);
	check("\033[2J", -1, SANITIZE_ASCII, "^[[2J", 5);
}

static void
test_c1(void **state)
{
	(void)state;
	check("\xc2\x9b" "31m", -1, 0, "\\x9b31m", 7);
	check("\xc2\x9d" "0;x\xc2\x9c", -1, 0, "\\x9d0;x\\x9c", 11);
	check("\xc2\x80", -1, 0, "\\x80", 4);
	check("\xc2\x9f", -1, SANITIZE_ASCII, "\\x9f", 4);
	/* A raw C1 byte is not UTF-8. */
	check("\x9b" "31m", -1, 0, FFFD "31m", 4);
	check("\x9b" "31m", -1, SANITIZE_ASCII, "?31m", 4);
}

static void
test_nul(void **state)
{
	(void)state;
	check_len("a\0b", 3, -1, 0, "a^@b", 4);
	check_len("\0", 1, -1, 0, "^@", 2);
	check_len("ab\0", 2, -1, 0, "ab", 2);
}

static void
test_bidi_invisible(void **state)
{
	(void)state;
	check("abc\xe2\x80\xaetxt.exe", -1, 0, "abc<U+202E>txt.exe", 18);
	check("\xe2\x81\xa6x\xe2\x81\xa9", -1, 0, "<U+2066>x<U+2069>", 17);
	check("\xd8\x9c", -1, 0, "<U+061C>", 8);
	check("\xe2\x80\x8e\xe2\x80\x8f", -1, 0, "<U+200E><U+200F>", 16);
	check("a\xe2\x80\x8b" "b", -1, 0, "a<U+200B>b", 10);
	check("\xe2\x80\x8d", -1, 0, "<U+200D>", 8);
	check("\xef\xbb\xbf", -1, 0, "<U+FEFF>", 8);
	check("\xc2\xad", -1, 0, "<U+00AD>", 8);
	check("\xe2\x81\xa0", -1, 0, "<U+2060>", 8);
	check("\xe2\x80\xa8", -1, 0, "<U+2028>", 8);
	check("\xf3\xa0\x80\x81", -1, 0, "<U+E0001>", 9);
	check("\xe2\x80\xae", -1, SANITIZE_ASCII, "<U+202E>", 8);
	/* Unassigned: wcwidth() < 0. */
	check("\xcd\xb8", -1, 0, "<U+0378>", 8);
	check("\xf4\x8f\xbf\xbf", -1, 0, "<U+10FFFF>", 10);
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	check("\xc0\xaf", -1, 0, FFFD FFFD, 2);
	check("\xc0\x80", -1, 0, FFFD FFFD, 2);
	check("\xe0\x80\xaf", -1, 0, FFFD FFFD FFFD, 3);
	check("\xe0\x80\x80", -1, 0, FFFD FFFD FFFD, 3);
	check("\xf0\x80\x80\xaf", -1, 0, FFFD FFFD FFFD FFFD, 4);
	check("\xed\xa0\x80", -1, 0, FFFD FFFD FFFD, 3);
	check("\xed\xbf\xbf", -1, 0, FFFD FFFD FFFD, 3);
	check("\xf4\x90\x80\x80", -1, 0, FFFD FFFD FFFD FFFD, 4);
	check("\xf5\x80\x80\x80", -1, 0, FFFD FFFD FFFD FFFD, 4);
	check("\xff\xfe", -1, 0, FFFD FFFD, 2);
	/* Maximal subparts: one U+FFFD for a truncated sequence. */
	check("ab\xe6\x97", -1, 0, "ab" FFFD, 3);
	check("ab\xf0\x9f\x98", -1, 0, "ab" FFFD, 3);
	check("\xe6\x97x", -1, 0, FFFD "x", 2);
	check("\xe6\x97\xe6\x97\xa5", -1, 0, FFFD "\xe6\x97\xa5", 3);
	check("\x80\xbf", -1, 0, FFFD FFFD, 2);
	check("\xc0\xaf\xe0\x80\xaf", -1, SANITIZE_ASCII, "?????", 5);
}

static void
test_wide_truncation(void **state)
{
	(void)state;
	check("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", -1, 0,
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 6);
	check("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 6, 0,
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 6);
	check("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 0,
	    "\xe6\x97\xa5\xe6\x9c\xac" ELL, 5);
	check("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, 0,
	    "\xe6\x97\xa5" ELL, 3);
	check("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 3, 0,
	    "\xe6\x97\xa5" ELL, 3);
	check("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 2, 0, ELL, 1);
	check("\xe6\x97\xa5", 2, 0, "\xe6\x97\xa5", 2);
	check("a\xe6\x97\xa5", 2, 0, "a" ELL, 2);
	check("\xe6\x97\xa5\xe6\x9c\xac", 3, SANITIZE_ASCII, "??", 2);
	check("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 2, SANITIZE_ASCII,
	    "?~", 2);
}

static void
test_combining_emoji(void **state)
{
	(void)state;
	check("e\xcc\x81", -1, 0, "e\xcc\x81", 1);
	check("\xcc\x81x", -1, 0, "\xcc\x81x", 1);
	check("e\xcc\x81" "ab", 2, 0, "e\xcc\x81" ELL, 2);
	check("e\xcc\x81", -1, SANITIZE_ASCII, "e?", 2);
	check("\xf0\x9f\x98\x80", -1, 0, "\xf0\x9f\x98\x80", 2);
	check("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 3, 0,
	    "\xf0\x9f\x98\x80" ELL, 3);
	check("\xf0\x9f\x98\x80", -1, SANITIZE_ASCII, "?", 1);
	check("caf\xc3\xa9", -1, SANITIZE_ASCII, "caf?", 4);
	check("caf\xc3\xa9", -1, 0, "caf\xc3\xa9", 4);
}

static void
test_truncation(void **state)
{
	(void)state;
	check("abcd", 4, 0, "abcd", 4);
	check("abcde", 4, 0, "abc" ELL, 4);
	check("abcde", 4, SANITIZE_ASCII, "abc~", 4);
	check("abc", 0, 0, "", 0);
	check("", 0, 0, "", 0);
	check("\xcc\x81", 0, 0, "", 0);
	check("a", 1, 0, "a", 1);
	check("ab", 1, 0, ELL, 1);
	check("ab", 1, SANITIZE_ASCII, "~", 1);
	/* Escapes and placeholders are never split. */
	check("a\033", 3, 0, "a^[", 3);
	check("a\033", 2, 0, "a" ELL, 2);
	check("ab\xe2\x80\xae", 9, 0, "ab" ELL, 3);
	check("ab\xe2\x80\xae", 10, 0, "ab<U+202E>", 10);
	check("ab\xe2\x80\xae" "c", 10, 0, "ab" ELL, 3);
	check("x\xc2\x9b", 4, 0, "x" ELL, 2);
	check("x\xc2\x9b", 5, 0, "x\\x9b", 5);
	check_len("ab\0", 3, 3, 0, "ab" ELL, 3);
}

static void
test_width_null(void **state)
{
	char	*out;

	(void)state;
	out = sanitize("abc", 3, 2, 0, NULL);
	assert_string_equal(out, "a" ELL);
	free(out);
}

static void
test_log(void **state)
{
	(void)state;
	check_log("plain text", 10, "plain text");
	check_log("", 0, "");
	check_log("a\\b", 3, "a\\\\b");
	check_log("\033[0m\n", 5, "\\x1b[0m\\x0a");
	check_log("a\0b", 3, "a\\x00b");
	check_log("\x7f\x80\xff", 3, "\\x7f\\x80\\xff");
	check_log("\xc3\xa9", 2, "\\xc3\\xa9");
}

/*
 * Independent strict UTF-8 reader for the property test; returns the bytes
 * used, or 0 if the sequence is ill-formed.
 */
static size_t
read_utf8(const unsigned char *p, size_t len, uint32_t *cp)
{
	size_t		n, i;
	uint32_t	v;

	if (p[0] < 0x80)
		n = 1, v = p[0];
	else if ((p[0] & 0xe0) == 0xc0)
		n = 2, v = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, v = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, v = p[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) ||
	    (n == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

static int
is_forbidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x061c || cp == 0x200e || cp == 0x200f || cp == 0x200b ||
	    cp == 0x200c || cp == 0x200d || cp == 0x2060 || cp == 0xfeff ||
	    cp == 0x00ad;
}

/* Checks out is safe and returns its width by wcwidth(). */
static int
check_safe(const char *out, int ascii)
{
	const unsigned char	*p = (const unsigned char *)out;
	size_t			 len = strlen(out), off, n;
	uint32_t		 cp = 0;
	int			 w, total = 0;

	for (off = 0; off < len; off += n) {
		n = read_utf8(p + off, len - off, &cp);
		assert_true(n > 0);
		assert_false(is_forbidden(cp));
		if (ascii)
			assert_true(cp >= 0x20 && cp < 0x7f);
		w = wcwidth((wchar_t)cp);
		assert_true(w >= 0);
		total += w;
	}
	return total;
}

static void
test_random(void **state)
{
	static const unsigned char interesting[] = {
		0x00, 0x07, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x9b, 0xbf,
		0xc0, 0xc2, 0xcc, 0xd8, 0xe0, 0xe2, 0xe6, 0xed, 0xef, 0xf0,
		0xf4, 0xf5, 0xff, 0x80, 0x81, 0x9c, 0x9d, 0xa0, 0xae, 0xa9,
	};
	unsigned int	 seed = 20240601;
	unsigned char	 in[64];
	char		*out, *full;
	size_t		 len, i, plen;
	int		 round, max, flags, w, wfull;

	(void)state;
	for (round = 0; round < 20000; round++) {
		len = (size_t)rand_r(&seed) % sizeof in;
		for (i = 0; i < len; i++) {
			switch (rand_r(&seed) % 3) {
			case 0:
				in[i] = (unsigned char)rand_r(&seed);
				break;
			case 1:
				in[i] = interesting[rand_r(&seed) %
				    sizeof interesting];
				break;
			default:
				in[i] = 0x80 | (rand_r(&seed) & 0x3f);
				break;
			}
		}
		max = rand_r(&seed) % 42 - 1;
		flags = rand_r(&seed) % 2 ? SANITIZE_ASCII : 0;

		out = sanitize((char *)in, len, max, flags, &w);
		assert_int_equal(check_safe(out, flags), w);
		if (max >= 0)
			assert_true(w <= max);

		/* Untruncated output equals truncated output when it fits. */
		full = sanitize((char *)in, len, -1, flags, &wfull);
		assert_int_equal(check_safe(full, flags), wfull);
		if (max < 0 || wfull <= max) {
			assert_string_equal(out, full);
			assert_int_equal(w, wfull);
		} else if (max == 0) {
			assert_string_equal(out, "");
		} else {
			/* Otherwise a prefix of it plus the ellipsis. */
			plen = strlen(out) - (flags ? 1 : 3);
			assert_string_equal(out + plen, flags ? "~" : ELL);
			assert_memory_equal(out, full, plen);
		}
		free(full);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_bidi_invisible),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_wide_truncation),
		cmocka_unit_test(test_combining_emoji),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_width_null),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_random),
	};

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "test-sanitize: no C.UTF-8 locale\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
