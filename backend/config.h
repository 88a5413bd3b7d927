/* SPDX-License-Identifier: ISC */
/*
 * Configuration: INI files checked against options-table.c. The built-in defaults are
 * data/leitstand.ini itself, compiled in; a config file is read on top of them.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "backend/authz.h"
#include "backend/rollout-policy.h"
#include "backend/rotation.h"

/* A comma-separated list of user names and @group names. */
struct namelist {
	char	**v;
	size_t	  n;
};

/* Events a [triggers] key names the people of. */
enum trigger {
	TRIGGER_OPENED,
	TRIGGER_ESCALATED,
	TRIGGER_ACK_OVERDUE,
	TRIGGER_RETRIGGERED,
	TRIGGER_KPI_PENDING,
	TRIGGER_PROPOSAL,
	TRIGGER_ROLLOUT,
	TRIGGER_COUNT
};

/* What a KPI computes. */
enum kpi_kind {
	KPI_QUERY,		/* the value of a PromQL query */
	KPI_COST_PER_REQUEST,	/* token rates per model x prices / request rate */
	KPI_SPEND_TODAY,	/* tokens since local midnight x prices */
	KPI_SPEND_MONTH,	/* tokens since the 1st x prices */
	KPI_FORECAST,		/* month to date + recent daily rate x days left */
};

/* One [kpi.NAME] section. */
struct kpi_def {
	char		*name;
	int		 enabled;
	char		*title;
	char		*kind_name;
	enum kpi_kind	 kind;
	char		*query;
	char		*unit;
	double		 warn;		/* NAN: no threshold */
	double		 crit;
	char		*direction;
	int		 below;		/* direction = below: low values are bad */
	long long	 for_s;		/* a breach counts after this long */
	long long	 precision;	/* digits after the point */
	long long	 severity;	/* of the incident it opens; 0: incidents.kpi_severity */
	double		 sev1;		/* beyond this its incident is SEV1; NAN: never */
	char		*where;		/* file:line of the section, for errors */
};

/* One [price.MODEL] section: per million tokens, in the cost currency. */
struct price_def {
	char		*model;		/* ending in '*': every model it begins */
	double		 input;
	double		 output;
	struct namelist	 aliases;	/* other names of the same price */
	char		*where;
};

/* The first shift of a rotation without start = (a Monday), so rotations are the same on
   every machine and after every restart. */
#define ONCALL_DEFAULT_START	"2026-01-05"

/* One [oncall.Lx] section: an escalation level's rotation. */
struct oncall_def {
	int		 level;		/* 1-3 */
	struct namelist	 participants;	/* local users, in the order they take turns */
	char		*handoff;	/* HH:MM, local wall time in the zone */
	char		*length;	/* daily, weekly or a number of days */
	char		*timezone;	/* tz database name; empty: the daemon's local zone */
	char		*start;		/* YYYY-MM-DD: the first participant's first shift */
	struct oncall_rotation rot;	/* the checked rotation; its users are participants' */
	char		*where;
};

/* One [rollout.NAME] section: an assistant's canary policy; what it leaves out is
   [rollout]'s. */
struct rollout_def {
	char		*assistant;
	char		*steps;			/* NULL: [rollout]'s */
	long long	 interval;		/* -1: [rollout]'s, as the other numbers */
	long long	 threshold;
	long long	 min_requests;
	char		*check[RM_COUNT];	/* NULL: [rollout]'s */
	struct rollout_policy policy;		/* the one in force, made by config check */
	char		*where;
};

/* The channels a [user.NAME] section can name, in the order of enum notify_channel. */
#define USER_CHANNELS	5

