/* SPDX-License-Identifier: ISC */
/* Members of parsed JSON (replies, events, stored objects), with a value for what is missing. */
#ifndef JSON_H
#define JSON_H

#include <cjson/cJSON.h>

/* The string member k of o, or def if it is missing or not a string. */
const char	*json_str(const cJSON *o, const char *k, const char *def);
/* The number member k of o, or NaN if it is missing or not a number. */
double		 json_num(const cJSON *o, const char *k);

#endif
