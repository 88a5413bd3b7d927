/* SPDX-License-Identifier: ISC */
#include <signal.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/client.h"
#include "backend/config.h"
#include "backend/locale.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/xmalloc.h"
#include "tui/actions.h"
#include "tui/cmdline.h"
#include "tui/console.h"
#include "tui/display.h"
#include "tui/draw.h"
#include "tui/input.h"
#include "tui/tui.h"
#include "tui/view.h"

#define RECONNECT_MS 1000

struct pending {
	long long		 id;
	console_reply_cb	 cb;
	void			*arg;
	struct pending		*next;
};

static struct {
	struct tui_options	*opts;
	struct loop		*loop;
	struct client		*client;
	struct loop_io		*client_io;
	struct loop_timer	*reconnect;
	struct loop_timer	*clock;
	struct loop_timer	*silence;	/* fires when requests wait too long */
	int			 silent;	/* the daemon has not replied for that long */
	struct pending		*pending;
	struct console_state	 st;
	char			*message;
	int			 message_note;	/* a note, not an error */
	int			 dirty;
	int			 help;
} con;

const struct console_state *
console_state(void)
{
	return &con.st;
}

void
console_dirty(void)
{
	con.dirty = 1;
}

void
console_quit(void)
{
	loop_stop(con.loop);
}

void
console_help(void)
{
	con.help = 1;
	console_dirty();
}

static void
console_message(int note, const char *fmt, va_list ap)
{
	free(con.message);
	xvasprintf(&con.message, fmt, ap);
	con.message_note = note;
	log_debug("status: %s", con.message);
	console_dirty();
}

void
console_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_message(0, fmt, ap);
	va_end(ap);
}

void
console_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_message(1, fmt, ap);
	va_end(ap);
}

static void	console_disconnected(const char *);
static void	console_alert(const cJSON *);

/*
 * The console never waits for a reply (they are handled as they come), so a daemon that
 * stops answering cannot freeze it; but a view would say "loading..." for ever. After
 * daemon.reply_timeout without a message while requests wait, the header says NO REPLY.
 */
static void
silence_tick(void *arg)
{
	(void)arg;
	con.silence = NULL;
	/* Armed while a reply was still being read: it came. */
	if (con.pending == NULL)
		return;
	con.silent = 1;
	console_error("no reply from the daemon at %s in %lld s; still waiting (q quits)",
	    con.opts->cfg->socket, con.opts->cfg->reply_timeout);
	console_dirty();
}

/* Starts (again) the wait for a reply, or ends it when nothing is pending. */
static void
silence_watch(int heard)
{
	if (heard && con.silence != NULL) {
		loop_timer_remove(con.silence);
		con.silence = NULL;
	}
	if (heard && con.silent) {
		con.silent = 0;
		console_dirty();
	}
	if (con.silence == NULL && con.pending != NULL && con.opts->cfg->reply_timeout > 0)
		con.silence = loop_timer_add(con.loop, (long)con.opts->cfg->reply_timeout * 1000,
		    0, silence_tick, NULL);
}

void
console_request(cJSON *req, console_reply_cb cb, void *arg)
{
	struct pending *p;
	long long id;

	if (con.client == NULL) {
		cJSON_Delete(req);
		cb(arg, NULL);
		return;
	}
	if ((id = client_send(con.client, req)) < 0) {
		cb(arg, NULL);
		console_disconnected("the daemon closed the connection");
		return;
	}
	p = xcalloc(1, sizeof *p);
	p->id = id;
	p->cb = cb;
	p->arg = arg;
	p->next = con.pending;
	con.pending = p;
	silence_watch(0);
}

static void
console_reply(const cJSON *msg)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	struct pending **pp, *p;

	if (!cJSON_IsNumber(id)) {
		if (client_error(msg) != NULL)
			console_error("%s", client_error(msg));
		return;
	}
	for (pp = &con.pending; (p = *pp) != NULL; pp = &p->next) {
		if (p->id == (long long)id->valuedouble) {
			*pp = p->next;
			p->cb(p->arg, msg);
			free(p);
			return;
		}
	}
}

static void
console_fail_pending(void)
{
	struct pending *p;

	while ((p = con.pending) != NULL) {
		con.pending = p->next;
		p->cb(p->arg, NULL);
		free(p);
	}
}

static void
status_reply(void *arg, const cJSON *r)
{
	const cJSON *v;

	(void)arg;
	if (r == NULL || client_error(r) != NULL)
		return;
	free((char *)con.st.user);
	free((char *)con.st.role);
	free((char *)con.st.assistant);
	free((char *)con.st.environment);
	free((char *)con.st.warning);
	v = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "warnings"), 0);
	con.st.warning = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
	v = cJSON_GetObjectItem(r, "user");
	con.st.user = xstrdup(cJSON_IsString(v) ? v->valuestring : "?");
	v = cJSON_GetObjectItem(r, "role");
	con.st.role = xstrdup(cJSON_IsString(v) ? v->valuestring : "?");
	v = cJSON_GetObjectItem(r, "assistant");
	con.st.assistant = xstrdup(cJSON_IsString(v) ? v->valuestring : "");
	v = cJSON_GetObjectItem(r, "environment");
	con.st.environment = xstrdup(cJSON_IsString(v) ? v->valuestring : "");
	con.st.readonly = con.opts->readonly ||
	    cJSON_IsTrue(cJSON_GetObjectItem(r, "readonly"));
	console_dirty();
}

