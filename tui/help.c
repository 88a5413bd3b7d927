/* SPDX-License-Identifier: ISC */
#include "tui/actions.h"
#include "tui/command.h"
#include "tui/console.h"
#include "tui/draw.h"
#include "tui/help.h"
#include "tui/view.h"

static struct {
	int		shown;
	enum help_first	first;
} help;

void
help_show(enum help_first first)
{
	help.shown = 1;
	help.first = first;
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

/* The keys of the current view, from row y to before end; returns the next row. */
static int
help_keys(int y, int end, int w)
{
	const struct action_info *a;
	unsigned scopes = SCOPE_GLOBAL | view_scopes();
	int i;

	for (i = 0; i < ACTION_COUNT - 1 && y < end; i++) {
		a = &action_table[i];
		if (!(a->scope & scopes) || (console_state()->readonly && a->writes))
			continue;
		draw_text(y, 2, 16, STYLE_NORMAL, a->keys);
		draw_text(y, 19, w - 20, STYLE_NORMAL, a->help);
		y++;
	}
	return y;
}

/* The `:` commands a console may use, from row y to before end; returns the next row. */
static int
help_commands(int y, int end, int w)
{
	const struct command *c;
	char usage[64];
	int i;

	if (y < end)
		draw_printf(y++, 2, w - 4, STYLE_NORMAL, "%-16s %s", ":1-:6, :NAME",
		    "the view of that number or name");
	for (i = 0; i < command_count && y < end; i++) {
		c = &command_table[i];
		if (console_state()->readonly && c->changes != NULL)
			continue;
		command_usage(c, usage, sizeof usage);
		draw_text(y, 2, 16, STYLE_NORMAL, usage);
		draw_text(y, 19, w - 20, STYLE_NORMAL, c->help);
		y++;
	}
	return y;
}

void
help_draw(int top, int h, int w)
{
	int y = top + 1, end = top + h;

	if (help.first == HELP_COMMANDS) {
		draw_text(top, 1, w - 2, STYLE_TITLE, "Commands on the : line (any key closes)");
		y = help_commands(y, end, w) + 1;
		if (y < end)
			draw_printf(y++, 1, w - 2, STYLE_TITLE, "Keys in %s", view_current()->title);
		help_keys(y, end, w);
		return;
	}
	draw_printf(top, 1, w - 2, STYLE_TITLE, "Keys in %s (any key closes)",
	    view_current()->title);
	y = help_keys(y, end, w) + 1;
	if (y < end)
		draw_text(y++, 1, w - 2, STYLE_TITLE, "Commands on the : line");
	help_commands(y, end, w);
}
