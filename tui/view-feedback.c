/* SPDX-License-Identifier: ISC */
/*
 * The deployment's conversations rated negative, redacted by the daemon (prompt.feedback),
 * newest first with the selected one below the list. Enter writes an eval case from it in
 * $EDITOR: the question as input, the bad answer as a not_contains; the case is added to
 * production's evals.jsonl of the assistant and proposed like any change (four eyes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/client.h"
#include "backend/feedback.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/xmalloc.h"
#include "tui/console.h"
#include "tui/draw.h"
#include "tui/view-feedback.h"
#include "tui/view.h"
#include "tui/widget-list.h"
#include "tui/wrap.h"

#define MAX_FILE	(256 * 1024)
#define PREVIEW_ROWS	8	/* rows of the selected conversation under the list */

static struct {
	int		 shown;
	int		 loading;
	cJSON		*reply;		/* the prompt.feedback reply, owned */
	char		*error;
	char		*assistant;	/* for a conversation that names none */
	struct list	 list;
	cJSON		*editing;	/* the conversation a case is written from, owned */
} fb;

static const cJSON *
conversations(void)
{
	return cJSON_GetObjectItem(fb.reply, "conversations");
}

/* Row i of the list: newest first. */
static const cJSON *
conversation(int i)
{
	int n = cJSON_GetArraySize(conversations());

	return i >= 0 && i < n ? cJSON_GetArrayItem(conversations(), n - 1 - i) : NULL;
}

static void
feedback_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL || !fb.shown)
		return;
	fb.loading = 0;
	free(fb.error);
	fb.error = client_error(r) != NULL ? xstrdup(client_error(r)) : NULL;
	cJSON_Delete(fb.reply);
	fb.reply = fb.error == NULL ? console_take(NULL, r) : NULL;
	fb.list.n = cJSON_GetArraySize(conversations());
	fb.list.sel = fb.list.top = 0;
	console_dirty();
}

void
view_feedback_open(const char *assistant)
{
	fb.shown = 1;
	fb.loading = 1;
	free(fb.assistant);
	fb.assistant = xstrdup(assistant != NULL ? assistant : "");
	console_request(client_request("prompt.feedback"), feedback_reply, NULL);
	console_dirty();
}

int
view_feedback_shown(void)
{
	return fb.shown;
}

/* Up to max rows of a text, wrapped at words, from row y; returns the rows used. */
static int
draw_wrapped(int y, int max, int w, enum style s, const char *label, const char *text)
{
	struct wrap_row r;
	size_t pos = 0, len = strlen(text);
	int rows = 0;

	draw_text(y, 1, 3, STYLE_TITLE, label);
	while (rows < max && wrap_next(text, len, &pos, w - 5, WRAP_WORDS, &r)) {
		draw_textn(y + rows, 4, w - 5, s, text + r.off, r.len);
		rows++;
	}
	return rows > 0 ? rows : 1;
}

static void
draw_row(int y, int w, const cJSON *c, int sel)
{
	char t[32], line[512];
	const char *q = json_str(c, "question", "");

	if (cJSON_IsNumber(cJSON_GetObjectItem(c, "time")))
		format_time(t, sizeof t, (time_t)json_num(c, "time"));
	else
		snprintf(t, sizeof t, "-");
	snprintf(line, sizeof line, " %-8.32s %s  %-10.32s rel %-4.16s %.*s",
	    json_str(c, "id", ""), t, json_str(c, "assistant", "-"), json_str(c, "release", "-"),
	    (int)strcspn(q, "\n"), q);
	draw_line(y, 0, w, sel ? STYLE_SELECTED : STYLE_NORMAL, line);
}

