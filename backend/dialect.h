/* SPDX-License-Identifier: ISC */
/*
 * Metric dialects: the spellings under which a metrics source holds the OpenTelemetry GenAI
 * metrics (unit suffix or not, dotted UTF-8 names or underscores), and the expansion of
 * queries written with ${placeholders} for the dialect found. No I/O: discover.c asks the
 * source, this file decides.
 */
#ifndef DIALECT_H
#define DIALECT_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct config;

/* The spellings known. */
enum dialect_kind {
	DIALECT_COLLECTOR,	/* OpenTelemetry Collector: gen_ai_..._duration_seconds */
	DIALECT_SDK,		/* SDK Prometheus exporters: gen_ai_..._duration, no unit */
	DIALECT_UTF8,		/* UTF-8 names with the unit: gen_ai.client.operation.duration_seconds */
	DIALECT_UTF8_BARE,	/* UTF-8 names as OpenTelemetry spells them, no unit */
	DIALECT_COUNT
};

/* What a source's error_type value means for the KPIs. */
enum error_class {
	ERROR_RATE_LIMITED,
	ERROR_SERVER,		/* 5xx, timeouts, connection failures: unavailability */
	ERROR_CLIENT,		/* bad requests, auth */
	ERROR_OTHER,		/* in no class of [errors] */
	ERROR_CLASS_COUNT
};

struct dialect {
	enum dialect_kind	 kind;
	/* Label names in force, as the source spells them (a label list found can differ
	   from the kind's, e.g. a relabelled source). */
	char			*label_error;
	char			*label_request_model;
	char			*label_response_model;
	char			*label_token_type;
};

/* Name of a kind ("collector"), and a kind by name (-1 if unknown). */
const char	*dialect_kind_name(enum dialect_kind);
int		 dialect_kind_find(const char *);
const char	*error_class_name(enum error_class);

/* Sets a dialect to a kind with that kind's label names. */
void		 dialect_set(struct dialect *, enum dialect_kind);
void		 dialect_clear(struct dialect *);
void		 dialect_copy(struct dialect *, const struct dialect *);
/* Whether names and labels are dotted (quoted selectors). */
int		 dialect_dotted(const struct dialect *);

/* The metric name of the operation-duration histogram's series ("_count", "_bucket", "_sum"),
   or the token-usage histogram's, in a kind; a new string. */
char		*dialect_ops_name(enum dialect_kind, const char *suffix);
char		*dialect_tokens_name(enum dialect_kind, const char *suffix);
/* The kind whose operation-duration _count series this is, or -1: an exact match, so
   names that only look alike (a _created series, a milliseconds unit) are not taken. */
int		 dialect_kind_of(const char *name);
/* The regular expression of __name__ that finds every candidate of every kind. */
const char	*dialect_names_regex(void);

/* The class of an error_type value by the [errors] table (checked in class order). */
enum error_class dialect_classify(const struct config *, const char *value);

/*
 * Expands ${placeholders} in a query for a dialect; NULL with *cause for an unknown one.
 * Metric names (${ops_count}, ${ops_bucket}, ${ops_sum}, ${tokens_sum}, ${tokens_count},
 * ${tokens_bucket}) become selectors, merged with a following {matchers} when dotted; label
 * names (${error_type}, ${request_model}, ${response_model}, ${token_type}) become names,
 * quoted when dotted outside a string; ${rate_limited}, ${server_error}, ${client_error}
 * become regular expressions of the [errors] classes. Anything else (label_replace's "$1",
 * "${1}") stays as written; a query without placeholders comes back unchanged.
 */
char		*dialect_expand(const struct dialect *, const struct config *, const char *,
		     char **cause);
/* Why a query's placeholders cannot be expanded (an unknown name), a new string; or NULL. */
char		*dialect_check(const char *);
/* Whether a query has a placeholder to expand. */
int		 dialect_templated(const char *);
/* The metric names a PromQL query selects (plain identifiers and quoted names in braces),
   each once, at most max; returns how many were stored in names (new strings). */
size_t		 dialect_metric_names(const char *query, char **names, size_t max);
/* The label names of a dialect as JSON {"error_type": "...", ...}. */
cJSON		*dialect_labels_json(const struct dialect *);

#endif
