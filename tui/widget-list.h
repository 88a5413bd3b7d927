/* SPDX-License-Identifier: ISC */
/* Selection and scrolling shared by every list view. */
#ifndef WIDGET_LIST_H
#define WIDGET_LIST_H

#include "tui/actions.h"

struct list {
	int	n;		/* rows loaded */
	int	sel;		/* selected row */
	int	top;		/* first row on screen */
	int	height;		/* rows on screen at the last draw */
};

/* Moves the selection for a list action; returns 1 if it was one. */
int	list_key(struct list *, enum action);
/* Keeps the selection inside a window of height rows; call when drawing. */
void	list_scroll(struct list *, int height);
/* Makes the rows on screen clickable: the first at row y, w columns wide. */
void	list_rows_at(struct list *, int y, int w);
/* 1 when the selection is within a page of the last loaded row (time to load more). */
int	list_near_end(const struct list *);

#endif
