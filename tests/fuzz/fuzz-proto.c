/* SPDX-License-Identifier: ISC */
/* libFuzzer target: the protocol's line decoder and request parser on arbitrary bytes, fed
   in pieces as a socket would deliver them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "backend/proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf lb;
	const char *line;
	size_t len, off, step;
	enum line_result r;
	cJSON *req, *err;

	linebuf_init(&lb, 4096);
	/* The first byte picks the size of the pieces. */
	step = size > 0 ? (size_t)data[0] % 64 + 1 : 1;
	for (off = 0; off < size; off += step) {
		linebuf_feed(&lb, (const char *)data + off, size - off < step ? size - off : step);
		while ((r = linebuf_next(&lb, &line, &len)) != LINE_NONE) {
			if (r == LINE_TOO_LONG)
				continue;
			err = NULL;
			req = proto_parse_request(line, len, &err);
			/* Every line is a request or an error reply, never neither or both. */
			if ((req == NULL) == (err == NULL))
				abort();
			cJSON_Delete(req);
			cJSON_Delete(err);
		}
	}
	linebuf_free(&lb);
	return 0;
}
