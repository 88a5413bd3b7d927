/* SPDX-License-Identifier: ISC */
/*
 * Token buckets for ad-hoc queries: one per connection, one per user (by UID) across all of
 * the user's connections, so reconnecting does not start afresh.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <sys/types.h>

struct ratelimit {
	double		tokens;
	long long	at_ms;		/* when tokens was right; 0: never used (full) */
};

/* Takes a token from the connection's bucket (rate per second, burst) and from the user's
   (twice both) when both have one: 0; else -1 with *retry_s, the seconds until both do. */
int	ratelimit_take(struct ratelimit *conn, uid_t, double rate, double burst,
	    long long now_ms, double *retry_s);
/* Forgets every user's bucket (the daemon stops). */
void	ratelimit_clear(void);

#endif
