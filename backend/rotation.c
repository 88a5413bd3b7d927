/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "backend/rotation.h"
#include "backend/tz.h"

/* floor(a / b) for b > 0. */
static long long
floordiv(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0));
}

time_t
oncall_rotation_start(const struct oncall_rotation *r, long long k)
{
	struct tz_wall w;

	memset(&w, 0, sizeof w);
	tz_civil(r->start_day + k * r->days, &w.year, &w.month, &w.day);
	w.hour = r->handoff / 60;
	w.min = r->handoff % 60;
	return tz_instant(r->zone, &w);
}

int
oncall_rotation_shift(const struct oncall_rotation *r, time_t at, long long *kp,
    time_t *start, time_t *end)
{
	struct tm tm;
	long long day, k;
	time_t s, e;

	if (r->nusers == 0 || r->days < 1)
		return -1;
	/* A first guess from the local date, then exact by the instants: a hand-off moved by
	   a gap or a repeat is where the instants say. */
	tz_local(r->zone, at, &tm);
	day = tz_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (tm.tm_hour * 60 + tm.tm_min < r->handoff)
		day--;
	k = floordiv(day - r->start_day, r->days);
	s = oncall_rotation_start(r, k);
	while (at < s)
		s = oncall_rotation_start(r, --k);
	e = oncall_rotation_start(r, k + 1);
	while (at >= e) {
		s = e;
		e = oncall_rotation_start(r, ++k + 1);
	}
	*kp = k;
	*start = s;
	*end = e;
	return 0;
}

int
oncall_configured(const struct oncall *oc, int level)
{
	return level >= 1 && level <= ONCALL_LEVELS && oc->level[level - 1].nusers > 0;
}

int
oncall_who(const struct oncall *oc, int level, time_t at, struct oncall_shift *sh)
{
	const struct oncall_rotation *r;
	const struct oncall_override *o;
	long long k;
	size_t i;

	memset(sh, 0, sizeof *sh);
	if (level < 1 || level > ONCALL_LEVELS)
		return -1;
	for (i = 0; i < oc->noverrides; i++) {
		o = &oc->overrides[i];
		if (o->level == level && o->start <= at && at < o->end) {
			sh->user = o->user;
			sh->for_user = o->for_user;
			sh->override = o->id;
			sh->start = o->start;
			sh->end = o->end;
			return 1;
		}
	}
	r = &oc->level[level - 1];
	if (oncall_rotation_shift(r, at, &k, &sh->start, &sh->end) == 0)
		sh->user = r->users[(k % (long long)r->nusers + (long long)r->nusers) %
		    (long long)r->nusers];
	/* Overrides before and after cut the rotation's stretch short. */
	for (i = 0; i < oc->noverrides; i++) {
		o = &oc->overrides[i];
		if (o->level != level)
			continue;
		if (o->end <= at && (sh->start == 0 || o->end > sh->start))
			sh->start = o->end;
		if (o->start > at && (sh->end == 0 || o->start < sh->end))
			sh->end = o->start;
	}
	return sh->user != NULL;
}

int
oncall_next(const struct oncall *oc, int level, time_t at, struct oncall_shift *sh)
{
	struct oncall_shift cur;

	if (oncall_who(oc, level, at, &cur) < 0)
		return -1;
	if (cur.end == 0) {
		memset(sh, 0, sizeof *sh);
		return 0;
	}
	return oncall_who(oc, level, cur.end, sh);
}
