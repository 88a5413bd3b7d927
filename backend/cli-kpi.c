/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/format.h"
#include "backend/json.h"

static double
num(const cJSON *o, const char *k, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* One line per KPI: title, value, state, and why or how old when it is not fresh. */
static void
print_snapshot(const cJSON *snap)
{
	const cJSON *src = cJSON_GetObjectItem(snap, "source"), *k;
	char value[64], age[16], line[160];
	double interval = num(snap, "interval", 5);

	printf("source: ");
	cli_put(json_str(src, "url", "(none)"));
	printf(" (%s)", json_str(src, "state", "?"));
	if (cJSON_GetObjectItem(src, "error") != NULL) {
		printf(": ");
		cli_put(json_str(src, "error", ""));
	}
	printf("\noverall: %s\n", json_str(snap, "state", "?"));
	cJSON_ArrayForEach(k, cJSON_GetObjectItem(snap, "kpis")) {
		if (cJSON_IsNumber(cJSON_GetObjectItem(k, "value")))
			format_value(value, sizeof value, num(k, "value", 0),
			    (int)num(k, "precision", 2), json_str(k, "unit", ""));
		else
			snprintf(value, sizeof value, "--");
		snprintf(line, sizeof line, "%-22s %16s  %-7s", json_str(k, "title", "?"), value,
		    json_str(k, "state", "?"));
		cli_put(line);
		if (num(k, "age", 0) > 2 * interval) {
			format_age(age, sizeof age, (long)num(k, "age", 0));
			printf("  (%s old)", age);
		}
		if (cJSON_GetObjectItem(k, "error") != NULL) {
			printf("  ");
			cli_put(json_str(k, "error", ""));
		} else if (cJSON_GetObjectItem(k, "note") != NULL) {
			printf("  ");
			cli_put(json_str(k, "note", ""));
		}
		putchar('\n');
	}
	fflush(stdout);
}

/* leitstand kpi [--json] [--watch]: the daemon's KPI snapshot, once or every poll. */
int
cli_kpi(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "watch", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	cJSON *r, *msg, *req;
	char *cause = NULL, *line;
	int ch, watch = 0, rc;

	while ((ch = getopt_long(argc, argv, "jw", opts, NULL)) != -1) {
		if (ch == 'j')
			cli->json = 1;
		else if (ch == 'w')
			watch = 1;
		else
			return EXIT_USAGE;
	}
	if (optind != argc)
		return EXIT_USAGE;
	if (cli_connect(cli, 1) != 0 || (r = cli_call(cli, client_request("kpi.list"))) == NULL)
		return 1;
	if (!watch) {
		if (cli->json)
			cli_print_json(r);
		else
			print_snapshot(r);
		cJSON_Delete(r);
		return 0;
	}
	cJSON_Delete(r);
	req = client_request("subscribe");
	cJSON_AddItemToObject(req, "topics", cJSON_CreateStringArray((const char *[]){ "kpi" }, 1));
	if ((r = cli_call(cli, req)) == NULL)
		return 1;
	cJSON_Delete(r);
	/* One snapshot per poll until the daemon goes away or we are interrupted. */
	while ((rc = client_read(cli->client, -1, &msg, &cause)) == 1) {
		if (strcmp(json_str(msg, "event", ""), "kpi") == 0) {
			if (cli->json) {
				line = cJSON_PrintUnformatted(msg);
				puts(line);
				fflush(stdout);
				cJSON_free(line);
			} else {
				printf("-- %ld\n", (long)time(NULL));
				print_snapshot(msg);
			}
		}
		cJSON_Delete(msg);
	}
	cli_error("%s", cause);
	free(cause);
	return 1;
}
