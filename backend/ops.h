/* SPDX-License-Identifier: ISC */
/* The op table: every protocol request, its permission, arguments and handler. */
#ifndef OPS_H
#define OPS_H

#include <cjson/cJSON.h>

#include "backend/authz.h"

struct conn;
struct daemon;
struct ops_later;

enum arg_type {
	ARG_STRING,		/* min..max: length in bytes */
	ARG_INT,		/* min..max */
	ARG_BOOL,
	ARG_STRINGS		/* array of strings; max: most elements */
};

/* How the command line turns an argument's text into its value. */
enum arg_value {
	VALUE_PLAIN,		/* as the type says: a number, a string, "a,b,c" for ARG_STRINGS */
	VALUE_AGO,		/* a duration (90s, 15m, 8h, 2d): the time that long before now */
	VALUE_SEVERITY,		/* 3, SEV3 or sev3 (each element of ARG_STRINGS): the number */
	VALUE_LEVEL		/* 2, L2 or l2: the number */
};

/*
 * One argument of an op, for the daemon and the command line alike: the dispatcher checks
 * type, range and permission and redacts free text before the handler runs; the CLI builds
 * the request from argv with the same checks (ops_args_check) and writes usage and help.
 */
struct op_arg {
	const char	*name;
	enum arg_type	 type;
	int		 required;
	long long	 min, max;
	enum perm	 perm;		/* giving it at all needs this (PERM_READ: the op's) */
	int		 text;		/* free text: redacted before the handler sees it */
	const char	*verbatim;	/* a string of a write op stored as given: why */
	int		 local;		/* the CLI's own: never sent to the daemon */
	/* The command line: a positional (pos from 1), or an option --flag; else protocol. */
	int		 pos;
	int		 rest;		/* the last positional takes the rest of argv: joined by
					   spaces, or one element each for ARG_STRINGS */
	const char	*flag;
	int		 short_flag;
	int		 negate;	/* ARG_BOOL: the CLI sends true, and false for --flag */
	enum arg_value	 value;
	int		 base;		/* ARG_INT: the command line counts from min + base */
	const char	*metavar;
	const char	*protocol_only;	/* not on the command line: why */
	const char	*help;
};

#define OP_WRITE	0x1	/* changes state: runs in a transaction with an audit entry */
#define OP_ADHOC	0x2	/* a costly query on demand: rate-limited per connection and user */

struct op_ctx {
	struct daemon		*d;
	const struct identity	*who;		/* the client's */
	struct conn		*conn;		/* for ops.c only: replies go through it */
	const struct op		*op;
	const cJSON		*req;
	cJSON			*reply;		/* result fields go here */
	char			*object;	/* writes: what changed, for the audit entry */
	cJSON			*details;	/* writes: audit details, or NULL */
	const char		*code;		/* error code once failed */
	char			*message;
	struct ops_later	*later;		/* the reply comes later, through it */
	cJSON			*event;		/* writes: published once committed */
	unsigned		 event_topic;
	void			(*committed)(struct op_ctx *); /* writes: runs after the commit */
};

struct op {
	const char		*name;
	enum perm		 perm;
	int			 flags;
	const struct op_arg	*args;		/* terminated by a NULL name */
	int			(*exec)(struct op_ctx *);
	const char		*help;
	const char		*cli;		/* the subcommand's words: "incident list" */
	const char		*cli_help;	/* its line in `leitstand help`; else help */
	const char		*protocol_only;	/* no subcommand: why */
};

extern const struct op	ops_table[];

/* Handles one request line from a client: parse, authorise, validate, run, audit, reply. */
void		 ops_dispatch(struct daemon *, struct conn *, const char *, size_t);
const struct op	*ops_find(const char *);
/* How a command line gives an argument: "--limit", "ID". */
const char	*ops_arg_label(const struct op_arg *);
/* Checks a request's arguments against the op's list: unknown ones, required ones, types,
   ranges and lengths. cli: built from a command line, so the CLI's local arguments belong
   and messages name the command line's forms. 0, or -1 with *cause. */
