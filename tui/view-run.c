/* SPDX-License-Identifier: ISC */
/*
 * A playbook run, shown one step at a time with its checklist, live checks and the keys
 * that record the step; a finished run shows its summary. Every action is saved by the
 * daemon at once, so leaving (q) and coming back later, from any console, resumes the run.
 */
#include <stddef.h>
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
#include "tui/view-run.h"
#include "tui/view.h"
#include "tui/widget-pane.h"

#define CHECK_REFRESH_S 10

static struct {
	cJSON		*run;		/* the run shown, run.show's "run" */
	long long	 id;		/* 0: none shown */
	int		 step;		/* the step shown */
	int		 item;		/* the checklist item under the cursor */
	int		 sel;		/* the row of that item at the last draw, or -1 */
	cJSON		*checks;	/* results of run.check for that step */
	int		 checks_step;
	time_t		 checks_at;
	int		 top;		/* the step's first row shown */
	int		 rows;		/* rows the step took when last drawn */
	int		 follow;	/* scroll to the cursor's item */
	struct pane	 pane;		/* the step or the summary, laid out */
} rn;

static void
checks_reply(void *arg, const cJSON *r)
{
	if (r == NULL || (int)(intptr_t)arg != rn.step)
		return;
	cJSON_Delete(rn.checks);
	rn.checks = client_error(r) != NULL ? NULL :
	    console_take(r, cJSON_GetObjectItem(r, "checks"));
	if (client_error(r) != NULL)
		console_error("%s", client_error(r));
	console_dirty();
}

static const cJSON *
step_json(int step)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(rn.run, "content"),
	    "steps"), step);
}

/* Asks for the step's live checks, if it has any. */
static void
checks_request(void)
{
	cJSON *req;

	if (rn.run == NULL || json_num(step_json(rn.step), "checks") <= 0)
		return;
	req = client_request("run.check");
	cJSON_AddNumberToObject(req, "run", (double)rn.id);
	cJSON_AddNumberToObject(req, "step", rn.step + 1);
	rn.checks_step = rn.step;
	rn.checks_at = time(NULL);
	console_request(req, checks_reply, (void *)(intptr_t)rn.step);
}

static void
run_reply(void *arg, const cJSON *r)
{
	int resume = (int)(intptr_t)arg;

	if (console_failed(r))
		return;
	pane_forget(&rn.pane);
	cJSON_Delete(rn.run);
	rn.run = console_take(r, cJSON_GetObjectItem(r, "run"));
	/* On opening, and after a step is recorded, go where the run continues: a finished
	   run shows its summary. */
	if (resume && cJSON_GetObjectItem(rn.run, "finished_at") != NULL) {
		rn.step = (int)json_num(rn.run, "steps");
		rn.top = 0;
	} else if (resume && (int)json_num(rn.run, "current") != rn.step) {
		rn.step = (int)json_num(rn.run, "current");
		rn.item = rn.top = 0;
		cJSON_Delete(rn.checks);
		rn.checks = NULL;
		checks_request();
	}
	console_dirty();
}

static void
run_request(int resume)
{
	cJSON *req = client_request("run.show");

	cJSON_AddNumberToObject(req, "run", (double)rn.id);
	console_request(req, run_reply, (void *)(intptr_t)resume);
}

void
view_run_open(long long id)
{
	pane_forget(&rn.pane);
	cJSON_Delete(rn.run);
	cJSON_Delete(rn.checks);
	rn.run = rn.checks = NULL;
	rn.id = id;
	rn.step = -1;
	run_request(1);
}

/* --- drawing -------------------------------------------------------------------------- */

/*
 * A step is laid out in the pane in rows counted from 0 at its first line, from rn.top: a
 * long step scrolls (PgDn, PgUp, and with the cursor). Its texts are laid out once per width
 * and kept until the run is read again.
 */

/* Plain text: words 1 breaks at blanks (a note), 0 anywhere (a query). */
static void
put_text(int x, int w, enum style st, const char *prefix, const char *text, int words)
{
	pane_text(&rn.pane, x, w, st, prefix, text, words ? PANE_WORDS : 0);
}

/* Markdown inline text (the playbook's own), broken at blanks. */
static void
put_wrapped(int x, int w, enum style st, const char *prefix, const char *text)
{
	pane_text(&rn.pane, x, w, st, prefix, text, PANE_MARKUP | PANE_WORDS);
}

static int
ticked(int step, int item)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(rn.run, "ticks")) {
		if ((int)json_num(t, "step") == step && (int)json_num(t, "item") == item)
			return (int)json_num(t, "ticked");
	}
	return 0;
}

