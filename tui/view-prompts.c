/* SPDX-License-Identifier: ISC */
/*
 * Prompt releases: each assistant's live release, the proposals with their state and eval,
 * and the detail of one proposal (its eval next to production's, the cases, the coloured
 * diff) where it is approved or rejected; H switches to the release history. Proposals are
 * written in $EDITOR on a copy of production's file.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/client.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/xmalloc.h"
#include "tui/cmdline.h"
#include "tui/console.h"
#include "tui/draw.h"
#include "tui/view-feedback.h"
#include "tui/view.h"
#include "tui/widget-list.h"

#define HISTORY_LIMIT	200
/* The releases' KPIs are asked again this often while the view is open (on the KPI polls). */
#define KPIS_EVERY	30
#define MAX_FILE	(256 * 1024)

/* One line of the detail screen. */
struct line {
	enum style	 style;
	char		*text;
};

static struct {
	cJSON		*state;		/* the prompt.list reply, owned */
	time_t		 state_at;	/* when it came */
	cJSON		*history;	/* releases, owned */
	int		 history_mode;
	struct list	 list;
	char		*error;

	long long	 detail_id;	/* the proposal open in detail, or 0 */
	cJSON		*detail;	/* its prompt.show reply, owned */
	struct line	*lines;
	int		 nlines, top, height;
	int		 cap;		/* lines allocated: grows by doubling, so a long diff
					   costs its length */

	char		*edited;	/* a file written in $EDITOR, waiting for its description */
	const char	*edited_arg;	/* "system" or "model" */
	char		*edited_assistant;
	long long	 act_id;
	const char	*act_op;	/* the rollout op a reason is asked for */
	char		 act_assistant[129];

	cJSON		*kpis;		/* the prompt.kpis reply, owned */
	time_t		 kpis_at;	/* when it was asked for */
} pr;

static const cJSON *
rows(void)
{
	return pr.history_mode ? pr.history : cJSON_GetObjectItem(pr.state, "proposals");
}

static const cJSON *
selected(void)
{
	return cJSON_GetArrayItem(rows(), pr.list.sel);
}

static void
lines_clear(void)
{
	int i;

	for (i = 0; i < pr.nlines; i++)
		free(pr.lines[i].text);
	free(pr.lines);
	pr.lines = NULL;
	pr.nlines = pr.cap = 0;
}

