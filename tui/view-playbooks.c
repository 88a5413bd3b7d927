/* SPDX-License-Identifier: ISC */
/*
 * Playbooks: the library and the open runs; a run shown one step at a time with its
 * checklist, live checks and the keys that record the step. Every action is saved by the
 * daemon at once, so leaving (q) and coming back later, from any console, resumes the run.
 */
#include <math.h>
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
#include "tui/display.h"
#include "tui/draw.h"
#include "tui/view.h"
#include "tui/widget-list.h"
#include "tui/wrap.h"

#define CHECK_REFRESH_S 10

static struct {
	cJSON		*lib;		/* playbook.list reply: playbooks and runs */
	struct list	 list;		/* over playbooks, then runs */
	char		*error;

	cJSON		*run;		/* the run shown, run.show's "run" */
	long long	 run_id;
	int		 step;		/* the step shown */
	int		 item;		/* the checklist item under the cursor */
	cJSON		*checks;	/* results of run.check for that step */
	int		 checks_step;
	time_t		 checks_at;
	int		 top;		/* the step's first row shown */
	int		 rows;		/* rows the step took when last drawn */
	int		 follow;	/* scroll to the cursor's item */
} pb;

static void	laid_forget(void);
static void	laid_free(void);

static int
npb(void)
{
	return cJSON_GetArraySize(cJSON_GetObjectItem(pb.lib, "playbooks"));
}

static void
lib_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	free(pb.error);
	pb.error = client_error(r) != NULL ? xstrdup(client_error(r)) : NULL;
	if (pb.error == NULL) {
		cJSON_Delete(pb.lib);
		pb.lib = cJSON_Duplicate(r, 1);
		pb.list.n = npb() + cJSON_GetArraySize(cJSON_GetObjectItem(pb.lib, "runs"));
	}
	console_dirty();
}

static void
lib_request(void)
{
	cJSON *req = client_request("playbook.list");

	cJSON_AddStringToObject(req, "lang", console_state()->lang);
	console_request(req, lib_reply, NULL);
}

static void
checks_reply(void *arg, const cJSON *r)
{
	if (r == NULL || (int)(intptr_t)arg != pb.step)
		return;
	cJSON_Delete(pb.checks);
	pb.checks = client_error(r) != NULL ? NULL :
	    cJSON_Duplicate(cJSON_GetObjectItem(r, "checks"), 1);
	if (client_error(r) != NULL)
		console_error("%s", client_error(r));
	console_dirty();
}

static const cJSON *
step_json(int step)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(pb.run, "content"),
	    "steps"), step);
}

/* Asks for the step's live checks, if it has any. */
static void
checks_request(void)
{
	cJSON *req;

	if (pb.run == NULL || json_num(step_json(pb.step), "checks") <= 0)
		return;
	req = client_request("run.check");
	cJSON_AddNumberToObject(req, "run", (double)pb.run_id);
	cJSON_AddNumberToObject(req, "step", pb.step + 1);
	pb.checks_step = pb.step;
	pb.checks_at = time(NULL);
	console_request(req, checks_reply, (void *)(intptr_t)pb.step);
}

static void
run_reply(void *arg, const cJSON *r)
{
	int resume = (int)(intptr_t)arg;

	if (r == NULL)
		return;
	if (client_error(r) != NULL) {
		console_error("%s", client_error(r));
		return;
	}
	laid_forget();
	cJSON_Delete(pb.run);
	pb.run = cJSON_Duplicate(cJSON_GetObjectItem(r, "run"), 1);
	/* On opening, and after a step is recorded, go where the run continues: a finished
	   run shows its summary. */
	if (resume && cJSON_GetObjectItem(pb.run, "finished_at") != NULL) {
		pb.step = (int)json_num(pb.run, "steps");
		pb.top = 0;
	} else if (resume && (int)json_num(pb.run, "current") != pb.step) {
		pb.step = (int)json_num(pb.run, "current");
		pb.item = pb.top = 0;
		cJSON_Delete(pb.checks);
		pb.checks = NULL;
		checks_request();
	}
	console_dirty();
}

