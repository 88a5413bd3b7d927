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

#define SHIFT (8 * 3600)

static struct {
	char	*text;		/* the report, owned */
	int	 top;		/* first line shown */
	int	 height;
	char	*error;
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
	const char *p, *nl;
	char *line;
	int n = 0, row = y;

	ho.height = h;
	if (ho.error != NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_ERROR, ho.error);
		return;
	}
	if (ho.text == NULL) {
		draw_text(y + 1, 2, w - 4, STYLE_DIM, "loading...");
		return;
	}
	for (p = ho.text; *p != '\0' && row < y + h; p = *nl ? nl + 1 : nl, n++) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		if (n < ho.top)
			continue;
		line = xstrndup(p, (size_t)(nl - p));
		draw_text(row++, 1, w - 2, line[0] == '#' ? STYLE_TITLE : STYLE_NORMAL, line);
		free(line);
	}
}

static int
handover_key(enum action a)
{
	char name[64];
	time_t now = time(NULL);
	const char *p;
	int nlines = 1;

	if (a == ACTION_WRITE) {
		if (ho.text == NULL)
			return 1;
		strftime(name, sizeof name, "handover-%Y%m%d-%H%M.md", localtime(&now));
		view_write_file(name, ho.text);
		return 1;
	}
	for (p = ho.text; p != NULL && (p = strchr(p, '\n')) != NULL; p++)
		nlines++;
	return view_scroll(&ho.top, ho.height, nlines, a);
}

static void
handover_close(void)
{
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
