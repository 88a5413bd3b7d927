/* SPDX-License-Identifier: ISC */
/* libFuzzer target: the negative feedback feed. What comes out holds no control character
   but line ends, and the eval case written from any conversation parses. */
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/eval.h"
#include "backend/feedback.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_text(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(c, key);
	const unsigned char *p;

	if (v == NULL)
		return;
	if (!cJSON_IsString(v))
		abort();
	for (p = (const unsigned char *)v->valuestring; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	struct feedback_stats st;
	const cJSON *c;
	cJSON *list, *cases;
	char *text, *cause = NULL;

	if (!once++)
		setlocale(LC_CTYPE, "C.UTF-8");
	list = feedback_parse((const char *)data, size, NULL, NULL, &st);
	if (st.skipped > st.lines || (st.skipped > 0) != (st.problem != NULL))
		abort();
	cJSON_ArrayForEach(c, list) {
		check_text(c, "id");
		check_text(c, "question");
		check_text(c, "answer");
		check_text(c, "model");
		check_text(c, "release");
		text = feedback_case_text(c);
		if ((cases = eval_parse(text, strlen(text), &cause)) == NULL)
			abort();
		cJSON_Delete(cases);
		free(text);
	}
	cJSON_Delete(list);
	feedback_stats_clear(&st);
	return 0;
}
