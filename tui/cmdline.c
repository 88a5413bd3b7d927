/* SPDX-License-Identifier: ISC */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/client.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"
#include "tui/cmdline.h"
#include "tui/console.h"
#include "tui/draw.h"
#include "tui/input.h"
#include "tui/view.h"

#define CMDLINE_MAX 1024

static struct {
	int		 active;
	char		*prompt;
	struct buf	 text;
	size_t		 cursor;	/* byte offset, always at a code point boundary */
	void		(*done)(const char *);
} cl;

void
cmdline_open(const char *prompt, const char *initial, void (*done)(const char *))
{
	free(cl.prompt);
	cl.prompt = xstrdup(prompt);
	buf_reset(&cl.text);
	buf_addstr(&cl.text, initial);
	cl.cursor = cl.text.len;
	cl.done = done;
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
	} else if (KEY_IS_CHAR(key))
		cmdline_insert(key);
	console_dirty();
}

void
cmdline_draw(int y, int w)
{
	char *before;
	int x;

	x = draw_text(y, 0, w, STYLE_NORMAL, cl.prompt);
	draw_line(y, x, w - x, STYLE_NORMAL, cl.text.data != NULL ? cl.text.data : "");
	before = xstrndup(cl.text.data != NULL ? cl.text.data : "", cl.cursor);
	x += draw_width(before);
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

static void
command_done(const char *text)
{
	if (text != NULL)
		cmdline_run(text);
}

void
cmdline_command(const char *initial)
{
	cmdline_open(":", initial, command_done);
}

static void
open_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	if (client_error(r) != NULL)
		console_error("%s", client_error(r));
	else
		console_note("opened incident %.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(r, "incident"), "id")));
}

/* :open SEV TITLE */
static int
command_open(const char *rest)
{
	cJSON *req;
	char *end;
	long sev;

	sev = strtol(rest, &end, 10);
	while (*end == ' ')
		end++;
	if (sev < 1 || sev > 4 || *end == '\0') {
		console_error(":open needs a severity 1-4 and a title, e.g. :open 2 Checkout broken");
		return -1;
	}
	req = client_request("incident.open");
	cJSON_AddNumberToObject(req, "severity", (double)sev);
	cJSON_AddStringToObject(req, "title", end);
	console_request(req, open_reply, NULL);
	return 0;
}

static void
sim_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	if (client_error(r) != NULL)
		console_error("%s", client_error(r));
	else
		console_note("simulator switched to profile %s",
		    cJSON_GetStringValue(cJSON_GetObjectItem(r, "profile")));
}

int
cmdline_run(const char *line)
{
	char *copy = xstrdup(line), *cmd, *arg, *save;
	cJSON *req;
	int v, rc = 0;

	cmd = strtok_r(copy, " \t", &save);
	arg = strtok_r(NULL, " \t", &save);
	if (cmd != NULL && strcmp(cmd, "open") == 0) {
		/* The title keeps its blanks: take it from the line itself. */
		if (console_state()->readonly) {
			console_error("read-only console: :open changes incidents");
			rc = -1;
		} else
			rc = command_open(line + strspn(line, " \t") + 4);
	} else if (cmd == NULL)
		;
	else if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0)
		console_quit();
	else if (strcmp(cmd, "help") == 0)
		console_help();
	else if (arg == NULL && (v = view_find(cmd)) >= 0)
		view_show(v);
	else if (strcmp(cmd, "incident") == 0 && arg != NULL && atoll(arg) > 0)
		view_incidents_show(atoll(arg));
	else if (strcmp(cmd, "run") == 0 && arg != NULL && atoll(arg) > 0)
		view_playbooks_run(atoll(arg));
	else if (strcmp(cmd, "sim") == 0 && console_state()->readonly) {
		console_error("read-only console: :sim changes the simulator");
		rc = -1;
	} else if (strcmp(cmd, "sim") == 0 && arg != NULL) {
		req = client_request("sim.profile");
		cJSON_AddStringToObject(req, "profile", arg);
		console_request(req, sim_reply, NULL);
	}
	else {
		console_error("unknown command \"%s\"; try :help", cmd);
		rc = -1;
	}
	free(copy);
	return rc;
}
