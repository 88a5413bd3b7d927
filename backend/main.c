/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/demo.h"
#include "backend/locale.h"
#include "backend/log.h"
#include "backend/ops.h"
#include "backend/options-table.h"
#include "backend/repo-sync.h"
#include "backend/sim.h"
#include "backend/version.h"
#include "backend/xmalloc.h"
#include "tui/tui.h"

static int	cmd_serve(struct cli *, int, char **);
static int	cmd_console(struct cli *, int, char **);
static int	cmd_keys(struct cli *, int, char **);
static int	cmd_ops(struct cli *, int, char **);
static int	cmd_config_keys(struct cli *, int, char **);
static int	cmd_sim(struct cli *, int, char **);
static int	cmd_version(struct cli *, int, char **);
static int	cmd_help(struct cli *, int, char **);
static int	cmd_repo_sync(struct cli *, int, char **);

#define CMD_NOCONFIG	0x1	/* runs without loading the config */
#define CMD_INTERNAL	0x2	/* the daemon's own helper: not in `leitstand help` */

/* The subcommand table; `leitstand help` prints it. */
static const struct command {
	const char	*name;
	const char	*sub;
	int		(*fn)(struct cli *, int, char **);
	int		 flags;
	const char	*usage;
	const char	*help;
} commands[] = {
	{ "serve", NULL, cmd_serve, 0, "[--ready-fd N]",
	  "run the daemon in the foreground (SIGTERM or SIGINT stops it)" },
	{ "status", NULL, cli_status, 0, "[--json]",
	  "daemon version, uptime, clients, data dir, your user and role" },
	{ "kpi", "doctor", cli_kpi_doctor, 0, "[--json]",
	  "why each KPI shows what it shows: the metrics dialect found, the query in force, "
	  "the series it matches, and for a blank one the reason and what to change" },
	{ "kpi", NULL, cli_kpi, 0, "[--json] [--watch]",
	  "the KPIs: value, state, age; --watch prints every poll (JSON lines with --json)" },
	{ "incident", "list", cli_incident_list, 0, "[--status S,..] [--severity N,..] "
	  "[--level N] [--assignee USER] [--search TEXT] [--order severity|id] [--limit N] "
	  "[--json]", "incidents, most severe and oldest first, with counts and timers" },
	{ "incident", "show", cli_incident_show, 0, "ID [--json]",
	  "one incident: fields, timers, MTTA/MTTR, timeline" },
	{ "incident", "open", cli_incident_open, 0,
	  "--title TEXT --severity 1-4 [--description TEXT] [--json]", "open an incident" },
	{ "incident", "ack", cli_incident_act, 0, "ID [--json]", "acknowledge" },
	{ "incident", "take", cli_incident_act, 0, "ID [--json]", "assign to yourself" },
	{ "incident", "note", cli_incident_act, 0, "ID TEXT... [--json]",
	  "add a note (personal data is redacted)" },
	{ "incident", "snooze", cli_incident_act, 0, "ID --minutes N REASON... [--json]",
	  "silence the timers for a while" },
	{ "incident", "escalate", cli_incident_act, 0, "ID [REASON...] [--json]",
	  "raise the level; watch it" },
	{ "incident", "mitigate", cli_incident_act, 0, "ID [TEXT...] [--json]",
	  "mark the impact mitigated" },
	{ "incident", "resolve", cli_incident_act, 0, "ID [TEXT...] [--json]", "resolve" },
	{ "incident", "reopen", cli_incident_act, 0, "ID [TEXT...] [--json]",
	  "reopen a resolved incident" },
	{ "incident", "ticket", cli_incident_act, 0, "ID [--json]",
	  "export to the ticket system ([ticket])" },
	{ "incident", "report", cli_incident_report, 0, "ID [--json]",
	  "the postmortem as Markdown" },
	{ "handover", NULL, cli_handover, 0, "[--since DURATION] [--json]",
	  "the shift handover (default: the last 8h) as Markdown" },
	{ "playbook", "list", cli_playbook_list, 0, "[--lang en|de] [--json]",
	  "the playbook library and the runs still open" },
	{ "playbook", "run", cli_playbook_run, 0, "ID [--incident N] [--lang en|de] [--json]",
	  "start a run (step through it in the console, or with run step)" },
	{ "playbook", "lint", cli_playbook_lint, CMD_NOCONFIG, "FILE...",
	  "check playbook files: every problem as FILE:LINE: message" },
	{ "run", "list", cli_run_list, 0, "[--all] [--json]", "playbook runs, open ones first" },
	{ "run", "show", cli_run_show, 0, "ID [--json]", "a run: progress, where to resume" },
	{ "run", "step", cli_run_act, 0, "ID STEP done|skipped|failed [NOTE...] [--json]",
	  "record a step (skipped and failed need a note)" },
	{ "run", "note", cli_run_act, 0, "ID STEP TEXT... [--json]", "add a note to a step" },
	{ "run", "tick", cli_run_act, 0, "ID STEP ITEM [--untick] [--json]",
	  "tick a checklist item (numbered from 1)" },
	{ "run", "check", cli_run_act, 0, "ID STEP [--json]",
	  "evaluate a step's live checks now" },
	{ "run", "export", cli_run_show, 0, "ID", "the run as Markdown" },
	{ "prompt", "list", cli_prompt_list, 0, "[--limit N] [--json]",
	  "assistants with their release and model; proposals with state and eval" },
	{ "prompt", "show", cli_prompt_show, 0, "ID [--json]",
	  "a proposal: eval cases, production's baseline, the diff" },
	{ "prompt", "cat", cli_prompt_cat, 0, "FILE [--assistant A] [--rev REV] [--json]",
	  "system.md, model.ini or evals.jsonl at production (or a proposal, a release)" },
	{ "prompt", "diff", cli_prompt_diff, 0, "PROPOSAL|RELEASE [TO] [--json]",
	  "a proposal against production, a release against the one before, or FROM TO" },
	{ "prompt", "propose", cli_prompt_propose, 0,
	  "-m DESCRIPTION [--assistant A] FILE... [--json]",
	  "propose changed system.md, model.ini and/or evals.jsonl" },
	{ "prompt", "eval", cli_prompt_eval, 0, "ID [--no-wait] [--json]",
	  "run the proposal's eval cases against staging and print the results" },
	{ "prompt", "approve", cli_prompt_approve, 0, "ID [--override REASON] [--json]",
	  "release a proposal someone else made (admin: --override a failed eval gate)" },
	{ "prompt", "reject", cli_prompt_reject, 0, "ID REASON... [--json]",
	  "reject a proposal" },
	{ "prompt", "rollback", cli_prompt_rollback, 0, "[RELEASE] [--assistant A] [--json]",
	  "a new release equal to RELEASE (default: the one before the latest)" },
	{ "prompt", "history", cli_prompt_history, 0, "[--assistant A] [--limit N] [--json]",
	  "releases, newest first, with approver, eval and rollbacks" },
	{ "prompt", "kpis", cli_prompt_kpis, 0, "[--assistant A] [--json]",
	  "the live release's requests, errors, p95, feedback and cost per request next to "
	  "the release before it ([prompts] release_label)" },
	{ "purge", NULL, cli_purge, 0, "[--dry-run] [--json]",
	  "remove personal data past its [retention] period now (admin)" },
	{ "gdpr", "export", cli_gdpr, 0, "--subject TEXT",
	  "every stored record that mentions a person, as JSON (admin; GDPR Art. 15)" },
	{ "gdpr", "erase", cli_gdpr, 0, "--subject TEXT [--dry-run] [--force] [--json]",
	  "erase a person wherever stored; prints what changed (admin; GDPR Art. 17); "
	  "--dry-run only counts, --force erases a subject in more than [privacy] "
	  "erase_max_share of a table" },
	{ "audit", "checkpoint", cli_audit_checkpoint, 0, "[--json]",
	  "sign the chain head now and append it to [audit] checkpoint_file (admin)" },
	{ "audit", "verify", cli_audit_verify, 0, "[--checkpoints FILE] [--json]",
	  "check the audit hash chain (exit 3 if broken)" },
	{ "audit", "list", cli_audit_list, 0, "[--actor USER] [--action OP] [--limit N] [--json]",
	  "newest audit entries first" },
	{ "audit", "export", cli_audit_export, 0, "[--format json|csv] [--since TIME] [--until TIME]",
	  "every entry with details and hashes (admin)" },
	{ "sim", NULL, cmd_sim, CMD_NOCONFIG, SIM_USAGE,
	  "simulated assistant: OpenAI-compatible API, /metrics, traffic profiles" },
	{ "config", "check", cli_config_check, CMD_NOCONFIG, "[FILE]",
	  "validate a config file without starting anything" },
	{ "config", "reload", cli_config_reload, 0, "",
	  "make the daemon re-read its config file (admin; SIGHUP does the same)" },
	{ "config", "keys", cmd_config_keys, CMD_NOCONFIG, "",
	  "list every config key with its default (Markdown)" },
	{ "keys", NULL, cmd_keys, CMD_NOCONFIG, "",
	  "list the console's keys (Markdown)" },
	{ "ops", NULL, cmd_ops, CMD_NOCONFIG, "",
	  "list the protocol's ops with the role each needs (Markdown)" },
	{ "version", NULL, cmd_version, CMD_NOCONFIG, "", "print the version" },
	{ "help", NULL, cmd_help, CMD_NOCONFIG, "", "this list" },
	{ REPO_SYNC_COMMAND, NULL, cmd_repo_sync, CMD_NOCONFIG | CMD_INTERNAL, "",
	  "a push to (or fetch from) the prompt remote, in a process the caller can stop" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void
usage(FILE *f)
{
	size_t i;
	char name[32];

	fprintf(f, "usage: leitstand [-v] [-r] [--demo] [-c FILE] [-S SOCKET] [--timeout SECS] "
	    "[COMMAND [ARGS]]\n\n"
	    "Without a command, opens the console (starting a private daemon if none runs).\n\n"
	    "  -c, --config FILE    config file (else $LEITSTAND_CONFIG, "
	    "$XDG_CONFIG_HOME/leitstand/leitstand.ini, /etc/leitstand/leitstand.ini)\n"
	    "  -S, --socket PATH    daemon socket (overrides daemon.socket)\n"
	    "  -r, --readonly       console without state-changing keys\n"
	    "      --demo           the built-in demo: its own daemon, data dir and socket\n"
	    "      --timeout SECS   wait at most this long for the daemon's reply (else "
	    "daemon.reply_timeout; 0: for ever)\n"
	    "  -v, --verbose        write a debug log leitstand-*-PID.log in the current directory\n\n"
	    "commands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		if (commands[i].flags & CMD_INTERNAL)
			continue;
		snprintf(name, sizeof name, "%s%s%s", commands[i].name,
		    commands[i].sub ? " " : "", commands[i].sub ? commands[i].sub : "");
		fprintf(f, "  %s %s\n      %s\n", name, commands[i].usage, commands[i].help);
	}
}

static int
cmd_help(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	usage(stdout);
	return 0;
}

static int
cmd_repo_sync(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	return repo_sync_child();
}

static int
cmd_version(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	printf("leitstand %s\n", LEITSTAND_VERSION);
	return 0;
}

static int
cmd_keys(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	tui_print_keys(stdout);
	return 0;
}

static int
cmd_ops(struct cli *cli, int argc, char **argv)
{
	const struct op *op;

	(void)cli, (void)argc, (void)argv;
	printf("| Op | Least role | Changes state | What it does |\n| --- | --- | --- | --- |\n");
	for (op = ops_table; op->name != NULL; op++)
		printf("| `%s` | %s | %s | %s |\n", op->name, role_name(perm_role(op->perm)),
		    (op->flags & OP_WRITE) ? "yes, audited" : "no", op->help);
	return 0;
}

static int
cmd_config_keys(struct cli *cli, int argc, char **argv)
{
	const struct option_def *o;
	char *def;
	size_t i;

	(void)cli, (void)argc, (void)argv;
	printf("| Key | Default | Meaning |\n| --- | --- | --- |\n");
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		def = config_default_text(o);
		printf("| `%s.%s` | %s | %s%s |\n", o->section, o->key, def, o->help,
		    (o->flags & OPT_SECRET) ? " (secret)" : "");
		free(def);
	}
	return 0;
}

static int
cmd_sim(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	return sim_main(argc, argv);
}

static int
cmd_serve(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ready-fd", required_argument, NULL, 'r' }, { NULL, 0, NULL, 0 }
	};
	int ch, ready_fd = -1, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'r')
			return EXIT_USAGE;
		ready_fd = atoi(optarg);
	}
	if (optind != argc)
		return EXIT_USAGE;
	if (cli->verbose)
		log_open("server");
	rc = daemon_main(&cli->cfg, ready_fd);
	log_close();
	return rc;
}

