/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ini.h>

#include "backend/audit.h"
#include "backend/authz.h"
#include "backend/buf.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/eval.h"
#include "backend/events.h"
#include "backend/format.h"
#include "backend/job.h"
#include "backend/json.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/prompts.h"
#include "backend/proposal.h"
#include "backend/proto.h"
#include "backend/repo.h"
#include "backend/repo-sync.h"
#include "backend/store.h"
#include "backend/trailer.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define ACTOR		"leitstand"
#define ROLE		"daemon"
#define MAX_FILE	(256 * 1024)

const char *const prompts_files[] = { "system.md", "model.ini", "evals.jsonl", NULL };

/* The prompt repository, opened at start, or why there is none. */
static struct repo	*repo;
static char		*repo_error;

struct repo *
prompts_repo(const char **error)
{
	*error = repo_error != NULL ? repo_error : "no prompt repository";
	return repo;
}

/* Writes one entry of the daemon's own in its own transaction. */
static void
daemon_audit(struct daemon *d, const char *action, const char *object, cJSON *details)
{
	struct audit_tx tx = { .actor = ACTOR, .role = ROLE, .action = action,
	    .object = object, .details = details };
	char *cause = NULL;

	if (audit_tx(d->db, &tx, NULL, NULL, &cause) != AUDIT_TX_OK) {
		log_debug("audit of %s failed: %s", action, cause);
		free(cause);
	}
	cJSON_Delete(details);
}

static void
publish(const char *action, long long proposal, const char *release)
{
	cJSON *ev = proto_event("prompt");

	cJSON_AddStringToObject(ev, "action", action);
	if (proposal > 0)
		cJSON_AddNumberToObject(ev, "proposal", (double)proposal);
	if (release != NULL)
		cJSON_AddStringToObject(ev, "release", release);
	events_publish(TOPIC_PROMPT, ev);
}

/* ---- model.ini and the files a proposal may change ---- */

static int
model_key(void *arg, const char *section, const char *key, const char *value)
{
	struct model_ini *m = arg;
	char *end;

	if (strcmp(section, "model") != 0)
		return 0;
	if (strcmp(key, "id") == 0) {
		free(m->id);
		m->id = xstrdup(value);
	} else if (strcmp(key, "temperature") == 0) {
		m->temperature = strtod(value, &end);
		if (end == value || *end != '\0' || !(m->temperature >= 0 &&
		    m->temperature <= 2))
			return 0;
	} else if (strcmp(key, "max_tokens") == 0) {
		m->max_tokens = strtol(value, &end, 10);
		if (end == value || *end != '\0' || m->max_tokens < 1 || m->max_tokens > 1000000)
			return 0;
	} else if (strcmp(key, "endpoint") == 0) {
		free(m->endpoint);
		m->endpoint = xstrdup(value);
	} else
		return 0;
	return 1;
}

int
model_ini_parse(const char *text, struct model_ini *m, char **cause)
{
	int line;

	memset(m, 0, sizeof *m);
	m->temperature = -1;
	if ((line = ini_parse_string(text, model_key, m)) != 0) {
		*cause = line > 0 ? xprintf("model.ini:%d: expected [model] with id, temperature "
		    "(0 to 2), max_tokens (1 to 1000000) or endpoint", line) :
		    xstrdup("model.ini: cannot be read");
		model_ini_free(m);
		return -1;
	}
	if (m->id == NULL || *m->id == '\0') {
		*cause = xstrdup("model.ini: [model] id is missing: pin a model snapshot");
		model_ini_free(m);
		return -1;
	}
	return 0;
}

void
model_ini_free(struct model_ini *m)
{
	free(m->id);
	free(m->endpoint);
	m->id = m->endpoint = NULL;
}

