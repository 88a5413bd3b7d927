/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/format.h"
#include "backend/json.h"

static void
print_purge(const cJSON *r)
{
	const cJSON *c;
	int dry = cJSON_IsTrue(cJSON_GetObjectItem(r, "dry_run"));
	char age[32];

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "classes")) {
		if (json_num(c, "keep") <= 0) {
			printf("%-20s kept for ever\n", json_str(c, "class", ""));
			continue;
		}
		format_age(age, sizeof age, (long)json_num(c, "keep"));
		printf("%-20s older than %s: %.0f %s\n", json_str(c, "class", ""), age,
		    json_num(c, "count"), dry ? "would go" : "removed");
	}
}

static void
print_export(const cJSON *r)
{
	char *text = cJSON_Print(cJSON_GetObjectItem(r, "records"));

	/* An export for the data subject: the stored bytes as they are, in JSON. */
	puts(text != NULL ? text : "{}");
	cJSON_free(text);
}

static void
print_erase(const cJSON *r)
{
	const cJSON *c;
	int dry = cJSON_IsTrue(cJSON_GetObjectItem(r, "dry_run"));

	if (cJSON_GetArraySize(cJSON_GetObjectItem(r, "changed")) == 0)
		printf("nothing stored mentions the subject\n");
	else if (dry)
		printf("dry run, nothing changed; an erase would change:\n");
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "changed"))
		printf("%-24s %.0f\n", c->string, c->valuedouble);
	/* How much of each table it is: a person is rarely more than a few percent. */
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "matches")) {
		printf("in %.0f of %.0f %s (%.0f %%)\n", json_num(c, "rows"), json_num(c, "of"),
		    json_str(c, "noun", "rows"), json_num(c, "of") > 0 ?
		    100 * json_num(c, "rows") / json_num(c, "of") : 0);
	}
}

const struct cli_hook cli_privacy_hooks[] = {
	{ .op = "purge", .print = print_purge },
	{ .op = "gdpr.export", .print = print_export },
	{ .op = "gdpr.erase", .print = print_erase },
	{ .op = NULL }
};
