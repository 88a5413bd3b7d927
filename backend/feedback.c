/* SPDX-License-Identifier: ISC */
/* The negative feedback feed's lines, and the eval case written from one conversation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/eval.h"
#include "backend/feedback.h"
#include "backend/json.h"
#include "backend/redact.h"
#include "backend/sanitize.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define EXCERPT_MAX	60	/* bytes of the answer a not_contains quotes */
#define PROBLEM_QUOTE	40	/* bytes of a line quoted in a problem */

void
feedback_stats_clear(struct feedback_stats *st)
{
	free(st->problem);
	memset(st, 0, sizeof *st);
}

/*
 * Text from the feed as the daemon passes it on: redacted, then every line through the one
 * sanitiser (ESC and other controls as ^[, invalid UTF-8 as U+FFFD), lines kept apart by
 * "\n" so that an answer's lines stay lines; at most FEEDBACK_MAX_TEXT bytes of the redacted
 * text (redacted whole first: a cut never leaves half a card number unrecognised).
 */
static char *
feedback_text(const struct redactor *r, const char *s)
{
	size_t len, n;
	char *red, *safe;
	const char *p, *nl;
	struct buf b;
	int cut;

	red = redact(r, s, NULL);
	len = utf8_prefix(red, strlen(red), FEEDBACK_MAX_TEXT);
	cut = red[len] != '\0';
	red[len] = '\0';
	buf_init(&b);
	for (p = red; ; p = nl + 1) {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		/* A line ending "\r\n" ends at the "\n". */
		if (n > 0 && p[n - 1] == '\r')
			n--;
		safe = sanitize(p, n, -1, 0, NULL);
		buf_addstr(&b, safe);
		free(safe);
		if (nl == NULL)
			break;
		buf_addch(&b, '\n');
	}
	if (cut)
		buf_addstr(&b, "\xe2\x80\xa6");
	free(red);
	if (b.data == NULL)
		buf_addstr(&b, "");
	return buf_take(&b);
}

/* A short text field (id, assistant, release, model): one line, at most max bytes; redacted
   unless r is NULL. */
static char *
feedback_field(const struct redactor *r, const char *s, size_t max)
{
	char *red, *safe;

	red = r != NULL ? redact(r, s, NULL) : xstrdup(s);
	safe = sanitize(red, utf8_prefix(red, strlen(red), max), -1, 0, NULL);
	free(red);
	return safe;
}

static void
feedback_skip(struct feedback_stats *st, int line, const char *why, const char *s, size_t len)
{
	char *q;

	st->skipped++;
	if (st->problem != NULL)
		return;
	if (s != NULL) {
		q = json_quote(s, len, PROBLEM_QUOTE);
		st->problem = xprintf("line %d: %s: %s", line, why, q);
		free(q);
	} else
		st->problem = xprintf("line %d: %s", line, why);
}

/* One line of the feed: the conversation, or NULL after counting why not. */
static cJSON *
feedback_line(const char *s, size_t len, int line, const struct redactor *r,
    const char *assistant, struct feedback_stats *st)
{
	const char *end = NULL;
	const cJSON *id, *q, *a, *v;
	cJSON *o, *c;
	char num[32], *t, *question;

	if (memchr(s, '\0', len) != NULL) {
		feedback_skip(st, line, "a NUL byte (binary?)", NULL, 0);
		return NULL;
	}
	o = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	while (o != NULL && end < s + len && strchr(" \t\r", *end) != NULL)
		end++;
	if (o == NULL || end != s + len) {
		feedback_skip(st, line, "not JSON", s, len);
		cJSON_Delete(o);
		return NULL;
	}
	id = cJSON_GetObjectItemCaseSensitive(o, "id");
	q = cJSON_GetObjectItemCaseSensitive(o, "question");
	a = cJSON_GetObjectItemCaseSensitive(o, "answer");
	if (!cJSON_IsObject(o)) {
		feedback_skip(st, line, "not a JSON object", s, len);
		cJSON_Delete(o);
		return NULL;
	}
	if (!cJSON_IsString(id) || *id->valuestring == '\0' ||
	    strlen(id->valuestring) > FEEDBACK_MAX_ID || !cJSON_IsString(q) ||
	    *q->valuestring == '\0' || !cJSON_IsString(a)) {
		feedback_skip(st, line, "needs \"id\" (1 to 128 bytes), \"question\" and "
		    "\"answer\" as strings", NULL, 0);
		cJSON_Delete(o);
		return NULL;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "rating");
	if (cJSON_IsString(v) && strcmp(v->valuestring, "negative") != 0) {
		st->ignored++;
		cJSON_Delete(o);
		return NULL;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "assistant");
	if (assistant != NULL && (!cJSON_IsString(v) || strcmp(v->valuestring, assistant) != 0)) {
		st->ignored++;
		cJSON_Delete(o);
		return NULL;
	}
	/* What is left of the question must be something to ask ("\r" is not). */
	question = feedback_text(r, q->valuestring);
	if (strspn(question, " \n") == strlen(question)) {
		feedback_skip(st, line, "the question is blank", NULL, 0);
		free(question);
		cJSON_Delete(o);
		return NULL;
	}

	c = cJSON_CreateObject();
	/* An id is the feed's key, for since= and the case's id: made safe, never redacted (a
	   long number that passes the Luhn check is no card in an id). */
	t = feedback_field(NULL, id->valuestring, FEEDBACK_MAX_ID);
	cJSON_AddStringToObject(c, "id", t);
	free(t);
	v = cJSON_GetObjectItemCaseSensitive(o, "time");
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e12)
		cJSON_AddNumberToObject(c, "time", (double)(long long)v->valuedouble);
	v = cJSON_GetObjectItemCaseSensitive(o, "assistant");
	if (cJSON_IsString(v)) {
		t = feedback_field(r, v->valuestring, 128);
		cJSON_AddStringToObject(c, "assistant", t);
		free(t);
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "release");
	if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof num, "%.0f", v->valuedouble);
		cJSON_AddStringToObject(c, "release", num);
	} else if (cJSON_IsString(v)) {
		t = feedback_field(r, v->valuestring, 128);
		cJSON_AddStringToObject(c, "release", t);
		free(t);
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "model");
	if (cJSON_IsString(v)) {
		t = feedback_field(r, v->valuestring, 128);
		cJSON_AddStringToObject(c, "model", t);
		free(t);
	}
	cJSON_AddStringToObject(c, "question", question);
	free(question);
	t = feedback_text(r, a->valuestring);
	cJSON_AddStringToObject(c, "answer", t);
	free(t);
	cJSON_Delete(o);
	return c;
}

