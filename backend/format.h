/* SPDX-License-Identifier: ISC */
/* Numbers for people: KPI values with precision and unit, ages. */
#ifndef FORMAT_H
#define FORMAT_H

#include <stddef.h>

/* "3.42 s", "99.5 %", "1234.56 EUR" into buf. */
void	format_value(char *, size_t, double value, int precision, const char *unit);
/* "12s", "5m", "3h", "2d" into buf. */
void	format_age(char *, size_t, long seconds);

#endif
