/* SPDX-License-Identifier: ISC */
/*
 * Parser for the reply of Alertmanager's GET /api/v2/alerts: a JSON array of
 * gettableAlert objects. No I/O: the caller fetches.
 *
 * Strings are stored as received (not sanitised): pass them through
 * sanitize() before they reach the screen or a log line. Only the
 * fingerprint is checked (hex digits), so it is safe as a key.
 */
#ifndef AM_H
#define AM_H

#include <stddef.h>

struct am_alert {
	char	 *fingerprint;	/* 1 to 64 hex digits */
	char	**labels;	/* name, value pairs, sorted by name */
	size_t	  nlabels;	/* number of pairs */
	char	**annotations;	/* name, value pairs, sorted by name */
	size_t	  nannotations;	/* number of pairs */
	double	  starts_at;	/* unix seconds */
	double	  ends_at;	/* unix seconds; 0 when absent */
	double	  updated_at;	/* unix seconds; 0 when absent */
	char	 *state;	/* active, suppressed, unprocessed (or newer, as sent) */
	char	 *generator_url;	/* may be NULL */
};

struct am_alerts {
	struct am_alert	*v;	/* NULL when n is 0 */
	size_t		 n;
};

/* Parses a reply body; returns 0, or -1 with *cause (short, escaped, naming the
   path of what is wrong, e.g. "[3].labels: not an object") and *alerts zeroed. */
int		 am_parse(const char *body, size_t len, struct am_alerts *alerts,
		     char **cause);
/* Frees everything a list holds and zeroes it; safe on a zeroed list. */
void		 am_alerts_free(struct am_alerts *);
/* Returns the value of a label of an alert, or NULL. */
const char	*am_label(const struct am_alert *, const char *name);
/* Returns the value of an annotation of an alert, or NULL. */
const char	*am_annotation(const struct am_alert *, const char *name);
/* Parses an RFC 3339 date-time ("2026-11-23T21:08:18.123Z", "...+01:00") into unix
   seconds; year 0001 (Go's zero time) gives 0. Returns 0, or -1 leaving *t alone. */
int		 am_time(const char *, double *t);
/* Returns a new string keying the group an alert belongs to: the values of the given
   label names in order ("alertname=X,service=Y"); a missing label gives an empty
   value; a backslash, comma or equals sign in a value gets a backslash before it. */
char		*am_group_key(const struct am_alert *, const char *const *labels,
		     size_t n);

#endif
