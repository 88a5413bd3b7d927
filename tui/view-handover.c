/* SPDX-License-Identifier: ISC */
/* The shift handover: the daemon's Markdown report for the last 8 hours, scrollable, and
   written to a file with w for e-mail or chat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/client.h"
#include "backend/xmalloc.h"
#include "tui/console.h"
#include "tui/draw.h"
#include "tui/view.h"
#include "tui/widget-pane.h"

#define SHIFT (8 * 3600)

static struct {
	char		*text;		/* the report, owned */
	char		**lines;	/* its lines, each a string the pane keeps laid out */
	int		 nlines;
	int		 top;		/* first row shown */
	char		*error;
	struct pane	 pane;
} ho;

static void
lines_free(void)
{
	int i;

	pane_forget(&ho.pane);
	for (i = 0; i < ho.nlines; i++)
		free(ho.lines[i]);
	free(ho.lines);
	ho.lines = NULL;
	ho.nlines = 0;
}

/* The report's lines, split once per report. */
static void
lines_split(void)
{
	const char *p = ho.text, *nl;

	lines_free();
	while (*p != '\0') {
		nl = strchr(p, '\n');
		ho.lines = xreallocarray(ho.lines, (size_t)ho.nlines + 1, sizeof *ho.lines);
		ho.lines[ho.nlines++] = xstrndup(p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void
handover_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	free(ho.error);
	ho.error = client_error(r) != NULL ? xstrdup(client_error(r)) : NULL;
	if (ho.error == NULL) {
		free(ho.text);
		ho.text = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(r, "markdown")) != NULL ?
		    cJSON_GetStringValue(cJSON_GetObjectItem(r, "markdown")) : "");
		lines_split();
	}
	console_dirty();
}

static void
handover_open(void)
{
	cJSON *req = client_request("handover");

	cJSON_AddNumberToObject(req, "since", (double)(time(NULL) - SHIFT));
	console_request(req, handover_reply, NULL);
}

/*
 * The Markdown rendered as the playbook runner does: headings as titles, paragraphs and list
 * items wrapped at words (a list item's later rows under its text), tables and code as they
 * are, cut at the width. Laid out once per text and width; a key press draws only the rows
 * in view.
 */
static void
handover_draw(int y, int h, int w)
{
	const char *l;
	int i;

	if (ho.error != NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_ERROR, ho.error);
		return;
	}
	if (ho.text == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	pane_begin(&ho.pane, y, h, ho.top);
	for (i = 0; i < ho.nlines; i++) {
		l = ho.lines[i];
		if (*l == '#')
			pane_text(&ho.pane, 1, w - 2, STYLE_TITLE, "", l + strspn(l, "# "),
			    PANE_WORDS | PANE_MARKUP);
		else if (*l == '|' || strncmp(l, "    ", 4) == 0)
			pane_lines(&ho.pane, 1, w - 2, STYLE_NORMAL, "", l, 0);
		else if (strncmp(l, "- ", 2) == 0 || strncmp(l, "* ", 2) == 0)
			pane_text(&ho.pane, 1, w - 2, STYLE_NORMAL, "- ", l + 2,
			    PANE_WORDS | PANE_MARKUP);
		else
			pane_text(&ho.pane, 1, w - 2, STYLE_NORMAL, "", l, PANE_WORDS | PANE_MARKUP);
	}
}

static int
handover_key(enum action a)
{
	char name[64];
	time_t now = time(NULL);

	if (a == ACTION_WRITE) {
		if (ho.text == NULL)
			return 1;
		strftime(name, sizeof name, "handover-%Y%m%d-%H%M.md", localtime(&now));
		view_write_file(name, ho.text);
		return 1;
	}
	return view_scroll(&ho.top, ho.pane.h, ho.pane.row, a);
}

static void
handover_close(void)
{
	lines_free();
	pane_free(&ho.pane);
	free(ho.text);
	free(ho.error);
	memset(&ho, 0, sizeof ho);
}

const struct view_ops view_handover_ops = {
	.name = "handover",
	.title = "Handover",
	.scopes = SCOPE_LIST,
	.open = handover_open,
	.draw = handover_draw,
	.key = handover_key,
	.close = handover_close,
};
