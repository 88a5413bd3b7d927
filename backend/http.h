/* SPDX-License-Identifier: ISC */
/* One blocking HTTP request, for job threads and the CLI (the Prometheus poller has its own
   non-blocking client in metrics.c). libcurl is loaded on first use. */
#ifndef HTTP_H
#define HTTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "backend/buf.h"

struct http_request {
	const char		*method;	/* NULL: GET, or POST when there is a body */
	const char		*url;
	const char		*body;		/* sent as application/json */
	const char *const	*headers;	/* "Name: value", NULL-terminated, or NULL */
	const char		*user;		/* basic auth with password */
	const char		*password;
	const char		*bearer;	/* bearer token */
	long			 timeout_ms;	/* whole request; <= 0: 10 s */
	long			 connect_ms;	/* <= 0: as timeout_ms, at most 10 s */
	size_t			 max_body;	/* 0: 1 MiB */
	atomic_int		*abort;		/* non-zero ends the transfer at once (or NULL) */
};

struct http_reply {
	long		status;
	struct buf	body;
	int		transient;	/* a failed transfer that another try may fix */
	double		retry_after;	/* seconds a Retry-After header asks for; 0: none */
	char		*location;	/* a 3xx's Location (never followed), or NULL */
};

/* Performs the request. 0 with the reply (whatever its HTTP status), or -1 with *cause for a
   transfer that failed (connection, timeout, TLS, a body over max_body); then transient says
   whether trying again may help (timeouts and connections, not bad URLs or certificates). */
int	http_do(const struct http_request *, struct http_reply *, char **cause);
void	http_reply_free(struct http_reply *);
/* Reads one header line of a response (len bytes, not NUL-terminated) into the reply: keeps
   Retry-After of the last response, as a redirect or "100 Continue" has its own. */
void	http_header_line(struct http_reply *, const char *, size_t);

#endif
