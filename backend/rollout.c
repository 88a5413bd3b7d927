/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/audit.h"
#include "backend/automation.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/events.h"
#include "backend/incident.h"
#include "backend/json.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/metrics.h"
#include "backend/ops.h"
#include "backend/poller.h"
#include "backend/prom.h"
#include "backend/prompts.h"
#include "backend/proposal.h"
#include "backend/proto.h"
#include "backend/repo.h"
#include "backend/rollout.h"
#include "backend/store.h"
#include "backend/trailer.h"
#include "backend/xmalloc.h"

#define ACTOR		"leitstand"
#define ROLE		"daemon"
#define MAX_LIVE	16	/* analyses started per tick */

/* The figures of one analysis, each one query for both sides (sum by the release label);
   the token vector is one query per side, priced by the poller. */
enum figure {
	F_REQUESTS, F_ERRORS, F_LIMITED, F_P95, F_RATINGS, F_POSITIVE, F_TOKENS_C, F_TOKENS_P,
	F_COUNT
};

static const char *const figure_queries[F_TOKENS_C] = {
	"sum by (%1$s) (increase(${ops_count}{%2$s}[%3$s]))",
	"sum by (%1$s) (increase(${ops_count}{%2$s, ${error_type}!=\"\"}[%3$s]))",
	"sum by (%1$s) (increase(${ops_count}{%2$s, ${error_type}=~\"${rate_limited}\"}[%3$s]))",
	"histogram_quantile(0.95, sum by (le, %1$s) (increase(${ops_bucket}{%2$s}[%3$s])))",
	"sum by (%1$s) (increase(assistant_feedback_total{%2$s}[%3$s]))",
	"sum by (%1$s) (increase(assistant_feedback_total{%2$s, rating=\"positive\"}[%3$s]))",
};

static struct {
	struct daemon		*d;
	struct loop_timer	*timer;
	long long		*busy;		/* rollouts whose analysis is in flight */
	size_t			 nbusy;
	unsigned long		 queries;	/* sent so far, for the benchmark */
	int			 stopping;	/* queries cancelled now decide nothing */
} ro;

/* One analysis in flight. */
struct analysis {
	long long		 id;
	long long		 step;		/* the step it judges; moot if it moved */
	char			*canary, *production;	/* label values */
	long			 window;
	int			 compare;	/* the end of an A/B window */
	int			 pending;
	int			 queries;	/* sent */
	long long		 started;	/* loop_now_ms when the first was sent */
	char			*error;		/* the first query that failed */
	struct rollout_side	 side[2];	/* canary, production */
	double			 money[2];
};

struct query_ctx {
	struct analysis		*an;
	enum figure		 fig;
};

/* ---- rows ---- */

static cJSON *
row_query(sqlite3 *db, const char *where, const char *text, long long num)
{
	sqlite3_stmt *st;
	cJSON *row = NULL;
	char *sql = xprintf("SELECT * FROM rollout WHERE %s ORDER BY id DESC LIMIT 1", where);

	st = store_prepare(db, sql);
	free(sql);
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, num);
	if (sqlite3_step(st) == SQLITE_ROW)
		row = store_row_json(st);
	sqlite3_finalize(st);
	return row;
}

static cJSON *
live_of(sqlite3 *db, const char *assistant)
{
	return row_query(db, "assistant = ? AND state IN ('running', 'paused')", assistant, 0);
}

static cJSON *
row_get(sqlite3 *db, long long id)
{
	return row_query(db, "id = ?", NULL, id);
}

static int
row_policy(const cJSON *row, struct rollout_policy *p, char **cause)
{
	cJSON *j = cJSON_Parse(json_str(row, "policy", ""));
	int rc = rollout_policy_from_json(j, p, cause);

	cJSON_Delete(j);
	return rc;
}

/* Updates a rollout: sets is "col = ?, ..." bound in order to text (NULL: NULL) or num. */
static int
row_set(sqlite3 *db, long long id, const char *sets, const char *const *texts,
    const long long *nums, size_t n, char **cause)
{
	sqlite3_stmt *st;
	char *sql = xprintf("UPDATE rollout SET %s WHERE id = ?", sets);
	size_t i;

	st = store_prepare(db, sql);
	free(sql);
	for (i = 0; i < n; i++) {
		if (texts != NULL && texts[i] != NULL)
			sqlite3_bind_text(st, (int)i + 1, texts[i], -1, SQLITE_TRANSIENT);
		else if (texts != NULL && nums == NULL)
			sqlite3_bind_null(st, (int)i + 1);
		else
			sqlite3_bind_int64(st, (int)i + 1, nums[i]);
	}
	sqlite3_bind_int64(st, (int)n + 1, id);
	return store_write(st, "rollout", cause);
}

/* The release label value production's traffic carries: its latest release's number. */
static char *
production_label(sqlite3 *db, const char *assistant)
{
	cJSON *rel = release_get(db, assistant, NULL);
	char *s = xprintf("%lld", rel != NULL ? (long long)json_num_or(rel, "n", 0) : 0LL);

	cJSON_Delete(rel);
	return s;
}

/* ---- the canary branch ---- */

/* The branch of an assistant's canary (a new string). */
static char *
branch_of(const char *assistant)
{
	return xprintf("canary/%s", assistant);
}