cJSON *
feedback_parse(const char *body, size_t len, const struct redactor *r, const char *assistant,
    struct feedback_stats *st)
{
	const char *s = body, *end = body + len, *nl, *b;
	struct redactor *own = NULL;
	cJSON *list, *c;
	int line = 0;

	memset(st, 0, sizeof *st);
	if (r == NULL && (r = own = redactor_create(NULL, NULL, 0, 0, NULL)) == NULL)
		fatal("cannot create the redactor");
	list = cJSON_CreateArray();
	if (body == NULL)
		s = end = "";
	while (s < end) {
		line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		for (b = s; b < nl && strchr(" \t\r", *b) != NULL && *b != '\0'; b++)
			;
		if (b < nl) {
			st->lines++;
			if ((c = feedback_line(s, (size_t)(nl - s), line, r, assistant, st)) != NULL)
				cJSON_AddItemToArray(list, c);
			/* The newest are last: the oldest go first. */
			if (cJSON_GetArraySize(list) > FEEDBACK_MAX_CONV) {
				cJSON_DeleteItemFromArray(list, 0);
				st->dropped++;
			}
		}
		s = nl + 1;
	}
	redactor_free(own);
	return list;
}

/* Whether a sentence of an answer is worth quoting: no placeholder, a few words. */
static int
feedback_quotable(const char *s, size_t n)
{
	size_t i, words = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '[' || s[i] == '^' || s[i] == '"' || s[i] == '\\')
			return 0;
		if (s[i] == ' ' && i > 0 && s[i - 1] != ' ')
			words++;
	}
	return words >= 2;
}

char *
feedback_excerpt(const char *answer)
{
	const char *p = answer, *best = NULL, *start;
	size_t n, bestn = 0, cut;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		start = p;
		n = strcspn(p, ".!?\n");
		p += n;
		if (feedback_quotable(start, n) && n > bestn) {
			best = start;
			bestn = n;
		}
		if (*p != '\0')
			p++;
	}
	if (best == NULL) {
		/* No sentence to quote: the answer's start, whatever it holds. */
		best = answer + strspn(answer, " \n\t");
		bestn = strcspn(best, "\n");
	}
	if (bestn > EXCERPT_MAX) {
		cut = utf8_prefix(best, bestn, EXCERPT_MAX);
		/* At a word, when there is one to cut at. */
		for (n = cut; n > EXCERPT_MAX / 2 && best[n] != ' '; n--)
			;
		bestn = best[n] == ' ' ? n : cut;
	}
	while (bestn > 0 && best[bestn - 1] == ' ')
		bestn--;
	return xstrndup(best, bestn);
}

/* A conversation's id as part of a case id: letters, digits and . _ - only. */
static char *
feedback_case_id(const char *id)
{
	char *out = xprintf("feedback-%.64s", id), *p;

	for (p = out; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			*p = '_';
	}
	return out;
}

static void
feedback_comment(struct buf *b, const char *text)
{
	const char *p, *nl;

	for (p = text; ; p = nl + 1) {
		nl = strchr(p, '\n');
		buf_printf(b, "#   %.*s\n", nl != NULL ? (int)(nl - p) : (int)strlen(p), p);
		if (nl == NULL)
			break;
	}
}

