/* SPDX-License-Identifier: ISC */
/*
 * The one UTF-8 decoder. Strict: overlong forms, surrogates (U+D800-DFFF),
 * values above U+10FFFF and sequences cut off by the end of input are
 * ill-formed. An ill-formed sequence is consumed by its maximal subpart
 * (Unicode's "substitution of maximal subparts"), so a caller that puts one
 * U+FFFD per ill-formed step agrees with every other replacing decoder.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_INVALID	0xffffffffu	/* *cp of an ill-formed sequence */
#define UTF8_FFFD	"\xef\xbf\xbd"	/* U+FFFD REPLACEMENT CHARACTER */

/* Decodes one character of len (> 0) bytes: returns the bytes used (at least 1), *cp or UTF8_INVALID. */
size_t	utf8_decode(const char *, size_t, uint32_t *);
/* Returns the bytes of the well-formed character at s (len > 0), or 0 if it is ill-formed. */
size_t	utf8_char_len(const char *, size_t);
/* Encodes a Unicode scalar value into out (4 bytes); returns its length, 0 if cp is none. */
size_t	utf8_encode(uint32_t, char *);
/* Returns the length of the longest prefix of s (len bytes) that holds at most max bytes and
   ends between characters (before a byte that is not a continuation byte, or at the end). */
size_t	utf8_prefix(const char *, size_t len, size_t max);
/* Returns 1 if all len bytes are well-formed UTF-8, else 0 with the first bad offset in *bad. */
int	utf8_valid(const char *, size_t, size_t *);

#endif