/* Writes the canary: production with the proposal's files and rollout.ini at weight. */
static int
canary_write(const char *assistant, long long proposal, int weight, const char *label,
    const char *who, char **cause)
{
	static const char *const names[] = { "system.md", "model.ini", "evals.jsonl" };
	struct repo_file files[4];
	struct repo *repo;
	const char *why;
	char *rev, *data[3] = { NULL, NULL, NULL }, *ini, *msg, *branch, head[REPO_ID_LEN + 1];
	size_t i, n = 0, len;
	int rc = REPO_ERROR;

	if ((repo = prompts_repo(&why)) == NULL) {
		*cause = xstrdup(why);
		return REPO_ERROR;
	}
	rev = xprintf("proposals/%lld", proposal);
	for (i = 0; i < 3; i++) {
		if ((data[i] = repo_read(repo, rev, assistant, names[i], &len, cause)) == NULL)
			goto out;
		files[n++] = (struct repo_file){ names[i], data[i], len };
	}
	ini = xprintf("# A canary of proposal %lld: serve weight percent of %s's conversations "
	    "from\n# this commit and label their metrics with release (Leitstand's README, "
	    "\"Canary contract\").\n[rollout]\nassistant = %s\nproposal = %lld\nweight = %d\n"
	    "release = %s\n", proposal, assistant, assistant, proposal, weight, label);
	files[n++] = (struct repo_file){ "rollout.ini", ini, strlen(ini) };
	msg = xprintf("Canary of proposal %lld for %s at %d %%\n\nProposal: %lld\nWeight: %d\n",
	    proposal, assistant, weight, proposal, weight);
	branch = branch_of(assistant);
	rc = repo_canary(repo, branch, assistant, files, n, msg, who, head, cause);
	free(branch);
	free(msg);
	free(ini);
out:
	for (i = 0; i < 3; i++)
		free(data[i]);
	free(rev);
	return rc;
}

static void
canary_drop(const char *assistant)
{
	struct repo *repo;
	const char *why;
	char *branch = branch_of(assistant);

	if ((repo = prompts_repo(&why)) != NULL)
		repo_drop_branch(repo, branch);
	free(branch);
}

/* ---- ops' helpers ---- */

int
rollout_policy_args(struct op_ctx *ctx, const char *assistant, struct rollout_policy *p,
    const char **code, char **cause)
{
	const char *steps = op_str(ctx, "steps"), *interval = op_str(ctx, "interval");
	long long secs;

	*p = *config_rollout(ctx->d->cfg, assistant);
	*code = "invalid_argument";
	if (steps != NULL && rollout_steps_parse(steps, p, cause) != 0)
		return -1;
	if (interval != NULL) {
		if ((secs = config_duration(interval)) < 10 || secs > 86400) {
			*cause = xprintf("interval \"%.16s\": a duration of 10s to 1d", interval);
			return -1;
		}
		p->interval = (long)secs;
	}
	p->threshold = (int)op_int(ctx, "threshold", p->threshold);
	return 0;
}

int
rollout_refuses(struct daemon *d, const char *assistant, char **cause)
{
	cJSON *row = live_of(d->db, assistant);

	if (row == NULL)
		return 0;
	*cause = xprintf("a canary of %s (proposal %lld) is live: promote or abort it first "
	    "(leitstand prompt rollout promote|abort)", assistant,
	    (long long)json_num_or(row, "proposal_id", 0));
	cJSON_Delete(row);
	return REPO_CONFLICT;
}

int
rollout_of_proposal(struct daemon *d, long long proposal)
{
	cJSON *row = row_query(d->db, "proposal_id = ? AND state IN ('running', 'paused')",
	    NULL, proposal);
	int live = row != NULL;

	cJSON_Delete(row);
	return live;
}

int
rollout_begin(struct daemon *d, const cJSON *p, const char *approver, const char *override,
    const struct rollout_policy *policy, long long *id, const char **code, char **cause)
{
	const char *a = json_str(p, "assistant", "");
	long long proposal = (long long)json_num_or(p, "id", 0), now = (long long)time(NULL);
	sqlite3_stmt *st;
	cJSON *pj;
	char *label, *ptext;
	int rc;

	*code = "conflict";
	if (rollout_refuses(d, a, cause) != 0)
		return -1;
	label = xprintf("canary-%lld", proposal);
	if ((rc = canary_write(a, proposal, policy->steps[0], label, approver, cause)) != 0) {
		*code = rc == REPO_CONFLICT ? "conflict" : "internal";
		free(label);
		return -1;
	}
	pj = rollout_policy_json(policy);
	ptext = cJSON_PrintUnformatted(pj);
	cJSON_Delete(pj);
	st = store_prepare(d->db, "INSERT INTO rollout (assistant, proposal_id, state, policy, "
	    "label, approver, started_at, step_at, next_at, override) VALUES (?, ?, 'running', "
	    "?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, proposal);
	sqlite3_bind_text(st, 3, ptext, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, approver, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, now + policy->interval);
	if (override != NULL)
		sqlite3_bind_text(st, 9, override, -1, SQLITE_STATIC);
	rc = store_write(st, "rollout", cause);
	free(ptext);
	free(label);
	if (rc != 0) {
		canary_drop(a);
		*code = "internal";
		return -1;
	}
	*id = sqlite3_last_insert_rowid(d->db);
	return 0;
}

/* ---- ends: promotion, rollback, abort ---- */

/* The analysis as trailers' text: "error_rate 0.6 % vs 0.7 % pass; ...". */
static char *
analysis_text(const cJSON *analysis)
{
	const cJSON *c;
	size_t len = 0, cap = 1024;
	char *s = xcalloc(1, cap);

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(analysis, "checks")) {
		len += (size_t)snprintf(s + len, len < cap ? cap - len : 0, "%s%s %s (%s)",
		    len > 0 ? "; " : "", json_str(c, "name", ""), json_str(c, "verdict", ""),
		    json_str(c, "why", ""));
		if (len >= cap)
			break;
	}
	if (len >= cap)
		s[cap - 1] = '\0';
	return s;
}

