/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: an assistant's answer, as its chat endpoint sends it, checked by the
 * assertions of an eval case. The first line is the assertion (JSON, as in evals.jsonl), the
 * rest the answer. Regular expressions are left out: glibc's matcher is not ours to fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/eval.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t alen = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	char *answer, *why = NULL;
	cJSON *a;
	int ok;

	if ((a = cJSON_ParseWithLength((const char *)data, alen)) == NULL)
		return 0;
	if (cJSON_GetObjectItemCaseSensitive(a, "regex") != NULL) {
		cJSON_Delete(a);
		return 0;
	}
	alen = nl != NULL ? size - alen - 1 : 0;
	answer = malloc(alen + 1);
	if (alen > 0)
		memcpy(answer, nl + 1, alen);
	answer[alen] = '\0';
	/* An answer passes, or fails with a reason. */
	ok = eval_assert(a, answer, &why);
	if ((ok == 1) != (why == NULL) || (ok != 0 && ok != 1))
		abort();
	free(why);
	free(answer);
	cJSON_Delete(a);
	return 0;
}
