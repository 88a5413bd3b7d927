/* SPDX-License-Identifier: ISC */
/*
 * The Prometheus HTTP API client: instant and range queries over libcurl's multi interface,
 * driven by the daemon's event loop, so any number of queries run in parallel and nothing
 * blocks. Every failure becomes a precise, printable reason.
 */
#ifndef METRICS_H
#define METRICS_H

#include "backend/prom.h"

struct config;
struct loop;
struct metrics;

enum metrics_status {
	METRICS_OK,		/* resp holds the reply (it may carry warnings) */
	METRICS_UNREACHABLE,	/* connection refused, DNS, TLS, reset */
	METRICS_TIMEOUT,
	METRICS_HTTP,		/* an HTTP error that is not a Prometheus reply (proxy 502...) */
	METRICS_INVALID,	/* a 2xx reply that is not a valid Prometheus response */
	METRICS_QUERY,		/* Prometheus answered with status "error" */
};

struct metrics_result {
	enum metrics_status	 status;
	char			*error;		/* printable reason unless METRICS_OK */
	long			 http_status;
	double			 seconds;	/* how long the request took */
	struct prom_response	 resp;
};

typedef void (*metrics_cb)(void *arg, struct metrics_result *);

/* A client for cfg->prom_url; cfg must outlive it. NULL with *cause if libcurl is missing.
   At most max_running requests are in flight (0: any number); more wait their turn, in
   order, before their timeout starts. */
struct metrics	*metrics_create(struct loop *, const struct config *, int max_running,
		     int max_waiting, char **);
/* Whether max_waiting requests wait already: 1 with *cause, else 0. A request made anyway
   still waits its turn (an op's few queries stay together). */
int		 metrics_full(const struct metrics *, char **cause);
/* Cancels every query in flight (their callbacks get METRICS_UNREACHABLE, "cancelled")
   and frees the client. */
void		 metrics_free(struct metrics *);
/* An instant query evaluated now. The callback runs later, from the loop, exactly once. */
void		 metrics_query(struct metrics *, const char *promql, metrics_cb, void *);
/* An instant query evaluated at a unix time (0: now). */
void		 metrics_query_at(struct metrics *, const char *promql, double at, metrics_cb,
		     void *);
/* A range query over [start, end] every step seconds. */
void		 metrics_query_range(struct metrics *, const char *promql, double start,
		     double end, double step, metrics_cb, void *);
/* A GET of another API path ("api/v1/labels") with name, value, ..., NULL parameters (the
   label look-ups: some of them take no POST). */
void		 metrics_get(struct metrics *, const char *path, const char *const *params,
		     metrics_cb, void *);
/* Number of requests sent since the client was created (for the benchmark). */
unsigned long	 metrics_requests(const struct metrics *);
const char	*metrics_status_name(enum metrics_status);

#endif
