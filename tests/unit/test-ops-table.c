/* SPDX-License-Identifier: ISC */
/* The op table holds together: writes are audited, free text is redacted, every argument
   has a command-line form and help, and the daemon's and the CLI's checks are one. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cli.h"
#include "backend/ops.h"

/*
 * Ops named for reading: nothing else may go without OP_WRITE, whose transaction writes the
 * audit entry. "check" evaluates a step's live checks and stores nothing; "handover" is a
 * report. A read verb may still be a write (gdpr.export is audited).
 */
static const char *const read_verbs[] = {
	"list", "show", "diff", "cat", "history", "kpis", "range", "doctor", "verify",
	"export", "report", "status", "subscribe", "check", "handover", "feedback", NULL
};

static int
is_read_verb(const char *name)
{
	const char *verb = strrchr(name, '.') != NULL ? strrchr(name, '.') + 1 : name;
	size_t i;

	for (i = 0; read_verbs[i] != NULL; i++) {
		if (strcmp(read_verbs[i], verb) == 0)
			return 1;
	}
	return 0;
}

static void
test_writes_are_audited(void **state)
{
	const struct op *op;

	(void)state;
	for (op = ops_table; op->name != NULL; op++) {
		if (!is_read_verb(op->name) && !(op->flags & OP_WRITE))
			fail_msg("%s changes state but is not OP_WRITE (not audited)", op->name);
		/* A viewer changes nothing. */
		if ((op->flags & OP_WRITE) && op->perm == PERM_READ)
			fail_msg("%s is a write any viewer may make", op->name);
	}
}

static void
test_text_is_redacted_or_verbatim(void **state)
{
	const struct op *op;
	const struct op_arg *a;

	(void)state;
	for (op = ops_table; op->name != NULL; op++) {
		for (a = op->args; a->name != NULL; a++) {
			if (a->text && a->verbatim != NULL)
				fail_msg("%s %s: both redacted and verbatim", op->name, a->name);
			if (a->text && a->type != ARG_STRING)
				fail_msg("%s %s: only strings are redacted", op->name, a->name);
			/* A search or a filter must find what is stored, redacted or not. */
			if (a->text && !(op->flags & OP_WRITE))
				fail_msg("%s %s: redacted text on a read", op->name, a->name);
			if (!(op->flags & OP_WRITE) || a->type != ARG_STRING || a->local)
				continue;
			if (!a->text && (a->verbatim == NULL || *a->verbatim == '\0'))
				fail_msg("%s %s: a string of a write is neither .text (redacted) "
				    "nor .verbatim with a reason", op->name, a->name);
		}
	}
}

static void
test_help_and_cli_forms(void **state)
{
	const struct op *op;
	const struct op_arg *a, *b;
	int pos, last_pos, optional_seen, rest_seen;

	(void)state;
	for (op = ops_table; op->name != NULL; op++) {
		if (op->help == NULL || *op->help == '\0')
			fail_msg("%s: no help", op->name);
		if ((op->cli == NULL) == (op->protocol_only == NULL))
			fail_msg("%s: needs CLI words or a reason it is protocol-only, not both",
			    op->name);
		last_pos = 0;
		optional_seen = rest_seen = 0;
		for (a = op->args; a->name != NULL; a++) {
			if (a->help == NULL || *a->help == '\0')
				fail_msg("%s %s: no help", op->name, a->name);
			if (a->pos > 0 && a->flag != NULL)
				fail_msg("%s %s: positional and option", op->name, a->name);
			if (op->cli != NULL && a->pos == 0 && a->flag == NULL &&
			    a->protocol_only == NULL)
				fail_msg("%s %s: no CLI form and not protocol-only", op->name,
				    a->name);
			if (a->protocol_only != NULL && (a->pos > 0 || a->flag != NULL))
				fail_msg("%s %s: protocol-only but on the command line", op->name,
				    a->name);
			if (a->local && op->cli == NULL)
				fail_msg("%s %s: local to a command line it has not", op->name,
				    a->name);
			if (a->negate && (a->type != ARG_BOOL || a->flag == NULL))
				fail_msg("%s %s: only a bool option is negated", op->name, a->name);
			if (a->base != 0 && a->type != ARG_INT)
				fail_msg("%s %s: only numbers count from a base", op->name, a->name);
			if (a->flag != NULL && strcmp(a->flag, "json") == 0)
				fail_msg("%s: --json is every subcommand's", op->name);
			if (a->short_flag == 'j')
				fail_msg("%s: -j is every subcommand's", op->name);
			for (b = op->args; b < a; b++) {
				if (strcmp(a->name, b->name) == 0)
					fail_msg("%s: %s twice", op->name, a->name);
				if (a->flag != NULL && b->flag != NULL &&
				    strcmp(a->flag, b->flag) == 0)
					fail_msg("%s: --%s twice", op->name, a->flag);
				if (a->short_flag != 0 && a->short_flag == b->short_flag)
					fail_msg("%s: -%c twice", op->name, a->short_flag);
			}
		}
		/* Positionals 1, 2, ...: required before optional, the rest-taker last. */
		for (pos = 1; ; pos++) {
			for (a = op->args; a->name != NULL && a->pos != pos; a++)
				;
			if (a->name == NULL)
				break;
			if (rest_seen)
				fail_msg("%s: a positional after the one taking the rest", op->name);
			if (a->required && optional_seen)
				fail_msg("%s %s: required after optional", op->name, a->name);
			optional_seen |= !a->required;
			rest_seen |= a->rest;
			last_pos = pos;
		}
		for (a = op->args; a->name != NULL; a++) {
			if (a->pos > last_pos)
				fail_msg("%s %s: positional %d leaves a gap", op->name, a->name,
				    a->pos);
		}
	}
}

