/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/tz.h"
#include "backend/xmalloc.h"

#define TZ_DIR		"/usr/share/zoneinfo"
#define TZ_NAME_MAX	64

/* The TZ a call replaced, to put back. */
struct tz_saved {
	int	 switched;
	char	*old;		/* NULL: TZ was unset */
};

static void
tz_enter(const char *zone, struct tz_saved *s)
{
	const char *old;

	s->switched = 0;
	s->old = NULL;
	if (zone == NULL || *zone == '\0')
		return;
	if ((old = getenv("TZ")) != NULL)
		s->old = xstrdup(old);
	setenv("TZ", zone, 1);
	tzset();
	s->switched = 1;
}

static void
tz_leave(struct tz_saved *s)
{
	if (!s->switched)
		return;
	if (s->old != NULL)
		setenv("TZ", s->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(s->old);
	s->old = NULL;
	s->switched = 0;
}

const char *
tz_check(const char *name)
{
	struct stat st;
	char path[sizeof TZ_DIR + TZ_NAME_MAX + 2];
	const char *p;

	if (name == NULL || *name == '\0')
		return "empty zone name";
	if (strlen(name) > TZ_NAME_MAX)
		return "zone name longer than 64 bytes";
	if (*name == '/')
		return "zone name must not start with /";
	if (strstr(name, "..") != NULL)
		return "zone name must not contain ..";
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			return "zone name holds a character other than letters, digits and / _ + -";
	}
	snprintf(path, sizeof path, "%s/%s", TZ_DIR, name);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return "no such zone in " TZ_DIR " (is tzdata installed?)";
	return NULL;
}

/* The zone's offset from UTC at an instant, in seconds; TZ is already switched. */
static long
offset_at(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

time_t
tz_instant(const char *zone, const struct tz_wall *w)
{
	struct tz_saved saved;
	struct tm tm;
	time_t wall, t, best = 0, lo, hi, mid;
	long off[2];
	int i, found = 0;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = w->year - 1900;
	tm.tm_mon = w->month - 1;
	tm.tm_mday = w->day;
	tm.tm_hour = w->hour;
	tm.tm_min = w->min;
	tm.tm_sec = w->sec;
	wall = timegm(&tm);		/* the wall time read as if it were UTC */

	tz_enter(zone, &saved);
	/*
	 * An instant t shows the wall time when t + offset(t) == wall. The offsets in force a
	 * day either side are the only candidates (zones change at most once in two days).
	 */
	off[0] = offset_at(wall - 86400);
	off[1] = offset_at(wall + 86400);
	for (i = 0; i < 2; i++) {
		t = wall - off[i];
		if (offset_at(t) == off[i] && (!found || t < best)) {
			best = t;		/* a repeat: the earlier one */
			found = 1;
		}
	}
	if (!found) {
		/* A gap: the clock jumps over the wall time; the change is between the instants
		   the two offsets give. Find it. */
		lo = wall - (off[0] > off[1] ? off[0] : off[1]);
		hi = wall - (off[0] < off[1] ? off[0] : off[1]);
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (offset_at(mid) == offset_at(lo))
				lo = mid;
			else
				hi = mid;
		}
		best = hi;
	}
	tz_leave(&saved);
	return best;
}

void
tz_local(const char *zone, time_t t, struct tm *tm)
{
	struct tz_saved saved;

	tz_enter(zone, &saved);
	if (localtime_r(&t, tm) == NULL)
		memset(tm, 0, sizeof *tm);
	tz_leave(&saved);
}

char *
tz_format(const char *zone, time_t t, char *out, size_t len)
{
	struct tz_saved saved;
	struct tm tm;

	/* Inside the switch: %Z names the zone's abbreviation. */
	tz_enter(zone, &saved);
	if (localtime_r(&t, &tm) == NULL || strftime(out, len, "%Y-%m-%d %H:%M %Z", &tm) == 0)
		snprintf(out, len, "%lld", (long long)t);
	tz_leave(&saved);
	return out;
}

/* Howard Hinnant's days_from_civil and civil_from_days. */
long long
tz_days(int year, int month, int day)
{
	long long y = (long long)year - (month <= 2), era, yoe, doy, doe;

	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tz_civil(long long days, int *year, int *month, int *day)
{
	long long z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

int
tz_date_ok(int year, int month, int day)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1)
		return 0;
	return day <= mdays[month - 1] + (month == 2 && leap);
}

/* n digits exactly; -1 if not. */
static int
digits(const char **p, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + (*p)[i] - '0';
	}
	*p += n;
	return v;
}

int
tz_parse(const char *text, const char *zone, time_t *out, char **cause)
{
	struct tz_wall w;
	const char *p = text;
	int sign, oh, om, has_offset = 0;
	long off = 0;

	memset(&w, 0, sizeof w);
	if (text == NULL || *text == '\0') {
		*cause = xstrdup("empty time; write 2026-12-24 18:00 or 2026-12-24T17:00:00Z");
		return -1;
	}
	if (strlen(text) > 40)
		goto bad;
	if ((w.year = digits(&p, 4)) < 0 || *p++ != '-' || (w.month = digits(&p, 2)) < 0 ||
	    *p++ != '-' || (w.day = digits(&p, 2)) < 0)
		goto bad;
	if (*p != ' ' && *p != 'T')
		goto bad;
	p++;
	if ((w.hour = digits(&p, 2)) < 0 || *p++ != ':' || (w.min = digits(&p, 2)) < 0)
		goto bad;
	if (*p == ':' && (p++, (w.sec = digits(&p, 2)) < 0))
		goto bad;
	if (*p == 'Z' && p[1] == '\0') {
		has_offset = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if ((oh = digits(&p, 2)) < 0)
			goto bad;
		if (*p == ':')
			p++;
		if ((om = digits(&p, 2)) < 0 || oh > 14 || om > 59)
			goto bad;
		off = sign * (oh * 3600L + om * 60L);
		has_offset = 1;
	}
	if (*p != '\0')
		goto bad;
	if (!tz_date_ok(w.year, w.month, w.day)) {
		*cause = xprintf("%.40s: no such date (years 1970-9999)", text);
		return -1;
	}
	if (w.hour > 23 || w.min > 59 || w.sec > 59) {
		*cause = xprintf("%.40s: no such time of day", text);
		return -1;
	}
	if (has_offset) {
		struct tm tm;

		memset(&tm, 0, sizeof tm);
		tm.tm_year = w.year - 1900;
		tm.tm_mon = w.month - 1;
		tm.tm_mday = w.day;
		tm.tm_hour = w.hour;
		tm.tm_min = w.min;
		tm.tm_sec = w.sec;
		*out = timegm(&tm) - off;
	} else
		*out = tz_instant(zone, &w);
	return 0;
bad:
	*cause = xprintf("\"%.40s\" is not a time like 2026-12-24 18:00 (a wall time) or "
	    "2026-12-24T17:00:00Z", text);
	return -1;
}
