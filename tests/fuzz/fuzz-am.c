/* SPDX-License-Identifier: ISC */
/* libFuzzer target: the Alertmanager API v2 alerts parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/am.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct am_alerts a;
	char *copy = malloc(size + 1), *cause = NULL;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (am_parse(copy, size, &a, &cause) == 0) {
		if (cause != NULL)
			abort();
		am_alerts_free(&a);
	} else if (cause == NULL || a.n != 0)
		abort();
	free(cause);
	free(copy);
	return 0;
}
