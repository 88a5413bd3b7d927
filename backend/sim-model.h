/* SPDX-License-Identifier: ISC */
/*
 * The simulated assistant's traffic model: profiles, seeded sampling, counters and their
 * Prometheus text. Pure and single-threaded; the caller serialises access.
 */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* How a request ended; every value but SIM_OK is an error_type label. */
enum sim_error {
	SIM_OK,
	SIM_ERR_429,
	SIM_ERR_500,
	SIM_ERR_503,
	SIM_ERR_TIMEOUT,
	SIM_NERRORS
};

/*
 * How /metrics spells the GenAI metrics: the same counters as the OpenTelemetry Collector's
 * Prometheus exporter writes them, as the OpenTelemetry JS SDK's exporter does for the
 * openai instrumentation, or with the dotted names Prometheus 3 keeps in UTF-8.
 */
enum sim_dialect {
	SIM_DIALECT_COLLECTOR,
	SIM_DIALECT_SDK,
	SIM_DIALECT_UTF8,
	SIM_NDIALECTS
};

/* One request, drawn from the active profile or filled in by a real call. */
struct sim_request {
	const char	*request_model;		/* borrowed: profile table or caller */
	const char	*response_model;	/* borrowed: profile table or caller */
	double		 duration;		/* seconds */
	enum sim_error	 error;
	unsigned long	 input_tokens;		/* recorded only when error is SIM_OK */
	unsigned long	 output_tokens;
	int		 feedback;		/* 1 positive, -1 negative, 0 none */
	int		 canary;		/* drawn for the canary: counts under its label */
	const char	*system;		/* borrowed until the lock is let go: the
						   canary's system prompt; NULL: the release's */
};

struct sim_model;

/* Number of profiles; names by index from 0. */
size_t		 sim_profile_count(void);
/* Name of profile i. */
const char	*sim_profile_name(size_t);
/* One line of help for profile i. */
const char	*sim_profile_help(size_t);
/* Index of a profile by name, or -1. */
int		 sim_profile_find(const char *);
/* "normal, peak, ..." for messages; the caller frees it. */
char		*sim_profile_list(void);
/* The error_type label of an error ("429", "timeout"), NULL for SIM_OK. */
const char	*sim_error_name(enum sim_error);

/* Name of a dialect ("collector"), NULL past the end. */
const char	*sim_dialect_name(enum sim_dialect);
/* One line of help for a dialect. */
const char	*sim_dialect_help(enum sim_dialect);
/* A dialect by name, or -1. */
int		 sim_dialect_find(const char *);
/* "collector, sdk, utf8" for messages; the caller frees it. */
char		*sim_dialect_list(void);
/* The Content-Type of /metrics in a dialect. */
const char	*sim_dialect_content_type(enum sim_dialect);
/* The error_type label value of an error in a dialect, NULL for SIM_OK. */
const char	*sim_dialect_error_name(enum sim_dialect, enum sim_error);

/* A model with all counters zero in profile "normal". */
struct sim_model *sim_model_create(uint64_t seed);
/* Frees a model. */
void		 sim_model_free(struct sim_model *);
/* Switches the active profile; counters stay. */
int		 sim_model_set_profile(struct sim_model *, const char *, char **);
/* Name of the active profile. */
const char	*sim_model_profile(const struct sim_model *);
/* Next 64 random bits of the model's generator. */
uint64_t	 sim_model_random(struct sim_model *);
/* Serves a prompt release from now on: new counts carry the label leitstand_prompt_release
   with its value ("3", "unreleased"); model is the pinned one (NULL: the profile's mix), the
   system prompt and max_tokens (<= 0: none) shape tokens and feedback. Counters stay. */
void		 sim_model_set_release(struct sim_model *, const char *release, const char *model,
		    const char *system, long max_tokens);
/* Serves a canary (release: its label value) to weight percent of the requests drawn from
   now on, with its pinned model, system prompt and max_tokens; release NULL or weight 0
   stops it. */
void		 sim_model_set_canary(struct sim_model *, const char *release, int weight,
		    const char *model, const char *system, long max_tokens);
/* The release a drawn request counts under (borrowed): its canary's or the release's. */
const char	*sim_model_request_release(const struct sim_model *, const struct sim_request *);
/* The release served (borrowed), NULL without releases. */
const char	*sim_model_release(const struct sim_model *);
/* Draws one request; model NULL picks the release's pinned model, else one from the profile's
   mix. Under a release the model's characteristics apply (see the README). */
void		 sim_model_draw(struct sim_model *, const char *, struct sim_request *);
/* The model that answers a request for the given one in the active profile (borrowed). */
const char	*sim_model_response_model(const struct sim_model *, const char *);
/* Adds one request to the counters. */
void		 sim_model_record(struct sim_model *, const struct sim_request *);
/* Called by sim_model_record for each request rated negative (NULL: none). */
typedef void	(*sim_negative_cb)(void *, const struct sim_model *, const struct sim_request *);
void		 sim_model_on_negative(struct sim_model *, sim_negative_cb, void *);
/* Background traffic for a time step: draws and records requests; returns how many. */
unsigned long	 sim_model_tick(struct sim_model *, double seconds, double scale);
/* A Poisson-distributed count with the given mean. */
unsigned long	 sim_model_poisson(struct sim_model *, double);
/* The counters in Prometheus text exposition format 0.0.4, collector dialect; the caller
   frees it. */
char		*sim_model_metrics(const struct sim_model *);
/* The counters in the text format of a dialect; the caller frees it. */
char		*sim_model_metrics_dialect(const struct sim_model *, enum sim_dialect);
/* Profile and counter totals as a JSON object; the caller deletes it. */
cJSON		*sim_model_status(const struct sim_model *);
/* The support bot's answer to a question under a system prompt from a model (NULL: any) in
   the active profile; the caller frees it. */
char		*sim_model_answer(const struct sim_model *, const char *model, const char *system,
		    const char *);
struct buf;
/* Appends a label value escaped for the exposition format (invalid UTF-8 as U+FFFD). */
void		 sim_model_label_value(struct buf *, const char *);
/* Approximate token count of a text (four bytes a token, at least one). */
unsigned long	 sim_token_count(const char *);

#endif
