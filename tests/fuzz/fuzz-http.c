/* SPDX-License-Identifier: ISC */
/* libFuzzer target: the header lines of an HTTP response as a server sends them, one per
   line of the input, read for Retry-After (seconds or an HTTP-date). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct http_reply r;
	size_t len;

	memset(&r, 0, sizeof r);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		http_header_line(&r, p, len);
		/* A wait is a number of seconds from now: never negative, never NaN. */
		if (!isfinite(r.retry_after) || r.retry_after < 0)
			abort();
		p += len;
	}
	return 0;
}