static void
line_add(enum style s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
line_add(enum style s, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = xstrdup("");
	va_end(ap);
	if (pr.nlines == pr.cap) {
		pr.cap = pr.cap > 0 ? pr.cap * 2 : 64;
		pr.lines = xreallocarray(pr.lines, (size_t)pr.cap, sizeof *pr.lines);
	}
	pr.lines[pr.nlines].style = s;
	pr.lines[pr.nlines++].text = text;
}

static void
pct(char *buf, size_t len, const cJSON *o, const char *key)
{
	double v = json_num(o, key);

	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", v * 100);
}

static void
when(char *buf, size_t len, const cJSON *o, const char *key)
{
	time_t t = (time_t)json_num_or(o, key, 0);

	format_time(buf, len, t);
}

/* The detail as lines: who and what, the eval beside production's, the cases, the diff. */
static void
detail_build(void)
{
	const cJSON *r = pr.detail, *p = cJSON_GetObjectItem(r, "proposal"), *e, *b, *c;
	const char *d, *nl;
	char t[32], rate[16], base[16];
	double gate = json_num_or(r, "gate", 0), pass;
	enum style s;

	lines_clear();
	when(t, sizeof t, p, "created_at");
	line_add(STYLE_TITLE, "#%.0f %s  %s  by %s  %s  %s", json_num(p, "id"),
	    json_str(p, "state", ""), json_str(p, "assistant", ""), json_str(p, "author", ""), t,
	    json_str(p, "files", ""));
	for (d = json_str(p, "description", ""); *d != '\0'; d = *nl ? nl + 1 : nl) {
		nl = d + strcspn(d, "\n");
		line_add(STYLE_NORMAL, "  %.*s", (int)(nl - d), d);
	}
	if (cJSON_GetObjectItem(p, "decided_by") != NULL)
		line_add(STYLE_STRONG, "%s by %s%s%s%s%s", json_str(p, "state", ""),
		    json_str(p, "decided_by", ""), cJSON_GetObjectItem(p, "reason") ? ": " : "",
		    json_str(p, "reason", ""), cJSON_GetObjectItem(p, "release") ? " -> " : "",
		    json_str(p, "release", ""));
	line_add(STYLE_NORMAL, "%s", "");
	e = cJSON_GetObjectItem(p, "eval");
	b = cJSON_GetObjectItem(r, "baseline");
	if (cJSON_GetObjectItem(p, "eval_total") != NULL)
		line_add(STYLE_WARN, "eval running: %.0f of %.0f runs", json_num(p, "eval_done"),
		    json_num(p, "eval_total"));
	else if (e == NULL)
		line_add(STYLE_DIM, "no eval yet: e runs the cases against staging (gate %.0f%%)",
		    gate);
	else {
		pass = json_num(e, "pass_rate");
		pct(rate, sizeof rate, e, "pass_rate");
		pct(base, sizeof base, b, "pass_rate");
		s = strcmp(json_str(e, "status", ""), "done") != 0 ? STYLE_WARN :
		    pass * 100 + 1e-9 >= gate ? STYLE_OK : STYLE_CRIT;
		line_add(s, "eval %s: %s of %.0f cases passed (gate %.0f%%); production: %s",
		    json_str(e, "status", ""), rate, json_num_or(e, "cases", 0), gate,
		    b != NULL ? base : "no eval");
		if (cJSON_GetObjectItem(e, "cost_per_answer") != NULL)
			line_add(STYLE_NORMAL, "cost per answer %.6f; production %.6f",
			    json_num(e, "cost_per_answer"), json_num_or(b, "cost_per_answer", 0));
		if (cJSON_GetObjectItem(e, "error") != NULL)
			line_add(STYLE_ERROR, "%s", json_str(e, "error", ""));
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(e, "results"))
			line_add(json_num(c, "pass") ? STYLE_NORMAL : STYLE_CRIT, "  %s %-20s "
			    "%.0f/%.0f  %5.0f ms  %s", json_num(c, "pass") ? "pass" : "FAIL",
			    json_str(c, "id", ""), json_num(c, "passed"), json_num(c, "runs"),
			    json_num_or(c, "latency_ms", 0), json_str(c, "why", ""));
	}
	line_add(STYLE_NORMAL, "%s", "");
	for (d = json_str(r, "diff", ""); *d != '\0'; d = *nl ? nl + 1 : nl) {
		nl = d + strcspn(d, "\n");
		s = strncmp(d, "+++", 3) == 0 || strncmp(d, "---", 3) == 0 ||
		    strncmp(d, "diff ", 5) == 0 ? STYLE_STRONG : *d == '+' ? STYLE_ADDED :
		    *d == '-' ? STYLE_REMOVED : *d == '@' ? STYLE_TITLE : STYLE_NORMAL;
		line_add(s, "%.*s", (int)(nl - d), d);
	}
}

static void
detail_reply(void *arg, const cJSON *r)
{
	if (r == NULL || (long long)(intptr_t)arg != pr.detail_id)
		return;
	if (client_error(r) != NULL) {
		console_error("%s", client_error(r));
		pr.detail_id = 0;
		return;
	}
	cJSON_Delete(pr.detail);
	pr.detail = console_take(NULL, r);
	detail_build();
	console_dirty();
}

static void
detail_request(long long id)
{
	cJSON *req = client_request("prompt.show");

	pr.detail_id = id;
	cJSON_AddNumberToObject(req, "proposal", (double)id);
	console_request(req, detail_reply, (void *)(intptr_t)id);
}

static void
list_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	free(pr.error);
	pr.error = client_error(r) != NULL ? xstrdup(client_error(r)) : NULL;
	if (pr.error == NULL) {
		cJSON_Delete(pr.state);
		pr.state = console_take(NULL, r);
		pr.state_at = time(NULL);
	}
	if (!pr.history_mode)
		pr.list.n = cJSON_GetArraySize(rows());
	console_dirty();
}

