/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: a query with ${placeholders} expanded for every dialect, and the metric
 * names read out of it. Properties: a query without placeholders comes back unchanged, an
 * unknown placeholder is the only failure, and each name found is a substring of the query.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/config.h"
#include "backend/dialect.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	static int loaded;
	struct dialect d;
	char *q, *out, *cause = NULL, *check, *names[16];
	size_t i, n;
	int k;

	if (!loaded && config_load(&cfg, NULL, &cause) != 0)
		abort();
	loaded = 1;
	if ((q = malloc(size + 1)) == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	memset(&d, 0, sizeof d);
	for (k = 0; k < DIALECT_COUNT; k++) {
		dialect_set(&d, k);
		out = dialect_expand(&d, &cfg, q, &cause);
		if (out == NULL) {
			if (cause == NULL || (check = dialect_check(q)) == NULL)
				abort();
			free(check);
			free(cause);
			cause = NULL;
			continue;
		}
		if (!dialect_templated(q) && strcmp(out, q) != 0)
			abort();
		n = dialect_metric_names(out, names, 16);
		for (i = 0; i < n; i++) {
			if (strstr(out, names[i]) == NULL)
				abort();
			free(names[i]);
		}
		free(out);
	}
	dialect_clear(&d);
	free(q);
	return 0;
}
