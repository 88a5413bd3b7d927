/* SPDX-License-Identifier: ISC */
#include <stdio.h>

#include "tui/actions.h"
#include "tui/command.h"
#include "tui/console.h"
#include "tui/curses.h"
#include "tui/draw.h"
#include "tui/help.h"
#include "tui/view.h"

static struct {
	int		shown;
	enum help_first	first;
	int		top;		/* first line shown */
	int		lines;		/* of the whole help, at the last draw */
	int		height;		/* lines it had on screen */
	/* While drawing: the next line's number and the rows it may use. */
	int		line, row0, rows, w;
} help;

void
help_show(enum help_first first)
{
	help.shown = 1;
	help.first = first;
	help.top = 0;
	console_dirty();
}

int
help_shown(void)
{
	return help.shown;
}

void
help_close(void)
{
	help.shown = 0;
	console_dirty();
}

int
help_key(int key)
{
	int page = help.height > 1 ? help.height - 1 : 1, max = help.lines - help.height;

	if (key == 'j' || key == KEY_DOWN)
		help.top++;
	else if (key == 'k' || key == KEY_UP)
		help.top--;
	else if (key == ' ' || key == KEY_NPAGE || key == 6 /* C-f */)
		help.top += page;
	else if (key == KEY_PPAGE || key == 2 /* C-b */)
		help.top -= page;
	else
		return 0;
	if (help.top > max)
		help.top = max;
	if (help.top < 0)
		help.top = 0;
	console_dirty();
	return 1;
}

/* One line of the help, drawn if it is in view. */
static void
line(enum style st, const char *left, const char *right)
{
	int row = help.row0 + help.line - help.top;

	if (row >= help.row0 && row < help.row0 + help.rows) {
		if (right == NULL)
			draw_text(row, 1, help.w - 2, st, left);
		else {
			draw_text(row, 2, 16, st, left);
			draw_text(row, 19, help.w - 20, st, right);
		}
	}
	help.line++;
}

/* The keys of the current view. */
static void
help_keys(void)
{
	const struct action_info *a;
	unsigned scopes = SCOPE_GLOBAL | view_scopes();
	int i;

	for (i = 0; i < ACTION_COUNT - 1; i++) {
		a = &action_table[i];
		if (!(a->scope & scopes) || (console_state()->readonly && a->writes))
			continue;
		line(STYLE_NORMAL, a->keys, a->help);
	}
}

/* The `:` commands a console may use. */
static void
help_commands(void)
{
	const struct command *c;
	char usage[64];
	int i;

	line(STYLE_NORMAL, ":1-:6, :NAME", "the view of that number or name");
	for (i = 0; i < command_count; i++) {
		c = &command_table[i];
		if (console_state()->readonly && c->changes != NULL)
			continue;
		command_usage(c, usage, sizeof usage);
		line(STYLE_NORMAL, usage, c->help);
	}
}

void
help_draw(int top, int h, int w)
{
	char title[128];

	help.row0 = top + 1;
	help.rows = h - 1;
	help.w = w;
	help.line = 0;
	if (help.first == HELP_COMMANDS) {
		snprintf(title, sizeof title, "Keys in %s", view_current()->title);
		help_commands();
		line(STYLE_NORMAL, "", NULL);
		line(STYLE_TITLE, title, NULL);
		help_keys();
	} else {
		help_keys();
		line(STYLE_NORMAL, "", NULL);
		line(STYLE_TITLE, "Commands on the : line", NULL);
		help_commands();
	}
	help.lines = help.line;
	help.height = help.rows;
	/* The title says what there is beyond the screen and how to get there. */
	if (help.first == HELP_COMMANDS)
		snprintf(title, sizeof title, "Commands on the : line");
	else
		snprintf(title, sizeof title, "Keys in %s", view_current()->title);
	draw_printf(top, 1, w - 2, STYLE_TITLE, "%s (%s%sany other key closes)", title,
	    help.top > 0 ? "k up, " : "", help.top + help.rows < help.lines ?
	    "j or Space for more, " : "");
}
