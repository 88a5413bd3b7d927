/* SPDX-License-Identifier: ISC */
/*
 * The op table: every protocol request, its permission, arguments, handler and subcommand.
 * The daemon's dispatcher, the command line's parser, `leitstand help`, `leitstand ops`, the
 * README and the man page all read it; nothing else describes an op.
 */
#include <stddef.h>

#include "backend/ops.h"

#define ID_MAX		(1LL << 53)
#define TIME_MAX	(1LL << 53)
#define TEXT_MAX	65536
#define END		{ .name = NULL }

static const struct op_arg no_args[] = { END };

static const struct op_arg subscribe_args[] = {
	{ .name = "topics", .type = ARG_STRINGS, .max = 16,
	  .protocol_only = "a stream for clients that stay connected",
	  .help = "audit, status, kpi, incident, prompt or *; default all" },
	END
};

static const struct op_arg audit_list_args[] = {
	{ .name = "before", .type = ARG_INT, .max = TIME_MAX,
	  .protocol_only = "paging", .help = "entries before this seq (the next page)" },
	{ .name = "limit", .type = ARG_INT, .min = 1, .max = 1000, .flag = "limit",
	  .short_flag = 'n', .help = "at most this many entries (default 100)" },
	{ .name = "actor", .type = ARG_STRING, .max = 256, .flag = "actor", .short_flag = 'a',
	  .metavar = "USER", .help = "only entries by this user" },
	{ .name = "action", .type = ARG_STRING, .max = 256, .flag = "action", .short_flag = 'A',
	  .metavar = "OP", .help = "only entries of this op (exact)" },
	{ .name = "search", .type = ARG_STRING, .max = 256, .flag = "search",
	  .help = "a substring of actor, action or object" },
	END
};

static const struct op_arg audit_verify_args[] = {
	/* The daemon reads the file: only for someone trusted with the daemon's files. */
	{ .name = "checkpoints", .type = ARG_STRING, .max = 4096, .perm = PERM_ADMIN,
	  .flag = "checkpoints", .metavar = "FILE",
	  .help = "also check the chain against this file of signed checkpoints" },
	END
};

static const struct op_arg audit_export_args[] = {
	{ .name = "after", .type = ARG_INT, .max = TIME_MAX, .protocol_only = "paging",
	  .help = "entries after this seq (the next page)" },
	{ .name = "limit", .type = ARG_INT, .min = 1, .max = 10000, .protocol_only = "paging",
	  .help = "at most this many entries a page" },
	{ .name = "since", .type = ARG_STRING, .max = 64, .flag = "since", .short_flag = 's',
	  .metavar = "TIME", .help = "entries from this time (ISO 8601 UTC, e.g. "
	  "2026-11-01T00:00:00Z)" },
	{ .name = "until", .type = ARG_STRING, .max = 64, .flag = "until", .short_flag = 'u',
	  .metavar = "TIME", .help = "entries before this time" },
	{ .name = "format", .type = ARG_STRING, .max = 4, .local = 1, .flag = "format",
	  .short_flag = 'f', .metavar = "json|csv", .help = "output format (default json)" },
	END
};

static const struct op_arg kpi_list_args[] = {
	{ .name = "watch", .type = ARG_BOOL, .local = 1, .flag = "watch", .short_flag = 'w',
	  .help = "print every poll (JSON lines with --json)" },
	END
};

static const struct op_arg kpi_range_args[] = {
	{ .name = "name", .type = ARG_STRING, .required = 1, .max = 128,
	  .protocol_only = "the console's graph", .help = "the KPI" },
	{ .name = "seconds", .type = ARG_INT, .min = 60, .max = 7 * 86400,
	  .protocol_only = "the console's graph", .help = "how far back" },
	{ .name = "width", .type = ARG_INT, .min = 10, .max = 2000,
	  .protocol_only = "the console's graph", .help = "about this many points" },
	END
};

static const struct op_arg sim_profile_args[] = {
	{ .name = "profile", .type = ARG_STRING, .required = 1, .max = 64,
	  .verbatim = "a profile's name", .protocol_only = "the console's demo keys",
	  .help = "normal, peak, storm, outage, regression or cost; needs [sim] url" },
	END
};

static const struct op_arg incident_open_args[] = {
	{ .name = "title", .type = ARG_STRING, .required = 1, .max = 200, .text = 1,
	  .flag = "title", .help = "what is wrong, in a line" },
	{ .name = "description", .type = ARG_STRING, .max = TEXT_MAX, .text = 1,
	  .flag = "description", .help = "more about it" },
	{ .name = "severity", .type = ARG_INT, .required = 1, .min = 1, .max = 4,
	  .flag = "severity", .value = VALUE_SEVERITY, .metavar = "1-4",
	  .help = "1 (worst) to 4; SEV1 or sev1 as well" },
	END
};