static void
run_request(int resume)
{
	cJSON *req = client_request("run.show");

	cJSON_AddNumberToObject(req, "run", (double)pb.run_id);
	console_request(req, run_reply, (void *)(intptr_t)resume);
}

static void
run_open(long long id)
{
	laid_forget();
	cJSON_Delete(pb.run);
	cJSON_Delete(pb.checks);
	pb.run = pb.checks = NULL;
	pb.run_id = id;
	pb.step = -1;
	run_request(1);
}

static void
playbooks_open(void)
{
	lib_request();
	if (pb.run_id > 0)
		run_request(0);
}

/* --- drawing -------------------------------------------------------------------------- */

/* An open run in the library: id, playbook, progress, incident, the last action's time. */
static void
run_line(char *line, size_t size, const cJSON *r)
{
	char incident[16] = "", when[16] = "";
	time_t t = (time_t)json_num(r, "last_at");
	struct tm tm;

	if (cJSON_GetObjectItem(r, "incident") != NULL)
		snprintf(incident, sizeof incident, "#%.0f", json_num(r, "incident"));
	if (t > 0)
		strftime(when, sizeof when, "%d.%m. %H:%M", localtime_r(&t, &tm));
	snprintf(line, size, "run %-5.0f %-18s %2.0f/%-2.0f %-6s %-12s ", json_num(r, "id"),
	    json_str(r, "playbook", ""), json_num(r, "answered"), json_num(r, "steps"), incident, when);
}

