/* SPDX-License-Identifier: ISC */
/* What views may ask of the console: requests to the daemon, status line, redraws
   (console.c); and what main.c needs to run and draw it. */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <cjson/cJSON.h>

struct client;
struct config;
struct loop;

/* Called with the reply, or with NULL when the connection dropped before it came. */
typedef void (*console_reply_cb)(void *arg, const cJSON *reply);

struct console_state {
	int		 connected;
	const char	*user;
	const char	*role;
	int		 readonly;
	const char	*assistant;
	const char	*environment;
	const char	*warning;	/* a setting that weakens security, or NULL */
	const char	*lang;		/* of playbooks: en or de */
};

/* Sends a request (freeing it); cb gets the reply later. */
void	console_request(cJSON *, console_reply_cb, void *);
/* Takes item out of parent, part of the reply or event a callback is given, instead of
   copying it (the console frees the rest after the callbacks). With parent NULL, item is
   the whole message (a copy if a callback took it already). NULL if item is. */
cJSON	*console_take(const cJSON *parent, const cJSON *item);
/* Shows a message in the status line until the next key. */
void	console_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* For a reply callback: 1 if there is no reply (the connection went) or it is an error,
   which the status line then shows. */
int	console_failed(const cJSON *reply);
/* Shows a note (not an error) in the status line until the next key. */
void	console_note(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Asks for a redraw at the end of this loop iteration. */
void	console_dirty(void);
const struct console_state *console_state(void);
/* Leaves the console at the end of this loop iteration. */
void	console_quit(void);

/* What the connection tells the rest of the console. */
struct console_hooks {
	void	(*connected)(void);		/* (again): load what is shown */
	void	(*disconnected)(void);		/* loaded data is stale */
	void	(*event)(const cJSON *);	/* an event the daemon pushed */
};

/* Runs the connection on the loop, starting with a connected client (the console owns
   it); readonly is --readonly. */
void	console_start(struct loop *, const struct config *, int readonly, struct client *,
	    const struct console_hooks *);
/* Closes the connection (waiting callbacks get NULL) and frees the status line. */
void	console_stop(void);
/* 1 if a redraw was asked for since the last call. */
int	console_redraw_due(void);
/* The status line message (*note: not an error), or NULL. */
const char *console_status(int *note);
void	console_status_clear(void);
/* 1 while requests wait longer than daemon.reply_timeout. */
int	console_silent(void);

#endif
