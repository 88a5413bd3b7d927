/* SPDX-License-Identifier: ISC */
/*
 * The sparklines across a daemon restart: each KPI's history buckets are kept in the store
 * when the poller stops and put back when the next one starts. Query KPIs also refill from
 * Prometheus; the cost KPIs (computed here, not queried) have only this.
 */
#ifndef KPI_HISTORY_H
#define KPI_HISTORY_H

#include <sqlite3.h>

#include <stddef.h>
#include <time.h>

struct kpi;

/* Replaces the kept history with the buckets of these KPIs; -1 with *cause on error. */
int	kpi_history_keep(sqlite3 *, const struct kpi *, size_t n, char **cause);
/* Puts back the kept buckets still inside each KPI's window at now, where the bucket size
   is unchanged. */
void	kpi_history_restore(sqlite3 *, struct kpi *, size_t n, time_t now);

#endif
