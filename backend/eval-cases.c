/* SPDX-License-Identifier: ISC */
/* The cases of an evals.jsonl file: parsed and checked, and the assertions run on an answer. */
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/eval.h"
#include "backend/json.h"
#include "backend/xmalloc.h"

#define EVAL_MAX_FILE		(4 * 1024 * 1024)
#define EVAL_MAX_PROBLEMS	100	/* lines of a parse error */
#define EVAL_MAX_QUOTE		60	/* bytes of a text from the file quoted in a message */

/* What the parser found wrong; lines past the cap are only counted. */
struct eval_problems {
	struct buf	 b;
	size_t		 cut;		/* length of b after the last line but one */
	int		 n;
};

/* Ids seen so far, for duplicates: open addressing, at most half full. */
struct eval_ids {
	char		**id;
	int		 *line;
	size_t		  size;
};

static void eval_problem(struct eval_problems *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
eval_problem(struct eval_problems *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (++p->n > EVAL_MAX_PROBLEMS)
		return;
	if (p->n == EVAL_MAX_PROBLEMS)
		p->cut = p->b.len;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		buf_printf(&p->b, "evals.jsonl:%d: %s\n", line, msg);
	else
		buf_printf(&p->b, "evals.jsonl: %s\n", msg);
	free(msg);
}

/* The problems as a cause, the last line saying how many more there were. */
static char *
eval_problems_take(struct eval_problems *p)
{
	if (p->n > EVAL_MAX_PROBLEMS) {
		p->b.len = p->cut;
		buf_printf(&p->b, "evals.jsonl: %d more problems not shown\n",
		    p->n - EVAL_MAX_PROBLEMS + 1);
	}
	if (p->b.len > 0)
		p->b.data[--p->b.len] = '\0';
	return buf_take(&p->b);
}

/* The line an id was first seen on, or 0 after remembering it for this line. */
static int
eval_ids_add(struct eval_ids *ids, const char *id, int line)
{
	uint64_t	h = 14695981039346656037ULL;
	const char	*s;
	size_t		 i;

	for (s = id; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	for (i = h & (ids->size - 1); ids->id[i] != NULL; i = (i + 1) & (ids->size - 1)) {
		if (strcmp(ids->id[i], id) == 0)
			return ids->line[i];
	}
	ids->id[i] = xstrdup(id);
	ids->line[i] = line;
	return 0;
}

static int
eval_integer(const cJSON *v, double min, double max)
{
	return cJSON_IsNumber(v) && v->valuedouble >= min && v->valuedouble <= max &&
	    v->valuedouble == floor(v->valuedouble);
}

static int
eval_text(const cJSON *v, int empty_ok)
{
	return cJSON_IsString(v) && (empty_ok || *v->valuestring != '\0');
}

/* What is wrong with an assertion, or NULL. */
static char *
eval_assertion_problem(const cJSON *a)
{
	const cJSON	*v;
	regex_t		 re;
	char		*q, *why, err[128];
	int		 rc;

	if (!cJSON_IsObject(a) || (v = a->child) == NULL || v->next != NULL)
		return xstrdup("expected an object with one key, like {\"contains\": \"text\"}");
	if (strcmp(v->string, "contains") == 0 || strcmp(v->string, "not_contains") == 0) {
		if (!eval_text(v, 0))
			return xprintf("%s: expected a non-empty string", v->string);
	} else if (strcmp(v->string, "equals") == 0) {
		if (!eval_text(v, 1))
			return xstrdup("equals: expected a string");
	} else if (strcmp(v->string, "regex") == 0) {
		if (!eval_text(v, 0))
			return xstrdup("regex: expected a non-empty string");
		if ((rc = regcomp(&re, v->valuestring, REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(rc, &re, err, sizeof err);
			q = json_quote(v->valuestring, strlen(v->valuestring), EVAL_MAX_QUOTE);
			why = xprintf("regex %s: %s", q, err);
			free(q);
			return why;
		}
		regfree(&re);
	} else if (strcmp(v->string, "max_chars") == 0) {
		if (!eval_integer(v, 1, 1e9))
			return xstrdup("max_chars: expected an integer of at least 1");
	} else if (strcmp(v->string, "json_valid") == 0) {
		if (!cJSON_IsTrue(v))
			return xstrdup("json_valid: expected true");
	} else {
		q = json_quote(v->string, strlen(v->string), EVAL_MAX_QUOTE);
		why = xprintf("unknown assertion %s (contains, not_contains, regex, max_chars, "
		    "json_valid, equals)", q);
		free(q);
		return why;
	}
	return NULL;
}

/* The member key of a case if it is a non-empty string, else NULL after saying why. */
static const cJSON *
eval_required_text(const cJSON *o, const char *key, int line, struct eval_problems *p)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL)
		eval_problem(p, line, "missing \"%s\"", key);
	else if (!eval_text(v, 0))
		eval_problem(p, line, "%s: expected a non-empty string", key);
	else
		return v;
	return NULL;
}

/* Checks one case; adds it to cases if it has no problem. */
static void
eval_case(cJSON *o, int line, struct eval_ids *ids, struct eval_problems *p, cJSON *cases)
{
	static const char *const keys[] = { "id", "input", "repeat", "min_pass", "assert" };
	const cJSON	*v, *id, *input, *repeat, *min_pass, *asserts, *a;
	char		*q, *why;
	size_t		 i;
	int		 before = p->n, first, n, max_pass;
	cJSON		*c;

	for (v = o->child; v != NULL; v = v->next) {
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			if (strcmp(v->string, keys[i]) == 0)
				break;
		}
		q = json_quote(v->string, strlen(v->string), EVAL_MAX_QUOTE);
		if (i == sizeof keys / sizeof keys[0])
			eval_problem(p, line, "unknown key %s (id, input, repeat, min_pass, "
			    "assert)", q);
		else if (cJSON_GetObjectItemCaseSensitive(o, v->string) != v)
			eval_problem(p, line, "key %s given twice", q);
		free(q);
	}

	if ((id = eval_required_text(o, "id", line, p)) != NULL &&
	    (first = eval_ids_add(ids, id->valuestring, line)) != 0) {
		q = json_quote(id->valuestring, strlen(id->valuestring), EVAL_MAX_QUOTE);
		eval_problem(p, line, "duplicate id %s (first on line %d)", q, first);
		free(q);
	}
	input = eval_required_text(o, "input", line, p);

	repeat = cJSON_GetObjectItemCaseSensitive(o, "repeat");
	if (repeat != NULL && !eval_integer(repeat, 1, EVAL_MAX_REPEAT))
		eval_problem(p, line, "repeat: expected an integer from 1 to %d", EVAL_MAX_REPEAT);
	max_pass = repeat == NULL ? 1 : eval_integer(repeat, 1, EVAL_MAX_REPEAT) ?
	    (int)repeat->valuedouble : EVAL_MAX_REPEAT;
	min_pass = cJSON_GetObjectItemCaseSensitive(o, "min_pass");
	if (min_pass != NULL && !eval_integer(min_pass, 1, max_pass))
		eval_problem(p, line, "min_pass: expected an integer from 1 to %d (repeat)",
		    max_pass);

	asserts = cJSON_GetObjectItemCaseSensitive(o, "assert");
	if (asserts == NULL)
		eval_problem(p, line, "missing \"assert\"");
	else if (!cJSON_IsArray(asserts) || asserts->child == NULL)
		eval_problem(p, line, "assert: expected a non-empty array");
	else {
		n = 0;
		cJSON_ArrayForEach(a, asserts) {
			if ((why = eval_assertion_problem(a)) != NULL) {
				eval_problem(p, line, "assert[%d]: %s", n, why);
				free(why);
			}
			n++;
		}
	}
	if (p->n != before)
		return;

	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", id->valuestring);
	cJSON_AddStringToObject(c, "input", input->valuestring);
	n = repeat != NULL ? (int)repeat->valuedouble : 1;
	cJSON_AddNumberToObject(c, "repeat", n);
	cJSON_AddNumberToObject(c, "min_pass", min_pass != NULL ? min_pass->valuedouble : n);
	cJSON_AddItemToObject(c, "assert", cJSON_Duplicate(asserts, 1));
	cJSON_AddNumberToObject(c, "line", line);
	cJSON_AddItemToArray(cases, c);
}

/* Parses one line that is neither blank nor a comment. */
static void
eval_line(const char *s, size_t len, int line, struct eval_ids *ids,
    struct eval_problems *p, cJSON *cases)
{
	const char	*end = NULL, *nul;
	cJSON		*o;

	if ((nul = memchr(s, '\0', len)) != NULL) {
		eval_problem(p, line, "NUL byte at column %zu", (size_t)(nul - s) + 1);
		return;
	}
	if ((o = cJSON_ParseWithLengthOpts(s, len, &end, 0)) == NULL) {
		eval_problem(p, line, "not JSON (syntax error at column %zu)",
		    end != NULL && end >= s && end <= s + len ? (size_t)(end - s) + 1 : 1);
		return;
	}
	while (end < s + len && strchr(" \t\r", *end) != NULL)
		end++;
	if (end != s + len)
		eval_problem(p, line, "bytes after the JSON object at column %zu; "
		    "one case a line", (size_t)(end - s) + 1);
	else if (!cJSON_IsObject(o))
		eval_problem(p, line, "expected a JSON object, like {\"id\": ..., "
		    "\"input\": ..., \"assert\": [...]}");
	else
		eval_case(o, line, ids, p, cases);
	cJSON_Delete(o);
}

cJSON *
eval_parse(const char *text, size_t len, char **cause)
{
	struct eval_problems	 p;
	struct eval_ids		 ids;
	const char		*s = text, *end = text + len, *nl, *b;
	cJSON			*cases;
	size_t			 i;
	int			 line = 0;

	if (len > EVAL_MAX_FILE) {
		*cause = xprintf("evals.jsonl: larger than %d MiB", EVAL_MAX_FILE >> 20);
		return NULL;
	}
	if (text == NULL)
		s = end = "";
	/* Editors on Windows may start the file with a byte order mark. */
	if (end - s >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	memset(&p, 0, sizeof p);
	buf_init(&p.b);
	/* A line with an id takes at least 10 bytes ({"id":"x"} and more). */
	for (ids.size = 16; ids.size < 2 * (len / 8 + 1); ids.size *= 2)
		;
	ids.id = xcalloc(ids.size, sizeof *ids.id);
	ids.line = xcalloc(ids.size, sizeof *ids.line);
	cases = cJSON_CreateArray();

	while (s < end) {
		line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		for (b = s; b < nl && strchr(" \t\r", *b) != NULL && *b != '\0'; b++)
			;
		if (b < nl && *b != '#')
			eval_line(s, (size_t)(nl - s), line, &ids, &p, cases);
		s = nl + 1;
	}
	if (p.n == 0 && cJSON_GetArraySize(cases) == 0)
		eval_problem(&p, 0, "no cases");

	for (i = 0; i < ids.size; i++)
		free(ids.id[i]);
	free(ids.id);
	free(ids.line);
	if (p.n > 0) {
		*cause = eval_problems_take(&p);
		cJSON_Delete(cases);
		return NULL;
	}
	buf_free(&p.b);
	return cases;
}

/* Sets *why to fmt with a quoted copy of s and returns 0 (a failed assertion). */
static int
eval_fail(char **why, const char *fmt, const char *s)
{
	char *q = json_quote(s, strlen(s), EVAL_MAX_QUOTE);

	*why = xprintf(fmt, q);
	free(q);
	return 0;
}

/* s without whitespace around it, as start and length. */
static const char *
eval_trim(const char *s, size_t *len)
{
	static const char space[] = " \t\r\n\f\v";
	size_t n;

	s += strspn(s, space);
	for (n = strlen(s); n > 0 && strchr(space, s[n - 1]) != NULL; n--)
		;
	*len = n;
	return s;
}

int
eval_assert(const cJSON *a, const char *answer, char **why)
{
	const cJSON	*v;
	const char	*end = NULL, *x, *y;
	size_t		 len, n, xn, yn;
	regex_t		 re;
	cJSON		*o;

	if ((*why = eval_assertion_problem(a)) != NULL)
		return 0;
	v = a->child;
	len = strlen(answer);
	if (strcmp(v->string, "contains") == 0) {
		if (strstr(answer, v->valuestring) == NULL)
			return eval_fail(why, "does not contain %s", v->valuestring);
	} else if (strcmp(v->string, "not_contains") == 0) {
		if (strstr(answer, v->valuestring) != NULL)
			return eval_fail(why, "contains %s", v->valuestring);
	} else if (strcmp(v->string, "regex") == 0) {
		if (regcomp(&re, v->valuestring, REG_EXTENDED | REG_NOSUB) != 0)
			return eval_fail(why, "bad regex %s", v->valuestring);
		n = (size_t)regexec(&re, answer, 0, NULL, 0);
		regfree(&re);
		if (n != 0)
			return eval_fail(why, "does not match regex %s", v->valuestring);
	} else if (strcmp(v->string, "max_chars") == 0) {
		/* Characters, not bytes: every byte but a UTF-8 continuation starts one. */
		for (n = 0, x = answer; *x != '\0'; x++)
			n += ((unsigned char)*x & 0xc0) != 0x80;
		if (n > (size_t)v->valuedouble) {
			*why = xprintf("%zu characters, more than %.0f", n, v->valuedouble);
			return 0;
		}
	} else if (strcmp(v->string, "json_valid") == 0) {
		if ((o = cJSON_ParseWithLengthOpts(answer, len, &end, 0)) == NULL) {
			*why = xstrdup("not valid JSON");
			return 0;
		}
		cJSON_Delete(o);
		while (end < answer + len && strchr(" \t\r\n", *end) != NULL)
			end++;
		if (end != answer + len) {
			*why = xprintf("not valid JSON: bytes after the document at byte %zu",
			    (size_t)(end - answer));
			return 0;
		}
	} else {
		x = eval_trim(answer, &xn);
		y = eval_trim(v->valuestring, &yn);
		if (xn != yn || memcmp(x, y, xn) != 0)
			return eval_fail(why, "does not equal %s", v->valuestring);
	}
	return 1;
}