static char *
steps_text(const struct rollout_policy *p, int upto)
{
	char *s = xcalloc(1, 128);
	size_t len = 0;
	int i;

	for (i = 0; i < p->nsteps && i <= upto; i++)
		len += (size_t)snprintf(s + len, 128 - len, "%s%d %%", i > 0 ? " -> " : "",
		    p->steps[i]);
	return s;
}

static void
publish(const char *action, const cJSON *row, const char *actor, const char *release)
{
	cJSON *ev = proto_event("prompt");

	cJSON_AddStringToObject(ev, "action", action);
	cJSON_AddStringToObject(ev, "actor", actor);
	cJSON_AddStringToObject(ev, "assistant", json_str(row, "assistant", ""));
	cJSON_AddNumberToObject(ev, "proposal", json_num_or(row, "proposal_id", 0));
	cJSON_AddNumberToObject(ev, "rollout", json_num_or(row, "id", 0));
	if (release != NULL)
		cJSON_AddStringToObject(ev, "release", release);
	events_publish(TOPIC_PROMPT, ev);
}

/* Releases the canary's proposal (inside the caller's transaction); *tag on success. */
static int
promote(struct daemon *d, const cJSON *row, const cJSON *last, const char *by,
    const char *reason, char **tag, char **cause)
{
	struct rollout_policy policy;
	struct prompts_released rel;
	struct trailer tr[4];
	const cJSON *analysis;
	const char *texts[3];
	cJSON *p, *an = NULL;
	char *steps, *checks;
	long long proposal = (long long)json_num_or(row, "proposal_id", 0);
	int rc;

	if (row_policy(row, &policy, cause) != 0)
		return -1;
	if ((p = proposal_get(d->db, proposal, 0)) == NULL) {
		*cause = xprintf("no proposal %lld", proposal);
		return -1;
	}
	/* The analysis that decided it, else (promoted by hand) the last one stored. */
	if ((analysis = last) == NULL)
		analysis = an = cJSON_Parse(json_str(row, "analysis", "{}"));
	steps = steps_text(&policy, (int)json_num_or(row, "step", 0));
	checks = analysis_text(analysis);
	tr[0] = (struct trailer){ "Canary", steps };
	tr[1] = (struct trailer){ "Canary-analysis", *checks != '\0' ? checks : "none" };
	tr[2] = (struct trailer){ "Promoted-by", by };
	tr[3] = (struct trailer){ "Promote-reason", reason };
	/* The approver of the canary approved the release (and an admin's override of the
	   gate, if it took one); four eyes hold. */
	rc = prompts_release(d, p, json_str(row, "approver", ""), json_str(row, "override", NULL),
	    tr, 4, &rel, cause);
	free(steps);
	free(checks);
	cJSON_Delete(an);
	cJSON_Delete(p);
	if (rc != REPO_OK)
		return -1;
	canary_drop(json_str(row, "assistant", ""));
	texts[0] = by;
	texts[1] = reason;
	texts[2] = rel.tag;
	if (row_set(d->db, (long long)json_num_or(row, "id", 0), "state = 'promoted', "
	    "ended_by = ?, reason = coalesce(?, reason), release = ?, ended_at = "
	    "strftime('%s', 'now')", texts, NULL, 3, cause) != 0) {
		free(rel.tag);
		return -1;
	}
	*tag = rel.tag;
	return 0;
}

/* Removes the canary: production untouched, the proposal rejected with the reason. */
static int
end_canary(struct daemon *d, const cJSON *row, const char *state, const char *by,
    const char *reason, char **cause)
{
	const char *texts[] = { state, by, reason };
	char *why;
	int rc;

	canary_drop(json_str(row, "assistant", ""));
	if (row_set(d->db, (long long)json_num_or(row, "id", 0), "state = ?, ended_by = ?, "
	    "reason = ?, ended_at = strftime('%s', 'now')", texts, NULL, 3, cause) != 0)
		return -1;
	why = xprintf("canary %s: %s", strcmp(state, "aborted") == 0 ? "aborted" :
	    "rolled back", reason);
	rc = proposal_decide(d->db, (long long)json_num_or(row, "proposal_id", 0), "rejected",
	    by, time(NULL), why, NULL, cause);
	free(why);
	return rc;
}

