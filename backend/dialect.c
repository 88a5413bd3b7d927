/* SPDX-License-Identifier: ISC */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/dialect.h"
#include "backend/xmalloc.h"

static const struct {
	const char	*name;
	const char	*ops;		/* the operation-duration histogram */
	const char	*tokens;	/* the token-usage histogram ({token} adds no suffix) */
	int		 dotted;
} kinds[DIALECT_COUNT] = {
	{ "collector", "gen_ai_client_operation_duration_seconds", "gen_ai_client_token_usage", 0 },
	{ "sdk", "gen_ai_client_operation_duration", "gen_ai_client_token_usage", 0 },
	{ "utf8", "gen_ai.client.operation.duration_seconds", "gen_ai.client.token.usage", 1 },
	{ "utf8-bare", "gen_ai.client.operation.duration", "gen_ai.client.token.usage", 1 },
};

/* Label names: underscores, or dotted as OpenTelemetry spells them. */
static const char *const labels[2][4] = {
	{ "error_type", "gen_ai_request_model", "gen_ai_response_model", "gen_ai_token_type" },
	{ "error.type", "gen_ai.request.model", "gen_ai.response.model", "gen_ai.token.type" },
};

static const char *const class_names[ERROR_CLASS_COUNT] = {
	"rate_limited", "server", "client", "other"
};

const char *
dialect_kind_name(enum dialect_kind k)
{
	return kinds[k].name;
}

int
dialect_kind_find(const char *name)
{
	int i;

	for (i = 0; i < DIALECT_COUNT; i++) {
		if (strcmp(kinds[i].name, name) == 0)
			return i;
	}
	return -1;
}

const char *
error_class_name(enum error_class c)
{
	return class_names[c];
}

void
dialect_clear(struct dialect *d)
{
	free(d->label_error);
	free(d->label_request_model);
	free(d->label_response_model);
	free(d->label_token_type);
	memset(d, 0, sizeof *d);
}

void
dialect_set(struct dialect *d, enum dialect_kind k)
{
	const char *const *l = labels[kinds[k].dotted];

	dialect_clear(d);
	d->kind = k;
	d->label_error = xstrdup(l[0]);
	d->label_request_model = xstrdup(l[1]);
	d->label_response_model = xstrdup(l[2]);
	d->label_token_type = xstrdup(l[3]);
}

void
dialect_copy(struct dialect *to, const struct dialect *from)
{
	dialect_clear(to);
	to->kind = from->kind;
	to->label_error = xstrdup(from->label_error);
	to->label_request_model = xstrdup(from->label_request_model);
	to->label_response_model = xstrdup(from->label_response_model);
	to->label_token_type = xstrdup(from->label_token_type);
}

int
dialect_dotted(const struct dialect *d)
{
	return kinds[d->kind].dotted;
}

char *
dialect_ops_name(enum dialect_kind k, const char *suffix)
{
	return xprintf("%s%s", kinds[k].ops, suffix);
}

char *
dialect_tokens_name(enum dialect_kind k, const char *suffix)
{
	return xprintf("%s%s", kinds[k].tokens, suffix);
}

int
dialect_kind_of(const char *name)
{
	size_t n = strlen(name), len;
	int i;

	if (n < 6 || strcmp(name + n - 6, "_count") != 0)
		return -1;
	for (i = 0; i < DIALECT_COUNT; i++) {
		len = strlen(kinds[i].ops);
		if (len == n - 6 && strncmp(name, kinds[i].ops, len) == 0)
			return i;
	}
	return -1;
}

const char *
dialect_names_regex(void)
{
	return "gen_ai[._]client[._](operation[._]duration|token[._]usage)(_seconds)?"
	    "_(count|sum|bucket)";
}

/* "5xx" stands for every three-digit code starting with 5. */
static int
is_code_range(const char *e)
{
	return isdigit((unsigned char)e[0]) && strcmp(e + 1, "xx") == 0;
}

static int
class_has(const struct namelist *l, const char *value)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (is_code_range(l->v[i])) {
			if (strlen(value) == 3 && value[0] == l->v[i][0] &&
			    isdigit((unsigned char)value[1]) && isdigit((unsigned char)value[2]))
				return 1;
		} else if (strcmp(l->v[i], value) == 0)
			return 1;
	}
	return 0;
}

enum error_class
dialect_classify(const struct config *cfg, const char *value)
{
	int c;

	for (c = 0; c < ERROR_OTHER; c++) {
		if (class_has(&cfg->error_classes[c], value))
			return c;
	}
	return ERROR_OTHER;
}

/* Adds text to a PromQL string literal delimited by quote (backticks take it raw). */
static void
put_in_string(struct buf *b, const char *s, char quote)
{
	for (; *s != '\0'; s++) {
		if (quote != '`' && (*s == '\\' || *s == quote))
			buf_add(b, "\\", 1);
		buf_add(b, s, 1);
	}
}