char *
feedback_case_text(const cJSON *c)
{
	const char *id = json_str(c, "id", ""), *answer = json_str(c, "answer", "");
	char when[64] = "time unknown", *cid, *excerpt, *line;
	cJSON *o, *asserts, *a;
	struct buf b;
	struct tm tm;
	time_t t;

	if (cJSON_IsNumber(cJSON_GetObjectItem(c, "time"))) {
		t = (time_t)json_num(c, "time");
		if (gmtime_r(&t, &tm) != NULL)
			strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	}
	buf_init(&b);
	buf_printf(&b, "# An eval case from conversation %s, rated negative: assistant %s,\n"
	    "# model %s, %s", id, json_str(c, "assistant", "?"), json_str(c, "model", "?"), when);
	if (cJSON_GetObjectItem(c, "release") != NULL)
		buf_printf(&b, ", release %s", json_str(c, "release", ""));
	buf_addstr(&b, ".\n");
	buf_addstr(&b,
	    "# The customer's question (redacted) is the input; the assertion says what a good\n"
	    "# answer must or must not hold. Edit the one line of JSON at the bottom:\n"
	    "#   {\"not_contains\": \"TEXT\"}  the bad answer's words must not come back\n"
	    "#   {\"contains\": \"TEXT\"}      a good answer says this\n"
	    "#   {\"regex\": \"ERE\"}  {\"max_chars\": N}  {\"json_valid\": true}  "
	    "{\"equals\": \"TEXT\"}\n"
	    "#   \"repeat\": N, \"min_pass\": M  run it N times, M must pass\n"
	    "# Lines starting with # are dropped. Saved unchanged, or with no case left,\n"
	    "# nothing is proposed; else the case is added to production's evals.jsonl and\n"
	    "# proposed for review (four eyes).\n"
	    "#\n"
	    "# The question:\n");
	feedback_comment(&b, json_str(c, "question", ""));
	buf_addstr(&b, "# The bad answer:\n");
	feedback_comment(&b, answer);
	buf_addstr(&b, "#\n");

	cid = feedback_case_id(id);
	excerpt = feedback_excerpt(answer);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", cid);
	cJSON_AddStringToObject(o, "input", json_str(c, "question", ""));
	asserts = cJSON_AddArrayToObject(o, "assert");
	a = cJSON_CreateObject();
	if (*excerpt != '\0')
		cJSON_AddStringToObject(a, "not_contains", excerpt);
	else
		cJSON_AddNumberToObject(a, "max_chars", 600);
	cJSON_AddItemToArray(asserts, a);
	if ((line = cJSON_PrintUnformatted(o)) == NULL)
		fatal("out of memory");
	buf_printf(&b, "%s\n", line);
	cJSON_free(line);
	cJSON_Delete(o);
	free(cid);
	free(excerpt);
	return buf_take(&b);
}

/* Length of s without trailing blanks and line ends. */
static size_t
feedback_trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	return n;
}

char *
feedback_case_take(const char *edited, const char *prefilled, const char *evals,
    char **cause)
{
	const char *p, *nl, *b, *found = NULL, *prefix = "evals.jsonl:1: ";
	size_t n = feedback_trimmed(edited), found_len = 0, elen;
	struct buf out;
	cJSON *cases;
	char *why;
	int count = 0;

	if (n == feedback_trimmed(prefilled) && strncmp(edited, prefilled, n) == 0) {
		*cause = xstrdup("the case is unchanged: nothing was proposed (edit it, or "
		    "leave no case to drop it)");
		return NULL;
	}
	for (p = edited; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		for (b = p; b < nl && strchr(" \t\r", *b) != NULL; b++)
			;
		if (b == nl || *b == '#')
			continue;
		if (count++ == 0) {
			found = p;
			found_len = (size_t)(nl - p);
		}
	}
	if (count == 0) {
		*cause = xstrdup("no case left (only comments and blank lines): nothing was "
		    "proposed");
		return NULL;
	}
	if (count > 1) {
		*cause = xprintf("%d lines that are not comments: one case, on one line; "
		    "nothing was proposed", count);
		return NULL;
	}
	while (found_len > 0 && strchr(" \t\r", found[found_len - 1]) != NULL)
		found_len--;
	if ((cases = eval_parse(found, found_len, &why)) == NULL) {
		/* The case is one line: its number says nothing. */
		*cause = xprintf("the case: %s; nothing was proposed",
		    strncmp(why, prefix, strlen(prefix)) == 0 ? why + strlen(prefix) : why);
		free(why);
		return NULL;
	}
	cJSON_Delete(cases);

	buf_init(&out);
	elen = evals != NULL ? strlen(evals) : 0;
	if (elen > 0) {
		buf_add(&out, evals, elen);
		if (evals[elen - 1] != '\n')
			buf_addch(&out, '\n');
	}
	buf_add(&out, found, found_len);
	buf_addch(&out, '\n');
	if ((cases = eval_parse(out.data, out.len, &why)) == NULL) {
		*cause = xprintf("%s; nothing was proposed", why);
		free(why);
		buf_free(&out);
		return NULL;
	}
	cJSON_Delete(cases);
	return buf_take(&out);
}
