/* SPDX-License-Identifier: ISC */
/*
 * The subcommands of protocol ops, parsed from the op table: each argument's CLI form, type
 * and range come from there, and ops_args_check() applies the daemon's own checks, so the
 * command line cannot accept what the daemon refuses. The cli-*.c files add only what is
 * local to a subcommand: reading files, printing the reply.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/cli.h"
#include "backend/client.h"
#include "backend/ops.h"
#include "backend/xmalloc.h"

#define MAX_OPTIONS	32

static const struct cli_hook *const hooks[] = {
	cli_audit_hooks, cli_config_hooks, cli_feedback_hooks, cli_incident_hooks, cli_kpi_hooks,
	cli_notify_hooks, cli_oncall_hooks, cli_playbook_hooks, cli_privacy_hooks, cli_prompt_hooks,
	cli_rollout_hooks, cli_status_hooks
};

/* What a subcommand adds to its op; an empty hook when nothing. */
static const struct cli_hook *
cli_ops_hook(const struct op *op)
{
	static const struct cli_hook none = { .op = NULL };
	const struct cli_hook *h;
	size_t i;

	for (i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
		for (h = hooks[i]; h->op != NULL; h++) {
			if (strcmp(h->op, op->name) == 0)
				return h;
		}
	}
	return &none;
}

/* Whether argv starts with the words; *used: how many. */
static int
cli_ops_words(const char *words, int argc, char **argv, int *used)
{
	const char *w = words, *sp;
	size_t len;
	int i;

	for (i = 0; ; i++) {
		sp = strchr(w, ' ');
		len = sp != NULL ? (size_t)(sp - w) : strlen(w);
		if (i >= argc || strncmp(w, argv[i], len) != 0 || argv[i][len] != '\0')
			return 0;
		if (sp == NULL)
			break;
		w = sp + 1;
	}
	*used = i + 1;
	return 1;
}

const struct op *
cli_ops_find(int argc, char **argv, int *used)
{
	const struct op *op, *best = NULL;
	int n, most = 0;

	/* The most words win: "kpi doctor" is not "kpi" with an argument. */
	for (op = ops_table; op->name != NULL; op++) {
		if (op->cli == NULL || !cli_ops_words(op->cli, argc, argv, &n) || n <= most)
			continue;
		best = op;
		most = n;
	}
	if (best != NULL)
		*used = most;
	return best;
}

static const char *
metavar(const struct op_arg *a)
{
	if (a->metavar != NULL)
		return a->metavar;
	return a->type == ARG_INT ? "N" : a->type == ARG_STRINGS ? "X,.." : "TEXT";
}

char *
cli_ops_arg_usage(const struct op_arg *a)
{
	if (a->pos > 0)
		return xprintf("%s%s", metavar(a), a->rest ? "..." : "");
	if (a->flag == NULL)
		return NULL;
	if (a->type == ARG_BOOL)
		return xprintf("--%s", a->flag);
	return xprintf("--%s %s", a->flag, metavar(a));
}

char *
cli_ops_usage(const struct op *op)
{
	const struct op_arg *a;
	struct buf b;
	char *s;
	int pos;

	buf_init(&b);
	/* The positionals in their order, then the options in the table's. */
	for (pos = 1; ; pos++) {
		for (a = op->args; a->name != NULL && a->pos != pos; a++)
			;
		if (a->name == NULL)
			break;
		s = cli_ops_arg_usage(a);
		buf_printf(&b, "%s%s%s%s", b.len > 0 ? " " : "", a->required ? "" : "[", s,
		    a->required ? "" : "]");
		free(s);
	}
	for (a = op->args; a->name != NULL; a++) {
		if (a->flag == NULL || (s = cli_ops_arg_usage(a)) == NULL)
			continue;
		buf_printf(&b, "%s%s%s%s", b.len > 0 ? " " : "", a->required ? "" : "[", s,
		    a->required ? "" : "]");
		free(s);
	}
	buf_printf(&b, "%s[--json]", b.len > 0 ? " " : "");
	s = xstrdup(b.data);
	buf_free(&b);
	return s;
}

/* "8h", "90m", "2d", "30s" or seconds; -1 if not a duration. */
static long
duration(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10), unit;

	unit = *end == 'd' ? 86400 : *end == 'h' ? 3600 : *end == 'm' ? 60 : 1;
	if (end == s || n <= 0 || (*end != '\0' && (strchr("dhms", *end) == NULL ||
	    end[1] != '\0')))
		return -1;
	return n * unit;
}

