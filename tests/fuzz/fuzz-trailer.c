/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: commit message trailers. The input is up to three NUL-separated parts:
 * a commit message, as a repository anyone may push to holds it, is parsed; then the same
 * text becomes the description of a release message whose Author and Gate-override are the
 * other parts, and reading that message back must give exactly the trailers written, whatever
 * the description's last paragraph says.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/trailer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The next NUL-separated part of the input, or NULL when there is none (*p is NULL). */
static char *
part(const char **p, const char *end)
{
	const char *nul;
	char *s;
	size_t len;

	if (*p == NULL)
		return NULL;
	nul = memchr(*p, '\0', (size_t)(end - *p));
	len = nul != NULL ? (size_t)(nul - *p) : (size_t)(end - *p);
	s = malloc(len + 1);
	memcpy(s, *p, len);
	s[len] = '\0';
	*p = nul != NULL ? nul + 1 : NULL;
	return s;
}

/* Whether o holds key with v as trailer_message writes it: control characters dropped or
   made spaces, blanks trimmed, and no key at all when that leaves nothing. Adds to *n. */
static int
holds(const cJSON *o, const char *key, const char *v, int *n)
{
	const cJSON *got = cJSON_GetObjectItemCaseSensitive(o, key);
	const char *s;
	char *want = malloc(strlen(v) + 1), *w = want;
	size_t len;
	int ok;

	for (; *v != '\0'; v++) {
		if (*v == '\t' || *v == '\n' || *v == '\r')
			*w++ = ' ';
		else if ((unsigned char)*v >= 0x20 && *v != 0x7f)
			*w++ = *v;
	}
	*w = '\0';
	for (s = want; *s == ' '; s++)
		;
	for (len = strlen(s); len > 0 && s[len - 1] == ' '; len--)
		;
	if (len == 0)
		ok = got == NULL;
	else {
		ok = cJSON_IsString(got) && strlen(got->valuestring) == len &&
		    memcmp(got->valuestring, s, len) == 0;
		(*n)++;
	}
	free(want);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *text = part(&p, end), *author = part(&p, end), *reason = part(&p, end), *msg;
	struct trailer tr[3] = {
		{ .key = "Proposal", .value = "12" },
		{ .key = "Author", .value = author != NULL ? author : "alice" },
		{ .key = "Gate-override", .value = reason },
	};
	cJSON *o;
	int n = 0;

	cJSON_Delete(trailer_parse(text));

	msg = trailer_message(text, tr, 3);
	o = trailer_parse(msg);
	if (!holds(o, "Proposal", "12", &n) || !holds(o, "Author", tr[1].value, &n) ||
	    !holds(o, "Gate-override", reason != NULL ? reason : "", &n) ||
	    cJSON_GetArraySize(o) != n)
		abort();
	cJSON_Delete(o);
	free(msg);
	free(text);
	free(author);
	free(reason);
	return 0;
}
