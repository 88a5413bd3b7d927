/* SPDX-License-Identifier: ISC */
/* Numbers for people: KPI values with precision and unit, ages. */
#ifndef FORMAT_H
#define FORMAT_H

#include <stddef.h>
#include <time.h>

/* "3.42 s", "99.5 %", "1234.56 EUR" into buf. */
void	format_value(char *, size_t, double value, int precision, const char *unit);
/* "12s", "5m", "3h", "2d" into buf. */
void	format_age(char *, size_t, long seconds);
/* The one way a time is shown: "2026-12-01 21:36", local, into buf (at least 17 bytes). */
void	format_time(char *, size_t, time_t);

#endif
