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
#include "tui/display.h"
#include "tui/draw.h"
#include "tui/view.h"
#include "tui/wrap.h"

#define SHIFT (8 * 3600)

static struct {
	char	*text;		/* the report, owned */
	int	 top;		/* first line shown */
	int	 height;
	char	*error;
	struct wrap lines;	/* the text's lines, cut at the width */
} ho;

static void
handover_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (r == NULL)
		return;
	free(ho.error);
	ho.error = client_error(r) != NULL ? xstrdup(client_error(r)) : NULL;
	if (ho.error == NULL) {
		wrap_forget(&ho.lines);
		free(ho.text);
		ho.text = xstrdup(cJSON_GetStringValue(cJSON_GetObjectItem(r, "markdown")) != NULL ?
		    cJSON_GetStringValue(cJSON_GetObjectItem(r, "markdown")) : "");
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

static void
handover_draw(int y, int h, int w)
{
	const struct wrap_row *r;
	int i;

	ho.height = h;
	if (ho.error != NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_ERROR, ho.error);
		return;
	}
	if (ho.text == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	/* Laid out once per text and width: a key press draws only the lines in view. */
	wrap_layout(&ho.lines, ho.text, strlen(ho.text), w - 2, WRAP_CUT |
	    (display_ascii() ? WRAP_ASCII : 0));
	for (i = ho.top; i < ho.lines.n && i < ho.top + h; i++) {
		r = &ho.lines.rows[i];
		draw_textn(y + i - ho.top, 1, w - 2, r->len > 0 && ho.text[r->off] == '#' ?
		    STYLE_TITLE : STYLE_NORMAL, ho.text + r->off, r->len);
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
	return view_scroll(&ho.top, ho.height, ho.lines.n, a);
}

static void
handover_close(void)
{
	wrap_free(&ho.lines);
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
