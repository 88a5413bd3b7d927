/* SPDX-License-Identifier: ISC */
/*
 * The dashboard: one tile per KPI in a grid as wide as the terminal, and the detail of one
 * KPI with a chart over 1 h, 6 h, 24 h, 5 m or 15 m. It draws the daemon's snapshots as they come.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/client.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/xmalloc.h"
#include "tui/console.h"
#include "tui/draw.h"
#include "tui/mouse.h"
#include "tui/view.h"
#include "tui/widget-list.h"

#define TILE_WIDTH	40
#define TILE_HEIGHT	4
#define SPARK_MAX	60

/* `t` goes round from the hour; the short ranges show a fresh installation's first minutes. */
static const long ranges[] = { 3600, 6 * 3600, 24 * 3600, 5 * 60, 15 * 60 };
static const char *const range_names[] = { "1 h", "6 h", "24 h", "5 m", "15 m" };
#define NRANGES ((int)(sizeof ranges / sizeof ranges[0]))

static struct {
	cJSON		*snap;		/* the latest snapshot, owned */
	struct list	 list;		/* selection among the tiles */
	int		 detail;	/* showing one KPI */
	int		 range;		/* index into ranges */
	cJSON		*points;	/* the detail chart's [[t, v], ...], owned */
	char		*chart_error;
	int		 chart_loading;
	unsigned	 generation;
} db;

static const cJSON *
kpi_at(int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(db.snap, "kpis"), i);
}

static enum style
state_style(const char *state)
{
	if (strcmp(state, "ok") == 0)
		return STYLE_OK;
	if (strcmp(state, "warn") == 0)
		return STYLE_WARN;
	if (strcmp(state, "crit") == 0)
		return STYLE_CRIT;
	return STYLE_DIM;
}

/* The symbol and word of a state, so it reads without colour. */
static void
state_label(const char *state, char *buf, size_t len)
{
	enum glyph g = GLYPH_UNKNOWN;
	const char *word = "UNKNOWN";

	if (strcmp(state, "ok") == 0)
		g = GLYPH_OK, word = "OK";
	else if (strcmp(state, "warn") == 0)
		g = GLYPH_WARN, word = "WARN";
	else if (strcmp(state, "crit") == 0)
		g = GLYPH_CRIT, word = "CRIT";
	snprintf(buf, len, "%s %s", draw_glyph(g), word);
}

static void
snapshot_take(cJSON *snap)
{
	cJSON_Delete(db.snap);
	db.snap = snap;
	db.list.n = cJSON_GetArraySize(cJSON_GetObjectItem(snap, "kpis"));
	if (db.list.sel >= db.list.n)
		db.list.sel = db.list.n > 0 ? db.list.n - 1 : 0;
	console_dirty();
}

static void
list_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (console_failed(r))
		return;
	snapshot_take(console_take(NULL, r));
}

/* The console subscribes to every topic at connect; this fetches the snapshot at once. */
static void
dashboard_open(void)
{
	console_request(client_request("kpi.list"), list_reply, NULL);
}

/* Numbers of a tile's history, newest on the right, as many as fit. */
static int
history_values(const cJSON *k, double *v, int max, double *lo, double *hi)
{
	const cJSON *h = cJSON_GetObjectItem(k, "history"), *e;
	int n = cJSON_GetArraySize(h), skip = n > max ? n - max : 0, i = 0;

	*lo = INFINITY;
	*hi = -INFINITY;
	cJSON_ArrayForEach(e, h) {
		if (skip-- > 0)
			continue;
		v[i] = cJSON_IsNumber(e) ? e->valuedouble : NAN;
		if (!isnan(v[i])) {
			*lo = fmin(*lo, v[i]);
			*hi = fmax(*hi, v[i]);
		}
		i++;
	}
	return i;
}

/* An error without the source's address in front: the header shows that already. */
static const char *
short_error(const char *error)
{
	const char *url = json_str(cJSON_GetObjectItem(db.snap, "source"), "url", NULL);
	size_t n = url != NULL ? strlen(url) : 0;

	if (n > 0 && strncmp(error, url, n) == 0 && strncmp(error + n, ": ", 2) == 0)
		return error + n + 2;
	return error;
}

