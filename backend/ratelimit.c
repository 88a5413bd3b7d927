/* SPDX-License-Identifier: ISC */
#include <stdlib.h>

#include "backend/ratelimit.h"
#include "backend/xmalloc.h"

/* Users' buckets; a full one is the same as none, so the list keeps only the busy. */
struct user_bucket {
	uid_t			 uid;
	struct ratelimit	 b;
	struct user_bucket	*next;
};

static struct user_bucket	*users;

/* Tokens in a bucket now, refilled at rate up to burst. */
static double
bucket_level(const struct ratelimit *b, double rate, double burst, long long now_ms)
{
	double t;

	if (b->at_ms == 0)
		return burst;
	t = b->tokens + rate * (double)(now_ms - b->at_ms) / 1000.0;
	return t < burst ? t : burst;
}

static double
bucket_wait(double level, double rate)
{
	return level >= 1 ? 0 : (1 - level) / rate;
}

/* The user's bucket; buckets that have filled up again leave the list on the way. */
static struct ratelimit *
user_bucket(uid_t uid, double rate, double burst, long long now_ms)
{
	struct user_bucket **up = &users, *u, *found = NULL;

	while ((u = *up) != NULL) {
		if (u->uid == uid)
			found = u;
		else if (bucket_level(&u->b, rate, burst, now_ms) >= burst) {
			*up = u->next;
			free(u);
			continue;
		}
		up = &u->next;
	}
	if (found == NULL) {
		found = xcalloc(1, sizeof *found);
		found->uid = uid;
		found->next = users;
		users = found;
	}
	return &found->b;
}

int
ratelimit_take(struct ratelimit *conn, uid_t uid, double rate, double burst,
    long long now_ms, double *retry_s)
{
	struct ratelimit *user = user_bucket(uid, 2 * rate, 2 * burst, now_ms);
	double c = bucket_level(conn, rate, burst, now_ms);
	double u = bucket_level(user, 2 * rate, 2 * burst, now_ms);
	double wc, wu;

	if (c < 1 || u < 1) {
		wc = bucket_wait(c, rate);
		wu = bucket_wait(u, 2 * rate);
		*retry_s = wc > wu ? wc : wu;
		return -1;
	}
	conn->tokens = c - 1;
	conn->at_ms = now_ms;
	user->tokens = u - 1;
	user->at_ms = now_ms;
	return 0;
}

void
ratelimit_clear(void)
{
	struct user_bucket *u;

	while ((u = users) != NULL) {
		users = u->next;
		free(u);
	}
}
