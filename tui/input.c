/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "tui/curses.h"
#include "tui/input.h"

static const struct {
	const char	*name;
	int		 key;
} key_names[] = {
	{ "Up", KEYF(KEY_UP) },		{ "Down", KEYF(KEY_DOWN) },
	{ "Left", KEYF(KEY_LEFT) },	{ "Right", KEYF(KEY_RIGHT) },
	{ "PgUp", KEYF(KEY_PPAGE) },	{ "PgDn", KEYF(KEY_NPAGE) },
	{ "Home", KEYF(KEY_HOME) },	{ "End", KEYF(KEY_END) },
	{ "BTab", KEYF(KEY_BTAB) },	{ "Tab", '\t' },
	{ "Enter", '\r' },		{ "Esc", 27 },
	{ "Space", ' ' },		{ "Bksp", KEYF(KEY_BACKSPACE) },
};

int
input_read(void)
{
	wint_t ch;
	int rc;

	rc = get_wch(&ch);
	if (rc == ERR)
		return INPUT_NONE;
	if (rc == KEY_CODE_YES) {
		if (ch == KEY_RESIZE)
			return INPUT_RESIZE;
		if (ch == KEY_MOUSE)
			return INPUT_MOUSE;
		if (ch == KEY_ENTER)
			return '\r';
		return KEYF((int)ch);
	}
	if (ch == '\n')
		return '\r';
	return (int)ch;
}

int
input_key_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (strcmp(key_names[i].name, name) == 0)
			return key_names[i].key;
	}
	if (name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z' &&
	    name[3] == '\0')
		return name[2] - 'a' + 1;
	if (name[0] > 0x20 && name[0] < 0x7f && name[1] == '\0')
		return (unsigned char)name[0];
	return -1;
}

int
input_is_enter(int k)
{
	return k == '\r';
}

int
input_is_backspace(int k)
{
	return k == KEYF(KEY_BACKSPACE) || k == 127 || k == 8;
}

int
input_is_left(int k)
{
	return k == KEYF(KEY_LEFT);
}

int
input_is_right(int k)
{
	return k == KEYF(KEY_RIGHT);
}

int
input_is_escape(int k)
{
	return k == 27;
}
