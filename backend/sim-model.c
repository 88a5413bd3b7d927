/* SPDX-License-Identifier: ISC */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/buf.h"
#include "backend/sim-model.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define MODEL_SMALL	"gpt-4o-mini-2024-07-18"
#define MODEL_BIG	"gpt-4o-2024-08-06"
#define MODEL_BIG_NEW	"gpt-4o-2024-11-20"	/* the snapshot of the regression */
#define MODEL_BIG_OLD	"gpt-4o-2024-05-13"	/* worse when a release pins it */
#define MODEL_OTHER	"other"			/* every model beyond MAX_SERIES */
#define RELEASE_LABEL	"leitstand_prompt_release"

#define MAX_SERIES	64	/* request/response model pairs; bounds the labels */
#define NBUCKETS	15	/* per histogram, +Inf included */
#define FEEDBACK_SHARE	0.1	/* of all requests, users rate one in ten */
#define FAILED_POSITIVE	0.15	/* positive share of feedback after an error */
#define INPUT_BASE	440	/* input tokens of a request besides the system prompt */
#define EMPTY_PROMPT	0.55	/* positive share factor: no system prompt at all */
#define JSON_PROMPT	0.65	/* positive share factor: a support bot told to answer JSON */
#define MAX_TERMS	5
#define MAX_TERM_LEN	40

#define LN2		0.69314718055994530942
#define SQRT2		1.41421356237309504880
#define Z95		1.64485362695147	/* the standard normal's 95th percentile */

/* A traffic profile: the knobs an operator switches between in the demo. */
static const struct sim_profile {
	const char	*name;
	const char	*help;
	double		 rate;			/* requests per second */
	double		 p50, p95;		/* latency of answered requests, seconds */
	double		 err[SIM_NERRORS];	/* share of each error; [SIM_OK] unused */
	double		 positive;		/* positive share of feedback on answers */
	double		 big;			/* share of requests to the big model */
	double		 out_factor;		/* output tokens multiplier */
	int		 regression;		/* newer snapshot, worse answers */
} profiles[] = {
	{ "normal", "a quiet day: 5 req/s, p95 2 s, 0.7 % errors",
	  5, 0.9, 2.0, { 0, 0.002, 0.003, 0.002, 0 }, 0.85, 0.30, 1, 0 },
	{ "peak", "busy hour: 20 req/s, p95 4 s, 1 % errors",
	  20, 1.5, 4.0, { 0, 0.004, 0.003, 0.002, 0.001 }, 0.82, 0.30, 1, 0 },
	{ "storm", "rate-limit storm: 30 % of requests get HTTP 429",
	  8, 0.9, 2.0, { 0, 0.30, 0.003, 0.002, 0 }, 0.75, 0.30, 1, 0 },
	{ "outage", "provider outage: 60 % fail with 500, 503 or a 30 s timeout",
	  5, 1.2, 3.0, { 0, 0, 0.25, 0.25, 0.10 }, 0.80, 0.30, 1, 0 },
	{ "regression", "model regression: new snapshot, worse answers, 40 % positive feedback",
	  5, 0.9, 2.0, { 0, 0.002, 0.003, 0.002, 0 }, 0.40, 0.30, 1, 1 },
	{ "cost", "cost spike: 80 % to gpt-4o, five times the output tokens",
	  5, 1.8, 4.5, { 0, 0.002, 0.003, 0.002, 0 }, 0.85, 0.80, 5, 0 },
};
#define NPROFILES (sizeof profiles / sizeof profiles[0])

/*
 * What a model does to the traffic of a prompt release (sim serve --prompts), on top of the
 * profile: the profile is what the world does, the release is what we deploy. Without a
 * release every model behaves alike, as before there were releases. gpt-4o-2024-05-13 is
 * the snapshot the sim treats as a regression when a release pins it.
 */
static const struct sim_model_spec {
	const char	*name;		/* an id, or a prefix ending in '*' */
	const char	*snapshot;	/* what answers an alias; NULL: the id itself */
	double		 latency;	/* factor on the profile's p50 and p95 */
	double		 errors;	/* factor on the profile's error shares */
	double		 extra_500;	/* share of HTTP 500 on top */
	double		 positive;	/* factor on the profile's positive feedback share */
	double		 output;	/* factor on output tokens */
	int		 degraded;	/* answers like the regression, about half of them */
} model_specs[] = {
	{ "gpt-4o", MODEL_BIG, 1, 1, 0, 1, 1, 0 },
	{ MODEL_BIG, NULL, 1, 1, 0, 1, 1, 0 },
	{ MODEL_BIG_NEW, NULL, 1, 1, 0, 1, 1, 0 },
	{ MODEL_BIG_OLD, NULL, 1.4, 1.5, 0.03, 0.5, 1.3, 1 },
	{ "gpt-4o-mini", MODEL_SMALL, 0.55, 1, 0, 0.95, 0.85, 0 },
	{ "gpt-4o-mini-*", NULL, 0.55, 1, 0, 0.95, 0.85, 0 },
};
/* Every other model, and every model without a release. */
static const struct sim_model_spec model_default = { NULL, NULL, 1, 1, 0, 1, 1, 0 };

/* Bucket bounds the OpenTelemetry GenAI semantic conventions recommend. */
static const double duration_bounds[NBUCKETS - 1] = {
	0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
};
static const char *const duration_le[NBUCKETS] = {
	"0.01", "0.02", "0.04", "0.08", "0.16", "0.32", "0.64", "1.28", "2.56", "5.12",
	"10.24", "20.48", "40.96", "81.92", "+Inf"
};
static const double token_bounds[NBUCKETS - 1] = {
	1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216,
	67108864
};
static const char *const token_le[NBUCKETS] = {
	"1", "4", "16", "64", "256", "1024", "4096", "16384", "65536", "262144", "1048576",
	"4194304", "16777216", "67108864", "+Inf"
};