static int
cmd_console(struct cli *cli, int argc, char **argv)
{
	struct tui_options opts;
	int rc;

	(void)argc, (void)argv;
	if (cli_connect(cli, 1) != 0)
		return 1;
	memset(&opts, 0, sizeof opts);
	opts.cfg = &cli->cfg;
	opts.readonly = cli->readonly;
	opts.client = cli->client;
	cli->client = NULL;	/* the console owns it now */
	if (cli->verbose)
		log_open("client");
	rc = tui_main(&opts);
	log_close();
	return rc;
}

static const struct command *
find_command(int argc, char **argv, int *used)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, argv[0]) != 0)
			continue;
		if (commands[i].sub == NULL) {
			*used = 1;
			return &commands[i];
		}
		if (argc > 1 && strcmp(commands[i].sub, argv[1]) == 0) {
			*used = 2;
			return &commands[i];
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "readonly", no_argument, NULL, 'r' },
		{ "demo", no_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct command *cmd = NULL;
	struct cli cli;
	const char *config_arg = NULL;
	char *cause = NULL;
	int ch, used = 0, rc;

	locale_init();
	memset(&cli, 0, sizeof cli);
	cli.timeout = -1;
	while ((ch = getopt_long(argc, argv, "+c:S:rvhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_arg = optarg;
			break;
		case 'S':
			cli.socket = optarg;
			break;
		case 'r':
			cli.readonly = 1;
			break;
		case 'D':
			cli.demo = 1;
			break;
		case 'v':
			cli.verbose = 1;
			break;
		case 't':
			if ((cli.timeout = config_duration(optarg)) < 0 || cli.timeout > 86400) {
				cli_error("--timeout %s: give seconds (or 90s, 15m, 2h) up to 1d; "
				    "0 waits for ever", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			return cmd_version(&cli, 0, NULL);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* A daemon we start gets the same global options. */
	cli.options = xcalloc((size_t)optind, sizeof *cli.options);
	memcpy(cli.options, argv + 1, (size_t)(optind - 1) * sizeof *cli.options);
	argc -= optind;
	argv += optind;
	if (argc > 0 && (cmd = find_command(argc, argv, &used)) == NULL) {
		cli_error("unknown command \"%s%s%s\"; see leitstand help", argv[0],
		    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		free(cli.options);
		return EXIT_USAGE;
	}
	if (cmd != NULL && (cmd->flags & CMD_NOCONFIG))
		cli.config_file = config_arg != NULL ? xstrdup(config_arg) : NULL;
	else {
		cli.config_file = config_find(config_arg);
		if (config_load(&cli.cfg, cli.config_file, &cause) != 0) {
			fprintf(stderr, "%s\n", cause);
			free(cause);
			free(cli.config_file);
			free(cli.options);
			return 1;
		}
		if (cli.demo)
			config_demo(&cli.cfg);
		if (cli.socket != NULL) {
			free(cli.cfg.socket);
			cli.cfg.socket = xstrdup(cli.socket);
		}
	}

	/* The console shows it on its status line. */
	if (cmd != NULL && !(cmd->flags & CMD_INTERNAL) && locale_warning() != NULL)
		fprintf(stderr, "leitstand: %s\n", locale_warning());

	/* 0, not 1: glibc then forgets the state of the parse of the global options. */
	optind = 0;
	if (cmd == NULL && cli.demo)
		rc = demo_main(&cli, cmd_console);
	else if (cmd == NULL)
		rc = cmd_console(&cli, argc, argv);
	else {
		/* Subcommands parse their own options, from their name on. */
		argc -= used - 1;
		argv += used - 1;
		if ((rc = cmd->fn(&cli, argc, argv)) == EXIT_USAGE)
			fprintf(stderr, "usage: leitstand %s%s%s %s\n", cmd->name,
			    cmd->sub ? " " : "", cmd->sub ? cmd->sub : "", cmd->usage);
	}
	client_free(cli.client);
	config_free(&cli.cfg);
	free(cli.config_file);
	free(cli.options);
	return rc;
}