static void
history_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL || client_error(r) != NULL)
		return;
	cJSON_Delete(pr.history);
	pr.history = console_take(r, cJSON_GetObjectItem(r, "releases"));
	if (pr.history_mode)
		pr.list.n = cJSON_GetArraySize(rows());
	console_dirty();
}

static void
kpis_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	cJSON_Delete(pr.kpis);
	pr.kpis = client_error(r) == NULL ? console_take(NULL, r) : NULL;
	console_dirty();
}

static void
kpis_request(void)
{
	pr.kpis_at = time(NULL);
	console_request(client_request("prompt.kpis"), kpis_reply, NULL);
}

/* One release's figures: "live 5 (12m): 340 req, errors 2.1 %, ..." */
static void
draw_release_kpis(int y, int w, const char *which, const cJSON *r, const char *currency)
{
	static const struct {
		const char	*key;
		const char	*label;
		int		 precision;
		const char	*unit;
	} figs[] = {
		{ "requests", "", 0, "req" }, { "error_rate", "errors ", 1, "%" },
		{ "latency_p95", "p95 ", 2, "s" }, { "feedback", "feedback ", 1, "%" },
		{ "cost_per_request", "", 4, NULL },
	};
	char line[256], value[48], age[16];
	const cJSON *v;
	size_t i, len;

	format_age(age, sizeof age, (long)json_num_or(r, "window", 0));
	len = (size_t)snprintf(line, sizeof line, "  %-6s %.0f (%s):", which,
	    json_num_or(r, "release", 0), age);
	for (i = 0; i < sizeof figs / sizeof figs[0] && len < sizeof line; i++) {
		v = cJSON_GetObjectItem(r, figs[i].key);
		if (cJSON_IsNumber(v))
			format_value(value, sizeof value, v->valuedouble, figs[i].precision,
			    figs[i].unit != NULL ? figs[i].unit : currency);
		else
			snprintf(value, sizeof value, "-");
		len += (size_t)snprintf(line + len, sizeof line - len, "%s %s%s%s", i ? "," : "",
		    figs[i].label, value, figs[i].unit == NULL ? "/req" : "");
	}
	draw_text(y, 1, w - 2, STYLE_NORMAL, line);
}

static void
prompts_open(void)
{
	cJSON *req;

	kpis_request();
	console_request(client_request("prompt.list"), list_reply, NULL);
	req = client_request("prompt.history");
	cJSON_AddNumberToObject(req, "limit", HISTORY_LIMIT);
	console_request(req, history_reply, NULL);
	if (pr.detail_id > 0)
		detail_request(pr.detail_id);
}

