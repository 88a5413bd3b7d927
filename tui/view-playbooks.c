/* SPDX-License-Identifier: ISC */
/*
 * Playbooks: the library and the open runs. Enter starts a playbook or opens a run, which
 * the runner (tui/view-run.c) shows until the user leaves it.
 */
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
#include "tui/widget-list.h"

static struct {
	cJSON		*lib;		/* playbook.list reply: playbooks and runs */
	struct list	 list;		/* over playbooks, then runs */
	char		*error;
	long long	 start_incident;
	char		*start_id;	/* the playbook suggested when asked which to start */
	int		 select;	/* ... to be selected in the library once it is in */
} pb;

static int
npb(void)
{
	return cJSON_GetArraySize(cJSON_GetObjectItem(pb.lib, "playbooks"));
}

/* Puts the selection on the playbook the start prompt names, once the library is in. */
static void
select_start(void)
{
	const cJSON *p;
	int i = 0;

	if (!pb.select || pb.lib == NULL)
		return;
	pb.select = 0;
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(pb.lib, "playbooks")) {
		if (pb.start_id != NULL && strcmp(json_str(p, "id", ""), pb.start_id) == 0) {
			pb.list.sel = i;
			console_dirty();
			return;
		}
		i++;
	}
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
		pb.lib = console_take(NULL, r);
		pb.list.n = npb() + cJSON_GetArraySize(cJSON_GetObjectItem(pb.lib, "runs"));
		select_start();
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
playbooks_open(void)
{
	lib_request();
	view_run_reload();
}

/* An open run in the library: id, playbook, progress, incident, the last action's time. */
static void
run_line(char *line, size_t size, const cJSON *r)
{
	char incident[16] = "", when[32] = "";
	time_t t = (time_t)json_num(r, "last_at");

	if (cJSON_GetObjectItem(r, "incident") != NULL)
		snprintf(incident, sizeof incident, "#%.0f", json_num(r, "incident"));
	if (t > 0)
		format_time(when, sizeof when, t);
	snprintf(line, size, "run %-5.0f %-18s %2.0f/%-2.0f %-6s %-16s ", json_num(r, "id"),
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
	list_rows_at(&pb.list, y + 1, w);
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

static void
playbooks_draw(int y, int h, int w)
{
	if (view_run_shown())
		view_run_draw(y, h, w);
	else
		draw_library(y, h, w);
}

static void
start_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (console_failed(r))
		return;
	view_run_open((long long)json_num(r, "run"));
}

static void
start_done(const char *text)
{
	cJSON *req;

	if (text == NULL)
		return;
	req = client_request("run.start");
	cJSON_AddStringToObject(req, "playbook", *text != '\0' ? text : pb.start_id);
	cJSON_AddStringToObject(req, "lang", console_state()->lang);
	if (pb.start_incident > 0)
		cJSON_AddNumberToObject(req, "incident", (double)pb.start_incident);
	console_request(req, start_reply, NULL);
}

/* Asks which playbook to start (the suggested one filled in) and starts it. */
static void
start_prompt(const char *id, long long incident)
{
	char *prompt;

	free(pb.start_id);
	pb.start_id = xstrdup(id);
	pb.start_incident = incident;
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
	pb.select = 1;
	select_start();
}

void
view_playbooks_run(long long run)
{
	view_show_ops(&view_playbooks_ops);
	view_run_open(run);
}

static int
playbooks_key(enum action a)
{
	const cJSON *p;
	int n = npb(), handled;

	if (view_run_shown()) {
		handled = view_run_key(a);
		if (!view_run_shown())
			lib_request();	/* left the run: back to the library, read again */
		return handled;
	}
	if (a == ACTION_OPEN && pb.lib != NULL && pb.list.sel < pb.list.n) {
		if (pb.list.sel < n) {
			p = cJSON_GetArrayItem(cJSON_GetObjectItem(pb.lib, "playbooks"), pb.list.sel);
			if (!console_state()->readonly)
				start_prompt(json_str(p, "id", ""), 0);
		} else {
			p = cJSON_GetArrayItem(cJSON_GetObjectItem(pb.lib, "runs"), pb.list.sel - n);
			view_run_open((long long)json_num(p, "id"));
		}
		return 1;
	}
	return list_key(&pb.list, a);
}

/* Someone changed a run: the one shown is read again, else the library's run list. */
static void
playbooks_event(const cJSON *ev)
{
	if (view_run_shown())
		view_run_event(ev);
	else if (strcmp(json_str(ev, "event", ""), "run") == 0)
		lib_request();
}

static unsigned
playbooks_scopes(void)
{
	return view_run_shown() ? SCOPE_RUNNER | SCOPE_LIST : SCOPE_LIST;
}

static void
playbooks_close(void)
{
	view_run_close();
	cJSON_Delete(pb.lib);
	free(pb.error);
	free(pb.start_id);
	pb.start_id = NULL;
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
