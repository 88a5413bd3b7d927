/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/sanitize.h"
#include "backend/xmalloc.h"
#include "tui/curses.h"
#include "tui/display.h"
#include "tui/draw.h"

extern attr_t display_styles[STYLE_COUNT];

static const char *const glyphs_utf8[GLYPH_COUNT] = { "│", "─", "·", "●" };
static const char *const glyphs_ascii[GLYPH_COUNT] = { "|", "-", "-", "*" };

int
draw_rows(void)
{
	return LINES;
}

int
draw_cols(void)
{
	return COLS;
}

void
draw_begin(void)
{
	erase();
}

void
draw_end(void)
{
	wnoutrefresh(stdscr);
	doupdate();
}

const char *
draw_glyph(enum glyph g)
{
	return display_ascii() ? glyphs_ascii[g] : glyphs_utf8[g];
}

static int
draw_flags(void)
{
	return display_ascii() ? SANITIZE_ASCII : 0;
}

int
draw_width(const char *s)
{
	int w;

	free(sanitize(s, strlen(s), -1, draw_flags(), &w));
	return w;
}

int
draw_text(int y, int x, int w, enum style st, const char *s)
{
	char *safe;
	int used;

	if (w <= 0 || y < 0 || y >= LINES || x < 0 || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	safe = sanitize(s, strlen(s), w, draw_flags(), &used);
	attrset(display_styles[st]);
	mvaddstr(y, x, safe);
	attrset(A_NORMAL);
	free(safe);
	return used;
}

int
draw_printf(int y, int x, int w, enum style st, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int used;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	used = draw_text(y, x, w, st, s);
	free(s);
	return used;
}

void
draw_fill(int y, int x, int w, enum style st)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attrset(display_styles[st]);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

void
draw_line(int y, int x, int w, enum style st, const char *s)
{
	int used;

	used = draw_text(y, x, w, st, s);
	draw_fill(y, x + used, w - used, st);
}

/* Plain glyphs rather than the alternate character set, which not every terminal maps. */
void
draw_hline(int y, int x, int w, enum style st)
{
	int i;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS || w <= 0)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attrset(display_styles[st]);
	move(y, x);
	for (i = 0; i < w; i++)
		addstr(draw_glyph(GLYPH_HBAR));
	attrset(A_NORMAL);
}

void
draw_cursor(int y, int x)
{
	if (y < 0) {
		curs_set(0);
		return;
	}
	move(y, x);
	curs_set(1);
}
