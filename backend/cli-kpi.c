/* SPDX-License-Identifier: ISC */
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

/* "source: URL (state): error" */
static void
print_source(const cJSON *src)
{
	printf("source: ");
	cli_put(json_str(src, "url", "(none)"));
	printf(" (%s)", json_str(src, "state", "?"));
	if (cJSON_GetObjectItem(src, "error") != NULL) {
		printf(": ");
		cli_put(json_str(src, "error", ""));
	}
	putchar('\n');
}

/* One line per KPI: title, value, state, and why or how old when it is not fresh. */
static void
print_snapshot(const cJSON *snap)
{
	const cJSON *src = cJSON_GetObjectItem(snap, "source"), *k;
	char value[64], age[16], line[160];
	double interval = num(snap, "interval", 5);

	print_source(src);
	printf("overall: %s\n", json_str(snap, "state", "?"));
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

/* leitstand kpi [--watch]: the daemon's KPI snapshot, once or every poll. */
static int
run_kpi(struct cli *cli, cJSON *req, const cJSON *local)
{
	cJSON *r, *msg;
	char *cause = NULL, *line;
	int watch = cJSON_IsTrue(cJSON_GetObjectItem(local, "watch")), rc;

	if (cli_connect(cli, 1) != 0) {
		cJSON_Delete(req);
		return 1;
	}
	if ((r = cli_call(cli, req)) == NULL)
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

/* Prints "  label: text" with the text sanitised. */
static void
put_field(const char *label, const char *text)
{
	printf("  %s: ", label);
	cli_put(text);
	putchar('\n');
}

static void
print_doctor(const cJSON *r)
{
	const cJSON *src = cJSON_GetObjectItem(r, "source"), *dl = cJSON_GetObjectItem(r, "dialect");
	const cJSON *disc = cJSON_GetObjectItem(dl, "discovery"), *k, *s, *e;
	char value[64], line[256];

	print_source(src);
	printf("dialect: %s", json_str(dl, "in_force", "?"));
	if (strcmp(json_str(dl, "configured", "auto"), "auto") != 0)
		printf(" (configured)\n");
	else if (disc == NULL)
		printf(" (not looked up yet)\n");
	else {
		printf(" (%s: ", cJSON_IsTrue(cJSON_GetObjectItem(disc, "found")) ? "found" :
		    "assumed");
		cli_put(json_str(disc, "how", ""));
		printf(")\n");
		if (cJSON_GetObjectItem(disc, "why") != NULL)
			put_field("why", json_str(disc, "why", ""));
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(disc, "names"))
			put_field("metric", cJSON_IsString(e) ? e->valuestring : "");
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(disc, "errors")) {
			snprintf(line, sizeof line, "%s (%s)", json_str(e, "value", ""),
			    json_str(e, "class", ""));
			put_field("error_type", line);
		}
	}
	s = cJSON_GetObjectItem(dl, "labels");
	snprintf(line, sizeof line, "%s, %s, %s, %s", json_str(s, "error_type", ""),
	    json_str(s, "request_model", ""), json_str(s, "response_model", ""),
	    json_str(s, "token_type", ""));
	put_field("labels", line);
	if (cJSON_GetObjectItem(dl, "advice") != NULL)
		put_field("advice", json_str(dl, "advice", ""));
	cJSON_ArrayForEach(k, cJSON_GetObjectItem(r, "kpis")) {
		if (cJSON_IsNumber(cJSON_GetObjectItem(k, "value")))
			format_value(value, sizeof value, num(k, "value", 0),
			    (int)num(k, "precision", 2), json_str(k, "unit", ""));
		else
			snprintf(value, sizeof value, "--");
		snprintf(line, sizeof line, "\n%s (%s): %s  %s", json_str(k, "title", "?"),
		    json_str(k, "name", "?"), value, json_str(k, "state", "?"));
		cli_put(line);
		putchar('\n');
		if (cJSON_GetObjectItem(k, "query") != NULL) {
			snprintf(line, sizeof line, "query (%s)", json_str(k, "origin", ""));
			put_field(line, json_str(k, "query", ""));
		}
		cJSON_ArrayForEach(s, cJSON_GetObjectItem(k, "series")) {
			if (cJSON_IsNumber(cJSON_GetObjectItem(s, "count")))
				snprintf(line, sizeof line, "%s: %.0f", json_str(s, "name", ""),
				    num(s, "count", 0));
			else
				snprintf(line, sizeof line, "%s: not counted", json_str(s, "name", ""));
			put_field("series", line);
		}
		if (cJSON_GetObjectItem(k, "error") != NULL)
			put_field("why", json_str(k, "error", ""));
		if (cJSON_GetObjectItem(k, "note") != NULL)
			put_field("note", json_str(k, "note", ""));
		if (cJSON_GetObjectItem(k, "advice") != NULL)
			put_field("fix", json_str(k, "advice", ""));
	}
}

const struct cli_hook cli_kpi_hooks[] = {
	{ .op = "kpi.list", .run = run_kpi },
	{ .op = "kpi.doctor", .print = print_doctor },
	{ .op = NULL }
};
