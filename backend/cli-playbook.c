/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/json.h"
#include "backend/playbook.h"
#include "backend/xmalloc.h"

static void
print_runs(const cJSON *runs)
{
	const cJSON *r;
	char line[256], incident[24] = "";
	time_t t;

	cJSON_ArrayForEach(r, runs) {
		if (cJSON_GetObjectItem(r, "incident") != NULL)
			snprintf(incident, sizeof incident, " incident #%.0f", json_num(r, "incident"));
		else
			incident[0] = '\0';
		snprintf(line, sizeof line, "run %4.0f  %-18s  %2.0f/%-2.0f  %-8s%s", json_num(r, "id"),
		    json_str(r, "playbook", ""), json_num(r, "answered"), json_num(r, "steps"),
		    cJSON_GetObjectItem(r, "finished_at") ? "finished" : "open", incident);
		cli_put(line);
		printf("  started by ");
		cli_put(json_str(r, "started_by", ""));
		if (cJSON_GetObjectItem(r, "last") != NULL) {
			t = (time_t)json_num(r, "last_at");
			strftime(line, sizeof line, "%Y-%m-%d %H:%M", localtime(&t));
			printf("; last: ");
			cli_put(json_str(r, "last", ""));
			printf(" at %s", line);
		}
		putchar('\n');
	}
}

static void
print_list(const cJSON *r)
{
	const cJSON *p;
	char line[256];

	cJSON_ArrayForEach(p, cJSON_GetObjectItem(r, "playbooks")) {
		snprintf(line, sizeof line, "%-18s %s %s  %2.0f steps  ", json_str(p, "id", ""),
		    json_str(p, "lang", ""), json_str(p, "level", "--"), json_num(p, "steps"));
		cli_put(line);
		cli_put(json_str(p, "title", ""));
		putchar('\n');
	}
	if (cJSON_GetObjectItem(r, "problems") != NULL) {
		printf("\nleft out of the library:\n");
		cli_put(json_str(r, "problems", ""));
		putchar('\n');
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItem(r, "runs")) > 0) {
		printf("\nopen runs:\n");
		print_runs(cJSON_GetObjectItem(r, "runs"));
	}
}

/* playbook list, playbook run: in the configured language unless --lang. */
static int
add_lang(struct cli *cli, cJSON *req, const cJSON *local)
{
	(void)local;
	if (cJSON_GetObjectItem(req, "lang") == NULL)
		cJSON_AddStringToObject(req, "lang", config_lang(&cli->cfg));
	return 0;
}

static void
print_started(const cJSON *r)
{
	printf("run %.0f started\n", json_num(r, "run"));
}

/* leitstand playbook lint FILE...: every problem as FILE:LINE: message, an id used twice in a
   language too; no daemon needed. */
int
cli_playbook_lint(struct cli *cli, int argc, char **argv)
{
	cJSON *pb, *seen = cJSON_CreateObject();	/* "lang/id": file */
	char *errors, *key;
	int i, bad = 0;

	(void)cli;
	if (getopt(argc, argv, "") != -1 || optind >= argc) {
		cJSON_Delete(seen);
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++) {
		errors = NULL;
		if ((pb = playbook_load(argv[i], &errors)) == NULL) {
			cli_put(errors != NULL ? errors : "unreadable");
			putchar('\n');
			bad = 1;
		} else {
			key = xprintf("%s/%s", json_str(pb, "lang", ""), json_str(pb, "id", ""));
			if (cJSON_GetObjectItemCaseSensitive(seen, key) != NULL) {
				cli_put(argv[i]);
				printf(":1: duplicate id '");
				cli_put(json_str(pb, "id", ""));
				printf("' (also in ");
				cli_put(json_str(seen, key, ""));
				printf(")\n");
				bad = 1;
			} else
				cJSON_AddStringToObject(seen, key, argv[i]);
			free(key);
		}
		cJSON_Delete(pb);
		free(errors);
	}
	cJSON_Delete(seen);
	if (!bad)
		printf("%d playbook%s: ok\n", argc - optind, argc - optind == 1 ? "" : "s");
	return bad;
}

static void
print_run_list(const cJSON *r)
{
	print_runs(cJSON_GetObjectItem(r, "runs"));
}

/* The result of a step in a run's "results", or NULL. */
static const cJSON *
step_result(const cJSON *run, int step)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(run, "results")) {
		if ((int)json_num(r, "step") == step)
			return r;
	}
	return NULL;
}

static void
print_run(const cJSON *r)
{
	const cJSON *run = cJSON_GetObjectItem(r, "run"), *s, *res;
	int i = 0, current = (int)json_num(run, "current");
	char when[32];
	time_t t;

	printf("run %.0f: ", json_num(run, "id"));
	cli_put(json_str(run, "title", ""));
	printf("\n%s (%s), started by ", json_str(run, "playbook", ""), json_str(run, "lang", ""));
	cli_put(json_str(run, "started_by", ""));
	if (cJSON_GetObjectItem(run, "incident") != NULL)
		printf(" for incident #%.0f", json_num(run, "incident"));
	if (cJSON_GetObjectItem(run, "finished_at") != NULL)
		printf("; finished\n");
	else
		printf("; open, resume at step %d of %.0f\n", current + 1, json_num(run, "steps"));
	if (cJSON_IsTrue(cJSON_GetObjectItem(run, "file_changed")))
		printf("the playbook file has changed since the run started\n");
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(cJSON_GetObjectItem(run, "content"), "steps")) {
		res = step_result(run, i);
		printf("%s%2d  %-7s  ", i == current && res == NULL ? ">" : " ", i + 1,
		    res != NULL ? json_str(res, "result", "") : "-");
		cli_put(json_str(s, "title", ""));
		if (res != NULL) {
			t = (time_t)json_num(res, "at");
			strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&t));
			printf("\n              %s ", when);
			cli_put(json_str(res, "actor", ""));
			if (*json_str(res, "note", "") != '\0') {
				printf(": ");
				cli_put(json_str(res, "note", ""));
			}
		}
		putchar('\n');
		i++;
	}
}

static void
print_done(const cJSON *r)
{
	printf("%s\n", cJSON_IsTrue(cJSON_GetObjectItem(r, "finished")) ? "ok; the run is finished" :
	    "ok");
}

static void
print_checks(const cJSON *r)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(r, "checks")) {
		printf("%-5s ", cJSON_GetObjectItem(c, "error") != NULL ? "ERROR" :
		    cJSON_IsTrue(cJSON_GetObjectItem(c, "pass")) ? "PASS" : "FAIL");
		if (cJSON_GetObjectItem(c, "error") != NULL)
			cli_put(json_str(c, "error", ""));
		else
			printf("%g (%s)", json_num(c, "value"), json_str(c, "expect", ""));
		putchar('\n');
	}
}

const struct cli_hook cli_playbook_hooks[] = {
	{ .op = "playbook.list", .prepare = add_lang, .print = print_list },
	{ .op = "run.start", .prepare = add_lang, .print = print_started },
	{ .op = "run.list", .print = print_run_list },
	{ .op = "run.show", .print = print_run },
	{ .op = "run.export", .print = cli_print_markdown },
	{ .op = "run.step", .print = print_done },
	{ .op = "run.note", .print = print_done },
	{ .op = "run.tick", .print = print_done },
	{ .op = "run.check", .print = print_checks },
	{ .op = NULL }
};
