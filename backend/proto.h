/* SPDX-License-Identifier: ISC */
/* The wire protocol: newline-delimited JSON requests, replies and events. */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "backend/buf.h"

#define PROTO_VERSION 1

/* Splits a byte stream into lines of at most max bytes. */
struct linebuf {
	struct buf	in;
	size_t		pos;		/* start of the unread part of in */
	size_t		max;
	int		discarding;	/* inside an over-long line, dropping until its end */
};

enum line_result {
	LINE_NONE,		/* need more bytes */
	LINE_OK,		/* *line, *len set: NUL-terminated, valid until the next call */
	LINE_TOO_LONG,		/* an over-long line was dropped (reported once) */
};

void		 linebuf_init(struct linebuf *, size_t max);
void		 linebuf_free(struct linebuf *);
void		 linebuf_feed(struct linebuf *, const char *, size_t);
enum line_result linebuf_next(struct linebuf *, const char **line, size_t *len);
/* Gives a buffer larger than keep bytes back once everything in it has been read. */
void		 linebuf_trim(struct linebuf *, size_t keep);

/* Parses a request line; returns the request or NULL with an error reply in *err. */
cJSON		*proto_parse_request(const char *, size_t, cJSON **err);
/* The id of a request as a JSON value to echo (null when absent). */
cJSON		*proto_request_id(const cJSON *);
cJSON		*proto_reply(const cJSON *req);
cJSON		*proto_error(const cJSON *req, const char *code, const char *fmt, ...)
		     __attribute__((format(printf, 3, 4)));
cJSON		*proto_event(const char *name);
/* Serialises a message as one line with its newline. */
char		*proto_line(const cJSON *, size_t *);

#endif
