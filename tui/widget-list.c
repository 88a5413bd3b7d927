/* SPDX-License-Identifier: ISC */
#include "tui/console.h"
#include "tui/mouse.h"
#include "tui/widget-list.h"

int
list_key(struct list *l, enum action a)
{
	int page = l->height > 1 ? l->height - 1 : 1, old = l->sel;

	switch (a) {
	case ACTION_DOWN:
		l->sel++;
		break;
	case ACTION_UP:
		l->sel--;
		break;
	case ACTION_PAGE_DOWN:
		l->sel += page;
		l->top += page;
		break;
	case ACTION_PAGE_UP:
		l->sel -= page;
		l->top -= page;
		break;
	case ACTION_FIRST:
		l->sel = 0;
		break;
	case ACTION_LAST:
		l->sel = l->n - 1;
		break;
	default:
		return 0;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < 0)
		l->sel = 0;
	list_scroll(l, l->height);
	if (l->sel != old)
		console_dirty();
	return 1;
}

void
list_scroll(struct list *l, int height)
{
	l->height = height;
	if (l->top > l->n - height)
		l->top = l->n - height;
	if (l->top < 0)
		l->top = 0;
	if (l->sel < l->top)
		l->top = l->sel;
	if (height > 0 && l->sel >= l->top + height)
		l->top = l->sel - height + 1;
}

void
list_rows_at(struct list *l, int y, int w)
{
	int i;

	for (i = 0; i < l->height && l->top + i < l->n; i++)
		mouse_item(l, l->top + i, y + i, 0, 1, w);
}

int
list_near_end(const struct list *l)
{
	return l->sel + l->height >= l->n;
}
