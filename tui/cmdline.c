/* SPDX-License-Identifier: ISC */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"
#include "tui/cmdline.h"
#include "tui/console.h"
#include "tui/draw.h"
#include "tui/input.h"

#define CMDLINE_MAX 1024

static struct {
	int		 active;
	char		*prompt;
	struct buf	 text;
	size_t		 cursor;	/* byte offset, always at a code point boundary */
	void		(*done)(const char *);
	char		*(*complete)(const char *);
} cl;

void
cmdline_open(const char *prompt, const char *initial, void (*done)(const char *))
{
	cmdline_open_complete(prompt, initial, done, NULL);
}

void
cmdline_open_complete(const char *prompt, const char *initial, void (*done)(const char *),
    char *(*complete)(const char *))
{
	free(cl.prompt);
	cl.prompt = xstrdup(prompt);
	buf_reset(&cl.text);
	buf_addstr(&cl.text, initial);
	cl.cursor = cl.text.len;
	cl.done = done;
	cl.complete = complete;
	cl.active = 1;
	console_dirty();
}

int
cmdline_active(void)
{
	return cl.active;
}

static void
cmdline_finish(int submit)
{
	char *text = submit ? xstrdup(cl.text.data != NULL ? cl.text.data : "") : NULL;

	cl.active = 0;
	draw_cursor(-1, 0);
	cl.done(text);
	free(text);
	console_dirty();
}

static size_t
prev_boundary(size_t i)
{
	while (i > 0 && (cl.text.data[--i] & 0xc0) == 0x80)
		;
	return i;
}

static size_t
next_boundary(size_t i)
{
	if (i < cl.text.len)
		i++;
	while (i < cl.text.len && (cl.text.data[i] & 0xc0) == 0x80)
		i++;
	return i;
}

static void
cmdline_insert(int cp)
{
	char u[4];
	size_t n, tail;

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp > 0x10ffff ||
	    cl.text.len + 4 > CMDLINE_MAX)
		return;
	if ((n = utf8_encode((uint32_t)cp, u)) == 0)
		return;	/* a surrogate is no character */
	tail = cl.text.len - cl.cursor;
	buf_add(&cl.text, u, n);	/* grow, then shift the tail right */
	memmove(cl.text.data + cl.cursor + n, cl.text.data + cl.cursor, tail);
	memcpy(cl.text.data + cl.cursor, u, n);
	cl.cursor += n;
}

/* Tab with the cursor at the end: the completer's line replaces the text. */
static void
cmdline_complete(void)
{
	char *text;

	if (cl.complete == NULL || cl.cursor != cl.text.len)
		return;
	if ((text = cl.complete(cl.text.data != NULL ? cl.text.data : "")) == NULL)
		return;
	buf_reset(&cl.text);
	buf_addstr(&cl.text, text);
	cl.cursor = cl.text.len;
	free(text);
}

void
cmdline_key(int key)
{
	size_t p;

	if (input_is_enter(key))
		cmdline_finish(1);
	else if (input_is_escape(key) || key == 3 /* C-c */)
		cmdline_finish(0);
	else if (input_is_backspace(key)) {
		if (cl.cursor == 0) {
			if (cl.text.len == 0)
				cmdline_finish(0);
			return;
		}
		p = prev_boundary(cl.cursor);
		memmove(cl.text.data + p, cl.text.data + cl.cursor, cl.text.len - cl.cursor);
		cl.text.len -= cl.cursor - p;
		cl.text.data[cl.text.len] = '\0';
		cl.cursor = p;
	} else if (input_is_left(key))
		cl.cursor = prev_boundary(cl.cursor);
	else if (input_is_right(key))
		cl.cursor = next_boundary(cl.cursor);
	else if (key == 1 /* C-a */)
		cl.cursor = 0;
	else if (key == 5 /* C-e */)
		cl.cursor = cl.text.len;
	else if (key == 21 /* C-u */) {
		buf_reset(&cl.text);
		cl.cursor = 0;
	} else if (key == '\t')
		cmdline_complete();
	else if (KEY_IS_CHAR(key))
		cmdline_insert(key);
	console_dirty();
}

void
cmdline_draw(int y, int w)
{
	const char *text = cl.text.data != NULL ? cl.text.data : "", *from = text;
	char *before;
	int x, pw = draw_width(cl.prompt);

	/* What is typed stays in view: a long prompt gives way to it (down to a third of the
	   line), and a long text scrolls so that the cursor shows. */
	if (pw + draw_width(text) + 1 > w && pw > w / 3)
		pw = w / 3;
	x = draw_text(y, 0, pw, STYLE_NORMAL, cl.prompt);
	before = xstrndup(text, cl.cursor);
	while ((size_t)(from - text) < cl.cursor && x + draw_width(before + (from - text)) >= w)
		from += utf8_char_len(from, strlen(from));
	draw_line(y, x, w - x, STYLE_NORMAL, from);
	x += draw_width(before + (from - text));
	free(before);
	draw_cursor(y, x < w ? x : w - 1);
}

void
cmdline_free(void)
{
	free(cl.prompt);
	cl.prompt = NULL;
	buf_free(&cl.text);
}
