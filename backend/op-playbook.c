/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/events.h"
#include "backend/format.h"
#include "backend/incident.h"
#include "backend/json.h"
#include "backend/library.h"
#include "backend/ops.h"
#include "backend/playbook.h"
#include "backend/poller.h"
#include "backend/proto.h"
#include "backend/run.h"
#include "backend/xmalloc.h"

/* playbook.list: the library in the caller's language, the runs still open, and the files
   left out with their problems. */
int
op_playbook_list(struct op_ctx *ctx)
{
	cJSON_AddItemToObject(ctx->reply, "playbooks", library_list(ctx->d->library,
	    op_str(ctx, "lang")));
	cJSON_AddItemToObject(ctx->reply, "runs", run_list(ctx->d->db, 1, 200));
	if (ctx->d->library_problems != NULL)
		cJSON_AddStringToObject(ctx->reply, "problems", ctx->d->library_problems);
	return 0;
}

/* playbook.show: one playbook, parsed. */
int
op_playbook_show(struct op_ctx *ctx)
{
	const char *hash = NULL;
	const cJSON *pb = library_get(ctx->d->library, op_str(ctx, "playbook"),
	    op_str(ctx, "lang"), &hash);

	if (pb == NULL)
		return op_fail(ctx, "not_found", "no playbook \"%.64s\"", op_str(ctx, "playbook"));
	cJSON_AddItemToObject(ctx->reply, "playbook", cJSON_Duplicate(pb, 1));
	cJSON_AddStringToObject(ctx->reply, "hash", hash);
	return 0;
}

/* Tells the incident a run is bound to (if any) what happened, on its timeline. */
static int
run_to_incident(struct op_ctx *ctx, long long run, const char *text, char **cause)
{
	long long incident = run_incident(ctx->d->db, run);

	if (incident <= 0)
		return 0;
	return incident_timeline(ctx->d->db, incident, time(NULL), ctx->who->user,
	    "playbook", text, NULL, cause);
}

static void
run_event(struct op_ctx *ctx, long long run, const char *action)
{
	cJSON *ev = proto_event("run");

	cJSON_AddStringToObject(ev, "action", action);
	cJSON_AddStringToObject(ev, "actor", ctx->who->user);
	cJSON_AddNumberToObject(ev, "run", (double)run);
	ctx->event = ev;
	ctx->event_topic = TOPIC_INCIDENT;
}

/* run.start: a run of a playbook, bound to an incident when one is given. */
int
op_run_start(struct op_ctx *ctx)
{
	const char *hash = NULL;
	const cJSON *pb;
	long long incident = op_int(ctx, "incident", 0), run;
	char *cause = NULL, *text;
	cJSON *inc;

	pb = library_get(ctx->d->library, op_str(ctx, "playbook"), op_str(ctx, "lang"), &hash);
	if (pb == NULL)
		return op_fail(ctx, "not_found", "no playbook \"%.64s\"", op_str(ctx, "playbook"));
	if (incident > 0) {
		if ((inc = incident_get(ctx->d->db, &ctx->d->policy, incident, time(NULL),
		    0)) == NULL)
			return op_fail(ctx, "not_found", "no incident %lld", incident);
		cJSON_Delete(inc);
	}
	if ((run = run_start(ctx->d->db, pb, hash, incident, ctx->who->user, time(NULL),
	    &cause)) < 0) {
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	text = xprintf("playbook %s started (run %lld): %s", json_str(pb, "id", ""), run, json_str(pb, "title", ""));
	if (run_to_incident(ctx, run, text, &cause) != 0) {
		free(text);
		op_fail(ctx, "internal", "%s", cause);
		free(cause);
		return -1;
	}
	free(text);
	ctx->object = xprintf("run %lld", run);
	ctx->details = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx->details, "playbook", json_str(pb, "id", ""));
	cJSON_AddStringToObject(ctx->details, "hash", hash);
	if (incident > 0)
		cJSON_AddNumberToObject(ctx->details, "incident", (double)incident);
	cJSON_AddNumberToObject(ctx->reply, "run", (double)run);
	run_event(ctx, run, "start");
	return 0;
}

