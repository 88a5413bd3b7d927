/* SPDX-License-Identifier: ISC */
/*
 * A pane of texts drawn one after another in rows counted from 0 at its first line; rows
 * before top or past the pane are not drawn, so long content scrolls. Each text is laid out
 * once per width (tui/wrap.c) and kept, in the order the draw asks for them, until the
 * caller forgets them: a key press walks the row counts and draws only the rows in view,
 * however long the texts are.
 */
#ifndef WIDGET_PANE_H
#define WIDGET_PANE_H

#include "tui/draw.h"

#define PANE_WORDS	0x1	/* break at blanks (a note), else anywhere (a query) */
#define PANE_MARKUP	0x2	/* Markdown inline spans: `code`, *em*, **strong**, \-escapes */
#define PANE_FRESH	0x4	/* a string built for this draw: never the same as the last */
#define PANE_PLACEHOLDERS 0x8	/* <NAME> left for the reader to fill in stands out */

struct pane_text;

struct pane {
	int			 y, h;	/* on the screen */
	int			 top;	/* the first row shown */
	int			 row;	/* the next row to lay out; after a draw, the rows in all */
	int			 next;	/* the next text's place in texts */
	struct pane_text	*texts;
	int			 n;
};

/* Starts a draw of the pane at screen row y, h rows high, from row top. */
void	pane_begin(struct pane *, int y, int h, int top);
/* Text wrapped into rows of w columns from column x, later rows indented under the
   prefix's end; a line break starts a row too. With PANE_MARKUP the markers count as
   width (a row may end a little early). */
/* 1 if the text holds a placeholder <NAME> (PANE_PLACEHOLDERS shows them). */
int	pane_has_placeholder(const char *);
void	pane_text(struct pane *, int x, int w, enum style, const char *prefix, const char *text,
	    int flags);
/* Preformatted text: one row per line, cut at the width; the first line after the prefix,
   the others after two blanks. */
void	pane_lines(struct pane *, int x, int w, enum style, const char *prefix,
	    const char *text, int flags);
/* The texts' memory is about to go: forget their layouts (keeping the memory). */
void	pane_forget(struct pane *);
void	pane_free(struct pane *);

#endif
