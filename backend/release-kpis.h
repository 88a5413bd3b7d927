/* SPDX-License-Identifier: ISC */
/*
 * The KPIs of the live prompt release next to those of the release before it, from the
 * metrics a deployment labels with the release it served ([prompts] release_label): requests,
 * error rate, latency p95, positive feedback and cost per request, each release over its own
 * time live (at most the last hour of it).
 */
#ifndef RELEASE_KPIS_H
#define RELEASE_KPIS_H

#include <cjson/cJSON.h>

struct poller;

/* Gets the two releases' figures: {"label", "live": {...}, "previous": {...}} (owned by the
   callee), or NULL with an error. */
typedef void (*release_kpis_cb)(void *arg, cJSON *figures, const char *error);

/* Starts the queries for release rows as the store returns them (assistant, n, created_at);
   previous may be NULL. The callback runs later, from the loop, or at once on an error. */
void	release_kpis(struct poller *, const char *label, const cJSON *live,
	    const cJSON *previous, release_kpis_cb, void *);

#endif
