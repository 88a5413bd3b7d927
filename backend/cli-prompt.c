/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <getopt.h>
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

struct prompt_opts {
	const char	*assistant;
	const char	*message;
	const char	*override;
	const char	*rev;
	int		 limit;
	int		 no_wait;
};

static int
prompt_opts(struct cli *cli, int argc, char **argv, struct prompt_opts *o)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "assistant", required_argument, NULL, 'a' },
		{ "message", required_argument, NULL, 'm' },
		{ "override", required_argument, NULL, 'o' },
		{ "rev", required_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'n' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	memset(o, 0, sizeof *o);
	while ((ch = getopt_long(argc, argv, "m:", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			cli->json = 1;
			break;
		case 'a':
			o->assistant = optarg;
			break;
		case 'm':
			o->message = optarg;
			break;
		case 'o':
			o->override = optarg;
			break;
		case 'r':
			o->rev = optarg;
			break;
		case 'n':
			o->limit = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o->limit < 1 || o->limit > 1000) {
				cli_error("--limit: %s is not a number from 1 to 1000", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'W':
			o->no_wait = 1;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	return 0;
}

static void
add_assistant(cJSON *req, const struct prompt_opts *o)
{
	if (o->assistant != NULL)
		cJSON_AddStringToObject(req, "assistant", o->assistant);
}

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
	const cJSON *a, *rel, *push = cJSON_GetObjectItem(r, "push");
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
}

/* leitstand prompt list [--limit N] [--json] */
int
cli_prompt_list(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || optind != argc)
		return EXIT_USAGE;
	req = client_request("prompt.list");
	if (o.limit > 0)
		cJSON_AddNumberToObject(req, "limit", o.limit);
	return cli_run(cli, req, print_list);
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
	if (cJSON_GetObjectItem(r, "diff") != NULL) {
		putchar('\n');
		cli_put(json_str(r, "diff", ""));
	}
}

static int
one_id(int argc, char **argv, long long *id)
{
	char *end;

	if (optind != argc - 1)
		return -1;
	*id = strtoll(argv[optind], &end, 10);
	return *end == '\0' && *id > 0 ? 0 : -1;
}

/* leitstand prompt show ID [--json] */
int
cli_prompt_show(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	long long id;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || one_id(argc, argv, &id) != 0)
		return EXIT_USAGE;
	req = client_request("prompt.show");
	cJSON_AddNumberToObject(req, "proposal", (double)id);
	return cli_run(cli, req, print_show);
}

static void
print_diff(const cJSON *r)
{
	cli_put(json_str(r, "diff", ""));
}

/* leitstand prompt diff PROPOSAL|RELEASE [TO]: against production, the release before, or
   from the first to the second. */
int
cli_prompt_diff(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || optind >= argc || argc - optind > 2)
		return EXIT_USAGE;
	req = client_request("prompt.diff");
	if (argc - optind == 2) {
		cJSON_AddStringToObject(req, "from", argv[optind]);
		cJSON_AddStringToObject(req, "to", argv[optind + 1]);
	} else
		cJSON_AddStringToObject(req, "to", argv[optind]);
	return cli_run(cli, req, print_diff);
}

static void
print_content(const cJSON *r)
{
	cli_put(json_str(r, "content", ""));
}

/* leitstand prompt cat FILE [--assistant A] [--rev REV] */
int
cli_prompt_cat(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || optind != argc - 1)
		return EXIT_USAGE;
	req = client_request("prompt.cat");
	cJSON_AddStringToObject(req, "file", argv[optind]);
	add_assistant(req, &o);
	if (o.rev != NULL)
		cJSON_AddStringToObject(req, "rev", o.rev);
	return cli_run(cli, req, print_content);
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

