/* SPDX-License-Identifier: ISC */
/* The console: entry points the rest of the binary calls. */
#ifndef TUI_H
#define TUI_H

#include <stdio.h>

struct client;
struct config;

struct tui_options {
	struct config	*cfg;
	int		 readonly;	/* --readonly */
	struct client	*client;	/* connected; the console owns it */
	const char	*quit_asks;	/* what quitting also does, asked first; NULL: quits */
};

/* Runs the console until the user quits; returns the exit code. */
int	tui_main(struct tui_options *);
/* Prints the key table as Markdown (README and `leitstand keys`). */
void	tui_print_keys(FILE *);

#endif
