/* SPDX-License-Identifier: ISC */
/* libFuzzer target: playbook_parse() on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/playbook.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parses one input; the parse either succeeds or reports "FILE:LINE: msg" lines. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON	*pb;
	char	*errors = NULL, *copy, *s;

	/* A copy of exactly size bytes, so ASan sees any read past the end. */
	copy = malloc(size > 0 ? size : 1);
	if (copy == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	pb = playbook_parse(copy, size, "fuzz.md", &errors);
	if (pb != NULL) {
		if (errors != NULL)
			abort();
		s = cJSON_PrintUnformatted(pb);
		free(s);
		cJSON_Delete(pb);
	} else {
		if (errors == NULL || strncmp(errors, "fuzz.md:", 8) != 0)
			abort();
		for (s = errors; (s = strchr(s, '\n')) != NULL; s++) {
			if (strncmp(s + 1, "fuzz.md:", 8) != 0 ||
			    s[9] < '1' || s[9] > '9')
				abort();
		}
		free(errors);
	}
	free(copy);
	return 0;
}
