/* SPDX-License-Identifier: ISC */
/* libFuzzer target: evals.jsonl parsing; errors name evals.jsonl and a line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/eval.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size > 0 ? size : 1), *cause = NULL;
	cJSON *cases;

	if (copy == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	if ((cases = eval_parse(copy, size, &cause)) != NULL) {
		if (cause != NULL || eval_total_runs(cases) < 1)
			abort();
		cJSON_Delete(cases);
	} else if (cause == NULL || strncmp(cause, "evals.jsonl", 11) != 0)
		abort();
	free(cause);
	free(copy);
	return 0;
}
