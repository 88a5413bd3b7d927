/* SPDX-License-Identifier: ISC */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "backend/am.h"
#include "backend/buf.h"
#include "backend/json.h"
#include "backend/xmalloc.h"

/* Most bytes of a time or a name quoted in a cause. */
#define AM_QUOTE_SHORT		40

/* Longest fingerprint taken: Alertmanager sends 16 hex digits. */
#define AM_FINGERPRINT_MAX	64

#define AM_NOT_LIST		"not an Alertmanager alerts list"

/* One label or annotation while sorting: pos keeps the first of duplicate names. */
struct am_pair {
	const char	*name;
	const char	*value;
	size_t		 pos;
};

static int
am_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly n decimal digits; stops at the first non-digit (or NUL). */
static int
am_digits(const char *s, int n, int *v)
{
	int	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!am_is_digit(s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int
am_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
am_mdays(int y, int m)
{
	static const int	mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && am_leap(y))
		return 29;
	return mdays[m - 1];
}

/* Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static long long
am_days(long long y, int m, int d)
{
	long long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Parses an RFC 3339 date-time into unix seconds. */
int
am_time(const char *s, double *t)
{
	const char	*p;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	long		 ns = 0;
	size_t		 nfrac = 0;
	long long	 secs;

	if (s == NULL)
		return -1;
	/* Each check stops at a NUL, so no read goes past the string. */
	if (am_digits(s, 4, &y) != 0 || s[4] != '-' ||
	    am_digits(s + 5, 2, &mo) != 0 || s[7] != '-' ||
	    am_digits(s + 8, 2, &d) != 0 || (s[10] != 'T' && s[10] != 't') ||
	    am_digits(s + 11, 2, &h) != 0 || s[13] != ':' ||
	    am_digits(s + 14, 2, &mi) != 0 || s[16] != ':' ||
	    am_digits(s + 17, 2, &sec) != 0)
		return -1;
	p = s + 19;
	if (*p == '.') {
		/* Any length; digits past nanoseconds are checked, not kept. */
		for (p++; am_is_digit(*p); p++, nfrac++) {
			if (nfrac < 9)
				ns = ns * 10 + (*p - '0');
		}
		if (nfrac == 0)
			return -1;
		for (; nfrac < 9; nfrac++)
			ns *= 10;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (am_digits(p + 1, 2, &oh) != 0 || p[3] != ':' ||
		    am_digits(p + 4, 2, &om) != 0)
			return -1;
		p += 6;
	} else
		return -1;
	if (*p != '\0')
		return -1;

	/* Go never writes a leap second (60), nor does it read one. */
	if (mo < 1 || mo > 12 || d < 1 || d > am_mdays(y, mo) || h > 23 ||
	    mi > 59 || sec > 59 || oh > 23 || om > 59)
		return -1;

	/* Go's zero time.Time: Alertmanager's way of writing "not set". */
	if (y == 1) {
		*t = 0;
		return 0;
	}
	secs = am_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	secs -= sign * (oh * 3600 + om * 60);
	*t = (double)secs + (double)ns / 1e9;
	return 0;
}

static const char *
am_pair_find(char **pairs, size_t n, const char *name)
{
	size_t	lo = 0, hi = n, mid;
	int	c;

	if (name == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, pairs[2 * mid])) == 0)
			return pairs[2 * mid + 1];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Returns the value of a label of an alert, or NULL. */
const char *
am_label(const struct am_alert *a, const char *name)
{
	if (a == NULL)
		return NULL;
	return am_pair_find(a->labels, a->nlabels, name);
}

/* Returns the value of an annotation of an alert, or NULL. */
const char *
am_annotation(const struct am_alert *a, const char *name)
{
	if (a == NULL)
		return NULL;
	return am_pair_find(a->annotations, a->nannotations, name);
}

/* Returns a new string keying the group an alert belongs to. */
char *
am_group_key(const struct am_alert *a, const char *const *labels, size_t n)
{
	struct buf	 b;
	const char	*v, *p;
	size_t		 i;
	int		 first = 1;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (labels[i] == NULL)
			continue;
		if (!first)
			buf_addch(&b, ',');
		first = 0;
		buf_addstr(&b, labels[i]);
		buf_addch(&b, '=');
		if ((v = am_label(a, labels[i])) == NULL)
			continue;
		/* Escaped so that two different label sets never share a key. */
		for (p = v; *p != '\0'; p++) {
			if (*p == '\\' || *p == ',' || *p == '=')
				buf_addch(&b, '\\');
			buf_addch(&b, *p);
		}
	}
	return buf_take(&b);
}

