/* SPDX-License-Identifier: ISC */
/* The console's start: the loop, the terminal, drawing the frame and dispatching keys. */

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/client.h"
#include "backend/config.h"
#include "backend/json.h"
#include "backend/locale.h"
#include "backend/loop.h"
#include "tui/actions.h"
#include "tui/cmdline.h"
#include "tui/command.h"
#include "tui/console.h"
#include "tui/curses.h"
#include "tui/display.h"
#include "tui/draw.h"
#include "tui/help.h"
#include "tui/input.h"
#include "tui/mouse.h"
#include "tui/tui.h"
#include "tui/view.h"

static struct {
	struct loop		*loop;
	struct loop_timer	*clock;
	const char		*quit_asks;
	time_t			 minute;	/* of the last redraw by the clock */
} tui;

static void
quit_answered(const char *text)
{
	if (text != NULL)
		console_quit();
}

/* Open incidents for the tab line, whatever view is shown: read again after each change,
   one read in flight. */
static struct {
	double		 open[4];	/* per severity */
	int		 known, loading, again;
} counts;

static void counts_request(void);

static void
counts_reply(void *arg, const cJSON *r)
{
	const cJSON *open = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "counts"), "open");
	int i;

	(void)arg;
	counts.loading = 0;
	if (r != NULL && client_error(r) == NULL && cJSON_IsArray(open)) {
		for (i = 0; i < 4; i++)
			counts.open[i] = cJSON_GetNumberValue(cJSON_GetArrayItem(open, i));
		counts.known = 1;
		console_dirty();
	}
	if (counts.again) {
		counts.again = 0;
		counts_request();
	}
}

static void
counts_request(void)
{
	cJSON *req;

	if (counts.loading) {
		counts.again = 1;
		return;
	}
	req = client_request("incident.list");
	cJSON_AddNumberToObject(req, "limit", 1);
	counts.loading = 1;
	console_request(req, counts_reply, NULL);
}

static void
connected(void)
{
	counts.loading = counts.again = 0;
	counts_request();
	view_show(view_current_index());
}

static void
disconnected(void)
{
	counts.known = 0;
	view_invalidate();
}

static void
event(const cJSON *ev)
{
	if (strcmp(json_str(ev, "event", ""), "incident") == 0)
		counts_request();
	view_event(ev);
}

static const struct console_hooks hooks = {
	.connected = connected,
	.disconnected = disconnected,
	.event = event,
};

/* The header clock shows minutes: a redraw at the next minute, or every second while the
   view shows ages and timers that count seconds. */
static void
clock_tick(void *arg)
{
	time_t now = time(NULL);

	(void)arg;
	tui.clock = loop_timer_add(tui.loop, 1000 - loop_now_ms() % 1000 + 5, 0, clock_tick,
	    NULL);
	if (now / 60 != tui.minute || view_current()->seconds)
		console_dirty();
	tui.minute = now / 60;
}

/* "5 open" after the incidents tab, in the crit style while a SEV1 or SEV2 is open. */
static int
draw_tab_counts(int x, int w)
{
	double all = counts.open[0] + counts.open[1] + counts.open[2] + counts.open[3];

	if (all == 0)
		return 0;
	return draw_printf(1, x, w - x, counts.open[0] + counts.open[1] > 0 ? STYLE_CRIT :
	    STYLE_TAB, "%.0f open", all) + draw_text(1, x + 1, 0, STYLE_TAB, "") + 1;
}

