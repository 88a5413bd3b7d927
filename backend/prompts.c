/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ini.h>

#include "backend/audit.h"
#include "backend/authz.h"
#include "backend/config.h"
#include "backend/eval.h"
#include "backend/job.h"
#include "backend/json.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"
#include "backend/prompts.h"
#include "backend/proposal.h"
#include "backend/proto.h"
#include "backend/repo.h"
#include "backend/server.h"
#include "backend/store.h"
#include "backend/trailer.h"
#include "backend/xmalloc.h"

#define ACTOR		"leitstand"
#define ROLE		"daemon"
#define MAX_FILE	(256 * 1024)

const char *const prompts_files[] = { "system.md", "model.ini", "evals.jsonl", NULL };

/* Writes one entry of the daemon's own in its own transaction. */
static void
daemon_audit(struct server *s, const char *action, const char *object, cJSON *details)
{
	char *cause = NULL, *text = details != NULL ? cJSON_PrintUnformatted(details) : NULL;

	if (store_begin(s->db, &cause) != 0 ||
	    audit_append(s->db, ACTOR, ROLE, action, object, text, &cause) < 0 ||
	    store_commit(s->db, &cause) != 0) {
		store_rollback(s->db);
		log_debug("audit of %s failed: %s", action, cause);
		free(cause);
	}
	cJSON_free(text);
	cJSON_Delete(details);
}

static void
publish(struct server *s, const char *action, long long proposal, const char *release)
{
	cJSON *ev = proto_event("prompt");

	cJSON_AddStringToObject(ev, "action", action);
	if (proposal > 0)
		cJSON_AddNumberToObject(ev, "proposal", (double)proposal);
	if (release != NULL)
		cJSON_AddStringToObject(ev, "release", release);
	server_publish(s, TOPIC_PROMPT, ev);
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

static int
valid_utf8(const unsigned char *p, size_t len, size_t *bad)
{
	size_t i = 0, n, k;

	while (i < len) {
		if (p[i] == 0) {
			*bad = i;
			return 0;
		}
		n = p[i] < 0x80 ? 1 : (p[i] & 0xe0) == 0xc0 && p[i] >= 0xc2 ? 2 :
		    (p[i] & 0xf0) == 0xe0 ? 3 : (p[i] & 0xf8) == 0xf0 && p[i] <= 0xf4 ? 4 : 0;
		if (n == 0 || i + n > len) {
			*bad = i;
			return 0;
		}
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80) {
				*bad = i;
				return 0;
			}
		}
		i += n;
	}
	return 1;
}