static const struct op_arg incident_list_args[] = {
	{ .name = "order", .type = ARG_STRING, .max = 16, .flag = "order",
	  .metavar = "severity|id", .help = "most severe and oldest first, or by id" },
	{ .name = "status", .type = ARG_STRINGS, .max = 4, .flag = "status", .metavar = "S,..",
	  .help = "only these states" },
	{ .name = "severity", .type = ARG_STRINGS, .max = 4, .flag = "severity",
	  .value = VALUE_SEVERITY, .metavar = "N,..",
	  .help = "only these severities (1,2 or SEV1,SEV2)" },
	{ .name = "level", .type = ARG_INT, .min = 1, .max = 3, .flag = "level",
	  .help = "only this escalation level" },
	{ .name = "assignee", .type = ARG_STRING, .max = 256, .flag = "assignee",
	  .metavar = "USER", .help = "only incidents assigned to this user (\"\": nobody)" },
	{ .name = "search", .type = ARG_STRING, .max = 256, .flag = "search",
	  .help = "a substring of the title" },
	{ .name = "after", .type = ARG_INT, .max = TIME_MAX, .protocol_only = "paging",
	  .help = "the keyset of the page after" },
	{ .name = "before", .type = ARG_INT, .max = TIME_MAX, .protocol_only = "paging",
	  .help = "the keyset of the page before" },
	{ .name = "last", .type = ARG_BOOL, .protocol_only = "paging",
	  .help = "the last page" },
	{ .name = "limit", .type = ARG_INT, .min = 1, .max = 1000, .flag = "limit",
	  .help = "at most this many incidents" },
	END
};

/* "id" is the request's own: the incident is "incident". */
#define INCIDENT_ARG \
	{ .name = "incident", .type = ARG_INT, .required = 1, .min = 1, .max = ID_MAX, \
	  .pos = 1, .metavar = "ID", .help = "the incident" }

static const struct op_arg incident_id_args[] = { INCIDENT_ARG, END };

static const struct op_arg incident_show_args[] = {
	INCIDENT_ARG,
	{ .name = "lang", .type = ARG_STRING, .max = 8, .flag = "lang", .metavar = "en|de",
	  .help = "the language of the suggested playbooks" },
	END
};

static const struct op_arg incident_text_args[] = {
	INCIDENT_ARG,
	{ .name = "text", .type = ARG_STRING, .max = TEXT_MAX, .text = 1, .pos = 2, .rest = 1,
	  .metavar = "TEXT", .help = "a note or reason for the timeline" },
	END
};

static const struct op_arg incident_severity_args[] = {
	INCIDENT_ARG,
	{ .name = "severity", .type = ARG_INT, .required = 1, .min = 1, .max = 4, .pos = 2,
	  .value = VALUE_SEVERITY, .metavar = "SEV",
	  .help = "the new severity: 1 (worst) to 4; SEV1 or sev1 as well" },
	{ .name = "text", .type = ARG_STRING, .max = TEXT_MAX, .text = 1, .pos = 3, .rest = 1,
	  .metavar = "REASON", .help = "why, for the timeline" },
	END
};

static const struct op_arg incident_note_args[] = {
	INCIDENT_ARG,
	{ .name = "text", .type = ARG_STRING, .required = 1, .min = 1, .max = TEXT_MAX,
	  .text = 1, .pos = 2, .rest = 1, .metavar = "TEXT", .help = "the note" },
	END
};

static const struct op_arg incident_snooze_args[] = {
	INCIDENT_ARG,
	{ .name = "minutes", .type = ARG_INT, .required = 1, .min = 1, .max = 7 * 24 * 60,
	  .flag = "minutes", .help = "how long" },
	{ .name = "text", .type = ARG_STRING, .required = 1, .min = 1, .max = 4096, .text = 1,
	  .pos = 2, .rest = 1, .metavar = "REASON", .help = "why" },
	END
};

static const struct op_arg handover_args[] = {
	{ .name = "since", .type = ARG_INT, .max = 1LL << 40, .flag = "since",
	  .value = VALUE_AGO, .metavar = "DURATION",
	  .help = "from this long ago (default 8h)" },
	END
};

#define LANG_ARG \
	{ .name = "lang", .type = ARG_STRING, .max = 8, .flag = "lang", .metavar = "en|de", \
	  .verbatim = "a language code", .help = "the language (default: [console] lang)" }

static const struct op_arg playbook_list_args[] = { LANG_ARG, END };

static const struct op_arg playbook_args[] = {
	{ .name = "playbook", .type = ARG_STRING, .required = 1, .min = 1, .max = 64,
	  .protocol_only = "the console's playbook view", .help = "the playbook's id" },
	{ .name = "lang", .type = ARG_STRING, .max = 8, .protocol_only = "as playbook",
	  .help = "the language" },
	END
};

static const struct op_arg run_start_args[] = {
	{ .name = "playbook", .type = ARG_STRING, .required = 1, .min = 1, .max = 64,
	  .verbatim = "a playbook's id", .pos = 1, .metavar = "ID",
	  .help = "the playbook" },
	LANG_ARG,
	{ .name = "incident", .type = ARG_INT, .min = 1, .max = ID_MAX, .flag = "incident",
	  .help = "the incident the run is for" },
	END
};

static const struct op_arg run_list_args[] = {
	{ .name = "all", .type = ARG_BOOL, .flag = "all", .help = "finished runs too" },
	{ .name = "limit", .type = ARG_INT, .min = 1, .max = 1000, .flag = "limit",
	  .help = "at most this many runs" },
	END
};

#define RUN_ARG \
	{ .name = "run", .type = ARG_INT, .required = 1, .min = 1, .max = ID_MAX, .pos = 1, \
	  .metavar = "ID", .help = "the run" }
#define STEP_ARG \
	{ .name = "step", .type = ARG_INT, .required = 1, .min = 1, .max = 100000, .pos = 2, \
	  .metavar = "STEP", .help = "the step, from 1" }

static const struct op_arg run_args[] = { RUN_ARG, END };

