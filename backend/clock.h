/* SPDX-License-Identifier: ISC */
/*
 * The wall clock, with a fixed time for tests (tig's TEST_TIME_NOW idea): when
 * LEITSTAND_TEST_TIME_NOW holds seconds since the epoch, that is "now", so a test can state
 * the times it expects instead of sleeping or allowing slack.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <time.h>

/* Seconds since the epoch: LEITSTAND_TEST_TIME_NOW when it is set to a whole number of
   seconds, else time(NULL). */
time_t	clock_now(void);
/* Moves ts on by secs (>= 0), for a deadline of pthread_cond_timedwait and the like. */
void	clock_add(struct timespec *ts, double secs);

#endif