/* The range a KPI's query averages over ("1m" of rate(...[1m])), when all its ranges agree:
   tiles over different windows disagree for a while, and the tile says why. 0 if none. */
static int
query_window(const char *q, char *buf, size_t len)
{
	const char *p, *end;
	int found = 0;

	for (p = q; p != NULL && *p != '\0'; p++) {
		if (*p == '"') {		/* label values and regexes are not ranges */
			while (*++p != '\0' && *p != '"')
				p += *p == '\\' && p[1] != '\0';
			if (*p == '\0')
				break;
			continue;
		}
		if (*p != '[' || (end = strchr(p, ']')) == NULL || end - p - 1 <= 0 ||
		    (size_t)(end - p) > len || strspn(p + 1, "0123456789smhdw") != (size_t)(end - p - 1))
			continue;
		if (found && (strlen(buf) != (size_t)(end - p - 1) || strncmp(buf, p + 1,
		    (size_t)(end - p - 1)) != 0))
			return 0;
		snprintf(buf, len, "%.*s", (int)(end - p - 1), p + 1);
		found = 1;
		p = end;
	}
	return found;
}

static void
draw_tile(const cJSON *k, int y, int x, int w, int selected, double interval)
{
	const char *state = json_str(k, "state", "unknown");
	const char *pending = json_str(k, "pending", NULL);
	const char *unit = json_str(k, "unit", "");
	const char *cmp = strcmp(json_str(k, "direction", ""), "below") == 0 ? "<" : ">";
	char label[32], value[64], limits[96], warn[32], crit[32], extra[160], age[16];
	char window[16];
	double v = json_num(k, "value"), spark[SPARK_MAX], lo, hi;
	int prec = (int)json_num(k, "precision"), n, lw, tw;

	/* A breach waiting out its `for` looks like the level it is heading for, with a "?". */
	if (pending != NULL) {
		state_label(pending, label, sizeof label);
		strncat(label, "?", sizeof label - strlen(label) - 1);
		state = pending;
	} else
		state_label(state, label, sizeof label);
	lw = draw_width(label);
	draw_fill(y, x, w - 1, selected ? STYLE_SELECTED : STYLE_NORMAL);
	tw = draw_text(y, x + 1, w - lw - 4, selected ? STYLE_SELECTED : STYLE_TITLE,
	    json_str(k, "title", "?"));
	if (query_window(json_str(k, "query", ""), window, sizeof window))
		draw_printf(y, x + 1 + tw, w - lw - 4 - tw, selected ? STYLE_SELECTED : STYLE_DIM,
		    " %s", window);
	draw_text(y, x + w - lw - 2, lw, state_style(state), label);

	/* A value older than two polls is shown dimmed, never as live. */
	format_value(value, sizeof value, v, prec, json_str(k, "unit", ""));
	draw_text(y + 1, x + 1, w / 2, isnan(json_num(k, "age")) || json_num(k, "age") > 2 * interval ?
	    STYLE_DIM : STYLE_TITLE, value);
	/* Both thresholds with the unit where they fit, else the crit one. */
	format_value(warn, sizeof warn, json_num(k, "warn"), prec, "");
	format_value(crit, sizeof crit, json_num(k, "crit"), prec, unit);
	limits[0] = '\0';
	if (!isnan(json_num(k, "warn")) && !isnan(json_num(k, "crit")))
		snprintf(limits, sizeof limits, "%s%s%s %s%s%s", draw_glyph(GLYPH_WARN), cmp, warn,
		    draw_glyph(GLYPH_CRIT), cmp, crit);
	if (draw_width(limits) > w / 2 - 1 || limits[0] == '\0') {
		limits[0] = '\0';
		if (!isnan(json_num(k, "crit")))
			snprintf(limits, sizeof limits, "crit %s %s", cmp, crit);
		else if (!isnan(json_num(k, "warn")))
			snprintf(limits, sizeof limits, "warn %s %s", cmp, warn);
	}
	draw_text(y + 1, x + w - 2 - draw_width(limits), w / 2, STYLE_DIM, limits);

	n = history_values(k, spark, w - 2 < SPARK_MAX ? w - 2 : SPARK_MAX, &lo, &hi);
	draw_sparkline(y + 2, x + 1 + (w - 2 - n), state_style(state), spark, n, lo, hi);

	extra[0] = '\0';
	if (!isnan(json_num(k, "age")) && json_num(k, "age") > 2 * interval) {
		format_age(age, sizeof age, (long)json_num(k, "age"));
		snprintf(extra, sizeof extra, "stale: %s old; ", age);
	}
	if (cJSON_IsString(cJSON_GetObjectItem(k, "error")))
		strncat(extra, short_error(json_str(k, "error", "")), sizeof extra - strlen(extra) - 1);
	else if (cJSON_IsString(cJSON_GetObjectItem(k, "pending")))
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "%s in %.0fs unless "
		    "it recovers", json_str(k, "pending", ""), json_num(k, "pending_left"));
	else if (cJSON_IsString(cJSON_GetObjectItem(k, "note")))
		strncat(extra, json_str(k, "note", ""), sizeof extra - strlen(extra) - 1);
	draw_text(y + 3, x + 1, w - 3, STYLE_DIM, extra);
}

