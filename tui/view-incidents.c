/* SPDX-License-Identifier: ISC */
/*
 * Incidents: the list (most severe and oldest first, or by number), read from the daemon a
 * page at a time so 100 000 incidents scroll without loading them all, and the detail of one
 * incident with its timers and timeline. The action keys work on the selected incident in
 * both.
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/client.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/xmalloc.h"
#include "tui/cmdline.h"
#include "tui/command.h"
#include "tui/console.h"
#include "tui/display.h"
#include "tui/draw.h"
#include "tui/view.h"
#include "tui/widget-list.h"
#include "tui/wrap.h"

/* A page is two screens (at least 50 rows): a page of JSON is the console's largest
   allocation, and its peak memory is what a small screen should not pay for a big one. */
#define PAGE		(draw_rows() > 25 ? 2 * draw_rows() : 50)
#define WINDOW_MAX	(4 * PAGE)	/* rows kept; older ones are dropped and re-read */

static struct {
	cJSON		**rows;		/* the window of the list, owned */
	int		  offset;	/* position of rows[0] in the whole list */
	int		  total;
	struct list	  list;		/* sel and top are positions within the window */
	int		  by_id;
	char		 *filter;
	int		  loading;
	int		  reload;	/* the first page again once this load is in */
	int		  stale;	/* changed beyond the first page: R reloads */
	long long	  keep_id;	/* the row to keep selected over a reload, or 0 */
	int		  keep_sel;	/* else the line */
	unsigned	  generation;
	cJSON		 *counts;
	char		 *error;

	cJSON		 *detail;	/* the incident open in detail, owned */
	int		  detail_top;	/* first timeline row shown */
	int		  detail_rows;	/* timeline rows at the last draw */
	int		  detail_body;	/* rows the timeline had on screen */
	long long	  detail_id;
	struct wrap	 *texts;	/* each timeline entry's text laid out, one per entry */
	int		  ntexts;
} in;

static int
has(const cJSON *o, const char *k)
{
	return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, k));
}

static enum style
severity_style(int sev)
{
	return sev == 1 ? STYLE_CRIT : sev == 2 ? STYLE_WARN : STYLE_NORMAL;
}

static void
rows_clear(void)
{
	int i;

	for (i = 0; i < in.list.n; i++)
		cJSON_Delete(in.rows[i]);
	free(in.rows);
	in.rows = NULL;
	in.list.n = 0;
}

/*
 * The filter line: words like sev:1,2 status:triggered level:2 assignee:bob (or mine, or
 * nobody) select; everything else is searched in the titles.
 */