static void
draw_detail(int y, int h, int w)
{
	int i, row = y;

	pr.height = h;
	if (pr.detail == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	for (i = pr.top; i < pr.nlines && row < y + h; i++)
		draw_text(row++, 1, w - 2, pr.lines[i].style, pr.lines[i].text);
}

/* A release: a rollback's description says what it restores. */
static void
draw_history_row(int y, int w, const cJSON *r, int sel)
{
	char t[32], rate[16], line[512];
	time_t at = (time_t)json_num_or(r, "created_at", 0);
	const char *d = json_str(r, "description", "");
	int x;

	format_time(t, sizeof t, at);
	pct(rate, sizeof rate, r, "pass_rate");
	snprintf(line, sizeof line, " %-20s %s  %-10s %-10s %4s  ", json_str(r, "tag", ""), t,
	    json_str(r, "author", ""), json_str(r, "approver", "-"), rate);
	draw_line(y, 0, w, sel ? STYLE_SELECTED : STYLE_NORMAL, line);
	x = draw_width(line);
	draw_printf(y, x, w - x, sel ? STYLE_SELECTED : cJSON_GetObjectItem(r, "rollback_of") ?
	    STYLE_WARN : STYLE_NORMAL, "%.*s", (int)strcspn(d, "\n"), d);
}

static void
draw_proposal_row(int y, int w, const cJSON *p, int sel)
{
	const cJSON *e = cJSON_GetObjectItem(p, "eval");
	char line[512], eval[32];
	const char *d = json_str(p, "description", "");

	if (cJSON_GetObjectItem(p, "eval_total") != NULL)
		snprintf(eval, sizeof eval, "%.0f/%.0f", json_num(p, "eval_done"),
		    json_num(p, "eval_total"));
	else if (e != NULL && strcmp(json_str(e, "status", ""), "done") == 0)
		pct(eval, sizeof eval, e, "pass_rate");
	else
		snprintf(eval, sizeof eval, "%s", e != NULL ? json_str(e, "status", "") : "-");
	snprintf(line, sizeof line, " #%-4.0f %-10s %-7s %-10s %.*s", json_num(p, "id"),
	    cJSON_GetObjectItem(p, "eval_total") ? "evaluating" : json_str(p, "state", ""), eval,
	    json_str(p, "author", ""), (int)strcspn(d, "\n"), d);
	draw_line(y, 0, w, sel ? STYLE_SELECTED : STYLE_NORMAL, line);
}

/* Vendor drift: another model answers the requests for the pinned one. */
static void
draw_drift(int y, int w, const cJSON *a, int *row)
{
	const cJSON *ans = cJSON_GetObjectItem(a, "answering");

	if (!cJSON_IsTrue(cJSON_GetObjectItem(ans, "drift")))
		return;
	draw_printf(y, 3, w - 4, STYLE_WARN, "%s vendor drift: answered by %s (%.0f %%), not the "
	    "pinned %s", draw_glyph(GLYPH_WARN), json_str(ans, "model", "?"),
	    100 * json_num(ans, "share"), json_str(a, "model", "?"));
	(*row)++;
}

/* The live rollout of an assistant: where it stands and each check, canary against
   production, as the last analysis judged it; an ended one says how it ended. */
static void
draw_rollout(int w, const cJSON *a, int *row)
{
	const cJSON *r = cJSON_GetObjectItem(a, "rollout"), *an, *c;
	const char *state = json_str(r, "state", ""), *verdict;
	char next[32] = "";
	double left;
	int live = strcmp(state, "running") == 0 || strcmp(state, "paused") == 0;

	if (r == NULL)
		return;
	if (!live) {
		/* How the last one ended, for an hour. */
		if (json_num_or(r, "now", 0) - json_num_or(r, "ended_at", 0) < 3600)
			draw_printf((*row)++, 3, w - 4, strcmp(state, "promoted") == 0 ? STYLE_OK :
			    STYLE_WARN, "canary #%.0f %s by %s%s%s", json_num(r, "proposal_id"),
			    strcmp(state, "rolled_back") == 0 ? "rolled back" : state,
			    json_str(r, "ended_by", ""), cJSON_GetObjectItem(r, "reason") ? ": " : "",
			    json_str(r, "reason", ""));
		return;
	}
	left = json_num(r, "next_at") - json_num(r, "now") - (double)(time(NULL) - pr.state_at);
	if (strcmp(state, "running") == 0)
		snprintf(next, sizeof next, ", next decision in %.0f s", left > 0 ? left : 0);
	/* The keys first to go when the terminal is narrow: ? lists them too. */
	draw_printf((*row)++, 3, w - 4, strcmp(state, "paused") == 0 ? STYLE_WARN : STYLE_TITLE,
	    "canary #%.0f at %.0f %% (step %.0f of %.0f), %s%s, %.0f of %.0f failed%s  "
	    "Z %s, A promote, X abort", json_num(r, "proposal_id"), json_num(r, "weight"),
	    json_num(r, "step") + 1, json_num(r, "steps_total"), state, next,
	    json_num(r, "failures"), json_num(r, "threshold"),
	    cJSON_GetObjectItem(r, "compare_until") != NULL ? ", A/B window" : "",
	    strcmp(state, "paused") == 0 ? "resume" : "pause");
	an = cJSON_GetObjectItem(r, "analysis");
	if (!cJSON_IsObject(an)) {
		draw_text((*row)++, 5, w - 6, STYLE_DIM, "no analysis yet");
		return;
	}
	draw_printf((*row)++, 5, w - 6, STYLE_DIM, "last analysis: %s: %s",
	    json_str(an, "decision", ""), json_str(an, "why", ""));
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(an, "checks")) {
		verdict = json_str(c, "verdict", "");
		draw_printf((*row)++, 5, w - 6, strcmp(verdict, "fail") == 0 ? STYLE_CRIT :
		    strcmp(verdict, "pass") == 0 ? STYLE_OK : STYLE_DIM, "%-17s %-8s %s",
		    json_str(c, "name", ""), verdict, json_str(c, "why", ""));
	}
}

