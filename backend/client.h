/* SPDX-License-Identifier: ISC */
/* The client library the console and the CLI use to talk to the daemon. */
#ifndef CLIENT_H
#define CLIENT_H

#include <cjson/cJSON.h>

#include "backend/proto.h"

struct config;

struct client {
	int		fd;
	struct linebuf	in;
	long long	next_id;
	int		reply_ms;	/* client_call waits this long for a reply; 0: for ever */
	int		timed_out;	/* the last client_call got no reply in time */
};

/* Connects to the socket; NULL with *cause when nobody answers. */
struct client	*client_connect(const char *, char **);
/* Starts `leitstand OPTIONS -S SOCKET serve` detached from us and waits until it listens or
   says why not (*cause). */
int		 client_spawn_daemon(char *const *options, const char *socket, char **cause);
/* Connects to the configured daemon, starting a private one first if none answers and the
   config is not a shared install. The new daemon gets the client's global options (-c, -v,
   --demo; NULL-terminated) and the socket path. */
struct client	*client_open(const struct config *, char *const *options, int start, char **);
void		 client_free(struct client *);
/* A new request object for the op. */
cJSON		*client_request(const char *op);
/* Sends a request, adding its id; returns the id or -1 if the daemon has gone. Frees req. */
long long	 client_send(struct client *, cJSON *req);
/* Waits at most ms (-1: forever) for the next message. Returns 1 with *msg, 0 on timeout,
   -1 when the connection is gone (*cause says why). */
int		 client_read(struct client *, int ms, cJSON **msg, char **);
/* Sends a request and waits for its reply (events in between are dropped), at most
   reply_ms. NULL: gone, or no reply in time (timed_out set). */
cJSON		*client_call(struct client *, cJSON *req, char **);
/* For replies: the error message, or NULL if the reply is ok. */
const char	*client_error(const cJSON *reply);
const char	*client_error_code(const cJSON *reply);

#endif