void
view_feedback_draw(int y, int h, int w)
{
	const cJSON *c;
	int row = y, n, i, listh, used;

	draw_text(row++, 1, w - 2, STYLE_TITLE, "Conversations rated negative, newest first "
	    "(Enter: an eval case from one; F reads again; Esc: back)");
	if (fb.loading && fb.reply == NULL) {
		draw_text(row + 1, 2, w - 4, STYLE_DIM, "reading the feedback feed...");
		return;
	}
	if (fb.error != NULL) {
		draw_text(row + 1, 2, w - 4, STYLE_ERROR, fb.error);
		return;
	}
	n = cJSON_GetArraySize(conversations());
	draw_printf(row++, 1, w - 2, STYLE_DIM, "%d from %s", n, json_str(fb.reply, "url", ""));
	if (json_num_or(fb.reply, "skipped", 0) > 0)
		draw_printf(row++, 1, w - 2, STYLE_WARN, "%.0f line(s) of the feed skipped: %s",
		    json_num(fb.reply, "skipped"), json_str(fb.reply, "problem", ""));
	fb.list.n = n;
	if (n == 0) {
		draw_text(row + 1, 2, w - 4, STYLE_DIM, "No conversation rated negative.");
		return;
	}
	listh = y + h - row - PREVIEW_ROWS - 1;
	if (listh < 3)
		listh = 3;
	list_scroll(&fb.list, listh);
	list_rows_at(&fb.list, row, w);
	for (i = fb.list.top; i < n && i < fb.list.top + listh; i++)
		draw_row(row++, w, conversation(i), i == fb.list.sel);
	row = y + h - PREVIEW_ROWS - 1 > row ? y + h - PREVIEW_ROWS - 1 : row;
	if ((c = conversation(fb.list.sel)) == NULL || row >= y + h)
		return;
	draw_hline(row++, 0, w, STYLE_DIM);
	used = draw_wrapped(row, 3, w, STYLE_NORMAL, "Q:", json_str(c, "question", ""));
	row += used;
	if (row < y + h)
		draw_wrapped(row, y + h - row, w, STYLE_WARN, "A:", json_str(c, "answer", ""));
}

static void
proposed(void *arg, const cJSON *r)
{
	(void)arg;
	if (console_failed(r))
		return;
	console_note("proposal %.0f made with the eval case: e runs its evals",
	    json_num(r, "proposal"));
}

/* Production's evals.jsonl came: the case in $EDITOR, then proposed with it. */
static void
evals_reply(void *arg, const cJSON *r)
{
	cJSON *c = fb.editing, *req;
	char *prefilled, *edited, *evals, *cause = NULL, *desc;

	(void)arg;
	fb.editing = NULL;
	if (c == NULL || console_failed(r)) {
		cJSON_Delete(c);
		return;
	}
	prefilled = feedback_case_text(c);
	if ((edited = view_edit(prefilled, MAX_FILE)) == NULL) {
		free(prefilled);
		cJSON_Delete(c);
		return;
	}
	evals = feedback_case_take(edited, prefilled, json_str(r, "content", ""), &cause);
	free(prefilled);
	free(edited);
	if (evals == NULL) {
		console_error("%s", cause);
		free(cause);
		cJSON_Delete(c);
		return;
	}
	desc = xprintf("Eval case from conversation %s, rated negative (release %s, %s)",
	    json_str(c, "id", ""), json_str(c, "release", "?"), json_str(c, "model", "?"));
	req = client_request("prompt.propose");
	cJSON_AddStringToObject(req, "description", desc);
	cJSON_AddStringToObject(req, "assistant", json_str(r, "assistant", ""));
	cJSON_AddStringToObject(req, "evals", evals);
	console_request(req, proposed, NULL);
	free(desc);
	free(evals);
	cJSON_Delete(c);
}

static void
write_case(const cJSON *c)
{
	const char *assistant = json_str(c, "assistant", fb.assistant);
	cJSON *req;

	if (console_state()->readonly) {
		console_error("read-only console: no eval case is proposed");
		return;
	}
	if (fb.editing != NULL)
		return;
	fb.editing = cJSON_Duplicate(c, 1);
	req = client_request("prompt.cat");
	cJSON_AddStringToObject(req, "file", "evals.jsonl");
	if (*assistant != '\0')
		cJSON_AddStringToObject(req, "assistant", assistant);
	console_request(req, evals_reply, NULL);
}

int
view_feedback_key(enum action a)
{
	switch (a) {
	case ACTION_PR_FEEDBACK:
		view_feedback_open(fb.assistant);
		return 1;
	case ACTION_OPEN:
		if (conversation(fb.list.sel) != NULL)
			write_case(conversation(fb.list.sel));
		return 1;
	case ACTION_CLOSE:
		view_feedback_close();
		console_dirty();
		return 1;
	default:
		break;
	}
	if (!list_key(&fb.list, a))
		return 0;
	console_dirty();
	return 1;
}

void
view_feedback_close(void)
{
	cJSON_Delete(fb.reply);
	cJSON_Delete(fb.editing);
	free(fb.error);
	free(fb.assistant);
	memset(&fb, 0, sizeof fb);
}
