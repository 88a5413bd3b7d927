/* SPDX-License-Identifier: ISC */
/*
 * Parser for the JSON bodies of the Prometheus HTTP API query endpoints
 * (/api/v1/query and /api/v1/query_range) and of the label look-ups (/api/v1/labels,
 * /api/v1/label/NAME/values). No I/O: the caller fetches.
 *
 * Strings are stored as received (not sanitised): pass them through
 * sanitize() before they reach the screen or a log line.
 */
#ifndef PROM_H
#define PROM_H

#include <stddef.h>

/* PROM_LIST: the string array of the label-name and label-value endpoints. */
enum prom_type { PROM_VECTOR, PROM_MATRIX, PROM_SCALAR, PROM_STRING, PROM_LIST };

/* A list reply keeps this many strings; the rest are only counted. */
#define PROM_MAX_VALUES	1000

struct prom_sample {
	double	t;	/* unix seconds */
	double	v;	/* NaN, +Inf, -Inf allowed */
};

struct prom_series {
	char			**labels;	/* name, value, ...; sorted by name, no duplicates */
	size_t			  nlabels;	/* number of pairs */
	struct prom_sample	 *samples;	/* vector/scalar/string: one; matrix: in time order */
	size_t			  nsamples;
};

struct prom_response {
	int			  ok;		/* status == "success" */
	enum prom_type		  type;
	struct prom_series	 *series;
	size_t			  nseries;
	char			 *error_type;	/* errorType when !ok (e.g. "bad_data"), else NULL */
	char			 *error;	/* error text when !ok, else NULL */
	char			**warnings;	/* "warnings" array (200 replies with partial data) */
	size_t			  nwarnings;
	char			**values;	/* PROM_LIST: the strings, at most PROM_MAX_VALUES */
	size_t			  nvalues;
	size_t			  nvalues_total;	/* how many the reply had */
};

/* Parses a response body. Returns 0 with *r filled (r->ok may be 0 for status "error"),
   or -1 with *cause (and *r zeroed) when the body is not a usable API response. */
int		 prom_parse(const char *body, size_t len, struct prom_response *r, char **cause);
/* Frees everything a response holds and zeroes it; safe on a zeroed response. */
void		 prom_response_free(struct prom_response *);
/* Returns the value of a label of a series, or NULL. */
const char	*prom_label(const struct prom_series *, const char *name);
/* Parses a sample value as Prometheus writes it: a decimal or exponent number, "NaN",
   "+Inf", "-Inf" or "Inf". Returns 0, or -1 for anything else. */
int		 prom_value(const char *, double *);

#endif