/* Sets an argument from its text on the command line; EXIT_USAGE after saying why. */
static int
cli_ops_value(const struct op *op, const struct op_arg *a, cJSON *req, const char *text)
{
	cJSON *v;
	char *copy, *p, *save, *end;
	long long n;
	long secs;

	switch (a->type) {
	case ARG_STRING:
		v = cJSON_CreateString(text);
		break;
	case ARG_INT:
		if (a->value == VALUE_AGO) {
			if ((secs = duration(text)) < 0) {
				cli_error("%s: %s: %s is not a duration like 8h, 90m or 2d", op->cli,
				    ops_arg_label(a), text);
				return EXIT_USAGE;
			}
			v = cJSON_CreateNumber((double)(time(NULL) - secs));
			break;
		}
		/* SEV3 as the console shows it, sev3 or 3. */
		if (a->value == VALUE_SEVERITY && strncasecmp(text, "sev", 3) == 0)
			text += 3;
		else if (a->value == VALUE_LEVEL && (*text == 'L' || *text == 'l'))
			text++;
		n = strtoll(text, &end, 10);
		/* Not a number: left as text, for ops_args_check to name. */
		v = *text != '\0' && *end == '\0' ? cJSON_CreateNumber((double)(n - a->base)) :
		    cJSON_CreateString(text);
		break;
	case ARG_BOOL:
		v = cJSON_CreateBool(!a->negate);
		break;
	case ARG_STRINGS:
	default:
		v = cJSON_CreateArray();
		copy = xstrdup(text);
		for (p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(v, cJSON_CreateString(a->value == VALUE_SEVERITY &&
			    strncasecmp(p, "sev", 3) == 0 ? p + 3 : p));
		free(copy);
		break;
	}
	/* Given twice: the last one counts. */
	cJSON_DeleteItemFromObjectCaseSensitive(req, a->name);
	cJSON_AddItemToObject(req, a->name, v);
	return 0;
}

/* The positional arguments from argv[first] on; EXIT_USAGE after saying why. */
static int
cli_ops_positionals(const struct op *op, cJSON *req, int first, int argc, char **argv)
{
	const struct op_arg *a;
	struct buf b;
	cJSON *v;
	int pos, i = first, rc = 0, j;

	for (pos = 1; i < argc; pos++) {
		for (a = op->args; a->name != NULL && a->pos != pos; a++)
			;
		if (a->name == NULL) {
			cli_error("%s: too many arguments", op->cli);
			return EXIT_USAGE;
		}
		if (!a->rest) {
			if ((rc = cli_ops_value(op, a, req, argv[i++])) != 0)
				return rc;
			continue;
		}
		if (a->type == ARG_STRINGS) {
			v = cJSON_AddArrayToObject(req, a->name);
			for (; i < argc; i++)
				cJSON_AddItemToArray(v, cJSON_CreateString(argv[i]));
			continue;
		}
		buf_init(&b);
		for (j = i; j < argc; j++)
			buf_printf(&b, "%s%s", j > i ? " " : "", argv[j]);
		cJSON_AddStringToObject(req, a->name, b.data);
		buf_free(&b);
		i = argc;
	}
	return 0;
}

/* Parses argv into a request for the op; EXIT_USAGE after saying why. */
static int
cli_ops_parse(struct cli *cli, const struct op *op, int argc, char **argv, cJSON *req)
{
	struct option opts[MAX_OPTIONS + 2];
	const struct op_arg *a;
	char shorts[2 * MAX_OPTIONS + 2], *cause = NULL;
	size_t n = 0, ns = 0;
	int ch, rc;

	for (a = op->args; a->name != NULL; a++) {
		if (a->flag == NULL || n == MAX_OPTIONS)
			continue;
		opts[n++] = (struct option){ a->flag, a->type == ARG_BOOL ? no_argument :
		    required_argument, NULL, 256 + (int)(a - op->args) };
		if (a->short_flag != 0) {
			shorts[ns++] = (char)a->short_flag;
			if (a->type != ARG_BOOL)
				shorts[ns++] = ':';
		}
	}
	opts[n++] = (struct option){ "json", no_argument, NULL, 'j' };
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[ns++] = 'j';
	shorts[ns] = '\0';
	while ((ch = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (ch == 'j') {
			cli->json = 1;
			continue;
		}
		if (ch >= 256)
			a = &op->args[ch - 256];
		else {
			for (a = op->args; a->name != NULL && a->short_flag != ch; a++)
				;
		}
		if (ch == '?' || a->name == NULL)
			return EXIT_USAGE;
		if ((rc = cli_ops_value(op, a, req, optarg)) != 0)
			return rc;
	}
	if ((rc = cli_ops_positionals(op, req, optind, argc, argv)) != 0)
		return rc;
	/* A negated flag's argument goes always: --no-wait is the exception. */
	for (a = op->args; a->name != NULL; a++) {
		if (a->negate && cJSON_GetObjectItemCaseSensitive(req, a->name) == NULL)
			cJSON_AddTrueToObject(req, a->name);
	}
	if (ops_args_check(op, req, 1, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	return 0;
}

int
cli_ops_call(struct cli *cli, int start, cJSON *req, void (*print)(const cJSON *))
{
	cJSON *r;

	if (cli_connect(cli, start) != 0) {
		cJSON_Delete(req);
		return 1;
	}
	if ((r = cli_call(cli, req)) == NULL)
		return 1;
	if (cli->json || print == NULL)
		cli_print_json(r);
	else
		print(r);
	cJSON_Delete(r);
	return 0;
}

int
cli_ops_main(struct cli *cli, const struct op *op, int argc, char **argv)
{
	const struct cli_hook *h = cli_ops_hook(op);
	const struct op_arg *a;
	cJSON *req = client_request(op->name), *local = cJSON_CreateObject(), *v;
	int rc;

	if ((rc = cli_ops_parse(cli, op, argc, argv, req)) != 0)
		goto out;
	for (a = op->args; a->name != NULL; a++) {
		if (a->local && (v = cJSON_DetachItemFromObjectCaseSensitive(req,
		    a->name)) != NULL)
			cJSON_AddItemToObject(local, a->name, v);
	}
	if (h->prepare != NULL && (rc = h->prepare(cli, req, local)) != 0)
		goto out;
	if (h->run != NULL)
		rc = h->run(cli, req, local);
	else
		rc = cli_ops_call(cli, !(h->flags & CLI_NOSTART), req, h->print);
	req = NULL;
out:
	cJSON_Delete(req);
	cJSON_Delete(local);
	return rc;
}