static void
filter_apply(cJSON *req)
{
	char *copy, *w, *save, *value, *v, *vsave;
	cJSON *arr;
	struct buf search;

	if (in.filter == NULL)
		return;
	buf_init(&search);
	copy = xstrdup(in.filter);
	for (w = strtok_r(copy, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		value = strchr(w, ':');
		if (value != NULL && value[1] != '\0') {
			*value++ = '\0';
			if (strcmp(w, "sev") == 0 || strcmp(w, "status") == 0) {
				arr = cJSON_CreateArray();
				for (v = strtok_r(value, ",", &vsave); v != NULL;
				    v = strtok_r(NULL, ",", &vsave))
					cJSON_AddItemToArray(arr, cJSON_CreateString(v));
				cJSON_AddItemToObject(req, strcmp(w, "sev") == 0 ? "severity" :
				    "status", arr);
				continue;
			}
			if (strcmp(w, "level") == 0) {
				cJSON_AddNumberToObject(req, "level", atoi(value + (*value == 'L' ||
				    *value == 'l')));
				continue;
			}
			if (strcmp(w, "assignee") == 0) {
				cJSON_AddStringToObject(req, "assignee", strcmp(value, "mine") == 0 ?
				    console_state()->user : strcmp(value, "nobody") == 0 ? "" : value);
				continue;
			}
			value[-1] = ':';
		}
		buf_printf(&search, "%s%s", search.len ? " " : "", w);
	}
	if (search.len > 0)
		cJSON_AddStringToObject(req, "search", search.data);
	buf_free(&search);
	free(copy);
}

enum page_kind { PAGE_FIRST, PAGE_LAST, PAGE_AFTER, PAGE_BEFORE };

struct page_req {
	unsigned	generation;
	enum page_kind	kind;
};

/* A row from the daemon (the view's now), stamped with when it came: its timers go on
   from there. */
static cJSON *
stamped(cJSON *row)
{
	if (row != NULL)
		cJSON_AddNumberToObject(row, "received", (double)time(NULL));
	return row;
}

/* Seconds since a row came from the daemon. */
static double
elapsed(const cJSON *row)
{
	double at = json_num(row, "received"), now = (double)time(NULL);

	return isnan(at) || now < at ? 0 : now - at;
}

static void page_request(enum page_kind);

/* Reads the first page again. The selected incident stays selected where it goes, unless
   it moved itself (resolved by someone): then the selection stays on its line. */
static void
list_reload(long long moved)
{
	long long sel = in.list.sel < in.list.n ? (long long)json_num(in.rows[in.list.sel],
	    "id") : 0;

	if (in.loading) {
		in.reload = 1;
		return;
	}
	in.keep_id = sel != moved ? sel : 0;
	in.keep_sel = in.list.sel;
	page_request(PAGE_FIRST);
}

static void
page_reply(void *arg, const cJSON *r)
{
	struct page_req *pr = arg;
	const cJSON *rows, *e;
	int n, i, drop;

	if (pr->generation != in.generation) {
		free(pr);
		return;
	}
	in.loading = 0;
	if (r == NULL || client_error(r) != NULL) {
		free(in.error);
		in.error = r != NULL ? xstrdup(client_error(r)) : NULL;
		free(pr);
		console_dirty();
		return;
	}
	rows = cJSON_GetObjectItem(r, "incidents");
	n = cJSON_GetArraySize(rows);
	in.total = (int)json_num(r, "total");
	cJSON_Delete(in.counts);
	in.counts = console_take(r, cJSON_GetObjectItem(r, "counts"));
	if (pr->kind == PAGE_FIRST || pr->kind == PAGE_LAST) {
		rows_clear();
		in.offset = (int)json_num(r, "offset");
		in.list.sel = pr->kind == PAGE_LAST && n > 0 ? n - 1 : in.keep_sel < n ?
		    in.keep_sel : 0;
		in.list.top = 0;
		in.stale = 0;
		i = 0;
		cJSON_ArrayForEach(e, rows) {
			if (in.keep_id > 0 && json_num(e, "id") == (double)in.keep_id)
				in.list.sel = i;
			i++;
		}
		in.keep_id = 0;
		in.keep_sel = 0;
	}
	in.rows = xreallocarray(in.rows, (size_t)(in.list.n + n), sizeof *in.rows);
	if (pr->kind == PAGE_BEFORE) {
		memmove(in.rows + n, in.rows, (size_t)in.list.n * sizeof *in.rows);
		/* Taken out of the reply, not copied: a page is the console's largest tree. */
		for (i = 0; (e = rows->child) != NULL; i++)
			in.rows[i] = stamped(console_take(rows, e));
		in.list.n += n;
		in.list.sel += n;
		in.list.top += n;
		in.offset = (int)json_num(r, "offset");
	} else {
		while ((e = rows->child) != NULL)
			in.rows[in.list.n++] = stamped(console_take(rows, e));
	}
	/* Keep the window bounded: drop the far end from the selection. */
	if (in.list.n > WINDOW_MAX) {
		drop = in.list.n - WINDOW_MAX;
		if (pr->kind == PAGE_BEFORE) {
			for (i = WINDOW_MAX; i < in.list.n; i++)
				cJSON_Delete(in.rows[i]);
		} else {
			for (i = 0; i < drop; i++)
				cJSON_Delete(in.rows[i]);
			memmove(in.rows, in.rows + drop, (size_t)WINDOW_MAX * sizeof *in.rows);
			in.offset += drop;
			in.list.sel -= drop;
			in.list.top -= drop;
		}
		in.list.n = WINDOW_MAX;
	}
	free(pr);
	if (in.reload) {
		in.reload = 0;
		list_reload(0);
	}
	console_dirty();
}

static void
page_request(enum page_kind kind)
{
	cJSON *req = client_request("incident.list");
	struct page_req *pr = xcalloc(1, sizeof *pr);

	cJSON_AddNumberToObject(req, "limit", PAGE);
	if (in.by_id)
		cJSON_AddStringToObject(req, "order", "id");
	filter_apply(req);
	if (kind == PAGE_LAST)
		cJSON_AddTrueToObject(req, "last");
	else if (kind == PAGE_AFTER)
		cJSON_AddNumberToObject(req, "after", json_num(in.rows[in.list.n - 1], "id"));
	else if (kind == PAGE_BEFORE)
		cJSON_AddNumberToObject(req, "before", json_num(in.rows[0], "id"));
	if (kind == PAGE_FIRST || kind == PAGE_LAST)
		in.generation++;
	pr->generation = in.generation;
	pr->kind = kind;
	in.loading = 1;
	console_request(req, page_reply, pr);
}

/* Loads more when the selection comes near either end of the window. */
static void
page_more(void)
{
	if (in.loading || in.list.n == 0)
		return;
	if (in.list.sel + in.list.height >= in.list.n && in.offset + in.list.n < in.total)
		page_request(PAGE_AFTER);
	else if (in.list.sel < in.list.height && in.offset > 0)
		page_request(PAGE_BEFORE);
}

static void detail_request(long long);

static void
incidents_open(void)
{
	free(in.error);
	in.error = NULL;
	page_request(PAGE_FIRST);
	if (in.detail_id > 0)
		detail_request(in.detail_id);
}

static const cJSON *
selected(void)
{
	if (in.detail != NULL)
		return in.detail;
	return in.list.sel < in.list.n ? in.rows[in.list.sel] : NULL;
}

/* "5m left", "12m over" */
static int
timer_text(char *buf, size_t len, double left)
{
	char age[16];

	format_age(age, sizeof age, (long)(left < 0 ? -left : left));
	snprintf(buf, len, "%s %s", age, left < 0 ? "over" : "left");
	return left < 0;
}

static void
draw_counts(int y, int w)
{
	const cJSON *open = cJSON_GetObjectItem(in.counts, "open");
	int x = 1, sev;
	char buf[64];

	for (sev = 1; sev <= 4; sev++) {
		snprintf(buf, sizeof buf, "SEV%d %.0f", sev,
		    cJSON_GetNumberValue(cJSON_GetArrayItem(open, sev - 1)));
		x += draw_text(y, x, w - x, sev <= 2 && cJSON_GetNumberValue(
		    cJSON_GetArrayItem(open, sev - 1)) > 0 ? severity_style(sev) : STYLE_NORMAL,
		    buf) + 2;
	}
	if (json_num(in.counts, "overdue") > 0)
		x += draw_printf(y, x, w - x, STYLE_CRIT, "%.0f overdue", json_num(in.counts,
		    "overdue")) + 2;
	if (in.stale)
		x += draw_text(y, x, w - x, STYLE_WARN, "changed: R reloads") + 2;
	draw_printf(y, x, w - x - 1, STYLE_DIM, "%d listed, %s", in.total, in.by_id ?
	    "newest first (s: by severity)" : "by severity and age (s: by number)");
}

static void
draw_row(int y, int w, const cJSON *r, int selected_row)
{
	char age[16], timer[32] = "", times[48], sev[8];
	int over = 0, sevn = (int)json_num(r, "severity");

	format_age(age, sizeof age, (long)(json_num(r, "age") + elapsed(r)));
	if (has(r, "ack_left"))
		over = timer_text(timer, sizeof timer, json_num(r, "ack_left") - elapsed(r));
	else if (has(r, "snoozed_until"))
		snprintf(timer, sizeof timer, "snoozed");
	/* Age and timer in one cell: one colour change less per row. */
	snprintf(times, sizeof times, "%5s %s", age, timer);
	snprintf(sev, sizeof sev, "SEV%d", sevn);
	/* Only the number cell marks the selection: a j costs two small cells. */
	draw_printf(y, 0, 7, selected_row ? STYLE_SELECTED : STYLE_NORMAL, "%6.0f ",
	    json_num(r, "id"));
	draw_text(y, 8, 4, severity_style(sevn), sev);
	draw_printf(y, 13, 2, STYLE_NORMAL, "L%.0f", json_num(r, "level"));
	draw_text(y, 16, 12, strcmp(json_str(r, "status", ""), "triggered") == 0 ? STYLE_WARN :
	    STYLE_NORMAL, json_str(r, "status", "?"));
	draw_text(y, 29, 10, STYLE_NORMAL, json_str(r, "assignee", "-"));
	draw_text(y, 40, 16, over ? STYLE_CRIT : STYLE_DIM, times);
	draw_text(y, 57, w - 57, cJSON_IsTrue(cJSON_GetObjectItem(r, "recovered")) ?
	    STYLE_OK : STYLE_NORMAL, json_str(r, "title", ""));
}

static void
draw_list(int y, int h, int w)
{
	int body = h - 2, i;

	draw_counts(y, w);
	draw_line(y + 1, 0, w, STYLE_TITLE,
	    "    ID SEV  L  STATUS       ASSIGNEE     AGE ACK        TITLE");
	if (in.error != NULL) {
		draw_text(y + 3, 2, w - 4, STYLE_ERROR, in.error);
		return;
	}
	if (in.list.n == 0) {
		draw_text(y + 3, 2, w - 4, STYLE_DIM, in.loading ? "loading..." :
		    in.filter != NULL ? "No incidents match the filter." :
		    "No incidents. + opens one.");
		return;
	}
	list_scroll(&in.list, body);
	list_rows_at(&in.list, y + 2, w);
	for (i = 0; i < body && in.list.top + i < in.list.n; i++)
		draw_row(y + 2 + i, w, in.rows[in.list.top + i], in.list.top + i == in.list.sel);
}

/* Forgets the layouts of the timeline texts: the incident they point into is gone. */
static void
texts_clear(void)
{
	int i;

	for (i = 0; i < in.ntexts; i++)
		wrap_free(&in.texts[i]);
	free(in.texts);
	in.texts = NULL;
	in.ntexts = 0;
}

static void
detail_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (console_failed(r))
		return;
	/* At the newest rows, stay there when an entry comes in. */
	if (in.detail != NULL && in.detail_top + in.detail_body >= in.detail_rows)
		in.detail_top = 1 << 30;
	texts_clear();
	cJSON_Delete(in.detail);
	in.detail = stamped(console_take(r, cJSON_GetObjectItem(r, "incident")));
	in.ntexts = cJSON_GetArraySize(cJSON_GetObjectItem(in.detail, "timeline"));
	in.texts = xcalloc((size_t)in.ntexts + 1, sizeof *in.texts);
	console_dirty();
}