static void
prompts_draw(int y, int h, int w)
{
	const cJSON *a, *push, *r;
	char rate[16], age[16], what[64];
	int row = y, i, n;

	if (view_feedback_shown()) {
		view_feedback_draw(y, h, w);
		return;
	}
	if (pr.detail_id > 0) {
		draw_detail(y, h, w);
		return;
	}
	if (pr.error != NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_ERROR, pr.error);
		return;
	}
	if (pr.state == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(pr.state, "assistants")) {
		pct(rate, sizeof rate, cJSON_GetObjectItem(a, "eval"), "pass_rate");
		draw_printf(row++, 1, w - 2, STYLE_NORMAL, "%s  live: %s  model %s  eval %s",
		    json_str(a, "name", ""), json_str(cJSON_GetObjectItem(a, "release"), "tag",
		    "none"), json_str(a, "model", "?"), rate);
		draw_drift(row, w, a, &row);
		draw_rollout(w, a, &row);
		/* The live release's KPIs next to the one before, as the deployment labels them. */
		if (pr.kpis != NULL && strcmp(json_str(pr.kpis, "assistant", ""),
		    json_str(a, "name", "")) == 0) {
			draw_release_kpis(row++, w, "live", cJSON_GetObjectItem(pr.kpis, "live"),
			    json_str(pr.kpis, "currency", ""));
			if (cJSON_GetObjectItem(pr.kpis, "previous") != NULL)
				draw_release_kpis(row++, w, "before",
				    cJSON_GetObjectItem(pr.kpis, "previous"),
				    json_str(pr.kpis, "currency", ""));
		}
	}
	push = cJSON_GetObjectItem(pr.state, "push");
	/* A push that has not completed, with its age now (the reply's, grown since). */
	if (*json_str(push, "remote", "") != '\0' && cJSON_GetObjectItem(push, "since") != NULL) {
		format_age(age, sizeof age, (long)(json_num(push, "age") +
		    (double)(time(NULL) - pr.state_at)));
		/* No release waiting: production or a canary branch moved. */
		if (json_num(push, "pending") == 0)
			snprintf(what, sizeof what, "the latest change");
		else
			snprintf(what, sizeof what, "%.0f release(s)%s", json_num(push, "pending"),
			    cJSON_IsFalse(cJSON_GetObjectItem(push, "production")) ?
			    " and production" : "");
		draw_printf(row++, 1, w - 2, cJSON_GetObjectItem(push, "error") != NULL ?
		    STYLE_WARN : STYLE_DIM, "remote %s: %s not pushed for %s%s",
		    json_str(push, "remote", ""), what, age,
		    cJSON_IsTrue(cJSON_GetObjectItem(push, "running")) ? ", pushing now" : "");
		if (cJSON_GetObjectItem(push, "error") != NULL)
			draw_printf(row++, 1, w - 2, STYLE_WARN, "last error: %s",
			    json_str(push, "error", ""));
	} else if (*json_str(push, "remote", "") != '\0')
		/* Always a line with a remote, so that a push under way moves no rows. */
		draw_printf(row++, 1, w - 2, STYLE_DIM, "remote %s: every release pushed",
		    json_str(push, "remote", ""));
	row++;
	if (pr.history_mode)
		draw_text(row++, 1, w - 2, STYLE_TITLE, "Releases, newest first (H: proposals)");
	else
		draw_printf(row++, 1, w - 2, STYLE_TITLE, "Proposals (gate %.0f%%; H: releases)",
		    json_num_or(pr.state, "gate", 0));
	n = cJSON_GetArraySize(rows());
	pr.list.n = n;
	if (n == 0) {
		draw_text(row + 1, 2, w - 4, STYLE_DIM, pr.history_mode ? "No releases." :
		    "No proposals. P proposes a change to the system prompt, M to the model.");
		return;
	}
	list_scroll(&pr.list, y + h - row);
	list_rows_at(&pr.list, row, w);
	for (i = pr.list.top; i < n && row < y + h; i++) {
		r = cJSON_GetArrayItem(rows(), i);
		if (pr.history_mode)
			draw_history_row(row++, w, r, i == pr.list.sel);
		else
			draw_proposal_row(row++, w, r, i == pr.list.sel);
	}
}

