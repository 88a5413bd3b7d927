/* SPDX-License-Identifier: ISC */
#include <sys/ioctl.h>

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/xmalloc.h"
#include "tui/curses.h"
#include "tui/display.h"
#include "tui/draw.h"

static int	display_ascii_mode;
static int	display_ncolors;
static SCREEN	*display_screen;

/* Attributes of each style, chosen once colours are known. */
attr_t		display_styles[STYLE_COUNT];

struct palette {
	short	fg, bg;
	attr_t	attr;
};

/*
 * Colours that read on a dark and on a light background alike where they can; where they
 * cannot (bright yellow and cyan vanish on white) [console] palette picks the light set.
 * Graph styles colour the glyph, never the cell: a bar on a red background reads inverted.
 */
static void
display_palette(int light)
{
	/*
	 * 256 colours: the bars in colours of the 256 palette; text in the 16 base colours,
	 * which terminals set with short sequences (ESC[93m, not ESC[38;5;221m): a moving
	 * selection or a scrolled row costs fewer bytes on a slow link.
	 */
	static const struct palette p256[STYLE_COUNT] = {
		[STYLE_NORMAL]		= { -1, -1, 0 },
		[STYLE_HEADER]		= { 255, 24, A_BOLD },
		[STYLE_TAB]		= { 250, 236, 0 },
		[STYLE_TAB_ACTIVE]	= { 16, 75, A_BOLD },
		[STYLE_STATUS]		= { 252, 236, 0 },
		[STYLE_ERROR]		= { 15, 1, 0 },
		[STYLE_SELECTED]	= { 0, 14, 0 },
		[STYLE_DIM]		= { 8, -1, 0 },
		[STYLE_TITLE]		= { 14, -1, A_BOLD },
		[STYLE_OK]		= { 2, -1, 0 },
		[STYLE_WARN]		= { 11, -1, 0 },
		[STYLE_CRIT]		= { 9, -1, A_BOLD },
		[STYLE_STRONG]		= { -1, -1, A_BOLD },
		[STYLE_CODE]		= { 180, -1, 0 },
		[STYLE_ADDED]		= { 2, -1, 0 },
		[STYLE_REMOVED]		= { 1, -1, 0 },
	};
	static const struct palette p8[STYLE_COUNT] = {
		[STYLE_NORMAL]		= { -1, -1, 0 },
		[STYLE_HEADER]		= { COLOR_WHITE, COLOR_BLUE, A_BOLD },
		[STYLE_TAB]		= { COLOR_WHITE, COLOR_BLACK, 0 },
		[STYLE_TAB_ACTIVE]	= { COLOR_BLACK, COLOR_CYAN, 0 },
		[STYLE_STATUS]		= { COLOR_WHITE, COLOR_BLACK, A_BOLD },
		[STYLE_ERROR]		= { COLOR_WHITE, COLOR_RED, A_BOLD },
		[STYLE_SELECTED]	= { COLOR_BLACK, COLOR_WHITE, 0 },
		[STYLE_DIM]		= { -1, -1, A_DIM },
		[STYLE_TITLE]		= { COLOR_CYAN, -1, A_BOLD },
		[STYLE_OK]		= { COLOR_GREEN, -1, 0 },
		[STYLE_WARN]		= { COLOR_YELLOW, -1, A_BOLD },
		[STYLE_CRIT]		= { COLOR_RED, -1, A_BOLD },
		[STYLE_STRONG]		= { -1, -1, A_BOLD },
		[STYLE_CODE]		= { COLOR_YELLOW, -1, 0 },
		[STYLE_ADDED]		= { COLOR_GREEN, -1, 0 },
		[STYLE_REMOVED]		= { COLOR_RED, -1, 0 },
	};
	/* On a light background: dark blue, brown and magenta instead of cyan and yellow. */
	static const struct palette light256[STYLE_COUNT] = {
		[STYLE_TITLE]		= { 4, -1, A_BOLD },
		[STYLE_WARN]		= { 130, -1, A_BOLD },
		[STYLE_CRIT]		= { 1, -1, A_BOLD },
		[STYLE_CODE]		= { 94, -1, 0 },
		[STYLE_SELECTED]	= { 0, 153, 0 },
	};
	static const struct palette light8[STYLE_COUNT] = {
		[STYLE_TITLE]		= { COLOR_BLUE, -1, A_BOLD },
		[STYLE_WARN]		= { COLOR_MAGENTA, -1, A_BOLD },
		[STYLE_CODE]		= { COLOR_BLUE, -1, 0 },
		[STYLE_SELECTED]	= { COLOR_BLACK, COLOR_CYAN, 0 },
	};
	static const attr_t mono[STYLE_COUNT] = {
		[STYLE_NORMAL]		= A_NORMAL,
		[STYLE_HEADER]		= A_REVERSE,
		[STYLE_TAB]		= A_NORMAL,
		[STYLE_TAB_ACTIVE]	= A_REVERSE,
		[STYLE_STATUS]		= A_REVERSE,
		[STYLE_ERROR]		= A_BOLD | A_REVERSE,
		[STYLE_SELECTED]	= A_REVERSE,
		[STYLE_DIM]		= A_NORMAL,
		[STYLE_TITLE]		= A_BOLD,
		[STYLE_OK]		= A_NORMAL,
		[STYLE_WARN]		= A_BOLD,
		[STYLE_CRIT]		= A_BOLD | A_UNDERLINE,
		[STYLE_STRONG]		= A_BOLD,
		[STYLE_CODE]		= A_UNDERLINE,
		[STYLE_ADDED]		= A_BOLD,
		[STYLE_REMOVED]		= A_NORMAL,
	};
	const struct palette *p, *over;
	struct palette c;
	int i;

	if (display_ncolors == 0) {
		memcpy(display_styles, mono, sizeof mono);
		return;
	}
	p = display_ncolors >= 256 ? p256 : p8;
	over = !light ? NULL : display_ncolors >= 256 ? light256 : light8;
	for (i = 0; i < STYLE_COUNT; i++) {
		/* An entry of the light set is used when it names a colour. */
		c = over != NULL && (over[i].fg != 0 || over[i].bg != 0) ? over[i] : p[i];
		/* Default colours are pair 0, like the blank screen: no change between them. */
		if (c.fg == -1 && c.bg == -1) {
			display_styles[i] = c.attr;
			continue;
		}
		init_pair((short)(i + 1), c.fg, c.bg);
		display_styles[i] = COLOR_PAIR(i + 1) | c.attr;
	}
}