static void
detail_request(long long id)
{
	cJSON *req = client_request("incident.show");

	cJSON_AddNumberToObject(req, "incident", (double)id);
	cJSON_AddStringToObject(req, "lang", console_state()->lang);
	in.detail_id = id;
	console_request(req, detail_reply, NULL);
}

/*
 * The timeline, newest at the bottom, scrolled by rows: a long note takes as many rows as it
 * needs and the entries after it stay reachable. Each entry's text is laid out once per
 * width; a draw walks the entries' row counts and draws only the rows in view.
 */
static void
draw_timeline(int row, int body, int w)
{
	const cJSON *e;
	const struct wrap_row *r;
	struct wrap *t;
	char when[32], who[128];
	int i = 0, at = 0, x, k, total = 0;
	time_t ts;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(in.detail, "timeline")) {
		if (i >= in.ntexts)
			break;
		snprintf(who, sizeof who, "%s: ", json_str(e, "actor", ""));
		x = 30 + draw_width(who);
		wrap_layout(&in.texts[i++], json_str(e, "text", ""), strlen(json_str(e, "text", "")),
		    w - 1 - x, WRAP_WORDS | (display_ascii() ? WRAP_ASCII : 0));
	}
	for (i = 0; i < in.ntexts; i++)
		total += in.texts[i].n;
	in.detail_rows = total;
	in.detail_body = body;
	if (in.detail_top > total - body)
		in.detail_top = total - body;
	if (in.detail_top < 0)
		in.detail_top = 0;
	i = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(in.detail, "timeline")) {
		if (i >= in.ntexts || at >= in.detail_top + body)
			break;
		t = &in.texts[i++];
		if (at + t->n <= in.detail_top) {
			at += t->n;
			continue;
		}
		ts = (time_t)json_num(e, "ts");
		format_time(when, sizeof when, ts);
		snprintf(who, sizeof who, "%s: ", json_str(e, "actor", ""));
		x = 32 + draw_width(who);
		if (at >= in.detail_top) {
			draw_text(row + at - in.detail_top, 1, 16, STYLE_DIM, when);
			draw_text(row + at - in.detail_top, 18, 13, STYLE_NORMAL, json_str(e, "kind", ""));
			draw_text(row + at - in.detail_top, 32, w - 33, STYLE_DIM, who);
		}
		for (k = 0; k < t->n; k++, at++) {
			if (at < in.detail_top || at >= in.detail_top + body)
				continue;
			r = &t->rows[k];
			draw_textn(row + at - in.detail_top, x, w - 1 - x, STYLE_NORMAL,
			    t->text + r->off, r->len);
		}
	}
	/* On the rule above: where the view is, when the timeline is longer than the screen. */
	if (total > body) {
		snprintf(who, sizeof who, " rows %d-%d of %d (PgUp/PgDn) ", in.detail_top + 1,
		    in.detail_top + body < total ? in.detail_top + body : total, total);
		draw_text(row - 1, w - 2 - draw_width(who), draw_width(who), STYLE_DIM, who);
	}
}