int
prompts_check_file(const char *name, const char *data, size_t len, char **cause)
{
	struct model_ini m;
	const char *nul;
	size_t bad = 0;
	cJSON *cases;
	int valid;

	if (len == 0) {
		*cause = xprintf("%s: empty", name);
		return -1;
	}
	if (len > MAX_FILE) {
		*cause = xprintf("%s: %zu bytes, more than %d", name, len, MAX_FILE);
		return -1;
	}
	/* Strict UTF-8 without NUL: no overlong form, surrogate or value above U+10FFFF. */
	valid = utf8_valid(data, len, &bad);
	if ((nul = memchr(data, '\0', len)) != NULL && (valid || (size_t)(nul - data) < bad)) {
		valid = 0;
		bad = (size_t)(nul - data);
	}
	if (!valid) {
		*cause = xprintf("%s: byte %zu: not UTF-8 text", name, bad);
		return -1;
	}
	if (strcmp(name, "model.ini") == 0) {
		if (model_ini_parse(data, &m, cause) != 0)
			return -1;
		model_ini_free(&m);
	} else if (strcmp(name, "evals.jsonl") == 0) {
		if ((cases = eval_parse(data, len, cause)) == NULL)
			return -1;
		cJSON_Delete(cases);
	}
	return 0;
}

/* ---- start: the repository and the releases it holds ---- */

struct sync {
	struct daemon	*d;
	int		 added;
};

/* Records a release tag the store does not know, from its name and trailers. */
static void
sync_tag(void *arg, const char *tag, const char *commit, long long when, const char *tagger,
    const char *message)
{
	struct sync *sy = arg;
	struct release_row r;
	char *assistant, *slash, *cause = NULL, *subject;
	const char *eval;
	cJSON *t;
	long long n;

	if (release_known(sy->d->db, tag))
		return;
	/* The tag comes first when releasing: a crash before production moved left it. */
	if (!repo_in_production(repo, commit)) {
		log_debug("%s: never reached production; removed", tag);
		repo_drop_tag(repo, tag);
		return;
	}
	assistant = xstrdup(tag + strlen("release/"));
	if ((slash = strrchr(assistant, '/')) == NULL || (n = atoll(slash + 1)) <= 0) {
		free(assistant);
		return;
	}
	*slash = '\0';
	t = trailer_parse(message);
	subject = xstrndup(message, strcspn(message, "\n"));
	memset(&r, 0, sizeof r);
	r.assistant = assistant;
	r.n = n;
	r.tag = tag;
	r.commit = commit;
	r.created_at = when;
	r.author = json_str(t, "Author", tagger);
	r.approver = cJSON_GetStringValue(cJSON_GetObjectItem(t, "Approved-by"));
	r.proposal = atoll(json_str(t, "Proposal", "0"));
	r.description = subject;
	/* "Eval: 95% (19 of 20 cases)" */
	eval = json_str(t, "Eval", "");
	r.pass_rate = *eval >= '0' && *eval <= '9' ? atof(eval) / 100 : -1;
	r.rollback_of = cJSON_GetStringValue(cJSON_GetObjectItem(t, "Rollback-of"));
	if (release_add(sy->d->db, &r, &cause) != 0) {
		log_debug("%s: %s", tag, cause);
		free(cause);
	} else
		sy->added++;
	/* A crash between the release and its rows left the proposal open: it is released. */
	if (r.proposal > 0 && r.approver != NULL && proposal_decide(sy->d->db, r.proposal,
	    "approved", r.approver, (time_t)when, json_str(t, "Gate-override", NULL), tag,
	    &cause) != 0)
		free(cause);
	free(subject);
	cJSON_Delete(t);
	free(assistant);
}

/* Records the releases the repository holds that the store does not know, audited when
   there were any. */
static int
sync_work(sqlite3 *db, void *arg, struct audit_tx *tx, char **cause)
{
	struct sync *sy = arg;
	cJSON *d;

	(void)db;
	if (repo_tags(repo, sync_tag, sy, cause) != 0) {
		log_debug("prompt releases: %s", *cause);
		free(*cause);
		*cause = NULL;
	}
	if (sy->added > 0) {
		d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "releases", sy->added);
		tx->action = "prompt.import";
		tx->details = d;
	}
	return 0;
}