int
op_run_list(struct op_ctx *ctx)
{
	cJSON_AddItemToObject(ctx->reply, "runs", run_list(ctx->d->db, !op_bool(ctx, "all", 0),
	    (int)op_int(ctx, "limit", 200)));
	return 0;
}

static cJSON *
run_now(struct op_ctx *ctx, long long run)
{
	cJSON *r;
	const char *hash = NULL;
	char *id;

	if ((r = run_get(ctx->d->db, run, NULL, time(NULL))) == NULL)
		return NULL;
	id = xstrdup(json_str(r, "playbook", ""));
	library_get(ctx->d->library, id, json_str(r, "lang", ""), &hash);
	cJSON_Delete(r);
	free(id);
	return run_get(ctx->d->db, run, hash, time(NULL));
}

/* Text with each <NAME> of the names replaced by its value (a new string). */
static char *
fill_text(const char *text, const char *const names[], const char *const values[], int n)
{
	struct buf b;
	const char *p = text, *lt;
	size_t len;
	int i;

	buf_init(&b);
	while ((lt = strchr(p, '<')) != NULL) {
		buf_add(&b, p, (size_t)(lt - p));
		for (i = 0; i < n; i++) {
			len = strlen(names[i]);
			if (values[i] != NULL && strncmp(lt + 1, names[i], len) == 0 &&
			    lt[1 + len] == '>')
				break;
		}
		if (i < n) {
			buf_addstr(&b, values[i]);
			p = lt + strlen(names[i]) + 2;
		} else {
			buf_addch(&b, '<');
			p = lt + 1;
		}
	}
	buf_addstr(&b, p);
	return buf_take(&b);
}

/*
 * The placeholders of the playbooks that the daemon knows, filled in the run's sh and code
 * blocks as shown and exported (the run keeps its playbook as started): <ID> the incident
 * the run is bound to, <PROMETHEUS_URL> without any credentials, <PROMPT_REPO>.
 */
static void
run_fill(struct op_ctx *ctx, cJSON *run)
{
	static const char *const names[] = { "ID", "PROMETHEUS_URL", "PROMPT_REPO" };
	const char *values[3] = { NULL, NULL, NULL }, *url = ctx->d->cfg->prom_url, *at, *sl;
	const cJSON *s, *b, *t;
	char id[24], *clean = NULL, *filled;

	if (cJSON_IsNumber(cJSON_GetObjectItem(run, "incident"))) {
		snprintf(id, sizeof id, "%.0f", json_num(run, "incident"));
		values[0] = id;
	}
	if (url != NULL && *url != '\0') {
		/* scheme://user:pass@host/...: the part before @ stays in the config. */
		sl = strstr(url, "//");
		at = sl != NULL ? strchr(sl + 2, '@') : NULL;
		if (at != NULL && (strchr(sl + 2, '/') == NULL || at < strchr(sl + 2, '/')))
			clean = xprintf("%.*s%s", (int)(sl + 2 - url), url, at + 1);
		values[1] = clean != NULL ? clean : url;
	}
	if (ctx->d->cfg->prompt_repo != NULL && *ctx->d->cfg->prompt_repo != '\0')
		values[2] = ctx->d->cfg->prompt_repo;
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(cJSON_GetObjectItem(run, "content"), "steps")) {
		cJSON_ArrayForEach(b, cJSON_GetObjectItem(s, "blocks")) {
			t = cJSON_GetObjectItem(b, "text");
			if (!cJSON_IsString(t) || (strcmp(json_str(b, "type", ""), "sh") != 0 &&
			    strcmp(json_str(b, "type", ""), "code") != 0))
				continue;
			filled = fill_text(t->valuestring, names, values, 3);
			cJSON_ReplaceItemInObject((cJSON *)b, "text", cJSON_CreateString(filled));
			free(filled);
		}
	}
	free(clean);
}

