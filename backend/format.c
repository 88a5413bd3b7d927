/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "backend/format.h"

void
format_value(char *buf, size_t len, double v, int precision, const char *unit)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "--");
		return;
	}
	if (precision < 0 || precision > 6)
		precision = 2;
	if (unit == NULL || *unit == '\0')
		snprintf(buf, len, "%.*f", precision, v);
	else
		snprintf(buf, len, "%.*f %s", precision, v, unit);
}

void
format_age(char *buf, size_t len, long s)
{
	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(buf, len, "%lds", s);
	else if (s < 7200)
		snprintf(buf, len, "%ldm", s / 60);
	else if (s < 172800)
		snprintf(buf, len, "%ldh", s / 3600);
	else
		snprintf(buf, len, "%ldd", s / 86400);
}

void
format_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, len, "-");
}
