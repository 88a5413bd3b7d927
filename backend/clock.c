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
