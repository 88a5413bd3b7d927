/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/cli.h"
#include "backend/client.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/xmalloc.h"

#define MAX_FILE	(256 * 1024)

static void
when(char *buf, size_t len, double t)
{
	time_t tt = (time_t)t;

	strftime(buf, len, "%Y-%m-%d %H:%M", localtime(&tt));
}

static void
put_pct(const cJSON *o, const char *key)
{
	double v = json_num(o, key);

	if (isnan(v))
		printf("   -");
	else
		printf("%3.0f%%", v * 100);
}

/* The first line of a description. */
static void
put_subject(const char *s)
{
	char *subject = xstrdup(s);

	subject[strcspn(subject, "\n")] = '\0';
	cli_put(subject);
	free(subject);
}

static void
print_proposals(const cJSON *list)
{
	const cJSON *p, *e;
	char line[160];

	cJSON_ArrayForEach(p, list) {
		e = cJSON_GetObjectItem(p, "eval");
		snprintf(line, sizeof line, "#%-4.0f %-10s %-9s ", json_num(p, "id"),
		    json_str(p, "state", ""), json_str(p, "author", ""));
		cli_put(line);
		if (cJSON_GetObjectItem(p, "eval_total") != NULL)
			printf("eval %.0f/%.0f ", json_num(p, "eval_done"), json_num(p,
			    "eval_total"));
		else if (e != NULL && strcmp(json_str(e, "status", ""), "done") == 0) {
			printf("eval ");
			put_pct(e, "pass_rate");
			putchar(' ');
		} else
			printf("no eval   ");
		cli_put(json_str(p, "assistant", ""));
		printf(": ");
		put_subject(json_str(p, "description", ""));
		if (cJSON_GetObjectItem(p, "release") != NULL) {
			printf(" -> ");
			cli_put(json_str(p, "release", ""));
		}
		putchar('\n');
	}
}

static void
print_list(const cJSON *r)
{
	const cJSON *a, *rel, *sign, *push = cJSON_GetObjectItem(r, "push");
	char t[32];

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(r, "assistants")) {
		rel = cJSON_GetObjectItem(a, "release");
		cli_put(json_str(a, "name", ""));
		printf(": ");
		cli_put(json_str(rel, "tag", "no release"));
		when(t, sizeof t, json_num_or(rel, "created_at", 0));
		printf(" (%s), model ", t);
		cli_put(json_str(a, "model", "?"));
		if (cJSON_GetObjectItem(a, "eval") != NULL) {
			printf(", eval ");
			put_pct(cJSON_GetObjectItem(a, "eval"), "pass_rate");
		}
		putchar('\n');
	}
	printf("\nproposals (gate %.0f%%):\n", json_num(r, "gate"));
	if (cJSON_GetArraySize(cJSON_GetObjectItem(r, "proposals")) == 0)
		printf("  none\n");
	print_proposals(cJSON_GetObjectItem(r, "proposals"));
	if (*json_str(push, "remote", "") != '\0') {
		printf("\nremote ");
		cli_put(json_str(push, "remote", ""));
		printf(": %.0f release%s to push", json_num(push, "pending"),
		    json_num(push, "pending") == 1 ? "" : "s");
		/* A push that has not completed, however young: what, for how long, why. */
		if (cJSON_GetObjectItem(push, "since") != NULL) {
			format_age(t, sizeof t, (long)json_num(push, "age"));
			printf("%s, not pushed for %s%s",
			    cJSON_IsFalse(cJSON_GetObjectItem(push, "production")) ?
			    " and production" : "", t,
			    cJSON_IsTrue(cJSON_GetObjectItem(push, "running")) ? ", pushing now" : "");
		}
		putchar('\n');
	}
	if (cJSON_GetObjectItem(push, "error") != NULL) {
		printf("last error: ");
		cli_put(json_str(push, "error", ""));
		putchar('\n');
	}
	sign = cJSON_GetObjectItem(r, "signing");
	if (cJSON_IsTrue(cJSON_GetObjectItem(sign, "signed"))) {
		printf("\nreleases are signed (ssh) with ");
		cli_put(json_str(sign, "key", "?"));
		putchar('\n');
	} else if (sign != NULL)
		printf("\nreleases are unsigned: [prompts] signing_key is empty\n");
}

