/* SPDX-License-Identifier: ISC */
/* The help overlay: the keys of the current view and the `:` commands, from their tables. */
#ifndef HELP_H
#define HELP_H

enum help_first {
	HELP_KEYS,		/* ?: the keys first */
	HELP_COMMANDS,		/* :help: the commands first */
};

/* Shows the overlay until the next key. */
void	help_show(enum help_first);
int	help_shown(void);
/* Scrolls the overlay for a key (j, k, Space, PgDn, PgUp); 0 if the key is not one. */
int	help_key(int key);
void	help_close(void);
/* Draws the overlay in h rows from row top, w columns wide. */
void	help_draw(int top, int h, int w);

#endif