int
op_run_show(struct op_ctx *ctx)
{
	cJSON *r = run_now(ctx, op_int(ctx, "run", 0));

	if (r == NULL)
		return op_fail(ctx, "not_found", "no run %lld", op_int(ctx, "run", 0));
	run_fill(ctx, r);
	cJSON_AddItemToObject(ctx->reply, "run", r);
	return 0;
}

int
op_run_export(struct op_ctx *ctx)
{
	cJSON *r = run_now(ctx, op_int(ctx, "run", 0));
	char *md;

	if (r == NULL)
		return op_fail(ctx, "not_found", "no run %lld", op_int(ctx, "run", 0));
	run_fill(ctx, r);
	md = run_markdown(r);
	cJSON_AddStringToObject(ctx->reply, "markdown", md);
	free(md);
	cJSON_Delete(r);
	return 0;
}

/* The title of a step of a run, for timeline texts. */
static char *
step_title(struct op_ctx *ctx, long long run, int step)
{
	cJSON *r = run_get(ctx->d->db, run, NULL, time(NULL));
	const cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r,
	    "content"), "steps"), step);
	char *t = xprintf("%s, step %d \"%s\"", json_str(r, "playbook", ""), step + 1, json_str(s, "title", ""));

	cJSON_Delete(r);
	return t;
}

/* "playbook ID finished (run N): 5 done, 0 skipped, 1 failed in 12m" */
static char *
finished_text(struct op_ctx *ctx, long long run)
{
	cJSON *r = run_get(ctx->d->db, run, NULL, time(NULL));
	const cJSON *sum = cJSON_GetObjectItem(r, "summary");
	char dur[16], *t;

	format_age(dur, sizeof dur, (long)cJSON_GetNumberValue(cJSON_GetObjectItem(sum,
	    "seconds")));
	t = xprintf("playbook %s finished (run %lld): %.0f done, %.0f skipped, %.0f failed in %s",
	    json_str(r, "playbook", ""), run, cJSON_GetNumberValue(cJSON_GetObjectItem(sum, "done")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(sum, "skipped")),
	    cJSON_GetNumberValue(cJSON_GetObjectItem(sum, "failed")), dur);
	cJSON_Delete(r);
	return t;
}

/* run.step, run.tick, run.note: one action on a step, audited, on the incident's timeline. */
int
op_run_act(struct op_ctx *ctx)
{
	long long run = op_int(ctx, "run", 0);
	int step = (int)op_int(ctx, "step", 1) - 1, finished = 0, rc;
	const char *code = "internal", *what = ctx->op->name + 4;
	char *note = NULL, *cause = NULL, *title, *text;

	if (op_str(ctx, "text") != NULL)
		note = xstrdup(op_str(ctx, "text"));
	if (strcmp(what, "step") == 0)
		rc = run_step(ctx->d->db, run, step, op_str(ctx, "result"), note,
		    ctx->who->user, time(NULL), &finished, &code, &cause);
	else if (strcmp(what, "tick") == 0)
		rc = run_tick(ctx->d->db, run, step, (int)op_int(ctx, "item", 0),
		    op_bool(ctx, "ticked", 1), ctx->who->user, time(NULL), &code, &cause);
	else
		rc = run_note(ctx->d->db, run, step, note != NULL ? note : "",
		    ctx->who->user, time(NULL), &code, &cause);
	if (rc == 0 && strcmp(what, "tick") != 0) {
		title = step_title(ctx, run, step);
		text = strcmp(what, "step") == 0 ? xprintf("%s %s%s%s", title,
		    op_str(ctx, "result"), note != NULL && *note ? ": " : "",
		    note != NULL ? note : "") : xprintf("%s note: %s", title, note);
		rc = run_to_incident(ctx, run, text, &cause);
		if (rc == 0 && finished) {
			free(text);
			text = finished_text(ctx, run);
			rc = run_to_incident(ctx, run, text, &cause);
		}
		free(text);
		free(title);
	}
	if (rc != 0) {
		op_fail(ctx, code, "%s", cause);
		free(cause);
		free(note);
		return -1;
	}
	ctx->object = xprintf("run %lld", run);
	ctx->details = cJSON_CreateObject();
	cJSON_AddNumberToObject(ctx->details, "step", step + 1);
	if (op_str(ctx, "result") != NULL)
		cJSON_AddStringToObject(ctx->details, "result", op_str(ctx, "result"));
	if (note != NULL)
		cJSON_AddStringToObject(ctx->details, "text", note);
	cJSON_AddBoolToObject(ctx->reply, "finished", finished);
	free(note);
	run_event(ctx, run, what);
	return 0;
}