static void
draw_header(int w)
{
	const struct console_state *st = console_state();
	const struct view_ops *v;
	char clock[8], right[64];
	time_t now = time(NULL);
	struct tm tm;
	int x, i, rw, tab;

	localtime_r(&now, &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);
	draw_fill(0, 0, w, STYLE_HEADER);
	x = draw_text(0, 1, w - 1, STYLE_HEADER, "Leitstand");
	if (st->assistant != NULL) {
		x += 1 + draw_printf(0, x + 2, w - x - 30, STYLE_HEADER, "%s %s %s",
		    st->assistant, draw_glyph(GLYPH_DOT), st->environment);
	}
	snprintf(right, sizeof right, "%s %s  %s ", draw_glyph(GLYPH_BULLET),
	    !st->connected ? "DISCONNECTED" : console_silent() ? "NO REPLY" : "connected", clock);
	rw = draw_width(right);
	draw_text(0, w - rw, rw, st->connected && !console_silent() ? STYLE_HEADER : STYLE_ERROR,
	    right);

	draw_fill(1, 0, w, STYLE_TAB);
	for (x = 0, i = 0; i < view_count(); i++) {
		v = view_at(i);
		tab = draw_printf(1, x, w - x, i == view_current_index() ? STYLE_TAB_ACTIVE :
		    STYLE_TAB, " %d %s ", i + 1, v->title);
		mouse_tab(1, x, tab, i);
		x += tab;
		/* The incidents tab says how many are open; SEV1 and SEV2 stand out. */
		if (v == &view_incidents_ops && counts.known)
			x += draw_tab_counts(x, w);
	}
}

static void
draw_status(int y, int w)
{
	const struct console_state *st = console_state();
	char left[256];
	const char *hint = "? help  q quit ", *message;
	int x, note;

	if (cmdline_active()) {
		cmdline_draw(y, w);
		return;
	}
	/* Who you are stays in view; a message takes the rest of the line. */
	draw_fill(y, 0, w, STYLE_STATUS);
	snprintf(left, sizeof left, " %s (%s)%s", st->user ? st->user : "-",
	    st->role ? st->role : "-", st->readonly ? "  read-only" : "");
	x = draw_text(y, 0, w, STYLE_STATUS, left);
	if ((message = console_status(&note)) != NULL) {
		draw_line(y, x + 1, w - x - 1, note ? STYLE_TITLE : STYLE_ERROR, message);
		return;
	}
	if (st->warning != NULL)
		x += 2 + draw_text(y, x + 2, w - x - 20, STYLE_WARN, st->warning);
	if (view_filter() != NULL)
		draw_printf(y, x + 2, w - x - 20, STYLE_STATUS, "filter: %s", view_filter());
	draw_text(y, w - (int)strlen(hint), (int)strlen(hint), STYLE_STATUS, hint);
}

static void
console_draw(void)
{
	int rows = draw_rows(), cols = draw_cols();

	draw_begin();
	mouse_clear();
	if (rows < 8 || cols < 30) {
		draw_text(0, 0, cols, STYLE_NORMAL, "terminal too small");
		draw_end();
		return;
	}
	draw_header(cols);
	if (help_shown())
		help_draw(2, rows - 3, cols);
	else if (console_state()->connected)
		view_current()->draw(2, rows - 3, cols);
	else
		draw_text(rows / 2, 2, cols - 4, STYLE_DIM, "Not connected to the daemon; "
		    "retrying every second. Views show their data again once it answers.");
	draw_status(rows - 1, cols);
	draw_end();
}

static void
console_action(enum action a)
{
	const struct view_ops *v = view_current();
	int n = view_count();

	if (console_state()->connected && v->key != NULL && v->key(a))
		return;
	switch (a) {
	case ACTION_QUIT:
		if (tui.quit_asks != NULL)
			cmdline_open(tui.quit_asks, "", quit_answered);
		else
			console_quit();
		break;
	case ACTION_HELP:
		help_show(HELP_KEYS);
		break;
	case ACTION_COMMAND:
		command_prompt("");
		break;
	case ACTION_VIEW_NEXT:
		view_show((view_current_index() + 1) % n);
		break;
	case ACTION_VIEW_PREV:
		view_show((view_current_index() + n - 1) % n);
		break;
	case ACTION_VIEW_1:
	case ACTION_VIEW_2:
	case ACTION_VIEW_3:
	case ACTION_VIEW_4:
	case ACTION_VIEW_5:
	case ACTION_VIEW_6:
		view_show((int)(a - ACTION_VIEW_1));
		break;
	case ACTION_REDRAW:
		display_repaint();
		console_dirty();
		break;
	case ACTION_RELOAD:
		if (console_state()->connected)
			v->open();
		break;
	case ACTION_FILTER:
		view_filter_prompt();
		break;
	default:
		break;
	}
}

static void console_key(int);