/* ---- the ops ---- */

/* The assistant an op names, or the only one with a live canary; NULL after op_fail. */
static cJSON *
op_live(struct op_ctx *ctx)
{
	const char *a = op_str(ctx, "assistant");
	sqlite3_stmt *st;
	cJSON *row = NULL;
	int n = 0;

	if (a != NULL) {
		if ((row = live_of(ctx->d->db, a)) == NULL)
			op_fail(ctx, "not_found", "no canary of %.64s is live", a);
		return row;
	}
	st = store_prepare(ctx->d->db, "SELECT * FROM rollout WHERE state IN ('running', "
	    "'paused') ORDER BY id");
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ == 0)
			row = store_row_json(st);
	}
	sqlite3_finalize(st);
	if (n == 1)
		return row;
	cJSON_Delete(row);
	op_fail(ctx, n == 0 ? "not_found" : "invalid_argument", n == 0 ? "no canary is live" :
	    "name the assistant: %d canaries are live", n);
	return NULL;
}

int
op_rollout_status(struct op_ctx *ctx)
{
	const char *a = op_str(ctx, "assistant");
	sqlite3_stmt *st;
	cJSON *list = cJSON_AddArrayToObject(ctx->reply, "rollouts"), *row;

	/* The live ones, and the latest that ended per assistant. */
	st = store_prepare(ctx->d->db, "SELECT assistant FROM rollout WHERE ?1 IS NULL OR "
	    "assistant = ?1 GROUP BY assistant ORDER BY assistant");
	if (a != NULL)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if ((row = rollout_json(ctx->d, store_text(st, 0))) != NULL)
			cJSON_AddItemToArray(list, row);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
rollout_author_is(struct daemon *d, const cJSON *row, const char *user)
{
	cJSON *p = proposal_get(d->db, (long long)json_num_or(row, "proposal_id", 0), 0);
	int is = p != NULL && strcmp(json_str(p, "author", ""), user) == 0;

	cJSON_Delete(p);
	return is;
}

int
op_rollout_act(struct op_ctx *ctx)
{
	struct daemon *d = ctx->d;
	const char *action = strrchr(ctx->op->name, '.') + 1, *reason = op_str(ctx, "reason"),
	    *state;
	const char *texts[2];
	long long nums[3], id, window;
	char *cause = NULL, *tag = NULL;
	cJSON *row;
	int rc = 0;

	if ((row = op_live(ctx)) == NULL)
		return -1;
	id = (long long)json_num_or(row, "id", 0);
	state = json_str(row, "state", "");
	ctx->object = xprintf("rollout %lld", id);
	ctx->details = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx->details, "assistant", json_str(row, "assistant", ""));
	cJSON_AddNumberToObject(ctx->details, "proposal", json_num_or(row, "proposal_id", 0));
	cJSON_AddStringToObject(ctx->details, "reason", reason);
	/* Going on with a canary is a release decision: never by its proposal's author (who
	   may still hold it back). */
	if ((strcmp(action, "promote") == 0 || strcmp(action, "resume") == 0 ||
	    strcmp(action, "compare") == 0) && rollout_author_is(d, row, ctx->who->user)) {
		op_fail(ctx, "forbidden", "four eyes: %s proposed %lld and may not %s its canary",
		    ctx->who->user, (long long)json_num_or(row, "proposal_id", 0), action);
		cJSON_Delete(row);
		return -1;
	}
	if (strcmp(action, "pause") == 0 || strcmp(action, "resume") == 0) {
		if (strcmp(state, strcmp(action, "pause") == 0 ? "paused" : "running") == 0) {
			op_fail(ctx, "conflict", "the canary is %s already", state);
			cJSON_Delete(row);
			return -1;
		}
		texts[0] = strcmp(action, "pause") == 0 ? "paused" : "running";
		texts[1] = reason;
		/* Resumed, the step is watched a whole interval again. */
		rc = row_set(d->db, id, strcmp(action, "pause") == 0 ? "state = ?, reason = ?" :
		    "state = ?, reason = ?, step_at = strftime('%s', 'now'), next_at = "
		    "strftime('%s', 'now') + json_extract(policy, '$.interval')", texts, NULL, 2,
		    &cause);
	} else if (strcmp(action, "compare") == 0) {
		window = config_duration(op_str(ctx, "window"));
		if (window < 30 || window > 7 * 86400) {
			cJSON_Delete(row);
			return op_fail(ctx, "invalid_argument", "window \"%.16s\": a duration of 30s "
			    "to 7d", op_str(ctx, "window"));
		}
		nums[0] = (long long)time(NULL);
		nums[1] = nums[0] + window;
		nums[2] = nums[1];
		rc = row_set(d->db, id, "step_at = ?, next_at = ?, compare_until = ?", NULL, nums,
		    3, &cause);
		cJSON_AddNumberToObject(ctx->reply, "until", (double)nums[1]);
		cJSON_AddNumberToObject(ctx->details, "window", (double)window);
	} else if (strcmp(action, "promote") == 0) {
		if ((rc = promote(d, row, NULL, ctx->who->user, reason, &tag, &cause)) == 0) {
			cJSON_AddStringToObject(ctx->reply, "release", tag);
			cJSON_AddStringToObject(ctx->details, "release", tag);
		}
	} else
		rc = end_canary(d, row, "aborted", ctx->who->user, reason, &cause);
	if (rc != 0) {
		cJSON_Delete(row);
		op_fail(ctx, "internal", "%s", cause != NULL ? cause : "rollout");
		free(cause);
		return -1;
	}
	ctx->event = proto_event("prompt");
	cJSON_AddStringToObject(ctx->event, "action", strcmp(action, "abort") == 0 ?
	    "canary_aborted" : strcmp(action, "promote") == 0 ? "released" : "rollout");
	cJSON_AddStringToObject(ctx->event, "actor", ctx->who->user);
	cJSON_AddNumberToObject(ctx->event, "proposal", json_num_or(row, "proposal_id", 0));
	if (tag != NULL)
		cJSON_AddStringToObject(ctx->event, "release", tag);
	ctx->event_topic = TOPIC_PROMPT;
	if (strcmp(action, "promote") == 0 || strcmp(action, "abort") == 0)
		ctx->committed = rollout_push_committed;
	free(tag);
	cJSON_Delete(row);
	return 0;
}