static const char *const error_names[SIM_NERRORS] = {
	NULL, "429", "500", "503", "timeout"
};

struct sim_hist {
	uint64_t	 bucket[NBUCKETS];	/* not cumulative; rendering adds up */
	double		 sum;
	uint64_t	 count;
};

struct sim_series {
	char		*release;		/* label value; NULL without releases */
	char		*request_model;
	char		*response_model;
	struct sim_hist	 duration[SIM_NERRORS];
	struct sim_hist	 tokens[2];		/* input, output */
};

/* The feedback counter of one release (NULL without releases). */
struct sim_feedback {
	char		*release;
	uint64_t	 positive;
	uint64_t	 negative;
};

struct sim_model;
static struct sim_feedback *feedback_find(struct sim_model *, const char *);

struct sim_model {
	uint64_t	 state;
	size_t		 profile;
	struct sim_series *series;
	size_t		 nseries;
	struct sim_feedback *feedback;
	size_t		 nfeedback;

	/* The prompt release served; release NULL: none (no --prompts). */
	char		*release;
	char		*release_model;		/* pinned; NULL: the profile's mix */
	unsigned long	 system_tokens;
	long		 max_tokens;		/* <= 0: no limit */
	double		 prompt_quality;	/* factor on the positive share */

	/* A canary served to weight percent of the requests; weight 0: none. */
	int		 canary_weight;
	char		*canary;		/* its release label value */
	char		*canary_model;
	char		*canary_system;
	unsigned long	 canary_system_tokens;
	long		 canary_max_tokens;
	double		 canary_quality;
	sim_negative_cb	 on_negative;		/* the feedback feed's (sim-feedback.c) */
	void		*on_negative_arg;
};

/*
 * exp, log and sqrt of our own: the build links no libm, and the same seed gives the same
 * numbers on every libc.
 */
static double
sim_exp(double x)
{
	double	r, term, sum, scale = 1;
	int	k, i;

	if (x < -700)
		return 0;
	if (x > 700)
		x = 700;
	k = (int)(x / LN2 + (x < 0 ? -0.5 : 0.5));
	r = x - k * LN2;
	sum = term = 1;
	for (i = 1; i < 20; i++) {
		term *= r / i;
		sum += term;
	}
	for (; k > 0; k--)
		scale *= 2;
	for (; k < 0; k++)
		scale /= 2;
	return sum * scale;
}

