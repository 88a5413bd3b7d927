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
/* 1 and *out if the member k of o is a finite number, else 0. */
int		 json_finite(const cJSON *o, const char *k, double *out);
/* 1 and *out (truncated) if the member k is a number that can be an id, a time or a duration
   (at most 1e15 either side of 0), else 0. */
int		 json_int(const cJSON *o, const char *k, long long *out);
/* The member k as a time (seconds since the epoch) if it is positive, else 0. */
long long	 json_time(const cJSON *o, const char *k);
/* The array member k of o, or NULL. */
const cJSON	*json_array(const cJSON *o, const char *k);
/* 1 if the member k of o is the string want. */
int		 json_is(const cJSON *o, const char *k, const char *want);

/* A whole reply body as one JSON document; NULL with *cause for an empty body, a NUL byte, a
   syntax error or bytes after the document, naming the byte and quoting the body's start. */
cJSON		*json_parse_body(const char *body, size_t len, char **cause);
/* An escaped copy of at most max bytes of s in quotes, "..." after it if cut: for causes. */
char		*json_quote(const char *s, size_t len, size_t max);
/* Sets *cause and returns -1. */
int		 json_fail(char **cause, const char *fmt, ...)
		     __attribute__((format(printf, 2, 3)));

#endif
