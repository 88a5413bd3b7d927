/* SPDX-License-Identifier: ISC */
/* Conversations rated negative, inside the prompts view (tui/view-prompts.c hands over to
   it): the list, and an eval case written from one in $EDITOR and proposed. */
#ifndef VIEW_FEEDBACK_H
#define VIEW_FEEDBACK_H

#include "tui/actions.h"

/* Shows the list, reading the feed (again); assistant: the one a conversation that names
   none belongs to. */
void	view_feedback_open(const char *assistant);
/* 1 while the list is shown (until the user leaves it). */
int	view_feedback_shown(void);
void	view_feedback_draw(int y, int h, int w);
/* Handles a key of the list; 1 if it was one. */
int	view_feedback_key(enum action);
void	view_feedback_close(void);

#endif