void
prompts_start(struct daemon *s)
{
	struct sync sy = { s, 0 };
	struct audit_tx tx = { .actor = ACTOR, .role = ROLE, .object = s->cfg->prompt_repo };
	struct passwd *pw = getpwuid(geteuid());
	char *cause = NULL;
	int rc;

	free(repo_error);
	repo_error = NULL;
	if (proposal_eval_interrupted(s->db, &cause) != 0) {
		log_debug("prompts: %s", cause);
		free(cause);
		cause = NULL;
	}
	/* The seed is committed by the daemon's user. */
	if ((repo = repo_open(s->cfg->prompt_repo, s->cfg->prompt_seed, pw != NULL ?
	    pw->pw_name : ACTOR, s->cfg->prompt_signing_key, &cause)) == NULL) {
		repo_error = xprintf("prompt repository %s: %s", s->cfg->prompt_repo, cause);
		log_debug("%s", repo_error);
		free(cause);
		return;
	}
	if ((rc = audit_tx(s->db, &tx, sync_work, &sy, &cause)) != AUDIT_TX_OK) {
		log_debug("prompt releases: %s", cause);
		free(cause);
	}
	cJSON_Delete(tx.details);
	if (rc != AUDIT_TX_BEGIN)
		prompts_push(s);
}

void
prompts_signing(struct daemon *s)
{
	if (repo != NULL)
		repo_set_signing_key(repo, s->cfg->prompt_signing_key);
}

cJSON *
prompts_signing_state(void)
{
	cJSON *o = cJSON_CreateObject();
	const char *key = repo != NULL ? repo_signing_key(repo) : NULL;

	cJSON_AddBoolToObject(o, "signed", key != NULL);
	if (key != NULL) {
		cJSON_AddStringToObject(o, "format", "ssh");
		cJSON_AddStringToObject(o, "key", key);
	}
	return o;
}

/* ---- evals ---- */

struct eval_job {
	struct eval_job		*next;
	struct daemon		*d;
	prompts_eval_cb		 answer;	/* the requester's, when it waits */
	void			*answer_arg;
	long long		 proposal;
	long long		 eval, baseline;	/* ids; baseline 0: none */
	char			*assistant;
	struct eval_target	 target, base_target;
	char			*strings[8];
	cJSON			*cases, *base_cases;
	atomic_int		 done;
	int			 total;
	cJSON			*result, *base_result;
	struct loop_timer	*timer;
};

static struct eval_job *evals;
static atomic_int	 evals_stop;

void
prompts_cancel(void)
{
	atomic_store(&evals_stop, 1);
	repo_sync_cancel();
}

int
prompts_eval_running(long long proposal, int *done, int *total)
{
	struct eval_job *j;

	for (j = evals; j != NULL; j = j->next) {
		if (j->proposal == proposal) {
			*done = atomic_load(&j->done);
			*total = j->total;
			return 1;
		}
	}
	return 0;
}

static void
eval_work(void *arg)
{
	struct eval_job *j = arg;

	j->result = eval_run(&j->target, j->cases, &j->done);
	if (j->base_cases != NULL)
		j->base_result = eval_run(&j->base_target, j->base_cases, &j->done);
}

static void
eval_progress(void *arg)
{
	struct eval_job *j = arg;
	cJSON *ev = proto_event("prompt");

	cJSON_AddStringToObject(ev, "action", "progress");
	cJSON_AddNumberToObject(ev, "proposal", (double)j->proposal);
	cJSON_AddNumberToObject(ev, "done", atomic_load(&j->done));
	cJSON_AddNumberToObject(ev, "total", j->total);
	events_publish(TOPIC_PROMPT, ev);
}

static void
eval_free(struct eval_job *j)
{
	size_t i;

	for (i = 0; i < sizeof j->strings / sizeof j->strings[0]; i++)
		free(j->strings[i]);
	free(j->assistant);
	cJSON_Delete(j->cases);
	cJSON_Delete(j->base_cases);
	cJSON_Delete(j->result);
	cJSON_Delete(j->base_result);
	free(j);
}

/* The results of the eval and of its baseline, and the proposal marked evaluated. */
static int
eval_finish(sqlite3 *db, void *arg, struct audit_tx *tx, char **cause)
{
	struct eval_job *j = arg;
	const char *stopped = atomic_load(&evals_stop) ? "the daemon stopped while it ran" :
	    NULL;
	time_t now = time(NULL);

	(void)tx;
	if (proposal_eval_finish(db, j->eval, j->result, stopped, now, cause) != 0 ||
	    (j->baseline > 0 && proposal_eval_finish(db, j->baseline, j->base_result,
	    stopped, now, cause) != 0) ||
	    (stopped == NULL && proposal_evaluated(db, j->proposal, cause) != 0))
		return -1;
	return 0;
}