static void
ignore_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r != NULL && client_error(r) != NULL)
		console_error("%s", client_error(r));
}

static void
client_readable(int fd, short revents, void *arg)
{
	const char *name;
	cJSON *msg;
	char *cause = NULL;
	int rc;

	(void)fd, (void)revents, (void)arg;
	while ((rc = client_read(con.client, 0, &msg, &cause)) == 1) {
		silence_watch(1);
		if (cJSON_GetObjectItemCaseSensitive(msg, "event") != NULL) {
			console_alert(msg);
			/* The daemon's state changed (a source went away): read it again. */
			name = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "event"));
			if (name != NULL && strcmp(name, "status") == 0)
				console_request(client_request("status"), status_reply, NULL);
			view_event(msg);
		}
		else
			console_reply(msg);
		cJSON_Delete(msg);
		console_dirty();
		if (con.client == NULL)
			return;
	}
	if (rc < 0) {
		console_disconnected(cause);
		free(cause);
	}
}

/* A new SEV1 or SEV2, wherever it comes from: a banner, and the bell once. */
static void
console_alert(const cJSON *ev)
{
	const cJSON *inc = cJSON_GetObjectItem(ev, "incident");
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "event"));
	const char *action = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "action"));
	double sev = cJSON_GetNumberValue(cJSON_GetObjectItem(inc, "severity"));

	if (name == NULL || strcmp(name, "incident") != 0 || action == NULL ||
	    strcmp(action, "open") != 0 || sev > 2)
		return;
	console_error("NEW SEV%.0f #%.0f: %s  (:incident %.0f)", sev,
	    cJSON_GetNumberValue(cJSON_GetObjectItem(inc, "id")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(inc, "title")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(inc, "id")));
	display_bell();
}

static void
console_connected(struct client *c)
{
	cJSON *req;

	con.client = c;
	con.st.connected = 1;
	con.client_io = loop_io_add(con.loop, c->fd, POLLIN, client_readable, NULL);
	loop_timer_remove(con.reconnect);
	con.reconnect = NULL;
	console_request(client_request("status"), status_reply, NULL);
	req = client_request("subscribe");
	console_request(req, ignore_reply, NULL);
	view_show(view_current_index());
	console_dirty();
}

static void
reconnect_tick(void *arg)
{
	struct client *c;
	char *cause = NULL;

	(void)arg;
	if ((c = client_open(con.opts->cfg, NULL, 0, &cause)) == NULL) {
		free(cause);
		return;
	}
	free(con.message);
	con.message = NULL;
	console_connected(c);
}

static void
console_disconnected(const char *why)
{
	if (con.client == NULL)
		return;
	loop_io_remove(con.client_io);
	con.client_io = NULL;
	client_free(con.client);
	con.client = NULL;
	con.st.connected = 0;
	console_fail_pending();
	silence_watch(1);
	view_invalidate();
	console_error("disconnected: %s; reconnecting", why);
	con.reconnect = loop_timer_add(con.loop, RECONNECT_MS, 1, reconnect_tick, NULL);
}

/* The header clock shows minutes: wake at the next minute, not every second. */
static void
clock_tick(void *arg)
{
	time_t now = time(NULL);

	(void)arg;
	con.clock = loop_timer_add(con.loop, (long)(60 - now % 60) * 1000 + 5, 0, clock_tick,
	    NULL);
	console_dirty();
}

static void
draw_header(int w)
{
	const struct view_ops *v;
	char clock[8], right[64];
	time_t now = time(NULL);
	struct tm tm;
	int x, i, rw;

	localtime_r(&now, &tm);
	strftime(clock, sizeof clock, "%H:%M", &tm);
	draw_fill(0, 0, w, STYLE_HEADER);
	x = draw_text(0, 1, w - 1, STYLE_HEADER, "Leitstand");
	if (con.st.assistant != NULL) {
		x += 1 + draw_printf(0, x + 2, w - x - 30, STYLE_HEADER, "%s %s %s",
		    con.st.assistant, draw_glyph(GLYPH_DOT), con.st.environment);
	}
	snprintf(right, sizeof right, "%s %s  %s ", draw_glyph(GLYPH_BULLET),
	    !con.st.connected ? "DISCONNECTED" : con.silent ? "NO REPLY" : "connected", clock);
	rw = draw_width(right);
	draw_text(0, w - rw, rw, con.st.connected && !con.silent ? STYLE_HEADER : STYLE_ERROR,
	    right);

	draw_fill(1, 0, w, STYLE_TAB);
	for (x = 0, i = 0; i < view_count(); i++) {
		v = view_at(i);
		x += draw_printf(1, x, w - x, i == view_current_index() ? STYLE_TAB_ACTIVE :
		    STYLE_TAB, " %d %s ", i + 1, v->title);
	}
}

