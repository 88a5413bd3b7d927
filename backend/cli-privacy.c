/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/format.h"
#include "backend/json.h"

static int
privacy_opts(struct cli *cli, int argc, char **argv, int *dry, const char **subject)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "subject", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			cli->json = 1;
			break;
		case 'n':
			*dry = 1;
			break;
		case 's':
			*subject = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	return optind == argc ? 0 : EXIT_USAGE;
}

static void
print_purge(const cJSON *r)
{
	const cJSON *c;
	int dry = cJSON_IsTrue(cJSON_GetObjectItem(r, "dry_run"));
	char age[32];

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "classes")) {
		if (json_num(c, "keep") <= 0) {
			printf("%-18s kept for ever\n", json_str(c, "class", ""));
			continue;
		}
		format_age(age, sizeof age, (long)json_num(c, "keep"));
		printf("%-18s older than %s: %.0f %s\n", json_str(c, "class", ""), age,
		    json_num(c, "count"), dry ? "would go" : "removed");
	}
}

/* leitstand purge [--dry-run] [--json] */
int
cli_purge(struct cli *cli, int argc, char **argv)
{
	const char *subject = NULL;
	int dry = 0;
	cJSON *req;

	if (privacy_opts(cli, argc, argv, &dry, &subject) != 0 || subject != NULL)
		return EXIT_USAGE;
	req = client_request("purge");
	cJSON_AddBoolToObject(req, "dry_run", dry);
	return cli_run(cli, req, print_purge);
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

	if (cJSON_GetArraySize(cJSON_GetObjectItem(r, "changed")) == 0)
		printf("nothing stored mentions the subject\n");
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "changed"))
		printf("%-24s %.0f\n", c->string, c->valuedouble);
}

/* leitstand gdpr export|erase --subject TEXT [--json] */
int
cli_gdpr(struct cli *cli, int argc, char **argv)
{
	const char *subject = NULL;
	int dry = 0, erase = strcmp(argv[0], "erase") == 0;
	cJSON *req;

	if (privacy_opts(cli, argc, argv, &dry, &subject) != 0 || dry)
		return EXIT_USAGE;
	if (subject == NULL) {
		cli_error("gdpr %s: --subject is required (a name, an e-mail address, a user)",
		    argv[0]);
		return EXIT_USAGE;
	}
	req = client_request(erase ? "gdpr.erase" : "gdpr.export");
	cJSON_AddStringToObject(req, "subject", subject);
	return cli_run(cli, req, erase ? print_erase : print_export);
}