static void
draw_library(int y, int h, int w)
{
	const cJSON *p;
	int i, row, n = npb(), body = h - 1;
	char line[128];

	draw_printf(y, 0, w, STYLE_TITLE, "  PLAYBOOK           LANG LEVEL STEPS  TITLE  "
	    "(Enter starts; open runs below)");
	if (pb.error != NULL) {
		draw_text(y + 2, 2, w - 4, STYLE_ERROR, pb.error);
		return;
	}
	if (pb.lib == NULL) {
		draw_text(y + 2, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	if (pb.list.n == 0) {
		draw_text(y + 2, 2, w - 4, STYLE_DIM, "The playbook library is empty.");
		return;
	}
	if (cJSON_GetObjectItem(pb.lib, "problems") != NULL) {
		/* Files left out: the first problem here, all of them in `leitstand playbook list`. */
		body--;
		draw_printf(y + h - 1, 1, w - 2, STYLE_WARN, "left out (leitstand playbook list "
		    "shows all): %.*s", (int)strcspn(json_str(pb.lib, "problems", ""), "\n"),
		    json_str(pb.lib, "problems", ""));
	}
	list_scroll(&pb.list, body);
	for (i = 0; i < body && pb.list.top + i < pb.list.n; i++) {
		row = pb.list.top + i;
		if (row < n) {
			p = cJSON_GetArrayItem(cJSON_GetObjectItem(pb.lib, "playbooks"), row);
			snprintf(line, sizeof line, "%-18s %-4s %-5s %5.0f  ", json_str(p, "id", ""),
			    json_str(p, "lang", ""), json_str(p, "level", "-"), json_num(p, "steps"));
		} else {
			p = cJSON_GetArrayItem(cJSON_GetObjectItem(pb.lib, "runs"), row - n);
			run_line(line, sizeof line, p);
		}
		draw_text(y + 1 + i, 0, 2, row == pb.list.sel ? STYLE_SELECTED : STYLE_NORMAL,
		    row == pb.list.sel ? "> " : "  ");
		draw_text(y + 1 + i, 2, w - 2, row < n ? STYLE_NORMAL : STYLE_WARN, line);
		draw_text(y + 1 + i, 2 + draw_width(line), w - 2 - draw_width(line), STYLE_NORMAL,
		    row < n ? json_str(p, "title", "") : json_str(p, "last", "no step recorded yet"));
	}
}

/*
 * A step is laid out in rows counted from 0 at its first line; rows before pb.top or past
 * the body are not drawn, so a long step scrolls (PgDn, PgUp, and with the cursor). Each
 * text is laid out once per width (tui/wrap.c) and kept, in the order the draw asks for
 * them, until the run is read again: a key press walks the row counts and draws only the
 * rows in view, however long the notes are.
 */
static struct {
	int	 y, h;		/* the body on the screen */
	int	 row;		/* the next row to lay out */
	int	 sel;		/* the row of the checklist item under the cursor, or -1 */
	int	 next;		/* the next text's place in laid */
} lay;

struct laid {
	struct wrap	 wrap;
	int		*spans;		/* Markdown spans open at each row's start, or NULL */
};

static struct {
	struct laid	*text;
	int		 n;
} laid;

/* The texts' memory is about to go (the run is read again): forget their layouts. */
static void
laid_forget(void)
{
	int i;

	for (i = 0; i < laid.n; i++)
		wrap_forget(&laid.text[i].wrap);
}

static void
laid_free(void)
{
	int i;

	for (i = 0; i < laid.n; i++) {
		wrap_free(&laid.text[i].wrap);
		free(laid.text[i].spans);
	}
	free(laid.text);
	memset(&laid, 0, sizeof laid);
}

/* Markdown inline spans open at the end of a row, carried to the next. */
enum { SPAN_CODE = 1, SPAN_STRONG = 2 };

/* Draws one row of inline text (`code`, *em*, **strong**, \-escapes) at screen row y (< 0:
   only follows the spans), x, in w columns; spans NULL: plain text. */
static void
put_inline(int y, int x, int w, enum style base, const char *s, size_t len, int *spans)
{
	size_t i, from = 0, n;
	int used = 0;
	enum style st;

	if (spans == NULL) {
		if (y >= 0)
			draw_textn(y, x, w, base, s, len);
		return;
	}
	for (i = 0; i <= len; i++) {
		int code = *spans & SPAN_CODE, marker = i < len && (s[i] == '`' ||
		    (!code && s[i] == '*'));

		if (i < len && !code && s[i] == '\\' && i + 1 < len) {
			/* The backslash is not drawn; the character after it is plain text. */
			if (y >= 0 && used < w && i > from)
				used += draw_textn(y, x + used, w - used, base != STYLE_NORMAL ? base :
				    *spans & SPAN_STRONG ? STYLE_STRONG : base, s + from, i - from);
			from = ++i;
			continue;
		}
		if (i < len && !marker)
			continue;
		st = base != STYLE_NORMAL ? base : code ? STYLE_CODE :
		    *spans & SPAN_STRONG ? STYLE_STRONG : base;
		n = i - from;
		if (n > 0 && y >= 0 && used < w)
			used += draw_textn(y, x + used, w - used, st, s + from, n);
		if (i < len)
			*spans ^= s[i] == '`' ? SPAN_CODE : SPAN_STRONG;
		if (i + 1 < len && s[i] == '*' && s[i + 1] == '*')
			i++;
		from = i + 1;
	}
}

/* The next text's layout at this width: kept from the last draw if it is the same text,
   else made (fresh: a string built for this draw, never the same as the last one). */
static struct laid *
laid_get(const char *text, int width, int flags, int markup, int fresh)
{
	struct laid *l;
	int i, spans = 0;

	if (lay.next == laid.n) {
		laid.text = xreallocarray(laid.text, (size_t)laid.n + 1, sizeof *laid.text);
		memset(&laid.text[laid.n++], 0, sizeof *laid.text);
	}
	l = &laid.text[lay.next++];
	if (fresh || (l->spans != NULL) != markup)
		wrap_forget(&l->wrap);
	if (display_ascii())
		flags |= WRAP_ASCII;
	if (l->wrap.text == text && l->wrap.width == width && l->wrap.flags == flags &&
	    l->wrap.n > 0)
		return l;
	wrap_layout(&l->wrap, text, strlen(text), width, flags);
	free(l->spans);
	l->spans = NULL;
	if (markup) {
		l->spans = xreallocarray(NULL, (size_t)l->wrap.n, sizeof *l->spans);
		for (i = 0; i < l->wrap.n; i++) {
			l->spans[i] = spans;
			put_inline(-1, 0, 0, STYLE_NORMAL, text + l->wrap.rows[i].off,
			    l->wrap.rows[i].len, &spans);
		}
	}
	return l;
}

/* Text wrapped into rows of w columns, later rows indented under the prefix's end; a line
   break starts a row too. markup: Markdown inline spans (markers count as width: a row may
   end a little early); words: broken at blanks, else anywhere (a query). */
static void
put_text_flags(int x, int w, enum style st, const char *prefix, const char *text, int markup,
    int words, int fresh)
{
	int indent = draw_width(prefix), room = w - indent, i, spans;
	struct laid *l = laid_get(text, room, words ? WRAP_WORDS : 0, markup, fresh);
	const struct wrap_row *r;

	if (lay.row >= pb.top && lay.row < pb.top + lay.h)
		draw_text(lay.y + lay.row - pb.top, x, indent, st, prefix);
	for (i = pb.top > lay.row ? pb.top - lay.row : 0; i < l->wrap.n &&
	    lay.row + i < pb.top + lay.h; i++) {
		r = &l->wrap.rows[i];
		spans = l->spans != NULL ? l->spans[i] : 0;
		put_inline(lay.y + lay.row + i - pb.top, x + indent, room, st, text + r->off, r->len,
		    l->spans != NULL ? &spans : NULL);
	}
	lay.row += l->wrap.n;
}

/* Plain text: words 1 breaks at blanks (a note), 0 anywhere (a query). */
static void
put_text(int x, int w, enum style st, const char *prefix, const char *text, int words)
{
	put_text_flags(x, w, st, prefix, text, 0, words, 0);
}

static void
put_wrapped(int x, int w, enum style st, const char *prefix, const char *text)
{
	put_text_flags(x, w, st, prefix, text, 1, 1, 0);
}

/* Preformatted text: one row per line, cut at the width; the first line after the prefix,
   the others after two blanks. */
static void
put_lines_flags(int x, int w, enum style st, const char *prefix, const char *text, int fresh)
{
	int indent = draw_width(prefix), i;
	struct laid *l = laid_get(text, w - indent, WRAP_CUT, 0, fresh);
	const struct wrap_row *r;

	for (i = pb.top > lay.row ? pb.top - lay.row : 0; i < l->wrap.n &&
	    lay.row + i < pb.top + lay.h; i++) {
		r = &l->wrap.rows[i];
		draw_text(lay.y + lay.row + i - pb.top, x, w, st, i == 0 ? prefix : "  ");
		draw_textn(lay.y + lay.row + i - pb.top, x + (i == 0 ? indent : 2),
		    w - (i == 0 ? indent : 2), st, text + r->off, r->len);
	}
	lay.row += l->wrap.n;
}

static void
put_lines(int x, int w, enum style st, const char *prefix, const char *text)
{
	put_lines_flags(x, w, st, prefix, text, 0);
}

static int
ticked(int step, int item)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(pb.run, "ticks")) {
		if ((int)json_num(t, "step") == step && (int)json_num(t, "item") == item)
			return (int)json_num(t, "ticked");
	}
	return 0;
}