int
prompts_check_file(const char *name, const char *data, size_t len, char **cause)
{
	struct model_ini m;
	size_t bad;
	cJSON *cases;

	if (len == 0) {
		*cause = xprintf("%s: empty", name);
		return -1;
	}
	if (len > MAX_FILE) {
		*cause = xprintf("%s: %zu bytes, more than %d", name, len, MAX_FILE);
		return -1;
	}
	if (!valid_utf8((const unsigned char *)data, len, &bad)) {
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
	struct server	*srv;
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

	if (release_known(sy->srv->db, tag))
		return;
	/* The tag comes first when releasing: a crash before production moved left it. */
	if (!repo_in_production(sy->srv->repo, commit)) {
		log_debug("%s: never reached production; removed", tag);
		repo_drop_tag(sy->srv->repo, tag);
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
	if (release_add(sy->srv->db, &r, &cause) != 0) {
		log_debug("%s: %s", tag, cause);
		free(cause);
	} else
		sy->added++;
	/* A crash between the release and its rows left the proposal open: it is released. */
	if (r.proposal > 0 && r.approver != NULL && proposal_decide(sy->srv->db, r.proposal,
	    "approved", r.approver, (time_t)when, json_str(t, "Gate-override", NULL), tag,
	    &cause) != 0)
		free(cause);
	free(subject);
	cJSON_Delete(t);
	free(assistant);
}

void
prompts_start(struct server *s)
{
	struct sync sy = { s, 0 };
	struct passwd *pw = getpwuid(geteuid());
	char *cause = NULL, *details;
	cJSON *d;

	free(s->repo_error);
	s->repo_error = NULL;
	proposal_eval_interrupted(s->db);
	/* The seed is committed by the daemon's user. */
	if ((s->repo = repo_open(s->cfg->prompt_repo, s->cfg->prompt_seed, pw != NULL ?
	    pw->pw_name : ACTOR, &cause)) == NULL) {
		s->repo_error = xprintf("prompt repository %s: %s", s->cfg->prompt_repo, cause);
		log_debug("%s", s->repo_error);
		free(cause);
		return;
	}
	if (store_begin(s->db, &cause) != 0) {
		log_debug("prompt releases: %s", cause);
		free(cause);
		return;
	}
	if (repo_tags(s->repo, sync_tag, &sy, &cause) != 0) {
		log_debug("prompt releases: %s", cause);
		free(cause);
		cause = NULL;
	}
	if (sy.added > 0) {
		d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "releases", sy.added);
		details = cJSON_PrintUnformatted(d);
		cJSON_Delete(d);
		if (audit_append(s->db, ACTOR, ROLE, "prompt.import", s->cfg->prompt_repo,
		    details, &cause) < 0) {
			log_debug("prompt releases: %s", cause);
			free(cause);
			cause = NULL;
		}
		cJSON_free(details);
	}
	if (store_commit(s->db, &cause) != 0) {
		store_rollback(s->db);
		log_debug("prompt releases: %s", cause);
		free(cause);
	}
	prompts_push(s);
}

/* ---- evals ---- */

struct eval_job {
	struct eval_job		*next;
	struct server		*srv;
	unsigned long		 conn;
	cJSON			*reply;		/* the requester's, when it waits */
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
	server_publish(j->srv, TOPIC_PROMPT, ev);
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
	cJSON_Delete(j->reply);
	free(j);
}

static void
eval_done(void *arg)
{
	struct eval_job *j = arg, **jp;
	struct server *s = j->srv;
	sqlite3_stmt *st;
	const char *stopped;
	char *cause = NULL, *object;
	time_t now = time(NULL);
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
	stopped = atomic_load(&evals_stop) ? "the daemon stopped while it ran" : NULL;
	if (store_begin(s->db, &cause) != 0 ||
	    proposal_eval_finish(s->db, j->eval, j->result, stopped, now, &cause) != 0 ||
	    (j->baseline > 0 && proposal_eval_finish(s->db, j->baseline, j->base_result,
	    stopped, now, &cause) != 0)) {
		store_rollback(s->db);
		log_debug("eval %lld: %s", j->eval, cause);
	} else {
		st = store_prepare(s->db, "UPDATE proposal SET state = 'evaluated' WHERE id = ? "
		    "AND state = 'draft' AND ? IS NULL");
		sqlite3_bind_int64(st, 1, j->proposal);
		if (stopped != NULL)
			sqlite3_bind_text(st, 2, stopped, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
		if (store_commit(s->db, &cause) != 0) {
			store_rollback(s->db);
			log_debug("eval %lld: %s", j->eval, cause);
		}
	}
	daemon_audit(s, "prompt.eval.done", object, d);
	publish(s, "evaluated", j->proposal, NULL);
	if (j->reply != NULL) {
		if (cause == NULL) {
			cJSON_AddItemToObject(j->reply, "proposal", proposal_get(s->db, j->proposal,
			    1));
			ops_reply_later(s, j->conn, j->reply, NULL, NULL);
		} else
			ops_reply_later(s, j->conn, j->reply, "internal", cause);
		j->reply = NULL;
	}
	free(cause);
	free(object);
	eval_free(j);
}

/* Reads an assistant's files at a revision into an eval target and its cases. */
static int
eval_load(struct eval_job *j, const char *rev, struct eval_target *t, cJSON **cases,
    char **strs, char **cause)
{
	struct server *s = j->srv;
	const struct price_def *price;
	struct model_ini m;
	char *system, *model, *jsonl;
	size_t len;
	int rc = -1;

	system = repo_read(s->repo, rev, j->assistant, "system.md", &len, cause);
	model = system != NULL ? repo_read(s->repo, rev, j->assistant, "model.ini", &len,
	    cause) : NULL;
	jsonl = model != NULL ? repo_read(s->repo, rev, j->assistant, "evals.jsonl", &len,
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
prompts_eval_start(struct server *s, long long proposal, const char *who,
    unsigned long conn, cJSON *reply, const char **code, char **cause)
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
	j->srv = s;
	j->proposal = proposal;
	p = proposal_get(s->db, proposal, 0);
	j->assistant = xstrdup(json_str(p, "assistant", ""));
	cJSON_Delete(p);
	*code = "invalid";
	if (repo_subtree(s->repo, rev, j->assistant, tree, cause) != 0 ||
	    eval_load(j, rev, &j->target, &j->cases, j->strings, cause) != 0)
		goto fail;
	/* Production's baseline, unless its tree was evaluated already. */
	if (repo_subtree(s->repo, "production", j->assistant, ptree, cause) != 0)
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
	j->conn = conn;
	j->reply = reply;
	j->next = evals;
	evals = j;
	j->timer = loop_timer_add(s->loop, 1000, 1, eval_progress, j);
	job_start(s->loop, eval_work, eval_done, j);
	free(rev);
	return 0;
internal:
	*code = "internal";
fail:
	j->reply = NULL;
	eval_free(j);
	free(rev);
	return -1;
}

/* ---- pushes to the remote ---- */

struct push {
	struct server	*srv;
	char		*path, *remote;
	cJSON		*tags;
	int		 rc;
	char		*cause;
};

static int		 push_busy;
static char		*push_error;
static struct loop_timer *push_timer;

const char *
prompts_push_error(void)
{
	return push_error;
}

static void
push_work(void *arg)
{
	struct push *p = arg;
	const char **specs;
	char **own;
	size_t n = 0, i;
	const cJSON *t;

	own = xcalloc((size_t)cJSON_GetArraySize(p->tags) + 1, sizeof *own);
	specs = xcalloc((size_t)cJSON_GetArraySize(p->tags) + 1, sizeof *specs);
	specs[n++] = "refs/heads/production:refs/heads/production";
	cJSON_ArrayForEach(t, p->tags) {
		own[n - 1] = xprintf("refs/tags/%s:refs/tags/%s", t->valuestring, t->valuestring);
		specs[n] = own[n - 1];
		n++;
	}
	p->rc = repo_push(p->path, p->remote, specs, n, &p->cause);
	for (i = 0; i + 1 < n; i++)
		free(own[i]);
	free(own);
	free(specs);
}

static void
push_retry(void *arg)
{
	push_timer = NULL;
	prompts_push(arg);
}

static void
push_done(void *arg)
{
	struct push *p = arg;
	struct server *s = p->srv;
	int changed = (p->rc != 0) != (push_error != NULL);
	cJSON *d = cJSON_CreateObject();

	push_busy = 0;
	cJSON_AddStringToObject(d, "remote", p->remote);
	cJSON_AddItemToObject(d, "tags", cJSON_Duplicate(p->tags, 1));
	free(push_error);
	push_error = NULL;
	if (p->rc == 0) {
		release_pushed(s->db, p->tags);
		daemon_audit(s, "prompt.push", p->remote, d);
	} else {
		push_error = xprintf("prompt push to %s failed, trying again in %llds: %s",
		    p->remote, s->cfg->push_retry, p->cause);
		log_debug("%s", push_error);
		cJSON_AddStringToObject(d, "error", p->cause);
		daemon_audit(s, "prompt.push.failed", p->remote, d);
		if (!loop_stopped(s->loop))
			push_timer = loop_timer_add(s->loop, s->cfg->push_retry * 1000, 0,
			    push_retry, s);
	}
	if (changed)
		server_publish(s, TOPIC_STATUS, proto_event("status"));
	publish(s, "pushed", 0, NULL);
	free(p->path);
	free(p->remote);
	free(p->cause);
	cJSON_Delete(p->tags);
	free(p);
}

void
prompts_push(struct server *s)
{
	struct push *p;

	if (s->repo == NULL || s->cfg->prompt_remote == NULL || *s->cfg->prompt_remote == '\0' ||
	    push_busy || loop_stopped(s->loop))
		return;
	if (push_timer != NULL) {
		loop_timer_remove(push_timer);
		push_timer = NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->srv = s;
	p->path = xstrdup(s->cfg->prompt_repo);
	p->remote = xstrdup(s->cfg->prompt_remote);
	p->tags = release_unpushed(s->db);
	push_busy = 1;
	job_start(s->loop, push_work, push_done, p);
}

void
prompts_stop(struct server *s)
{
	if (push_timer != NULL)
		loop_timer_remove(push_timer);
	push_timer = NULL;
	free(push_error);
	push_error = NULL;
	repo_free(s->repo);
	s->repo = NULL;
	free(s->repo_error);
	s->repo_error = NULL;
}