static const cJSON *
step_result(int step)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(rn.run, "results")) {
		if ((int)json_num(r, "step") == step)
			return r;
	}
	return NULL;
}

/* The style of a step's result in the progress bar: what happened, not only that it did. */
static enum style
result_style(int step)
{
	const char *r = json_str(step_result(step), "result", "");

	if (strcmp(r, "done") == 0)
		return STYLE_OK;
	if (strcmp(r, "skipped") == 0)
		return STYLE_WARN;
	return strcmp(r, "failed") == 0 ? STYLE_CRIT : STYLE_DIM;
}

static void
draw_progress(int y, int w)
{
	int steps = (int)json_num(rn.run, "steps"), bar, i, step;
	char line[64];
	enum style st;

	/* A cell per step (up to 20; more share cells), coloured by its result. */
	bar = steps > 0 && steps < 20 ? steps : 20;
	if (rn.step >= steps)
		snprintf(line, sizeof line, "finished ");
	else
		snprintf(line, sizeof line, "step %d of %d ", rn.step + 1, steps);
	draw_printf(y, 1, w - bar - draw_width(line) - 3, STYLE_TITLE, "%s  %s",
	    json_str(rn.run, "playbook", ""), json_str(rn.run, "title", ""));
	draw_text(y, w - bar - draw_width(line) - 1, draw_width(line), STYLE_NORMAL, line);
	for (i = 0; i < bar; i++) {
		step = steps > 0 ? i * steps / bar : 0;
		st = result_style(step);
		draw_text(y, w - bar - 1 + i, 1, st, draw_glyph(st == STYLE_DIM ? GLYPH_DOT :
		    st == STYLE_OK ? GLYPH_BULLET : st == STYLE_WARN ? GLYPH_WARN : GLYPH_CRIT));
	}
}

/* A check block: its query, the condition and the last value with pass or fail. */
static void
put_check(int w, const cJSON *b, const cJSON *c)
{
	char line[128];
	enum style st = STYLE_DIM;

	put_text(2, w - 4, STYLE_DIM, "check: ", json_str(b, "query", "") + strspn(json_str(b, "query",
	    ""), " \n"), 0);
	if (c == NULL || rn.checks_step != rn.step)
		snprintf(line, sizeof line, "  expect %s: checking...", json_str(b, "expect", ""));
	else if (cJSON_GetObjectItem(c, "error") != NULL) {
		snprintf(line, sizeof line, "  expect %s: %s", json_str(b, "expect", ""),
		    json_str(c, "error", ""));
		st = STYLE_ERROR;
	} else {
		snprintf(line, sizeof line, "  expect %s: value %g  %s", json_str(b, "expect", ""),
		    json_num(c, "value"), cJSON_IsTrue(cJSON_GetObjectItem(c, "pass")) ? "PASS" :
		    "FAIL");
		st = cJSON_IsTrue(cJSON_GetObjectItem(c, "pass")) ? STYLE_OK : STYLE_CRIT;
	}
	pane_lines(&rn.pane, 2, w - 4, st, "", line, PANE_FRESH);
}

/* The step's result note and the notes on it, who wrote them and when. */
static void
put_notes(int w)
{
	const cJSON *n, *res = step_result(rn.step);
	char when[32], *who;
	time_t t;

	if (res != NULL && *json_str(res, "note", "") != '\0') {
		who = xprintf("%s by %s: ", json_str(res, "result", ""), json_str(res, "actor", ""));
		put_text(1, w - 2, STYLE_WARN, who, json_str(res, "note", ""), 1);
		free(who);
	}
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(rn.run, "notes")) {
		if ((int)json_num(n, "step") != rn.step)
			continue;
		t = (time_t)json_num(n, "at");
		format_time(when, sizeof when, t);
		who = xprintf("%s %s: ", when, json_str(n, "actor", ""));
		put_text(1, w - 2, STYLE_DIM, who, json_str(n, "text", ""), 1);
		free(who);
	}
}

