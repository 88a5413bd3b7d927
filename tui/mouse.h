/* SPDX-License-Identifier: ISC */
/* The mouse: a click selects what the last frame drew there, the wheel scrolls. */
#ifndef MOUSE_H
#define MOUSE_H

#include "tui/widget-list.h"

struct mouse_hit {
	enum {
		HIT_NONE,
		HIT_TAB,		/* view: the tab's view */
		HIT_ITEM,		/* list, index: a row or tile of a list */
		HIT_WHEEL_UP,
		HIT_WHEEL_DOWN,
	}		 kind;
	int		 view;
	struct list	*list;
	int		 index;
};

/* Asks the terminal to report clicks and the wheel ([console] mouse); the terminal's own
   text selection then works with Shift held, as in htop. */
void	mouse_start(void);
/* Forgets the places of the last frame; called as a frame begins. */
void	mouse_clear(void);
/* The tab of a view at row y, columns x to x + w - 1. */
void	mouse_tab(int y, int x, int w, int view);
/* Item index of a list drawn in the rectangle at y, x of h rows and w columns. */
void	mouse_item(struct list *, int index, int y, int x, int h, int w);
/* Reads the pending mouse event (after input_read said INPUT_MOUSE): 0 if none to act on. */
int	mouse_read(struct mouse_hit *);

#endif