/* Playbooks that apply to the incident's KPI or alerts: p starts the first. */
static void
suggestions(int *row, int w, const cJSON *d)
{
	const cJSON *p;
	struct buf b;

	if (cJSON_GetArraySize(cJSON_GetObjectItem(d, "suggested")) == 0)
		return;
	buf_init(&b);
	buf_addstr(&b, "playbooks (p): ");
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(d, "suggested"))
		buf_printf(&b, "%s%s (%s)", p->prev != NULL && p != cJSON_GetArrayItem(
		    cJSON_GetObjectItem(d, "suggested"), 0) ? ", " : "", json_str(p, "id", ""),
		    json_str(p, "title", ""));
	draw_text((*row)++, 1, w - 2, STYLE_OK, b.data);
	buf_free(&b);
}

/* The keys that work on the incident as it is now, for the console's role. */
static const char *
detail_hints(const char *status)
{
	if (console_state()->readonly)
		return "w postmortem  Esc back  (read-only)";
	if (strcmp(status, "resolved") == 0)
		return "u reopen  n note  N long note  w postmortem  Esc back";
	if (strcmp(status, "triggered") == 0)
		return "a ack  o take  n note  e escalate  m mitigate  r resolve  S severity  "
		    "z snooze  t ticket  w postmortem  p playbook  Esc back";
	if (strcmp(status, "acknowledged") == 0)
		return "o take  n note  e escalate  m mitigate  r resolve  S severity  z snooze  "
		    "t ticket  w postmortem  p playbook  Esc back";
	return "o take  n note  e escalate  r resolve  S severity  z snooze  t ticket  "
	    "w postmortem  p playbook  Esc back";
}

