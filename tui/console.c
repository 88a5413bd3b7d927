/* SPDX-License-Identifier: ISC */
/*
 * The console's side of the daemon connection and its status line: requests with their
 * reply callbacks, events, reconnecting, and the message shown until the next key or for
 * some seconds. Views
 * call these; main.c wires them to the loop and draws what they hold.
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/client.h"
#include "backend/config.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/xmalloc.h"
#include "tui/console.h"
#include "tui/display.h"

#define RECONNECT_MS 1000

struct pending {
	long long		 id;
	console_reply_cb	 cb;
	void			*arg;
	struct pending		*next;
};

static struct {
	const struct config		*cfg;
	const struct console_hooks	*hooks;
	struct loop			*loop;
	struct client			*client;
	struct loop_io			*client_io;
	struct loop_timer		*reconnect;
	struct loop_timer		*silence;	/* fires when requests wait too long */
	int				 silent;	/* no reply for that long */
	struct pending			*pending;
	const cJSON			*handling;	/* the message being handled */
	int				 taken;		/* ... taken whole by a callback */
	int				 readonly;	/* --readonly */
	struct console_state		 st;
	char				*message;
	int				 message_note;	/* a note, not an error */
	struct loop_timer		*message_timer;	/* clears it when it has been read */
	int				 dirty;
} con;

static void	console_disconnected(const char *);

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

int
console_redraw_due(void)
{
	int dirty = con.dirty;

	con.dirty = 0;
	return dirty;
}

void
console_quit(void)
{
	loop_stop(con.loop);
}

/* How long a message stays: long enough to read, never for the rest of a shift. */
#define NOTE_MS		8000
#define ERROR_MS	20000

static void
message_expire(void *arg)
{
	(void)arg;
	con.message_timer = NULL;
	console_status_clear();
}

static void
console_message(int note, const char *fmt, va_list ap)
{
	free(con.message);
	xvasprintf(&con.message, fmt, ap);
	con.message_note = note;
	log_debug("status: %s", con.message);
	loop_timer_remove(con.message_timer);
	con.message_timer = loop_timer_add(con.loop, note ? NOTE_MS : ERROR_MS, 0, message_expire,
	    NULL);
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

int
console_failed(const cJSON *r)
{
	if (r == NULL)
		return 1;
	if (client_error(r) == NULL)
		return 0;
	console_error("%s", client_error(r));
	return 1;
}

void
console_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_message(1, fmt, ap);
	va_end(ap);
}

const char *
console_status(int *note)
{
	*note = con.message_note;
	return con.message;
}

void
console_status_clear(void)
{
	loop_timer_remove(con.message_timer);
	con.message_timer = NULL;
	if (con.message == NULL)
		return;
	free(con.message);
	con.message = NULL;
	console_dirty();
}

int
console_silent(void)
{
	return con.silent;
}

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
	    con.cfg->socket, con.cfg->reply_timeout);
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
	if (con.silence == NULL && con.pending != NULL && con.cfg->reply_timeout > 0)
		con.silence = loop_timer_add(con.loop, (long)con.cfg->reply_timeout * 1000,
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

cJSON *
console_take(const cJSON *parent, const cJSON *item)
{
	/* The message is the console's: it hands callbacks a const view only so they cannot
	   free it under their feet, and frees it after them unless one took it whole. */
	if (item == NULL)
		return NULL;
	if (parent != NULL)
		return cJSON_DetachItemViaPointer((cJSON *)parent, (cJSON *)item);
	if (item != con.handling || con.taken)
		return cJSON_Duplicate(item, 1);
	con.taken = 1;
	return (cJSON *)item;
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

/* Every waiting callback gets NULL: the connection that would have answered is gone. */
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
state_free(void)
{
	free((char *)con.st.user);
	free((char *)con.st.role);
	free((char *)con.st.assistant);
	free((char *)con.st.environment);
	free((char *)con.st.warning);
}

static void
status_reply(void *arg, const cJSON *r)
{
	const cJSON *v;

	(void)arg;
	if (r == NULL || client_error(r) != NULL)
		return;
	state_free();
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
	con.st.readonly = con.readonly || cJSON_IsTrue(cJSON_GetObjectItem(r, "readonly"));
	console_dirty();
}

static void
ignore_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r != NULL && client_error(r) != NULL)
		console_error("%s", client_error(r));
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
client_readable(int fd, short revents, void *arg)
{
	const char *name;
	cJSON *msg;
	char *cause = NULL;
	int rc;

	(void)fd, (void)revents, (void)arg;
	while ((rc = client_read(con.client, 0, &msg, &cause)) == 1) {
		con.handling = msg;
		con.taken = 0;
		silence_watch(1);
		if (cJSON_GetObjectItemCaseSensitive(msg, "event") != NULL) {
			console_alert(msg);
			/* The daemon's state changed (a source went away): read it again. */
			name = cJSON_GetStringValue(cJSON_GetObjectItem(msg, "event"));
			if (name != NULL && strcmp(name, "status") == 0)
				console_request(client_request("status"), status_reply, NULL);
			con.hooks->event(msg);
		}
		else
			console_reply(msg);
		if (!con.taken)
			cJSON_Delete(msg);
		con.handling = NULL;
		console_dirty();
		if (con.client == NULL)
			return;
	}
	if (rc < 0) {
		console_disconnected(cause);
		free(cause);
	}
}

static void
console_connected(struct client *c)
{
	con.client = c;
	con.st.connected = 1;
	con.client_io = loop_io_add(con.loop, c->fd, POLLIN, client_readable, NULL);
	loop_timer_remove(con.reconnect);
	con.reconnect = NULL;
	console_request(client_request("status"), status_reply, NULL);
	console_request(client_request("subscribe"), ignore_reply, NULL);
	con.hooks->connected();
	console_dirty();
}

static void
reconnect_tick(void *arg)
{
	struct client *c;
	char *cause = NULL;

	(void)arg;
	if ((c = client_open(con.cfg, NULL, 0, &cause)) == NULL) {
		free(cause);
		return;
	}
	console_status_clear();
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
	con.hooks->disconnected();
	console_error("disconnected: %s; reconnecting", why);
	con.reconnect = loop_timer_add(con.loop, RECONNECT_MS, 1, reconnect_tick, NULL);
}

void
console_start(struct loop *loop, const struct config *cfg, int readonly, struct client *c,
    const struct console_hooks *hooks)
{
	memset(&con, 0, sizeof con);
	con.loop = loop;
	con.cfg = cfg;
	con.hooks = hooks;
	con.readonly = readonly;
	con.st.readonly = readonly;
	con.st.lang = config_lang(cfg);
	console_connected(c);
}

void
console_stop(void)
{
	if (con.client != NULL) {
		loop_io_remove(con.client_io);
		client_free(con.client);
	}
	con.client = NULL;
	console_fail_pending();
	console_status_clear();
	state_free();
	memset(&con.st, 0, sizeof con.st);
}