static const cJSON *
step_result(int step)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(pb.run, "results")) {
		if ((int)json_num(r, "step") == step)
			return r;
	}
	return NULL;
}

static void
draw_progress(int y, int w)
{
	int steps = (int)json_num(pb.run, "steps"), answered = cJSON_GetArraySize(
	    cJSON_GetObjectItem(pb.run, "results")), bar = 20, fill, i;
	char line[64];

	fill = steps > 0 ? answered * bar / steps : 0;
	if (pb.step >= steps)
		snprintf(line, sizeof line, "finished ");
	else
		snprintf(line, sizeof line, "step %d of %d ", pb.step + 1, steps);
	draw_printf(y, 1, w - bar - draw_width(line) - 3, STYLE_TITLE, "%s  %s",
	    json_str(pb.run, "playbook", ""), json_str(pb.run, "title", ""));
	draw_text(y, w - bar - draw_width(line) - 1, draw_width(line), STYLE_NORMAL, line);
	for (i = 0; i < bar; i++)
		draw_text(y, w - bar - 1 + i, 1, i < fill ? STYLE_OK : STYLE_DIM,
		    i < fill ? draw_glyph(GLYPH_BULLET) : draw_glyph(GLYPH_DOT));
}

/* A check block: its query, the condition and the last value with pass or fail. */
static void
put_check(int w, const cJSON *b, const cJSON *c)
{
	char line[128];
	enum style st = STYLE_DIM;

	put_text(2, w - 4, STYLE_DIM, "check: ", json_str(b, "query", "") + strspn(json_str(b, "query",
	    ""), " \n"), 0);
	if (c == NULL || pb.checks_step != pb.step)
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
	put_lines_flags(2, w - 4, st, "", line, 1);
}

