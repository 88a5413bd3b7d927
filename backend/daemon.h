/* SPDX-License-Identifier: ISC */
/* The daemon's state (config, store, poller, incident policy, redactor, playbooks, timers)
   and its start, reload and stop. The socket server is one part of it. */
#ifndef DAEMON_H
#define DAEMON_H

#include <time.h>

#include <sqlite3.h>

#include "backend/incident.h"

struct config;
struct library;
struct loop;
struct loop_timer;
struct poller;
struct redactor;
struct server;

struct daemon {
	struct config	*cfg;
	struct loop	*loop;
	sqlite3		*db;
	int		 lock_fd;
	int		 ready_fd;	/* reports start-up to whoever started us, or -1 */
	time_t		 started;
	struct server	*srv;		/* the socket server */
	struct poller	*poller;
	struct incident_policy policy;
	struct redactor	*redactor;
	struct library	*library;	/* the playbooks */
	char		*library_problems; /* files left out: "FILE:LINE: msg" lines */
	struct loop_timer *incident_timer;
	struct loop_timer *purge_timer;
	struct loop_timer *checkpoint_timer;
	long long	 checkpoint_seq;	/* the chain head last signed */
};

/* Runs the daemon in the foreground until SIGTERM/SIGINT; returns the exit code. */
int	 daemon_main(struct config *, int ready_fd);
/* Re-reads the config file: roles, console and assistant settings apply now, [daemon]
   settings at the next restart. Every client's role is looked up again. */
int	 daemon_reload(struct daemon *, char **);
/* Free text on its way into the store, with personal data replaced (a new string). */
char	*daemon_redact(struct daemon *, const char *);

#endif
