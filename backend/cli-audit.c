/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/json.h"

/* Whose details are gone, and why: the chain holds their hashes, not what they said. */
static void
print_removed(const cJSON *r)
{
	double erased = json_num_or(r, "details_erased", 0);
	double expired = json_num_or(r, "details_expired", 0);
	double unmarked = json_num_or(r, "details_unmarked", 0);

	if (erased + expired + unmarked <= 0)
		return;
	printf("details gone from %.0f %s:", erased + expired + unmarked,
	    erased + expired + unmarked == 1 ? "entry" : "entries");
	if (erased > 0)
		printf(" %.0f erased (GDPR)%s", erased, expired + unmarked > 0 ? "," : "");
	if (expired > 0)
		printf(" %.0f expired (retention)%s", expired, unmarked > 0 ? "," : "");
	if (unmarked > 0)
		printf(" %.0f without a recorded reason", unmarked);
	printf("; their hashes keep the chain whole, what they said is not checked\n");
}

/* The daemon opens the checkpoints file: it gets a path that does not depend on our
   directory. */
static int
verify_prepare(struct cli *cli, cJSON *req, const cJSON *local)
{
	const char *file = cJSON_GetStringValue(cJSON_GetObjectItem(req, "checkpoints"));
	char *path;

	(void)cli, (void)local;
	if (file == NULL)
		return 0;
	if ((path = realpath(file, NULL)) == NULL) {
		cli_error("%s: %s", file, strerror(errno));
		return 1;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(req, "checkpoints", cJSON_CreateString(path));
	free(path);
	return 0;
}

/* leitstand audit verify: exits 3 when the chain is broken. */
static int
verify_run(struct cli *cli, cJSON *req, const cJSON *local)
{
	cJSON *r;
	const cJSON *w;
	double entries;
	int intact;

	(void)local;
	if (cli_connect(cli, 1) != 0) {
		cJSON_Delete(req);
		return 1;
	}
	if ((r = cli_call(cli, req)) == NULL)
		return 1;
	intact = cJSON_IsTrue(cJSON_GetObjectItem(r, "intact"));
	entries = json_num(r, "entries");
	if (cli->json)
		cli_print_json(r);
	else if (intact) {
		printf("audit log OK: %.0f %s, chain intact", entries, entries == 1 ? "entry" :
		    "entries");
		if (cJSON_GetObjectItem(r, "checkpoints") != NULL)
			printf("; %.0f checkpoint%s vouch for it", json_num(r, "checkpoints"),
			    json_num(r, "checkpoints") == 1 ? "" : "s");
		putchar('\n');
		print_removed(r);
		/* After the result, on stderr: a script reading the first line keeps working. */
		fflush(stdout);
		cJSON_ArrayForEach(w, cJSON_GetObjectItem(r, "warnings"))
			cli_error("warning: %s", cJSON_IsString(w) ? w->valuestring : "?");
	} else if (cJSON_IsTrue(cJSON_GetObjectItem(r, "checkpoints_failed"))) {
		printf("audit log BROKEN: ");
		cli_put(json_str(r, "reason", ""));
		printf(" (the chain of %.0f entries is intact in itself)\n", entries);
	} else {
		printf("audit log BROKEN at entry %.0f: ", json_num(r, "first_bad"));
		cli_put(json_str(r, "reason", ""));
		printf(" (%.0f entries before it are intact)\n", entries);
	}
	cJSON_Delete(r);
	return intact ? 0 : EXIT_CHECK;
}

static void
print_checkpoint(const cJSON *r)
{
	cli_put(json_str(r, "checkpoint", ""));
	putchar('\n');
}

static void
print_entries(const cJSON *r)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(r, "entries")) {
		printf("%6.0f  %s  ", cJSON_GetObjectItem(e, "seq")->valuedouble, json_str(e, "ts", ""));
		cli_put(json_str(e, "actor", ""));
		printf(" (%s)  %s  ", json_str(e, "role", ""), json_str(e, "action", ""));
		cli_put(json_str(e, "object", ""));
		if (cJSON_IsString(cJSON_GetObjectItem(e, "details"))) {
			putchar(' ');
			cli_put(json_str(e, "details", ""));
		}
		putchar('\n');
	}
}

static void
csv_field(const char *s, int last)
{
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL)
		fputs(s, stdout);
	else {
		putchar('"');
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				putchar('"');
			putchar(*p);
		}
		putchar('"');
	}
	putchar(last ? '\n' : ',');
}

/* leitstand audit export [--format json|csv]: raw bytes, page after page. */
static int
export_run(struct cli *cli, cJSON *tmpl, const cJSON *local)
{
	static const char *const cols[] = {
		"seq", "ts", "actor", "role", "action", "object", "details", "details_hash",
		"hash"
	};
	const char *format = cJSON_GetStringValue(cJSON_GetObjectItem(local, "format"));
	cJSON *req, *r, *e, *v;
	char *line;
	double after = 0;
	int csv = format != NULL && strcmp(format, "csv") == 0, first = 1, n, i;

	if (format != NULL && !csv && strcmp(format, "json") != 0) {
		cli_error("audit export: --format: %s is not json or csv", format);
		cJSON_Delete(tmpl);
		return EXIT_USAGE;
	}
	if (cli_connect(cli, 1) != 0) {
		cJSON_Delete(tmpl);
		return 1;
	}
	do {
		req = cJSON_Duplicate(tmpl, 1);
		cJSON_AddNumberToObject(req, "after", after);
		if ((r = cli_call(cli, req)) == NULL) {
			cJSON_Delete(tmpl);
			return 1;
		}
		if (after == 0)
			puts(csv ? "seq,ts,actor,role,action,object,details,details_hash,hash" : "[");
		n = 0;
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(r, "entries")) {
			n++;
			after = cJSON_GetObjectItem(e, "seq")->valuedouble;
			if (!csv) {
				line = cJSON_PrintUnformatted(e);
				printf("%s  %s", first ? "" : ",\n", line);
				cJSON_free(line);
				first = 0;
				continue;
			}
			for (i = 0; i < 9; i++) {
				v = cJSON_GetObjectItem(e, cols[i]);
				if (cJSON_IsNumber(v))
					printf("%.0f%c", v->valuedouble, i == 8 ? '\n' : ',');
				else
					csv_field(cJSON_IsString(v) ? v->valuestring : "", i == 8);
			}
		}
		cJSON_Delete(r);
	} while (n > 0);
	if (!csv)
		printf("%s]\n", first ? "" : "\n");
	cJSON_Delete(tmpl);
	return 0;
}

const struct cli_hook cli_audit_hooks[] = {
	{ .op = "audit.list", .print = print_entries },
	{ .op = "audit.verify", .prepare = verify_prepare, .run = verify_run },
	{ .op = "audit.checkpoint", .print = print_checkpoint },
	{ .op = "audit.export", .run = export_run },
	{ .op = NULL }
};
