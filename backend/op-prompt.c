/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/clock.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/drift.h"
#include "backend/events.h"
#include "backend/json.h"
#include "backend/ops.h"
#include "backend/prompts.h"
#include "backend/proposal.h"
#include "backend/proto.h"
#include "backend/release.h"
#include "backend/repo.h"
#include "backend/rollout.h"
#include "backend/trailer.h"
#include "backend/xmalloc.h"

static int
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

/* The prompt repository (prompts.c keeps it), or NULL. */
static struct repo *
prompt_repo(void)
{
	const char *why;

	return prompts_repo(&why);
}

/* Fails the op unless the repository is open. */
static int
need_repo(struct op_ctx *ctx)
{
	const char *why;

	if (prompts_repo(&why) != NULL)
		return 0;
	return op_fail(ctx, "unavailable", "%s", why);
}

/* Fails the op from a repo_* result. */
static int
repo_fail(struct op_ctx *ctx, int rc, char *cause)
{
	op_fail(ctx, rc == REPO_CONFLICT ? "conflict" : rc == REPO_NOT_FOUND ? "not_found" :
	    "internal", "%s", cause != NULL ? cause : "prompt repository error");
	free(cause);
	return -1;
}

/* The assistant an op is about: the argument, or the only one there is; NULL after op_fail
   (the repository is not open, or no such assistant). *names holds them, for the caller to
   delete either way. */
static const char *
assistant_arg(struct op_ctx *ctx, cJSON **names)
{
	const char *a = op_str(ctx, "assistant");
	const cJSON *n;
	char *cause = NULL;

	*names = NULL;
	if (need_repo(ctx) != 0)
		return NULL;
	if ((*names = repo_assistants(prompt_repo(), &cause)) == NULL) {
		repo_fail(ctx, REPO_ERROR, cause);
		return NULL;
	}
	if (a == NULL) {
		if (cJSON_GetArraySize(*names) == 1)
			return cJSON_GetArrayItem(*names, 0)->valuestring;
		op_fail(ctx, "invalid_argument", "name the assistant: there are %d",
		    cJSON_GetArraySize(*names));
		return NULL;
	}
	cJSON_ArrayForEach(n, *names) {
		if (strcmp(n->valuestring, a) == 0)
			return a;
	}
	op_fail(ctx, "not_found", "no assistant \"%.64s\" at production", a);
	return NULL;
}

static void
prompt_event(struct op_ctx *ctx, const char *action, long long proposal, const char *release)
{
	cJSON *ev = proto_event("prompt");

	cJSON_AddStringToObject(ev, "action", action);
	cJSON_AddStringToObject(ev, "actor", ctx->who->user);
	if (proposal > 0)
		cJSON_AddNumberToObject(ev, "proposal", (double)proposal);
	if (release != NULL)
		cJSON_AddStringToObject(ev, "release", release);
	ctx->event = ev;
	ctx->event_topic = TOPIC_PROMPT;
}

/* A proposal by its argument, with the state it must be in; NULL after op_fail. */
static cJSON *
open_proposal(struct op_ctx *ctx, long long *id)
{
	cJSON *p;
	const char *state;

	*id = op_int(ctx, "proposal", 0);
	if ((p = proposal_get(ctx->d->db, *id, 0)) == NULL) {
		op_fail(ctx, "not_found", "no proposal %lld", *id);
		return NULL;
	}
	state = json_str(p, "state", "");
	if (rollout_of_proposal(ctx->d, *id)) {
		op_fail(ctx, "conflict", "proposal %lld is live as a canary: leitstand prompt "
		    "rollout promote|abort", *id);
		cJSON_Delete(p);
		return NULL;
	}
	if (strcmp(state, "approved") == 0 || strcmp(state, "rejected") == 0) {
		op_fail(ctx, "conflict", "proposal %lld is %s already", *id, state);
		cJSON_Delete(p);
		return NULL;
	}
	return p;
}