static void
print_eval(const cJSON *e, const cJSON *baseline)
{
	const cJSON *c;
	char line[160];

	if (e == NULL) {
		printf("no eval yet\n");
		return;
	}
	printf("eval %.0f: %s", json_num(e, "id"), json_str(e, "status", ""));
	if (cJSON_GetObjectItem(e, "pass_rate") != NULL) {
		printf(", ");
		put_pct(e, "pass_rate");
		printf(" (%.0f of %.0f cases)", json_num(e, "passed"), json_num(e, "cases"));
	}
	if (cJSON_GetObjectItem(e, "cost_per_answer") != NULL)
		printf(", %.6f per answer", json_num(e, "cost_per_answer"));
	if (baseline != NULL) {
		printf("; production ");
		put_pct(baseline, "pass_rate");
		if (cJSON_GetObjectItem(baseline, "cost_per_answer") != NULL)
			printf(", %.6f per answer", json_num(baseline, "cost_per_answer"));
	}
	putchar('\n');
	if (cJSON_GetObjectItem(e, "error") != NULL) {
		cli_put(json_str(e, "error", ""));
		putchar('\n');
	}
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "results")) {
		snprintf(line, sizeof line, "  %s %-20s %.0f/%.0f runs  %6.0f ms  ",
		    json_num(c, "pass") ? "pass" : "FAIL", json_str(c, "id", ""),
		    json_num(c, "passed"), json_num(c, "runs"), json_num_or(c, "latency_ms", 0));
		cli_put(line);
		cli_put(json_str(c, "why", ""));
		putchar('\n');
	}
}

static void
print_show(const cJSON *r)
{
	const cJSON *p = cJSON_GetObjectItem(r, "proposal");
	char t[32];

	when(t, sizeof t, json_num_or(p, "created_at", 0));
	printf("proposal %.0f (%s) of ", json_num(p, "id"), json_str(p, "state", ""));
	cli_put(json_str(p, "assistant", ""));
	printf(" by ");
	cli_put(json_str(p, "author", ""));
	printf(", %s: ", t);
	cli_put(json_str(p, "files", ""));
	printf("\n  ");
	cli_put(json_str(p, "description", ""));
	putchar('\n');
	if (cJSON_GetObjectItem(p, "decided_by") != NULL) {
		printf("  %s by ", json_str(p, "state", ""));
		cli_put(json_str(p, "decided_by", ""));
		if (cJSON_GetObjectItem(p, "reason") != NULL) {
			printf(": ");
			cli_put(json_str(p, "reason", ""));
		}
		putchar('\n');
	}
	if (cJSON_GetObjectItem(r, "gate") != NULL)
		printf("gate %.0f%%; ", json_num(r, "gate"));
	print_eval(cJSON_GetObjectItem(p, "eval"), cJSON_GetObjectItem(r, "baseline"));
	if (cJSON_IsObject(cJSON_GetObjectItem(p, "comparison")))
		cli_print_comparison(cJSON_GetObjectItem(p, "comparison"));
	if (cJSON_GetObjectItem(r, "diff") != NULL) {
		putchar('\n');
		cli_put(json_str(r, "diff", ""));
	}
}

static void
print_diff(const cJSON *r)
{
	cli_put(json_str(r, "diff", ""));
}

/* prompt diff A B is from A to B: the table has A as "to", B as "from" (ops-table.c). */
static int
diff_prepare(struct cli *cli, cJSON *req, const cJSON *local)
{
	cJSON *from = cJSON_DetachItemFromObjectCaseSensitive(req, "from"), *to;

	(void)cli, (void)local;
	if (from == NULL)
		return 0;
	to = cJSON_DetachItemFromObjectCaseSensitive(req, "to");
	cJSON_AddItemToObject(req, "from", to);
	cJSON_AddItemToObject(req, "to", from);
	return 0;
}

static void
print_content(const cJSON *r)
{
	cli_put(json_str(r, "content", ""));
}

/* A file to propose, as the argument its name maps to; -1 after printing why. */
static int
add_file(cJSON *req, const char *path)
{
	static const char *const names[][2] = {
		{ "system.md", "system" }, { "model.ini", "model" }, { "evals.jsonl", "evals" }
	};
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	struct stat st;
	struct buf b;
	FILE *f;
	char tmp[8192];
	size_t i, n;

	for (i = 0; i < 3 && strcmp(base, names[i][0]) != 0; i++)
		;
	if (i == 3) {
		cli_error("%s: name it system.md, model.ini or evals.jsonl (the file it replaces)",
		    path);
		return -1;
	}
	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		cli_error("%s: not a regular file of at most %d bytes", path, MAX_FILE);
		fclose(f);
		return -1;
	}
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	if (memchr(b.data != NULL ? b.data : "", '\0', b.len) != NULL) {
		cli_error("%s: contains a NUL byte: not a text file", path);
		buf_free(&b);
		return -1;
	}
	cJSON_AddStringToObject(req, names[i][1], b.data != NULL ? b.data : "");
	buf_free(&b);
	return 0;
}

static void
print_proposed(const cJSON *r)
{
	printf("proposal %.0f: ", json_num(r, "proposal"));
	cli_put(json_str(r, "branch", ""));
	printf(" at %.12s\n", json_str(r, "commit", ""));
}

/* prompt propose FILE...: each file as the argument its name maps to. */
static int
propose_prepare(struct cli *cli, cJSON *req, const cJSON *local)
{
	const cJSON *f;

	(void)cli;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(local, "files")) {
		if (add_file(req, f->valuestring) != 0)
			return 1;
	}
	return 0;
}

