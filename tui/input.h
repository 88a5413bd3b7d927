/* SPDX-License-Identifier: ISC */
/* Keyboard input: characters are their code points, function keys are KEYF(curses code). */
#ifndef INPUT_H
#define INPUT_H

#define KEYF(k)		(0x200000 + (k))
#define KEY_IS_CHAR(k)	((k) >= 0 && (k) < 0x200000)

/* Special keys the console handles by name. */
enum {
	INPUT_MOUSE = -3,	/* mouse_read() tells what */
	INPUT_RESIZE = -2,
	INPUT_NONE = -1,
};

/* The next pending key without waiting, or INPUT_NONE. */
int		 input_read(void);
/* The key code for a name from the action table ("j", "C-l", "PgDn"), or -1. */
int		 input_key_by_name(const char *);
/* The keys of the command line editor. */
int		 input_is_enter(int);
int		 input_is_backspace(int);
int		 input_is_left(int);
int		 input_is_right(int);
int		 input_is_escape(int);

#endif