/* prompt.list: assistants with their release, open and recent proposals, push state. */
int
op_prompt_list(struct op_ctx *ctx)
{
	struct daemon *s = ctx->d;
	cJSON *names, *list, *a, *rel, *base, *push, *drift;
	const cJSON *n;
	char tree[REPO_ID_LEN + 1], *cause = NULL, *model;
	struct model_ini m;
	size_t len;
	int done, total;

	if (need_repo(ctx) != 0)
		return -1;
	if ((names = repo_assistants(prompt_repo(), &cause)) == NULL)
		return repo_fail(ctx, REPO_ERROR, cause);
	list = cJSON_AddArrayToObject(ctx->reply, "assistants");
	cJSON_ArrayForEach(n, names) {
		a = cJSON_CreateObject();
		cJSON_AddItemToArray(list, a);
		cJSON_AddStringToObject(a, "name", n->valuestring);
		if ((rel = release_get(s->db, n->valuestring, NULL)) != NULL)
			cJSON_AddItemToObject(a, "release", rel);
		if ((model = repo_read(prompt_repo(), "production", n->valuestring, "model.ini", &len,
		    &cause)) != NULL && model_ini_parse(model, &m, &cause) == 0) {
			cJSON_AddStringToObject(a, "model", m.id);
			model_ini_free(&m);
		}
		if ((drift = drift_json(n->valuestring)) != NULL)
			cJSON_AddItemToObject(a, "answering", drift);
		if ((drift = rollout_json(s, n->valuestring)) != NULL)
			cJSON_AddItemToObject(a, "rollout", drift);
		free(model);
		free(cause);
		cause = NULL;
		if (repo_subtree(prompt_repo(), "production", n->valuestring, tree, &cause) == 0 &&
		    (base = proposal_eval_of_tree(s->db, tree)) != NULL)
			cJSON_AddItemToObject(a, "eval", base);
		free(cause);
		cause = NULL;
	}
	cJSON_Delete(names);
	list = proposal_list(s->db, (int)op_int(ctx, "limit", 50));
	cJSON_ArrayForEach(a, list) {
		if (prompts_eval_running((long long)json_num_or(a, "id", 0), &done, &total)) {
			cJSON_AddNumberToObject(a, "eval_done", done);
			cJSON_AddNumberToObject(a, "eval_total", total);
		}
	}
	cJSON_AddItemToObject(ctx->reply, "proposals", list);
	cJSON_AddNumberToObject(ctx->reply, "gate", (double)s->cfg->eval_gate);
	if ((push = prompts_push_state(s)) == NULL) {
		push = cJSON_CreateObject();
		cJSON_AddStringToObject(push, "remote", "");
		cJSON_AddNumberToObject(push, "pending", 0);
	}
	cJSON_AddItemToObject(ctx->reply, "push", push);
	cJSON_AddItemToObject(ctx->reply, "signing", prompts_signing_state());
	return 0;
}

/* prompt.show: a proposal with its latest eval and cases, production's baseline, the diff. */
int
op_prompt_show(struct op_ctx *ctx)
{
	struct daemon *s = ctx->d;
	long long id = op_int(ctx, "proposal", 0);
	char *rev, *diff, *cause = NULL, tree[REPO_ID_LEN + 1];
	cJSON *p, *base;
	int done, total;

	if (need_repo(ctx) != 0)
		return -1;
	if ((p = proposal_get(s->db, id, 1)) == NULL)
		return op_fail(ctx, "not_found", "no proposal %lld", id);
	cJSON_AddItemToObject(ctx->reply, "proposal", p);
	if ((base = cJSON_Parse(json_str(p, "comparison", "null"))) != NULL)
		cJSON_ReplaceItemInObject(p, "comparison", base);
	if (prompts_eval_running(id, &done, &total)) {
		cJSON_AddNumberToObject(p, "eval_done", done);
		cJSON_AddNumberToObject(p, "eval_total", total);
	}
	if (repo_subtree(prompt_repo(), "production", json_str(p, "assistant", ""), tree,
	    &cause) == 0 && (base = proposal_eval_of_tree(s->db, tree)) != NULL)
		cJSON_AddItemToObject(ctx->reply, "baseline", base);
	free(cause);
	cause = NULL;
	rev = xprintf("proposals/%lld", id);
	/* Decided proposals show what they changed; open ones what they would change now. */
	diff = repo_diff(prompt_repo(), strcmp(json_str(p, "state", ""), "approved") == 0 ||
	    strcmp(json_str(p, "state", ""), "rejected") == 0 ? json_str(p, "base", "") :
	    "production", rev, json_str(p, "assistant", ""), &cause);
	free(rev);
	if (diff == NULL)
		return repo_fail(ctx, REPO_ERROR, cause);
	cJSON_AddStringToObject(ctx->reply, "diff", diff);
	cJSON_AddNumberToObject(ctx->reply, "gate", (double)s->cfg->eval_gate);
	free(diff);
	return 0;
}