int		 ops_args_check(const struct op *, const cJSON *req, int cli, char **cause);
/* Takes the op's reply for a later answer (a job, a query): the dispatcher sends nothing now
   unless the op fails after all, and the handle, owned by whoever answers, is the only way
   the answer reaches the client. */
struct ops_later *ops_later(struct op_ctx *);
/* Gives the handle back before the op returns: the dispatcher replies now after all. */
void		 ops_later_cancel(struct op_ctx *);
/* Sends the reply with the fields of an object added (owned, may be NULL), or with code set
   an error carrying the reply's id; dropped if the client has gone or the op failed after
   all. Frees the handle. */
void		 ops_later_send(struct ops_later *, cJSON *fields, const char *code,
		     const char *message);
/* The client that sent the request receives events of these topics from now on. */
void		 ops_subscribe(struct op_ctx *, unsigned topics);
/* Marks the op failed; returns -1 for `return op_fail(...)`. */
int		 op_fail(struct op_ctx *, const char *code, const char *fmt, ...)
		     __attribute__((format(printf, 3, 4)));
/* Validated arguments: NULL/def when absent. */
const char	*op_str(const struct op_ctx *, const char *);
long long	 op_int(const struct op_ctx *, const char *, long long);
int		 op_bool(const struct op_ctx *, const char *, int);
const cJSON	*op_array(const struct op_ctx *, const char *);

/* Handlers, one file per area. */
int	op_status(struct op_ctx *);
int	op_subscribe(struct op_ctx *);
int	op_audit_list(struct op_ctx *);
int	op_audit_export(struct op_ctx *);
int	op_audit_verify(struct op_ctx *);
int	op_audit_checkpoint(struct op_ctx *);
int	op_config_reload(struct op_ctx *);
int	op_kpi_list(struct op_ctx *);
int	op_kpi_range(struct op_ctx *);
int	op_kpi_doctor(struct op_ctx *);
int	op_prompt_kpis(struct op_ctx *);
int	op_sim_profile(struct op_ctx *);
int	op_incident_open(struct op_ctx *);
int	op_incident_list(struct op_ctx *);
int	op_incident_show(struct op_ctx *);
int	op_incident_act(struct op_ctx *);
int	op_incident_severity(struct op_ctx *);
int	op_incident_ticket(struct op_ctx *);
int	op_incident_report(struct op_ctx *);
int	op_handover(struct op_ctx *);
int	op_playbook_list(struct op_ctx *);
int	op_playbook_show(struct op_ctx *);
int	op_run_start(struct op_ctx *);
int	op_run_list(struct op_ctx *);
int	op_run_show(struct op_ctx *);
int	op_run_export(struct op_ctx *);
int	op_run_act(struct op_ctx *);
int	op_run_check(struct op_ctx *);
int	op_prompt_list(struct op_ctx *);
int	op_prompt_show(struct op_ctx *);
int	op_prompt_diff(struct op_ctx *);
int	op_prompt_cat(struct op_ctx *);
int	op_prompt_propose(struct op_ctx *);
int	op_prompt_eval(struct op_ctx *);
int	op_prompt_approve(struct op_ctx *);
int	op_prompt_reject(struct op_ctx *);
int	op_prompt_rollback(struct op_ctx *);
int	op_prompt_history(struct op_ctx *);
int	op_rollout_status(struct op_ctx *);
int	op_rollout_act(struct op_ctx *);
int	op_prompt_feedback(struct op_ctx *);
int	op_purge(struct op_ctx *);
int	op_gdpr_export(struct op_ctx *);
int	op_gdpr_erase(struct op_ctx *);
int	op_oncall_show(struct op_ctx *);
int	op_oncall_override_add(struct op_ctx *);
int	op_oncall_override_remove(struct op_ctx *);
int	op_oncall_override_list(struct op_ctx *);
int	op_oncall_export(struct op_ctx *);
int	op_notify_test(struct op_ctx *);
/* Drops ticket exports waiting to try again (the daemon is stopping). */
void	op_ticket_cancel_retries(void);

#endif