static void
am_pairs_free(char **pairs, size_t n)
{
	size_t	i;

	for (i = 0; i < 2 * n; i++)
		free(pairs[i]);
	free(pairs);
}

static void
am_alert_free(struct am_alert *a)
{
	free(a->fingerprint);
	am_pairs_free(a->labels, a->nlabels);
	am_pairs_free(a->annotations, a->nannotations);
	free(a->state);
	free(a->generator_url);
	memset(a, 0, sizeof *a);
}

/* Frees everything a list holds and zeroes it; safe on a zeroed list. */
void
am_alerts_free(struct am_alerts *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		am_alert_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static const char *
am_type_name(const cJSON *e)
{
	if (cJSON_IsObject(e))
		return "an object";
	if (cJSON_IsString(e))
		return "a string";
	if (cJSON_IsNumber(e))
		return "a number";
	if (cJSON_IsBool(e))
		return "a boolean";
	if (cJSON_IsNull(e))
		return "null";
	return "an array";
}

static int
am_pair_cmp(const void *a0, const void *b0)
{
	const struct am_pair	*a = a0, *b = b0;
	int			 c;

	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/*
 * Reads a label set (an object of strings) into name, value pairs sorted by
 * name; the first of duplicate names wins, as cJSON lookups do.
 */
static int
am_pairs(const cJSON *o, size_t i, const char *field, char ***out,
    size_t *nout, char **cause)
{
	const cJSON	*e;
	struct am_pair	*p;
	char		**v, *q;
	size_t		 n, k, j, nv = 0;

	if (!cJSON_IsObject(o))
		return json_fail(cause, "[%zu].%s: not an object", i, field);
	cJSON_ArrayForEach(e, o) {
		if (!cJSON_IsString(e)) {
			q = json_quote(e->string, strlen(e->string),
			    AM_QUOTE_SHORT);
			json_fail(cause, "[%zu].%s[%s]: not a string", i, field, q);
			free(q);
			return -1;
		}
	}
	if ((n = (size_t)cJSON_GetArraySize(o)) == 0)
		return 0;

	p = xcalloc(n, sizeof *p);
	k = 0;
	cJSON_ArrayForEach(e, o) {
		p[k].name = e->string;
		p[k].value = e->valuestring;
		p[k].pos = k;
		k++;
	}
	qsort(p, n, sizeof *p, am_pair_cmp);
	v = xcalloc(n, 2 * sizeof *v);
	for (k = 0; k < n; k = j) {
		v[2 * nv] = xstrdup(p[k].name);
		v[2 * nv + 1] = xstrdup(p[k].value);
		nv++;
		for (j = k + 1; j < n && strcmp(p[j].name, p[k].name) == 0; j++)
			/* skip duplicates */;
	}
	free(p);
	*out = v;
	*nout = nv;
	return 0;
}

/* Reads a date-time member; an optional one that is absent or null is 0. */
static int
am_time_member(const cJSON *o, size_t i, const char *key, int required,
    double *t, char **cause)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(o, key);
	char		*q;

	*t = 0;
	if (e == NULL || (!required && cJSON_IsNull(e))) {
		if (required)
			return json_fail(cause, "[%zu].%s: missing", i, key);
		return 0;
	}
	if (!cJSON_IsString(e))
		return json_fail(cause, "[%zu].%s: not a string", i, key);
	if (am_time(e->valuestring, t) != 0) {
		q = json_quote(e->valuestring, strlen(e->valuestring),
		    AM_QUOTE_SHORT);
		json_fail(cause, "[%zu].%s: bad time %s", i, key, q);
		free(q);
		return -1;
	}
	return 0;
}

static int
am_fingerprint(const cJSON *o, size_t i, struct am_alert *a, char **cause)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(o, "fingerprint");
	const char	*p;
	char		*q;
	size_t		 len;

	if (e == NULL)
		return json_fail(cause, "[%zu].fingerprint: missing", i);
	if (!cJSON_IsString(e))
		return json_fail(cause, "[%zu].fingerprint: not a string", i);
	for (p = e->valuestring; *p != '\0'; p++) {
		if (!am_is_digit(*p) && (*p < 'a' || *p > 'f') &&
		    (*p < 'A' || *p > 'F'))
			break;
	}
	len = strlen(e->valuestring);
	if (*p != '\0' || len == 0 || len > AM_FINGERPRINT_MAX) {
		q = json_quote(e->valuestring, len, AM_QUOTE_SHORT);
		json_fail(cause, "[%zu].fingerprint: not hex %s", i, q);
		free(q);
		return -1;
	}
	a->fingerprint = xstrdup(e->valuestring);
	return 0;
}

