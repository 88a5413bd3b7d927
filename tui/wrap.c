/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/sanitize.h"
#include "backend/xmalloc.h"
#include "tui/wrap.h"

static unsigned long long measured;

/* Skips the blanks after a break at a blank: they belong to no row. */
static size_t
skip_blanks(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/*
 * Walks the row once, remembering the last blank. When a character does not fit, the row
 * ends at that blank (or, in a long word, before the character), and the next row starts
 * after it: only the bytes between the blank and the character that did not fit are
 * measured again, and those of two rows never overlap, so no byte is measured more than
 * twice. A line break is looked for in the same walk, never ahead of it.
 */
int
wrap_next(const char *s, size_t len, size_t *pos, int width, int flags, struct wrap_row *row)
{
	size_t start = *pos, i = start, blank = 0, n;
	const char *nl;
	int used = 0, cw, sflags = flags & WRAP_ASCII ? SANITIZE_ASCII : 0;

	if (start >= len)
		return 0;
	if (width < 1)
		width = 1;
	row->off = start;
	while (i < len && s[i] != '\n') {
		if ((flags & WRAP_WORDS) && s[i] == ' ' && i > start)
			blank = i;
		n = sanitize_char(s + i, len - i, sflags, &cw);
		measured += n;
		if (used + cw > width) {
			if (flags & WRAP_CUT) {
				/* The row keeps the character that did not fit, so the drawing
				   shows the line goes on (…); the hidden rest is passed once. */
				nl = memchr(s + i, '\n', len - i);
				row->len = i + n - start;
				*pos = nl != NULL ? (size_t)(nl - s) + 1 : len;
				return 1;
			}
			if (blank > start) {
				row->len = blank - start;
				*pos = skip_blanks(s, len, blank);
				return 1;
			}
			if (i == start)
				i += n;		/* wider than the row: alone in it */
			row->len = i - start;
			*pos = i;
			return 1;
		}
		used += cw;
		i += n;
	}
	row->len = i - start;
	*pos = i < len ? i + 1 : len;
	return 1;
}

void
wrap_layout(struct wrap *w, const char *text, size_t len, int width, int flags)
{
	struct wrap_row row;
	size_t pos = 0;

	if (w->text == text && w->len == len && w->width == width && w->flags == flags &&
	    w->n > 0)
		return;
	w->text = text;
	w->len = len;
	w->width = width;
	w->flags = flags;
	w->n = 0;
	do {
		if (!wrap_next(text, len, &pos, width, flags, &row))
			row.off = row.len = 0;	/* the empty text: one empty row */
		if (w->n == w->cap) {
			w->cap = w->cap > 0 ? w->cap * 2 : 8;
			w->rows = xreallocarray(w->rows, (size_t)w->cap, sizeof *w->rows);
		}
		w->rows[w->n++] = row;
	} while (pos < len);
}

void
wrap_forget(struct wrap *w)
{
	w->text = NULL;
	w->n = 0;
}

void
wrap_free(struct wrap *w)
{
	free(w->rows);
	memset(w, 0, sizeof *w);
}

unsigned long long
wrap_measured(void)
{
	return measured;
}