/* The regular expression of a class: its entries as alternatives, metacharacters escaped. */
static char *
class_regex(const struct namelist *l)
{
	struct buf b;
	const char *p;
	size_t i;

	if (l->n == 0)
		return xstrdup("[^\\s\\S]");	/* an empty class matches nothing */
	buf_init(&b);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_add(&b, "|", 1);
		if (is_code_range(l->v[i])) {
			buf_printf(&b, "%c[0-9][0-9]", l->v[i][0]);
			continue;
		}
		for (p = l->v[i]; *p != '\0'; p++) {
			if (strchr("\\.+*?()|[]{}^$", *p) != NULL)
				buf_add(&b, "\\", 1);
			buf_add(&b, p, 1);
		}
	}
	return buf_take(&b);
}

enum placeholder_type { PH_METRIC, PH_LABEL, PH_CLASS };

static const struct {
	const char		*name;
	enum placeholder_type	 type;
	int			 which;		/* 0 ops / 1 tokens; label index; class */
	const char		*suffix;
} placeholders[] = {
	{ "ops_count", PH_METRIC, 0, "_count" },
	{ "ops_bucket", PH_METRIC, 0, "_bucket" },
	{ "ops_sum", PH_METRIC, 0, "_sum" },
	{ "tokens_sum", PH_METRIC, 1, "_sum" },
	{ "tokens_count", PH_METRIC, 1, "_count" },
	{ "tokens_bucket", PH_METRIC, 1, "_bucket" },
	{ "error_type", PH_LABEL, 0, NULL },
	{ "request_model", PH_LABEL, 1, NULL },
	{ "response_model", PH_LABEL, 2, NULL },
	{ "token_type", PH_LABEL, 3, NULL },
	{ "rate_limited", PH_CLASS, ERROR_RATE_LIMITED, NULL },
	{ "server_error", PH_CLASS, ERROR_SERVER, NULL },
	{ "client_error", PH_CLASS, ERROR_CLIENT, NULL },
};
#define NPLACEHOLDERS (sizeof placeholders / sizeof placeholders[0])

static const char *
dialect_label(const struct dialect *d, int which)
{
	switch (which) {
	case 0:
		return d->label_error;
	case 1:
		return d->label_request_model;
	case 2:
		return d->label_response_model;
	default:
		return d->label_token_type;
	}
}

/* The placeholder at p ("${name}"), its length in *len; -1 if p is not one of ours, -2 if it
   is an unknown name. */
static int
placeholder_at(const char *p, size_t *len)
{
	const char *end;
	size_t i, n;

	if (p[0] != '$' || p[1] != '{')
		return -1;
	for (end = p + 2; islower((unsigned char)*end) || *end == '_'; end++)
		;
	/* label_replace's "${1}" and anything that is not a plain name stay as written. */
	if (*end != '}' || end == p + 2)
		return -1;
	n = (size_t)(end - p - 2);
	*len = n + 3;
	for (i = 0; i < NPLACEHOLDERS; i++) {
		if (strlen(placeholders[i].name) == n && strncmp(placeholders[i].name, p + 2, n) == 0)
			return (int)i;
	}
	return -2;
}

char *
dialect_check(const char *q)
{
	size_t len;

	for (; (q = strchr(q, '$')) != NULL; q++) {
		if (placeholder_at(q, &len) == -2)
			return xprintf("unknown placeholder %.*s", (int)(len > 40 ? 40 : len), q);
	}
	return NULL;
}

int
dialect_templated(const char *q)
{
	size_t len;

	for (; (q = strchr(q, '$')) != NULL; q++) {
		if (placeholder_at(q, &len) != -1)
			return 1;
	}
	return 0;
}

/* A metric name outside a string: a selector of its own, or merged into the {matchers} that
   follow it. Returns how much of the rest it consumed. */
static size_t
put_metric(struct buf *b, const struct dialect *d, const char *name, const char *rest)
{
	const char *p = rest;

	if (!dialect_dotted(d)) {
		buf_add(b, name, strlen(name));
		return 0;
	}
	buf_printf(b, "{\"%s\"", name);
	if (*p != '{') {
		buf_add(b, "}", 1);
		return 0;
	}
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '}')
		buf_add(b, ", ", 2);
	return (size_t)(p - rest);
}