static void
draw_detail(int y, int h, int w)
{
	const cJSON *d = in.detail, *k;
	char buf[256], timer[32];
	int row = y, resolved;

	if (d == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	resolved = strcmp(json_str(d, "status", ""), "resolved") == 0;
	draw_printf(row, 1, 10, severity_style((int)json_num(d, "severity")), "SEV%.0f",
	    json_num(d, "severity"));
	draw_printf(row++, 7, w - 8, STYLE_TITLE, "#%.0f %s", json_num(d, "id"), json_str(d, "title", ""));
	snprintf(buf, sizeof buf, "%s  L%.0f  assignee %s  source %s",
	    json_str(d, "status", "?"), json_num(d, "level"), json_str(d, "assignee", "-"),
	    json_str(d, "source", "?"));
	/* Every KPI of the outage, those ok again marked. */
	cJSON_ArrayForEach(k, cJSON_GetObjectItem(d, "kpis"))
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s%s",
		    k == cJSON_GetObjectItem(d, "kpis")->child ? " " : ", ", json_str(k, "name",
		    "?"), has(k, "recovered_at") ? " (ok)" : "");
	if (cJSON_GetArraySize(cJSON_GetObjectItem(d, "kpis")) == 0 && *json_str(d, "kpi", ""))
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), " %s", json_str(d, "kpi", ""));
	draw_text(row++, 1, w - 2, STYLE_NORMAL, buf);
	buf[0] = '\0';
	if (has(d, "ack_left") && timer_text(timer, sizeof timer, json_num(d, "ack_left") -
	    elapsed(d)) >= 0)
		snprintf(buf, sizeof buf, "acknowledge: %s   ", timer);
	if (has(d, "resolve_left")) {
		timer_text(timer, sizeof timer, json_num(d, "resolve_left") - elapsed(d));
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "resolve: %s   ", timer);
	}
	if (has(d, "mtta"))
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "MTTA %.0fs   ",
		    json_num(d, "mtta"));
	if (has(d, "mttr"))
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "MTTR %.0fs", json_num(d, "mttr"));
	draw_text(row++, 1, w - 2, has(d, "ack_left") && json_num(d, "ack_left") - elapsed(d) < 0 ?
	    STYLE_CRIT : STYLE_DIM, buf);
	if (has(d, "snoozed_until"))
		draw_printf(row++, 1, w - 2, STYLE_WARN, "snoozed: %s", json_str(d, "snooze_reason", ""));
	if (cJSON_IsTrue(cJSON_GetObjectItem(d, "recovered")) && !resolved)
		draw_text(row++, 1, w - 2, STYLE_OK, console_state()->readonly ?
		    "the source has recovered" : "the source has recovered: resolve? (r)");
	if (*json_str(d, "description", "") != '\0')
		draw_text(row++, 1, w - 2, STYLE_NORMAL, json_str(d, "description", ""));
	suggestions(&row, w, d);
	draw_hline(row++, 0, w, STYLE_DIM);

	draw_timeline(row, y + h - 1 - row, w);
	draw_text(y + h - 1, 1, w - 2, STYLE_DIM, detail_hints(json_str(d, "status", "")));
}

