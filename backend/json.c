/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/json.h"
#include "backend/sanitize.h"
#include "backend/xmalloc.h"

/* Most bytes of a body quoted in a cause. */
#define JSON_QUOTE_BODY	64

const char *
json_str(const cJSON *o, const char *k, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : def;
}

double
json_num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

double
json_num_or(const cJSON *o, const char *k, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* Numbers beyond this are not ids, times or durations: json_int treats them as missing. */
#define JSON_INT_MAX	1e15

int
json_finite(const cJSON *o, const char *k, double *out)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return 0;
	*out = v->valuedouble;
	return 1;
}

int
json_int(const cJSON *o, const char *k, long long *out)
{
	double d;

	if (!json_finite(o, k, &d) || d < -JSON_INT_MAX || d > JSON_INT_MAX)
		return 0;
	*out = (long long)d;
	return 1;
}

long long
json_time(const cJSON *o, const char *k)
{
	long long t;

	if (!json_int(o, k, &t) || t <= 0)
		return 0;
	return t;
}

const cJSON *
json_array(const cJSON *o, const char *k)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsArray(v) ? v : NULL;
}

int
json_is(const cJSON *o, const char *k, const char *want)
{
	const char *s = json_str(o, k, NULL);

	return s != NULL && strcmp(s, want) == 0;
}

char *
json_quote(const char *s, size_t len, size_t max)
{
	char *safe, *out;

	safe = sanitize_log(s, len > max ? max : len);
	out = xprintf("\"%s\"%s", safe, len > max ? "..." : "");
	free(safe);
	return out;
}

int
json_fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	return -1;
}

static cJSON *
not_json(const char *body, size_t len, char **cause, const char *why, size_t at)
{
	char *q;

	if (len == 0) {
		json_fail(cause, "not JSON: empty body");
		return NULL;
	}
	q = json_quote(body, len, JSON_QUOTE_BODY);
	json_fail(cause, "not JSON (%s at byte %zu): %s", why, at, q);
	free(q);
	return NULL;
}

cJSON *
json_parse_body(const char *body, size_t len, char **cause)
{
	const char *end = NULL, *nul;
	cJSON *root;

	if (body == NULL || len == 0)
		return not_json(body, 0, cause, NULL, 0);
	/* cJSON would stop at a NUL and ignore the rest. */
	if ((nul = memchr(body, '\0', len)) != NULL)
		return not_json(body, len, cause, "NUL byte", (size_t)(nul - body));
	if ((root = cJSON_ParseWithLengthOpts(body, len, &end, 0)) == NULL)
		return not_json(body, len, cause, "syntax error", end != NULL && end >= body &&
		    end <= body + len ? (size_t)(end - body) : 0);
	while (end != NULL && end < body + len && strchr(" \t\n\r", *end) != NULL)
		end++;
	if (end == NULL || end != body + len) {
		cJSON_Delete(root);
		return not_json(body, len, cause, "trailing bytes",
		    end != NULL ? (size_t)(end - body) : 0);
	}
	return root;
}
