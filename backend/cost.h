/* SPDX-License-Identifier: ISC */
/* Money: token counts by model joined with the price table, and the month-end forecast. */
#ifndef COST_H
#define COST_H

#include <time.h>

struct config;
struct prom_response;

/* Sums tokens x price / 1e6 over a vector labelled by model and token type; a series is
   priced by the first of its model labels with a price. Models without one are left out and
   named with their share of the tokens in *note (a new string, or NULL when all were priced). */
double	cost_of(const struct config *, const struct prom_response *,
	    const char *const *model_labels, size_t nlabels, const char *type_label,
	    char **note);
/* Month to date plus the daily rate times the days left in the month of now. */
double	cost_forecast(double month_to_date, double per_day, time_t now);
/* Seconds since local midnight, and since 00:00 on the 1st of this month. */
long	cost_since_midnight(time_t);
long	cost_since_month_start(time_t);

#endif
