/* SPDX-License-Identifier: ISC */
/*
 * Discovery of a metrics source's dialect through its HTTP API: which GenAI metric names it
 * holds (label-value look-ups, or a query when a source refuses them), which wins when there
 * are several, the label names, and the error_type values that occur. Bounded: a handful of
 * requests, each limited to the last hour and to PROM_MAX_VALUES strings.
 */
#ifndef DISCOVER_H
#define DISCOVER_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backend/dialect.h"

struct config;
struct metrics;

struct discovered_error {
	char			*value;
	enum error_class	 class;
};

struct discovery {
	int			 found;		/* GenAI metrics were found */
	struct dialect		 dialect;	/* found, else the fallback */
	time_t			 at;
	long long		 ms;		/* how long the look-up took */
	char			*how;		/* how the names were found, or why not */
	char			*why;		/* which spelling won and why, when several */
	char			*error;		/* the source failed: nothing was learnt */
	char			**names;	/* GenAI metric names the source holds */
	size_t			 nnames;
	struct discovered_error	*errors;	/* error_type values seen */
	size_t			 nerrors;
	size_t			 nerrors_total;
};

typedef void (*discover_cb)(void *arg, struct discovery *);

/* Starts a discovery; the callback gets the result (its own) later, from the loop, exactly
   once. fallback is the dialect assumed when nothing is found. */
void	discover_start(struct metrics *, const struct config *, const struct dialect *fallback,
	    discover_cb, void *);
void	discovery_free(struct discovery *);
/* The result as JSON for kpi.doctor. */
cJSON	*discovery_json(const struct discovery *);

#endif