static void
incidents_draw(int y, int h, int w)
{
	if (in.detail_id > 0)
		draw_detail(y, h, w);
	else
		draw_list(y, h, w);
}

/* --- actions ------------------------------------------------------------------------ */

static long long act_id;
static const char *act_op;

static void
act_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (!console_failed(r) && cJSON_GetObjectItem(r, "ticket_key") != NULL)
		console_note("ticket %s %s", json_str(r, "ticket_key", ""), json_str(r, "ticket_url", ""));
}

static void
report_reply(void *arg, const cJSON *r)
{
	char name[64];

	snprintf(name, sizeof name, "incident-%lld-postmortem.md", (long long)(intptr_t)arg);
	view_write_reply(r, name);
}

/* The op's number argument (minutes, severity) goes with it when > 0. */
static void
act_send(const char *op, long long id, const char *text, long number)
{
	cJSON *req = client_request(op);

	cJSON_AddNumberToObject(req, "incident", (double)id);
	if (text != NULL && *text != '\0')
		cJSON_AddStringToObject(req, "text", text);
	if (number > 0)
		cJSON_AddNumberToObject(req, strcmp(op, "incident.severity") == 0 ? "severity" :
		    "minutes", (double)number);
	console_request(req, act_reply, NULL);
}

/* After a prompt: the text goes with the op chosen before it. */
static void
act_prompted(const char *text)
{
	char *end;
	long n;

	if (text == NULL)
		return;
	if (strcmp(act_op, "incident.severity") == 0) {
		n = strtol(text + (strncasecmp(text, "sev", 3) == 0 ? 3 : 0), &end, 10);
		while (*end == ' ')
			end++;
		if (n < 1 || n > 4) {
			console_error("severity: give 1 to 4 (or SEV1 to SEV4) and a reason, e.g. "
			    "1 checkout is down");
			return;
		}
		act_send(act_op, act_id, end, n);
		return;
	}
	if (strcmp(act_op, "incident.snooze") == 0) {
		n = strtol(text, &end, 10);
		while (*end == ' ')
			end++;
		if (n <= 0 || *end == '\0') {
			console_error("snooze: give minutes and a reason, e.g. 30 waiting for vendor");
			return;
		}
		act_send(act_op, act_id, end, n);
		return;
	}
	if (strcmp(act_op, "incident.note") == 0 && *text == '\0')
		return;
	act_send(act_op, act_id, text, 0);
}

