/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/proto.h"
#include "backend/xmalloc.h"

void
linebuf_init(struct linebuf *lb, size_t max)
{
	buf_init(&lb->in);
	lb->pos = 0;
	lb->max = max;
	lb->discarding = 0;
}

void
linebuf_free(struct linebuf *lb)
{
	buf_free(&lb->in);
}

void
linebuf_feed(struct linebuf *lb, const char *p, size_t n)
{
	buf_drain(&lb->in, lb->pos);
	lb->pos = 0;
	buf_add(&lb->in, p, n);
}

void
linebuf_trim(struct linebuf *lb, size_t keep)
{
	if (lb->pos >= lb->in.len && lb->in.cap > keep) {
		buf_free(&lb->in);
		lb->pos = 0;
	}
}

enum line_result
linebuf_next(struct linebuf *lb, const char **line, size_t *len)
{
	char *start, *nl;
	size_t avail, n;

	for (;;) {
		if (lb->pos >= lb->in.len)
			return LINE_NONE;
		start = lb->in.data + lb->pos;
		avail = lb->in.len - lb->pos;
		nl = memchr(start, '\n', avail);
		if (nl == NULL) {
			/* Room for a CR before the newline that has not come yet. */
			if (avail <= lb->max + 1)
				return LINE_NONE;
			buf_reset(&lb->in);
			lb->pos = 0;
			if (lb->discarding)
				return LINE_NONE;
			lb->discarding = 1;
			return LINE_TOO_LONG;
		}
		n = (size_t)(nl - start);
		lb->pos += n + 1;
		if (lb->discarding) {
			lb->discarding = 0;
			continue;
		}
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (n > lb->max)
			return LINE_TOO_LONG;
		start[n] = '\0';
		*line = start;
		*len = n;
		return LINE_OK;
	}
}

cJSON *
proto_request_id(const cJSON *req)
{
	const cJSON *id = req != NULL ? cJSON_GetObjectItemCaseSensitive(req, "id") : NULL;

	if (id != NULL && (cJSON_IsNumber(id) || cJSON_IsString(id)))
		return cJSON_Duplicate(id, 0);
	return cJSON_CreateNull();
}

cJSON *
proto_reply(const cJSON *req)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddItemToObject(r, "id", proto_request_id(req));
	cJSON_AddTrueToObject(r, "ok");
	return r;
}

cJSON *
proto_error(const cJSON *req, const char *code, const char *fmt, ...)
{
	cJSON *r = cJSON_CreateObject(), *e;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	cJSON_AddItemToObject(r, "id", proto_request_id(req));
	cJSON_AddFalseToObject(r, "ok");
	e = cJSON_AddObjectToObject(r, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	free(msg);
	return r;
}

cJSON *
proto_event(const char *name)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "event", name);
	return e;
}

cJSON *
proto_parse_request(const char *line, size_t len, cJSON **err)
{
	cJSON *req;
	const cJSON *op;
	const char *end = NULL;

	*err = NULL;
	if (memchr(line, '\0', len) != NULL) {
		*err = proto_error(NULL, "bad_request", "request contains a NUL byte");
		return NULL;
	}
	req = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (req == NULL) {
		*err = proto_error(NULL, "bad_request",
		    "request is not valid JSON (at byte %zu)",
		    end != NULL && end >= line ? (size_t)(end - line) : (size_t)0);
		return NULL;
	}
	while (end != NULL && end < line + len && (*end == ' ' || *end == '\t'))
		end++;
	if (end != NULL && end != line + len) {
		*err = proto_error(NULL, "bad_request", "trailing bytes after the JSON object");
		cJSON_Delete(req);
		return NULL;
	}
	if (!cJSON_IsObject(req)) {
		*err = proto_error(NULL, "bad_request", "request must be a JSON object");
		cJSON_Delete(req);
		return NULL;
	}
	op = cJSON_GetObjectItemCaseSensitive(req, "op");
	if (!cJSON_IsString(op) || op->valuestring[0] == '\0') {
		*err = proto_error(req, "bad_request", "request has no \"op\" string");
		cJSON_Delete(req);
		return NULL;
	}
	return req;
}

char *
proto_line(const cJSON *msg, size_t *len)
{
	char *s = cJSON_PrintUnformatted(msg), *line;
	size_t n;

	if (s == NULL)
		fatal("out of memory serialising a message");
	n = strlen(s);
	line = xmalloc(n + 2);
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	cJSON_free(s);
	*len = n + 1;
	return line;
}
