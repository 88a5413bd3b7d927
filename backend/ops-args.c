/* SPDX-License-Identifier: ISC */
/* The checks of an op's arguments that the daemon and the command line share. */
#include <stdio.h>
#include <string.h>

#include "backend/ops.h"
#include "backend/xmalloc.h"

const char *
ops_arg_label(const struct op_arg *a)
{
	static char buf[64];

	if (a->pos > 0)
		return a->metavar != NULL ? a->metavar : a->name;
	snprintf(buf, sizeof buf, "--%s", a->flag != NULL ? a->flag : a->name);
	return buf;
}

/* The value as the user wrote it, for a message: a number or the text. */
static void
given(char *buf, size_t len, const cJSON *v, long long base)
{
	if (cJSON_IsNumber(v))
		snprintf(buf, len, "%.0f", v->valuedouble + (double)base);
	else if (cJSON_IsString(v))
		snprintf(buf, len, "%s", v->valuestring);
	else
		snprintf(buf, len, "that");
}

/* One argument's value against its type and range; -1 with *cause. */
static int
check_one(const struct op *op, const struct op_arg *a, const cJSON *v, int cli, char **cause)
{
	const char *what = cli ? op->cli : op->name;
	const cJSON *e;
	char val[64];
	double d;
	long long len;
	int n = 0;

	given(val, sizeof val, v, cli ? a->base : 0);
	switch (a->type) {
	case ARG_STRING:
		if (!cJSON_IsString(v)) {
			*cause = xprintf("%s: \"%s\" must be a string", what, a->name);
			return -1;
		}
		len = (long long)strlen(v->valuestring);
		if (len > a->max) {
			*cause = cli ? xprintf("%s: %s: longer than %lld bytes", what,
			    ops_arg_label(a), a->max) : xprintf("%s: \"%s\" is longer than %lld "
			    "bytes", what, a->name, a->max);
			return -1;
		}
		if (len < a->min) {
			*cause = cli ? xprintf("%s: %s must not be empty", what, ops_arg_label(a)) :
			    xprintf("%s: \"%s\" must not be empty", what, a->name);
			return -1;
		}
		return 0;
	case ARG_INT:
		d = cJSON_IsNumber(v) ? v->valuedouble : 0;
		if (!cJSON_IsNumber(v) || d != (double)(long long)d || d < (double)a->min ||
		    d > (double)a->max) {
			*cause = cli ? xprintf("%s: %s: %s is not a number from %lld to %lld",
			    what, ops_arg_label(a), val, a->min + a->base, a->max + a->base) :
			    xprintf("%s: \"%s\" must be an integer from %lld to %lld", what,
			    a->name, a->min, a->max);
			return -1;
		}
		return 0;
	case ARG_BOOL:
		if (!cJSON_IsBool(v)) {
			*cause = xprintf("%s: \"%s\" must be true or false", what, a->name);
			return -1;
		}
		return 0;
	case ARG_STRINGS:
		if (cJSON_IsArray(v)) {
			cJSON_ArrayForEach(e, v) {
				if (!cJSON_IsString(e) || ++n > a->max)
					break;
			}
			if (e == NULL)
				return 0;
		}
		*cause = cli ? xprintf("%s: %s: at most %lld values", what, ops_arg_label(a),
		    a->max) : xprintf("%s: \"%s\" must be an array of at most %lld strings",
		    what, a->name, a->max);
		return -1;
	}
	return 0;
}

int
ops_args_check(const struct op *op, const cJSON *req, int cli, char **cause)
{
	const struct op_arg *a;
	const cJSON *v;

	cJSON_ArrayForEach(v, req) {
		if (strcmp(v->string, "id") == 0 || strcmp(v->string, "op") == 0)
			continue;
		for (a = op->args; a->name != NULL; a++) {
			if (strcmp(a->name, v->string) == 0 && (cli || !a->local))
				break;
		}
		if (a->name == NULL) {
			*cause = xprintf("%s: unknown argument \"%s\"", op->name, v->string);
			return -1;
		}
	}
	for (a = op->args; a->name != NULL; a++) {
		if (a->local && !cli)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(req, a->name);
		if (v == NULL || cJSON_IsNull(v)) {
			if (!a->required)
				continue;
			*cause = cli ? xprintf("%s: %s is required", op->cli, ops_arg_label(a)) :
			    xprintf("%s: \"%s\" is required", op->name, a->name);
			return -1;
		}
		if (check_one(op, a, v, cli, cause) != 0)
			return -1;
	}
	return 0;
}
