/* SPDX-License-Identifier: ISC */
/* JSON from outside and members of parsed JSON, with a value for what is missing. */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* The string member k of o, or def if it is missing or not a string. */
const char	*json_str(const cJSON *o, const char *k, const char *def);
/* The number member k of o, or NaN if it is missing or not a number. */
double		 json_num(const cJSON *o, const char *k);
/* The number member k of o, or def. */
double		 json_num_or(const cJSON *o, const char *k, double def);

/* A whole reply body as one JSON document; NULL with *cause for an empty body, a NUL byte, a
   syntax error or bytes after the document, naming the byte and quoting the body's start. */
cJSON		*json_parse_body(const char *body, size_t len, char **cause);
/* An escaped copy of at most max bytes of s in quotes, "..." after it if cut: for causes. */
char		*json_quote(const char *s, size_t len, size_t max);
/* Sets *cause and returns -1. */
int		 json_fail(char **cause, const char *fmt, ...)
		     __attribute__((format(printf, 2, 3)));

#endif