/* The revision an argument names: a proposal number, a release tag, or production. */
static char *
rev_arg(const char *arg)
{
	char *end;
	long long n = strtoll(arg, &end, 10);

	if (end != arg && *end == '\0' && n > 0)
		return xprintf("proposals/%lld", n);
	return xstrdup(arg);
}

/* prompt.diff: proposal against production, a release against the one before it, or two
   revisions. */
int
op_prompt_diff(struct op_ctx *ctx)
{
	struct daemon *s = ctx->d;
	const char *from = op_str(ctx, "from"), *to = op_str(ctx, "to");
	char *f = NULL, *t = NULL, *diff, *cause = NULL;
	cJSON *rel, *prev;

	if (need_repo(ctx) != 0)
		return -1;
	if (to == NULL)
		return op_fail(ctx, "invalid_argument", "to: a proposal number, a release or "
		    "production");
	t = rev_arg(to);
	if (from != NULL)
		f = rev_arg(from);
	else if (strncmp(t, "release/", 8) == 0) {
		if ((rel = release_get(s->db, NULL, t)) == NULL) {
			free(t);
			return op_fail(ctx, "not_found", "no release %.80s", to);
		}
		prev = release_before(s->db, json_str(rel, "assistant", ""),
		    (long long)json_num_or(rel, "n", 0));
		f = xstrdup(prev != NULL ? json_str(prev, "tag", "") : t);
		cJSON_Delete(prev);
		cJSON_Delete(rel);
	} else
		f = xstrdup("production");
	diff = repo_diff(prompt_repo(), f, t, NULL, &cause);
	cJSON_AddStringToObject(ctx->reply, "from", f);
	cJSON_AddStringToObject(ctx->reply, "to", t);
	free(f);
	free(t);
	if (diff == NULL)
		return repo_fail(ctx, REPO_NOT_FOUND, cause);
	cJSON_AddStringToObject(ctx->reply, "diff", diff);
	free(diff);
	return 0;
}

/* prompt.cat: a file of an assistant at a revision (default production). */
int
op_prompt_cat(struct op_ctx *ctx)
{
	cJSON *names;
	const char *a, *file = op_str(ctx, "file");
	char *rev, *data, *cause = NULL;
	size_t len;

	if ((a = assistant_arg(ctx, &names)) == NULL) {
		cJSON_Delete(names);
		return -1;
	}
	rev = rev_arg(op_str(ctx, "rev") != NULL ? op_str(ctx, "rev") : "production");
	data = repo_read(prompt_repo(), rev, a, file, &len, &cause);
	free(rev);
	if (data == NULL) {
		cJSON_Delete(names);
		return repo_fail(ctx, REPO_NOT_FOUND, cause);
	}
	cJSON_AddStringToObject(ctx->reply, "assistant", a);
	cJSON_AddStringToObject(ctx->reply, "file", file);
	cJSON_AddStringToObject(ctx->reply, "content", data);
	free(data);
	cJSON_Delete(names);
	return 0;
}