static void
draw_tiles(int y, int h, int w)
{
	const cJSON *src = cJSON_GetObjectItem(db.snap, "source");
	double interval = json_num(db.snap, "interval");
	char label[32];
	int cols = w / TILE_WIDTH > 0 ? w / TILE_WIDTH : 1, tw = w / cols, rows, i, x, ty, tx;

	if (strcmp(json_str(src, "state", ""), "none") == 0) {
		draw_text(y + 1, 2, w - 4, STYLE_TITLE, "No metrics configured.");
		draw_text(y + 3, 2, w - 4, STYLE_DIM, "Set [prometheus] url in the daemon's config "
		    "to a Prometheus-compatible API;");
		draw_text(y + 4, 2, w - 4, STYLE_DIM, "the KPIs and their thresholds are "
		    "in [kpi.*] (see leitstand config keys).");
		return;
	}
	state_label(json_str(db.snap, "state", "unknown"), label, sizeof label);
	x = draw_text(y, 1, 12, STYLE_NORMAL, "Overall ");
	x += draw_text(y, 1 + x, 16, state_style(json_str(db.snap, "state", "unknown")), label);
	x += draw_printf(y, 2 + x, w - x - 3, STYLE_DIM, "  source: %s (%s)%s%s",
	    json_str(src, "url", "none"), json_str(src, "state", "?"),
	    cJSON_IsTrue(cJSON_GetObjectItem(src, "insecure")) ? ", TLS NOT VERIFIED" : "",
	    cJSON_IsString(cJSON_GetObjectItem(src, "error")) ? ": " : "");
	if (cJSON_IsString(cJSON_GetObjectItem(src, "error")))
		draw_text(y, 2 + x, w - x - 3, STYLE_ERROR, short_error(json_str(src, "error", "")));
	if (db.list.n == 0) {
		draw_text(y + 2, 2, w - 4, STYLE_DIM, "No KPIs configured.");
		return;
	}
	/* The selection scrolls by rows of tiles. */
	rows = (h - 1) / TILE_HEIGHT;
	/* Room for the line that says tiles are off screen. */
	if (rows * cols < db.list.n && (h - 1) % TILE_HEIGHT == 0)
		rows--;
	if (rows < 1)
		rows = 1;
	db.list.height = rows * cols;
	if (db.list.sel / cols < db.list.top / cols)
		db.list.top = db.list.sel / cols * cols;
	if (db.list.sel / cols >= db.list.top / cols + rows)
		db.list.top = (db.list.sel / cols - rows + 1) * cols;
	for (i = db.list.top; i < db.list.n && i < db.list.top + rows * cols; i++) {
		ty = y + 1 + (i - db.list.top) / cols * TILE_HEIGHT;
		tx = (i - db.list.top) % cols * tw;
		draw_tile(kpi_at(i), ty, tx, tw, i == db.list.sel, interval);
		mouse_item(&db.list, i, ty, tx, TILE_HEIGHT, tw);
	}
	/* Tiles off screen are said on the last row, which a tile leaves for its gap. */
	if (db.list.top > 0 || i < db.list.n)
		draw_printf(y + h - 1, 1, w - 2, STYLE_DIM, "%d of %d KPIs shown%s%s",
		    i - db.list.top, db.list.n, i < db.list.n ? "; more below (j)" : "",
		    db.list.top > 0 ? "; more above (k)" : "");
}

