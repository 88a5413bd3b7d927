/* SPDX-License-Identifier: ISC */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/client.h"
#include "backend/xmalloc.h"
#include "tui/console.h"
#include "tui/draw.h"
#include "tui/view.h"
#include "tui/widget-list.h"
#include "tui/widget-pane.h"

/* A page is two screens (at least 50 rows): its JSON is the view's largest allocation. */
#define AUDIT_PAGE	(draw_rows() > 25 ? 2 * draw_rows() : 50)
#define AUDIT_DETAIL_ROWS 3

struct audit_row {
	long long	 seq;
	char		*ts;
	char		*actor;
	char		*role;
	char		*action;
	char		*object;
	char		*details;	/* NULL: hidden or removed */
};

static struct {
	struct audit_row *rows;
	struct list	  list;
	char		 *filter;
	int		  loading;	/* a page request is in flight */
	int		  limit;	/* ... of this many entries */
	int		  more;		/* older entries may exist */
	int		  stale;	/* new entries arrived while scrolled down */
	unsigned	  generation;	/* replies from before the last reset are dropped */
	char		 *error;
	int		  detail;	/* Enter: the selected entry whole, scrolled by rows */
	int		  detail_top;
	char		 *shown;	/* its details, pretty, for the pane */
	struct pane	  pane;
} au;

static void	audit_detail_close(void);

static void
audit_clear(void)
{
	int i;

	audit_detail_close();
	for (i = 0; i < au.list.n; i++) {
		free(au.rows[i].ts);
		free(au.rows[i].actor);
		free(au.rows[i].role);
		free(au.rows[i].action);
		free(au.rows[i].object);
		free(au.rows[i].details);
	}
	free(au.rows);
	au.rows = NULL;
	au.list.n = au.list.sel = au.list.top = 0;
	free(au.error);
	au.error = NULL;
	au.stale = 0;
}

static char *
field(const cJSON *e, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, k);

	return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static void
audit_page(void *arg, const cJSON *r)
{
	const cJSON *entries, *e;
	struct audit_row *row;
	int n;

	if ((unsigned)(uintptr_t)arg != au.generation)
		return;
	au.loading = 0;
	if (r == NULL)
		return;
	if (client_error(r) != NULL) {
		free(au.error);
		au.error = xstrdup(client_error(r));
		console_dirty();
		return;
	}
	entries = cJSON_GetObjectItemCaseSensitive(r, "entries");
	n = cJSON_GetArraySize(entries);
	au.more = n == au.limit;
	au.rows = xreallocarray(au.rows, (size_t)(au.list.n + n), sizeof *au.rows);
	cJSON_ArrayForEach(e, entries) {
		row = &au.rows[au.list.n++];
		row->seq = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(e, "seq"));
		row->ts = field(e, "ts");
		row->actor = field(e, "actor");
		row->role = field(e, "role");
		row->action = field(e, "action");
		row->object = field(e, "object");
		row->details = field(e, "details");
	}
	console_dirty();
}

static void
audit_request(long long before)
{
	cJSON *req = client_request("audit.list");

	au.limit = AUDIT_PAGE;
	cJSON_AddNumberToObject(req, "limit", au.limit);
	if (before > 0)
		cJSON_AddNumberToObject(req, "before", (double)before);
	if (au.filter != NULL)
		cJSON_AddStringToObject(req, "search", au.filter);
	au.loading = 1;
	console_request(req, audit_page, (void *)(uintptr_t)au.generation);
}

static void
audit_open(void)
{
	au.generation++;
	audit_clear();
	audit_request(0);
}

static void
audit_more(void)
{
	if (!au.loading && au.more && au.list.n > 0 && list_near_end(&au.list))
		audit_request(au.rows[au.list.n - 1].seq);
}

/* One entry whole: every field, the details as indented JSON; long ones scroll. */
static void
audit_draw_detail(int y, int h, int w)
{
	const struct audit_row *r = &au.rows[au.list.sel];
	char head[64];
	cJSON *d;

	if (au.shown == NULL) {
		d = r->details != NULL ? cJSON_Parse(r->details) : NULL;
		au.shown = d != NULL ? cJSON_Print(d) : xstrdup(r->details != NULL ? r->details :
		    "(details are shown to operators and above, or were removed)");
		cJSON_Delete(d);
	}
	snprintf(head, sizeof head, "Audit entry %lld", r->seq);
	draw_line(y, 0, w, STYLE_TITLE, head);
	pane_begin(&au.pane, y + 1, h - 2, au.detail_top);
	pane_text(&au.pane, 1, w - 2, STYLE_NORMAL, "time    ", r->ts ? r->ts : "", 0);
	pane_text(&au.pane, 1, w - 2, STYLE_NORMAL, "actor   ", r->actor ? r->actor : "", 0);
	pane_text(&au.pane, 1, w - 2, STYLE_NORMAL, "role    ", r->role ? r->role : "", 0);
	pane_text(&au.pane, 1, w - 2, STYLE_NORMAL, "action  ", r->action ? r->action : "", 0);
	pane_text(&au.pane, 1, w - 2, STYLE_NORMAL, "object  ", r->object ? r->object : "",
	    PANE_WORDS);
	pane_lines(&au.pane, 1, w - 2, STYLE_NORMAL, "details ", au.shown, 0);
	draw_text(y + h - 1, 1, w - 2, STYLE_DIM, "j/k PgDn/PgUp scroll  Esc back to the list");
}

