/* SPDX-License-Identifier: ISC */
/* Drawing for views: every string goes through the sanitiser here. No curses types. */
#ifndef DRAW_H
#define DRAW_H

#include <stddef.h>

enum style {
	STYLE_NORMAL,
	STYLE_HEADER,		/* top line */
	STYLE_TAB,
	STYLE_TAB_ACTIVE,
	STYLE_STATUS,		/* bottom line */
	STYLE_ERROR,
	STYLE_SELECTED,
	STYLE_DIM,
	STYLE_TITLE,
	STYLE_OK,
	STYLE_WARN,
	STYLE_CRIT,
	STYLE_STRONG,		/* **emphasis** in Markdown text */
	STYLE_CODE,		/* `code` in Markdown text */
	STYLE_ADDED,		/* + lines of a diff */
	STYLE_REMOVED,		/* - lines of a diff */
	STYLE_COUNT
};

enum glyph {
	GLYPH_VBAR,		/* │ or | */
	GLYPH_HBAR,		/* ─ or - */
	GLYPH_DOT,		/* · or - */
	GLYPH_BULLET,		/* ● or * */
	GLYPH_OK,		/* ✓ or + */
	GLYPH_WARN,		/* ▲ or ! */
	GLYPH_CRIT,		/* ✖ or X */
	GLYPH_UNKNOWN,		/* ? */
	GLYPH_ELLIPSIS,		/* … or ~ */
	GLYPH_COUNT
};

int		 draw_rows(void);
int		 draw_cols(void);
/* Starts a frame: clears the virtual screen (the terminal gets only the difference). */
void		 draw_begin(void);
/* Sends the difference to the terminal. */
void		 draw_end(void);
/* Sanitised text at row y, column x, at most w columns; returns the columns used. */
int		 draw_text(int y, int x, int w, enum style, const char *);
/* The same for len bytes of a longer text (a row of a wrapped note). */
int		 draw_textn(int y, int x, int w, enum style, const char *, size_t len);
int		 draw_printf(int y, int x, int w, enum style, const char *, ...)
		     __attribute__((format(printf, 5, 6)));
/* Text padded with blanks to exactly w columns. */
void		 draw_line(int y, int x, int w, enum style, const char *);
void		 draw_fill(int y, int x, int w, enum style);
void		 draw_hline(int y, int x, int w, enum style);
const char	*draw_glyph(enum glyph);
/* Display width of external text after sanitising. */
int		 draw_width(const char *);
/* A sparkline of n values (NAN: gap) scaled between lo and hi, one cell per value. */
void		 draw_sparkline(int y, int x, enum style, const double *, int n, double lo,
		     double hi);
/* One column of a bar chart, h rows tall from the bottom row y, filled to frac (0..1). */
void		 draw_bar(int y, int x, int h, enum style, double frac);
/* Puts the terminal cursor at y, x (shown), or hides it when y < 0. */
void		 draw_cursor(int y, int x);

#endif