static void
chart_reply(void *arg, const cJSON *r)
{
	if ((unsigned)(uintptr_t)arg != db.generation)
		return;
	db.chart_loading = 0;
	cJSON_Delete(db.points);
	db.points = NULL;
	free(db.chart_error);
	db.chart_error = NULL;
	if (r == NULL)
		return;
	if (client_error(r) != NULL)
		db.chart_error = xstrdup(client_error(r));
	else
		db.points = console_take(r, cJSON_GetObjectItem(r, "points"));
	console_dirty();
}

static void
chart_request(void)
{
	const cJSON *k = kpi_at(db.list.sel);
	cJSON *req;

	db.generation++;
	cJSON_Delete(db.points);
	db.points = NULL;
	free(db.chart_error);
	db.chart_error = NULL;
	if (k == NULL || strcmp(json_str(k, "kind", "query"), "query") != 0)
		return;
	req = client_request("kpi.range");
	cJSON_AddStringToObject(req, "name", json_str(k, "name", ""));
	cJSON_AddNumberToObject(req, "seconds", (double)ranges[db.range]);
	cJSON_AddNumberToObject(req, "width", 120);
	db.chart_loading = 1;
	console_request(req, chart_reply, (void *)(uintptr_t)db.generation);
}

/* Bars of the chart: one column per time slot, thresholds as lines where no bar covers. */
static void
draw_chart(int y, int h, int w, const double *v, int n, double lo, double hi, const cJSON *k)
{
	double t[2] = { json_num(k, "warn"), json_num(k, "crit") };
	enum style ts[2] = { STYLE_WARN, STYLE_CRIT };
	int col, i, row;

	if (hi <= lo)
		hi = lo + 1;
	for (i = 0; i < 2; i++) {
		if (isnan(t[i]) || t[i] < lo || t[i] > hi)
			continue;
		row = y + h - 1 - (int)((t[i] - lo) / (hi - lo) * (h - 1) + 0.5);
		draw_hline(row, 0, w, ts[i]);
	}
	for (col = 0; col < w && col < n; col++)
		draw_bar(y + h - 1, col, h, state_style(json_str(k, "state", "")),
		    (v[col] - lo) / (hi - lo));
}

