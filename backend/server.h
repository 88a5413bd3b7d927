/* SPDX-License-Identifier: ISC */
/* The socket server: the listening socket, connected clients, their output and limits. */
#ifndef SERVER_H
#define SERVER_H

#include <cjson/cJSON.h>

struct daemon;
struct denials;
struct identity;
struct ratelimit;
struct server;
struct conn;

/* Listens on the configured socket (before the loop runs); NULL with *cause. */
struct server	*server_create(struct daemon *, char **);
/* Accepts clients on the daemon's loop and passes published events on to subscribers. */
void		 server_start(struct server *);
/* Closes every client (what is queued is sent if it can be) and the socket. */
void		 server_free(struct server *);
/* Looks up every client's role again (the config was reloaded). */
void		 server_reidentify(struct server *);
/* Clients connected now and the most that may be. */
void		 server_clients(const struct server *, int *n, int *max);

/* Queues a message for one client and frees it; dropped if the client has gone. */
void		 server_send(struct conn *, cJSON *);
/* Closes a client once what is queued for it is sent (at most a few seconds later). */
void		 server_close(struct conn *, const char *why);
/* The client's identity, fixed when it connected (looked up again on reload). */
const struct identity *server_who(const struct conn *);
/* The client's refused requests and its budget of ad-hoc queries. */
struct denials	*server_denials(struct conn *);
struct ratelimit *server_queries(struct conn *);
/* The topics of events the client receives from now on. */
void		 server_subscribe(struct conn *, unsigned topics);
/* Keeps a client's memory while a reply to it is pending; sends to it after it has gone
   are dropped. */
void		 server_ref(struct conn *);
void		 server_unref(struct conn *);

#endif
