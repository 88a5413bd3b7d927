/* SPDX-License-Identifier: ISC */
/* libFuzzer target: a chat completions request body as `leitstand sim serve` reads it from
   whoever reaches its port. An answer, or an error made of printable ASCII only. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "backend/sim-model.h"
#include "backend/sim.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_model *m;
	char *answer, *cause = NULL;
	const char *p;

	if (m == NULL)
		m = sim_model_create(1);
	answer = sim_chat_answer(m, (const char *)data, size, &cause);
	if ((answer == NULL) == (cause == NULL))
		abort();
	for (p = cause; p != NULL && *p != '\0'; p++) {
		if (*p < 0x20 || *p > 0x7e)
			abort();
	}
	free(answer);
	free(cause);
	return 0;
}