static void
test_cli_words_unique(void **state)
{
	const struct op *op, *o2;

	(void)state;
	for (op = ops_table; op->name != NULL; op++) {
		for (o2 = ops_table; o2 < op; o2++) {
			if (op->cli != NULL && o2->cli != NULL && strcmp(op->cli, o2->cli) == 0)
				fail_msg("%s and %s are both \"%s\"", o2->name, op->name, op->cli);
			if (strcmp(op->name, o2->name) == 0)
				fail_msg("%s twice", op->name);
		}
	}
}

/* Every subcommand prints its reply for a human; every hook belongs to a subcommand. */
static void
test_cli_hooks(void **state)
{
	static const struct cli_hook *const files[] = {
		cli_audit_hooks, cli_config_hooks, cli_feedback_hooks, cli_incident_hooks, cli_kpi_hooks,
		cli_notify_hooks, cli_oncall_hooks, cli_playbook_hooks, cli_privacy_hooks, cli_prompt_hooks,
		cli_rollout_hooks, cli_status_hooks
	};
	const struct cli_hook *h, *found;
	const struct op *op;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		for (h = files[i]; h->op != NULL; h++) {
			if ((op = ops_find(h->op)) == NULL || op->cli == NULL)
				fail_msg("a CLI hook for %s, which has no subcommand", h->op);
		}
	}
	for (op = ops_table; op->name != NULL; op++) {
		if (op->cli == NULL)
			continue;
		found = NULL;
		for (i = 0; i < sizeof files / sizeof files[0]; i++) {
			for (h = files[i]; h->op != NULL; h++) {
				if (strcmp(h->op, op->name) != 0)
					continue;
				if (found != NULL)
					fail_msg("%s: two CLI hooks", op->name);
				found = h;
			}
		}
		if (found == NULL || (found->print == NULL && found->run == NULL))
			fail_msg("%s: \"%s\" prints no reply for a human", op->name, op->cli);
	}
}

/* Reading another daemon's files and overriding the eval gate are an admin's. */
static void
test_argument_permissions(void **state)
{
	const struct op_arg *a;

	(void)state;
	for (a = ops_find("audit.verify")->args; strcmp(a->name, "checkpoints") != 0; a++)
		;
	assert_int_equal(a->perm, PERM_ADMIN);
	for (a = ops_find("prompt.approve")->args; strcmp(a->name, "override") != 0; a++)
		;
	assert_int_equal(a->perm, PERM_ADMIN);
	assert_true(a->text);
}

/* Checks a request given as JSON; returns the cause, or NULL when it passes. */
static char *
check(const char *opname, const char *json, int cli)
{
	cJSON *req = cJSON_Parse(json);
	char *cause = NULL;

	assert_non_null(req);
	if (ops_args_check(ops_find(opname), req, cli, &cause) == 0)
		assert_null(cause);
	cJSON_Delete(req);
	return cause;
}

static void
expect_cause(const char *opname, const char *json, int cli, const char *want)
{
	char *cause = check(opname, json, cli);

	if (cause == NULL)
		fail_msg("%s %s passed; wanted %s", opname, json, want);
	if (strstr(cause, want) == NULL)
		fail_msg("%s %s: \"%s\" lacks \"%s\"", opname, json, cause, want);
	free(cause);
}

static void
test_checks_shared(void **state)
{
	(void)state;
	/* One range, both sides, each in its own words. */
	expect_cause("prompt.list", "{\"limit\": 800}", 0,
	    "prompt.list: \"limit\" must be an integer from 1 to 500");
	expect_cause("prompt.list", "{\"limit\": 800}", 1,
	    "prompt list: --limit: 800 is not a number from 1 to 500");
	expect_cause("prompt.list", "{\"limit\": \"lots\"}", 1,
	    "--limit: lots is not a number from 1 to 500");
	assert_null(check("prompt.list", "{\"limit\": 500}", 0));
	/* String minimums hold. */
	expect_cause("incident.note", "{\"incident\": 1, \"text\": \"\"}", 0,
	    "incident.note: \"text\" must not be empty");
	expect_cause("run.start", "{\"playbook\": \"\"}", 1,
	    "playbook run: ID must not be empty");
	expect_cause("incident.open", "{\"severity\": 2}", 1, "incident open: --title is "
	    "required");
	expect_cause("incident.open", "{\"severity\": 2}", 0, "\"title\" is required");
	/* The CLI's own arguments are not the protocol's. */
	assert_null(check("kpi.list", "{\"watch\": true}", 1));
	expect_cause("kpi.list", "{\"watch\": true}", 0, "unknown argument \"watch\"");
	/* The command line counts items from 1. */
	expect_cause("run.tick", "{\"run\": 1, \"step\": 1, \"item\": 4999}", 1,
	    "ITEM: 5000 is not a number from 1 to 1001");
	expect_cause("incident.list", "{\"status\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", 1,
	    "--status: at most 4 values");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_are_audited),
		cmocka_unit_test(test_text_is_redacted_or_verbatim),
		cmocka_unit_test(test_help_and_cli_forms),
		cmocka_unit_test(test_cli_words_unique),
		cmocka_unit_test(test_cli_hooks),
		cmocka_unit_test(test_argument_permissions),
		cmocka_unit_test(test_checks_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