/* ---- the analysis ---- */

static int
busy_has(long long id)
{
	size_t i;

	for (i = 0; i < ro.nbusy; i++) {
		if (ro.busy[i] == id)
			return 1;
	}
	return 0;
}

static void
busy_set(long long id, int on)
{
	size_t i;

	for (i = 0; i < ro.nbusy; i++) {
		if (ro.busy[i] == id) {
			if (!on)
				ro.busy[i] = ro.busy[--ro.nbusy];
			return;
		}
	}
	if (on) {
		ro.busy = xreallocarray(ro.busy, ro.nbusy + 1, sizeof *ro.busy);
		ro.busy[ro.nbusy++] = id;
	}
}

static void
analysis_free(struct analysis *an)
{
	busy_set(an->id, 0);
	free(an->canary);
	free(an->production);
	free(an->error);
	free(an);
}

/* The figure's value for a side from a "sum by (label)" reply; a side the reply lacks
   counted nothing (0), except p95, which is unknown then. */
static void
figure_store(struct analysis *an, enum figure fig, const struct prom_response *r)
{
	const char *label = ro.d->cfg->release_label, *v;
	double *slot[2];
	size_t i, k;

	for (k = 0; k < 2; k++) {
		struct rollout_side *s = &an->side[k];

		slot[k] = fig == F_REQUESTS ? &s->requests : fig == F_ERRORS ? &s->errors :
		    fig == F_LIMITED ? &s->limited : fig == F_P95 ? &s->p95 :
		    fig == F_RATINGS ? &s->ratings : &s->positive;
		*slot[k] = fig == F_P95 ? NAN : 0;
	}
	for (i = 0; i < r->nseries; i++) {
		if ((v = prom_label(&r->series[i], label)) == NULL ||
		    r->series[i].nsamples == 0)
			continue;
		for (k = 0; k < 2; k++) {
			if (strcmp(v, k == 0 ? an->canary : an->production) == 0)
				*slot[k] = r->series[i].samples[0].v;
		}
	}
}

static void analysed(struct analysis *);

static void
query_done(void *arg, struct metrics_result *res)
{
	struct query_ctx *q = arg;
	struct analysis *an = q->an;
	char *note = NULL;

	if (res->status != METRICS_OK) {
		if (an->error == NULL)
			an->error = xstrdup(res->error != NULL ? res->error : "query failed");
	} else if (q->fig == F_TOKENS_C || q->fig == F_TOKENS_P)
		an->money[q->fig - F_TOKENS_C] = poller_cost(ro.d->poller, &res->resp, &note);
	else
		figure_store(an, q->fig, &res->resp);
	free(note);
	free(q);
	if (--an->pending == 0)
		analysed(an);
}

/* Sends one query of an analysis; -1 when it could not be sent (then an->error). */
static int
query_send(struct analysis *an, enum figure fig, char *expanded)
{
	struct query_ctx *q;
	char *cause = NULL;

	if (expanded == NULL)
		return -1;
	q = xcalloc(1, sizeof *q);
	q->an = an;
	q->fig = fig;
	an->pending++;
	an->queries++;
	ro.queries++;
	if (poller_query_at(ro.d->poller, expanded, 0, query_done, q, &cause) != 0) {
		an->pending--;
		free(q);
		if (an->error == NULL)
			an->error = cause;
		else
			free(cause);
		free(expanded);
		return -1;
	}
	free(expanded);
	return 0;
}