static void
audit_detail_close(void)
{
	pane_forget(&au.pane);
	free(au.shown);
	au.shown = NULL;
	au.detail = 0;
	au.detail_top = 0;
}

static void
audit_draw(int y, int h, int w)
{
	const struct audit_row *r;
	enum style st;
	int body = h - 2 - AUDIT_DETAIL_ROWS, i, row;
	char ts[20];

	if (au.detail && au.list.sel < au.list.n) {
		audit_draw_detail(y, h, w);
		return;
	}
	draw_line(y, 0, w, STYLE_TITLE, "   SEQ  TIME (UTC)          ACTOR       ROLE      "
	    "ACTION          OBJECT");
	if (au.error != NULL) {
		draw_text(y + 2, 2, w - 4, STYLE_ERROR, au.error);
		return;
	}
	if (au.list.n == 0) {
		draw_text(y + 2, 2, w - 4, STYLE_DIM, au.loading ? "loading..." :
		    au.filter != NULL ? "No audit entries match the filter." :
		    "The audit log is empty.");
		return;
	}
	list_scroll(&au.list, body);
	list_rows_at(&au.list, y + 1, w);
	for (i = 0; i < body && au.list.top + i < au.list.n; i++) {
		row = au.list.top + i;
		r = &au.rows[row];
		snprintf(ts, sizeof ts, "%.10s %.8s", r->ts ? r->ts : "",
		    r->ts && strlen(r->ts) > 11 ? r->ts + 11 : "");
		/* Only the key cell marks the selection: a j costs two short cells, not two rows. */
		draw_printf(y + 1 + i, 0, 7, row == au.list.sel ? STYLE_SELECTED : STYLE_NORMAL,
		    "%6lld ", r->seq);
		st = STYLE_NORMAL;
		draw_text(y + 1 + i, 8, 19, st, ts);
		draw_text(y + 1 + i, 28, 11, st, r->actor ? r->actor : "");
		draw_text(y + 1 + i, 40, 9, st, r->role ? r->role : "");
		draw_text(y + 1 + i, 50, 15, st, r->action ? r->action : "");
		draw_text(y + 1 + i, 66, w - 66, st, r->object ? r->object : "");
	}
	row = y + 1 + body;
	draw_hline(row, 0, w, STYLE_DIM);
	if (au.stale)
		draw_text(row, 2, w - 4, STYLE_WARN, " new entries: g goes to the newest ");
	else if (au.loading)
		draw_text(row, 2, w - 4, STYLE_DIM, " loading... ");
	r = &au.rows[au.list.sel];
	draw_text(row + 1, 1, w - 2, STYLE_NORMAL, r->object ? r->object : "");
	if (r->details != NULL)
		draw_text(row + 2, 1, w - 2, STYLE_NORMAL, r->details);
	else
		draw_text(row + 2, 1, w - 2, STYLE_DIM, "details are shown to operators and above");
}

static int
audit_key(enum action a)
{
	if (au.detail) {
		if (a == ACTION_CLOSE || a == ACTION_OPEN) {
			audit_detail_close();
			console_dirty();
			return 1;
		}
		return view_scroll(&au.detail_top, au.pane.h, au.pane.row, a);
	}
	if (a == ACTION_OPEN && au.list.sel < au.list.n) {
		au.detail = 1;
		console_dirty();
		return 1;
	}
	if (a == ACTION_FIRST && au.stale) {
		audit_open();
		return 1;
	}
	if (!list_key(&au.list, a))
		return 0;
	audit_more();
	return 1;
}

static void
audit_event(const cJSON *ev)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "event");

	if (!cJSON_IsString(name) || strcmp(name->valuestring, "audit") != 0)
		return;
	if (au.list.sel == 0 && !au.loading)
		audit_open();
	else
		au.stale = 1;
	console_dirty();
}

static void
audit_filter(const char *text)
{
	free(au.filter);
	au.filter = text != NULL ? xstrdup(text) : NULL;
	audit_open();
}

static void
audit_close(void)
{
	audit_clear();
	pane_free(&au.pane);
	free(au.filter);
	au.filter = NULL;
}

const struct view_ops view_audit_ops = {
	.name = "audit",
	.title = "Audit",
	.scopes = SCOPE_LIST,
	.open = audit_open,
	.draw = audit_draw,
	.key = audit_key,
	.event = audit_event,
	.filter = audit_filter,
	.close = audit_close,
};
