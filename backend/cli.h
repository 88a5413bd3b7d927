/* SPDX-License-Identifier: ISC */
/* Command-line subcommands: the same requests the console sends, for scripts and tests. */
#ifndef CLI_H
#define CLI_H

#include <cjson/cJSON.h>

#include "backend/config.h"

/* Exit codes. */
#define EXIT_USAGE	2
#define EXIT_CHECK	3	/* a check ran and found a problem (audit verify) */

struct client;

struct cli {
	struct config	 cfg;
	char		*config_file;	/* NULL: built-in defaults */
	const char	*socket;	/* -S, or NULL */
	char		**options;	/* the global options, for a daemon we start */
	int		 demo;
	int		 demo_team;	/* --demo --team */
	const char	*quit_asks;	/* the console asks this before quitting (the demo's) */
	int		 readonly;
	int		 verbose;
	int		 json;
	long long	 timeout;	/* --timeout in seconds, or -1: daemon.reply_timeout */
	int		 long_reply;	/* the op replies when its work is done (a waiting eval):
					   no reply timeout unless --timeout */
	struct client	*client;
};

/* Connects (starting a private daemon if allowed); prints the error and returns -1 if not. */
int	 cli_connect(struct cli *, int start);
/* Sends a request and returns the ok reply; prints the error and returns NULL otherwise. */
cJSON	*cli_call(struct cli *, cJSON *req);
/* Prints a reply's "markdown" as it is: the daemon built it from sanitised text. */
void	 cli_print_markdown(const cJSON *reply);
/* Prints external text for a human reader: sanitised when stdout is a terminal. */
void	 cli_put(const char *);
/* Prints an ok reply without "id" and "ok", pretty, for --json. */
void	 cli_print_json(cJSON *reply);
/* Reports a usage or runtime error the way every subcommand does. */
void	 cli_error(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * What a subcommand adds to its op's entry in the op table, which describes its arguments:
 * work on the client's side and how a human reads the reply. Every hook is optional.
 */
struct cli_hook {
	const char	*op;
	/* Completes the request from the parsed arguments and the CLI's local ones (reads
	   files, fills defaults); 0, or the exit code after printing why. */
	int		(*prepare)(struct cli *, cJSON *req, const cJSON *local);
	/* Prints the reply unless --json. */
	void		(*print)(const cJSON *reply);
	/* Sends req (taken) itself instead of one call and print (pages, watches); returns the
	   exit code. */
	int		(*run)(struct cli *, cJSON *req, const cJSON *local);
	int		 flags;
};

#define CLI_NOSTART	0x1	/* reports whether a daemon runs: starts none */

/* Each file's hooks, ended by a NULL op. */
extern const struct cli_hook cli_audit_hooks[], cli_config_hooks[], cli_feedback_hooks[],
		 cli_incident_hooks[],
		 cli_kpi_hooks[], cli_notify_hooks[], cli_oncall_hooks[], cli_playbook_hooks[], cli_privacy_hooks[],
		 cli_prompt_hooks[], cli_rollout_hooks[], cli_status_hooks[];
/* An A/B comparison table (prompt show, prompt rollout status). */
void		 cli_print_comparison(const cJSON *);

struct op;
struct op_arg;
/* The op whose subcommand words start argv, or NULL; *used: how many words. */
const struct op	*cli_ops_find(int argc, char **argv, int *used);
/* How the command line gives an argument: "--limit N", "ID", "TEXT..."; NULL if it does not
   (to free). */
char		*cli_ops_arg_usage(const struct op_arg *);
/* The usage of an op's subcommand, after its words (to free). */
char		*cli_ops_usage(const struct op *);
/* Runs an op's subcommand; argv starts at its last word. Returns the exit code. */
int		 cli_ops_main(struct cli *, const struct op *, int argc, char **argv);
/* Connects (starting a daemon if start), sends req (taken) and prints the reply: as JSON
   with --json or without print. 0, or 1 once the error is printed. */
int		 cli_ops_call(struct cli *, int start, cJSON *req, void (*print)(const cJSON *));

int	 cli_config_check(struct cli *, int, char **);
int	 cli_playbook_lint(struct cli *, int, char **);

#endif
