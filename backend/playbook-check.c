/* SPDX-License-Identifier: ISC */
/* A playbook's live checks: the ```check block (query: and expect:) and its condition language. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/dialect.h"
#include "backend/playbook-parse.h"
#include "backend/playbook.h"
#include "backend/xmalloc.h"

/* Parses the lines of a ```check block into a block. */
void
pb_check(struct pb_parse *p, const char *text)
{
	struct pb_condition	 c;
	cJSON			*block;
	const char		*s, *e, *nl, *v, *ve;
	char			*query = NULL, *expect = NULL, *why;
	size_t			 line = p->code_line + 1, qline = 0, eline = 0;
	int			 bad = 0, is_query;

	for (s = text; *s != '\0'; s = nl + 1, line++) {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s);
		e = nl;
		pb_trim(&s, &e);
		if (s == e) {
			if (*nl == '\0')
				break;
			continue;
		}
		if ((size_t)(e - s) >= 6 && memcmp(s, "query:", 6) == 0) {
			is_query = 1;
			v = s + 6;
		} else if ((size_t)(e - s) >= 7 && memcmp(s, "expect:", 7) == 0) {
			is_query = 0;
			v = s + 7;
		} else {
			pb_error(p, line, "check: unexpected line '%.*s' (a check has "
			    "only query: and expect: lines)",
			    (int)((size_t)(e - s) > PB_QUOTE ? PB_QUOTE : (size_t)(e - s)), s);
			bad = 1;
			goto next;
		}
		ve = e;
		pb_trim(&v, &ve);
		if (is_query && qline != 0) {
			pb_error(p, line, "check: second query: (the first is on line %zu)", qline);
			bad = 1;
		} else if (!is_query && eline != 0) {
			pb_error(p, line, "check: second expect: (the first is on line %zu)", eline);
			bad = 1;
		} else if (v == ve) {
			pb_error(p, line, "check: empty %s:", is_query ? "query" : "expect");
			bad = 1;
			*(is_query ? &qline : &eline) = line;
		} else if (is_query) {
			query = xstrndup(v, ve - v);
			qline = line;
			if ((why = dialect_check(query)) != NULL) {
				pb_error(p, line, "check: query: %s", why);
				free(why);
				bad = 1;
			}
		} else {
			expect = xstrndup(v, ve - v);
			eline = line;
			if (pb_condition_parse(expect, &c, &why) != 0) {
				pb_error(p, line, "check: expect: %s", why);
				free(why);
				bad = 1;
			}
		}
	next:
		if (*nl == '\0')
			break;
	}
	if (qline == 0) {
		pb_error(p, p->code_line, "check block without a 'query:' line");
		bad = 1;
	}
	if (eline == 0) {
		pb_error(p, p->code_line, "check block without an 'expect:' line");
		bad = 1;
	}
	if (!bad) {
		block = pb_block_new("check");
		cJSON_AddStringToObject(block, "query", query);
		cJSON_AddStringToObject(block, "expect", expect);
		cJSON_AddNumberToObject(block, "line", (double)p->code_line);
		pb_block(p, block);
	}
	p->nchecks++;
	free(query);
	free(expect);
}

static const char *
pb_skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Parses "value OP NUMBER [and value OP NUMBER]". */
int
pb_condition_parse(const char *text, struct pb_condition *c, char **why)
{
	static const struct {
		const char	*s;
		int		 op;
	} ops[] = {
		{ "<=", PB_LE }, { ">=", PB_GE }, { "==", PB_EQ }, { "!=", PB_NE },
		{ "<", PB_LT }, { ">", PB_GT },
	};
	const char	*s = text, *t;
	char		*end, *msg = NULL;
	double		 v;
	size_t		 i;

	memset(c, 0, sizeof *c);
	s = pb_skip_ws(s);
	if (*s == '\0') {
		msg = xstrdup("empty condition: write 'value OP NUMBER', e.g. 'value < 5'");
		goto fail;
	}
	for (;;) {
		if (strncmp(s, "value", 5) != 0 || isalnum((unsigned char)s[5]) ||
		    s[5] == '_') {
			msg = xprintf("expected 'value' at '%.*s' (write 'value OP NUMBER')",
			    PB_QUOTE, s);
			goto fail;
		}
		s = pb_skip_ws(s + 5);
		for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
			if (strncmp(s, ops[i].s, strlen(ops[i].s)) == 0)
				break;
		}
		if (i == sizeof ops / sizeof ops[0]) {
			msg = xprintf("expected <, <=, >, >=, == or != after 'value', "
			    "not '%.*s'", PB_QUOTE, s);
			goto fail;
		}
		t = pb_skip_ws(s + strlen(ops[i].s));
		if (!isdigit((unsigned char)*t) && *t != '.' && *t != '-' && *t != '+') {
			msg = xprintf("expected a number after '%s', not '%.*s'",
			    ops[i].s, PB_QUOTE, t);
			goto fail;
		}
		errno = 0;
		v = strtod(t, &end);
		if (end == t || !isfinite(v) ||
		    (*end != '\0' && *end != ' ' && *end != '\t')) {
			msg = xprintf("'%.*s' is not a number", PB_QUOTE, t);
			goto fail;
		}
		c->op[c->n] = ops[i].op;
		c->value[c->n] = v;
		c->n++;
		s = pb_skip_ws(end);
		if (*s == '\0')
			return 0;
		if (strncmp(s, "and", 3) != 0 ||
		    (s[3] != ' ' && s[3] != '\t' && s[3] != '\0')) {
			msg = xprintf("unexpected '%.*s' after the comparison "
			    "(join two with 'and')", PB_QUOTE, s);
			goto fail;
		}
		if (c->n == 2) {
			msg = xstrdup("at most two comparisons can be joined with 'and'");
			goto fail;
		}
		s = pb_skip_ws(s + 3);
	}

fail:
	memset(c, 0, sizeof *c);
	if (why != NULL)
		*why = msg;
	else
		free(msg);
	return -1;
}

/* Returns 1 if v satisfies every comparison; NaN never does. */
int
pb_condition_eval(const struct pb_condition *c, double v)
{
	int	i, ok;

	if (isnan(v) || c->n < 1 || c->n > 2)
		return 0;
	for (i = 0; i < c->n; i++) {
		switch (c->op[i]) {
		case PB_LT:
			ok = v < c->value[i];
			break;
		case PB_LE:
			ok = v <= c->value[i];
			break;
		case PB_GT:
			ok = v > c->value[i];
			break;
		case PB_GE:
			ok = v >= c->value[i];
			break;
		case PB_EQ:
			ok = v == c->value[i];
			break;
		case PB_NE:
			ok = v != c->value[i];
			break;
		default:
			ok = 0;
			break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}