/* The step's result note and the notes on it, who wrote them and when. */
static void
put_notes(int w)
{
	const cJSON *n, *res = step_result(pb.step);
	char when[16], *who;
	time_t t;
	struct tm tm;

	if (res != NULL && *json_str(res, "note", "") != '\0') {
		who = xprintf("%s by %s: ", json_str(res, "result", ""), json_str(res, "actor", ""));
		put_text(1, w - 2, STYLE_WARN, who, json_str(res, "note", ""), 1);
		free(who);
	}
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(pb.run, "notes")) {
		if ((int)json_num(n, "step") != pb.step)
			continue;
		t = (time_t)json_num(n, "at");
		strftime(when, sizeof when, "%H:%M", localtime_r(&t, &tm));
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
				snprintf(prefix, sizeof prefix, "%s[%s] ", idx == pb.item ? ">" : " ",
				    ticked(pb.step, idx) ? "x" : " ");
				if (idx == pb.item)
					lay.sel = lay.row;
				put_wrapped(1, w - 2, idx == pb.item ? STYLE_SELECTED : STYLE_NORMAL,
				    prefix, json_str(it, "text", ""));
			}
		} else if (strcmp(type, "check") == 0) {
			c = pb.checks_step == pb.step ? cJSON_GetArrayItem(pb.checks, check) : NULL;
			if (c == NULL || !cJSON_IsTrue(cJSON_GetObjectItem(c, "pass")))
				all_pass = 0;
			put_check(w, b, c);
			check++;
		} else
			put_lines(3, w - 4, STYLE_CODE, strcmp(type, "sh") == 0 ? "$ " : "  ",
			    json_str(b, "text", ""));
		lay.row++;
	}
	return check > 0 && all_pass;
}

