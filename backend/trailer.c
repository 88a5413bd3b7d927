/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/git-dl.h"
#include "backend/trailer.h"
#include "backend/xmalloc.h"

/* Appends s without control characters (newlines become spaces when flat, else kept). A
   line that starts with "---" once they are gone is indented: git takes it for the start of
   a patch and reads trailers only from the paragraph before it, which could be the text's. */
static void
add_clean(struct buf *b, const char *s, size_t len, int flat)
{
	struct buf clean;
	size_t i;
	unsigned char c;

	buf_init(&clean);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\n' && !flat)
			buf_addch(&clean, '\n');
		else if (c == '\t' || c == '\n' || c == '\r')
			buf_addch(&clean, ' ');
		else if (c >= 0x20 && c != 0x7f)
			buf_addch(&clean, (char)c);
	}
	for (i = 0; i < clean.len; i++) {
		if ((i == 0 || clean.data[i - 1] == '\n') && clean.len - i >= 3 &&
		    strncmp(clean.data + i, "---", 3) == 0)
			buf_addch(b, ' ');
		buf_addch(b, clean.data[i]);
	}
	buf_free(&clean);
}

char *
trailer_message(const char *text, const struct trailer *t, size_t n)
{
	struct buf b, v;
	const char *p = text, *nl;
	size_t i, len;

	buf_init(&b);
	p += strspn(p, " \t\r\n");
	nl = strchr(p, '\n');
	len = nl != NULL ? (size_t)(nl - p) : strlen(p);
	add_clean(&b, p, len, 1);
	if (b.len == 0)
		buf_addstr(&b, "(no description)");
	if (nl != NULL) {
		p = nl + 1 + strspn(nl + 1, " \t\r\n");
		len = strlen(p);
		while (len > 0 && strchr(" \t\r\n", p[len - 1]) != NULL)
			len--;
		if (len > 0) {
			buf_addstr(&b, "\n\n");
			add_clean(&b, p, len, 0);
		}
	}
	/* git reads trailers from the last paragraph only: with at least one trailer that is
	   always ours, whatever the body's last paragraph looks like. */
	buf_addstr(&b, "\n\n");
	buf_init(&v);
	for (i = 0; i < n; i++) {
		if (t[i].value == NULL)
			continue;
		/* Trimmed as git reads it back; an empty value would swallow the next line. */
		v.len = 0;
		add_clean(&v, t[i].value, strlen(t[i].value), 1);
		for (p = v.data, len = v.len; len > 0 && *p == ' '; p++, len--)
			;
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0)
			buf_printf(&b, "%s: %.*s\n", t[i].key, (int)len, p);
	}
	buf_free(&v);
	return buf_take(&b);
}

cJSON *
trailer_parse(const char *message)
{
	git_message_trailer_array arr;
	cJSON *o = cJSON_CreateObject();
	char *cause = NULL;
	size_t i;

	memset(&arr, 0, sizeof arr);
	if (git_dl_load(&cause) != 0) {
		free(cause);
		return o;
	}
	if (git_message_trailers(&arr, message) != 0)
		return o;
	for (i = 0; i < arr.count; i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, arr.trailers[i].key);
		cJSON_AddStringToObject(o, arr.trailers[i].key, arr.trailers[i].value);
	}
	git_message_trailer_array_free(&arr);
	return o;
}
