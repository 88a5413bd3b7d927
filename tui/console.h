/* SPDX-License-Identifier: ISC */
/* What views may ask of the console: requests to the daemon, status line, redraws. */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <cjson/cJSON.h>

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
/* Takes item out of parent, part of the reply a callback is given, instead of copying it
   (the console frees the rest of the reply after the callback); NULL if item is. */
cJSON	*console_take(const cJSON *parent, const cJSON *item);
/* Shows a message in the status line until the next key. */
void	console_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Shows a note (not an error) in the status line until the next key. */
void	console_note(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Asks for a redraw at the end of this loop iteration. */
void	console_dirty(void);
const struct console_state *console_state(void);
/* Leaves the console at the end of this loop iteration. */
void	console_quit(void);
/* Shows the key overlay of the current view. */
void	console_help(void);

#endif