static void
draw_step(int y, int h, int w)
{
	const cJSON *s = step_json(pb.step), *res;
	char num_prefix[16];
	int pass, i;

	if (pb.run == NULL || s == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	draw_progress(y, w);
	lay.y = y + 1;
	lay.h = h - 2;
	lay.row = 0;
	lay.sel = -1;
	lay.next = 0;
	snprintf(num_prefix, sizeof num_prefix, "%d. ", pb.step + 1);
	put_wrapped(1, w - 42, STYLE_TITLE, num_prefix, json_str(s, "title", ""));
	if ((res = step_result(pb.step)) != NULL && pb.top == 0)
		draw_printf(y + 1, w - 40, 39, strcmp(json_str(res, "result", ""), "done") == 0 ?
		    STYLE_OK : STYLE_WARN, "%s by %s", json_str(res, "result", ""),
		    json_str(res, "actor", ""));
	if (cJSON_IsTrue(cJSON_GetObjectItem(pb.run, "file_changed")))
		put_wrapped(1, w - 2, STYLE_WARN, "", "The playbook file has changed since this "
		    "run started; the run keeps the version it started with.");
	lay.row++;
	pass = put_blocks(s, w);
	put_notes(w);
	if (cJSON_IsTrue(cJSON_GetObjectItem(s, "skip_if_checks_pass")) && pass &&
	    res == NULL)
		put_wrapped(1, w - 2, STYLE_OK, "", "The checks pass: this step is satisfied "
		    "already (d marks it done).");
	/* Keep the cursor's item in view; then redraw once at the new offset. */
	if (pb.follow && lay.sel >= 0 && (lay.sel < pb.top || lay.sel >= pb.top + lay.h)) {
		pb.top = lay.sel < pb.top ? lay.sel : lay.sel - lay.h + 1;
		pb.follow = 0;
		for (i = 1; i < h - 1; i++)
			draw_fill(y + i, 0, w, STYLE_NORMAL);
		draw_step(y, h, w);
		return;
	}
	pb.follow = 0;
	pb.rows = lay.row;
	draw_printf(y + h - 1, 1, w - 2, STYLE_DIM, "%sd done  s skip  f failed  n note  "
	    "x tick  <- -> steps  c checks  w export  q leave", pb.top + lay.h < lay.row ?
	    "PgDn more  " : "");
}

/* A finished run: the counts and the duration, then each step's result and notes. */
static void
draw_summary(int y, int h, int w)
{
	const cJSON *sum = cJSON_GetObjectItem(pb.run, "summary"), *s, *res, *n;
	char dur[16], *line;
	int i = 0;

	draw_progress(y, w);
	lay.y = y + 1;
	lay.h = h - 2;
	lay.row = 0;
	lay.next = 0;
	format_age(dur, sizeof dur, (long)json_num(sum, "seconds"));
	line = xprintf("Finished in %s: %.0f done, %.0f skipped, %.0f failed.", dur,
	    json_num(sum, "done"), json_num(sum, "skipped"), json_num(sum, "failed"));
	put_text_flags(1, w - 2, STYLE_OK, "", line, 1, 1, 1);
	free(line);
	lay.row++;
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(cJSON_GetObjectItem(pb.run, "content"),
	    "steps")) {
		res = step_result(i);
		line = xprintf("%2d. %-7s ", i + 1, res != NULL ? json_str(res, "result", "") : "-");
		put_wrapped(1, w - 2, res == NULL || strcmp(json_str(res, "result", ""), "done") != 0 ?
		    STYLE_WARN : STYLE_NORMAL, line, json_str(s, "title", ""));
		free(line);
		if (res != NULL && *json_str(res, "note", "") != '\0')
			put_text(13, w - 14, STYLE_DIM, "", json_str(res, "note", ""), 1);
		cJSON_ArrayForEach(n, cJSON_GetObjectItem(pb.run, "notes")) {
			if ((int)json_num(n, "step") != i)
				continue;
			line = xprintf("note by %s: ", json_str(n, "actor", ""));
			put_text(13, w - 14, STYLE_DIM, line, json_str(n, "text", ""), 1);
			free(line);
		}
		i++;
	}
	pb.rows = lay.row;
	draw_text(y + h - 1, 1, w - 2, STYLE_DIM, "w export as Markdown  <- steps  PgDn/PgUp "
	    "scroll  q back to the library");
}

static void
playbooks_draw(int y, int h, int w)
{
	if (pb.run_id == 0)
		draw_library(y, h, w);
	else if (pb.run != NULL && cJSON_GetObjectItem(pb.run, "finished_at") != NULL &&
	    pb.step >= (int)json_num(pb.run, "steps"))
		draw_summary(y, h, w);
	else
		draw_step(y, h, w);
}

/* --- actions ------------------------------------------------------------------------ */