/* Lays out the blocks of the step shown; returns whether its checks all pass. */
static int
put_blocks(const cJSON *s, int w)
{
	const cJSON *b, *it, *c;
	const char *type;
	char prefix[16];
	int check = 0, all_pass = 1, idx;

	cJSON_ArrayForEach(b, cJSON_GetObjectItem(s, "blocks")) {
		type = json_str(b, "type", "");
		if (strcmp(type, "para") == 0)
			put_wrapped(1, w - 2, STYLE_NORMAL, "", json_str(b, "text", ""));
		else if (strcmp(type, "quote") == 0)
			put_wrapped(1, w - 2, STYLE_DIM, "| ", json_str(b, "text", ""));
		else if (strcmp(type, "heading") == 0)
			put_wrapped(1, w - 2, STYLE_TITLE, "", json_str(b, "text", ""));
		else if (strcmp(type, "list") == 0) {
			cJSON_ArrayForEach(it, cJSON_GetObjectItem(b, "items"))
				put_wrapped(1, w - 2, STYLE_NORMAL, "- ",
				    cJSON_IsString(it) ? it->valuestring : "");
		} else if (strcmp(type, "checklist") == 0) {
			cJSON_ArrayForEach(it, cJSON_GetObjectItem(b, "items")) {
				idx = (int)json_num(it, "index");
				snprintf(prefix, sizeof prefix, "%s[%s] ", idx == rn.item ? ">" : " ",
				    ticked(rn.step, idx) ? "x" : " ");
				if (idx == rn.item)
					rn.sel = rn.pane.row;
				put_wrapped(1, w - 2, idx == rn.item ? STYLE_SELECTED : STYLE_NORMAL,
				    prefix, json_str(it, "text", ""));
			}
		} else if (strcmp(type, "check") == 0) {
			c = rn.checks_step == rn.step ? cJSON_GetArrayItem(rn.checks, check) : NULL;
			if (c == NULL || !cJSON_IsTrue(cJSON_GetObjectItem(c, "pass")))
				all_pass = 0;
			put_check(w, b, c);
			check++;
		} else {
			/* Wrapped, not cut: a command is read (and copied) whole. What the daemon
			   could not fill in stands out, and is said. */
			pane_text(&rn.pane, 3, w - 4, STYLE_CODE, strcmp(type, "sh") == 0 ? "$ " :
			    "  ", json_str(b, "text", ""), PANE_PLACEHOLDERS);
			if (pane_has_placeholder(json_str(b, "text", "")))
				pane_text(&rn.pane, 5, w - 6, STYLE_DIM, "", "replace the highlighted "
				    "<...> with your values before running it", 0);
		}
		rn.pane.row++;
	}
	return check > 0 && all_pass;
}

static void
draw_step(int y, int h, int w)
{
	const cJSON *s = step_json(rn.step), *res;
	char num_prefix[16];
	int pass, i;

	if (rn.run == NULL || s == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	draw_progress(y, w);
	pane_begin(&rn.pane, y + 1, h - 2, rn.top);
	rn.sel = -1;
	snprintf(num_prefix, sizeof num_prefix, "%d. ", rn.step + 1);
	put_wrapped(1, w - 42, STYLE_TITLE, num_prefix, json_str(s, "title", ""));
	if ((res = step_result(rn.step)) != NULL && rn.top == 0)
		draw_printf(y + 1, w - 40, 39, strcmp(json_str(res, "result", ""), "done") == 0 ?
		    STYLE_OK : STYLE_WARN, "%s by %s", json_str(res, "result", ""),
		    json_str(res, "actor", ""));
	if (cJSON_IsTrue(cJSON_GetObjectItem(rn.run, "file_changed")))
		put_wrapped(1, w - 2, STYLE_WARN, "", "The playbook file has changed since this "
		    "run started; the run keeps the version it started with.");
	rn.pane.row++;
	pass = put_blocks(s, w);
	put_notes(w);
	if (cJSON_IsTrue(cJSON_GetObjectItem(s, "skip_if_checks_pass")) && pass &&
	    res == NULL)
		put_wrapped(1, w - 2, STYLE_OK, "", "The checks pass: this step is satisfied "
		    "already (d marks it done).");
	/* Keep the cursor's item in view; then redraw once at the new offset. */
	if (rn.follow && rn.sel >= 0 && (rn.sel < rn.top || rn.sel >= rn.top + rn.pane.h)) {
		rn.top = rn.sel < rn.top ? rn.sel : rn.sel - rn.pane.h + 1;
		rn.follow = 0;
		for (i = 1; i < h - 1; i++)
			draw_fill(y + i, 0, w, STYLE_NORMAL);
		draw_step(y, h, w);
		return;
	}
	rn.follow = 0;
	rn.rows = rn.pane.row;
	draw_printf(y + h - 1, 1, w - 2, STYLE_DIM, "%sd done  s skip  f failed  n note  "
	    "x tick  <- -> steps  c checks  w export  q leave", rn.top + rn.pane.h < rn.pane.row ?
	    "PgDn more  " : "");
}

/* A finished run: the counts and the duration, then each step's result and notes. */
static void
draw_summary(int y, int h, int w)
{
	const cJSON *sum = cJSON_GetObjectItem(rn.run, "summary"), *s, *res, *n;
	char dur[16], *line;
	int i = 0;

	draw_progress(y, w);
	pane_begin(&rn.pane, y + 1, h - 2, rn.top);
	format_age(dur, sizeof dur, (long)json_num(sum, "seconds"));
	line = xprintf("Finished in %s: %.0f done, %.0f skipped, %.0f failed.", dur,
	    json_num(sum, "done"), json_num(sum, "skipped"), json_num(sum, "failed"));
	pane_text(&rn.pane, 1, w - 2, STYLE_OK, "", line, PANE_MARKUP | PANE_WORDS | PANE_FRESH);
	free(line);
	rn.pane.row++;
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(cJSON_GetObjectItem(rn.run, "content"),
	    "steps")) {
		res = step_result(i);
		line = xprintf("%2d. %-7s ", i + 1, res != NULL ? json_str(res, "result", "") : "-");
		put_wrapped(1, w - 2, res == NULL || strcmp(json_str(res, "result", ""), "done") != 0 ?
		    STYLE_WARN : STYLE_NORMAL, line, json_str(s, "title", ""));
		free(line);
		if (res != NULL && *json_str(res, "note", "") != '\0')
			put_text(13, w - 14, STYLE_DIM, "", json_str(res, "note", ""), 1);
		cJSON_ArrayForEach(n, cJSON_GetObjectItem(rn.run, "notes")) {
			if ((int)json_num(n, "step") != i)
				continue;
			line = xprintf("note by %s: ", json_str(n, "actor", ""));
			put_text(13, w - 14, STYLE_DIM, line, json_str(n, "text", ""), 1);
			free(line);
		}
		i++;
	}
	rn.rows = rn.pane.row;
	draw_text(y + h - 1, 1, w - 2, STYLE_DIM, "w export as Markdown  <- steps  PgDn/PgUp "
	    "scroll  q back to the library");
}

