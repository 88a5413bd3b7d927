/* SPDX-License-Identifier: ISC */
/* The only file that includes curses; display.c, draw.c and input.c use it. */
#ifndef TUI_CURSES_H
#define TUI_CURSES_H

#include <ncursesw/curses.h>

#endif