static void
act_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (console_failed(r))
		return;
	if (cJSON_GetObjectItem(r, "rollout") != NULL)
		console_note("canary rollout %.0f started at %.0f %%", json_num(r, "rollout"),
		    json_num(r, "weight"));
	else if (cJSON_GetObjectItem(r, "release") != NULL)
		console_note("released %s", json_str(r, "release", ""));
	else if (cJSON_GetObjectItem(r, "proposal") != NULL)
		console_note("proposal %.0f made: e runs its evals", json_num(r, "proposal"));
}

static void
act_send(const char *op, long long id, const char *key, const char *text)
{
	cJSON *req = client_request(op);

	if (id > 0)
		cJSON_AddNumberToObject(req, "proposal", (double)id);
	if (key != NULL && text != NULL && *text != '\0')
		cJSON_AddStringToObject(req, key, text);
	console_request(req, act_reply, NULL);
}

static void
described(const char *text)
{
	cJSON *req;

	if (text != NULL && pr.edited != NULL) {
		req = client_request("prompt.propose");
		cJSON_AddStringToObject(req, "description", text);
		cJSON_AddStringToObject(req, "assistant", pr.edited_assistant);
		cJSON_AddStringToObject(req, pr.edited_arg, pr.edited);
		console_request(req, act_reply, NULL);
	}
	free(pr.edited);
	free(pr.edited_assistant);
	pr.edited = pr.edited_assistant = NULL;
}

/* production's file arrived: edit a copy, then ask what the change is for. */
static void
cat_reply(void *arg, const cJSON *r)
{
	const char *arg_name = arg, *orig;
	char *text, *prompt;

	if (console_failed(r))
		return;
	orig = json_str(r, "content", "");
	if ((text = view_edit(orig, MAX_FILE)) == NULL)
		return;
	if (strncmp(text, orig, strlen(text)) == 0 && strspn(orig + strlen(text), " \t\r\n") ==
	    strlen(orig + strlen(text))) {
		console_note("%s is unchanged; nothing was proposed", json_str(r, "file", ""));
		free(text);
		return;
	}
	free(pr.edited);
	free(pr.edited_assistant);
	pr.edited = xprintf("%s\n", text);
	free(text);
	pr.edited_arg = arg_name;
	pr.edited_assistant = xstrdup(json_str(r, "assistant", ""));
	prompt = xprintf("Describe the change to %s (Enter proposes, Esc drops it): ",
	    json_str(r, "file", ""));
	cmdline_open(prompt, "", described);
	free(prompt);
}

static void
propose(const char *file, const char *arg_name)
{
	const cJSON *p = pr.detail_id > 0 ? cJSON_GetObjectItem(pr.detail, "proposal") :
	    pr.history_mode ? NULL : selected();
	const char *assistant = json_str(p, "assistant", json_str(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(pr.state, "assistants"), 0), "name", ""));
	cJSON *req = client_request("prompt.cat");

	cJSON_AddStringToObject(req, "file", file);
	if (*assistant != '\0')
		cJSON_AddStringToObject(req, "assistant", assistant);
	console_request(req, cat_reply, (void *)arg_name);
}

static void
approve_confirmed(const char *text)
{
	if (text != NULL)
		act_send("prompt.approve", pr.act_id, "override", text);
}

static void
reject_confirmed(const char *text)
{
	if (text == NULL)
		return;
	if (*text == '\0') {
		console_error("reject: say why");
		return;
	}
	act_send("prompt.reject", pr.act_id, "reason", text);
}

static void
rollback_confirmed(const char *text)
{
	cJSON *req;

	if (text == NULL)
		return;
	req = client_request("prompt.rollback");
	if (*text != '\0')
		cJSON_AddStringToObject(req, "to", text);
	console_request(req, act_reply, NULL);
}

/* Approving asks first, saying what the release will be; below the gate an admin is asked
   for the override's reason instead. */
