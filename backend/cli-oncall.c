/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/json.h"
#include "backend/tz.h"

static time_t
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (time_t)v->valuedouble : 0;
}

/* A time in a level's zone ("" : local). */
static const char *
when(const cJSON *level, time_t t, char *buf, size_t len)
{
	const char *zone = json_str(level, "zone", "");

	/* The zone came from the daemon's config: only a real one is used. */
	return tz_format(*zone != '\0' && tz_check(zone) == NULL ? zone : NULL, t, buf, len);
}

static const char *
user_or_nobody(const cJSON *o)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "user");

	return cJSON_IsString(u) ? u->valuestring : "nobody";
}

/* "L1  alice (override 3, for bob)  until 2026-12-24 18:00 CET; next: bob" */
static void
print_show(const cJSON *r)
{
	const cJSON *l, *next;
	char buf[64];

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(r, "levels")) {
		printf("%-3s ", json_str(l, "name", "?"));
		cli_put(user_or_nobody(l));
		if (num(l, "override") != 0) {
			printf(" (override %lld", (long long)num(l, "override"));
			if (cJSON_IsString(cJSON_GetObjectItem(l, "for"))) {
				printf(", for ");
				cli_put(json_str(l, "for", ""));
			}
			putchar(')');
		}
		if (num(l, "until") != 0)
			printf("  until %s", when(l, num(l, "until"), buf, sizeof buf));
		else if (!cJSON_IsTrue(cJSON_GetObjectItem(l, "configured")))
			printf("  (no [oncall.%s])", json_str(l, "name", "?"));
		if ((next = cJSON_GetObjectItem(l, "next")) != NULL) {
			printf("; next: ");
			cli_put(user_or_nobody(next));
		}
		putchar('\n');
	}
}

static void
print_list(const cJSON *r)
{
	const cJSON *o, *arr = cJSON_GetObjectItem(r, "overrides");
	char a[64], b[64];

	if (cJSON_GetArraySize(arr) == 0) {
		printf("no overrides\n");
		return;
	}
	cJSON_ArrayForEach(o, arr) {
		printf("%-4lld L%lld  %s .. %s  ", (long long)num(o, "id"),
		    (long long)num(o, "level"), tz_format(NULL, num(o, "starts_at"), a, sizeof a),
		    tz_format(NULL, num(o, "ends_at"), b, sizeof b));
		cli_put(json_str(o, "user", "?"));
		if (cJSON_IsString(cJSON_GetObjectItem(o, "for_user"))) {
			printf(" for ");
			cli_put(json_str(o, "for_user", ""));
		}
		printf(" (by ");
		cli_put(json_str(o, "created_by", "?"));
		printf(")\n");
	}
}

static void
print_added(const cJSON *r)
{
	char a[64], b[64];

	printf("override %lld: %s .. %s\n", (long long)num(r, "override"),
	    tz_format(NULL, num(r, "starts_at"), a, sizeof a),
	    tz_format(NULL, num(r, "ends_at"), b, sizeof b));
}

static void
print_removed(const cJSON *r)
{
	printf("override %lld removed\n", (long long)num(r, "override"));
}

/* leitstand oncall export [--out FILE]: the calendar to a file or standard output. */
static int
run_export(struct cli *cli, cJSON *req, const cJSON *local)
{
	const char *out = json_str(local, "out", NULL), *ics;
	cJSON *r;
	FILE *f;
	int rc = 0;

	if (cli_connect(cli, 1) != 0) {
		cJSON_Delete(req);
		return 1;
	}
	if ((r = cli_call(cli, req)) == NULL)
		return 1;
	ics = json_str(r, "ics", "");
	if (cli->json && out == NULL)
		cli_print_json(r);
	else if (out == NULL)
		fputs(ics, stdout);
	else if ((f = fopen(out, "w")) == NULL || fputs(ics, f) == EOF ||
	    fclose(f) != 0) {
		cli_error("oncall export: %s: %s", out, strerror(errno));
		rc = 1;
	} else if (cli->json) {
		cJSON_DeleteItemFromObject(r, "ics");
		cJSON_AddStringToObject(r, "out", out);
		cli_print_json(r);
	} else
		printf("%s: %lld events\n", out, (long long)num(r, "events"));
	cJSON_Delete(r);
	return rc;
}

const struct cli_hook cli_oncall_hooks[] = {
	{ .op = "oncall.show", .print = print_show },
	{ .op = "oncall.override.list", .print = print_list },
	{ .op = "oncall.override.add", .print = print_added },
	{ .op = "oncall.override.remove", .print = print_removed },
	{ .op = "oncall.export", .run = run_export },
	{ .op = NULL }
};
