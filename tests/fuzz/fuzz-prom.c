/* SPDX-License-Identifier: ISC */
/* libFuzzer target: the Prometheus query API reply parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/prom.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prom_response r;
	char *copy = malloc(size + 1), *cause = NULL;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	memset(&r, 0, sizeof r);
	if (prom_parse(copy, size, &r, &cause) == 0) {
		if (cause != NULL)
			abort();
		prom_response_free(&r);
	} else if (cause == NULL)
		abort();
	free(cause);
	free(copy);
	return 0;
}
