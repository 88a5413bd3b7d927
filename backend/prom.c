/* SPDX-License-Identifier: ISC */
#include <cjson/cJSON.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend/json.h"
#include "backend/prom.h"
#include "backend/xmalloc.h"

/* Most bytes of a status or a label name quoted in a cause. */
#define PROM_QUOTE_SHORT	32

#define PROM_NOT_API		"not a Prometheus API response"

/* One label while sorting: pos keeps the first of duplicate names. */
struct prom_pair {
	const char	*name;
	const char	*value;
	size_t		 pos;
};

static pthread_once_t	prom_locale_once = PTHREAD_ONCE_INIT;
static locale_t		prom_locale_c;

static void
prom_locale_init(void)
{
	prom_locale_c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Parses a sample value as Prometheus writes it. */
int
prom_value(const char *s, double *v)
{
	const char	*p = s;
	char		*end;
	size_t		 nint = 0, nfrac = 0, nexp = 0;
	double		 d;

	if (s == NULL)
		return -1;
	if (strcmp(s, "NaN") == 0) {
		*v = NAN;
		return 0;
	}
	if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0) {
		*v = INFINITY;
		return 0;
	}
	if (strcmp(s, "-Inf") == 0) {
		*v = -INFINITY;
		return 0;
	}

	/*
	 * strtod() also takes hex, "inf", "nan(...)", leading blanks and the
	 * locale's decimal point: check the grammar first.
	 */
	if (*p == '+' || *p == '-')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		nint++;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			nfrac++;
	}
	if (nint + nfrac == 0)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		for (; *p >= '0' && *p <= '9'; p++)
			nexp++;
		if (nexp == 0)
			return -1;
	}
	if (*p != '\0')
		return -1;

	pthread_once(&prom_locale_once, prom_locale_init);
	errno = 0;
	if (prom_locale_c != (locale_t)0)
		d = strtod_l(s, &end, prom_locale_c);
	else
		d = strtod(s, &end);
	if (end != p || (errno == ERANGE && isinf(d)))
		return -1;
	*v = d;
	return 0;
}

/* Returns the value of a label of a series, or NULL. */
const char *
prom_label(const struct prom_series *s, const char *name)
{
	size_t	i;

	if (s == NULL || name == NULL)
		return NULL;
	for (i = 0; i < s->nlabels; i++) {
		if (strcmp(s->labels[2 * i], name) == 0)
			return s->labels[2 * i + 1];
	}
	return NULL;
}

static void
prom_series_free(struct prom_series *s)
{
	size_t	i;

	for (i = 0; i < 2 * s->nlabels; i++)
		free(s->labels[i]);
	free(s->labels);
	free(s->samples);
	memset(s, 0, sizeof *s);
}

/* Frees everything a response holds and zeroes it; safe on a zeroed response. */
void
prom_response_free(struct prom_response *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nseries; i++)
		prom_series_free(&r->series[i]);
	free(r->series);
	free(r->error_type);
	free(r->error);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	for (i = 0; i < r->nvalues; i++)
		free(r->values[i]);
	free(r->values);
	memset(r, 0, sizeof *r);
}

/* Returns a copy of a string member, or of "" when missing or not a string. */
static char *
prom_string_or_empty(const cJSON *o, const char *key)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(o, key);

	return xstrdup(cJSON_IsString(e) ? e->valuestring : "");
}

/* Takes the string elements of a "warnings" array; anything else is ignored. */
static void
prom_warnings(const cJSON *root, struct prom_response *r)
{
	const cJSON	*w, *e;
	size_t		 n;

	w = cJSON_GetObjectItemCaseSensitive(root, "warnings");
	if (!cJSON_IsArray(w) || (n = (size_t)cJSON_GetArraySize(w)) == 0)
		return;
	r->warnings = xcalloc(n, sizeof *r->warnings);
	cJSON_ArrayForEach(e, w) {
		if (cJSON_IsString(e))
			r->warnings[r->nwarnings++] = xstrdup(e->valuestring);
	}
}