/*
 * Reads status.state. The OpenAPI spec requires status, but a missing one
 * only costs the state: the alert is shown as not yet processed.
 */
static int
am_state(const cJSON *o, size_t i, struct am_alert *a, char **cause)
{
	const cJSON	*status, *state;

	status = cJSON_GetObjectItemCaseSensitive(o, "status");
	if (status == NULL || cJSON_IsNull(status)) {
		a->state = xstrdup("unprocessed");
		return 0;
	}
	if (!cJSON_IsObject(status))
		return json_fail(cause, "[%zu].status: not an object", i);
	state = cJSON_GetObjectItemCaseSensitive(status, "state");
	if (state == NULL || cJSON_IsNull(state)) {
		a->state = xstrdup("unprocessed");
		return 0;
	}
	if (!cJSON_IsString(state))
		return json_fail(cause, "[%zu].status.state: not a string", i);
	a->state = xstrdup(state->valuestring);
	return 0;
}

/* Reads one gettableAlert. */
static int
am_alert_one(const cJSON *o, size_t i, struct am_alert *a, char **cause)
{
	const cJSON	*e;

	if (!cJSON_IsObject(o))
		return json_fail(cause, "[%zu]: not an object", i);

	e = cJSON_GetObjectItemCaseSensitive(o, "labels");
	if (e == NULL)
		return json_fail(cause, "[%zu].labels: missing", i);
	if (am_pairs(e, i, "labels", &a->labels, &a->nlabels, cause) != 0)
		return -1;
	e = cJSON_GetObjectItemCaseSensitive(o, "annotations");
	if (e != NULL && !cJSON_IsNull(e) && am_pairs(e, i, "annotations",
	    &a->annotations, &a->nannotations, cause) != 0)
		return -1;
	if (am_fingerprint(o, i, a, cause) != 0)
		return -1;
	if (am_time_member(o, i, "startsAt", 1, &a->starts_at, cause) != 0 ||
	    am_time_member(o, i, "endsAt", 0, &a->ends_at, cause) != 0 ||
	    am_time_member(o, i, "updatedAt", 0, &a->updated_at, cause) != 0)
		return -1;
	if (am_state(o, i, a, cause) != 0)
		return -1;
	e = cJSON_GetObjectItemCaseSensitive(o, "generatorURL");
	if (e != NULL && !cJSON_IsNull(e)) {
		if (!cJSON_IsString(e))
			return json_fail(cause, "[%zu].generatorURL: not a string", i);
		a->generator_url = xstrdup(e->valuestring);
	}
	return 0;
}

/* Parses a reply body. */
int
am_parse(const char *body, size_t len, struct am_alerts *l, char **cause)
{
	cJSON		*root;
	const cJSON	*e;
	size_t		 n;
	int		 rc = -1;

	memset(l, 0, sizeof *l);
	if ((root = json_parse_body(body, len, cause)) == NULL)
		return -1;

	if (!cJSON_IsArray(root)) {
		json_fail(cause, AM_NOT_LIST ": got %s", am_type_name(root));
		goto out;
	}
	if ((n = (size_t)cJSON_GetArraySize(root)) == 0) {
		rc = 0;
		goto out;
	}
	l->v = xcalloc(n, sizeof *l->v);
	cJSON_ArrayForEach(e, root) {
		if (am_alert_one(e, l->n, &l->v[l->n], cause) != 0) {
			/* Half-filled: free it here, n does not cover it. */
			am_alert_free(&l->v[l->n]);
			goto out;
		}
		l->n++;
	}
	rc = 0;

out:
	cJSON_Delete(root);
	if (rc != 0)
		am_alerts_free(l);
	return rc;
}