static void
act_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	if (client_error(r) != NULL)
		console_error("%s", client_error(r));
	else if (cJSON_IsTrue(cJSON_GetObjectItem(r, "finished")))
		console_note("the run is finished");
	run_request(1);
}

static void
step_send(const char *result, const char *note)
{
	cJSON *req = client_request("run.step");

	cJSON_AddNumberToObject(req, "run", (double)pb.run_id);
	cJSON_AddNumberToObject(req, "step", pb.step + 1);
	cJSON_AddStringToObject(req, "result", result);
	if (note != NULL && *note != '\0')
		cJSON_AddStringToObject(req, "text", note);
	console_request(req, act_reply, NULL);
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
	cJSON_AddNumberToObject(req, "run", (double)pb.run_id);
	cJSON_AddNumberToObject(req, "step", pb.step + 1);
	cJSON_AddStringToObject(req, "text", text);
	console_request(req, act_reply, NULL);
}

static void
start_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	if (client_error(r) != NULL) {
		console_error("%s", client_error(r));
		return;
	}
	run_open((long long)json_num(r, "run"));
}

static long long start_incident;
static char *start_id;

static void
start_done(const char *text)
{
	cJSON *req;

	if (text == NULL)
		return;
	req = client_request("run.start");
	cJSON_AddStringToObject(req, "playbook", *text != '\0' ? text : start_id);
	cJSON_AddStringToObject(req, "lang", console_state()->lang);
	if (start_incident > 0)
		cJSON_AddNumberToObject(req, "incident", (double)start_incident);
	console_request(req, start_reply, NULL);
}

/* Asks which playbook to start (the suggested one filled in) and starts it. */
static void
start_prompt(const char *id, long long incident)
{
	char *prompt;

	free(start_id);
	start_id = xstrdup(id);
	start_incident = incident;
	prompt = incident > 0 ? xprintf("Start a playbook for incident %lld (Enter starts, Esc "
	    "cancels): ", incident) : xstrdup("Start playbook (Enter starts, Esc cancels): ");
	cmdline_open(prompt, id, start_done);
	free(prompt);
}

void
view_playbooks_start(const char *id, long long incident)
{
	view_show_ops(&view_playbooks_ops);
	start_prompt(id, incident);
}

void
view_playbooks_run(long long run)
{
	view_show_ops(&view_playbooks_ops);
	run_open(run);
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
	return (int)json_num(step_json(pb.step), "checklist");
}

