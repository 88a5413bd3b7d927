/* SPDX-License-Identifier: ISC */
/* The daemon: listening socket, connected clients, event publishing. */
#ifndef SERVER_H
#define SERVER_H

#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "backend/authz.h"
#include "backend/buf.h"
#include "backend/denials.h"
#include "backend/incident.h"
#include "backend/proto.h"
#include "backend/ratelimit.h"

struct config;
struct loop;
struct loop_io;
struct poller;
struct redactor;
struct library;

/* Event topics a client can subscribe to. */
enum topic {
	TOPIC_AUDIT	= 0x1,
	TOPIC_STATUS	= 0x2,
	TOPIC_KPI	= 0x4,
	TOPIC_INCIDENT	= 0x8,
	TOPIC_PROMPT	= 0x10,
	TOPIC_ALL	= 0x1f
};

struct conn {
	struct server	*srv;
	unsigned long	 id;
	int		 fd;
	pid_t		 pid;		/* for logs only: never for authorisation */
	struct identity	 who;
	struct linebuf	 in;
	struct buf	 out;
	unsigned	 topics;
	struct ratelimit queries;	/* ad-hoc queries (OP_ADHOC) */
	struct loop_io	*io;
	int		 backlog;	/* request lines wait for the next turn */
	int		 dead;
	const char	*closing;	/* why it closes once its output is sent, or NULL */
	struct loop_timer *close_timer;	/* closes it anyway when it does not read */
	size_t		 held;		/* its share of server.held */
	long long	 progress_ms;	/* last read a reply, sent a request, or caught up */
	struct denials	 denials;
	struct conn	*next;
};

/* Clients refused for a limit, logged once per UID and minute. */
#define SERVER_BUSY_LOG	16
struct server_busy {
	uid_t		 uid;
	long long	 since;		/* when it was last logged (monotonic ms), 0: free */
	unsigned long	 more;		/* refused since, not logged yet */
};

struct server {
	struct config	*cfg;
	struct loop	*loop;
	sqlite3		*db;
	int		 lock_fd;
	int		 listen_fd;
	struct loop_io	*listen_io;
	struct loop_timer *backlog_timer;	/* the next turn of clients with a backlog */
	time_t		 started;
	unsigned long	 next_id;
	struct conn	*conns;
	int		 nconns;
	int		 max_clients;	/* daemon.max_clients, lowered to the fd limit */
	size_t		 held;		/* bytes held for all clients: output, requests */
	int		 spare_fd;	/* given up to turn a client away when fds run out */
	struct loop_timer *accept_timer; /* resumes accepting after fds ran out */
	long long	 fd_logged;	/* when running out of fds was last logged */
	unsigned long	 fd_more;	/* clients turned away since */
	struct server_busy busy[SERVER_BUSY_LOG];
	int		 ready_fd;	/* reports start-up to whoever started us, or -1 */
	struct poller	*poller;
	struct incident_policy policy;
	struct redactor	*redactor;
	struct loop_timer *incident_timer;
	struct loop_timer *am_timer;
	struct loop_timer *purge_timer;
	struct loop_timer *checkpoint_timer;
	long long	 checkpoint_seq;	/* the chain head last signed */
	int		 am_busy;	/* a read of Alertmanager is in flight */
	char		*am_error;	/* why the last read failed, or NULL */
	struct library	*library;	/* the playbooks */
	char		*library_problems; /* files left out: "FILE:LINE: msg" lines */
	struct repo	*repo;		/* the prompt repository, or NULL */
	char		*repo_error;	/* why there is none */
};

/* Runs the daemon in the foreground until SIGTERM/SIGINT; returns the exit code. */
int	 server_main(struct config *, int ready_fd);
/* Queues a message for one client and frees it. */
void	 server_send(struct server *, struct conn *, cJSON *);
/* Closes a client once what is queued for it is sent (at most a few seconds later). */
void	 server_close(struct server *, struct conn *, const char *why);
/* Sends a message to every client subscribed to the topic and frees it. */
void	 server_publish(struct server *, enum topic, cJSON *);
/* Re-reads the config file: roles, console and assistant settings apply now, [daemon]
   settings at the next restart. Every client's role is looked up again. */
int	 server_reload(struct server *, char **);
/* Free text on its way into the store, with personal data replaced (a new string). */
char	*server_redact(struct server *, const char *);
/* The client with this id, or NULL if it has gone. */
struct conn *server_conn(struct server *, unsigned long);

#endif