/*
 * Reads a [t, "v"] pair. On error returns -1 and *why relative to the pair,
 * for example "[1]: not a string"; the caller prefixes the pair's path.
 */
static int
prom_sample(const cJSON *pair, int is_string, struct prom_sample *s, char **why)
{
	const cJSON	*t, *v;
	char		*q;

	if (!cJSON_IsArray(pair) || (size_t)cJSON_GetArraySize(pair) != 2)
		return json_fail(why, ": not an array of 2");
	t = pair->child;
	v = t->next;
	if (!cJSON_IsNumber(t))
		return json_fail(why, "[0]: not a number");
	if (!isfinite(t->valuedouble))
		return json_fail(why, "[0]: not a finite number");
	if (!cJSON_IsString(v))
		return json_fail(why, "[1]: not a string");
	s->t = t->valuedouble;
	if (is_string) {
		s->v = NAN;
		return 0;
	}
	if (prom_value(v->valuestring, &s->v) != 0) {
		q = json_quote(v->valuestring, strlen(v->valuestring),
		    PROM_QUOTE_SHORT);
		json_fail(why, "[1]: bad sample value %s", q);
		free(q);
		return -1;
	}
	return 0;
}

static int
prom_pair_cmp(const void *a0, const void *b0)
{
	const struct prom_pair	*a = a0, *b = b0;
	int			 c;

	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Fills the labels of s from a metric object: sorted by name, first of duplicates wins. */
static int
prom_metric(const cJSON *metric, size_t i, struct prom_series *s, char **cause)
{
	const cJSON		*e;
	struct prom_pair	*p;
	size_t			 n, k, j;
	char			*q;

	if (!cJSON_IsObject(metric))
		return json_fail(cause, "data.result[%zu].metric: not an object", i);
	cJSON_ArrayForEach(e, metric) {
		if (!cJSON_IsString(e)) {
			q = json_quote(e->string, strlen(e->string),
			    PROM_QUOTE_SHORT);
			json_fail(cause,
			    "data.result[%zu].metric[%s]: not a string", i, q);
			free(q);
			return -1;
		}
	}
	if ((n = (size_t)cJSON_GetArraySize(metric)) == 0)
		return 0;

	p = xcalloc(n, sizeof *p);
	k = 0;
	cJSON_ArrayForEach(e, metric) {
		p[k].name = e->string;
		p[k].value = e->valuestring;
		p[k].pos = k;
		k++;
	}
	qsort(p, n, sizeof *p, prom_pair_cmp);
	s->labels = xcalloc(n, 2 * sizeof *s->labels);
	for (k = 0; k < n; k = j) {
		s->labels[2 * s->nlabels] = xstrdup(p[k].name);
		s->labels[2 * s->nlabels + 1] = xstrdup(p[k].value);
		s->nlabels++;
		for (j = k + 1; j < n && strcmp(p[j].name, p[k].name) == 0; j++)
			/* skip duplicates */;
	}
	free(p);
	return 0;
}

static int
prom_sample_cmp(const void *a0, const void *b0)
{
	const struct prom_sample	*a = a0, *b = b0;

	return (a->t > b->t) - (a->t < b->t);
}

/* Reads one element of a vector result. Returns 1 when it holds only a histogram. */
static int
prom_vector_one(const cJSON *e, size_t i, struct prom_series *s, char **cause)
{
	const cJSON	*value;
	char		*why;

	if (!cJSON_IsObject(e))
		return json_fail(cause, "data.result[%zu]: not an object", i);
	value = cJSON_GetObjectItemCaseSensitive(e, "value");
	if (value == NULL &&
	    cJSON_GetObjectItemCaseSensitive(e, "histogram") != NULL)
		return 1;
	if (value == NULL)
		return json_fail(cause, "data.result[%zu]: no value", i);
	if (prom_metric(cJSON_GetObjectItemCaseSensitive(e, "metric"), i, s,
	    cause) != 0)
		return -1;
	s->samples = xcalloc(1, sizeof *s->samples);
	if (prom_sample(value, 0, &s->samples[0], &why) != 0) {
		json_fail(cause, "data.result[%zu].value%s", i, why);
		free(why);
		return -1;
	}
	s->nsamples = 1;
	return 0;
}

/* Reads one element of a matrix result. Returns 1 when it holds only histograms. */
static int
prom_matrix_one(const cJSON *e, size_t i, struct prom_series *s, char **cause)
{
	const cJSON	*values, *v;
	char		*why;
	size_t		 n, k;
	int		 sorted = 1;

	if (!cJSON_IsObject(e))
		return json_fail(cause, "data.result[%zu]: not an object", i);
	values = cJSON_GetObjectItemCaseSensitive(e, "values");
	if (values == NULL &&
	    cJSON_GetObjectItemCaseSensitive(e, "histograms") != NULL)
		return 1;
	if (!cJSON_IsArray(values))
		return json_fail(cause, "data.result[%zu].values: not an array", i);
	if (prom_metric(cJSON_GetObjectItemCaseSensitive(e, "metric"), i, s,
	    cause) != 0)
		return -1;
	if ((n = (size_t)cJSON_GetArraySize(values)) == 0)
		return 0;
	s->samples = xcalloc(n, sizeof *s->samples);
	k = 0;
	cJSON_ArrayForEach(v, values) {
		if (prom_sample(v, 0, &s->samples[k], &why) != 0) {
			json_fail(cause, "data.result[%zu].values[%zu]%s", i, k,
			    why);
			free(why);
			return -1;
		}
		if (k > 0 && s->samples[k].t < s->samples[k - 1].t)
			sorted = 0;
		k++;
	}
	s->nsamples = n;
	/* Prometheus sends them in order; a proxy that merges might not. */
	if (!sorted)
		qsort(s->samples, n, sizeof *s->samples, prom_sample_cmp);
	return 0;
}

/* Reads a vector or matrix result: an array of series. */
static int
prom_series_list(const cJSON *result, struct prom_response *r, char **cause)
{
	const cJSON		*e;
	struct prom_series	*s;
	size_t			 n, i = 0;
	int			 rc;

	if (!cJSON_IsArray(result))
		return json_fail(cause, "data.result: not an array");
	if ((n = (size_t)cJSON_GetArraySize(result)) == 0)
		return 0;
	r->series = xcalloc(n, sizeof *r->series);
	cJSON_ArrayForEach(e, result) {
		s = &r->series[r->nseries];
		if (r->type == PROM_VECTOR)
			rc = prom_vector_one(e, i, s, cause);
		else
			rc = prom_matrix_one(e, i, s, cause);
		if (rc == 0)
			r->nseries++;
		else {
			/* Half-filled: free it here, nseries does not cover it. */
			prom_series_free(s);
			if (rc == -1)
				return -1;
		}
		i++;
	}
	if (r->nseries == 0) {
		free(r->series);
		r->series = NULL;
	}
	return 0;
}

/* Reads a scalar or string result: one [t, "v"] pair. */
static int
prom_single(const cJSON *result, struct prom_response *r, char **cause)
{
	struct prom_series	*s;
	char			*why;
	int			 is_string = r->type == PROM_STRING;

	r->series = xcalloc(1, sizeof *r->series);
	s = &r->series[0];
	s->samples = xcalloc(1, sizeof *s->samples);
	if (prom_sample(result, is_string, &s->samples[0], &why) != 0) {
		prom_series_free(s);
		json_fail(cause, "data.result%s", why);
		free(why);
		return -1;
	}
	s->nsamples = 1;
	if (is_string) {
		s->labels = xcalloc(2, sizeof *s->labels);
		s->labels[0] = xstrdup("__value__");
		s->labels[1] = xstrdup(cJSON_GetArrayItem(result, 1)->valuestring);
		s->nlabels = 1;
	}
	r->nseries = 1;
	return 0;
}

/* Reads the string array of a label look-up; keeps the first PROM_MAX_VALUES. */
static int
prom_list(const cJSON *data, struct prom_response *r, char **cause)
{
	const cJSON	*v;
	size_t		 n = (size_t)cJSON_GetArraySize(data);

	r->type = PROM_LIST;
	r->values = xcalloc(n < PROM_MAX_VALUES ? n + 1 : PROM_MAX_VALUES, sizeof *r->values);
	cJSON_ArrayForEach(v, data) {
		if (!cJSON_IsString(v))
			return json_fail(cause, "data[%zu]: not a string", r->nvalues_total);
		if (r->nvalues < PROM_MAX_VALUES)
			r->values[r->nvalues++] = xstrdup(v->valuestring);
		r->nvalues_total++;
	}
	return 0;
}

static int
prom_data(const cJSON *root, struct prom_response *r, char **cause)
{
	static const struct {
		const char	*name;
		enum prom_type	 type;
	} types[] = {
		{ "vector", PROM_VECTOR },
		{ "matrix", PROM_MATRIX },
		{ "scalar", PROM_SCALAR },
		{ "string", PROM_STRING },
	};
	const cJSON	*data, *rt;
	char		*q;
	size_t		 i;

	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (cJSON_IsArray(data))
		return prom_list(data, r, cause);
	if (!cJSON_IsObject(data))
		return json_fail(cause, "data: not an object");
	rt = cJSON_GetObjectItemCaseSensitive(data, "resultType");
	if (!cJSON_IsString(rt))
		return json_fail(cause, "data.resultType: not a string");
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcmp(rt->valuestring, types[i].name) == 0)
			break;
	}
	if (i == sizeof types / sizeof types[0]) {
		q = json_quote(rt->valuestring, strlen(rt->valuestring),
		    PROM_QUOTE_SHORT);
		json_fail(cause, "data.resultType: unknown type %s", q);
		free(q);
		return -1;
	}
	r->type = types[i].type;
	if (r->type == PROM_VECTOR || r->type == PROM_MATRIX)
		return prom_series_list(cJSON_GetObjectItemCaseSensitive(data,
		    "result"), r, cause);
	return prom_single(cJSON_GetObjectItemCaseSensitive(data, "result"), r,
	    cause);
}