static void
approve(const cJSON *p)
{
	const cJSON *e = cJSON_GetObjectItem(p, "eval");
	double gate = json_num_or(pr.state, "gate", 0), pass = json_num(e, "pass_rate");
	char *prompt, rate[16];

	pr.act_id = (long long)json_num(p, "id");
	pct(rate, sizeof rate, e, "pass_rate");
	if (!isnan(pass) && pass * 100 + 1e-9 >= gate)
		prompt = xprintf("Release #%lld (eval %s) to production? Enter releases, Esc "
		    "cancels: ", pr.act_id, rate);
	else if (strcmp(console_state()->role, "admin") == 0)
		prompt = xprintf("#%lld's eval (%s) is below the gate of %.0f%%; override reason "
		    "(Enter releases, Esc cancels): ", pr.act_id, rate, gate);
	else {
		act_send("prompt.approve", pr.act_id, NULL, NULL);
		return;
	}
	cmdline_open(prompt, "", approve_confirmed);
	free(prompt);
}

/* The first assistant with a live rollout, or NULL. */
static const cJSON *
live_canary(void)
{
	const cJSON *a;
	const char *state;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(pr.state, "assistants")) {
		state = json_str(cJSON_GetObjectItem(a, "rollout"), "state", "");
		if (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0)
			return a;
	}
	return NULL;
}

static void
canary_confirmed(const char *text)
{
	cJSON *req;

	if (text == NULL)
		return;
	req = client_request("prompt.approve");
	cJSON_AddNumberToObject(req, "proposal", (double)pr.act_id);
	cJSON_AddBoolToObject(req, "canary", 1);
	console_request(req, act_reply, NULL);
}

/* Pause, resume, promote or abort of the live canary, with the reason typed. */
static void
rollout_confirmed(const char *text)
{
	cJSON *req;

	if (text == NULL || pr.act_op == NULL)
		return;
	if (*text == '\0') {
		console_error("%s: say why", strrchr(pr.act_op, '.') + 1);
		return;
	}
	req = client_request(pr.act_op);
	cJSON_AddStringToObject(req, "assistant", pr.act_assistant);
	cJSON_AddStringToObject(req, "reason", text);
	console_request(req, act_reply, NULL);
}

static int
rollout_key(enum action a)
{
	const cJSON *live = live_canary();
	const char *assistant = json_str(live, "name", ""), *what;
	char *prompt;

	if (live == NULL) {
		console_error("no canary is live: C releases the selected proposal as one");
		return 1;
	}
	snprintf(pr.act_assistant, sizeof pr.act_assistant, "%s", assistant);
	if (a == ACTION_PR_PAUSE) {
		pr.act_op = strcmp(json_str(cJSON_GetObjectItem(live, "rollout"), "state", ""),
		    "paused") == 0 ?
		    "prompt.rollout.resume" : "prompt.rollout.pause";
	} else
		pr.act_op = a == ACTION_PR_PROMOTE ? "prompt.rollout.promote" :
		    "prompt.rollout.abort";
	what = strrchr(pr.act_op, '.') + 1;
	prompt = xprintf("%c%s the canary of %s; reason (Enter %ss, Esc cancels): ",
	    what[0] - 'a' + 'A', what + 1, assistant, what);
	cmdline_open(prompt, "", rollout_confirmed);
	free(prompt);
	return 1;
}

