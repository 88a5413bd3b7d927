/* SPDX-License-Identifier: ISC */
/* Commit messages with trailers ("Proposal: 12", "Approved-by: bob"), as git writes and
   reads them, so `git log` and `git interpret-trailers` see what the daemon wrote. */
#ifndef TRAILER_H
#define TRAILER_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct trailer {
	const char	*key;
	const char	*value;		/* NULL: left out */
};

/* A commit message: the subject (first line of text, control characters dropped), the rest
   of text as body, and the trailers as the last paragraph. Trailer values are flattened to
   one line and trimmed, and left out when empty; a body paragraph that looks like trailers
   can never pass for ours. New string. */
char	*trailer_message(const char *text, const struct trailer *, size_t n);
/* The trailers of a message as an object, key to value (the last of a key wins). */
cJSON	*trailer_parse(const char *message);

#endif
