/* SPDX-License-Identifier: ISC */
/*
 * Text broken into rows of at most a given width, for every view that shows long text
 * (timeline notes, playbook steps, reports). One pass over the text: each byte is measured
 * at most twice whatever the text looks like, so a megabyte paragraph costs its length and
 * nothing more; a layout is kept per width, so a key press draws only the rows in view.
 * Widths are those of the sanitiser's display form (wcwidth, ^X, <U+XXXX>, U+FFFD).
 */
#ifndef WRAP_H
#define WRAP_H

#include <stddef.h>

#define WRAP_WORDS	0x1	/* break at blanks where one is in the row (else where full) */
#define WRAP_CUT	0x2	/* preformatted: one row per line, the rest of a long line hidden
				   (the row keeps the first hidden character: drawn, it shows …) */
#define WRAP_ASCII	0x4	/* measure for a terminal that is not UTF-8 */

struct wrap_row {
	size_t	off;		/* the row's first byte in the text */
	size_t	len;		/* its bytes, without the break (line break or blanks) */
};

/* A text laid out at one width: rows[0..n). The text is the caller's and must stay. */
struct wrap {
	const char	*text;
	size_t		 len;
	int		 width;
	int		 flags;
	struct wrap_row	*rows;
	int		 n;
	int		 cap;
};

/* The row of text (len bytes) that starts at *pos; moves *pos to the next row's start.
   Returns 0 when *pos is at the end of the text. */
int		 wrap_next(const char *, size_t, size_t *, int, int, struct wrap_row *);
/* Lays out text unless the wrap holds that text at that width and flags already. A text
   with no rows (empty) gets one empty row. */
void		 wrap_layout(struct wrap *, const char *, size_t, int, int);
/* Forgets the layout (the text is gone or changed), keeping the memory for the next one. */
void		 wrap_forget(struct wrap *);
void		 wrap_free(struct wrap *);
/* Bytes measured so far, by every layout: lets a test prove the cost is linear. */
unsigned long long wrap_measured(void);

#endif