int
display_init(const char *palette, char **cause)
{
	const char *term = getenv("TERM");

	display_ascii_mode = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*cause = xstrdup("the console needs a terminal; use the subcommands "
		    "(leitstand help) from scripts");
		return -1;
	}
	display_screen = newterm(term, stdout, stdin);
	if (display_screen == NULL) {
		*cause = xprintf("cannot use terminal type \"%s\"; set TERM", term ? term : "");
		return -1;
	}
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	/* The cursor stays where it is after an update (it is hidden): no move to park it. */
	leaveok(stdscr, TRUE);
	if (has_colors() && start_color() == OK) {
		use_default_colors();
		display_ncolors = COLORS >= 256 ? 256 : 8;
	}
	display_palette(palette != NULL && strcmp(palette, "light") == 0);
	return 0;
}

void
display_end(void)
{
	if (display_screen == NULL)
		return;
	endwin();
	delscreen(display_screen);
	display_screen = NULL;
}

void
display_resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
}

void
display_repaint(void)
{
	clearok(curscr, TRUE);
}

int
display_ascii(void)
{
	return display_ascii_mode;
}

int
display_colors(void)
{
	return display_ncolors;
}

void
display_bell(void)
{
	beep();
}

void
display_suspend(void)
{
	def_prog_mode();
	endwin();
}

void
display_resume(void)
{
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}