static void
draw_status(int y, int w)
{
	char left[256];
	const char *hint = "? help  q quit ";
	int x;

	if (cmdline_active()) {
		cmdline_draw(y, w);
		return;
	}
	if (con.message != NULL) {
		draw_line(y, 0, w, con.message_note ? STYLE_TITLE : STYLE_ERROR, con.message);
		return;
	}
	draw_fill(y, 0, w, STYLE_STATUS);
	snprintf(left, sizeof left, " %s (%s)%s", con.st.user ? con.st.user : "-",
	    con.st.role ? con.st.role : "-", con.st.readonly ? "  read-only" : "");
	x = draw_text(y, 0, w, STYLE_STATUS, left);
	if (con.st.warning != NULL)
		x += 2 + draw_text(y, x + 2, w - x - 20, STYLE_WARN, con.st.warning);
	if (view_filter() != NULL)
		draw_printf(y, x + 2, w - x - 20, STYLE_STATUS, "filter: %s", view_filter());
	draw_text(y, w - (int)strlen(hint), (int)strlen(hint), STYLE_STATUS, hint);
}

static void
draw_help(int top, int h, int w)
{
	const struct action_info *a;
	unsigned scopes = SCOPE_GLOBAL | view_scopes();
	int y = top + 1, i;

	draw_printf(top, 1, w - 2, STYLE_TITLE, "Keys in %s (any key closes)",
	    view_current()->title);
	for (i = 0; i < ACTION_COUNT - 1 && y < top + h; i++) {
		a = &action_table[i];
		if (!(a->scope & scopes) || (con.st.readonly && a->writes))
			continue;
		draw_text(y, 2, 16, STYLE_NORMAL, a->keys);
		draw_text(y, 19, w - 20, STYLE_NORMAL, a->help);
		y++;
	}
}

static void
console_draw(void)
{
	int rows = draw_rows(), cols = draw_cols();

	con.dirty = 0;
	draw_begin();
	if (rows < 8 || cols < 30) {
		draw_text(0, 0, cols, STYLE_NORMAL, "terminal too small");
		draw_end();
		return;
	}
	draw_header(cols);
	if (con.help)
		draw_help(2, rows - 3, cols);
	else if (con.st.connected)
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

	if (con.st.connected && v->key != NULL && v->key(a))
		return;
	switch (a) {
	case ACTION_QUIT:
		console_quit();
		break;
	case ACTION_HELP:
		console_help();
		break;
	case ACTION_COMMAND:
		cmdline_command("");
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
		if (con.st.connected)
			v->open();
		break;
	case ACTION_FILTER:
		view_filter_prompt();
		break;
	default:
		break;
	}
}

static void
console_key(int key)
{
	enum action a;

	if (key == INPUT_RESIZE) {
		console_dirty();
		return;
	}
	if (cmdline_active()) {
		cmdline_key(key);
		return;
	}
	if (con.message != NULL && con.st.connected) {
		free(con.message);
		con.message = NULL;
		console_dirty();
	}
	if (con.help) {
		con.help = 0;
		console_dirty();
		return;
	}
	/* The view's own keys first, so a view may take a global key (q in a playbook run). */
	if ((a = action_for_key(key, view_scopes(), con.st.readonly)) == ACTION_NONE)
		a = action_for_key(key, SCOPE_GLOBAL, con.st.readonly);
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

	memset(&con, 0, sizeof con);
	con.opts = opts;
	con.st.readonly = opts->readonly;
	con.st.lang = config_lang(opts->cfg);
	action_init();
	if (display_init(opts->cfg->console_palette, &cause) != 0) {
		fprintf(stderr, "leitstand: %s\n", cause);
		free(cause);
		client_free(opts->client);
		return 1;
	}
	con.loop = loop_create();
	loop_io_add(con.loop, STDIN_FILENO, POLLIN, tty_readable, NULL);
	loop_signal(con.loop, SIGWINCH, console_winch, NULL);
	loop_signal(con.loop, SIGTERM, console_signal_quit, NULL);
	loop_signal(con.loop, SIGINT, console_signal_quit, NULL);
	loop_signal(con.loop, SIGHUP, console_signal_quit, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_tick(NULL);
	console_connected(opts->client);
	opts->client = NULL;
	if (locale_warning() != NULL)
		console_error("%s", locale_warning());

	console_draw();
	while (!loop_stopped(con.loop)) {
		loop_once(con.loop, -1);
		if (con.dirty)
			console_draw();
	}

	display_end();
	view_close_all();
	cmdline_free();
	if (con.client != NULL) {
		loop_io_remove(con.client_io);
		client_free(con.client);
	}
	con.client = NULL;
	console_fail_pending();
	loop_free(con.loop);
	free(con.message);
	free((char *)con.st.user);
	free((char *)con.st.role);
	free((char *)con.st.assistant);
	free((char *)con.st.environment);
	free((char *)con.st.warning);
	return 0;
}