static const struct op_arg run_step_args[] = {
	RUN_ARG,
	STEP_ARG,
	{ .name = "result", .type = ARG_STRING, .required = 1, .min = 1, .max = 16,
	  .verbatim = "one of three words", .pos = 3, .metavar = "done|skipped|failed",
	  .help = "what came of it" },
	{ .name = "text", .type = ARG_STRING, .max = TEXT_MAX, .text = 1, .pos = 4, .rest = 1,
	  .metavar = "NOTE", .help = "a note (skipped and failed need one)" },
	END
};

static const struct op_arg run_tick_args[] = {
	RUN_ARG,
	STEP_ARG,
	/* The command line counts items from 1, the protocol from 0. */
	{ .name = "item", .type = ARG_INT, .required = 1, .min = 0, .max = 1000, .pos = 3,
	  .base = 1, .metavar = "ITEM", .help = "the checklist item" },
	{ .name = "ticked", .type = ARG_BOOL, .flag = "untick", .negate = 1,
	  .help = "tick (default) or untick" },
	END
};

static const struct op_arg run_note_args[] = {
	RUN_ARG,
	STEP_ARG,
	{ .name = "text", .type = ARG_STRING, .required = 1, .min = 1, .max = TEXT_MAX,
	  .text = 1, .pos = 3, .rest = 1, .metavar = "TEXT", .help = "the note" },
	END
};

static const struct op_arg run_check_args[] = { RUN_ARG, STEP_ARG, END };

#define ASSISTANT_ARG \
	{ .name = "assistant", .type = ARG_STRING, .max = 128, .flag = "assistant", \
	  .metavar = "A", .verbatim = "an assistant's name", \
	  .help = "the assistant (default: the only one)" }

static const struct op_arg prompt_list_args[] = {
	{ .name = "limit", .type = ARG_INT, .min = 1, .max = 500, .flag = "limit",
	  .help = "at most this many proposals" },
	END
};

static const struct op_arg prompt_kpis_args[] = { ASSISTANT_ARG, END };

static const struct op_arg prompt_feedback_args[] = {
	{ .name = "assistant", .type = ARG_STRING, .max = 128, .flag = "assistant",
	  .metavar = "A", .verbatim = "an assistant's name",
	  .help = "only this assistant's conversations (default: all)" },
	{ .name = "since", .type = ARG_STRING, .max = 128, .flag = "since", .metavar = "ID",
	  .verbatim = "a conversation's id", .help = "only conversations after this one" },
	END
};

#define PROPOSAL_ARG \
	{ .name = "proposal", .type = ARG_INT, .required = 1, .min = 1, .max = ID_MAX, \
	  .pos = 1, .metavar = "ID", .help = "the proposal" }

static const struct op_arg prompt_id_args[] = { PROPOSAL_ARG, END };

/* The command line's "diff A [B]" is from A to B, "diff A" to A alone (cli-prompt.c). */
static const struct op_arg prompt_diff_args[] = {
	{ .name = "to", .type = ARG_STRING, .required = 1, .max = 256, .pos = 1,
	  .metavar = "PROPOSAL|RELEASE", .help = "a proposal, a release or a revision" },
	{ .name = "from", .type = ARG_STRING, .max = 256, .pos = 2, .metavar = "TO",
	  .help = "diff from the first to this one" },
	END
};

static const struct op_arg prompt_cat_args[] = {
	{ .name = "file", .type = ARG_STRING, .required = 1, .max = 64, .pos = 1,
	  .metavar = "FILE", .help = "system.md, model.ini or evals.jsonl" },
	ASSISTANT_ARG,
	{ .name = "rev", .type = ARG_STRING, .max = 256, .flag = "rev", .metavar = "REV",
	  .help = "a proposal, a release or production (default)" },
	END
};

#define PROMPT_FILE(n) \
	{ .name = n, .type = ARG_STRING, .max = 256 * 1024, \
	  .verbatim = "a prompt file: committed as written", \
	  .protocol_only = "the command line reads it from FILE", .help = "the new " n " file" }

static const struct op_arg prompt_propose_args[] = {
	{ .name = "description", .type = ARG_STRING, .required = 1, .max = 4096, .text = 1,
	  .flag = "message", .short_flag = 'm', .metavar = "DESCRIPTION",
	  .help = "why, and what it changes" },
	ASSISTANT_ARG,
	PROMPT_FILE("system"),
	PROMPT_FILE("model"),
	PROMPT_FILE("evals"),
	{ .name = "files", .type = ARG_STRINGS, .required = 1, .max = 3, .local = 1, .pos = 1,
	  .rest = 1, .metavar = "FILE", .help = "system.md, model.ini and/or evals.jsonl" },
	END
};

static const struct op_arg prompt_eval_args[] = {
	PROPOSAL_ARG,
	{ .name = "wait", .type = ARG_BOOL, .flag = "no-wait", .negate = 1,
	  .help = "reply when the eval is done (the command line waits unless --no-wait)" },
	END
};

static const struct op_arg prompt_approve_args[] = {
	PROPOSAL_ARG,
	{ .name = "override", .type = ARG_STRING, .max = 1024, .perm = PERM_ADMIN, .text = 1,
	  .flag = "override", .metavar = "REASON",
	  .help = "release despite a failed eval gate, and why" },
	{ .name = "canary", .type = ARG_BOOL, .flag = "canary",
	  .help = "release as a canary: in [rollout] steps, judged by its KPIs" },
	{ .name = "steps", .type = ARG_STRING, .max = 64, .flag = "steps", .metavar = "W,..",
	  .verbatim = "weights: parsed, stored as numbers", .help = "the canary's weights instead of [rollout] steps, e.g. 10,50,100" },
	{ .name = "interval", .type = ARG_STRING, .max = 16, .flag = "interval",
	  .verbatim = "a duration: parsed, stored as seconds",
	  .metavar = "DURATION", .help = "each step's watch instead of [rollout] interval" },
	{ .name = "threshold", .type = ARG_INT, .min = 1, .max = 100, .flag = "threshold",
	  .help = "failed analyses that roll the canary back, instead of [rollout] threshold" },
	END
};