static void
eval_done(void *arg)
{
	struct eval_job *j = arg, **jp;
	struct daemon *s = j->d;
	struct audit_tx tx = { .actor = ACTOR, .role = ROLE, .action = "prompt.eval.done" };
	char *cause = NULL, *object;
	cJSON *d;

	for (jp = &evals; *jp != NULL && *jp != j; jp = &(*jp)->next)
		;
	if (*jp != NULL)
		*jp = j->next;
	loop_timer_remove(j->timer);
	object = xprintf("proposal %lld", j->proposal);
	d = cJSON_CreateObject();
	cJSON_AddNumberToObject(d, "eval", (double)j->eval);
	cJSON_AddNumberToObject(d, "pass_rate", json_num_or(j->result, "pass_rate", 0));
	cJSON_AddNumberToObject(d, "cases", json_num_or(j->result, "total", 0));
	cJSON_AddNumberToObject(d, "passed", json_num_or(j->result, "passed", 0));
	tx.object = object;
	tx.details = d;
	/* The results and their audit entry in one transaction: both or neither. */
	if (audit_tx(s->db, &tx, eval_finish, j, &cause) != AUDIT_TX_OK)
		log_debug("eval %lld: %s", j->eval, cause);
	cJSON_Delete(d);
	publish("evaluated", j->proposal, NULL);
	if (j->answer != NULL)
		j->answer(j->answer_arg, cause == NULL ? proposal_get(s->db, j->proposal, 1) : NULL,
		    cause);
	free(cause);
	free(object);
	eval_free(j);
}

/* Reads an assistant's files at a revision into an eval target and its cases. */
static int
eval_load(struct eval_job *j, const char *rev, struct eval_target *t, cJSON **cases,
    char **strs, char **cause)
{
	struct daemon *s = j->d;
	const struct price_def *price;
	struct model_ini m;
	char *system, *model, *jsonl;
	size_t len;
	int rc = -1;

	system = repo_read(repo, rev, j->assistant, "system.md", &len, cause);
	model = system != NULL ? repo_read(repo, rev, j->assistant, "model.ini", &len,
	    cause) : NULL;
	jsonl = model != NULL ? repo_read(repo, rev, j->assistant, "evals.jsonl", &len,
	    cause) : NULL;
	if (jsonl == NULL || model_ini_parse(model, &m, cause) != 0)
		goto out;
	if ((*cases = eval_parse(jsonl, len, cause)) == NULL) {
		model_ini_free(&m);
		goto out;
	}
	memset(t, 0, sizeof *t);
	t->url = strs[0] = s->cfg->staging_url != NULL && *s->cfg->staging_url != '\0' ?
	    xstrdup(s->cfg->staging_url) : xprintf("%s/v1/chat/completions",
	    s->cfg->sim_url != NULL ? s->cfg->sim_url : "");
	t->token = strs[1] = s->cfg->staging_token != NULL && *s->cfg->staging_token != '\0' ?
	    xstrdup(s->cfg->staging_token) : NULL;
	t->model = strs[2] = m.id;
	m.id = NULL;
	t->system = strs[3] = system;
	system = NULL;
	t->temperature = m.temperature;
	t->max_tokens = m.max_tokens;
	t->concurrency = (int)s->cfg->eval_concurrency;
	t->timeout_ms = s->cfg->eval_timeout * 1000;
	t->max_tries = (int)s->cfg->eval_tries;
	t->redactor = s->redactor;
	t->stop = &evals_stop;
	price = config_price(s->cfg, t->model);
	t->price_in = price != NULL ? price->input : -1;
	t->price_out = price != NULL ? price->output : -1;
	model_ini_free(&m);
	rc = 0;
out:
	free(system);
	free(model);
	free(jsonl);
	return rc;
}

