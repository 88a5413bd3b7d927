/* SPDX-License-Identifier: ISC */
/*
 * The KPI poller: once per interval it queries every KPI in parallel (one set of requests for
 * all consoles), computes the cost KPIs, updates states and publishes one snapshot.
 */
#ifndef POLLER_H
#define POLLER_H

#include <cjson/cJSON.h>

#include "backend/metrics.h"

struct config;
struct loop;
struct poller;

/* Gets every event the poller publishes: "kpi" snapshots and "kpi.state" changes. */
typedef void (*poller_event_cb)(void *arg, cJSON *event);
/* Gets the reply to poller_range: points [[t, v], ...] or an error. */
typedef void (*poller_range_cb)(void *arg, cJSON *points, const char *error);

struct poller	*poller_create(struct loop *, const struct config *, poller_event_cb, void *);
void		 poller_free(struct poller *);
/* The current snapshot, as the "kpi" event carries it (without "event"). */
cJSON		*poller_snapshot(struct poller *);
/* A range query of one KPI over the last seconds, about width points, for the detail view.
   Returns -1 with *cause at once if the KPI is unknown or has no query. */
int		 poller_range(struct poller *, const char *name, long seconds, int width,
		     poller_range_cb, void *, char **cause);
/* Gets the value of poller_instant: NAN with error, or the value. */
typedef void (*poller_value_cb)(void *arg, double value, const char *error);
/* One instant query for a client (a playbook's live check); the callback runs
   later from the loop, or at once when there is no metrics source. */
void		 poller_instant(struct poller *, const char *promql, poller_value_cb, void *);
/* Gets the doctor's report (a JSON object the callee owns), or NULL when shutting down. */
typedef void (*poller_doctor_cb)(void *arg, cJSON *report);
/* Why each KPI shows what it shows: the dialect, the queries in force, the series of their
   metrics (one count query) and advice for the blank ones. The callback may run at once. */
void		 poller_doctor(struct poller *, poller_doctor_cb, void *);
/* Expands ${placeholders} for the dialect in force: a new string, or NULL with *cause. */
char		*poller_expand(struct poller *, const char *, char **cause);
/* An instant query at a unix time (0: now) for a client; -1 with *cause when
   there is no source (the callback then never runs). */
int		 poller_query_at(struct poller *, const char *, double at, metrics_cb, void *,
		     char **cause);
/* A label placeholder ("${response_model}") as the source in force spells it, without the
   quotes of a dotted one (a new string). */
char		*poller_label(struct poller *, const char *placeholder);
/* Money of a token vector, priced by the configured model and type labels. */
double		 poller_cost(struct poller *, const struct prom_response *, char **note);
/* The query of tokens by model and type over a window, for series with these matchers
   (PromQL, may hold placeholders), in the dialect in force. */
char		*poller_tokens_by_model(struct poller *, const char *matchers, const char *window);
/*
 * What clients ask for (poller_range, poller_instant, poller_doctor, poller_query_at) goes
 * through a client of its own: a few queries at a time, on their own connections, while the
 * polls keep theirs. 1 with *cause when its queue is full: the op answers busy.
 */
int		 poller_busy(struct poller *, char **cause);
/* The KPIs the poller keeps, n of them. */
struct kpi	*poller_kpis(struct poller *, size_t *n);
/* Requests sent to Prometheus so far. */
unsigned long	 poller_requests(const struct poller *);

#endif