#define ROLLOUT_ASSISTANT_ARG \
	{ .name = "assistant", .type = ARG_STRING, .max = 128, .pos = 1, .metavar = "A", \
	  .verbatim = "an assistant's name", \
	  .help = "whose canary (default: the only one running)" }

static const struct op_arg rollout_status_args[] = { ROLLOUT_ASSISTANT_ARG, END };

static const struct op_arg rollout_act_args[] = {
	ROLLOUT_ASSISTANT_ARG,
	{ .name = "reason", .type = ARG_STRING, .required = 1, .min = 1, .max = 1024,
	  .text = 1, .flag = "reason", .short_flag = 'm', .metavar = "REASON",
	  .help = "why (audited)" },
	END
};

static const struct op_arg rollout_compare_args[] = {
	ROLLOUT_ASSISTANT_ARG,
	{ .name = "window", .type = ARG_STRING, .required = 1, .max = 16, .flag = "window",
	  .verbatim = "a duration: parsed, stored as seconds", .metavar = "DURATION", .help = "how long the canary is held at its weight" },
	{ .name = "reason", .type = ARG_STRING, .required = 1, .min = 1, .max = 1024,
	  .text = 1, .flag = "reason", .short_flag = 'm', .metavar = "REASON",
	  .help = "why (audited)" },
	END
};

static const struct op_arg prompt_reject_args[] = {
	PROPOSAL_ARG,
	{ .name = "reason", .type = ARG_STRING, .required = 1, .max = 1024, .text = 1,
	  .pos = 2, .rest = 1, .metavar = "REASON", .help = "why" },
	END
};

static const struct op_arg prompt_rollback_args[] = {
	ASSISTANT_ARG,
	{ .name = "to", .type = ARG_STRING, .max = 256, .pos = 1, .metavar = "RELEASE",
	  .verbatim = "a release's name", .help = "the release to restore" },
	END
};

static const struct op_arg prompt_history_args[] = {
	ASSISTANT_ARG,
	{ .name = "before", .type = ARG_INT, .max = TIME_MAX, .protocol_only = "paging",
	  .help = "releases before this one (the next page)" },
	{ .name = "limit", .type = ARG_INT, .min = 1, .max = 1000, .flag = "limit",
	  .help = "at most this many releases" },
	END
};

#define DRY_RUN_ARG \
	{ .name = "dry_run", .type = ARG_BOOL, .flag = "dry-run", \
	  .help = "only count what would change" }

static const struct op_arg purge_args[] = { DRY_RUN_ARG, END };

/* A subject is what to look for in the stored text: redacting it would find nothing. */
#define SUBJECT_ARG \
	{ .name = "subject", .type = ARG_STRING, .required = 1, .max = 256, \
	  .verbatim = "matched against the stored text", .flag = "subject", \
	  .help = "a name, an e-mail address, a user" }

static const struct op_arg gdpr_args[] = { SUBJECT_ARG, END };

static const struct op_arg gdpr_erase_args[] = {
	SUBJECT_ARG,
	DRY_RUN_ARG,
	{ .name = "force", .type = ARG_BOOL, .flag = "force",
	  .help = "erase a subject in more than [privacy] erase_max_share of a table" },
	END
};

#define ONCALL_TIME(n, f, req, h) \
	{ .name = n, .type = ARG_STRING, .required = req, .min = 1, .max = 64, .flag = f, \
	  .metavar = "TIME", .verbatim = "a time, parsed", .help = h }

static const struct op_arg oncall_show_args[] = {
	{ .name = "at", .type = ARG_STRING, .min = 1, .max = 64, .flag = "at", .metavar = "TIME",
	  .help = "at this time instead of now: 2026-12-24 18:00 (local) or ISO 8601 with "
	  "an offset or Z" },
	END
};

#define ONCALL_LEVEL_ARG(p, req) \
	{ .name = "level", .type = ARG_INT, .required = req, .min = 1, .max = 3, .pos = p, \
	  .flag = p == 0 ? "level" : NULL, .value = VALUE_LEVEL, .metavar = "L1-L3", \
	  .help = "the escalation level: L1, L2 or L3 (or 1-3)" }

static const struct op_arg oncall_override_add_args[] = {
	ONCALL_LEVEL_ARG(1, 1),
	{ .name = "user", .type = ARG_STRING, .required = 1, .min = 1, .max = 64, .pos = 2,
	  .metavar = "USER", .verbatim = "a local account's name",
	  .help = "who covers the level (a local account)" },
	ONCALL_TIME("from", "from", 1, "from when: 2026-12-24 18:00 in the level's time zone, "
	    "or ISO 8601 with an offset or Z"),
	ONCALL_TIME("until", "until", 1, "until when (after from), written the same way"),
	{ .name = "for", .type = ARG_STRING, .min = 1, .max = 64, .flag = "for",
	  .metavar = "USER", .verbatim = "a local account's name",
	  .help = "whom it covers (for the record)" },
	END
};