static void
draw_detail(int y, int h, int w)
{
	const cJSON *k = kpi_at(db.list.sel), *p;
	double *v, lo = INFINITY, hi = -INFINITY, sum = 0, x;
	char label[32], value[64], stats[200], warn[32], crit[32], held[16];
	int n = 0, cnt = 0, i, prec, ch = h - 7;
	time_t now = time(NULL);
	double first = NAN;

	if (k == NULL) {
		db.detail = 0;
		return;
	}
	prec = (int)json_num(k, "precision");
	state_label(json_str(k, "state", "unknown"), label, sizeof label);
	format_value(value, sizeof value, json_num(k, "value"), prec, json_str(k, "unit", ""));
	draw_printf(y, 1, w - 2, STYLE_TITLE, "%s  %s", json_str(k, "title", "?"), value);
	draw_text(y, w - draw_width(label) - 1, 16, state_style(json_str(k, "state", "")), label);
	draw_printf(y + 1, 1, w - 2, STYLE_DIM, "%s: %s", strcmp(json_str(k, "kind", ""), "query") ==
	    0 ? "PromQL" : "computed", strcmp(json_str(k, "kind", ""), "query") == 0 ?
	    json_str(k, "query", "") : json_str(k, "kind", ""));

	v = xcalloc((size_t)w, sizeof *v);
	for (i = 0; i < w; i++)
		v[i] = NAN;
	if (db.points != NULL) {
		/* Points into w time slots over the range, the last value of each slot. */
		cJSON_ArrayForEach(p, db.points) {
			double t = cJSON_GetArrayItem(p, 0)->valuedouble;
			x = cJSON_GetArrayItem(p, 1)->valuedouble;
			i = (int)((t - (double)(now - ranges[db.range])) / (double)ranges[db.range] * w);
			if (i < 0 || i >= w)
				continue;
			if (isnan(first))
				first = t;
			v[i] = x;
			n = i + 1;
		}
	} else if (strcmp(json_str(k, "kind", "query"), "query") != 0)
		n = history_values(k, v, w, &lo, &hi);
	for (i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
		sum += v[i];
		cnt++;
	}
	if (cnt > 0) {
		/* The axis starts at zero unless the values sit far from it. */
		if (lo > 0 && (lo < hi / 2 || lo == hi))
			lo = 0;
		format_value(warn, sizeof warn, json_num(k, "warn"), prec, "");
		format_value(crit, sizeof crit, json_num(k, "crit"), prec, "");
		snprintf(stats, sizeof stats, "%s  min %.*f  max %.*f  avg %.*f  warn %s  crit %s",
		    strcmp(json_str(k, "kind", ""), "query") == 0 ? range_names[db.range] : "1 h",
		    prec, lo, prec, hi, prec, sum / cnt, warn, crit);
		/* Less history than the range: say how much there is. */
		if (!isnan(first) && first > (double)(now - ranges[db.range]) + (double)ranges[
		    db.range] / 20) {
			format_age(held, sizeof held, (long)((double)now - first));
			snprintf(stats + strlen(stats), sizeof stats - strlen(stats),
			    "  (%s of data)", held);
		}
		draw_text(y + 2, 1, w - 2, STYLE_NORMAL, stats);
		draw_chart(y + 3, ch, w, v, n, lo, hi, k);
	} else
		draw_text(y + 4, 2, w - 4, STYLE_DIM, db.chart_loading ? "loading..." :
		    db.chart_error != NULL ? db.chart_error : "no data in this range");
	free(v);
	if (cJSON_IsString(cJSON_GetObjectItem(k, "error")))
		draw_printf(y + h - 3, 1, w - 2, STYLE_ERROR, "last error: %s", json_str(k, "error", ""));
	draw_text(y + h - 2, 1, w - 2, STYLE_DIM,
	    "t: 1 h / 6 h / 24 h / 5 m / 15 m   Esc: back to the tiles");
}

static void
dashboard_draw(int y, int h, int w)
{
	if (db.snap == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	if (db.detail)
		draw_detail(y, h, w);
	else
		draw_tiles(y, h, w);
}

static int
dashboard_key(enum action a)
{
	if (db.detail) {
		if (a == ACTION_CLOSE) {
			db.detail = 0;
			console_dirty();
			return 1;
		}
		if (a == ACTION_RANGE) {
			db.range = (db.range + 1) % NRANGES;
			chart_request();
			console_dirty();
			return 1;
		}
		return a == ACTION_OPEN;
	}
	if (a == ACTION_OPEN && db.list.n > 0) {
		db.detail = 1;
		chart_request();
		console_dirty();
		return 1;
	}
	return list_key(&db.list, a);
}

static void
dashboard_event(const cJSON *ev)
{
	if (strcmp(json_str(ev, "event", ""), "kpi") == 0)
		snapshot_take(console_take(NULL, ev));
}

static void
dashboard_close(void)
{
	cJSON_Delete(db.snap);
	cJSON_Delete(db.points);
	free(db.chart_error);
	memset(&db, 0, sizeof db);
}

const struct view_ops view_dashboard_ops = {
	.name = "dashboard",
	.title = "Dashboard",
	.scopes = SCOPE_LIST | SCOPE_DASHBOARD,
	.open = dashboard_open,
	.draw = dashboard_draw,
	.key = dashboard_key,
	.event = dashboard_event,
	.close = dashboard_close,
};