/* Starts an analysis of a running rollout: its queries through the poller's budget. */
static void
analysis_start(const cJSON *row, const struct rollout_policy *policy, long long now)
{
	struct analysis *an = xcalloc(1, sizeof *an);
	struct daemon *d = ro.d;
	const char *label = d->cfg->release_label;
	char matcher[256], win[32], *q, *cause = NULL;
	int f;

	an->id = (long long)json_num_or(row, "id", 0);
	an->step = (long long)json_num_or(row, "step", 0);
	an->canary = xstrdup(json_str(row, "label", ""));
	an->production = production_label(d->db, json_str(row, "assistant", ""));
	an->compare = cJSON_GetObjectItem(row, "compare_until") != NULL &&
	    now >= (long long)json_num_or(row, "compare_until", 0);
	an->window = an->compare ? (long)(now - (long long)json_num_or(row, "step_at",
	    (double)now)) : policy->interval;
	an->money[0] = an->money[1] = NAN;
	an->started = loop_now_ms();
	busy_set(an->id, 1);
	an->pending = 1;	/* none completes it while they are sent */
	if (d->poller == NULL || poller_busy(d->poller, &cause)) {
		an->error = cause != NULL ? cause : xstrdup("no metrics source");
		cause = NULL;
		goto sent;
	}
	snprintf(matcher, sizeof matcher, "%s=~\"%s|%s\"", label, an->canary, an->production);
	snprintf(win, sizeof win, "%lds", an->window > 10 ? an->window : 10);
	for (f = 0; f < F_TOKENS_C; f++) {
		q = xprintf(figure_queries[f], label, matcher, win);
		if (query_send(an, f, poller_expand(d->poller, q, &cause)) != 0 && an->error == NULL)
			an->error = cause != NULL ? cause : xstrdup("query failed");
		else
			free(cause);
		cause = NULL;
		free(q);
	}
	snprintf(matcher, sizeof matcher, "%s=\"%s\"", label, an->canary);
	query_send(an, F_TOKENS_C, poller_tokens_by_model(d->poller, matcher, win));
	snprintf(matcher, sizeof matcher, "%s=\"%s\"", label, an->production);
	query_send(an, F_TOKENS_P, poller_tokens_by_model(d->poller, matcher, win));
sent:
	if (--an->pending == 0)
		analysed(an);
}

/* What an analysis leads to, applied as the daemon in one transaction. */
struct apply {
	const cJSON		*row;
	const struct rollout_policy *policy;
	enum rollout_decision	 decision;
	cJSON			*analysis;	/* stored with the row */
	cJSON			*comparison;	/* the end of an A/B window, or NULL */
	const char		*outcome;	/* advanced, held, failed, promoted, rolled_back */
	char			*release;
	char			*why;
};

static int
apply_work(sqlite3 *db, void *arg, struct audit_tx *tx, char **cause)
{
	struct apply *ap = arg;
	const cJSON *row = ap->row;
	const struct rollout_policy *p = ap->policy;
	long long id = (long long)json_num_or(row, "id", 0), now = (long long)time(NULL);
	int step = (int)json_num_or(row, "step", 0), failures = (int)json_num_or(row,
	    "failures", 0), rc;
	char *text = cJSON_PrintUnformatted(ap->analysis), *cmp = NULL;
	const char *texts[2] = { text, NULL };
	long long nums[4];

	if (ap->comparison != NULL) {
		cmp = cJSON_PrintUnformatted(ap->comparison);
		texts[1] = cmp;
		if (row_set(db, id, "analysis = ?, comparison = ?, compare_until = NULL", texts,
		    NULL, 2, cause) != 0)
			goto fail;
		{
			sqlite3_stmt *st = store_prepare(db, "UPDATE proposal SET comparison = ? "
			    "WHERE id = ?");

			sqlite3_bind_text(st, 1, cmp, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, (long long)json_num_or(row, "proposal_id", 0));
			if (store_write(st, "proposal", cause) != 0)
				goto fail;
		}
	}
	if (ap->decision == RD_ADVANCE && step + 1 >= p->nsteps) {
		ap->outcome = "promoted";
		if (promote(ro.d, row, ap->analysis, ACTOR, NULL, &ap->release, cause) != 0)
			goto fail;
	} else if (ap->decision == RD_ADVANCE) {
		ap->outcome = "advanced";
		if ((rc = canary_write(json_str(row, "assistant", ""), (long long)json_num_or(row,
		    "proposal_id", 0), p->steps[step + 1], json_str(row, "label", ""), ACTOR,
		    cause)) != 0)
			goto fail;
		nums[0] = step + 1;
		nums[1] = now;
		nums[2] = now + p->interval;
		if (row_set(db, id, "step = ?, failures = 0, step_at = ?, next_at = ?", NULL, nums,
		    3, cause) != 0)
			goto fail;
	} else if (ap->decision == RD_FAIL && failures + 1 >= p->threshold) {
		ap->outcome = "rolled_back";
		ap->why = xprintf("%d failed analyses at %d %%: %s", failures + 1, p->steps[step],
		    json_str(ap->analysis, "why", ""));
		if (end_canary(ro.d, row, "rolled_back", ACTOR, ap->why, cause) != 0)
			goto fail;
	} else {
		ap->outcome = ap->decision == RD_FAIL ? "failed" : "held";
		nums[0] = failures + (ap->decision == RD_FAIL);
		nums[1] = now + p->interval;
		if (row_set(db, id, "failures = ?, next_at = ?", NULL, nums, 2, cause) != 0)
			goto fail;
	}
	if (row_set(db, id, "analysis = ?", texts, NULL, 1, cause) != 0)
		goto fail;
	tx->actor = ACTOR;
	tx->role = ROLE;
	/* A hold or a failure that changes nothing else is in the analysis, not the audit. */
	if (strcmp(ap->outcome, "held") != 0 || ap->comparison != NULL) {
		tx->action = ap->comparison != NULL && strcmp(ap->outcome, "held") == 0 ?
		    "prompt.rollout.compared" : strcmp(ap->outcome, "advanced") == 0 ?
		    "prompt.rollout.advance" : strcmp(ap->outcome, "promoted") == 0 ?
		    "prompt.rollout.promote" : strcmp(ap->outcome, "rolled_back") == 0 ?
		    "prompt.rollout.rollback" : "prompt.rollout.failed";
		tx->object = xprintf("rollout %lld", id);
		tx->details = cJSON_CreateObject();
		cJSON_AddStringToObject(tx->details, "assistant", json_str(row, "assistant", ""));
		cJSON_AddNumberToObject(tx->details, "proposal", json_num_or(row, "proposal_id",
		    0));
		cJSON_AddNumberToObject(tx->details, "weight", p->steps[step]);
		cJSON_AddItemToObject(tx->details, "analysis", cJSON_Duplicate(ap->analysis, 1));
		if (ap->release != NULL)
			cJSON_AddStringToObject(tx->details, "release", ap->release);
	}
	free(text);
	free(cmp);
	return 0;
fail:
	free(text);
	free(cmp);
	return -1;
}