/* prompt.propose: the given files over production's on a new proposal branch. */
int
op_prompt_propose(struct op_ctx *ctx)
{
	static const char *const args[] = { "system", "model", "evals" };
	struct daemon *s = ctx->d;
	struct repo_file files[3];
	struct trailer tr[2];
	struct buf names;
	char *cause = NULL, *desc, *msg, *branch, idbuf[32], head[REPO_ID_LEN + 1],
	    base[REPO_ID_LEN + 1];
	const char *a, *data;
	cJSON *anames;
	size_t n = 0, i;
	long long id;
	int rc;

	if (blank(op_str(ctx, "description")))
		return op_fail(ctx, "invalid_argument", "describe the change: why, and what it "
		    "should do");
	if ((a = assistant_arg(ctx, &anames)) == NULL) {
		cJSON_Delete(anames);
		return -1;
	}
	buf_init(&names);
	for (i = 0; i < 3; i++) {
		if ((data = op_str(ctx, args[i])) == NULL)
			continue;
		files[n].name = prompts_files[i];
		files[n].data = data;
		files[n].len = strlen(data);
		if (prompts_check_file(files[n].name, data, files[n].len, &cause) != 0) {
			op_fail(ctx, "invalid_argument", "%s", cause);
			free(cause);
			buf_free(&names);
			cJSON_Delete(anames);
			return -1;
		}
		buf_printf(&names, "%s%s", n > 0 ? ", " : "", files[n].name);
		n++;
	}
	if (n == 0) {
		buf_free(&names);
		cJSON_Delete(anames);
		return op_fail(ctx, "invalid_argument", "nothing to propose: give system, model "
		    "or evals");
	}
	desc = xstrdup(op_str(ctx, "description"));
	if ((id = proposal_create(s->db, a, desc, names.data, ctx->who->user, clock_now(),
	    &cause)) < 0) {
		free(desc);
		buf_free(&names);
		cJSON_Delete(anames);
		return repo_fail(ctx, REPO_ERROR, cause);
	}
	snprintf(idbuf, sizeof idbuf, "%lld", id);
	tr[0].key = "Proposal";
	tr[0].value = idbuf;
	tr[1].key = "Assistant";
	tr[1].value = a;
	msg = trailer_message(desc, tr, 2);
	branch = xprintf("proposals/%lld", id);
	rc = repo_propose(prompt_repo(), branch, a, files, n, msg, ctx->who->user, head, base,
	    &cause);
	free(msg);
	if (rc == REPO_OK && proposal_set_commit(s->db, id, head, base, &cause) != 0)
		rc = REPO_ERROR;
	if (rc != REPO_OK) {
		free(desc);
		free(branch);
		buf_free(&names);
		cJSON_Delete(anames);
		return repo_fail(ctx, rc, cause);
	}
	cJSON_AddNumberToObject(ctx->reply, "proposal", (double)id);
	cJSON_AddStringToObject(ctx->reply, "branch", branch);
	cJSON_AddStringToObject(ctx->reply, "commit", head);
	ctx->object = xprintf("proposal %lld", id);
	ctx->details = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx->details, "assistant", a);
	cJSON_AddStringToObject(ctx->details, "files", names.data);
	cJSON_AddStringToObject(ctx->details, "commit", head);
	cJSON_AddStringToObject(ctx->details, "description", desc);
	prompt_event(ctx, "proposed", id, NULL);
	free(desc);
	free(branch);
	buf_free(&names);
	cJSON_Delete(anames);
	return 0;
}

/* The answer to prompt.eval with wait, once the eval has ended. */
static void
eval_answer(void *arg, cJSON *proposal, const char *error)
{
	cJSON *fields = NULL;

	if (proposal != NULL) {
		fields = cJSON_CreateObject();
		cJSON_AddItemToObject(fields, "proposal", proposal);
	}
	ops_later_send(arg, fields, error != NULL ? "internal" : NULL, error);
}

/* prompt.eval: runs the proposal's cases against staging; with wait, replies at the end. */
int
op_prompt_eval(struct op_ctx *ctx)
{
	const char *code;
	char *cause = NULL;
	long long id;
	cJSON *p;
	int wait = op_bool(ctx, "wait", 0);

	if (need_repo(ctx) != 0 || (p = open_proposal(ctx, &id)) == NULL)
		return -1;
	cJSON_Delete(p);
	if (prompts_eval_start(ctx->d, id, ctx->who->user, wait ? eval_answer : NULL,
	    wait ? ops_later(ctx) : NULL, &code, &cause) != 0) {
		if (wait)
			ops_later_cancel(ctx);
		op_fail(ctx, code, "%s", cause);
		free(cause);
		return -1;
	}
	ctx->object = xprintf("proposal %lld", id);
	prompt_event(ctx, "evaluating", id, NULL);
	return 0;
}

/* Pushes once the release is committed: a push started inside the op's transaction would
   read, and might send, a release that then rolls back. */
static void
push_committed(struct op_ctx *ctx)
{
	prompts_push(ctx->d);
}

/* prompt.approve: four eyes, the eval gate (or an admin's stated override), then release,
   or begin a canary rollout of it. */
