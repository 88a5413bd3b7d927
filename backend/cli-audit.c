/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <getopt.h>
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

/* leitstand audit verify [--checkpoints FILE] [--json] */
int
cli_audit_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "checkpoints", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL;
	char *path = NULL;
	cJSON *req, *r;
	const cJSON *w;
	double entries;
	int ch, intact;

	while ((ch = getopt_long(argc, argv, "j", opts, NULL)) != -1) {
		if (ch == 'j')
			cli->json = 1;
		else if (ch == 'c')
			file = optarg;
		else
			return EXIT_USAGE;
	}
	if (optind != argc)
		return EXIT_USAGE;
	/* The daemon opens the file: it gets a path that does not depend on our directory. */
	if (file != NULL && (path = realpath(file, NULL)) == NULL) {
		cli_error("%s: %s", file, strerror(errno));
		return 1;
	}
	req = client_request("audit.verify");
	if (path != NULL)
		cJSON_AddStringToObject(req, "checkpoints", path);
	free(path);
	if (cli_connect(cli, 1) != 0 || (r = cli_call(cli, req)) == NULL)
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

/* leitstand audit checkpoint [--json] */
int
cli_audit_checkpoint(struct cli *cli, int argc, char **argv)
{

	if (cli_json_opts(cli, argc, argv) != 0)
		return EXIT_USAGE;
	if (optind != argc)
		return EXIT_USAGE;
	return cli_run(cli, client_request("audit.checkpoint"), print_checkpoint);
}

/* leitstand audit list [--actor USER] [--action ACTION] [--limit N] [--json] */
int
cli_audit_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "actor", required_argument, NULL, 'a' },
		{ "action", required_argument, NULL, 'A' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	cJSON *req = client_request("audit.list"), *r, *e;
	char *end;
	long n;
	int ch;

	while ((ch = getopt_long(argc, argv, "a:A:n:j", opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			cJSON_AddStringToObject(req, "actor", optarg);
			break;
		case 'A':
			cJSON_AddStringToObject(req, "action", optarg);
			break;
		case 'n':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > 1000) {
				cli_error("--limit: %s is not a number from 1 to 1000", optarg);
				cJSON_Delete(req);
				return EXIT_USAGE;
			}
			cJSON_AddNumberToObject(req, "limit", (double)n);
			break;
		case 'j':
			cli->json = 1;
			break;
		default:
			cJSON_Delete(req);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || cli_connect(cli, 1) != 0) {
		cJSON_Delete(req);
		return optind != argc ? EXIT_USAGE : 1;
	}
	if ((r = cli_call(cli, req)) == NULL)
		return 1;
	if (cli->json) {
		cli_print_json(r);
		cJSON_Delete(r);
		return 0;
	}
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
	cJSON_Delete(r);
	return 0;
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

/* leitstand audit export [--format json|csv] [--since TIME] [--until TIME]: raw bytes, paged. */
int
cli_audit_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const cols[] = {
		"seq", "ts", "actor", "role", "action", "object", "details", "details_hash",
		"hash"
	};
	const char *since = NULL, *until = NULL;
	cJSON *req, *r, *e, *v;
	char *line;
	double after = 0;
	int ch, csv = 0, first = 1, n, i;

	while ((ch = getopt_long(argc, argv, "f:s:u:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				csv = 1;
			else if (strcmp(optarg, "json") != 0) {
				cli_error("--format: %s is not json or csv", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			since = optarg;
			break;
		case 'u':
			until = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return EXIT_USAGE;
	if (cli_connect(cli, 1) != 0)
		return 1;
	do {
		req = client_request("audit.export");
		cJSON_AddNumberToObject(req, "after", after);
		if (since != NULL)
			cJSON_AddStringToObject(req, "since", since);
		if (until != NULL)
			cJSON_AddStringToObject(req, "until", until);
		if ((r = cli_call(cli, req)) == NULL)
			return 1;
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
	return 0;
}
