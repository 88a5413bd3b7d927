/* SPDX-License-Identifier: ISC */
#include "backend/config.h"
#include "backend/options-table.h"

#define G(f)	OPT_GLOBAL, offsetof(struct config, f)
#define K(f)	OPT_KPI, offsetof(struct kpi_def, f)
#define P(f)	OPT_PRICE, offsetof(struct price_def, f)
#define O(f)	OPT_ONCALL, offsetof(struct oncall_def, f)
#define U(f)	OPT_USER, offsetof(struct user_def, f)
#define RO(f)	OPT_ROLLOUT, offsetof(struct rollout_def, f)
#define DAY	86400LL

static const char *const role_choices[] = {
	"none", "viewer", "operator", "engineer", "approver", "admin", NULL
};
static const char *const kind_choices[] = {
	"query", "cost_per_request", "spend_today", "spend_month", "forecast", NULL
};
static const char *const direction_choices[] = { "above", "below", NULL };
static const char *const dialect_choices[] = {
	"auto", "collector", "sdk", "utf8", "utf8-bare", NULL
};
static const char *const ticket_choices[] = { "none", "jira", "webhook", NULL };
static const char *const palette_choices[] = { "dark", "light", NULL };
static const char *const starttls_choices[] = { "try", "always", "no", NULL };