static void
print_evaluated(const cJSON *r)
{
	const cJSON *p = cJSON_GetObjectItem(r, "proposal");

	if (p == NULL) {
		printf("eval started\n");
		return;
	}
	print_eval(cJSON_GetObjectItem(p, "eval"), NULL);
}

/* Evals take as long as staging does: a waiting eval replies when they are done. */
static int
eval_prepare(struct cli *cli, cJSON *req, const cJSON *local)
{
	(void)local;
	cli->long_reply = cJSON_IsTrue(cJSON_GetObjectItem(req, "wait"));
	return 0;
}

static void
print_released(const cJSON *r)
{
	if (cJSON_GetObjectItem(r, "rollout") != NULL) {
		printf("canary rollout %.0f at %.0f %%: leitstand prompt rollout status\n",
		    json_num(r, "rollout"), json_num(r, "weight"));
		return;
	}
	cli_put(json_str(r, "release", ""));
	if (cJSON_GetObjectItem(r, "restores") != NULL) {
		printf(" restores ");
		cli_put(json_str(r, "restores", ""));
	}
	printf(" at %.12s\n", json_str(r, "commit", ""));
}

static void
print_rejected(const cJSON *r)
{
	(void)r;
	printf("rejected\n");
}

static void
print_history(const cJSON *r)
{
	const cJSON *rel;
	char line[200], t[32];

	cJSON_ArrayForEach(rel, cJSON_GetObjectItem(r, "releases")) {
		when(t, sizeof t, json_num_or(rel, "created_at", 0));
		snprintf(line, sizeof line, "%-24s %s  %-10s %-10s ", json_str(rel, "tag", ""), t,
		    json_str(rel, "author", ""), json_str(rel, "approver", "-"));
		cli_put(line);
		put_pct(rel, "pass_rate");
		printf("  ");
		if (cJSON_GetObjectItem(rel, "rollback_of") != NULL) {
			printf("ROLLBACK of ");
			cli_put(json_str(rel, "rollback_of", ""));
			printf(": ");
		}
		put_subject(json_str(rel, "description", ""));
		putchar('\n');
	}
}

/* One release's figures on a line; "-" where there is no data. */
static void
put_release_kpis(const cJSON *r, const char *which, const char *currency)
{
	static const struct {
		const char	*key;
		const char	*fmt;
		double		 scale;
	} figs[] = {
		{ "requests", "%9.0f", 1 }, { "error_rate", "%7.1f %%", 1 },
		{ "latency_p95", "%7.2f s", 1 }, { "feedback", "%7.1f %%", 1 },
		{ "cost_per_request", "%9.4f", 1 },
	};
	char line[64], age[16];
	const cJSON *v;
	size_t i;

	if (r == NULL)
		return;
	format_age(age, sizeof age, (long)json_num_or(r, "window", 0));
	snprintf(line, sizeof line, "%-6.0f %-9s %6s", json_num_or(r, "release", 0), which, age);
	cli_put(line);
	for (i = 0; i < sizeof figs / sizeof figs[0]; i++) {
		v = cJSON_GetObjectItem(r, figs[i].key);
		if (cJSON_IsNumber(v))
			printf(figs[i].fmt, v->valuedouble * figs[i].scale);
		else
			printf("%9s", "-");
		printf("  ");
	}
	if (cJSON_IsNumber(cJSON_GetObjectItem(r, "cost_per_request")))
		cli_put(currency);
	putchar('\n');
	if (cJSON_GetObjectItem(r, "cost_note") != NULL) {
		printf("       ");
		cli_put(json_str(r, "cost_note", ""));
		putchar('\n');
	}
}

static void
print_release_kpis(const cJSON *r)
{
	printf("assistant ");
	cli_put(json_str(r, "assistant", ""));
	printf(", by the label ");
	cli_put(json_str(r, "label", ""));
	printf("\nrelease           window  requests    errors       p95  feedback  "
	    "cost/request\n");
	put_release_kpis(cJSON_GetObjectItem(r, "live"), "live", json_str(r, "currency", ""));
	put_release_kpis(cJSON_GetObjectItem(r, "previous"), "before", json_str(r, "currency",
	    ""));
}

const struct cli_hook cli_prompt_hooks[] = {
	{ .op = "prompt.list", .print = print_list },
	{ .op = "prompt.show", .print = print_show },
	{ .op = "prompt.diff", .prepare = diff_prepare, .print = print_diff },
	{ .op = "prompt.cat", .print = print_content },
	{ .op = "prompt.propose", .prepare = propose_prepare, .print = print_proposed },
	{ .op = "prompt.eval", .prepare = eval_prepare, .print = print_evaluated },
	{ .op = "prompt.approve", .print = print_released },
	{ .op = "prompt.reject", .print = print_rejected },
	{ .op = "prompt.rollback", .print = print_released },
	{ .op = "prompt.history", .print = print_history },
	{ .op = "prompt.kpis", .print = print_release_kpis },
	{ .op = NULL }
};