/* A long note, written in $EDITOR. */
static void
note_in_editor(long long id)
{
	char *text = view_edit("", 65536);

	if (text != NULL && *text != '\0')
		act_send("incident.note", id, text, 0);
	free(text);
}

static void
act_prompt(const char *op, const char *fmt)
{
	const cJSON *r = selected();
	char *prompt;

	act_id = (long long)json_num(r, "id");
	act_op = op;
	prompt = xprintf(fmt, act_id, json_str(r, "title", ""));
	/* A note and a snooze need text; escalate and resolve take it if given. */
	if (strcmp(op, "incident.note") == 0 || strcmp(op, "incident.snooze") == 0 ||
	    strcmp(op, "incident.severity") == 0)
		cmdline_open_required(prompt, act_prompted);
	else
		cmdline_open(prompt, "", act_prompted);
	free(prompt);
}

static int
incidents_key(enum action a)
{
	const cJSON *r = selected();
	long long id = r != NULL ? (long long)json_num(r, "id") : 0;
	cJSON *req;

	switch (a) {
	case ACTION_INC_NEW:
		command_prompt("open 3 ");
		return 1;
	case ACTION_INC_SORT:
		in.by_id = !in.by_id;
		page_request(PAGE_FIRST);
		return 1;
	case ACTION_OPEN:
		if (in.detail_id == 0 && r != NULL) {
			in.detail_top = 1 << 30;	/* the newest timeline entries */
			detail_request(id);
			console_dirty();
		}
		return 1;
	case ACTION_CLOSE:
		if (in.detail_id > 0) {
			texts_clear();
			cJSON_Delete(in.detail);
			in.detail = NULL;
			in.detail_id = 0;
			console_dirty();
		}
		return 1;
	default:
		break;
	}
	if (r == NULL)
		return 0;
	switch (a) {
	case ACTION_INC_ACK:
		act_send("incident.ack", id, NULL, 0);
		return 1;
	case ACTION_INC_TAKE:
		act_send("incident.take", id, NULL, 0);
		return 1;
	case ACTION_INC_MITIGATE:
		act_send("incident.mitigate", id, NULL, 0);
		return 1;
	case ACTION_INC_REOPEN:
		act_send("incident.reopen", id, NULL, 0);
		return 1;
	case ACTION_INC_TICKET:
		act_send("incident.ticket", id, NULL, 0);
		return 1;
	case ACTION_INC_PLAYBOOK:
		view_playbooks_start(json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(in.detail,
		    "suggested"), 0), "id", ""), id);
		return 1;
	case ACTION_WRITE:
		req = client_request("incident.report");
		cJSON_AddNumberToObject(req, "incident", (double)id);
		console_request(req, report_reply, (void *)(intptr_t)id);
		return 1;
	case ACTION_INC_NOTE:
		act_prompt("incident.note", "Note on #%lld: ");
		return 1;
	case ACTION_INC_EDIT:
		note_in_editor(id);
		return 1;
	case ACTION_INC_ESCALATE:
		act_prompt("incident.escalate", "Escalate #%lld %.40s one level; reason "
		    "(Enter escalates, Esc cancels): ");
		return 1;
	case ACTION_INC_RESOLVE:
		act_prompt("incident.resolve", "Resolve #%lld %.40s; closing note "
		    "(Enter resolves, Esc cancels): ");
		return 1;
	case ACTION_INC_SEVERITY:
		act_prompt("incident.severity", "Severity of #%lld %.40s: 1-4 and a reason: ");
		return 1;
	case ACTION_INC_SNOOZE:
		act_prompt("incident.snooze", "Snooze #%lld's timers: minutes and reason: ");
		return 1;
	default:
		break;
	}
	if (in.detail_id > 0)
		return view_scroll(&in.detail_top, in.detail_body, in.detail_rows, a);
	if (a == ACTION_FIRST && in.offset > 0) {
		page_request(PAGE_FIRST);
		return 1;
	}
	if (a == ACTION_LAST && in.offset + in.list.n < in.total) {
		page_request(PAGE_LAST);
		return 1;
	}
	if (!list_key(&in.list, a))
		return 0;
	page_more();
	return 1;
}

