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
privacy_opts(struct cli *cli, int argc, char **argv, int *dry, int *force,
    const char **subject)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
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
		case 'f':
			*force = 1;
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
	int dry = 0, force = 0;
	cJSON *req;

	if (privacy_opts(cli, argc, argv, &dry, &force, &subject) != 0 || subject != NULL ||
	    force)
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

/* leitstand gdpr export|erase --subject TEXT [--dry-run] [--force] [--json] */
int
cli_gdpr(struct cli *cli, int argc, char **argv)
{
	const char *subject = NULL;
	int dry = 0, force = 0, erase = strcmp(argv[0], "erase") == 0;
	cJSON *req;

	if (privacy_opts(cli, argc, argv, &dry, &force, &subject) != 0 ||
	    (!erase && (dry || force)))
		return EXIT_USAGE;
	if (subject == NULL) {
		cli_error("gdpr %s: --subject is required (a name, an e-mail address, a user)",
		    argv[0]);
		return EXIT_USAGE;
	}
	req = client_request(erase ? "gdpr.erase" : "gdpr.export");
	cJSON_AddStringToObject(req, "subject", subject);
	if (dry)
		cJSON_AddBoolToObject(req, "dry_run", 1);
	if (force)
		cJSON_AddBoolToObject(req, "force", 1);
	return cli_run(cli, req, erase ? print_erase : print_export);
}