static double
sim_log(double x)
{
	double	z, z2, term, sum = 0;
	int	k = 0, i;

	if (x <= 0)
		return -745;
	while (x >= 2) {
		x /= 2;
		k++;
	}
	while (x < 1) {
		x *= 2;
		k--;
	}
	if (x > SQRT2) {
		x /= 2;
		k++;
	}
	/* ln x = 2 atanh(z) with |z| < 0.18 */
	z = (x - 1) / (x + 1);
	z2 = z * z;
	term = z;
	for (i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return 2 * sum + k * LN2;
}

static double
sim_sqrt(double x)
{
	double	g, n;
	int	i;

	if (x <= 0)
		return 0;
	g = x > 1 ? x : 1;
	for (i = 0; i < 200; i++) {
		n = 0.5 * (g + x / g);
		if (n >= g)
			break;
		g = n;
	}
	return g;
}

/* splitmix64: small, fast, and good enough for traffic. */
uint64_t
sim_model_random(struct sim_model *m)
{
	uint64_t z;

	z = (m->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
uniform(struct sim_model *m)
{
	return (double)(sim_model_random(m) >> 11) * 0x1.0p-53;
}

/* Standard normal, Marsaglia's polar method. */
static double
normal(struct sim_model *m)
{
	double u, v, s;

	do {
		u = 2 * uniform(m) - 1;
		v = 2 * uniform(m) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	return u * sim_sqrt(-2 * sim_log(s) / s);
}

/* Log-normal with the given median and 95th percentile. */
static double
lognormal(struct sim_model *m, double p50, double p95)
{
	double mu = sim_log(p50), sigma = (sim_log(p95) - mu) / Z95;

	return sim_exp(mu + sigma * normal(m));
}

static unsigned long
tokens(struct sim_model *m, double median, double sigma)
{
	double t = sim_exp(sim_log(median) + sigma * normal(m));

	return t < 1 ? 1 : (unsigned long)(t + 0.5);
}

/* A Poisson count: Knuth's method for small means, a normal approximation above 30. */
unsigned long
sim_model_poisson(struct sim_model *m, double mean)
{
	double limit, p, x;
	unsigned long k = 0;

	if (!(mean > 0))
		return 0;
	if (mean > 1e6)
		mean = 1e6;
	if (mean >= 30) {
		x = mean + sim_sqrt(mean) * normal(m) + 0.5;
		return x < 0 ? 0 : (unsigned long)x;
	}
	limit = sim_exp(-mean);
	p = uniform(m);
	while (p > limit) {
		k++;
		p *= uniform(m);
	}
	return k;
}

/* Number of profiles. */
size_t
sim_profile_count(void)
{
	return NPROFILES;
}

/* Name of profile i, NULL past the end. */
const char *
sim_profile_name(size_t i)
{
	return i < NPROFILES ? profiles[i].name : NULL;
}

/* One line of help for profile i. */
const char *
sim_profile_help(size_t i)
{
	return i < NPROFILES ? profiles[i].help : NULL;
}

/* Index of a profile by name, or -1. */
int
sim_profile_find(const char *name)
{
	size_t i;

	for (i = 0; i < NPROFILES; i++) {
		if (strcmp(profiles[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* "normal, peak, ..."; the caller frees it. */
char *
sim_profile_list(void)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < NPROFILES; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", profiles[i].name);
	return buf_take(&b);
}

/* The error_type label of an error, NULL for SIM_OK. */
const char *
sim_error_name(enum sim_error e)
{
	return (unsigned)e < SIM_NERRORS ? error_names[e] : NULL;
}

/* A model in profile "normal" with all counters zero. */
struct sim_model *
sim_model_create(uint64_t seed)
{
	struct sim_model *m;

	m = xcalloc(1, sizeof *m);
	m->state = seed;
	m->prompt_quality = 1;
	/* The counter is declared before any traffic: a scrape sees it at 0. */
	m->feedback = xcalloc(1, sizeof *m->feedback);
	m->nfeedback = 1;
	return m;
}

/* Frees a model and its series. */
void
sim_model_free(struct sim_model *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nseries; i++) {
		free(m->series[i].release);
		free(m->series[i].request_model);
		free(m->series[i].response_model);
	}
	free(m->series);
	free(m->canary);
	free(m->canary_model);
	free(m->canary_system);
	for (i = 0; i < m->nfeedback; i++)
		free(m->feedback[i].release);
	free(m->feedback);
	free(m->release);
	free(m->release_model);
	free(m);
}

/* Switches the active profile; counters stay. */
int
sim_model_set_profile(struct sim_model *m, const char *name, char **cause)
{
	char *list;
	int i;

	if ((i = sim_profile_find(name)) == -1) {
		list = sim_profile_list();
		*cause = xprintf("unknown profile \"%s\" (profiles: %s)", name, list);
		free(list);
		return -1;
	}
	m->profile = (size_t)i;
	return 0;
}

/* Name of the active profile. */
const char *
sim_model_profile(const struct sim_model *m)
{
	return profiles[m->profile].name;
}

/* The table's entry of a model: an exact id first, then the longest prefix. */
static const struct sim_model_spec *
spec_lookup(const char *model)
{
	const struct sim_model_spec *best = NULL;
	size_t i, n, best_len = 0;

	for (i = 0; i < sizeof model_specs / sizeof model_specs[0]; i++) {
		n = strlen(model_specs[i].name);
		if (model_specs[i].name[n - 1] != '*') {
			if (strcmp(model_specs[i].name, model) == 0)
				return &model_specs[i];
		} else if (strncmp(model_specs[i].name, model, n - 1) == 0 && n - 1 > best_len) {
			best = &model_specs[i];
			best_len = n - 1;
		}
	}
	return best != NULL ? best : &model_default;
}

/* How a model behaves here: as the table says under a release, else like every other. */
static const struct sim_model_spec *
model_spec(const struct sim_model *m, const char *model)
{
	return m->release != NULL ? spec_lookup(model) : &model_default;
}

/* The snapshot that answers a requested model: aliases resolve, the regression moves gpt-4o. */
const char *
sim_model_response_model(const struct sim_model *m, const char *model)
{
	const struct sim_model_spec *spec = spec_lookup(model);

	if (profiles[m->profile].regression &&
	    (strcmp(model, "gpt-4o") == 0 || strcmp(model, MODEL_BIG) == 0))
		return MODEL_BIG_NEW;
	return spec->snapshot != NULL ? spec->snapshot : model;
}

/* Whether a system prompt asks for JSON; defined with the answers below. */
static int	has_json(const char *);

/* How a system prompt moves the positive feedback share of a support bot. */
static double
prompt_quality(const char *system)
{
	const char *p;

	for (p = system; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
		;
	if (*p == '\0')
		return EMPTY_PROMPT;	/* no instructions: generic, off-brand answers */
	if (has_json(system))
		return JSON_PROMPT;	/* customers get JSON in a chat window */
	return 1;
}

/* Serves a prompt release from now on; counters stay, the new ones carry its label. */
void
sim_model_set_release(struct sim_model *m, const char *release, const char *model,
    const char *system, long max_tokens)
{
	free(m->release);
	free(m->release_model);
	m->release = xstrdup(release);
	m->release_model = model != NULL ? xstrdup(model) : NULL;
	m->system_tokens = system != NULL ? sim_token_count(system) : 0;
	m->max_tokens = max_tokens;
	m->prompt_quality = system != NULL ? prompt_quality(system) : 1;
	/* The unlabelled counter of before the first release goes: nothing was counted. */
	if (m->nfeedback == 1 && m->feedback[0].release == NULL &&
	    m->feedback[0].positive + m->feedback[0].negative == 0)
		m->feedback[0].release = xstrdup(release);
	else
		(void)feedback_find(m, release);
}

/* Serves a canary to weight percent of the requests, with its own label; weight 0 stops. */
void
sim_model_set_canary(struct sim_model *m, const char *release, int weight, const char *model,
    const char *system, long max_tokens)
{
	free(m->canary);
	free(m->canary_model);
	free(m->canary_system);
	m->canary = m->canary_model = m->canary_system = NULL;
	m->canary_weight = release != NULL && weight > 0 ? (weight > 100 ? 100 : weight) : 0;
	if (m->canary_weight == 0)
		return;
	m->canary = xstrdup(release);
	m->canary_model = model != NULL ? xstrdup(model) : NULL;
	m->canary_system = xstrdup(system != NULL ? system : "");
	m->canary_system_tokens = sim_token_count(m->canary_system);
	m->canary_max_tokens = max_tokens;
	m->canary_quality = prompt_quality(m->canary_system);
	(void)feedback_find(m, release);
}

/* The release a request counts under: the canary's when drawn for it (production's when
   that canary has gone since, for a request that slept), else the release served. */
const char *
sim_model_request_release(const struct sim_model *m, const struct sim_request *r)
{
	return r->canary && m->canary != NULL ? m->canary : m->release;
}

/* The release served: its label value, or NULL without releases. */
const char *
sim_model_release(const struct sim_model *m)
{
	return m->release;
}

/* Draws one request from the active profile: model, error, latency, tokens, feedback. */
void
sim_model_draw(struct sim_model *m, const char *model, struct sim_request *r)
{
	const struct sim_profile *p = &profiles[m->profile];
	const struct sim_model_spec *spec;
	double u, acc = 0, positive, in, quality = m->prompt_quality;
	unsigned long system_tokens = m->system_tokens;
	long max_tokens = m->max_tokens;
	const char *pinned = m->release_model;
	int e;

	memset(r, 0, sizeof *r);
	/* The canary's share of the conversations is served from it, as the contract says. */
	if (m->canary_weight > 0 && uniform(m) * 100 < m->canary_weight) {
		r->canary = 1;
		r->system = m->canary_system;
		pinned = m->canary_model;
		quality = m->canary_quality;
		system_tokens = m->canary_system_tokens;
		max_tokens = m->canary_max_tokens;
		if (model == NULL && pinned == NULL)
			model = MODEL_BIG;
	}
	if (model == NULL && pinned != NULL)
		model = pinned;
	else if (model == NULL)
		model = uniform(m) < p->big ? MODEL_BIG : MODEL_SMALL;
	r->request_model = model;
	r->response_model = sim_model_response_model(m, model);
	spec = model_spec(m, model);

	r->error = SIM_OK;
	u = uniform(m);
	for (e = SIM_OK + 1; e < SIM_NERRORS; e++) {
		acc += p->err[e] * spec->errors + (e == SIM_ERR_500 ? spec->extra_500 : 0);
		if (u < acc) {
			r->error = (enum sim_error)e;
			break;
		}
	}
	switch (r->error) {
	case SIM_OK:
		r->duration = lognormal(m, p->p50 * spec->latency, p->p95 * spec->latency);
		/* A release sends its system prompt with every request. */
		in = pinned != NULL ? INPUT_BASE + (double)system_tokens : 600;
		r->input_tokens = tokens(m, in, 0.35);
		r->output_tokens = tokens(m, 250 * p->out_factor * spec->output, 0.4);
		if (max_tokens > 0 && r->output_tokens > (unsigned long)max_tokens)
			r->output_tokens = (unsigned long)max_tokens;
		break;
	case SIM_ERR_429:
		r->duration = lognormal(m, 0.05, 0.15);
		break;
	case SIM_ERR_500:
		r->duration = lognormal(m, 0.4, 1.5);
		break;
	case SIM_ERR_503:
		r->duration = lognormal(m, 0.1, 0.3);
		break;
	default:
		r->duration = 30 + 0.2 * uniform(m);
		break;
	}

	if (uniform(m) < FEEDBACK_SHARE) {
		positive = r->error == SIM_OK ? p->positive * spec->positive * quality :
		    FAILED_POSITIVE;
		r->feedback = uniform(m) < positive ? 1 : -1;
	}
}

static void
hist_add(struct sim_hist *h, const double *bounds, double v)
{
	size_t i;

	for (i = 0; i < NBUCKETS - 1; i++) {
		if (v <= bounds[i])
			break;
	}
	h->bucket[i]++;
	h->sum += v;
	h->count++;
}

static int
same_release(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

static struct sim_series *
series_lookup(struct sim_model *m, const char *release, const char *request,
    const char *response)
{
	size_t i;

	for (i = 0; i < m->nseries; i++) {
		if (same_release(m->series[i].release, release) &&
		    strcmp(m->series[i].request_model, request) == 0 &&
		    strcmp(m->series[i].response_model, response) == 0)
			return &m->series[i];
	}
	return NULL;
}

/*
 * The series of a release's model pair; past MAX_SERIES - 1 pairs, new ones count as the
 * release's "other", and past twice that as "other" of every kind: the labels stay bounded.
 */
static struct sim_series *
series_find(struct sim_model *m, const char *release, const char *request,
    const char *response)
{
	struct sim_series *s;

	if ((s = series_lookup(m, release, request, response)) != NULL)
		return s;
	if (m->nseries >= MAX_SERIES - 1) {
		request = response = MODEL_OTHER;
		if (m->nseries >= 2 * MAX_SERIES - 1 && release != NULL)
			release = MODEL_OTHER;
		if ((s = series_lookup(m, release, request, response)) != NULL)
			return s;
	}
	m->series = xreallocarray(m->series, m->nseries + 1, sizeof *m->series);
	s = &m->series[m->nseries++];
	memset(s, 0, sizeof *s);
	s->release = release != NULL ? xstrdup(release) : NULL;
	s->request_model = xstrdup(request);
	s->response_model = xstrdup(response);
	return s;
}

/* The feedback counter of a release, bounded as the series are. */
static struct sim_feedback *
feedback_find(struct sim_model *m, const char *release)
{
	struct sim_feedback *f;
	size_t i;

	for (i = 0; i < m->nfeedback; i++) {
		if (same_release(m->feedback[i].release, release))
			return &m->feedback[i];
	}
	if (m->nfeedback >= MAX_SERIES - 1 && release != NULL &&
	    strcmp(release, MODEL_OTHER) != 0)
		return feedback_find(m, MODEL_OTHER);
	m->feedback = xreallocarray(m->feedback, m->nfeedback + 1, sizeof *m->feedback);
	f = &m->feedback[m->nfeedback++];
	memset(f, 0, sizeof *f);
	f->release = release != NULL ? xstrdup(release) : NULL;
	return f;
}

/* Adds one request to the histograms and the feedback counters. */
void
sim_model_record(struct sim_model *m, const struct sim_request *r)
{
	struct sim_series *s;
	enum sim_error e = r->error;
	const char *release = sim_model_request_release(m, r);

	if ((unsigned)e >= SIM_NERRORS)
		e = SIM_ERR_500;

	s = series_find(m, release, r->request_model, r->response_model);
	hist_add(&s->duration[e], duration_bounds, r->duration < 0 ? 0 : r->duration);
	if (e == SIM_OK) {
		hist_add(&s->tokens[0], token_bounds, (double)r->input_tokens);
		hist_add(&s->tokens[1], token_bounds, (double)r->output_tokens);
	}
	if (r->feedback > 0)
		feedback_find(m, release)->positive++;
	else if (r->feedback < 0)
		feedback_find(m, release)->negative++;
	if (r->feedback < 0 && m->on_negative != NULL)
		m->on_negative(m->on_negative_arg, m, r);
}

/* Every request rated negative is passed to cb from now on. */
void
sim_model_on_negative(struct sim_model *m, sim_negative_cb cb, void *arg)
{
	m->on_negative = cb;
	m->on_negative_arg = arg;
}

/* Background traffic for a time step; returns the number of requests recorded. */
unsigned long
sim_model_tick(struct sim_model *m, double seconds, double scale)
{
	struct sim_request r;
	unsigned long n, i;

	n = sim_model_poisson(m, profiles[m->profile].rate * scale * seconds);
	for (i = 0; i < n; i++) {
		sim_model_draw(m, NULL, &r);
		sim_model_record(m, &r);
	}
	return n;
}

/* A label value as the exposition format wants it; invalid UTF-8 becomes U+FFFD. */
static void
put_label_value(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;

	while (n > 0) {
		if (*p == '\\')
			buf_addstr(b, "\\\\");
		else if (*p == '"')
			buf_addstr(b, "\\\"");
		else if (*p == '\n')
			buf_addstr(b, "\\n");
		else if ((len = utf8_char_len((const char *)p, n)) == 0)
			buf_addstr(b, "\xef\xbf\xbd");
		else {
			buf_add(b, p, len);
			p += len;
			n -= len;
			continue;
		}
		p++;
		n--;
	}
}

/* A label value escaped for the exposition format, for the sim's other gauges. */
void
sim_model_label_value(struct buf *b, const char *s)
{
	put_label_value(b, s);
}

/* The labels of a GenAI series, in the order they are written. */
enum sim_label {
	LABEL_OPERATION,
	LABEL_PROVIDER,
	LABEL_REQUEST,
	LABEL_RESPONSE,
	LABEL_ERROR,
	LABEL_TOKEN_TYPE,
	SIM_NLABELS
};

/*
 * The openai client's error classes, as @opentelemetry/instrumentation-openai records them
 * (error.type is err.constructor.name): APIError.generate() in openai's core/error.js makes
 * every status >= 500 an InternalServerError, and a request that runs out of time throws
 * APIConnectionTimeoutError (client.js).
 */
static const char *const class_errors[SIM_NERRORS] = {
	NULL, "RateLimitError", "InternalServerError", "InternalServerError",
	"APIConnectionTimeoutError"
};

/* What the JS SDK's exporter adds: the meter's scope and its resource as target_info. */
#define JS_SCOPE	"otel_scope_name=\"@opentelemetry/instrumentation-openai\"," \
			"otel_scope_version=\"0.21.0\""
#define JS_TARGET	"target_info{service_name=\"assistant\",telemetry_sdk_language=\"nodejs\"," \
			"telemetry_sdk_name=\"opentelemetry\",telemetry_sdk_version=\"2.12.0\"} 1\n"

/* How one dialect spells the metrics; the feedback and profile families are the same in all. */
static const struct sim_dialect_spec {
	const char	*name;
	const char	*help;
	const char	*content_type;
	const char	*duration;		/* histogram family names */
	const char	*tokens;
	const char	*duration_help;
	const char	*tokens_help;
	const char	*label[SIM_NLABELS];
	const char *const *errors;		/* error_type values by enum sim_error */
	int		 js;			/* the JS exporter's layout, scope and target_info */
} dialects[SIM_NDIALECTS] = {
	[SIM_DIALECT_COLLECTOR] = {
		.name = "collector",
		.help = "OTel Collector: gen_ai_client_operation_duration_seconds, "
		    "error_type=\"429\"",
		.content_type = "text/plain; version=0.0.4; charset=utf-8",
		.duration = "gen_ai_client_operation_duration_seconds",
		.tokens = "gen_ai_client_token_usage",
		.duration_help = "GenAI operation duration.",
		.tokens_help = "Measures number of input and output tokens used.",
		.label = { "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
		    "gen_ai_response_model", "error_type", "gen_ai_token_type" },
		.errors = error_names,
	},
	[SIM_DIALECT_SDK] = {
		.name = "sdk",
		.help = "OTel JS SDK: gen_ai_client_operation_duration, "
		    "error_type=\"RateLimitError\"",
		.content_type = "text/plain",
		.duration = "gen_ai_client_operation_duration",
		.tokens = "gen_ai_client_token_usage",
		.duration_help = "GenAI operation duration",
		.tokens_help = "Measures number of input and output tokens used",
		.label = { "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model",
		    "gen_ai_response_model", "error_type", "gen_ai_token_type" },
		.errors = class_errors,
		.js = 1,
	},
	[SIM_DIALECT_UTF8] = {
		.name = "utf8",
		.help = "Prometheus 3 UTF-8: \"gen_ai.client.operation.duration_seconds\", "
		    "\"error.type\"",
		.content_type = "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8",
		.duration = "gen_ai.client.operation.duration_seconds",
		.tokens = "gen_ai.client.token.usage",
		.duration_help = "GenAI operation duration.",
		.tokens_help = "Measures number of input and output tokens used.",
		.label = { "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model",
		    "gen_ai.response.model", "error.type", "gen_ai.token.type" },
		.errors = class_errors,
	},
};

/* Name of a dialect, NULL past the end. */
const char *
sim_dialect_name(enum sim_dialect d)
{
	return (unsigned)d < SIM_NDIALECTS ? dialects[d].name : NULL;
}

/* One line of help for a dialect. */
const char *
sim_dialect_help(enum sim_dialect d)
{
	return (unsigned)d < SIM_NDIALECTS ? dialects[d].help : NULL;
}

/* A dialect by name, or -1. */
int
sim_dialect_find(const char *name)
{
	int d;

	for (d = 0; d < SIM_NDIALECTS; d++) {
		if (strcmp(dialects[d].name, name) == 0)
			return d;
	}
	return -1;
}

/* "collector, sdk, utf8"; the caller frees it. */
char *
sim_dialect_list(void)
{
	struct buf b;
	int d;

	buf_init(&b);
	for (d = 0; d < SIM_NDIALECTS; d++)
		buf_printf(&b, "%s%s", d > 0 ? ", " : "", dialects[d].name);
	return buf_take(&b);
}

/* The Content-Type of /metrics in a dialect. */
const char *
sim_dialect_content_type(enum sim_dialect d)
{
	return dialects[(unsigned)d < SIM_NDIALECTS ? d : SIM_DIALECT_COLLECTOR].content_type;
}

/* The error_type label value of an error in a dialect, NULL for SIM_OK. */
const char *
sim_dialect_error_name(enum sim_dialect d, enum sim_error e)
{
	if ((unsigned)d >= SIM_NDIALECTS || (unsigned)e >= SIM_NERRORS)
		return NULL;
	return dialects[d].errors[e];
}

/* A name the exposition format may write bare: [a-zA-Z_:][a-zA-Z0-9_:]* */
static int
legacy_name(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
		    *p == ':' || (p != s && *p >= '0' && *p <= '9')))
			return 0;
	}
	return p != s;
}

/* A metric or label name: bare if it can be, else quoted (Prometheus 3's UTF-8 syntax). */
static void
put_name(struct buf *b, const char *name)
{
	if (legacy_name(name))
		buf_addstr(b, name);
	else {
		buf_addch(b, '"');
		put_label_value(b, name);
		buf_addch(b, '"');
	}
}

/* The start of a sample line up to its value: name{labels,le="x"} or {"name",labels,...} */
static void
put_series(struct buf *b, const char *family, const char *suffix, const char *labels,
    const char *le)
{
	char *name;

	name = xprintf("%s%s", family, suffix);
	if (legacy_name(name))
		buf_printf(b, "%s{%s", name, labels);
	else {
		buf_addstr(b, "{\"");
		put_label_value(b, name);
		buf_printf(b, "\",%s", labels);
	}
	if (le != NULL)
		buf_printf(b, ",le=\"%s\"", le);
	buf_addstr(b, "} ");
	free(name);
}

static void
put_family(struct buf *b, const struct sim_dialect_spec *d, const char *name, const char *help,
    const char *unit)
{
	buf_addstr(b, "# HELP ");
	put_name(b, name);
	buf_printf(b, " %s\n", help);
	if (d->js) {
		buf_addstr(b, "# UNIT ");
		put_name(b, name);
		buf_printf(b, " %s\n", unit);
	}
	buf_addstr(b, "# TYPE ");
	put_name(b, name);
	buf_addstr(b, " histogram\n");
}

static void
put_hist(struct buf *b, const struct sim_dialect_spec *d, const char *name, const char *labels,
    const struct sim_hist *h, const char *const *le)
{
	uint64_t cum = 0;
	size_t i;

	if (d->js) {
		/* The JS exporter writes _count and _sum before the buckets. */
		put_series(b, name, "_count", labels, NULL);
		buf_printf(b, "%" PRIu64 "\n", h->count);
		put_series(b, name, "_sum", labels, NULL);
		buf_printf(b, "%.15g\n", h->sum);
	}
	for (i = 0; i < NBUCKETS; i++) {
		cum += h->bucket[i];
		put_series(b, name, "_bucket", labels, le[i]);
		buf_printf(b, "%" PRIu64 "\n", cum);
	}
	if (!d->js) {
		put_series(b, name, "_sum", labels, NULL);
		buf_printf(b, "%.15g\n", h->sum);
		put_series(b, name, "_count", labels, NULL);
		buf_printf(b, "%" PRIu64 "\n", h->count);
	}
}

static void
put_label(struct buf *b, const struct sim_dialect_spec *d, enum sim_label l, const char *value)
{
	buf_addch(b, ',');
	put_name(b, d->label[l]);
	buf_addstr(b, "=\"");
	put_label_value(b, value);
	buf_addch(b, '"');
}

/* The labels of a series with an error_type (NULL: none) or a token type (NULL: none). */
static void
series_labels(struct buf *b, const struct sim_dialect_spec *d, const struct sim_series *s,
    const char *error, const char *token_type)
{
	buf_reset(b);
	put_name(b, d->label[LABEL_OPERATION]);
	buf_addstr(b, "=\"chat\"");
	put_label(b, d, LABEL_PROVIDER, "openai");
	put_label(b, d, LABEL_REQUEST, s->request_model);
	put_label(b, d, LABEL_RESPONSE, s->response_model);
	if (error != NULL)
		put_label(b, d, LABEL_ERROR, error);
	if (token_type != NULL)
		put_label(b, d, LABEL_TOKEN_TYPE, token_type);
	if (s->release != NULL) {
		buf_addstr(b, "," RELEASE_LABEL "=\"");
		put_label_value(b, s->release);
		buf_addch(b, '"');
	}
	if (d->js)
		buf_addstr(b, "," JS_SCOPE);
}

static void
hist_merge(struct sim_hist *into, const struct sim_hist *h)
{
	size_t i;

	for (i = 0; i < NBUCKETS; i++)
		into->bucket[i] += h->bucket[i];
	into->sum += h->sum;
	into->count += h->count;
}

/* The duration of a series under the error_type value of e, with every error the dialect
   names alike (the JS classes fold 500 and 503 into one); 0 if e's name came earlier. */
static int
duration_of(const struct sim_dialect_spec *d, const struct sim_series *s, size_t e,
    struct sim_hist *out)
{
	const char *name = d->errors[e];
	size_t i;

	for (i = 0; i < e && name != NULL; i++) {
		if (d->errors[i] != NULL && strcmp(d->errors[i], name) == 0)
			return 0;
	}
	*out = s->duration[e];
	for (i = e + 1; i < SIM_NERRORS && name != NULL; i++) {
		if (d->errors[i] != NULL && strcmp(d->errors[i], name) == 0)
			hist_merge(out, &s->duration[i]);
	}
	return 1;
}

/* Prometheus text exposition format 0.0.4 in the collector dialect; the caller frees it. */
char *
sim_model_metrics(const struct sim_model *m)
{
	return sim_model_metrics_dialect(m, SIM_DIALECT_COLLECTOR);
}

/* The counters in the text format of a dialect; the caller frees it. */
char *
sim_model_metrics_dialect(const struct sim_model *m, enum sim_dialect dialect)
{
	const struct sim_dialect_spec *d;
	const struct sim_series *s;
	const struct sim_feedback *f;
	struct sim_hist h;
	struct buf b, labels;
	size_t i, e;

	d = &dialects[(unsigned)dialect < SIM_NDIALECTS ? dialect : SIM_DIALECT_COLLECTOR];
	buf_init(&b);
	buf_init(&labels);

	if (d->js)
		buf_addstr(&b, "# HELP target_info Target metadata\n"
		    "# TYPE target_info gauge\n" JS_TARGET);

	put_family(&b, d, d->duration, d->duration_help, "s");
	for (i = 0; i < m->nseries; i++) {
		s = &m->series[i];
		for (e = 0; e < SIM_NERRORS; e++) {
			if (!duration_of(d, s, e, &h) || h.count == 0)
				continue;
			series_labels(&labels, d, s, d->errors[e], NULL);
			put_hist(&b, d, d->duration, labels.data, &h, duration_le);
		}
	}

	put_family(&b, d, d->tokens, d->tokens_help, "{token}");
	for (i = 0; i < m->nseries; i++) {
		s = &m->series[i];
		if (s->tokens[0].count == 0)
			continue;
		for (e = 0; e < 2; e++) {
			series_labels(&labels, d, s, NULL, e == 0 ? "input" : "output");
			put_hist(&b, d, d->tokens, labels.data, &s->tokens[e], token_le);
		}
	}

	buf_addstr(&b, "# HELP assistant_feedback_total User ratings of the assistant's answers.\n"
	    "# TYPE assistant_feedback_total counter\n");
	for (i = 0; i < m->nfeedback; i++) {
		f = &m->feedback[i];
		buf_reset(&labels);
		if (f->release != NULL) {
			buf_addstr(&labels, RELEASE_LABEL "=\"");
			put_label_value(&labels, f->release);
			buf_addstr(&labels, "\",");
		}
		buf_printf(&b, "assistant_feedback_total{%srating=\"positive\"} %" PRIu64 "\n",
		    labels.len > 0 ? labels.data : "", f->positive);
		buf_printf(&b, "assistant_feedback_total{%srating=\"negative\"} %" PRIu64 "\n",
		    labels.len > 0 ? labels.data : "", f->negative);
	}

	buf_addstr(&b, "# HELP leitstand_sim_profile The simulator's active traffic profile.\n"
	    "# TYPE leitstand_sim_profile gauge\n");
	buf_printf(&b, "leitstand_sim_profile{profile=\"%s\"} 1\n", sim_model_profile(m));

	buf_free(&labels);
	return buf_take(&b);
}

/* Adds to a release's entry of the status: requests, errors, and its ratings. */
static void
release_add(cJSON *rels, const char *release, uint64_t requests, uint64_t errors,
    const struct sim_feedback *f)
{
	cJSON *r, *v;

	if (release == NULL)
		return;
	if ((r = cJSON_GetObjectItemCaseSensitive(rels, release)) == NULL) {
		r = cJSON_AddObjectToObject(rels, release);
		cJSON_AddNumberToObject(r, "requests", 0);
		cJSON_AddNumberToObject(r, "errors", 0);
		cJSON_AddNumberToObject(r, "positive", 0);
		cJSON_AddNumberToObject(r, "negative", 0);
	}
	v = cJSON_GetObjectItemCaseSensitive(r, "requests");
	cJSON_SetNumberValue(v, v->valuedouble + (double)requests);
	v = cJSON_GetObjectItemCaseSensitive(r, "errors");
	cJSON_SetNumberValue(v, v->valuedouble + (double)errors);
	if (f != NULL) {
		v = cJSON_GetObjectItemCaseSensitive(r, "positive");
		cJSON_SetNumberValue(v, v->valuedouble + (double)f->positive);
		v = cJSON_GetObjectItemCaseSensitive(r, "negative");
		cJSON_SetNumberValue(v, v->valuedouble + (double)f->negative);
	}
}

/* Profile and counter totals as JSON; the caller deletes it. */
cJSON *
sim_model_status(const struct sim_model *m)
{
	cJSON *o, *errors, *tok, *fb, *rels = NULL;
	uint64_t per[SIM_NERRORS] = { 0 }, requests = 0, in = 0, out = 0, positive = 0;
	uint64_t negative = 0;
	size_t i, e;

	for (i = 0; i < m->nseries; i++) {
		for (e = 0; e < SIM_NERRORS; e++) {
			per[e] += m->series[i].duration[e].count;
			requests += m->series[i].duration[e].count;
		}
		in += (uint64_t)m->series[i].tokens[0].sum;
		out += (uint64_t)m->series[i].tokens[1].sum;
	}
	for (i = 0; i < m->nfeedback; i++) {
		positive += m->feedback[i].positive;
		negative += m->feedback[i].negative;
	}
	/* Under releases, each one's requests, errors and ratings: what its label counts. */
	if (m->release != NULL) {
		rels = cJSON_CreateObject();
		for (i = 0; i < m->nfeedback; i++)
			release_add(rels, m->feedback[i].release, 0, 0, &m->feedback[i]);
		for (i = 0; i < m->nseries; i++) {
			if (m->series[i].release == NULL)
				continue;
			for (e = 0; e < SIM_NERRORS; e++)
				release_add(rels, m->series[i].release,
				    m->series[i].duration[e].count,
				    e == SIM_OK ? 0 : m->series[i].duration[e].count, NULL);
		}
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "profile", sim_model_profile(m));
	cJSON_AddNumberToObject(o, "requests", (double)requests);
	errors = cJSON_AddObjectToObject(o, "errors");
	for (e = SIM_OK + 1; e < SIM_NERRORS; e++)
		cJSON_AddNumberToObject(errors, error_names[e], (double)per[e]);
	tok = cJSON_AddObjectToObject(o, "tokens");
	cJSON_AddNumberToObject(tok, "input", (double)in);
	cJSON_AddNumberToObject(tok, "output", (double)out);
	fb = cJSON_AddObjectToObject(o, "feedback");
	cJSON_AddNumberToObject(fb, "positive", (double)positive);
	cJSON_AddNumberToObject(fb, "negative", (double)negative);
	if (rels != NULL) {
		cJSON_AddStringToObject(o, "release", m->release);
		cJSON_AddItemToObject(o, "releases", rels);
	}
	return o;
}

/* Approximate token count: four bytes a token, at least one. */
unsigned long
sim_token_count(const char *s)
{
	size_t n = strlen(s);

	return n < 4 ? 1 : (unsigned long)((n + 3) / 4);
}

/* Words that say nothing about what the customer asks, English and German. */
static const char *const stopwords[] = {
	"about", "after", "again", "also", "answer", "been", "before", "being", "cannot",
	"could", "dear", "does", "doing", "each", "format", "from", "give", "have", "having",
	"hello", "help", "here", "into", "just", "kind", "know", "like", "many", "more",
	"much", "need", "only", "other", "please", "regards", "reply", "respond", "return",
	"same", "should", "some", "such", "tell", "than", "thank", "thanks", "that", "their",
	"them", "then", "there", "these", "they", "this", "those", "very", "want", "what",
	"when", "where", "which", "while", "will", "with", "would", "your", "yours", "json",
	"auch", "bitte", "danke", "dass", "eine", "einem", "einen", "einer", "guten",
	"habe", "haben", "hallo", "kann", "mein", "meine", "meinem", "meinen", "meiner",
	"nicht", "noch", "schon", "sich", "sind", "wann", "warum", "welche", "welcher",
	"welches", "werden", "wird",
};

static int
is_stopword(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof stopwords / sizeof stopwords[0]; i++) {
		if (strcasecmp(stopwords[i], w) == 0)
			return 1;
	}
	return 0;
}

static int
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c >= 0x80;
}

/* Key terms of a question: words of four bytes or more, numbers of three digits or more. */
static size_t
key_terms(const char *q, char terms[MAX_TERMS][MAX_TERM_LEN + 1])
{
	const unsigned char *p = (const unsigned char *)q, *start;
	size_t n = 0, len, i, off, l;
	int digits, ok;
	char word[MAX_TERM_LEN + 1];

	while (*p != '\0' && n < MAX_TERMS) {
		if (!word_byte(*p)) {
			p++;
			continue;
		}
		start = p;
		digits = 1;
		while (word_byte(*p)) {
			if (*p < '0' || *p > '9')
				digits = 0;
			p++;
		}
		len = (size_t)(p - start);
		if (len > MAX_TERM_LEN || len < (digits ? 3u : 4u))
			continue;
		for (ok = 1, off = 0; off < len; off += l) {
			if ((l = utf8_char_len((const char *)start + off, len - off)) == 0) {
				ok = 0;
				break;
			}
		}
		if (!ok)
			continue;
		memcpy(word, start, len);
		word[len] = '\0';
		if (is_stopword(word))
			continue;
		for (i = 0; i < n; i++) {
			if (strcasecmp(terms[i], word) == 0)
				break;
		}
		if (i == n)
			memcpy(terms[n++], word, len + 1);
	}
	return n;
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int
has_json(const char *q)
{
	for (; *q != '\0'; q++) {
		if (strncasecmp(q, "json", 4) == 0)
			return 1;
	}
	return 0;
}

/* The support bot's answer: echoes the key terms of the question, JSON when the question or
   the system prompt asks for it; worse in the regression and from a model that regressed. */
char *
sim_model_answer(const struct sim_model *m, const char *model, const char *system,
    const char *q)
{
	char terms[MAX_TERMS][MAX_TERM_LEN + 1], *out;
	struct buf b;
	cJSON *o, *topics;
	size_t n, i;
	int degraded;

	n = key_terms(q, terms);
	degraded = (profiles[m->profile].regression ||
	    (model != NULL && model_spec(m, model)->degraded)) && (fnv1a(q) >> 7) % 2 == 1;
	if (degraded) {
		/* What a regressed model does: ignore the question, break the format. */
		if (has_json(q))
			return xstrdup("Sure! Here is the JSON you asked for:\n"
			    "{answer: 'Thank you for reaching out', escalate: maybe");
		return xstrdup("Thank you for reaching out! As an AI language model I am not able "
		    "to help with this request. Is there anything else I can do for you?");
	}

	buf_init(&b);
	buf_addstr(&b, "Thanks for your question");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i == 0 ? " about " : i == n - 1 ? " and " : ", ", terms[i]);
	buf_addstr(&b, ". I can help with that: you will find the details in your account under "
	    "Settings, and if anything is still unclear, reply with your customer number and our "
	    "support team will follow up within one business day.");
	if (!has_json(q) && !has_json(system))
		return buf_take(&b);

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "answer", b.data);
	topics = cJSON_AddArrayToObject(o, "topics");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(topics, cJSON_CreateString(terms[i]));
	cJSON_AddBoolToObject(o, "escalate", 0);
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	buf_free(&b);
	if (out == NULL)
		fatal("out of memory");
	/* cJSON's allocator is malloc, so the caller's free() is right. */
	return out;
}