char *
dialect_expand(const struct dialect *d, const struct config *cfg, const char *q, char **cause)
{
	struct buf b;
	const char *p = q, *name;
	char quote = 0, *s;
	size_t len;
	int i;

	buf_init(&b);
	while (*p != '\0') {
		if (quote != 0 && quote != '`' && *p == '\\' && p[1] != '\0') {
			buf_add(&b, p, 2);
			p += 2;
			continue;
		}
		if (quote == 0 && (*p == '"' || *p == '\'' || *p == '`'))
			quote = *p;
		else if (quote != 0 && *p == quote)
			quote = 0;
		if ((i = placeholder_at(p, &len)) == -1) {
			buf_add(&b, p++, 1);
			continue;
		}
		if (i == -2) {
			*cause = xprintf("unknown placeholder %.*s", (int)(len > 40 ? 40 : len), p);
			buf_free(&b);
			return NULL;
		}
		p += len;
		switch (placeholders[i].type) {
		case PH_METRIC:
			s = placeholders[i].which == 0 ?
			    dialect_ops_name(d->kind, placeholders[i].suffix) :
			    dialect_tokens_name(d->kind, placeholders[i].suffix);
			if (quote != 0)
				put_in_string(&b, s, quote);
			else
				p += put_metric(&b, d, s, p);
			free(s);
			break;
		case PH_LABEL:
			name = dialect_label(d, placeholders[i].which);
			if (quote != 0)
				put_in_string(&b, name, quote);
			else if (dialect_dotted(d))
				buf_printf(&b, "\"%s\"", name);
			else
				buf_add(&b, name, strlen(name));
			break;
		case PH_CLASS:
			s = class_regex(&cfg->error_classes[placeholders[i].which]);
			put_in_string(&b, s, quote != 0 ? quote : '"');
			free(s);
			break;
		}
	}
	return buf_take(&b);
}

cJSON *
dialect_labels_json(const struct dialect *d)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error_type", d->label_error);
	cJSON_AddStringToObject(o, "request_model", d->label_request_model);
	cJSON_AddStringToObject(o, "response_model", d->label_response_model);
	cJSON_AddStringToObject(o, "token_type", d->label_token_type);
	return o;
}

static int
ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == ':';
}

static int
ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == ':';
}

/* Skips a string literal starting at p; returns the character after it. */
static const char *
skip_string(const char *p)
{
	char quote = *p++;

	while (*p != '\0' && *p != quote) {
		if (quote != '`' && *p == '\\' && p[1] != '\0')
			p++;
		p++;
	}
	return *p != '\0' ? p + 1 : p;
}

static size_t
add_unique(char **names, size_t n, size_t max, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strlen(names[i]) == len && strncmp(names[i], s, len) == 0)
			return n;
	}
	if (n == max)
		return n;
	names[n] = xstrndup(s, len);
	return n + 1;
}

size_t
dialect_metric_names(const char *q, char **names, size_t max)
{
	static const char *const words[] = {
		"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
		"or", "unless", "offset", "inf", "nan", "atan2", NULL
	};
	const char *p = q, *start, *after;
	size_t n = 0, len, i;
	char prev;

	while (*p != '\0') {
		if (*p == '"' || *p == '\'' || *p == '`') {
			p = skip_string(p);
			continue;
		}
		if (*p == '[') {		/* a range or subquery: durations only */
			p += strcspn(p, "]");
			continue;
		}
		if (*p == '{') {		/* matchers; a quoted name stands alone in them */
			prev = '{';
			for (p++; *p != '\0' && *p != '}'; ) {
				if (*p == '"' || *p == '\'') {
					start = p;
					p = skip_string(p);
					after = p + strspn(p, " \t");
					if ((prev == '{' || prev == ',') && (*after == ',' ||
					    *after == '}') && p - start >= 2)
						n = add_unique(names, n, max, start + 1,
						    (size_t)(p - start - 2));
					prev = '"';
				} else {
					if (*p != ' ' && *p != '\t')
						prev = *p;
					p++;
				}
			}
			continue;
		}
		if (!ident_start(*p) || (p > q && (ident_char(p[-1]) || p[-1] == '.'))) {
			p++;
			continue;
		}
		start = p;
		while (ident_char(*p))
			p++;
		len = (size_t)(p - start);
		after = p + strspn(p, " \t\n");
		for (i = 0; words[i] != NULL; i++) {
			if (strlen(words[i]) == len && strncasecmp(words[i], start, len) == 0)
				break;
		}
		if (words[i] != NULL) {
			/* by (...), on (...): a list of label names follows. */
			if (i < 6 && *after == '(')
				p = after + strcspn(after, ")");
			continue;
		}
		/* A function, or an aggregation written "sum by (...) (...)". */
		if (*after == '(' || ((strncmp(after, "by", 2) == 0 ||
		    strncmp(after, "without", 7) == 0) && !ident_char(after[after[0] == 'b' ? 2 : 7])))
			continue;
		n = add_unique(names, n, max, start, len);
	}
	return n;
}
