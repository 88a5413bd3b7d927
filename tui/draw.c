/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/sanitize.h"
#include "backend/xmalloc.h"
#include "tui/curses.h"
#include "tui/display.h"
#include "tui/draw.h"

extern attr_t display_styles[STYLE_COUNT];

static const char *const glyphs_utf8[GLYPH_COUNT] = {
	"│", "─", "·", "●", "✓", "▲", "✖", "?", "…"
};
static const char *const glyphs_ascii[GLYPH_COUNT] = {
	"|", "-", "-", "*", "+", "!", "X", "?", "~"
};

/* Eight heights of a cell, lowest first. */
static const char *const levels_utf8[8] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const levels_ascii[8] = { "_", ".", ",", ":", "-", "=", "+", "#" };

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
	return draw_textn(y, x, w, st, s, strlen(s));
}

int
draw_textn(int y, int x, int w, enum style st, const char *s, size_t len)
{
	char *safe;
	int used;

	if (w <= 0 || y < 0 || y >= LINES || x < 0 || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	safe = sanitize(s, len, w, draw_flags(), &used);
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
		leaveok(stdscr, TRUE);
		return;
	}
	leaveok(stdscr, FALSE);
	move(y, x);
	curs_set(1);
}

void
draw_sparkline(int y, int x, enum style st, const double *v, int n, double lo, double hi)
{
	const char *const *lv = display_ascii() ? levels_ascii : levels_utf8;
	int i, level;

	if (y < 0 || y >= LINES || x < 0 || x + n > COLS)
		return;
	attrset(display_styles[st]);
	move(y, x);
	for (i = 0; i < n; i++) {
		if (isnan(v[i])) {
			addch(' ');
			continue;
		}
		/* A flat line sits in the middle (at the bottom when it is zero); otherwise
		   scale into the eight heights. */
		level = hi > lo ? (int)((v[i] - lo) / (hi - lo) * 7.0 + 0.5) : v[i] == 0 ? 0 : 3;
		addstr(lv[level < 0 ? 0 : level > 7 ? 7 : level]);
	}
	attrset(A_NORMAL);
}

void
draw_bar(int y, int x, int h, enum style st, double frac)
{
	const char *const *lv = display_ascii() ? levels_ascii : levels_utf8;
	int eighths, row;

	if (x < 0 || x >= COLS || h <= 0 || isnan(frac))
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	eighths = (int)(frac * h * 8 + 0.5);
	attrset(display_styles[st]);
	for (row = 0; row < h && eighths > 0; row++, eighths -= 8) {
		if (y - row < 0 || y - row >= LINES)
			continue;
		mvaddstr(y - row, x, lv[eighths >= 8 ? 7 : eighths - 1]);
	}
	attrset(A_NORMAL);
}