/* run.check: the live checks of a step, evaluated now against the metrics source. */
struct check_job {
	struct ops_later *later;
	cJSON		*results;	/* one object per check, filled as answers come */
	int		 pending;
};

struct check_one {
	struct check_job	*job;
	cJSON			*result;
	struct pb_condition	 cond;
};

/* One answer (or the start) less to wait for; the last one replies. */
static void
check_release(struct check_job *j)
{
	cJSON *fields;

	if (--j->pending > 0)
		return;
	fields = cJSON_CreateObject();
	cJSON_AddItemToObject(fields, "checks", j->results);
	ops_later_send(j->later, fields, NULL, NULL);
	free(j);
}

static void
check_answer(void *arg, double v, const char *error)
{
	struct check_one *one = arg;
	struct check_job *j = one->job;

	if (error != NULL)
		cJSON_AddStringToObject(one->result, "error", error);
	else
		cJSON_AddNumberToObject(one->result, "value", isfinite(v) ? v : 0);
	cJSON_AddBoolToObject(one->result, "pass", error == NULL &&
	    pb_condition_eval(&one->cond, v));
	free(one);
	check_release(j);
}

int
op_run_check(struct op_ctx *ctx)
{
	long long run = op_int(ctx, "run", 0);
	int step = (int)op_int(ctx, "step", 1) - 1;
	cJSON *r = run_get(ctx->d->db, run, NULL, time(NULL));
	const cJSON *s, *b;
	struct check_job *j;
	struct check_one *one;
	char *why = NULL;

	if (r == NULL)
		return op_fail(ctx, "not_found", "no run %lld", run);
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "content"), "steps"),
	    step);
	if (s == NULL) {
		cJSON_Delete(r);
		return op_fail(ctx, "invalid_argument", "run %lld has no step %d", run, step + 1);
	}
	if (poller_busy(ctx->d->poller, &why)) {
		cJSON_Delete(r);
		op_fail(ctx, "busy", "%s", why);
		free(why);
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->later = ops_later(ctx);
	j->results = cJSON_CreateArray();
	/* One more than the checks, released below, so no answer finishes the job early. */
	j->pending = 1;
	cJSON_ArrayForEach(b, cJSON_GetObjectItem(s, "blocks")) {
		if (strcmp(json_str(b, "type", ""), "check") != 0)
			continue;
		one = xcalloc(1, sizeof *one);
		one->job = j;
		one->result = cJSON_CreateObject();
		cJSON_AddStringToObject(one->result, "query", json_str(b, "query", ""));
		cJSON_AddStringToObject(one->result, "expect", json_str(b, "expect", ""));
		cJSON_AddItemToArray(j->results, one->result);
		j->pending++;
		if (pb_condition_parse(json_str(b, "expect", ""), &one->cond, &why) != 0) {
			check_answer(one, NAN, why);
			free(why);
			why = NULL;
			continue;
		}
		poller_instant(ctx->d->poller, json_str(b, "query", ""), check_answer, one);
	}
	cJSON_Delete(r);
	check_release(j);
	return 0;
}
