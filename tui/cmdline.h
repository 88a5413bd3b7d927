/* SPDX-License-Identifier: ISC */
/* The line editor at the bottom of the screen: `:` commands, `/` filters, answers. */
#ifndef CMDLINE_H
#define CMDLINE_H

/* Opens the editor with a prompt and initial text; done gets the text or NULL (Esc). */
void	cmdline_open(const char *prompt, const char *initial, void (*done)(const char *));
/* The same with Tab completion: complete gets the text and returns the new text (a new
   string) or NULL. */
void	cmdline_open_complete(const char *prompt, const char *initial,
	    void (*done)(const char *), char *(*complete)(const char *));
int	cmdline_active(void);
/* Feeds one key to the open editor. */
void	cmdline_key(int);
/* Draws the editor on row y, w columns wide, and places the cursor. */
void	cmdline_draw(int y, int w);
void	cmdline_free(void);

#endif