/* leitstand prompt propose -m DESCRIPTION [--assistant A] FILE... */
int
cli_prompt_propose(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	cJSON *req;
	int i;

	if (prompt_opts(cli, argc, argv, &o) != 0 || optind >= argc)
		return EXIT_USAGE;
	if (o.message == NULL) {
		cli_error("prompt propose: -m DESCRIPTION is required: why, and what it changes");
		return EXIT_USAGE;
	}
	req = client_request("prompt.propose");
	cJSON_AddStringToObject(req, "description", o.message);
	add_assistant(req, &o);
	for (i = optind; i < argc; i++) {
		if (add_file(req, argv[i]) != 0) {
			cJSON_Delete(req);
			return 1;
		}
	}
	return cli_run(cli, req, print_proposed);
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

/* leitstand prompt eval ID [--no-wait] [--json] */
int
cli_prompt_eval(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	long long id;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || one_id(argc, argv, &id) != 0)
		return EXIT_USAGE;
	req = client_request("prompt.eval");
	cJSON_AddNumberToObject(req, "proposal", (double)id);
	cJSON_AddBoolToObject(req, "wait", !o.no_wait);
	/* Evals take as long as staging does: the reply comes when they are done. */
	cli->long_reply = !o.no_wait;
	return cli_run(cli, req, print_evaluated);
}

static void
print_released(const cJSON *r)
{
	cli_put(json_str(r, "release", ""));
	if (cJSON_GetObjectItem(r, "restores") != NULL) {
		printf(" restores ");
		cli_put(json_str(r, "restores", ""));
	}
	printf(" at %.12s\n", json_str(r, "commit", ""));
}

/* leitstand prompt approve ID [--override REASON] */
int
cli_prompt_approve(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	long long id;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || one_id(argc, argv, &id) != 0)
		return EXIT_USAGE;
	req = client_request("prompt.approve");
	cJSON_AddNumberToObject(req, "proposal", (double)id);
	if (o.override != NULL)
		cJSON_AddStringToObject(req, "override", o.override);
	return cli_run(cli, req, print_released);
}

static void
print_rejected(const cJSON *r)
{
	(void)r;
	printf("rejected\n");
}

/* leitstand prompt reject ID REASON... */
int
cli_prompt_reject(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	struct buf reason;
	char *end;
	long long id;
	cJSON *req;
	int i;

	if (prompt_opts(cli, argc, argv, &o) != 0 || argc - optind < 2)
		return EXIT_USAGE;
	id = strtoll(argv[optind], &end, 10);
	if (*end != '\0' || id <= 0)
		return EXIT_USAGE;
	buf_init(&reason);
	for (i = optind + 1; i < argc; i++)
		buf_printf(&reason, "%s%s", i > optind + 1 ? " " : "", argv[i]);
	req = client_request("prompt.reject");
	cJSON_AddNumberToObject(req, "proposal", (double)id);
	cJSON_AddStringToObject(req, "reason", reason.data);
	buf_free(&reason);
	return cli_run(cli, req, print_rejected);
}

/* leitstand prompt rollback [RELEASE] [--assistant A] */
int
cli_prompt_rollback(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || argc - optind > 1)
		return EXIT_USAGE;
	req = client_request("prompt.rollback");
	add_assistant(req, &o);
	if (optind < argc)
		cJSON_AddStringToObject(req, "to", argv[optind]);
	return cli_run(cli, req, print_released);
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

/* leitstand prompt history [--assistant A] [--limit N] [--json] */
int
cli_prompt_history(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || optind != argc)
		return EXIT_USAGE;
	req = client_request("prompt.history");
	add_assistant(req, &o);
	if (o.limit > 0)
		cJSON_AddNumberToObject(req, "limit", o.limit);
	return cli_run(cli, req, print_history);
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

/* leitstand prompt kpis [--assistant A] [--json] */
int
cli_prompt_kpis(struct cli *cli, int argc, char **argv)
{
	struct prompt_opts o;
	cJSON *req;

	if (prompt_opts(cli, argc, argv, &o) != 0 || optind != argc)
		return EXIT_USAGE;
	req = client_request("prompt.kpis");
	add_assistant(req, &o);
	return cli_run(cli, req, print_release_kpis);
}