int
op_prompt_approve(struct op_ctx *ctx)
{
	struct daemon *s = ctx->d;
	const struct identity *who = ctx->who;
	struct release_approval ap;
	struct prompts_released rel;
	struct rollout_policy policy;
	char *cause = NULL, *reason = NULL;
	const char *code;
	cJSON *p, *e;
	long long id, rid;
	int rc, overridden;

	if (need_repo(ctx) != 0 || (p = open_proposal(ctx, &id)) == NULL)
		return -1;
	e = cJSON_GetObjectItem(p, "eval");
	memset(&ap, 0, sizeof ap);
	ap.proposal = id;
	ap.author = json_str(p, "author", "");
	ap.approver = who->user;
	ap.role = who->role;
	ap.pass_rate = e != NULL && strcmp(json_str(e, "status", ""), "done") == 0 ?
	    json_num_or(e, "pass_rate", NAN) : NAN;
	ap.gate = s->cfg->eval_gate;
	ap.override = op_str(ctx, "override");
	if (release_approve_check(&ap, &overridden, &code, &cause) != 0 ||
	    (op_bool(ctx, "canary", 0) && rollout_policy_args(ctx, json_str(p, "assistant", ""),
	    &policy, &code, &cause) != 0)) {
		op_fail(ctx, code, "%s", cause);
		free(cause);
		cJSON_Delete(p);
		return -1;
	}
	if (overridden)
		reason = xstrdup(ap.override);
	ctx->object = xprintf("proposal %lld", id);
	ctx->details = cJSON_CreateObject();
	if (reason != NULL)
		cJSON_AddStringToObject(ctx->details, "override", reason);
	if (op_bool(ctx, "canary", 0)) {
		if (rollout_begin(s, p, who->user, reason, &policy, &rid, &code, &cause) != 0) {
			op_fail(ctx, code, "%s", cause);
			free(cause);
			free(reason);
			cJSON_Delete(p);
			return -1;
		}
		cJSON_AddNumberToObject(ctx->reply, "rollout", (double)rid);
		cJSON_AddNumberToObject(ctx->reply, "weight", policy.steps[0]);
		cJSON_AddNumberToObject(ctx->details, "rollout", (double)rid);
		cJSON_AddItemToObject(ctx->details, "policy", rollout_policy_json(&policy));
		prompt_event(ctx, "canary", id, NULL);
		ctx->committed = push_committed;
		free(reason);
		cJSON_Delete(p);
		return 0;
	}
	if ((rc = rollout_refuses(s, json_str(p, "assistant", ""), &cause)) != 0 ||
	    (rc = prompts_release(s, p, who->user, reason, NULL, 0, &rel, &cause)) != REPO_OK) {
		free(reason);
		cJSON_Delete(p);
		return repo_fail(ctx, rc, cause);
	}
	cJSON_AddStringToObject(ctx->reply, "release", rel.tag);
	cJSON_AddStringToObject(ctx->reply, "commit", rel.commit);
	cJSON_AddStringToObject(ctx->details, "release", rel.tag);
	cJSON_AddStringToObject(ctx->details, "commit", rel.commit);
	cJSON_AddStringToObject(ctx->details, "eval", rel.eval);
	prompt_event(ctx, "released", id, rel.tag);
	ctx->committed = push_committed;
	free(reason);
	free(rel.tag);
	cJSON_Delete(p);
	return 0;
}

/* prompt.reject: with a reason. */
int
op_prompt_reject(struct op_ctx *ctx)
{
	char *reason, *cause = NULL;
	long long id;
	cJSON *p;

	if (release_reject_check(op_str(ctx, "reason"), &cause) != 0) {
		op_fail(ctx, "invalid_argument", "%s", cause);
		free(cause);
		return -1;
	}
	if (need_repo(ctx) != 0 || (p = open_proposal(ctx, &id)) == NULL)
		return -1;
	cJSON_Delete(p);
	reason = xstrdup(op_str(ctx, "reason"));
	if (proposal_decide(ctx->d->db, id, "rejected", ctx->who->user, clock_now(),
	    reason, NULL, &cause) != 0) {
		free(reason);
		return repo_fail(ctx, REPO_CONFLICT, cause);
	}
	ctx->object = xprintf("proposal %lld", id);
	ctx->details = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx->details, "reason", reason);
	prompt_event(ctx, "rejected", id, NULL);
	free(reason);
	return 0;
}

