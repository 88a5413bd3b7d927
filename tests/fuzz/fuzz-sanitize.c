/* SPDX-License-Identifier: ISC */
/* libFuzzer target: the sanitiser; its output never holds a control character, in UTF-8 or
   ASCII mode, and the log form is printable ASCII. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/sanitize.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(const char *s, int ascii)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || (ascii && *p >= 0x80))
			abort();
		/* C1 controls (U+0080..U+009F) are C2 80..C2 9F in UTF-8. */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out;
	int width, cols = size > 0 ? data[0] % 100 : 10;

	out = sanitize((const char *)data, size, cols, 0, &width);
	check(out, 0);
	if (width > cols)
		abort();
	free(out);
	out = sanitize((const char *)data, size, cols, SANITIZE_ASCII, &width);
	check(out, 1);
	free(out);
	out = sanitize_log((const char *)data, size);
	check(out, 1);
	free(out);
	return 0;
}