const struct option_def options_table[] = {
	{ "daemon", "socket", OPT_PATH, G(socket), 0, 0, NULL, 0,
	  "Unix socket of the daemon; default $XDG_RUNTIME_DIR/leitstand/default.sock "
	  "(or /tmp/leitstand-UID/default.sock)" },
	{ "daemon", "group", OPT_STRING, G(group), 0, 0, NULL, 0,
	  "Unix group allowed to connect (shared install: socket directory 0750, socket 0660); "
	  "empty: private to the daemon's user" },
	{ "daemon", "data_dir", OPT_PATH, G(data_dir), 0, 0, NULL, 0,
	  "where the database lives; default $XDG_DATA_HOME/leitstand" },
	{ "daemon", "max_line", OPT_INT, G(max_line), 1024, 16 << 20, NULL, 0,
	  "longest protocol line a client may send, in bytes" },
	{ "daemon", "max_queue", OPT_INT, G(max_queue), 65536, 1LL << 30, NULL, 0,
	  "output queued for a client that does not read before it is disconnected, in bytes" },
	{ "daemon", "max_queue_total", OPT_INT, G(max_queue_total), 65536, 1LL << 40, NULL, 0,
	  "bytes held for all clients together (queued output, unhandled requests); over it "
	  "the client that has not read for the longest is disconnected (at least max_queue)" },
	{ "daemon", "max_clients", OPT_INT, G(max_clients), 1, 1000000, NULL, 0,
	  "clients connected at once; lowered at start so file descriptors remain for the "
	  "store, HTTP, git and jobs" },
	{ "daemon", "max_clients_per_user", OPT_INT, G(max_clients_per_user), 1, 1000000, NULL, 0,
	  "clients one Unix user may have connected at once" },
	{ "daemon", "max_refusals", OPT_INT, G(max_refusals), 1, 1000000, NULL, 0,
	  "refused requests in a row (none allowed in between) after which a client is "
	  "disconnected" },
	{ "daemon", "reply_timeout", OPT_DURATION, G(reply_timeout), 0, 86400, NULL, 0,
	  "how long a CLI command waits for the daemon's reply (--timeout overrides it; a "
	  "waiting prompt eval has none unless --timeout is given); 0: for ever" },
	{ "daemon", "query_rate", OPT_INT, G(query_rate), 1, 10000, NULL, 0,
	  "ad-hoc queries (kpi.range, kpi.doctor, prompt.kpis, run.check, audit.verify) a "
	  "connection may send per second, after a burst of query_burst; a user's connections "
	  "together twice that; more are answered rate_limited" },
	{ "daemon", "query_burst", OPT_INT, G(query_burst), 1, 100000, NULL, 0,
	  "ad-hoc queries a connection may send at once before query_rate applies" },

	{ "assistant", "name", OPT_STRING, G(name), 0, 0, NULL, 0,
	  "name of the assistant, shown in the console header" },
	{ "assistant", "environment", OPT_STRING, G(environment), 0, 0, NULL, 0,
	  "environment shown next to the name" },

	{ "console", "readonly", OPT_NAMES, G(readonly), 0, 0, NULL, 0,
	  "users and @groups whose console never offers state-changing keys" },
	{ "console", "lang", OPT_STRING, G(console_lang), 0, 0, NULL, 0,
	  "language of playbooks: en or de; empty: from LANG, else English" },
	{ "console", "palette", OPT_CHOICE, G(console_palette), 0, 0, palette_choices, 0,
	  "colours for a dark or a light terminal background: dark or light" },
	{ "console", "mouse", OPT_BOOL, G(console_mouse), 0, 0, NULL, 0,
	  "a click selects a tab, row or tile (again: opens it), the wheel scrolls; the "
	  "terminal's own text selection then needs Shift held; no: the terminal keeps the mouse" },

	{ "playbooks", "dir", OPT_PATH, G(playbook_dir), 0, 0, NULL, 0,
	  "directory with en/ and de/ playbooks; default: the shipped library" },

	{ "prompts", "repo", OPT_PATH, G(prompt_repo), 0, 0, NULL, 0,
	  "the prompt repository (git, bare); created and seeded on first start; default "
	  "DATA_DIR/prompts.git" },
	{ "prompts", "seed", OPT_PATH, G(prompt_seed), 0, 0, NULL, 0,
	  "directory with assistants/NAME/ files that seed a new repository; default: the "
	  "shipped one" },
	{ "prompts", "drift_severity", OPT_INT, G(drift_severity), 0, 4, NULL, 0,
	  "severity of the incident opened when another model answers the requests for the "
	  "pinned one (vendor drift); 0: none, the Prompts view still says so" },
	{ "prompts", "release_label", OPT_STRING, G(release_label), 0, 0, NULL, 0,
	  "label a deployment puts on its metrics naming the release it serves (its number); "
	  "the Prompts view compares the live release's KPIs with the one before by it" },
	{ "prompts", "staging_url", OPT_URL, G(staging_url), 0, 0, NULL, 0,
	  "OpenAI-compatible chat completions URL evals run against; empty: [sim] url's "
	  "/v1/chat/completions" },
	{ "prompts", "staging_token", OPT_STRING, G(staging_token), 0, 0, NULL, OPT_SECRET,
	  "bearer token for the staging endpoint; env:NAME reads the environment" },
	{ "prompts", "eval_concurrency", OPT_INT, G(eval_concurrency), 1, 64, NULL, 0,
	  "eval requests in flight at once" },
	{ "prompts", "eval_timeout", OPT_DURATION, G(eval_timeout), 1, 600, NULL, 0,
	  "time one eval request may take" },
	{ "prompts", "eval_tries", OPT_INT, G(eval_tries), 1, 10, NULL, 0,
	  "tries per eval request on 429, 503 and timeouts (with back-off and Retry-After)" },
	{ "prompts", "gate", OPT_INT, G(eval_gate), 0, 100, NULL, 0,
	  "least eval pass rate, in percent, a proposal needs to be approved" },
	{ "prompts", "remote", OPT_STRING, G(prompt_remote), 0, 0, NULL, 0,
	  "git remote (URL or path) production and release tags are pushed to; empty: none" },
	{ "prompts", "push_retry", OPT_DURATION, G(push_retry), 5, 86400, NULL, 0,
	  "wait before pushing again after a failed push" },
	{ "prompts", "push_timeout", OPT_DURATION, G(push_timeout), 1, 3600, NULL, 0,
	  "time a push may take in all (connect, list, upload) before it is stopped and fails" },
	{ "prompts", "feedback_url", OPT_URL, G(feedback_url), 0, 0, NULL, 0,
	  "the deployment's feed of conversations rated negative (JSON lines, README "
	  "\"Negative feedback feed\"); no credentials in it; empty: [sim] url's /sim/feedback "
	  "when a simulator is set, else none" },
	{ "prompts", "feedback_token", OPT_STRING, G(feedback_token), 0, 0, NULL, OPT_SECRET,
	  "bearer token sent to the feedback feed; env:NAME reads the environment" },
	{ "prompts", "feedback_timeout", OPT_DURATION, G(feedback_timeout), 1, 120, NULL, 0,
	  "time a read of the feedback feed may take in all" },
	{ "prompts", "signing_key", OPT_PATH, G(prompt_signing_key), 0, 0, NULL, OPT_EMPTY,
	  "OpenSSH private key without passphrase (mode 0600, the daemon's user's) that signs "
	  "release and rollback tags and canary commits as git does with gpg.format=ssh "
	  "(ssh-keygen -Y sign, namespace git); empty: unsigned" },

	{ "rollout", "steps", OPT_STRING, G(rollout_steps), 0, 0, NULL, 0,
	  "a canary's weights in percent, rising, ending at 100 (the promotion)" },
	{ "rollout", "interval", OPT_DURATION, G(rollout_interval), 10, 86400, NULL, 0,
	  "how long each step is watched before the analysis decides" },
	{ "rollout", "threshold", OPT_INT, G(rollout_threshold), 1, 100, NULL, 0,
	  "failed analyses of a step that roll the canary back" },
	{ "rollout", "min_requests", OPT_INT, G(rollout_min_requests), 0, 100000000, NULL, 0,
	  "canary requests an interval needs to be judged; fewer hold the step" },
	{ "rollout", "error_rate", OPT_STRING, G(rollout_check[RM_ERROR_RATE]), 0, 0, NULL, 0,
	  "check of the canary's failed share (%): min N, max N, worse N% than production" },
	{ "rollout", "rate_limited", OPT_STRING, G(rollout_check[RM_RATE_LIMITED]), 0, 0, NULL,
	  0, "check of the canary's rate-limited share (%)" },
	{ "rollout", "latency_p95", OPT_STRING, G(rollout_check[RM_LATENCY_P95]), 0, 0, NULL, 0,
	  "check of the canary's p95 latency (seconds)" },
	{ "rollout", "feedback", OPT_STRING, G(rollout_check[RM_FEEDBACK]), 0, 0, NULL, 0,
	  "check of the canary's positive feedback share (%)" },
	{ "rollout", "cost_per_request", OPT_STRING, G(rollout_check[RM_COST]), 0, 0, NULL, 0,
	  "check of the canary's cost per request" },
	{ "rollout.*", "steps", OPT_STRING, RO(steps), 0, 0, NULL, 0,
	  "this assistant's canary weights; each key left out is [rollout]'s" },
	{ "rollout.*", "interval", OPT_DURATION, RO(interval), 10, 86400, NULL, 0,
	  "this assistant's watch per step" },
	{ "rollout.*", "threshold", OPT_INT, RO(threshold), 1, 100, NULL, 0,
	  "this assistant's failed analyses that roll back" },
	{ "rollout.*", "min_requests", OPT_INT, RO(min_requests), 0, 100000000, NULL, 0,
	  "this assistant's canary requests an interval needs" },
	{ "rollout.*", "error_rate", OPT_STRING, RO(check[RM_ERROR_RATE]), 0, 0, NULL, 0,
	  "this assistant's error rate check" },
	{ "rollout.*", "rate_limited", OPT_STRING, RO(check[RM_RATE_LIMITED]), 0, 0, NULL, 0,
	  "this assistant's rate-limited check" },
	{ "rollout.*", "latency_p95", OPT_STRING, RO(check[RM_LATENCY_P95]), 0, 0, NULL, 0,
	  "this assistant's p95 check" },
	{ "rollout.*", "feedback", OPT_STRING, RO(check[RM_FEEDBACK]), 0, 0, NULL, 0,
	  "this assistant's positive feedback check" },
	{ "rollout.*", "cost_per_request", OPT_STRING, RO(check[RM_COST]), 0, 0, NULL, 0,
	  "this assistant's cost per request check" },

	{ "audit", "checkpoint_key", OPT_PATH, G(checkpoint_key), 0, 0, NULL, 0,
	  "Ed25519 key (PEM) that signs audit checkpoints, created on first use; default "
	  "DATA_DIR/audit.key" },
	{ "audit", "checkpoint_file", OPT_PATH, G(checkpoint_file), 0, 0, NULL, 0,
	  "file outside the data dir that signed chain heads are appended to; empty: none" },
	{ "audit", "checkpoint_interval", OPT_DURATION, G(checkpoint_interval), 1, 7 * DAY,
	  NULL, 0, "how often the chain head is signed, when it moved" },
	{ "audit", "denied_window", OPT_DURATION, G(denied_window), 1, DAY, NULL, 0,
	  "a client's first refused request is audited at once, the rest in this time as one "
	  "entry \"denied xN\" when it ends or the client goes" },
	{ "audit", "checkpoint_syslog", OPT_BOOL, G(checkpoint_syslog), 0, 0, NULL, 0,
	  "also send each checkpoint to syslog (LOG_AUTHPRIV)" },

	{ "retention", "incident_notes", OPT_DURATION, G(keep_incident_notes), 0, 10 * 365 * DAY,
	  NULL, 0, "how long notes on incident timelines are kept; 0: for ever" },
	{ "retention", "timeline_details", OPT_DURATION, G(keep_timeline_details), 0,
	  10 * 365 * DAY, NULL, 0,
	  "how long timeline details (KPI snapshots, alert data) and alert annotations are kept" },
	{ "retention", "playbook_notes", OPT_DURATION, G(keep_playbook_notes), 0, 10 * 365 * DAY,
	  NULL, 0, "how long notes on playbook steps are kept" },
	{ "retention", "eval_transcripts", OPT_DURATION, G(keep_eval_transcripts), 0,
	  10 * 365 * DAY, NULL, 0, "how long the answers and failure reasons of eval cases are kept" },
	{ "retention", "audit_details", OPT_DURATION, G(keep_audit_details), 0, 10 * 365 * DAY,
	  NULL, 0, "how long audit entries keep their details (their hash stays: the chain verifies)" },
	{ "retention", "notification_details", OPT_DURATION, G(keep_notification_details), 0,
	  10 * 365 * DAY, NULL, 0, "how long notices keep their title and the receiving server's "
	  "replies (who was told, when and how stays)" },

	{ "privacy", "erase_max_share", OPT_INT, G(erase_max_share), 1, 100, NULL, 0,
	  "gdpr erase refuses a subject in more than this percentage of a table's rows (and in "
	  "more than 10) without --force" },

	{ "roles", "owner", OPT_CHOICE, G(owner_role), 0, 0, role_choices, 0,
	  "role of the user the daemon runs as, unless listed below (a private daemon's owner)" },
	{ "roles", "default", OPT_CHOICE, G(default_role), 0, 0, role_choices, 0,
	  "role of other users not listed below; none refuses them" },
	{ "roles", "viewer", OPT_NAMES, G(members[ROLE_VIEWER]), 0, 0, NULL, 0,
	  "users and @groups who may read everything except audit details" },
	{ "roles", "operator", OPT_NAMES, G(members[ROLE_OPERATOR]), 0, 0, NULL, 0,
	  "+ open, acknowledge and note incidents, run playbooks (L1)" },
	{ "roles", "engineer", OPT_NAMES, G(members[ROLE_ENGINEER]), 0, 0, NULL, 0,
	  "+ escalate, resolve, export tickets, propose prompt changes, run evals (L2)" },
	{ "roles", "approver", OPT_NAMES, G(members[ROLE_APPROVER]), 0, 0, NULL, 0,
	  "+ approve or reject proposals and roll back releases, never their own (L3/lead)" },
	{ "roles", "admin", OPT_NAMES, G(members[ROLE_ADMIN]), 0, 0, NULL, 0,
	  "+ purge, GDPR export and erase, audit export, eval gate override" },

	{ "prometheus", "url", OPT_URL, G(prom_url), 0, 0, NULL, 0,
	  "base URL of the Prometheus-compatible API (Prometheus, Thanos, Mimir, "
	  "VictoriaMetrics); empty: no metrics" },
	{ "prometheus", "interval", OPT_DURATION, G(prom_interval), 1, 3600, NULL, 0,
	  "how often every KPI is queried (once for all consoles)" },
	{ "prometheus", "timeout", OPT_DURATION, G(prom_timeout), 1, 300, NULL, 0,
	  "total time a query may take; Prometheus is asked to give up a little earlier" },
	{ "prometheus", "connect_timeout", OPT_DURATION, G(prom_connect_timeout), 1, 60, NULL, 0,
	  "time to establish a connection" },
	{ "prometheus", "history", OPT_DURATION, G(prom_history), 60, 7 * DAY, NULL, 0,
	  "what the sparklines span (60 points), filled from Prometheus when the daemon starts" },
	{ "prometheus", "token", OPT_STRING, G(prom_token), 0, 0, NULL, OPT_SECRET,
	  "bearer token; env:NAME reads it from the daemon's environment" },
	{ "prometheus", "user", OPT_STRING, G(prom_user), 0, 0, NULL, 0,
	  "basic auth user (with password)" },
	{ "prometheus", "password", OPT_STRING, G(prom_password), 0, 0, NULL, OPT_SECRET,
	  "basic auth password; env:NAME reads it from the daemon's environment" },
	{ "prometheus", "insecure", OPT_BOOL, G(prom_insecure), 0, 0, NULL, 0,
	  "skip TLS certificate verification (shown as a warning in the console)" },
	{ "prometheus", "dialect", OPT_CHOICE, G(prom_dialect), 0, 0, dialect_choices, 0,
	  "spelling of the GenAI metrics in ${placeholders}: auto finds it out (at start, on "
	  "reload, and when a KPI has no data); else collector, sdk, utf8 or utf8-bare" },
	{ "prometheus", "discover_interval", OPT_DURATION, G(prom_discover_interval), 10, 7 * DAY,
	  NULL, 0, "least time between two look-ups of the dialect while a KPI has no data" },
	{ "prometheus", "query_concurrency", OPT_INT, G(prom_query_concurrency), 1, 64, NULL, 0,
	  "queries clients ask for (charts, the doctor, release KPIs, playbook checks) in flight "
	  "at once, on connections of their own: the KPI polls never wait for them" },
	{ "prometheus", "query_queue", OPT_INT, G(prom_query_queue), 1, 10000, NULL, 0,
	  "clients' queries that may wait for their turn; more are answered busy" },

	{ "errors", "rate_limited", OPT_NAMES, G(error_classes[0]), 0, 0, NULL, 0,
	  "error_type values that mean rate limited: HTTP codes, 4xx-style ranges, client "
	  "error classes" },
	{ "errors", "server", OPT_NAMES, G(error_classes[1]), 0, 0, NULL, 0,
	  "error_type values that mean the service failed (availability): 5xx, timeouts, "
	  "connection errors" },
	{ "errors", "client", OPT_NAMES, G(error_classes[2]), 0, 0, NULL, 0,
	  "error_type values that mean a bad request (the caller's fault)" },

	{ "cost", "currency", OPT_STRING, G(currency), 0, 0, NULL, 0,
	  "currency of the price table and the budget" },
	{ "cost", "monthly_budget", OPT_NUMBER, G(monthly_budget), 0, 0, NULL, 0,
	  "spend per calendar month the forecast is measured against; empty: none" },
	{ "cost", "tokens_metric", OPT_STRING, G(tokens_metric), 0, 0, NULL, 0,
	  "counter of tokens used (a histogram's _sum), labelled by model and token type" },
	{ "cost", "model_label", OPT_STRING, G(model_label), 0, 0, NULL, 0,
	  "label of tokens_metric naming the model" },
	{ "cost", "type_label", OPT_STRING, G(type_label), 0, 0, NULL, 0,
	  "label of tokens_metric saying input or output" },
	{ "cost", "requests_query", OPT_STRING, G(requests_query), 0, 0, NULL, 0,
	  "PromQL for requests per second, the divisor of cost per request" },

	{ "sim", "url", OPT_URL, G(sim_url), 0, 0, NULL, 0,
	  "address of a running leitstand sim, for :sim PROFILE in the console" },

	{ "alertmanager", "url", OPT_URL, G(am_url), 0, 0, NULL, 0,
	  "Alertmanager to take alerts from (API v2); empty: none" },
	{ "alertmanager", "interval", OPT_DURATION, G(am_interval), 1, 3600, NULL, 0,
	  "how often its alerts are read" },
	{ "alertmanager", "timeout", OPT_DURATION, G(am_timeout), 1, 300, NULL, 0,
	  "time a read may take" },
	{ "alertmanager", "group_by", OPT_STRING, G(am_group_by), 0, 0, NULL, 0,
	  "labels whose values make a group: alerts of one group share one incident" },
	{ "alertmanager", "severity_label", OPT_STRING, G(am_severity_label), 0, 0, NULL, 0,
	  "label that carries the alert's severity" },
	{ "alertmanager", "severity_map", OPT_STRING, G(am_severity_map), 0, 0, NULL, 0,
	  "label values to SEV: value=N, ...; anything else is SEV3" },

	{ "ticket", "kind", OPT_CHOICE, G(ticket_kind), 0, 0, ticket_choices, 0,
	  "where incidents are exported: none, jira (REST v2) or webhook (JSON POST)" },
	{ "ticket", "url", OPT_URL, G(ticket_url), 0, 0, NULL, 0,
	  "Jira base URL, or the webhook's URL" },
	{ "ticket", "project", OPT_STRING, G(ticket_project), 0, 0, NULL, 0,
	  "Jira project key" },
	{ "ticket", "issue_type", OPT_STRING, G(ticket_issue_type), 0, 0, NULL, 0,
	  "Jira issue type" },
	{ "ticket", "user", OPT_STRING, G(ticket_user), 0, 0, NULL, 0,
	  "Jira user (e-mail) for basic auth with the token; empty: the token is a bearer" },
	{ "ticket", "token", OPT_STRING, G(ticket_token), 0, 0, NULL, OPT_SECRET,
	  "Jira API token or the webhook's bearer token; env:NAME reads the environment" },
	{ "ticket", "headers", OPT_HEADERS, G(ticket_headers), 0, 0, NULL, OPT_SECRET,
	  "webhook: extra headers, Name: value; Name: value; each value may be env:NAME" },
	{ "ticket", "timeout", OPT_DURATION, G(ticket_timeout), 1, 300, NULL, 0,
	  "time one export may take" },
	{ "ticket", "retries", OPT_INT, G(ticket_retries), 0, 20, NULL, 0,
	  "further tries after a failure that may pass (timeouts, 429, 5xx), 5 s apart, doubling" },

	{ "notify", "smtp_url", OPT_STRING, G(notify_smtp_url), 0, 0, NULL, 0,
	  "the mail server notifications go out through: smtp://host:port (STARTTLS as "
	  "smtp_starttls says) or smtps://host:port (TLS from the start); empty: no e-mail" },
	{ "notify", "smtp_starttls", OPT_CHOICE, G(notify_smtp_starttls), 0, 0, starttls_choices,
	  0, "smtp://: try (STARTTLS when the server offers it), always (refuse to send "
	  "without it) or no" },
	{ "notify", "smtp_user", OPT_STRING, G(notify_smtp_user), 0, 0, NULL, 0,
	  "SMTP AUTH user (with smtp_password); empty: no authentication" },
	{ "notify", "smtp_password", OPT_STRING, G(notify_smtp_password), 0, 0, NULL, OPT_SECRET,
	  "SMTP AUTH password; env:NAME reads the daemon's environment" },
	{ "notify", "smtp_ca", OPT_PATH, G(notify_smtp_ca), 0, 0, NULL, 0,
	  "CA certificate file (PEM) the mail server's certificate must chain to (a private "
	  "MTA); unset: the system's CAs" },
	{ "notify", "from", OPT_STRING, G(notify_from), 0, 0, NULL, 0,
	  "the envelope sender and From: address of e-mail; empty: leitstand@ the host name" },
	{ "notify", "command", OPT_STRING, G(notify_command), 0, 0, NULL, 0,
	  "the hook for SMS gateways and local tools: an absolute path and arguments, split on "
	  "blanks, run without a shell, the notice as JSON on its stdin; empty: none" },
	{ "notify", "command_timeout", OPT_DURATION, G(notify_command_timeout), 1, 300, NULL, 0,
	  "the hook is killed after this long (and its output is cut at 64 KiB)" },
	{ "notify", "timeout", OPT_DURATION, G(notify_timeout), 1, 300, NULL, 0,
	  "time one try of an e-mail or webhook may take" },
	{ "notify", "host", OPT_STRING, G(notify_host), 0, 0, NULL, 0,
	  "the host in the acknowledge command a notification carries (ssh HOST leitstand "
	  "incident ack N); empty: this host's name" },

	{ "incidents", "ack_sev1", OPT_DURATION, G(ack_s[0]), 1, DAY, NULL, 0,
	  "a SEV1 not acknowledged within this escalates one level (L1 -> L2 -> L3)" },
	{ "incidents", "ack_sev2", OPT_DURATION, G(ack_s[1]), 1, DAY, NULL, 0,
	  "the same for SEV2" },
	{ "incidents", "ack_sev3", OPT_DURATION, G(ack_s[2]), 1, 7 * DAY, NULL, 0,
	  "the same for SEV3" },
	{ "incidents", "ack_sev4", OPT_DURATION, G(ack_s[3]), 1, 30 * DAY, NULL, 0,
	  "the same for SEV4" },
	{ "incidents", "resolve_sev1", OPT_DURATION, G(resolve_s[0]), 1, 30 * DAY, NULL, 0,
	  "resolve target of a SEV1 (shown as time left or over)" },
	{ "incidents", "resolve_sev2", OPT_DURATION, G(resolve_s[1]), 1, 30 * DAY, NULL, 0,
	  "the same for SEV2" },
	{ "incidents", "resolve_sev3", OPT_DURATION, G(resolve_s[2]), 1, 90 * DAY, NULL, 0,
	  "the same for SEV3" },
	{ "incidents", "resolve_sev4", OPT_DURATION, G(resolve_s[3]), 1, 365 * DAY, NULL, 0,
	  "the same for SEV4" },
	{ "incidents", "ack_timeout", OPT_DURATION, G(ack_timeout), 1, 7 * DAY, NULL, 0,
	  "an acknowledged incident with no activity this long returns to triggered" },
	{ "incidents", "kpi_severity", OPT_INT, G(kpi_severity), 1, 4, NULL, 0,
	  "severity of the incident a KPI opens when it turns crit (unless the KPI's severity "
	  "or sev1 says otherwise)" },
	{ "incidents", "correlate", OPT_DURATION, G(correlate), 0, DAY, NULL, 0,
	  "a KPI that turns crit this soon after another KPI opened an incident joins that "
	  "incident instead of opening its own; 0: never" },
	{ "incidents", "timer_interval", OPT_DURATION, G(timer_interval), 1, 300, NULL, 0,
	  "how often the acknowledge timers are checked" },

	{ "escalation", "sev1", OPT_STRING, G(escalation_levels[0]), 0, 0, NULL, 0,
	  "levels whose on-call is paged for a SEV1, in turn as it escalates (L1, L2, L3); "
	  "empty: nobody is paged" },
	{ "escalation", "sev2", OPT_STRING, G(escalation_levels[1]), 0, 0, NULL, 0,
	  "the same for SEV2" },
	{ "escalation", "sev3", OPT_STRING, G(escalation_levels[2]), 0, 0, NULL, 0,
	  "the same for SEV3" },
	{ "escalation", "sev4", OPT_STRING, G(escalation_levels[3]), 0, 0, NULL, 0,
	  "the same for SEV4" },
	{ "escalation", "repeat", OPT_INT, G(escalation_repeat), 0, 10, NULL, 0,
	  "times every level of the chain is paged again when nobody acknowledges at L3 "
	  "(each after the severity's ack target)" },
	{ "escalation", "fallback", OPT_NAMES, G(escalation_fallback), 0, 0, NULL, 0,
	  "users and @groups paged instead when a level has nobody on call" },
	{ "escalation", "retries", OPT_INT, G(escalation_retries), 0, 10, NULL, 0,
	  "further tries of a notification that failed in a way another try may fix" },
	{ "escalation", "retry_wait", OPT_DURATION, G(escalation_retry_wait), 1, 3600, NULL, 0,
	  "wait before the first retry, doubling with each" },

	{ "triggers", "opened", OPT_NAMES, G(trigger[TRIGGER_OPENED]), 0, 0, NULL, 0,
	  "told when an incident opens: L1, L2, L3 (that level's on-call), users, @groups" },
	{ "triggers", "escalated", OPT_NAMES, G(trigger[TRIGGER_ESCALATED]), 0, 0, NULL, 0,
	  "told when an incident escalates (by hand or by its timer)" },
	{ "triggers", "ack_overdue", OPT_NAMES, G(trigger[TRIGGER_ACK_OVERDUE]), 0, 0, NULL, 0,
	  "told when an incident's acknowledge timer runs out" },
	{ "triggers", "retriggered", OPT_NAMES, G(trigger[TRIGGER_RETRIGGERED]), 0, 0, NULL, 0,
	  "told when an acknowledged incident returns to triggered" },
	{ "triggers", "kpi_pending", OPT_NAMES, G(trigger[TRIGGER_KPI_PENDING]), 0, 0, NULL, 0,
	  "told when a KPI's crit breach starts waiting out its for (crit unless it recovers)" },
	{ "triggers", "proposal", OPT_NAMES, G(trigger[TRIGGER_PROPOSAL]), 0, 0, NULL, 0,
	  "told when a prompt proposal's eval passed and it waits for an approver" },
	{ "triggers", "rollout", OPT_NAMES, G(trigger[TRIGGER_ROLLOUT]), 0, 0, NULL, 0,
	  "told when the daemon rolls a canary back on its own (its checks failed)" },
	{ "triggers", "severity", OPT_INT, G(trigger_severity), 1, 4, NULL, 0,
	  "incident triggers fire for this severity and more severe ones (2: SEV1 and SEV2)" },

	{ "kpi.*", "enabled", OPT_BOOL, K(enabled), 0, 0, NULL, 0,
	  "no: leave this KPI out (also one of the built-in ones)" },
	{ "kpi.*", "title", OPT_STRING, K(title), 0, 0, NULL, 0,
	  "shown on the tile" },
	{ "kpi.*", "kind", OPT_CHOICE, K(kind_name), 0, 0, kind_choices, 0,
	  "query: the value of query; the others are computed from [cost] and [price.*]" },
	{ "kpi.*", "query", OPT_STRING, K(query), 0, 0, NULL, 0,
	  "PromQL giving one value (kind = query)" },
	{ "kpi.*", "unit", OPT_STRING, K(unit), 0, 0, NULL, 0,
	  "s, ms, %, req/s, tokens, or a currency" },
	{ "kpi.*", "warn", OPT_NUMBER, K(warn), 0, 0, NULL, 0,
	  "threshold for warn; empty: none" },
	{ "kpi.*", "crit", OPT_NUMBER, K(crit), 0, 0, NULL, 0,
	  "threshold for crit; empty: none" },
	{ "kpi.*", "direction", OPT_CHOICE, K(direction), 0, 0, direction_choices, 0,
	  "above: values above the thresholds are bad; below: values below" },
	{ "kpi.*", "for", OPT_DURATION, K(for_s), 0, DAY, NULL, 0,
	  "how long a breach must last before the state changes" },
	{ "kpi.*", "precision", OPT_INT, K(precision), 0, 6, NULL, 0,
	  "digits after the decimal point" },
	{ "kpi.*", "severity", OPT_INT, K(severity), 0, 4, NULL, 0,
	  "severity of the incident this KPI opens when it turns crit; 0: "
	  "incidents.kpi_severity" },
	{ "kpi.*", "sev1", OPT_NUMBER, K(sev1), 0, 0, NULL, 0,
	  "a value beyond which (in the KPI's direction) its incident is SEV1, e.g. "
	  "availability below 90; empty: never" },

	{ "price.*", "input", OPT_NUMBER, P(input), 0, 0, NULL, 0,
	  "price of one million input tokens of the model" },
	{ "price.*", "output", OPT_NUMBER, P(output), 0, 0, NULL, 0,
	  "price of one million output tokens of the model" },
	{ "price.*", "aliases", OPT_NAMES, P(aliases), 0, 0, NULL, 0,
	  "other model names with this price (the alias a request names, gen_ai_request_model)" },
	{ "oncall.*", "participants", OPT_NAMES, O(participants), 0, 0, NULL, 0,
	  "who takes turns on call for the level (L1, L2, L3), in order: local user accounts" },
	{ "oncall.*", "handoff", OPT_STRING, O(handoff), 0, 0, NULL, 0,
	  "when one shift hands off to the next, HH:MM local time in timezone (in a DST gap: "
	  "the end of the gap; in a repeated hour: its first occurrence)" },
	{ "oncall.*", "length", OPT_STRING, O(length), 0, 0, NULL, 0,
	  "a shift's length: daily, weekly or a number of days (1-366), counted in local days" },
	{ "oncall.*", "timezone", OPT_STRING, O(timezone), 0, 0, NULL, 0,
	  "the rotation's time zone, a tz database name (Europe/Berlin); empty: the daemon's "
	  "local zone" },
	{ "oncall.*", "start", OPT_STRING, O(start), 0, 0, NULL, 0,
	  "the date (YYYY-MM-DD) the first participant's first shift starts; the order runs "
	  "on from there, both ways" },

	{ "user.*", "email", OPT_STRING, U(email), 0, 0, NULL, 0,
	  "the person's e-mail address, local@domain ([notify] smtp_url sends it)" },
	{ "user.*", "slack", OPT_URL, U(slack), 0, 0, NULL, OPT_SECRET,
	  "a Slack incoming-webhook URL (Mattermost and Rocket.Chat take the same payload); "
	  "its path is a secret: env:NAME reads the environment" },
	{ "user.*", "teams", OPT_URL, U(teams), 0, 0, NULL, OPT_SECRET,
	  "a Microsoft Teams incoming-webhook (Workflows) URL, sent an Adaptive Card; env:NAME "
	  "reads the environment" },
	{ "user.*", "webhook", OPT_URL, U(webhook), 0, 0, NULL, OPT_SECRET,
	  "a URL sent the generic JSON notice (README: Notifications); env:NAME reads the "
	  "environment" },
	{ "user.*", "phone", OPT_STRING, U(phone), 0, 0, NULL, 0,
	  "a phone number, passed to the [notify] command hook" },
	{ "user.*", "command", OPT_BOOL, U(command), 0, 0, NULL, 0,
	  "yes: the [notify] command hook is one of the person's channels" },
	{ "user.*", "channels", OPT_NAMES, U(channels), 0, 0, NULL, 0,
	  "which of the configured channels to use, in order: email, slack, teams, webhook, "
	  "command; empty: every one configured" },
	{ "user.*", "quiet_hours", OPT_STRING, U(quiet_hours), 0, 0, NULL, 0,
	  "HH:MM-HH:MM (e.g. 22:00-07:00) in timezone: SEV3 and SEV4 notices wait until they "
	  "end; SEV1 and SEV2 never wait; empty: none" },
	{ "user.*", "timezone", OPT_STRING, U(timezone), 0, 0, NULL, 0,
	  "the zone of quiet_hours, a tz database name; empty: the daemon's local zone" },
};

const size_t options_count = sizeof options_table / sizeof options_table[0];