/* --- actions ------------------------------------------------------------------------ */

static void
act_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	if (!console_failed(r) && cJSON_IsTrue(cJSON_GetObjectItem(r, "finished")))
		console_note("the run is finished");
	run_request(1);
}

static void
step_send(const char *result, const char *note)
{
	cJSON *req = client_request("run.step");

	cJSON_AddNumberToObject(req, "run", (double)rn.id);
	cJSON_AddNumberToObject(req, "step", rn.step + 1);
	cJSON_AddStringToObject(req, "result", result);
	if (note != NULL && *note != '\0')
		cJSON_AddStringToObject(req, "text", note);
	console_request(req, act_reply, NULL);
}

/* How many of the shown step's checks failed at their last evaluation (one that could not
   run, say without a metrics source, is no evidence either way). */
static int
checks_failing(void)
{
	const cJSON *c;
	int n = 0;

	if (rn.checks_step != rn.step)
		return 0;
	cJSON_ArrayForEach(c, rn.checks) {
		if (cJSON_GetObjectItem(c, "error") == NULL &&
		    cJSON_IsFalse(cJSON_GetObjectItem(c, "pass")))
			n++;
	}
	return n;
}

static void
done_confirmed(const char *text)
{
	if (text != NULL)
		step_send("done", NULL);
}

static void
skip_done(const char *text)
{
	if (text != NULL)
		step_send("skipped", text);
}

static void
fail_done(const char *text)
{
	if (text != NULL)
		step_send("failed", text);
}

static void
note_done(const char *text)
{
	cJSON *req;

	if (text == NULL || *text == '\0')
		return;
	req = client_request("run.note");
	cJSON_AddNumberToObject(req, "run", (double)rn.id);
	cJSON_AddNumberToObject(req, "step", rn.step + 1);
	cJSON_AddStringToObject(req, "text", text);
	console_request(req, act_reply, NULL);
}

static void
export_reply(void *arg, const cJSON *r)
{
	char name[64];

	snprintf(name, sizeof name, "run-%lld.md", (long long)(intptr_t)arg);
	view_write_reply(r, name);
}

static int
checklist_items(void)
{
	return (int)json_num(step_json(rn.step), "checklist");
}