int
prompts_eval_start(struct daemon *s, long long proposal, const char *who,
    prompts_eval_cb answer, void *arg, const char **code, char **cause)
{
	struct eval_job *j;
	char *rev = xprintf("proposals/%lld", proposal), tree[REPO_ID_LEN + 1],
	    ptree[REPO_ID_LEN + 1];
	cJSON *p, *base;
	int done, total;

	*code = "conflict";
	if (prompts_eval_running(proposal, &done, &total)) {
		*cause = xprintf("proposal %lld is being evaluated: %d of %d runs done", proposal,
		    done, total);
		free(rev);
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->d = s;
	j->proposal = proposal;
	p = proposal_get(s->db, proposal, 0);
	j->assistant = xstrdup(json_str(p, "assistant", ""));
	cJSON_Delete(p);
	*code = "invalid";
	if (repo_subtree(repo, rev, j->assistant, tree, cause) != 0 ||
	    eval_load(j, rev, &j->target, &j->cases, j->strings, cause) != 0)
		goto fail;
	/* Production's baseline, unless its tree was evaluated already. */
	if (repo_subtree(repo, "production", j->assistant, ptree, cause) != 0)
		goto fail;
	if (strcmp(ptree, tree) != 0 && (base = proposal_eval_of_tree(s->db, ptree)) == NULL) {
		if (eval_load(j, "production", &j->base_target, &j->base_cases, j->strings + 4,
		    cause) != 0)
			goto fail;
		if ((j->baseline = proposal_eval_begin(s->db, 0, j->assistant, ptree, who,
		    time(NULL), cause)) < 0)
			goto internal;
	} else if (strcmp(ptree, tree) != 0)
		cJSON_Delete(base);
	if ((j->eval = proposal_eval_begin(s->db, proposal, j->assistant, tree, who,
	    time(NULL), cause)) < 0)
		goto internal;
	j->total = eval_total_runs(j->cases) + (j->base_cases != NULL ?
	    eval_total_runs(j->base_cases) : 0);
	/* eval_done runs later, from the loop: the job may start before the list has it. The
	   op's transaction takes the eval rows back when the pool is full. */
	if (job_start(JOB_EVAL, eval_work, eval_done, j, cause) != 0) {
		*code = "busy";
		goto fail;
	}
	j->answer = answer;
	j->answer_arg = arg;
	j->next = evals;
	evals = j;
	j->timer = loop_timer_add(s->loop, 1000, 1, eval_progress, j);
	free(rev);
	return 0;
internal:
	*code = "internal";
fail:
	eval_free(j);
	free(rev);
	return -1;
}

/* ---- pushes to the remote ---- */

/*
 * One push at a time, and none lost: a request while one runs is remembered and run as
 * soon as it ends (a rollback right after a release once waited for the next release).
 * Each push compares the remote's refs with ours and sends what it lacks, so a remote
 * configured later, or one that lost refs, is made whole too; the pushed flags of the
 * releases follow what the remote was last seen to hold.
 */
#define PUSH_GRACE	10	/* seconds a push may take before status warns of it */

struct push {
	struct daemon		*d;
	char			*path, *remote;
	char			**tags;		/* the releases recorded when it began */
	size_t			 ntags;
	long long		 timeout;	/* seconds it may take */
	struct repo_sync	 result;
	int			 rc;
	char			*cause;
};

static struct {
	int			 busy;		/* a push job runs */
	int			 again;		/* asked for while it ran */
	char			*remote;	/* the remote the state below is about */
	time_t			 since;		/* since when the remote lacks something; 0: whole */
	int			 production;	/* the remote's production was ours, last seen */
	char			*error;		/* the last failure; NULL after a whole push */
	int			 warned;	/* status showed a warning, last published */
	struct loop_timer	*retry, *grace;
} push;

static int
push_configured(struct daemon *s)
{
	return s->cfg->prompt_remote != NULL && *s->cfg->prompt_remote != '\0';
}

/* Whether status should warn: a push failed, or one is taking long. */
static int
push_warns(void)
{
	return push.since != 0 && (push.error != NULL || time(NULL) - push.since >= PUSH_GRACE);
}

/* Tells consoles to read status again when its push warning comes or goes. */
static void
push_status_changed(void)
{
	if (push_warns() == push.warned)
		return;
	push.warned = push_warns();
	events_publish(TOPIC_STATUS, proto_event("status"));
}

static void
push_grace(void *arg)
{
	struct daemon *s = arg;
	long long left = push.since + PUSH_GRACE - time(NULL);

	push.grace = NULL;
	/* Since moved on meanwhile (a push ended, the next began): wait for the new one. */
	if (push.since != 0 && left >= 0)
		push.grace = loop_timer_add(s->loop, (left + 1) * 1000L, 0, push_grace, s);
	push_status_changed();
}

cJSON *
prompts_push_state(struct daemon *s)
{
	cJSON *o;
	time_t now = time(NULL);
	char *shown;

	if (!push_configured(s))
		return NULL;
	o = cJSON_CreateObject();
	shown = repo_sync_shown(s->cfg->prompt_remote);
	cJSON_AddStringToObject(o, "remote", shown);
	free(shown);
	cJSON_AddNumberToObject(o, "pending", (double)release_unpushed_count(s->db));
	cJSON_AddBoolToObject(o, "production", push.since == 0 || push.production);
	cJSON_AddBoolToObject(o, "running", push.busy);
	if (push.since != 0) {
		cJSON_AddNumberToObject(o, "since", (double)push.since);
		cJSON_AddNumberToObject(o, "age", (double)(now - push.since));
	}
	if (push.error != NULL)
		cJSON_AddStringToObject(o, "error", push.error);
	return o;
}

char *
prompts_push_warning(struct daemon *s)
{
	struct buf b;
	long long pending;
	char age[32], every[32], *shown;

	if (!push_configured(s) || !push_warns())
		return NULL;
	pending = release_unpushed_count(s->db);
	buf_init(&b);
	shown = repo_sync_shown(s->cfg->prompt_remote);
	buf_printf(&b, "prompt push to %s %s:", shown, push.error != NULL ? "failed" : "pending");
	free(shown);
	if (pending > 0)
		buf_printf(&b, " %lld release%s", pending, pending == 1 ? "" : "s");
	if (!push.production)
		buf_printf(&b, "%s production", pending > 0 ? " and" : "");
	format_age(age, sizeof age, (long)(time(NULL) - push.since));
	buf_printf(&b, " not %s for %s", pending > 0 || !push.production ? "pushed" :
	    "confirmed", age);
	if (push.error != NULL) {
		format_age(every, sizeof every, (long)s->cfg->push_retry);
		buf_printf(&b, "; last error: %s (trying again every %s)", push.error, every);
	}
	else if (push.busy)
		buf_addstr(&b, " (pushing now)");
	return buf_take(&b);
}

static void
push_work(void *arg)
{
	struct push *p = arg;

	p->rc = repo_sync_run(p->path, p->remote, (const char *const *)p->tags, p->ntags,
	    p->timeout, &p->result, &p->cause);
}

static void
push_retry(void *arg)
{
	push.retry = NULL;
	prompts_push(arg);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The releases' pushed flags as the remote was seen: set for what it holds, cleared for
   what it lacks (releases made since are unpushed already). */
static void
push_record(struct daemon *s, const struct repo_sync *r)
{
	cJSON *unpushed, *now = cJSON_CreateArray(), *lost = cJSON_CreateArray();
	const cJSON *t;
	const char *name;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < r->nmissing; i++)
		cJSON_AddItemToArray(lost, cJSON_CreateString(r->missing[i]));
	unpushed = release_unpushed(s->db);
	cJSON_ArrayForEach(t, unpushed) {
		name = t->valuestring;
		if (r->npresent > 0 && bsearch(&name, r->present, r->npresent,
		    sizeof *r->present, by_name) != NULL)
			cJSON_AddItemToArray(now, cJSON_CreateString(name));
	}
	if (store_begin(s->db, &cause) == 0 && (release_pushed(s->db, now, &cause) != 0 ||
	    release_unpushed_again(s->db, lost, &cause) != 0 || store_commit(s->db, &cause) != 0))
		store_rollback(s->db);
	if (cause != NULL) {
		log_debug("prompt push: %s", cause);
		free(cause);
	}
	cJSON_Delete(unpushed);
	cJSON_Delete(now);
	cJSON_Delete(lost);
}

static void
push_free(struct push *p)
{
	size_t i;

	for (i = 0; i < p->ntags; i++)
		free(p->tags[i]);
	free(p->tags);
	repo_sync_clear(&p->result);
	free(p->path);
	free(p->remote);
	free(p->cause);
	free(p);
}

static void
push_done(void *arg)
{
	struct push *p = arg;
	struct daemon *s = p->d;
	cJSON *d, *refs;
	size_t i;
	char *shown;

	push.busy = 0;
	/* The remote changed while this ran: what it found is about another one. */
	if (push.remote == NULL || strcmp(push.remote, p->remote) != 0) {
		push_free(p);
		push.again = 0;
		prompts_push(s);
		return;
	}
	/* Unreached, the remote holds what it was last seen to hold. */
	if (p->result.reached) {
		push_record(s, &p->result);
		push.production = p->result.production;
	}
	shown = repo_sync_shown(p->remote);
	if (p->result.npushed > 0 || p->rc != 0) {
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "remote", shown);
		refs = cJSON_AddArrayToObject(d, "refs");
		for (i = 0; i < p->result.npushed; i++)
			cJSON_AddItemToArray(refs, cJSON_CreateString(p->result.pushed[i]));
		if (p->rc != 0)
			cJSON_AddStringToObject(d, "error", p->cause);
		daemon_audit(s, p->rc == 0 ? "prompt.push" : "prompt.push.failed", shown, d);
	}
	free(push.error);
	push.error = NULL;
	if (p->rc == 0)
		push.since = 0;
	else {
		push.error = xstrdup(p->cause);
		log_debug("prompt push to %s failed: %s", shown, p->cause);
		if (!push.again && !loop_stopped(s->loop))
			push.retry = loop_timer_add(s->loop, s->cfg->push_retry * 1000, 0,
			    push_retry, s);
	}
	free(shown);
	push_free(p);
	if (push.again) {
		push.again = 0;
		prompts_push(s);
	}
	push_status_changed();
	publish("pushed", 0, NULL);
}

