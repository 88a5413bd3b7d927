/* SPDX-License-Identifier: ISC */
/* leitstand prompt feedback: the conversations rated negative, as the daemon read them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/cli.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define TEXT_SHOWN	300	/* bytes of a question or an answer on its line */

/* "  Q: text" on one line: the text's lines joined by " / ", cut to TEXT_SHOWN bytes. */
static void
put_text(const char *label, const char *s)
{
	size_t n = utf8_prefix(s, strlen(s), TEXT_SHOWN), i;
	char *line = xstrndup(s, n);

	for (i = 0; line[i] != '\0'; i++) {
		if (line[i] == '\n')
			line[i] = ' ';
	}
	printf("  %s: ", label);
	cli_put(line);
	printf("%s\n", n < strlen(s) ? "..." : "");
	free(line);
}

static void
print_feedback(const cJSON *r)
{
	const cJSON *c, *list = cJSON_GetObjectItem(r, "conversations");
	char t[32], *head;

	head = xprintf("%d conversation(s) rated negative from %s", cJSON_GetArraySize(list),
	    json_str(r, "url", ""));
	cli_put(head);
	free(head);
	if (json_num_or(r, "skipped", 0) > 0) {
		printf("; %.0f line(s) skipped (", json_num(r, "skipped"));
		cli_put(json_str(r, "problem", ""));
		printf(")");
	}
	if (json_num_or(r, "dropped", 0) > 0)
		printf("; %.0f older ones left out", json_num(r, "dropped"));
	printf("\n");
	cJSON_ArrayForEach(c, list) {
		if (cJSON_IsNumber(cJSON_GetObjectItem(c, "time")))
			format_time(t, sizeof t, (time_t)json_num(c, "time"));
		else
			snprintf(t, sizeof t, "-");
		head = xprintf("\n%s  %s  %s  release %s  %s\n", json_str(c, "id", ""), t,
		    json_str(c, "assistant", "-"), json_str(c, "release", "-"),
		    json_str(c, "model", "-"));
		cli_put(head);
		free(head);
		put_text("Q", json_str(c, "question", ""));
		put_text("A", json_str(c, "answer", ""));
	}
}

const struct cli_hook cli_feedback_hooks[] = {
	{ .op = "prompt.feedback", .print = print_feedback },
	{ .op = NULL }
};