static int
prompts_key(enum action a)
{
	const cJSON *p = pr.detail_id > 0 ? cJSON_GetObjectItem(pr.detail, "proposal") :
	    pr.history_mode ? NULL : selected();
	char *prompt;

	if (view_feedback_shown())
		return view_feedback_key(a);
	switch (a) {
	case ACTION_PR_FEEDBACK:
		view_feedback_open(json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(pr.state,
		    "assistants"), 0), "name", ""));
		return 1;
	case ACTION_PR_PROPOSE:
		propose("system.md", "system");
		return 1;
	case ACTION_PR_MODEL:
		propose("model.ini", "model");
		return 1;
	case ACTION_PR_PAUSE:
	case ACTION_PR_PROMOTE:
	case ACTION_PR_ABORT:
		return rollout_key(a);
	case ACTION_PR_ROLLBACK:
		cmdline_open("Roll back: the release to restore (Enter: the one before the "
		    "latest; Esc cancels): ", "", rollback_confirmed);
		return 1;
	case ACTION_PR_HISTORY:
		if (pr.detail_id > 0)
			return 1;
		pr.history_mode = !pr.history_mode;
		pr.list.sel = pr.list.top = 0;
		pr.list.n = cJSON_GetArraySize(rows());
		console_dirty();
		return 1;
	case ACTION_OPEN:
		if (pr.detail_id == 0 && p != NULL) {
			pr.top = 0;
			detail_request((long long)json_num(p, "id"));
			console_dirty();
		}
		return 1;
	case ACTION_CLOSE:
		if (pr.detail_id > 0) {
			pr.detail_id = 0;
			cJSON_Delete(pr.detail);
			pr.detail = NULL;
			lines_clear();
			console_dirty();
		}
		return 1;
	default:
		break;
	}
	if (p != NULL) {
		switch (a) {
		case ACTION_PR_EVAL:
			act_send("prompt.eval", (long long)json_num(p, "id"), NULL, NULL);
			return 1;
		case ACTION_PR_APPROVE:
			approve(p);
			return 1;
		case ACTION_PR_CANARY:
			pr.act_id = (long long)json_num(p, "id");
			prompt = xprintf("Release #%lld as a canary in [rollout] steps? Enter starts "
			    "it, Esc cancels: ", pr.act_id);
			cmdline_open(prompt, "", canary_confirmed);
			free(prompt);
			return 1;
		case ACTION_PR_REJECT:
			pr.act_id = (long long)json_num(p, "id");
			prompt = xprintf("Reject #%lld; reason (Enter rejects, Esc cancels): ",
			    pr.act_id);
			cmdline_open(prompt, "", reject_confirmed);
			free(prompt);
			return 1;
		default:
			break;
		}
	}
	if (pr.detail_id > 0)
		return view_scroll(&pr.top, pr.height, pr.nlines, a);
	if (!list_key(&pr.list, a))
		return 0;
	console_dirty();
	return 1;
}

/* Progress updates the row in place; anything else reads the lists (and detail) again. */
static void
prompts_event(const cJSON *ev)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "event"));
	const char *action = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "action"));
	long long id = (long long)json_num_or(ev, "proposal", 0);
	cJSON *p;

	if (name != NULL && strcmp(name, "kpi") == 0 && time(NULL) - pr.kpis_at >= KPIS_EVERY)
		kpis_request();
	if (name == NULL || strcmp(name, "prompt") != 0 || action == NULL)
		return;
	if (strcmp(action, "progress") == 0) {
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(pr.state, "proposals")) {
			if ((long long)json_num(p, "id") != id)
				continue;
			cJSON_DeleteItemFromObject(p, "eval_done");
			cJSON_DeleteItemFromObject(p, "eval_total");
			cJSON_AddNumberToObject(p, "eval_done", json_num(ev, "done"));
			cJSON_AddNumberToObject(p, "eval_total", json_num(ev, "total"));
		}
		if (id == pr.detail_id && pr.detail != NULL) {
			p = cJSON_GetObjectItem(pr.detail, "proposal");
			cJSON_DeleteItemFromObject(p, "eval_done");
			cJSON_DeleteItemFromObject(p, "eval_total");
			cJSON_AddNumberToObject(p, "eval_done", json_num(ev, "done"));
			cJSON_AddNumberToObject(p, "eval_total", json_num(ev, "total"));
			detail_build();
		}
		console_dirty();
		return;
	}
	prompts_open();
}

static void
prompts_close(void)
{
	cJSON_Delete(pr.state);
	cJSON_Delete(pr.history);
	cJSON_Delete(pr.detail);
	cJSON_Delete(pr.kpis);
	lines_clear();
	view_feedback_close();
	free(pr.error);
	free(pr.edited);
	free(pr.edited_assistant);
	memset(&pr, 0, sizeof pr);
}

const struct view_ops view_prompts_ops = {
	.name = "prompts",
	.title = "Prompts",
	.scopes = SCOPE_LIST | SCOPE_PROMPTS,
	.open = prompts_open,
	.draw = prompts_draw,
	.key = prompts_key,
	.event = prompts_event,
	.close = prompts_close,
};