static int
runner_key(enum action a)
{
	cJSON *req;
	char *prompt;
	int steps = (int)json_num(pb.run, "steps");

	switch (a) {
	case ACTION_RUN_LEAVE:
	case ACTION_CLOSE:
		laid_forget();
		cJSON_Delete(pb.run);
		cJSON_Delete(pb.checks);
		pb.run = pb.checks = NULL;
		pb.run_id = 0;
		lib_request();
		break;
	case ACTION_RUN_DONE:
		step_send("done", NULL);
		break;
	case ACTION_RUN_SKIP:
		prompt = xprintf("Skip step %d; reason: ", pb.step + 1);
		cmdline_open(prompt, "", skip_done);
		free(prompt);
		break;
	case ACTION_RUN_FAIL:
		prompt = xprintf("Step %d failed; note: ", pb.step + 1);
		cmdline_open(prompt, "", fail_done);
		free(prompt);
		break;
	case ACTION_RUN_NOTE:
		prompt = xprintf("Note on step %d: ", pb.step + 1);
		cmdline_open(prompt, "", note_done);
		free(prompt);
		break;
	case ACTION_RUN_TICK:
		if (checklist_items() == 0)
			break;
		req = client_request("run.tick");
		cJSON_AddNumberToObject(req, "run", (double)pb.run_id);
		cJSON_AddNumberToObject(req, "step", pb.step + 1);
		cJSON_AddNumberToObject(req, "item", pb.item);
		cJSON_AddBoolToObject(req, "ticked", !ticked(pb.step, pb.item));
		console_request(req, act_reply, NULL);
		break;
	case ACTION_RUN_PREV:
	case ACTION_RUN_NEXT:
		pb.step += a == ACTION_RUN_NEXT ? 1 : -1;
		if (pb.step < 0)
			pb.step = 0;
		if (pb.step > steps - (cJSON_GetObjectItem(pb.run, "finished_at") ? 0 : 1))
			pb.step = steps - (cJSON_GetObjectItem(pb.run, "finished_at") ? 0 : 1);
		pb.item = pb.top = 0;
		checks_request();
		break;
	case ACTION_RUN_CHECK:
		checks_request();
		break;
	case ACTION_DOWN:
		if (pb.item + 1 < checklist_items())
			pb.item++;
		pb.follow = 1;
		break;
	case ACTION_UP:
		if (pb.item > 0)
			pb.item--;
		pb.follow = 1;
		break;
	case ACTION_PAGE_DOWN:
		if (pb.top + lay.h < pb.rows)
			pb.top += lay.h > 2 ? lay.h - 2 : 1;
		break;
	case ACTION_PAGE_UP:
		pb.top -= lay.h > 2 ? lay.h - 2 : 1;
		if (pb.top < 0)
			pb.top = 0;
		break;
	case ACTION_FIRST:
		pb.top = 0;
		break;
	case ACTION_LAST:
		pb.top = pb.rows > lay.h ? pb.rows - lay.h : 0;
		break;
	case ACTION_WRITE:
		req = client_request("run.export");
		cJSON_AddNumberToObject(req, "run", (double)pb.run_id);
		console_request(req, export_reply, (void *)(intptr_t)pb.run_id);
		break;
	default:
		return 0;
	}
	console_dirty();
	return 1;
}

static int
playbooks_key(enum action a)
{
	const cJSON *p;
	int n = npb();

	if (pb.run_id > 0)
		return runner_key(a);
	if (a == ACTION_OPEN && pb.lib != NULL && pb.list.sel < pb.list.n) {
		if (pb.list.sel < n) {
			p = cJSON_GetArrayItem(cJSON_GetObjectItem(pb.lib, "playbooks"), pb.list.sel);
			if (!console_state()->readonly)
				start_prompt(json_str(p, "id", ""), 0);
		} else {
			p = cJSON_GetArrayItem(cJSON_GetObjectItem(pb.lib, "runs"), pb.list.sel - n);
			run_open((long long)json_num(p, "id"));
		}
		return 1;
	}
	return list_key(&pb.list, a);
}

/* Someone changed a run: the one shown is read again; the library's run list too. */
static void
playbooks_event(const cJSON *ev)
{
	const char *name = json_str(ev, "event", "");

	if (strcmp(name, "run") == 0) {
		if (pb.run_id > 0 && (long long)json_num(ev, "run") == pb.run_id)
			run_request(0);
		else if (pb.run_id == 0)
			lib_request();
	} else if (strcmp(name, "kpi") == 0 && pb.run != NULL &&
	    time(NULL) - pb.checks_at >= CHECK_REFRESH_S)
		checks_request();	/* fresh values: the checks again */
}

static unsigned
playbooks_scopes(void)
{
	return pb.run_id > 0 ? SCOPE_RUNNER | SCOPE_LIST : SCOPE_LIST;
}

static void
playbooks_close(void)
{
	laid_free();
	cJSON_Delete(pb.lib);
	cJSON_Delete(pb.run);
	cJSON_Delete(pb.checks);
	free(pb.error);
	free(start_id);
	start_id = NULL;
	memset(&pb, 0, sizeof pb);
}

const struct view_ops view_playbooks_ops = {
	.name = "playbooks",
	.title = "Playbooks",
	.scopes = SCOPE_LIST,
	.open = playbooks_open,
	.draw = playbooks_draw,
	.key = playbooks_key,
	.event = playbooks_event,
	.close = playbooks_close,
	.mode_scopes = playbooks_scopes,
};
