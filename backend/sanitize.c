/* SPDX-License-Identifier: ISC */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "backend/buf.h"
#include "backend/sanitize.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define SANITIZE_BAD	0xfffd

/*
 * Shown as <U+XXXX> whatever wcwidth() says: they reorder or hide text, so a
 * string could read differently on screen than it is.
 */
static const struct {
	uint32_t	first;
	uint32_t	last;
} hidden_ranges[] = {
	{ 0x00ad, 0x00ad },	/* soft hyphen */
	{ 0x061c, 0x061c },	/* arabic letter mark */
	{ 0x180e, 0x180e },	/* mongolian vowel separator */
	{ 0x200b, 0x200f },	/* ZWSP, ZWNJ, ZWJ, LRM, RLM */
	{ 0x2028, 0x202e },	/* line and paragraph separators, LRE..RLO */
	{ 0x2060, 0x206f },	/* word joiner, invisible operators, isolates */
	{ 0xfeff, 0xfeff },	/* zero width no-break space (BOM) */
	{ 0xfff9, 0xfffb },	/* interlinear annotation */
	{ 0xe0000, 0xe007f },	/* tags: invisible ASCII look-alikes */
};

int
sanitize_hidden(uint32_t cp)
{
	size_t	i;

	for (i = 0; i < sizeof hidden_ranges / sizeof hidden_ranges[0]; i++) {
		if (cp >= hidden_ranges[i].first && cp <= hidden_ranges[i].last)
			return 1;
	}
	return 0;
}

/* Decodes one character; an ill-formed sequence reads as one U+FFFD. */
static size_t
sanitize_decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	size_t	n;

	n = utf8_decode((const char *)p, len, cp);
	if (*cp == UTF8_INVALID)
		*cp = SANITIZE_BAD;
	return n;
}

/* Writes the display form of one code point to out and returns its width. */
static size_t
sanitize_render(uint32_t cp, int ascii, char *out, size_t size)
{
	int	w;

	if (cp == '\t') {
		snprintf(out, size, "%s", " ");
		return 1;
	}
	if (cp < 0x20 || cp == 0x7f) {
		out[0] = '^';
		out[1] = (char)(cp ^ 0x40);
		out[2] = '\0';
		return 2;
	}
	if (cp < 0x7f) {
		out[0] = (char)cp;
		out[1] = '\0';
		return 1;
	}
	if (cp <= 0x9f)
		return (size_t)snprintf(out, size, "\\x%02x", (unsigned)cp);
	if (cp == SANITIZE_BAD) {
		snprintf(out, size, "%s", ascii ? "?" : "\xef\xbf\xbd");
		return 1;
	}
	if (sanitize_hidden(cp) || (w = wcwidth((wchar_t)cp)) < 0)
		return (size_t)snprintf(out, size, "<U+%04X>", (unsigned)cp);
	if (ascii) {
		snprintf(out, size, "%s", "?");
		return 1;
	}
	out[utf8_encode(cp, out)] = '\0';
	return (size_t)w;
}

/* Returns the bytes of the character at s (len > 0 bytes left) and, in *width, the columns
   its display form takes: what sanitize() makes of it, so layouts measure what is drawn. */
size_t
sanitize_char(const char *s, size_t len, int flags, int *width)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			 piece[16];
	size_t			 n;
	uint32_t		 cp;

	if (p[0] >= 0x20 && p[0] < 0x7f) {
		*width = 1;	/* the common case, without the table look-ups */
		return 1;
	}
	n = sanitize_decode(p, len, &cp);
	*width = (int)sanitize_render(cp, flags & SANITIZE_ASCII, piece, sizeof piece);
	return n;
}

/* Returns a newly allocated display-safe copy of len bytes, at most max_cols wide. */
char *
sanitize(const char *s, size_t len, int max_cols, int flags, int *width)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 ascii = flags & SANITIZE_ASCII;
	struct buf		 b;
	char			 piece[16];
	size_t			 off, n, w, used = 0, cut = 0, cutw = 0, limit;
	uint32_t		 cp;

	buf_init(&b);
	limit = max_cols < 0 ? SIZE_MAX : (size_t)max_cols;
	for (off = 0; limit > 0 && off < len; off += n) {
		n = sanitize_decode(p + off, len - off, &cp);
		w = sanitize_render(cp, ascii, piece, sizeof piece);
		if (used + w > limit) {
			/*
			 * Does not fit: go back to the longest prefix that
			 * leaves a column for the ellipsis. Pieces are whole,
			 * so no escape or wide character is ever split.
			 */
			b.len = cut;
			buf_addstr(&b, ascii ? "~" : "\xe2\x80\xa6");
			used = cutw + 1;
			break;
		}
		buf_addstr(&b, piece);
		used += w;
		if (used < limit) {
			cut = b.len;
			cutw = used;
		}
	}
	if (width != NULL)
		*width = used > INT_MAX ? INT_MAX : (int)used;
	return buf_take(&b);
}

/* Returns a newly allocated copy with bytes outside printable ASCII as \xNN. */
char *
sanitize_log(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		 b;
	size_t			 i;

	buf_init(&b);
	for (i = 0; i < len; i++) {
		if (p[i] == '\\')
			buf_addstr(&b, "\\\\");
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			buf_addch(&b, (char)p[i]);
		else
			buf_printf(&b, "\\x%02x", p[i]);
	}
	return buf_take(&b);
}
