/* SPDX-License-Identifier: ISC */
#include "tui/curses.h"
#include "tui/mouse.h"

/* Enough for the tabs and every row of a 200-row terminal; more are not clickable. */
#define MAX_PLACES	512

static struct place {
	int		 y, x, h, w;
	struct mouse_hit hit;
} places[MAX_PLACES];
static int	nplaces;

void
mouse_start(void)
{
	/* Presses only: acting on the press needs no click interval, so no delay. */
	mouseinterval(0);
	mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
}

void
mouse_clear(void)
{
	nplaces = 0;
}

static void
place(int y, int x, int h, int w, struct mouse_hit hit)
{
	if (nplaces == MAX_PLACES || h <= 0 || w <= 0)
		return;
	places[nplaces++] = (struct place){ y, x, h, w, hit };
}

void
mouse_tab(int y, int x, int w, int view)
{
	place(y, x, 1, w, (struct mouse_hit){ .kind = HIT_TAB, .view = view });
}

void
mouse_item(struct list *l, int index, int y, int x, int h, int w)
{
	place(y, x, h, w, (struct mouse_hit){ .kind = HIT_ITEM, .list = l, .index = index });
}

int
mouse_read(struct mouse_hit *hit)
{
	MEVENT ev;
	int i;

	if (getmouse(&ev) != OK)
		return 0;
	*hit = (struct mouse_hit){ .kind = HIT_NONE };
	if (ev.bstate & BUTTON4_PRESSED)
		hit->kind = HIT_WHEEL_UP;
	else if (ev.bstate & BUTTON5_PRESSED)
		hit->kind = HIT_WHEEL_DOWN;
	else if (ev.bstate & BUTTON1_PRESSED) {
		/* The last place drawn wins, as it is on top. */
		for (i = nplaces - 1; i >= 0; i--) {
			if (ev.y >= places[i].y && ev.y < places[i].y + places[i].h &&
			    ev.x >= places[i].x && ev.x < places[i].x + places[i].w) {
				*hit = places[i].hit;
				break;
			}
		}
	}
	return hit->kind != HIT_NONE;
}