/*
 * A click on a tab shows its view; on a row or tile selects it, and on the selected one
 * opens it (Enter). The selection moves by the view's own j or k from the neighbour, so
 * the view loads more rows as it does for keys. The wheel is three lines of k or j.
 */
static void
console_mouse(void)
{
	struct mouse_hit hit;
	int i;

	if (!mouse_read(&hit) || cmdline_active())
		return;
	switch (hit.kind) {
	case HIT_WHEEL_UP:
	case HIT_WHEEL_DOWN:
		for (i = 0; i < 3; i++)
			console_key(KEYF(hit.kind == HIT_WHEEL_UP ? KEY_UP : KEY_DOWN));
		break;
	case HIT_TAB:
		help_close();
		view_show(hit.view);
		break;
	case HIT_ITEM:
		if (help_shown() || hit.index >= hit.list->n)
			break;
		if (hit.index == hit.list->sel) {
			console_action(ACTION_OPEN);
			break;
		}
		hit.list->sel = hit.index > 0 ? hit.index - 1 : 1;
		console_action(hit.index > 0 ? ACTION_DOWN : ACTION_UP);
		break;
	default:
		break;
	}
}

static void
console_key(int key)
{
	int readonly = console_state()->readonly;
	enum action a;

	if (key == INPUT_RESIZE) {
		console_dirty();
		return;
	}
	if (key == INPUT_MOUSE) {
		console_mouse();
		return;
	}
	if (cmdline_active()) {
		cmdline_key(key);
		return;
	}
	if (console_state()->connected)
		console_status_clear();
	if (help_shown()) {
		if (!help_key(key))
			help_close();
		return;
	}
	/* The view's own keys first, so a view may take a global key (q in a playbook run). */
	if ((a = action_for_key(key, view_scopes(), readonly)) == ACTION_NONE)
		a = action_for_key(key, SCOPE_GLOBAL, readonly);
	console_action(a);
}

static void
tty_readable(int fd, short revents, void *arg)
{
	int key;

	(void)fd, (void)arg;
	if (revents & (POLLHUP | POLLERR)) {
		/* The terminal is gone (SSH dropped): nothing to draw on. */
		console_quit();
		return;
	}
	while ((key = input_read()) != INPUT_NONE)
		console_key(key);
}

static void
console_winch(int signo, void *arg)
{
	(void)signo, (void)arg;
	display_resize();
	console_dirty();
}

static void
console_signal_quit(int signo, void *arg)
{
	(void)signo, (void)arg;
	console_quit();
}

int
tui_main(struct tui_options *opts)
{
	char *cause = NULL;

	memset(&tui, 0, sizeof tui);
	/* Big buffers (a reply's line) from mmap, given back when freed: glibc would raise the
	   threshold after the first and keep them in the heap, whose top never shrinks past
	   what lies above. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	action_init();
	if (display_init(opts->cfg->console_palette, &cause) != 0) {
		fprintf(stderr, "leitstand: %s\n", cause);
		free(cause);
		client_free(opts->client);
		return 1;
	}
	if (opts->cfg->console_mouse)
		mouse_start();
	tui.loop = loop_create();
	loop_io_add(tui.loop, STDIN_FILENO, POLLIN, tty_readable, NULL);
	loop_signal(tui.loop, SIGWINCH, console_winch, NULL);
	loop_signal(tui.loop, SIGTERM, console_signal_quit, NULL);
	loop_signal(tui.loop, SIGINT, console_signal_quit, NULL);
	loop_signal(tui.loop, SIGHUP, console_signal_quit, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_tick(NULL);
	tui.quit_asks = opts->quit_asks;
	console_start(tui.loop, opts->cfg, opts->readonly, opts->client, &hooks);
	opts->client = NULL;
	if (locale_warning() != NULL)
		console_error("%s", locale_warning());

	console_redraw_due();
	console_draw();
	while (!loop_stopped(tui.loop)) {
		loop_once(tui.loop, -1);
		if (console_redraw_due())
			console_draw();
	}

	display_end();
	view_close_all();
	cmdline_free();
	console_stop();
	loop_free(tui.loop);
	return 0;
}
