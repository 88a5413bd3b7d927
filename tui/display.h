/* SPDX-License-Identifier: ISC */
/* The terminal: start, colours, size, end. */
#ifndef DISPLAY_H
#define DISPLAY_H

/* Starts curses on the terminal; returns -1 with *cause if it cannot. */
/* palette: "dark" or "light" ([console] palette), the background the colours suit. */
int	display_init(const char *palette, char **);
void	display_end(void);
/* Picks up a new terminal size after SIGWINCH. */
void	display_resize(void);
/* Forces a full repaint on the next frame (C-l). */
void	display_repaint(void);
/* 1 when the terminal cannot show UTF-8: ASCII glyphs and sanitising. */
int	display_ascii(void);
/* Hands the terminal to another program (an editor) and takes it back. */
void	display_suspend(void);
void	display_resume(void);
/* Rings the terminal bell. */
void	display_bell(void);
/* Colours available: 0, 8 or 256. */
int	display_colors(void);

#endif
