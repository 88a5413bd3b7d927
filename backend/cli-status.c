/* SPDX-License-Identifier: ISC */
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

static void
print_status(const cJSON *r)
{
	const cJSON *w, *sg;
	long up;
	char buf[64];

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
	if ((sg = cJSON_GetObjectItem(r, "prompt_signing")) != NULL)
		field("releases", cJSON_IsTrue(cJSON_GetObjectItem(sg, "signed")) ?
		    "signed (ssh)" : "unsigned ([prompts] signing_key is empty)");
	cJSON_ArrayForEach(w, cJSON_GetObjectItem(r, "warnings"))
		field("warning", cJSON_IsString(w) ? w->valuestring : "?");
}

/* leitstand status does not start a daemon: it reports whether one runs. */
const struct cli_hook cli_status_hooks[] = {
	{ .op = "status", .print = print_status, .flags = CLI_NOSTART },
	{ .op = NULL }
};
