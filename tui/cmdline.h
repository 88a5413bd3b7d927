/* SPDX-License-Identifier: ISC */
/* The line editor at the bottom of the screen (`:` commands, `/` filters) and the commands. */
#ifndef CMDLINE_H
#define CMDLINE_H

/* Opens the editor with a prompt and initial text; done gets the text or NULL (Esc). */
void	cmdline_open(const char *prompt, const char *initial, void (*done)(const char *));
int	cmdline_active(void);
/* Feeds one key to the open editor. */
void	cmdline_key(int);
/* Draws the editor on row y, w columns wide, and places the cursor. */
void	cmdline_draw(int y, int w);
void	cmdline_free(void);
/* Runs a `:` command; returns -1 (and reports) when it is unknown or wrong. */
int	cmdline_run(const char *);
/* Opens the `:` line with initial text; Enter runs the command. */
void	cmdline_command(const char *initial);

#endif
