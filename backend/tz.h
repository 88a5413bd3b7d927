/* SPDX-License-Identifier: ISC */
/*
 * Wall times in named time zones of the system's tz database (/usr/share/zoneinfo), DST-safe.
 * glibc's zone code does the work: TZ is switched for the length of one call and put back, so
 * the functions are not thread-safe (the daemon's loop is one thread).
 *
 * Semantics of a wall time that does not occur once: one inside a spring-forward gap (02:30 on
 * the day Europe/Berlin goes from 02:00 to 03:00) is the end of the gap (03:00 local, the
 * instant of the change); one inside an autumn repeat (02:30 when 03:00 goes back to 02:00)
 * is its first occurrence (the one with summer time).
 */
#ifndef TZ_H
#define TZ_H

#include <stddef.h>
#include <time.h>

/* A wall time: a civil date and a time of day, as written. */
struct tz_wall {
	int	year, month, day;	/* month 1-12, day 1-31 */
	int	hour, min, sec;
};

/* NULL if NAME is a zone of the tz database, else why not (a static string): empty,
   too long, absolute, "..", odd characters, or no such file under /usr/share/zoneinfo. */
const char	*tz_check(const char *name);
/* The instant of a wall time in a zone (NULL or "": the process's local zone), with the gap
   and repeat rules above. */
time_t		 tz_instant(const char *zone, const struct tz_wall *);
/* The wall time of an instant in a zone (NULL or "": local); tm_gmtoff and tm_isdst set. */
void		 tz_local(const char *zone, time_t, struct tm *);
/* An instant as "2026-12-24 18:00 CET" in a zone (NULL or "": local); returns out. */
char		*tz_format(const char *zone, time_t, char *out, size_t len);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian), and back. */
long long	 tz_days(int year, int month, int day);
void		 tz_civil(long long days, int *year, int *month, int *day);
/* Whether a civil date exists (month 1-12, the day in that month, year 1970-9999). */
int		 tz_date_ok(int year, int month, int day);
/*
 * Parses a time as a person writes it: "2026-12-24 18:00" (or with T, with :SS) in the zone,
 * or ISO 8601 with an offset: "2026-12-24T18:00:00Z", "...+01:00", "...+0100". 0, or -1
 * with *cause (to free) saying what is wrong.
 */
int		 tz_parse(const char *text, const char *zone, time_t *, char **cause);

#endif