/* The incident of a rollback: the failed checks as its description. */
static void
rollback_incident(const cJSON *row, const struct apply *ap)
{
	struct incident_new n;
	const cJSON *c;
	char *fp = xprintf("rollout:%lld", (long long)json_num_or(row, "id", 0)), *title, *desc;
	size_t len, cap = 4096;

	desc = xcalloc(1, cap);
	len = (size_t)snprintf(desc, cap, "The canary of proposal %lld was rolled back by "
	    "itself; production was not touched. %s\n\nChecks, canary against production:\n",
	    (long long)json_num_or(row, "proposal_id", 0), ap->why);
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(ap->analysis, "checks")) {
		if (len < cap)
			len += (size_t)snprintf(desc + len, cap - len, "- %s: %s (%s)\n",
			    json_str(c, "name", ""), json_str(c, "verdict", ""),
			    json_str(c, "why", ""));
	}
	title = xprintf("Canary of %s rolled back: proposal %lld failed its checks",
	    json_str(row, "assistant", ""), (long long)json_num_or(row, "proposal_id", 0));
	memset(&n, 0, sizeof n);
	n.title = title;
	n.description = desc;
	n.severity = 3;
	n.source = "kpi";
	n.fingerprint = fp;
	automation_finding(ro.d, &n, fp, title);
	free(title);
	free(desc);
	free(fp);
}

static void
analysed(struct analysis *an)
{
	struct daemon *d = ro.d;
	struct audit_tx tx = { .action = NULL };
	struct rollout_policy policy;
	struct apply ap;
	cJSON *row;
	char *cause = NULL, when[32];
	int k;

	memset(&ap, 0, sizeof ap);
	/* Paused, ended or moved on meanwhile: this analysis is moot. */
	row = ro.stopping ? NULL : row_get(d->db, an->id);
	if (row == NULL || strcmp(json_str(row, "state", ""), "running") != 0 ||
	    (long long)json_num_or(row, "step", 0) != an->step ||
	    row_policy(row, &policy, &cause) != 0)
		goto out;
	for (k = 0; k < 2; k++) {
		an->side[k].cost = isfinite(an->money[k]) && an->side[k].requests > 0 ?
		    an->money[k] / an->side[k].requests : NAN;
	}
	ap.row = row;
	ap.policy = &policy;
	if (an->error != NULL) {
		/* Never judged on missing data: the step holds, no failure counts. */
		ap.decision = RD_HOLD;
		ap.analysis = cJSON_CreateObject();
		cJSON_AddStringToObject(ap.analysis, "decision", "hold");
		cJSON_AddStringToObject(ap.analysis, "why", "the metrics source did not answer");
		cJSON_AddStringToObject(ap.analysis, "error", an->error);
	} else
		ap.analysis = rollout_analyse(&policy, &an->side[0], &an->side[1], &ap.decision);
	cJSON_AddNumberToObject(ap.analysis, "at", (double)time(NULL));
	cJSON_AddNumberToObject(ap.analysis, "window", (double)an->window);
	/* What it cost the metrics source: queries and the time until the last answer. */
	cJSON_AddNumberToObject(ap.analysis, "queries", an->queries);
	cJSON_AddNumberToObject(ap.analysis, "seconds", (double)(loop_now_ms() - an->started) /
	    1000);
	cJSON_AddStringToObject(ap.analysis, "canary_label", an->canary);
	cJSON_AddStringToObject(ap.analysis, "production_label", an->production);
	if (an->compare && an->error == NULL)
		ap.comparison = rollout_compare(&an->side[0], &an->side[1]);
	if (ap.comparison != NULL) {
		cJSON_AddNumberToObject(ap.comparison, "window", (double)an->window);
		cJSON_AddNumberToObject(ap.comparison, "weight", policy.steps[an->step]);
		audit_now(when, sizeof when);
		cJSON_AddStringToObject(ap.comparison, "at", when);
	}
	/* The end of an A/B window moves nothing by itself: the step is watched again. */
	if (ap.comparison != NULL && ap.decision == RD_ADVANCE)
		ap.decision = RD_HOLD;
	if (audit_tx(d->db, &tx, apply_work, &ap, &cause) != AUDIT_TX_OK) {
		log_debug("rollout %lld: %s", an->id, cause != NULL ? cause : "not applied");
		goto out;
	}
	free((char *)tx.object);
	cJSON_Delete(tx.details);
	publish(strcmp(ap.outcome, "promoted") == 0 ? "released" :
	    strcmp(ap.outcome, "rolled_back") == 0 ? "canary_rolled_back" : "rollout", row,
	    ACTOR, ap.release);
	if (strcmp(ap.outcome, "rolled_back") == 0)
		rollback_incident(row, &ap);
	/* The remote's deployments follow the branch: pushed whenever it moved. */
	if (strcmp(ap.outcome, "held") != 0 && strcmp(ap.outcome, "failed") != 0)
		prompts_push(d);
out:
	free(cause);
	free(ap.release);
	free(ap.why);
	cJSON_Delete(ap.analysis);
	cJSON_Delete(ap.comparison);
	cJSON_Delete(row);
	analysis_free(an);
}

