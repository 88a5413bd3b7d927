/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdlib.h>

#include "backend/clock.h"

time_t
clock_now(void)
{
	const char *v = getenv("LEITSTAND_TEST_TIME_NOW");
	char *end;
	long long t;

	/* Read on every call: cheap, and a test may change it between steps. */
	if (v != NULL && *v != '\0') {
		errno = 0;
		t = strtoll(v, &end, 10);
		if (errno == 0 && *end == '\0' && t >= 0)
			return (time_t)t;
	}
	return time(NULL);
}

void
clock_add(struct timespec *ts, double secs)
{
	ts->tv_sec += (time_t)secs;
	ts->tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}
