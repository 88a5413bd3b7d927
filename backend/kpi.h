/* SPDX-License-Identifier: ISC */
/* One KPI's live state: value, ok/warn/crit/unknown with `for` and hysteresis, history. */
#ifndef KPI_H
#define KPI_H

#include <time.h>

#include <cjson/cJSON.h>

struct kpi_def;

enum kpi_level {
	KPI_UNKNOWN,
	KPI_OK,
	KPI_WARN,
	KPI_CRIT,
};

/* Points of history kept for the sparkline: the average of each bucket of time. */
#define KPI_HISTORY 60

struct kpi {
	const struct kpi_def	*def;
	char			*query;		/* def->query for the source's dialect */
	double			 value;		/* NAN: unknown */
	time_t			 updated;	/* when value was last measured, 0: never */
	enum kpi_level		 level;
	time_t			 since;		/* when level was entered */
	enum kpi_level		 pending;	/* a worse level waiting out `for` */
	time_t			 pending_since;
	char			*error;		/* why the value is unknown */
	char			*note;		/* partial data, unpriced models */
	double			 warn, crit;	/* thresholds in force (forecast: from the budget) */
	long			 bucket_s;	/* seconds a history point covers */
	double			 bucket_sum[KPI_HISTORY];
	int			 bucket_n[KPI_HISTORY];
	long			 bucket_index[KPI_HISTORY];	/* time / bucket_s */
};

/* Starts a KPI whose history covers KPI_HISTORY buckets of bucket_s seconds. */
void		 kpi_init(struct kpi *, const struct kpi_def *, long bucket_s, time_t now);
void		 kpi_clear(struct kpi *);
/* Takes a new measurement (NAN: unknown, with a reason). Returns 1 if the level changed. */
int		 kpi_update(struct kpi *, double value, const char *error, time_t now);
/* The level a value reaches given the current level (hysteresis keeps it from flapping). */
enum kpi_level	 kpi_level_for(const struct kpi *, double value);
/* Adds a sample to the history without touching the state (history fill at start). */
void		 kpi_history_add(struct kpi *, double value, time_t when);
const char	*kpi_level_name(enum kpi_level);
/* The KPI as JSON for snapshots; history as the last KPI_HISTORY buckets (null: no data). */
cJSON		*kpi_json(const struct kpi *, time_t now);

#endif