/* Forgets the state of a remote no longer configured. */
static void
push_forget(int tell)
{
	if (push.retry != NULL)
		loop_timer_remove(push.retry);
	if (push.grace != NULL)
		loop_timer_remove(push.grace);
	push.retry = push.grace = NULL;
	free(push.remote);
	free(push.error);
	push.remote = push.error = NULL;
	push.since = 0;
	push.production = 0;
	if (tell)
		push_status_changed();
}

void
prompts_push(struct daemon *s)
{
	struct push *p;
	char *cause = NULL;

	if (repo == NULL || loop_stopped(s->loop))
		return;
	if (!push_configured(s)) {
		push_forget(1);
		return;
	}
	if (push.remote == NULL || strcmp(push.remote, s->cfg->prompt_remote) != 0) {
		/* Another remote: nothing is known to be on it until it is listed. */
		push_forget(1);
		push.remote = xstrdup(s->cfg->prompt_remote);
		if (release_unpushed_again(s->db, NULL, &cause) != 0) {
			log_debug("push: %s", cause);
			free(cause);
			cause = NULL;
		}
	}
	/* Production moves with every release: the remote's is behind until seen. */
	push.production = 0;
	if (push.since == 0) {
		push.since = time(NULL);
		if (push.grace == NULL)
			push.grace = loop_timer_add(s->loop, (PUSH_GRACE + 1) * 1000L, 0,
			    push_grace, s);
	}
	if (push.busy) {
		push.again = 1;
		return;
	}
	if (push.retry != NULL) {
		loop_timer_remove(push.retry);
		push.retry = NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->d = s;
	p->path = xstrdup(s->cfg->prompt_repo);
	p->remote = xstrdup(push.remote);
	p->tags = release_tags(s->db, &p->ntags);
	p->timeout = s->cfg->push_timeout;
	if (job_start(JOB_PUSH, push_work, push_done, p, &cause) != 0) {
		/* One push at a time has its own worker: only a stopping daemon says no. */
		char *shown = repo_sync_shown(p->remote);

		log_debug("prompt push to %s: %s", shown, cause);
		free(shown);
		free(cause);
		push_free(p);
		return;
	}
	push.busy = 1;
}

void
prompts_stop(void)
{
	push_forget(0);
	push.busy = push.again = push.warned = 0;
	repo_free(repo);
	repo = NULL;
	free(repo_error);
	repo_error = NULL;
}
