/* SPDX-License-Identifier: ISC */
#include <stdio.h>

#include "backend/cli.h"
#include "backend/json.h"

/* "email     sent: 250 2.0.0 Ok: queued", one line per channel. */
static void
print_test(const cJSON *r)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(r, "results")) {
		printf("%-9s %s", json_str(e, "channel", "?"), "sent");
		if (cJSON_IsString(cJSON_GetObjectItem(e, "detail"))) {
			printf(": ");
			cli_put(json_str(e, "detail", ""));
		}
		putchar('\n');
	}
}

const struct cli_hook cli_notify_hooks[] = {
	{ .op = "notify.test", .print = print_test },
	{ .op = NULL }
};