int
view_run_key(enum action a)
{
	cJSON *req;
	char *prompt;
	int steps = (int)json_num(rn.run, "steps"), failing;

	switch (a) {
	case ACTION_RUN_LEAVE:
	case ACTION_CLOSE:
		pane_forget(&rn.pane);
		cJSON_Delete(rn.run);
		cJSON_Delete(rn.checks);
		rn.run = rn.checks = NULL;
		rn.id = 0;	/* the library takes over */
		break;
	case ACTION_RUN_DONE:
		/* Done while its own checks fail is a claim worth a second look. */
		if ((failing = checks_failing()) > 0) {
			prompt = xprintf("%d of the step's checks fail%s; mark step %d done anyway? "
			    "(Enter marks it, Esc cancels): ", failing, failing == 1 ? "s" : "",
			    rn.step + 1);
			cmdline_open(prompt, "", done_confirmed);
			free(prompt);
		} else
			step_send("done", NULL);
		break;
	case ACTION_RUN_SKIP:
		prompt = xprintf("Skip step %d; reason (needed): ", rn.step + 1);
		cmdline_open_required(prompt, skip_done);
		free(prompt);
		break;
	case ACTION_RUN_FAIL:
		prompt = xprintf("Step %d failed; note (needed): ", rn.step + 1);
		cmdline_open_required(prompt, fail_done);
		free(prompt);
		break;
	case ACTION_RUN_NOTE:
		prompt = xprintf("Note on step %d: ", rn.step + 1);
		cmdline_open_required(prompt, note_done);
		free(prompt);
		break;
	case ACTION_RUN_TICK:
		if (checklist_items() == 0)
			break;
		req = client_request("run.tick");
		cJSON_AddNumberToObject(req, "run", (double)rn.id);
		cJSON_AddNumberToObject(req, "step", rn.step + 1);
		cJSON_AddNumberToObject(req, "item", rn.item);
		cJSON_AddBoolToObject(req, "ticked", !ticked(rn.step, rn.item));
		console_request(req, act_reply, NULL);
		break;
	case ACTION_RUN_PREV:
	case ACTION_RUN_NEXT:
		rn.step += a == ACTION_RUN_NEXT ? 1 : -1;
		if (rn.step < 0)
			rn.step = 0;
		if (rn.step > steps - (cJSON_GetObjectItem(rn.run, "finished_at") ? 0 : 1))
			rn.step = steps - (cJSON_GetObjectItem(rn.run, "finished_at") ? 0 : 1);
		rn.item = rn.top = 0;
		checks_request();
		break;
	case ACTION_RUN_CHECK:
		checks_request();
		break;
	case ACTION_DOWN:
		if (rn.item + 1 < checklist_items())
			rn.item++;
		rn.follow = 1;
		break;
	case ACTION_UP:
		if (rn.item > 0)
			rn.item--;
		rn.follow = 1;
		break;
	case ACTION_PAGE_DOWN:
		if (rn.top + rn.pane.h < rn.rows)
			rn.top += rn.pane.h > 2 ? rn.pane.h - 2 : 1;
		break;
	case ACTION_PAGE_UP:
		rn.top -= rn.pane.h > 2 ? rn.pane.h - 2 : 1;
		if (rn.top < 0)
			rn.top = 0;
		break;
	case ACTION_FIRST:
		rn.top = 0;
		break;
	case ACTION_LAST:
		rn.top = rn.rows > rn.pane.h ? rn.rows - rn.pane.h : 0;
		break;
	case ACTION_WRITE:
		req = client_request("run.export");
		cJSON_AddNumberToObject(req, "run", (double)rn.id);
		console_request(req, export_reply, (void *)(intptr_t)rn.id);
		break;
	default:
		return 0;
	}
	console_dirty();
	return 1;
}

int
view_run_shown(void)
{
	return rn.id > 0;
}

void
view_run_draw(int y, int h, int w)
{
	if (rn.run != NULL && cJSON_GetObjectItem(rn.run, "finished_at") != NULL &&
	    rn.step >= (int)json_num(rn.run, "steps"))
		draw_summary(y, h, w);
	else
		draw_step(y, h, w);
}

void
view_run_reload(void)
{
	if (rn.id > 0)
		run_request(0);
}

void
view_run_event(const cJSON *ev)
{
	const char *name = json_str(ev, "event", "");

	if (strcmp(name, "run") == 0) {
		if (rn.id > 0 && (long long)json_num(ev, "run") == rn.id)
			run_request(0);
	} else if (strcmp(name, "kpi") == 0 && rn.run != NULL &&
	    time(NULL) - rn.checks_at >= CHECK_REFRESH_S)
		checks_request();	/* fresh values: the checks again */
}

void
view_run_close(void)
{
	pane_free(&rn.pane);
	cJSON_Delete(rn.run);
	cJSON_Delete(rn.checks);
	memset(&rn, 0, sizeof rn);
}
