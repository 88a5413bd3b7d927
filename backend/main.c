/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/buf.h"
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
#define CMD_FIRST	0x4	/* listed before the ops' subcommands */

/* The subcommands that are not ops; the op table (backend/ops-table.c) has the rest.
   `leitstand help` prints both. */
static const struct command {
	const char	*name;
	const char	*sub;
	int		(*fn)(struct cli *, int, char **);
	int		 flags;
	const char	*usage;
	const char	*help;
} commands[] = {
	{ "serve", NULL, cmd_serve, CMD_FIRST, "[--ready-fd N]",
	  "run the daemon in the foreground (SIGTERM or SIGINT stops it)" },
	{ "playbook", "lint", cli_playbook_lint, CMD_NOCONFIG, "FILE...",
	  "check playbook files: every problem as FILE:LINE: message" },
	{ "sim", NULL, cmd_sim, CMD_NOCONFIG, SIM_USAGE,
	  "simulated assistant: OpenAI-compatible API, /metrics, traffic profiles" },
	{ "config", "check", cli_config_check, CMD_NOCONFIG, "[FILE]",
	  "validate a config file without starting anything" },
	{ "config", "keys", cmd_config_keys, CMD_NOCONFIG, "",
	  "list every config key with its default (Markdown)" },
	{ "keys", NULL, cmd_keys, CMD_NOCONFIG, "",
	  "list the console's keys (Markdown)" },
	{ "ops", NULL, cmd_ops, CMD_NOCONFIG, "[--args]",
	  "list the protocol's ops with the role each needs, or every op's arguments "
	  "(Markdown)" },
	{ "version", NULL, cmd_version, CMD_NOCONFIG, "", "print the version" },
	{ "help", NULL, cmd_help, CMD_NOCONFIG, "", "this list" },
	{ REPO_SYNC_COMMAND, NULL, cmd_repo_sync, CMD_NOCONFIG | CMD_INTERNAL, "",
	  "a push to (or fetch from) the prompt remote, in a process the caller can stop" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void
usage_command(FILE *f, const struct command *c)
{
	char name[32];

	snprintf(name, sizeof name, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
	fprintf(f, "  %s %s\n      %s\n", name, c->usage, c->help);
}

static void
usage(FILE *f)
{
	const struct op *op;
	size_t i;
	char *u;

	fprintf(f, "usage: leitstand [-v] [-r] [--demo [--team]] [-c FILE] [-S SOCKET] [--timeout SECS] "
	    "[COMMAND [ARGS]]\n\n"
	    "Without a command, opens the console (starting a private daemon if none runs).\n\n"
	    "  -c, --config FILE    config file (else $LEITSTAND_CONFIG, "
	    "$XDG_CONFIG_HOME/leitstand/leitstand.ini, /etc/leitstand/leitstand.ini)\n"
	    "  -S, --socket PATH    daemon socket (overrides daemon.socket)\n"
	    "  -r, --readonly       console without state-changing keys\n"
	    "      --demo           the built-in demo: its own daemon, data dir and socket\n"
	    "      --team           with --demo, as root: two demo users (engineer, approver) and\n"
	    "                       their consoles side by side in tmux, to practise four-eyes\n"
	    "      --timeout SECS   wait at most this long for the daemon's reply (else "
	    "daemon.reply_timeout; 0: for ever)\n"
	    "  -v, --verbose        write a debug log leitstand-*-PID.log in the current directory\n\n"
	    "commands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		if (commands[i].flags & CMD_FIRST)
			usage_command(f, &commands[i]);
	}
	for (op = ops_table; op->name != NULL; op++) {
		if (op->cli == NULL)
			continue;
		u = cli_ops_usage(op);
		fprintf(f, "  %s %s\n      %s\n", op->cli, u,
		    op->cli_help != NULL ? op->cli_help : op->help);
		free(u);
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (!(commands[i].flags & (CMD_INTERNAL | CMD_FIRST)))
			usage_command(f, &commands[i]);
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

/* Text for a Markdown table cell: a "|" would end the cell. */
static void
print_cell(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			putchar('\\');
		putchar(*s);
	}
}

/* One row per argument: what the daemon takes, who may give it, how the CLI gives it. */
static void
print_op_args(void)
{
	const struct op *op;
	const struct op_arg *a;
	struct buf b;
	char *form;

	printf("| Op | Argument | Takes | Notes | Command line | What it is |\n"
	    "| --- | --- | --- | --- | --- | --- |\n");
	for (op = ops_table; op->name != NULL; op++) {
		for (a = op->args; a->name != NULL; a++) {
			buf_init(&b);
			if (a->type == ARG_INT && a->max >= 1LL << 40)
				buf_printf(&b, "integer, %lld or more", a->min);
			else if (a->type == ARG_INT)
				buf_printf(&b, "integer, %lld to %lld", a->min, a->max);
			else if (a->type == ARG_STRING && a->min > 0)
				buf_printf(&b, "string, %lld to %lld bytes", a->min, a->max);
			else if (a->type == ARG_STRING)
				buf_printf(&b, "string, up to %lld bytes", a->max);
			else if (a->type == ARG_STRINGS)
				buf_printf(&b, "up to %lld strings", a->max);
			else
				buf_printf(&b, "true or false");
			printf("| `%s` | `%s` | %s |", op->name, a->name, b.data);
			buf_free(&b);
			buf_init(&b);
			if (a->required)
				buf_printf(&b, "required");
			if (a->perm != PERM_READ)
				buf_printf(&b, "%sonly %s", b.len > 0 ? ", " : "",
				    role_name(perm_role(a->perm)));
			if (a->text)
				buf_printf(&b, "%sredacted", b.len > 0 ? ", " : "");
			if (a->local)
				buf_printf(&b, "%snot sent", b.len > 0 ? ", " : "");
			if (a->base != 0)
				buf_printf(&b, "%sthe command line counts from %lld", b.len > 0 ?
				    ", " : "", a->min + a->base);
			printf(" %s | ", b.len > 0 ? b.data : "");
			buf_free(&b);
			form = op->cli != NULL ? cli_ops_arg_usage(a) : NULL;
			if (form != NULL) {
				putchar('`');
				print_cell(form);
				putchar('`');
			} else
				printf("—");
			printf(" | ");
			print_cell(a->help);
			printf(" |\n");
			free(form);
		}
	}
}

static int
cmd_ops(struct cli *cli, int argc, char **argv)
{
	const struct op *op;

	(void)cli;
	if (argc > 1 && strcmp(argv[1], "--args") == 0) {
		print_op_args();
		return 0;
	}
	if (argc > 1)
		return EXIT_USAGE;
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
	opts.quit_asks = cli->quit_asks;
	opts.client = cli->client;
	cli->client = NULL;	/* the console owns it now */
	if (cli->verbose)
		log_open("client");
	rc = tui_main(&opts);
	log_close();
	return rc;
}

/* A word that begins subcommands ("incident") without one of them: says which there are.
   0 if it begins none. */
static int
group_usage(const char *word, const char *sub)
{
	const struct op *op;
	size_t i, n = strlen(word), found = 0;
	char *u;

	for (op = ops_table; op->name != NULL; op++) {
		if (op->cli == NULL || strncmp(op->cli, word, n) != 0 || op->cli[n] != ' ')
			continue;
		if (found++ == 0)
			cli_error(sub != NULL ? "%s: no subcommand \"%s\"; one of:" :
			    "%s needs a subcommand, one of:", word, sub);
		u = cli_ops_usage(op);
		fprintf(stderr, "  leitstand %s %s\n", op->cli, u);
		free(u);
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if (commands[i].sub == NULL || strcmp(commands[i].name, word) != 0 ||
		    (commands[i].flags & CMD_INTERNAL))
			continue;
		if (found++ == 0)
			cli_error(sub != NULL ? "%s: no subcommand \"%s\"; one of:" :
			    "%s needs a subcommand, one of:", word, sub);
		fprintf(stderr, "  leitstand %s %s %s\n", word, commands[i].sub,
		    commands[i].usage);
	}
	return found > 0;
}

/*
 * An op without positionals followed by a word ("oncall override", "oncall overide add"): the
 * word names a group of subcommands or none of them. Says which there are; 0 if the op begins
 * no subcommands (its own parser says what is wrong).
 */
static int
op_group_usage(const struct op *op, int argc, char **argv, int used)
{
	const struct op_arg *a;
	char *group;
	int found;

	if (used >= argc || argv[used][0] == '-')
		return 0;
	for (a = op->args; a->name != NULL; a++) {
		if (a->pos > 0)
			return 0;
	}
	group = xprintf("%s %s", op->cli, argv[used]);
	found = group_usage(group, argc > used + 1 ? argv[used + 1] : NULL);
	free(group);
	return found || group_usage(op->cli, argv[used]);
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
		{ "team", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct command *cmd = NULL;
	const struct op *op = NULL;
	struct cli cli;
	const char *config_arg = NULL;
	char *cause = NULL, *usage_op;
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
		case 'T':
			cli.demo = cli.demo_team = 1;
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
	if (argc > 0 && (cmd = find_command(argc, argv, &used)) == NULL &&
	    (op = cli_ops_find(argc, argv, &used)) == NULL) {
		if (!group_usage(argv[0], argc > 1 ? argv[1] : NULL))
			cli_error("unknown command \"%s%s%s\"; see leitstand help", argv[0],
			    argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
		free(cli.options);
		return EXIT_USAGE;
	}
	if (op != NULL && op_group_usage(op, argc, argv, used)) {
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
	if ((op != NULL || (cmd != NULL && !(cmd->flags & CMD_INTERNAL))) &&
	    locale_warning() != NULL)
		fprintf(stderr, "leitstand: %s\n", locale_warning());

	/* 0, not 1: glibc then forgets the state of the parse of the global options. */
	optind = 0;
	if (op != NULL) {
		/* Options from the op's last word on, as getopt expects. */
		argc -= used - 1;
		argv += used - 1;
		if ((rc = cli_ops_main(&cli, op, argc, argv)) == EXIT_USAGE) {
			usage_op = cli_ops_usage(op);
			fprintf(stderr, "usage: leitstand %s %s\n", op->cli, usage_op);
			free(usage_op);
		}
	} else if (cmd == NULL && cli.demo)
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
