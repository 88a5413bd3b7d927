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
/* Connects, sends req (taken) and prints the reply: as JSON with --json, else through print.
   0, or 1 once the error is printed. */
int	 cli_run(struct cli *, cJSON *req, void (*print)(const cJSON *reply));
/* Prints a reply's "markdown" as it is: the daemon built it from sanitised text. */
void	 cli_print_markdown(const cJSON *reply);
/* Prints external text for a human reader: sanitised when stdout is a terminal. */
void	 cli_put(const char *);
/* Prints an ok reply without "id" and "ok", pretty, for --json. */
void	 cli_print_json(cJSON *reply);
/* Parses a subcommand whose only option is --json; EXIT_USAGE or 0 (optind at the rest). */
int	 cli_json_opts(struct cli *, int argc, char **argv);
/* Reports a usage or runtime error the way every subcommand does. */
void	 cli_error(const char *, ...) __attribute__((format(printf, 1, 2)));

int	 cli_status(struct cli *, int, char **);
int	 cli_audit_verify(struct cli *, int, char **);
int	 cli_audit_checkpoint(struct cli *, int, char **);
int	 cli_audit_list(struct cli *, int, char **);
int	 cli_audit_export(struct cli *, int, char **);
int	 cli_config_check(struct cli *, int, char **);
int	 cli_config_reload(struct cli *, int, char **);
int	 cli_kpi(struct cli *, int, char **);
int	 cli_kpi_doctor(struct cli *, int, char **);
int	 cli_incident_list(struct cli *, int, char **);
int	 cli_incident_show(struct cli *, int, char **);
int	 cli_incident_open(struct cli *, int, char **);
int	 cli_incident_act(struct cli *, int, char **);
int	 cli_incident_report(struct cli *, int, char **);
int	 cli_handover(struct cli *, int, char **);
int	 cli_playbook_list(struct cli *, int, char **);
int	 cli_playbook_run(struct cli *, int, char **);
int	 cli_playbook_lint(struct cli *, int, char **);
int	 cli_run_list(struct cli *, int, char **);
int	 cli_run_show(struct cli *, int, char **);
int	 cli_run_act(struct cli *, int, char **);
int	 cli_prompt_list(struct cli *, int, char **);
int	 cli_prompt_show(struct cli *, int, char **);
int	 cli_prompt_cat(struct cli *, int, char **);
int	 cli_prompt_diff(struct cli *, int, char **);
int	 cli_prompt_propose(struct cli *, int, char **);
int	 cli_prompt_eval(struct cli *, int, char **);
int	 cli_prompt_approve(struct cli *, int, char **);
int	 cli_prompt_reject(struct cli *, int, char **);
int	 cli_prompt_rollback(struct cli *, int, char **);
int	 cli_prompt_history(struct cli *, int, char **);
int	 cli_prompt_kpis(struct cli *, int, char **);
int	 cli_purge(struct cli *, int, char **);
int	 cli_gdpr(struct cli *, int, char **);


#endif