/* One [user.NAME] section: how a person (a local account) is reached. */
struct user_def {
	char		*name;		/* the local account */
	char		*email;
	char		*slack;		/* incoming-webhook URL (also Mattermost, Rocket.Chat) */
	char		*teams;		/* Teams incoming-webhook (Workflows) URL */
	char		*webhook;	/* the generic JSON webhook */
	char		*phone;		/* for the command hook */
	int		 command;	/* the [notify] command is used for this user */
	struct namelist	 channels;	/* which ones, in order; empty: every configured one */
	char		*quiet_hours;	/* HH:MM-HH:MM, or empty */
	char		*timezone;	/* of the quiet hours; empty: the daemon's */
	/* Checked: */
	int		 order[USER_CHANNELS];	/* enum notify_channel, in the order to use */
	int		 norder;
	int		 quiet_from, quiet_to;	/* minutes after midnight; -1: none */
	char		*where;
};

struct config {
	char		*file;		/* NULL: built-in defaults only */

	/* [daemon] */
	char		*socket;
	char		*group;
	char		*data_dir;
	long long	 max_line;
	long long	 max_queue;
	long long	 max_queue_total;
	long long	 max_clients;
	long long	 max_clients_per_user;
	long long	 max_refusals;
	long long	 reply_timeout;	/* seconds the CLI waits for a reply; 0: for ever */
	long long	 query_rate;	/* ad-hoc queries per second and connection */
	long long	 query_burst;

	/* [assistant] */
	char		*name;
	char		*environment;

	/* [console] */
	struct namelist	 readonly;
	char		*console_lang;
	char		*console_palette;	/* dark or light */
	int		 console_mouse;		/* clicks and the wheel */

	/* [playbooks] */
	char		*playbook_dir;

	/* [prompts] */
	char		*prompt_repo;
	long long	 drift_severity;	/* incident on vendor drift; 0: none */
	char		*prompt_seed;
	char		*release_label;	/* the label deployments put the served release in */
	char		*staging_url;
	char		*staging_token;
	long long	 eval_concurrency;
	long long	 eval_timeout;
	long long	 eval_tries;
	long long	 eval_gate;	/* percent */
	char		*prompt_remote;
	long long	 push_retry;
	long long	 push_timeout;
	char		*prompt_signing_key;	/* NULL: release tags are not signed */
	char		*feedback_url;		/* the negative feedback feed; "": none */
	char		*feedback_token;	/* its bearer token; "": none */
	long long	 feedback_timeout;

	/* [rollout]: the texts, and the policy config_check makes of them */
	char		*rollout_steps;
	long long	 rollout_interval;
	long long	 rollout_threshold;
	long long	 rollout_min_requests;
	char		*rollout_check[RM_COUNT];
	struct rollout_policy rollout;

	/* [audit] */
	char		*checkpoint_key;
	char		*checkpoint_file;
	long long	 checkpoint_interval;
	int		 checkpoint_syslog;
	long long	 denied_window;

	/* [retention], seconds (0: kept) */
	long long	 keep_incident_notes;
	long long	 keep_timeline_details;
	long long	 keep_playbook_notes;
	long long	 keep_eval_transcripts;
	long long	 keep_audit_details;
	long long	 keep_notification_details;

	/* [privacy] */
	long long	 erase_max_share;	/* percent of a table's rows */

	/* [roles] */
	char		*owner_role;
	char		*default_role;
	struct namelist	 members[ROLE_COUNT];

	/* [prometheus] */
	char		*prom_url;
	long long	 prom_interval;
	long long	 prom_timeout;
	long long	 prom_connect_timeout;
	long long	 prom_history;
	char		*prom_token;
	char		*prom_user;
	char		*prom_password;
	int		 prom_insecure;
	char		*prom_dialect;		/* auto or a dialect_kind name */
	long long	 prom_discover_interval;
	long long	 prom_query_concurrency;	/* clients' queries in flight at once */
	long long	 prom_query_queue;		/* and waiting */

	/* [errors]: error_type values by class (enum error_class, but for "other") */
	struct namelist	 error_classes[3];

	/* [cost] */
	char		*currency;
	double		 monthly_budget;
	char		*tokens_metric;
	char		*model_label;
	char		*type_label;
	char		*requests_query;

	/* [sim] */
	char		*sim_url;