/* A change from any console: the row is updated in place; a new incident of SEV1 or SEV2
   rings the bell once and shows a banner. */
static void
incidents_event(const cJSON *ev)
{
	const cJSON *inc = cJSON_GetObjectItem(ev, "incident");
	double id = json_num(inc, "id");
	int i, found = 0, moved = 0;

	if (strcmp(json_str(ev, "event", ""), "incident") != 0 || inc == NULL)
		return;
	for (i = 0; i < in.list.n; i++) {
		if (json_num(in.rows[i], "id") == id) {
			/* A new severity or status may move the row: the list is read again. */
			moved = json_num(in.rows[i], "severity") != json_num(inc, "severity") ||
			    strcmp(json_str(in.rows[i], "status", ""), json_str(inc, "status",
			    "")) != 0;
			cJSON_Delete(in.rows[i]);
			in.rows[i] = stamped(cJSON_Duplicate(inc, 1));
			found = 1;
		}
	}
	/* A new or moved one: the first page is read again if it is the one shown (at most
	   one read in flight); further down the list says it changed. */
	if (!found || moved) {
		if (in.offset == 0)
			list_reload(moved ? (long long)id : 0);
		else
			in.stale = 1;
	}
	if (in.detail_id == (long long)id)
		detail_request(in.detail_id);
	console_dirty();
}

void
view_incidents_show(long long id)
{
	view_show_ops(&view_incidents_ops);
	in.detail_top = 1 << 30;
	detail_request(id);
	console_dirty();
}

static void
incidents_filter(const char *text)
{
	free(in.filter);
	in.filter = text != NULL ? xstrdup(text) : NULL;
	page_request(PAGE_FIRST);
}

static void
incidents_close(void)
{
	rows_clear();
	texts_clear();
	cJSON_Delete(in.counts);
	cJSON_Delete(in.detail);
	free(in.filter);
	free(in.error);
	memset(&in, 0, sizeof in);
}

const struct view_ops view_incidents_ops = {
	.name = "incidents",
	.title = "Incidents",
	.scopes = SCOPE_LIST | SCOPE_INCIDENTS,
	.open = incidents_open,
	.draw = incidents_draw,
	.key = incidents_key,
	.event = incidents_event,
	.seconds = 1,
	.filter = incidents_filter,
	.close = incidents_close,
};
