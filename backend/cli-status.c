/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend/cli.h"
#include "backend/client.h"

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "?";
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void
field(const char *name, const char *value)
{
	printf("%-10s", name);
	cli_put(value);
	putchar('\n');
}

/* leitstand status [--json]: does not start a daemon, it reports whether one runs. */
int
cli_status(struct cli *cli, int argc, char **argv)
{
	cJSON *r;
	const cJSON *w;
	long up;
	char buf[64];

	if (cli_json_opts(cli, argc, argv) != 0)
		return EXIT_USAGE;
	if (optind != argc)
		return EXIT_USAGE;
	if (cli_connect(cli, 0) != 0)
		return 1;
	if ((r = cli_call(cli, client_request("status"))) == NULL)
		return 1;
	if (cli->json) {
		cli_print_json(r);
		cJSON_Delete(r);
		return 0;
	}
	up = (long)num(r, "uptime");
	snprintf(buf, sizeof buf, "%s (protocol %d), pid %ld", str(r, "version"),
	    (int)num(r, "protocol"), (long)num(r, "pid"));
	field("daemon", buf);
	snprintf(buf, sizeof buf, "%ldd %02ldh %02ldm %02lds", up / 86400, up / 3600 % 24,
	    up / 60 % 60, up % 60);
	field("uptime", buf);
	snprintf(buf, sizeof buf, "%d", (int)num(r, "clients"));
	field("clients", buf);
	field("socket", str(r, "socket"));
	field("data dir", str(r, "data_dir"));
	field("config", str(r, "config"));
	field("user", str(r, "user"));
	snprintf(buf, sizeof buf, "%s%s", str(r, "role"),
	    cJSON_IsTrue(cJSON_GetObjectItem(r, "readonly")) ? " (read-only)" : "");
	field("role", buf);
	cJSON_ArrayForEach(w, cJSON_GetObjectItem(r, "warnings"))
		field("warning", cJSON_IsString(w) ? w->valuestring : "?");
	cJSON_Delete(r);
	return 0;
}