	/* [alertmanager] */
	char		*am_url;
	long long	 am_interval;
	long long	 am_timeout;
	char		*am_group_by;
	char		*am_severity_label;
	char		*am_severity_map;

	/* [ticket] */
	char		*ticket_kind;
	char		*ticket_url;
	char		*ticket_project;
	char		*ticket_issue_type;
	char		*ticket_user;
	char		*ticket_token;
	struct namelist	 ticket_headers;	/* "Name: value", values secret */
	long long	 ticket_timeout;
	long long	 ticket_retries;

	/* [notify] */
	char		*notify_smtp_url;
	char		*notify_smtp_starttls;	/* try, always or no */
	char		*notify_smtp_user;
	char		*notify_smtp_password;
	char		*notify_smtp_ca;
	char		*notify_from;
	char		*notify_command;
	long long	 notify_command_timeout;
	long long	 notify_timeout;
	char		*notify_host;

	/* [incidents] */
	long long	 ack_s[4];	/* acknowledge target per severity */
	long long	 resolve_s[4];
	long long	 ack_timeout;
	long long	 kpi_severity;
	long long	 correlate;	/* KPIs crit this soon after a KPI incident join it */
	long long	 timer_interval;

	/* [escalation] */
	char		*escalation_levels[4];	/* per severity: "L1, L2, L3" */
	unsigned	 escalation_mask[4];	/* the same as bits 1 << level */
	long long	 escalation_repeat;
	struct namelist	 escalation_fallback;
	long long	 escalation_retries;
	long long	 escalation_retry_wait;

	/* [triggers]: who else is told, by event */
	struct namelist	 trigger[TRIGGER_COUNT];
	long long	 trigger_severity;

	struct kpi_def	*kpis;
	size_t		 nkpis;
	struct price_def *prices;
	size_t		 nprices;
	struct oncall_def *oncalls;
	size_t		 noncalls;
	struct user_def	*users;
	size_t		 nusers;
	struct rollout_def *rollouts;
	size_t		 nrollouts;
};

/* An assistant's canary policy: its [rollout.NAME], else [rollout]. */
const struct rollout_policy *config_rollout(const struct config *, const char *assistant);

/* Finds the config file: the argument, $LEITSTAND_CONFIG, $XDG_CONFIG_HOME/leitstand/leitstand.ini,
   /etc/leitstand/leitstand.ini. Returns a new path or NULL for built-in defaults. */
char	*config_find(const char *);
/* Loads the built-in defaults and then FILE (NULL: defaults only); on error returns -1 and
   every problem, one "file:line: section.key: why" per line, in *cause. */
int	 config_load(struct config *, const char *, char **);
void	 config_free(struct config *);
/* Checks what only the daemon's own user can, beyond config_load: the prompt signing key is
   a file of that user's that nobody else may read. 0, or -1 with *cause ("file: key: why").
   `leitstand config check`, the daemon's start and its reload call it; a client does not. */
int	 config_check_daemon(const struct config *, char **);
/* Returns 1 if the name or one of the groups is in the list. */
int	 namelist_match(const struct namelist *, const char *, char *const *);
/* The default private socket path for this user (runtime dir), for a name ("default"). */
char	*config_private_socket(const char *);
/* Turns a config into the built-in demo's: own socket, data dir and assistant name. */
void	 config_demo(struct config *);
struct option_def;
/* The default of a key as text, from the built-in config (a new string). */
char	*config_default_text(const struct option_def *);
/* The language of playbooks for this user: [console] lang, else from LANG (de... is German),
   else English. */
const char *config_lang(const struct config *);
/* The price of a model: its own section, an alias, else the longest prefix section; NULL. */
const struct price_def *config_price(const struct config *, const char *model);
/* The [oncall.Lx] section of a level (1-3), or NULL. */
const struct oncall_def *config_oncall(const struct config *, int level);
/* The [user.NAME] section of a local account, or NULL. */
const struct user_def *config_user(const struct config *, const char *name);
/* Parses 90, 90s, 15m, 2h, 1d into seconds; -1 if it is none of them. */
long long config_duration(const char *);

#endif