static void
rollout_tick(void *arg)
{
	struct daemon *d = arg;
	struct rollout_policy policy;
	sqlite3_stmt *st;
	cJSON *rows = cJSON_CreateArray(), *row;
	long long now = (long long)time(NULL);
	char *cause = NULL;

	st = store_prepare(d->db, "SELECT * FROM rollout WHERE state = 'running' AND "
	    "next_at <= ? ORDER BY next_at LIMIT ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, MAX_LIVE);
	while (sqlite3_step(st) == SQLITE_ROW)
		cJSON_AddItemToArray(rows, store_row_json(st));
	sqlite3_finalize(st);
	cJSON_ArrayForEach(row, rows) {
		if (busy_has((long long)json_num_or(row, "id", 0)))
			continue;
		if (row_policy(row, &policy, &cause) != 0) {
			log_debug("rollout %lld: %s", (long long)json_num_or(row, "id", 0), cause);
			free(cause);
			cause = NULL;
			continue;
		}
		analysis_start(row, &policy, now);
	}
	cJSON_Delete(rows);
}

void
rollout_start(struct daemon *d)
{
	struct repo *repo;
	const cJSON *n;
	cJSON *names, *row;
	const char *why;
	char *cause = NULL;
	int rc;

	ro.d = d;
	ro.stopping = 0;
	/* The branches as the store says: a crash may have left one written or removed. */
	if ((repo = prompts_repo(&why)) != NULL &&
	    (names = repo_assistants(repo, &cause)) != NULL) {
		cJSON_ArrayForEach(n, names) {
			if ((row = live_of(d->db, n->valuestring)) == NULL) {
				canary_drop(n->valuestring);
				continue;
			}
			struct rollout_policy p;

			if (row_policy(row, &p, &cause) == 0 && (rc = canary_write(n->valuestring,
			    (long long)json_num_or(row, "proposal_id", 0),
			    p.steps[(int)json_num_or(row, "step", 0)], json_str(row, "label", ""),
			    ACTOR, &cause)) != 0)
				log_debug("canary of %s: %s", n->valuestring, cause);
			free(cause);
			cause = NULL;
			cJSON_Delete(row);
		}
		cJSON_Delete(names);
	}
	free(cause);
	ro.timer = loop_timer_add(d->loop, 1000, 1, rollout_tick, d);
}

void
rollout_stop(struct daemon *d)
{
	(void)d;
	ro.stopping = 1;
	if (ro.timer != NULL)
		loop_timer_remove(ro.timer);
	ro.timer = NULL;
}

unsigned long
rollout_queries(void)
{
	return ro.queries;
}

void
rollout_push_committed(struct op_ctx *ctx)
{
	prompts_push(ctx->d);
}

cJSON *
rollout_json(struct daemon *d, const char *assistant)
{
	struct rollout_policy p;
	cJSON *row = row_query(d->db, "assistant = ?", assistant, 0), *j;
	char *cause = NULL;
	int step;

	if (row == NULL)
		return NULL;
	if (row_policy(row, &p, &cause) != 0) {
		free(cause);
		return row;
	}
	step = (int)json_num_or(row, "step", 0);
	cJSON_AddNumberToObject(row, "weight", p.steps[step < p.nsteps ? step : p.nsteps - 1]);
	cJSON_AddNumberToObject(row, "steps_total", p.nsteps);
	cJSON_AddNumberToObject(row, "threshold", p.threshold);
	cJSON_AddNumberToObject(row, "now", (double)time(NULL));
	/* The stored JSON texts as objects. */
	if ((j = cJSON_Parse(json_str(row, "policy", "{}"))) != NULL)
		cJSON_ReplaceItemInObject(row, "policy", j);
	if ((j = cJSON_Parse(json_str(row, "analysis", "null"))) != NULL)
		cJSON_ReplaceItemInObject(row, "analysis", j);
	if ((j = cJSON_Parse(json_str(row, "comparison", "null"))) != NULL)
		cJSON_ReplaceItemInObject(row, "comparison", j);
	return row;
}