/* Parses a response body. */
int
prom_parse(const char *body, size_t len, struct prom_response *r, char **cause)
{
	cJSON		*root;
	const cJSON	*status;
	char		*q;
	int		 rc = -1;

	memset(r, 0, sizeof *r);
	if ((root = json_parse_body(body, len, cause)) == NULL)
		return -1;

	if (!cJSON_IsObject(root)) {
		json_fail(cause, PROM_NOT_API ": not an object");
		goto out;
	}
	status = cJSON_GetObjectItemCaseSensitive(root, "status");
	if (!cJSON_IsString(status)) {
		json_fail(cause, PROM_NOT_API ": no \"status\" string");
		goto out;
	}
	if (strcmp(status->valuestring, "error") == 0) {
		r->ok = 0;
		r->error_type = prom_string_or_empty(root, "errorType");
		r->error = prom_string_or_empty(root, "error");
		prom_warnings(root, r);
		rc = 0;
		goto out;
	}
	if (strcmp(status->valuestring, "success") != 0) {
		q = json_quote(status->valuestring, strlen(status->valuestring),
		    PROM_QUOTE_SHORT);
		json_fail(cause, PROM_NOT_API ": status %s", q);
		free(q);
		goto out;
	}
	r->ok = 1;
	if (prom_data(root, r, cause) != 0)
		goto out;
	prom_warnings(root, r);
	rc = 0;

out:
	cJSON_Delete(root);
	if (rc != 0)
		prom_response_free(r);
	return rc;
}