static const struct op_arg oncall_override_remove_args[] = {
	{ .name = "override", .type = ARG_INT, .required = 1, .min = 1, .max = ID_MAX,
	  .pos = 1, .metavar = "ID", .help = "the override" },
	END
};

static const struct op_arg oncall_override_list_args[] = {
	ONCALL_LEVEL_ARG(0, 0),
	{ .name = "all", .type = ARG_BOOL, .flag = "all", .help = "past overrides too" },
	END
};

static const struct op_arg oncall_export_args[] = {
	{ .name = "weeks", .type = ARG_INT, .min = 1, .max = 52, .flag = "weeks",
	  .help = "this many weeks ahead (default 4)" },
	ONCALL_TIME("from", "from", 0, "from this time instead of now (local, or ISO 8601 "
	    "with an offset or Z)"),
	{ .name = "out", .type = ARG_STRING, .min = 1, .max = 4096, .local = 1, .flag = "out",
	  .short_flag = 'o', .metavar = "FILE",
	  .help = "write the calendar to this file (default: standard output)" },
	END
};

static const struct op_arg notify_test_args[] = {
	{ .name = "user", .type = ARG_STRING, .required = 1, .min = 1, .max = 64, .pos = 1,
	  .metavar = "USER", .verbatim = "a local account's name",
	  .help = "whom to send it to: a [user.NAME] of the config" },
	{ .name = "channel", .type = ARG_STRING, .min = 1, .max = 16, .flag = "channel",
	  .metavar = "NAME", .verbatim = "a channel's name",
	  .help = "only this channel: email, slack, teams, webhook or command (default: each "
	  "of the user's)" },
	END
};

