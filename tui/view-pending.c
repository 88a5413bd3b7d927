/* SPDX-License-Identifier: ISC */
/*
 * Views whose daemon side has not landed yet. Each says plainly what is missing; each
 * moves to a view-NAME.c file of its own when its component arrives.
 */
#include "tui/draw.h"
#include "tui/view.h"

static void
pending_open(void)
{
}

static void
pending_text(int y, int h, int w, const char *title, const char *text)
{
	draw_text(y + 1, 2, w - 4, STYLE_TITLE, title);
	draw_text(y + 3, 2, w - 4, STYLE_DIM, text);
	(void)h;
}

static void
prompts_draw(int y, int h, int w)
{
	pending_text(y, h, w, "Prompt releases", "This daemon has no prompt repository yet.");
}

const struct view_ops view_prompts_ops = {
	.name = "prompts", .title = "Prompts", .open = pending_open, .draw = prompts_draw,
};
