/* SPDX-License-Identifier: ISC */
/*
 * On-call rotations: who is on call for an escalation level at an instant, since and until
 * when, and who comes next. Pure: a schedule and its overrides in, answers out; no store,
 * no config file, no clock.
 *
 * A rotation hands off at a wall time of its zone; shift k starts on local day
 * start_day + k * days at that time, so a weekly shift is 7 local days (167 or 169 hours
 * across a DST change) and the hand-off follows the rules of tz.h for gaps and repeats.
 * Participants take turns in order; shift 0 is the first one's, and shifts before it
 * continue the order backwards. An override puts another user on call for an interval,
 * ahead of the rotation; overrides of one level do not overlap (the store refuses them).
 */
#ifndef ROTATION_H
#define ROTATION_H

#include <stddef.h>
#include <time.h>

#define ONCALL_LEVELS	3	/* L1, L2, L3 */

/* One level's rotation. No users: nobody is on call unless an override says so. */
struct oncall_rotation {
	char	**users;	/* in order of the rotation */
	size_t	  nusers;
	int	  handoff;	/* minutes after local midnight, 0-1439 */
	int	  days;		/* length of a shift in local days, 1-366 */
	char	 *zone;		/* tz database name; NULL or "": the local zone */
	long long start_day;	/* days since 1970-01-01 of shift 0's first day */
};

/* USER covers LEVEL from start to end (for for_user, if given). */
struct oncall_override {
	long long	 id;
	int		 level;		/* 1-3 */
	char		*user;
	char		*for_user;	/* NULL: not said */
	time_t		 start, end;	/* end > start */
};

/* A schedule: every level's rotation and the overrides. The strings are borrowed: whoever
   fills it owns them (oncall.h builds one from the config and the store). */
struct oncall {
	struct oncall_rotation	 level[ONCALL_LEVELS];	/* [0] is L1 */
	struct oncall_override	*overrides;
	size_t			 noverrides;
};

/* A stretch of time in which one user (or nobody) is on call for a level. */
struct oncall_shift {
	const char	*user;		/* NULL: nobody */
	const char	*for_user;	/* an override's: whom it covers, or NULL */
	long long	 override;	/* the override's id, or 0: the rotation's shift */
	time_t		 start;		/* 0: since ever */
	time_t		 end;		/* 0: until further notice */
};

/* Whether a level (1-3) has a rotation (users to take turns). */
int	oncall_configured(const struct oncall *, int level);
/*
 * Who is on call for a level (1-3) at an instant, overrides applied: fills *shift (user,
 * since, until) and returns 1, or 0 if nobody is (shift then says since and until when
 * nobody is). -1 for a level out of range.
 */
int	oncall_who(const struct oncall *, int level, time_t at, struct oncall_shift *);
/* The stretch after the one at `at` (who is next and from when): 1, 0 if nobody is next or
   nothing ever changes (shift->start is 0 then), -1 for a bad level. */
int	oncall_next(const struct oncall *, int level, time_t at, struct oncall_shift *);
/* The rotation's own shift at an instant (no overrides): its number, and when it starts and
   ends. -1 if the rotation has no users. */
int	oncall_rotation_shift(const struct oncall_rotation *, time_t at, long long *k,
	    time_t *start, time_t *end);
/* When shift k of a rotation starts. */
time_t	oncall_rotation_start(const struct oncall_rotation *, long long k);

#endif