/* The one op table; docs/protocol.md describes each entry. */
const struct op ops_table[] = {
	{ .name = "status", .perm = PERM_READ, .args = no_args, .exec = op_status,
	  .help = "daemon version, uptime, clients, data dir, and the caller's user and role",
	  .cli = "status",
	  .cli_help = "daemon version, uptime, clients, data dir, your user and role" },
	{ .name = "subscribe", .perm = PERM_READ, .args = subscribe_args, .exec = op_subscribe,
	  .help = "receive events of the given topics (default: all)",
	  .protocol_only = "events for the console; kpi --watch subscribes itself" },
	{ .name = "audit.list", .perm = PERM_READ, .args = audit_list_args,
	  .exec = op_audit_list,
	  .help = "audit entries, newest first; details only for operator and above",
	  .cli = "audit list", .cli_help = "newest audit entries first" },
	{ .name = "audit.verify", .perm = PERM_READ, .flags = OP_ADHOC,
	  .args = audit_verify_args, .exec = op_audit_verify,
	  .help = "walk the hash chain; reports the first broken entry; checkpoints (admin): "
	  "against a file",
	  .cli = "audit verify", .cli_help = "check the audit hash chain (exit 3 if broken)" },
	{ .name = "audit.checkpoint", .perm = PERM_ADMIN, .flags = OP_WRITE, .args = no_args,
	  .exec = op_audit_checkpoint,
	  .help = "sign the chain head now and append it to [audit] checkpoint_file",
	  .cli = "audit checkpoint",
	  .cli_help = "sign the chain head now and append it to [audit] checkpoint_file "
	  "(admin)" },
	{ .name = "audit.export", .perm = PERM_ADMIN, .args = audit_export_args,
	  .exec = op_audit_export,
	  .help = "audit entries with details and hashes, oldest first, in pages",
	  .cli = "audit export", .cli_help = "every entry with details and hashes (admin)" },
	{ .name = "kpi.list", .perm = PERM_READ, .args = kpi_list_args, .exec = op_kpi_list,
	  .help = "every KPI: value, state, thresholds, age, last minutes of history, data "
	  "source",
	  .cli = "kpi", .cli_help = "the KPIs: value, state, age; --watch prints every poll "
	  "(JSON lines with --json)" },
	{ .name = "kpi.range", .perm = PERM_READ, .flags = OP_ADHOC, .args = kpi_range_args,
	  .exec = op_kpi_range,
	  .help = "one KPI's values over the last seconds, about width points (from "
	  "Prometheus)",
	  .protocol_only = "the console's graphs" },
	{ .name = "kpi.doctor", .perm = PERM_READ, .flags = OP_ADHOC, .args = no_args,
	  .exec = op_kpi_doctor,
	  .help = "why each KPI shows what it shows: the metrics dialect, queries, series, "
	  "advice",
	  .cli = "kpi doctor",
	  .cli_help = "why each KPI shows what it shows: the metrics dialect found, the query "
	  "in force, the series it matches, and for a blank one the reason and what to "
	  "change" },
	{ .name = "sim.profile", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = sim_profile_args, .exec = op_sim_profile,
	  .help = "switch the configured simulator's traffic profile (demo and training)",
	  .protocol_only = "the console's demo keys" },
	{ .name = "incident.list", .perm = PERM_READ, .args = incident_list_args,
	  .exec = op_incident_list,
	  .help = "a page of incidents (keyset), counts per severity",
	  .cli = "incident list",
	  .cli_help = "incidents, most severe and oldest first, with counts and timers" },
	{ .name = "incident.show", .perm = PERM_READ, .args = incident_show_args,
	  .exec = op_incident_show,
	  .help = "one incident with timers, MTTA/MTTR, its timeline and suggested playbooks",
	  .cli = "incident show",
	  .cli_help = "one incident: fields, timers, MTTA/MTTR, timeline" },
	{ .name = "incident.open", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = incident_open_args, .exec = op_incident_open, .help = "open an incident",
	  .cli = "incident open" },
	{ .name = "incident.ack", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = incident_text_args, .exec = op_incident_act,
	  .help = "acknowledge: stops the escalation timer; the acknowledger owns it unless "
	  "taken",
	  .cli = "incident ack", .cli_help = "acknowledge" },
	{ .name = "incident.take", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = incident_text_args, .exec = op_incident_act,
	  .help = "assign the incident to yourself",
	  .cli = "incident take", .cli_help = "assign to yourself" },
	{ .name = "incident.note", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = incident_note_args, .exec = op_incident_act,
	  .help = "add a note to the timeline (personal data is redacted)",
	  .cli = "incident note", .cli_help = "add a note (personal data is redacted)" },
	{ .name = "incident.snooze", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = incident_snooze_args, .exec = op_incident_act,
	  .help = "silence the timers for some minutes, with a reason",
	  .cli = "incident snooze", .cli_help = "silence the timers for a while" },
	{ .name = "incident.reopen", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = incident_text_args, .exec = op_incident_act,
	  .help = "reopen a resolved incident", .cli = "incident reopen" },
	{ .name = "incident.escalate", .perm = PERM_INCIDENT_MANAGE, .flags = OP_WRITE,
	  .args = incident_text_args, .exec = op_incident_act,
	  .help = "raise the level (L1 -> L2 -> L3); puts it on your watch list",
	  .cli = "incident escalate", .cli_help = "raise the level; watch it" },
	{ .name = "incident.mitigate", .perm = PERM_INCIDENT_MANAGE, .flags = OP_WRITE,
	  .args = incident_text_args, .exec = op_incident_act,
	  .help = "mark the impact as mitigated",
	  .cli = "incident mitigate", .cli_help = "mark the impact mitigated" },
	{ .name = "incident.severity", .perm = PERM_INCIDENT_MANAGE, .flags = OP_WRITE,
	  .args = incident_severity_args, .exec = op_incident_severity,
	  .help = "change the severity of an open incident, with a reason; the acknowledge "
	  "target starts again for the new one",
	  .cli = "incident severity", .cli_help = "set the severity (SEV1-4) with a reason" },
	{ .name = "incident.resolve", .perm = PERM_INCIDENT_MANAGE, .flags = OP_WRITE,
	  .args = incident_text_args, .exec = op_incident_act,
	  .help = "resolve the incident", .cli = "incident resolve", .cli_help = "resolve" },
	{ .name = "incident.ticket", .perm = PERM_INCIDENT_MANAGE, .flags = OP_WRITE,
	  .args = incident_id_args, .exec = op_incident_ticket,
	  .help = "export to the ticket system ([ticket]); retried in the background when "
	  "that may help",
	  .cli = "incident ticket", .cli_help = "export to the ticket system ([ticket])" },
	{ .name = "incident.report", .perm = PERM_READ, .args = incident_id_args,
	  .exec = op_incident_report, .help = "the postmortem of an incident, as Markdown",
	  .cli = "incident report", .cli_help = "the postmortem as Markdown" },
	{ .name = "handover", .perm = PERM_READ, .args = handover_args, .exec = op_handover,
	  .help = "the shift handover since a time, as Markdown",
	  .cli = "handover", .cli_help = "the shift handover (default: the last 8h) as "
	  "Markdown" },
	{ .name = "oncall.show", .perm = PERM_READ, .args = oncall_show_args,
	  .exec = op_oncall_show,
	  .help = "who is on call per escalation level now (or at a time), until when, and "
	  "who is next; overrides applied",
	  .cli = "oncall",
	  .cli_help = "who is on call per level ([oncall.L1] to [oncall.L3] and overrides), "
	  "until when, and who is next" },
	{ .name = "oncall.override.add", .perm = PERM_INCIDENT_MANAGE, .flags = OP_WRITE,
	  .args = oncall_override_add_args, .exec = op_oncall_override_add,
	  .help = "a user covers a level from a time to a time; refused if it overlaps "
	  "another override of the level",
	  .cli = "oncall override add",
	  .cli_help = "USER covers the level from --from to --until (engineer)" },
	{ .name = "oncall.override.remove", .perm = PERM_INCIDENT_MANAGE, .flags = OP_WRITE,
	  .args = oncall_override_remove_args, .exec = op_oncall_override_remove,
	  .help = "take an override back",
	  .cli = "oncall override remove", .cli_help = "take an override back (engineer)" },
	{ .name = "oncall.override.list", .perm = PERM_READ,
	  .args = oncall_override_list_args, .exec = op_oncall_override_list,
	  .help = "on-call overrides that have not ended (all: past ones too)",
	  .cli = "oncall override list",
	  .cli_help = "on-call overrides that have not ended (--all: past ones too)" },
	{ .name = "oncall.export", .perm = PERM_READ, .args = oncall_export_args,
	  .exec = op_oncall_export,
	  .help = "the shifts of the next weeks as an iCalendar (RFC 5545) file",
	  .cli = "oncall export",
	  .cli_help = "the next weeks' shifts per level as an iCalendar file for people's "
	  "calendars" },
	{ .name = "notify.test", .perm = PERM_ADMIN, .flags = OP_WRITE, .args = notify_test_args,
	  .exec = op_notify_test,
	  .help = "send a test notice (event \"test\") to a user over each of their channels "
	  "([user.NAME]) or one; replies with each channel's result once the tries have ended",
	  .cli = "notify test",
	  .cli_help = "send a test notification to a user over each of their channels and "
	  "print what each did (admin)" },
	{ .name = "playbook.list", .perm = PERM_READ, .args = playbook_list_args,
	  .exec = op_playbook_list,
	  .help = "the playbook library in a language (en, de; English where missing) and "
	  "open runs",
	  .cli = "playbook list", .cli_help = "the playbook library and the runs still open" },
	{ .name = "playbook.show", .perm = PERM_READ, .args = playbook_args,
	  .exec = op_playbook_show, .help = "one playbook, parsed: steps and their blocks",
	  .protocol_only = "the console's playbook view" },
	{ .name = "run.start", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = run_start_args, .exec = op_run_start,
	  .help = "start a run of a playbook, bound to an incident if one is given",
	  .cli = "playbook run",
	  .cli_help = "start a run (step through it in the console, or with run step)" },
	{ .name = "run.list", .perm = PERM_READ, .args = run_list_args, .exec = op_run_list,
	  .help = "runs, newest first: open ones, or all",
	  .cli = "run list", .cli_help = "playbook runs, open ones first" },
	{ .name = "run.show", .perm = PERM_READ, .args = run_args, .exec = op_run_show,
	  .help = "a run: its playbook as started, results, ticks, notes, where to resume",
	  .cli = "run show", .cli_help = "a run: progress, where to resume" },
	{ .name = "run.step", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = run_step_args, .exec = op_run_act,
	  .help = "record a step done, skipped (with a reason) or failed (with a note)",
	  .cli = "run step", .cli_help = "record a step (skipped and failed need a note)" },
	{ .name = "run.tick", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = run_tick_args, .exec = op_run_act,
	  .help = "tick or untick a checklist item of a step",
	  .cli = "run tick", .cli_help = "tick a checklist item (numbered from 1)" },
	{ .name = "run.note", .perm = PERM_INCIDENT_WRITE, .flags = OP_WRITE,
	  .args = run_note_args, .exec = op_run_act,
	  .help = "add a note to a step (personal data is redacted)",
	  .cli = "run note", .cli_help = "add a note to a step" },
	{ .name = "run.check", .perm = PERM_READ, .flags = OP_ADHOC, .args = run_check_args,
	  .exec = op_run_check,
	  .help = "evaluate a step's live checks against the metrics source now",
	  .cli = "run check", .cli_help = "evaluate a step's live checks now" },
	{ .name = "run.export", .perm = PERM_READ, .args = run_args, .exec = op_run_export,
	  .help = "a run as a Markdown record",
	  .cli = "run export", .cli_help = "the run as Markdown" },
	{ .name = "prompt.list", .perm = PERM_READ, .args = prompt_list_args,
	  .exec = op_prompt_list,
	  .help = "assistants with their release and model, proposals with their state and "
	  "eval, push",
	  .cli = "prompt list",
	  .cli_help = "assistants with their release and model; proposals with state and "
	  "eval" },
	{ .name = "prompt.show", .perm = PERM_READ, .args = prompt_id_args,
	  .exec = op_prompt_show,
	  .help = "a proposal: eval with cases, production's baseline, the diff, the gate",
	  .cli = "prompt show",
	  .cli_help = "a proposal: eval cases, production's baseline, the diff" },
	{ .name = "prompt.diff", .perm = PERM_READ, .args = prompt_diff_args,
	  .exec = op_prompt_diff,
	  .help = "unified diff: a proposal against production, a release against the one "
	  "before, or from..to",
	  .cli = "prompt diff",
	  .cli_help = "a proposal against production, a release against the one before, or "
	  "FROM TO" },
	{ .name = "prompt.cat", .perm = PERM_READ, .args = prompt_cat_args,
	  .exec = op_prompt_cat,
	  .help = "a file of an assistant at production, a proposal or a release",
	  .cli = "prompt cat",
	  .cli_help = "system.md, model.ini or evals.jsonl at production (or a proposal, a "
	  "release)" },
	{ .name = "prompt.propose", .perm = PERM_PROMPT_PROPOSE, .flags = OP_WRITE,
	  .args = prompt_propose_args, .exec = op_prompt_propose,
	  .help = "a new proposal: system.md, model.ini and/or evals.jsonl over production's",
	  .cli = "prompt propose",
	  .cli_help = "propose changed system.md, model.ini and/or evals.jsonl" },
	{ .name = "prompt.eval", .perm = PERM_PROMPT_PROPOSE, .flags = OP_WRITE,
	  .args = prompt_eval_args, .exec = op_prompt_eval,
	  .help = "run the proposal's evals against staging; wait: reply when done",
	  .cli = "prompt eval",
	  .cli_help = "run the proposal's eval cases against staging and print the results" },
	{ .name = "prompt.approve", .perm = PERM_PROMPT_APPROVE, .flags = OP_WRITE,
	  .args = prompt_approve_args, .exec = op_prompt_approve,
	  .help = "release a proposal (never the author's own; eval gate, or an admin's "
	  "override)",
	  .cli = "prompt approve",
	  .cli_help = "release a proposal someone else made (admin: --override a failed eval "
	  "gate)" },
	{ .name = "prompt.reject", .perm = PERM_PROMPT_APPROVE, .flags = OP_WRITE,
	  .args = prompt_reject_args, .exec = op_prompt_reject,
	  .help = "reject a proposal with a reason",
	  .cli = "prompt reject", .cli_help = "reject a proposal" },
	{ .name = "prompt.rollback", .perm = PERM_PROMPT_APPROVE, .flags = OP_WRITE,
	  .args = prompt_rollback_args, .exec = op_prompt_rollback,
	  .help = "a new release equal to an earlier one (default: the one before the latest)",
	  .cli = "prompt rollback",
	  .cli_help = "a new release equal to RELEASE (default: the one before the latest)" },
	{ .name = "prompt.rollout.status", .perm = PERM_READ, .args = rollout_status_args,
	  .exec = op_rollout_status,
	  .help = "canary rollouts: step, weight, each check canary against production, the "
	  "next decision",
	  .cli = "prompt rollout status",
	  .cli_help = "the canary rollouts: step, weight, checks, next decision" },
	{ .name = "prompt.rollout.pause", .perm = PERM_PROMPT_APPROVE, .flags = OP_WRITE,
	  .args = rollout_act_args, .exec = op_rollout_act,
	  .help = "stop a canary's analysis where it is (its weight stays)",
	  .cli = "prompt rollout pause", .cli_help = "hold a canary where it is" },
	{ .name = "prompt.rollout.resume", .perm = PERM_PROMPT_APPROVE, .flags = OP_WRITE,
	  .args = rollout_act_args, .exec = op_rollout_act,
	  .help = "go on with a paused canary's analysis",
	  .cli = "prompt rollout resume", .cli_help = "go on with a paused canary" },
	{ .name = "prompt.rollout.promote", .perm = PERM_PROMPT_APPROVE, .flags = OP_WRITE,
	  .args = rollout_act_args, .exec = op_rollout_act,
	  .help = "release the canary now, skipping the steps left",
	  .cli = "prompt rollout promote", .cli_help = "release a canary now" },
	{ .name = "prompt.rollout.abort", .perm = PERM_PROMPT_APPROVE, .flags = OP_WRITE,
	  .args = rollout_act_args, .exec = op_rollout_act,
	  .help = "remove the canary; production stays; the proposal is rejected",
	  .cli = "prompt rollout abort", .cli_help = "remove a canary, production stays" },
	{ .name = "prompt.rollout.compare", .perm = PERM_PROMPT_APPROVE, .flags = OP_WRITE,
	  .args = rollout_compare_args, .exec = op_rollout_act,
	  .help = "hold a canary at its weight for an A/B window; the table goes to the "
	  "proposal",
	  .cli = "prompt rollout compare",
	  .cli_help = "hold a canary for an A/B comparison window" },
	{ .name = "prompt.history", .perm = PERM_READ, .args = prompt_history_args,
	  .exec = op_prompt_history, .help = "releases, newest first",
	  .cli = "prompt history",
	  .cli_help = "releases, newest first, with approver, eval and rollbacks" },
	{ .name = "prompt.kpis", .perm = PERM_READ, .flags = OP_ADHOC,
	  .args = prompt_kpis_args, .exec = op_prompt_kpis,
	  .help = "the live release's KPIs next to the release before it, from [prompts] "
	  "release_label",
	  .cli = "prompt kpis",
	  .cli_help = "the live release's requests, errors, p95, feedback and cost per "
	  "request next to the release before it ([prompts] release_label)" },
	/* Customer text, redacted: for those who turn it into eval cases, not every viewer. */
	{ .name = "prompt.feedback", .perm = PERM_PROMPT_PROPOSE, .flags = OP_ADHOC,
	  .args = prompt_feedback_args, .exec = op_prompt_feedback,
	  .help = "conversations the deployment's feed reports rated negative, redacted, newest "
	  "last ([prompts] feedback_url)",
	  .cli = "prompt feedback",
	  .cli_help = "conversations rated negative, redacted, from the deployment's feed "
	  "([prompts] feedback_url; engineer)" },
	{ .name = "purge", .perm = PERM_ADMIN, .flags = OP_WRITE, .args = purge_args,
	  .exec = op_purge,
	  .help = "remove what is past its [retention] period now; dry_run: only count it",
	  .cli = "purge",
	  .cli_help = "remove personal data past its [retention] period now (admin)" },
	{ .name = "gdpr.export", .perm = PERM_ADMIN, .flags = OP_WRITE, .args = gdpr_args,
	  .exec = op_gdpr_export,
	  .help = "every stored record that mentions a data subject (GDPR Art. 15); audited",
	  .cli = "gdpr export",
	  .cli_help = "every stored record that mentions a person, as JSON (admin; GDPR "
	  "Art. 15)" },
	{ .name = "gdpr.erase", .perm = PERM_ADMIN, .flags = OP_WRITE, .args = gdpr_erase_args,
	  .exec = op_gdpr_erase,
	  .help = "erase a data subject wherever stored (GDPR Art. 17); reports what changed; "
	  "refuses one in more than [privacy] erase_max_share of a table unless force; "
	  "dry_run: only count",
	  .cli = "gdpr erase",
	  .cli_help = "erase a person wherever stored; prints what changed (admin; GDPR Art. "
	  "17); --dry-run only counts, --force erases a subject in more than [privacy] "
	  "erase_max_share of a table" },
	{ .name = "config.reload", .perm = PERM_ADMIN, .flags = OP_WRITE, .args = no_args,
	  .exec = op_config_reload,
	  .help = "re-read the config file; roles apply to connected clients at once",
	  .cli = "config reload",
	  .cli_help = "make the daemon re-read its config file (admin; SIGHUP does the "
	  "same)" },
	{ .name = NULL }
};
