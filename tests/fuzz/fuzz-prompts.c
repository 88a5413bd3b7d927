/* SPDX-License-Identifier: ISC */
/* libFuzzer target: the files of a prompt proposal (system.md, model.ini, evals.jsonl) as
   a proposer sends them or a repository holds them. The first byte picks the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/prompts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *name;
	struct model_ini m;
	char *text, *cause = NULL;

	if (size == 0)
		return 0;
	name = prompts_files[data[0] % 3];
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	/* Every refusal names the file. */
	if (prompts_check_file(name, text, size - 1, &cause) != 0 &&
	    (cause == NULL || strncmp(cause, name, strlen(name)) != 0))
		abort();
	free(cause);
	cause = NULL;

	/* model.ini as read from a repository, NUL bytes and all: a model id or a reason. */
	if (model_ini_parse(text, &m, &cause) == 0) {
		if (cause != NULL || m.id == NULL || *m.id == '\0' || m.temperature > 2 ||
		    m.max_tokens < 0 || m.max_tokens > 1000000)
			abort();
		model_ini_free(&m);
	} else if (cause == NULL || strncmp(cause, "model.ini", 9) != 0 || m.id != NULL)
		abort();
	free(cause);
	free(text);
	return 0;
}