/* prompt.rollback: production's assistant back to an earlier release, as a new release. */
int
op_prompt_rollback(struct op_ctx *ctx)
{
	struct daemon *s = ctx->d;
	const char *a, *to = op_str(ctx, "to");
	struct release_row r;
	struct trailer tr[2];
	char *cause = NULL, *msg, *text, *tag, commit[REPO_ID_LEN + 1],
	    cur[REPO_ID_LEN + 1], old[REPO_ID_LEN + 1];
	cJSON *names, *latest, *target;
	long long n;
	int rc;

	if ((a = assistant_arg(ctx, &names)) == NULL) {
		cJSON_Delete(names);
		return -1;
	}
	if ((rc = rollout_refuses(s, a, &cause)) != 0) {
		cJSON_Delete(names);
		return repo_fail(ctx, rc, cause);
	}
	if ((latest = release_get(s->db, a, NULL)) == NULL) {
		cJSON_Delete(names);
		return op_fail(ctx, "not_found", "%s has no release", a);
	}
	target = to != NULL ? release_get(s->db, NULL, to) : release_before(s->db, a,
	    (long long)json_num_or(latest, "n", 0));
	if (target == NULL || !release_tag_of(json_str(target, "tag", ""), a)) {
		rc = to != NULL ? op_fail(ctx, "not_found", "no release %.80s of %s", to, a) :
		    op_fail(ctx, "not_found", "%s has no release before %s", a,
		    json_str(latest, "tag", ""));
		goto out;
	}
	if (repo_subtree(prompt_repo(), "production", a, cur, &cause) != 0 ||
	    repo_subtree(prompt_repo(), json_str(target, "tag", ""), a, old, &cause) != 0) {
		rc = repo_fail(ctx, REPO_ERROR, cause);
		goto out;
	}
	if (release_rollback_check(a, json_str(target, "tag", ""), cur, old, &cause) != 0) {
		op_fail(ctx, "conflict", "%s", cause);
		free(cause);
		rc = -1;
		goto out;
	}
	n = release_next(s->db, a);
	tag = release_tag(a, n);
	tr[0] = (struct trailer){ "Rollback-of", json_str(latest, "tag", "") };
	tr[1] = (struct trailer){ "Restores", json_str(target, "tag", "") };
	text = xprintf("Release %lld of %s: roll back to %s", n, a, json_str(target, "tag", ""));
	msg = trailer_message(text, tr, 2);
	rc = repo_rollback(prompt_repo(), a, json_str(target, "tag", ""), tag, msg,
	    ctx->who->user, commit, &cause);
	free(msg);
	if (rc != REPO_OK) {
		free(text);
		free(tag);
		rc = repo_fail(ctx, rc, cause);
		goto out;
	}
	memset(&r, 0, sizeof r);
	r.assistant = a;
	r.n = n;
	r.tag = tag;
	r.commit = commit;
	r.created_at = clock_now();
	r.author = ctx->who->user;
	r.description = text + strcspn(text, ":") + 2;
	r.pass_rate = -1;
	r.rollback_of = json_str(latest, "tag", "");
	if (release_add(s->db, &r, &cause) != 0) {
		free(text);
		free(tag);
		rc = repo_fail(ctx, REPO_ERROR, cause);
		goto out;
	}
	cJSON_AddStringToObject(ctx->reply, "release", tag);
	cJSON_AddStringToObject(ctx->reply, "restores", json_str(target, "tag", ""));
	cJSON_AddStringToObject(ctx->reply, "commit", commit);
	ctx->object = xstrdup(tag);
	ctx->details = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx->details, "rollback_of", json_str(latest, "tag", ""));
	cJSON_AddStringToObject(ctx->details, "restores", json_str(target, "tag", ""));
	cJSON_AddStringToObject(ctx->details, "commit", commit);
	prompt_event(ctx, "rolled_back", 0, tag);
	ctx->committed = push_committed;
	free(text);
	free(tag);
	rc = 0;
out:
	cJSON_Delete(target);
	cJSON_Delete(latest);
	cJSON_Delete(names);
	return rc;
}

/* prompt.history: releases, newest first, in pages. */
int
op_prompt_history(struct op_ctx *ctx)
{
	if (need_repo(ctx) != 0)
		return -1;
	cJSON_AddItemToObject(ctx->reply, "releases", release_history(ctx->d->db,
	    op_str(ctx, "assistant"), op_int(ctx, "before", 0), (int)op_int(ctx, "limit",
	    100)));
	return 0;
}
