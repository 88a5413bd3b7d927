/* SPDX-License-Identifier: ISC */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/buf.h"
#include "backend/client.h"
#include "backend/json.h"
#include "backend/private.h"
#include "backend/xmalloc.h"
#include "tui/cmdline.h"
#include "tui/console.h"
#include "tui/display.h"
#include "tui/view.h"

static const struct view_ops *const views[] = {
	&view_dashboard_ops,
	&view_incidents_ops,
	&view_playbooks_ops,
	&view_prompts_ops,
	&view_audit_ops,
	&view_handover_ops,
};
#define NVIEWS ((int)(sizeof views / sizeof views[0]))

static int	 current;
static int	 opened[NVIEWS];
static char	*filters[NVIEWS];	/* remembered per view */

int
view_count(void)
{
	return NVIEWS;
}

const struct view_ops *
view_at(int i)
{
	return views[i];
}

unsigned
view_scopes(void)
{
	return views[current]->mode_scopes != NULL ? views[current]->mode_scopes() :
	    views[current]->scopes;
}

const struct view_ops *
view_current(void)
{
	return views[current];
}

int
view_current_index(void)
{
	return current;
}

void
view_show(int i)
{
	if (i < 0 || i >= NVIEWS)
		return;
	current = i;
	if (!opened[i] && console_state()->connected) {
		opened[i] = 1;
		views[i]->open();
	}
	console_dirty();
}

void
view_show_ops(const struct view_ops *ops)
{
	int i;

	for (i = 0; i < NVIEWS && views[i] != ops; i++)
		;
	view_show(i);
}

int
view_find(const char *s)
{
	int i;

	if (s[0] >= '1' && s[0] <= '0' + NVIEWS && s[1] == '\0')
		return s[0] - '1';
	for (i = 0; i < NVIEWS; i++) {
		if (strncmp(views[i]->name, s, strlen(s)) == 0 && *s != '\0')
			return i;
	}
	return -1;
}

void
view_invalidate(void)
{
	memset(opened, 0, sizeof opened);
}

static void
view_filter_done(const char *text)
{
	if (text == NULL)
		return;
	free(filters[current]);
	filters[current] = *text != '\0' ? xstrdup(text) : NULL;
	if (views[current]->filter != NULL)
		views[current]->filter(filters[current]);
	console_dirty();
}

void
view_filter_prompt(void)
{
	if (views[current]->filter == NULL)
		return;
	cmdline_open("/", filters[current] ? filters[current] : "", view_filter_done);
}

const char *
view_filter(void)
{
	return filters[current];
}

void
view_event(const cJSON *ev)
{
	int i;

	for (i = 0; i < NVIEWS; i++) {
		if (opened[i] && views[i]->event != NULL)
			views[i]->event(ev);
	}
}

void
view_close_all(void)
{
	int i;

	for (i = 0; i < NVIEWS; i++) {
		if (views[i]->close != NULL)
			views[i]->close();
		free(filters[i]);
		filters[i] = NULL;
	}
}

void
view_write_file(const char *name, const char *text)
{
	FILE *f = NULL;
	char *used = NULL, *cause = NULL, *full = NULL, cwd[PATH_MAX];
	int fd;

	/* The working directory may be shared: a new file, never a planted symlink's target. */
	if ((fd = private_create(name, 0600, &used, &cause)) < 0) {
		console_error("%s", cause);
		free(cause);
		return;
	}
	if ((f = fdopen(fd, "w")) == NULL || fputs(text, f) == EOF) {
		console_error("cannot write %s: %s", used, strerror(errno));
		if (f != NULL)
			fclose(f);
		else
			close(fd);
		free(used);
		return;
	}
	/* Where it is: the console's working directory is not on the screen. */
	if (used[0] != '/' && getcwd(cwd, sizeof cwd) != NULL)
		full = xprintf("%s/%s", cwd, used);
	if (fclose(f) != 0)
		console_error("cannot write %s: %s", full != NULL ? full : used, strerror(errno));
	else
		console_note("wrote %s", full != NULL ? full : used);
	free(full);
	free(used);
}

void
view_write_reply(const cJSON *r, const char *name)
{
	if (!console_failed(r))
		view_write_file(name, json_str(r, "markdown", ""));
}

char *
view_edit(const char *initial, size_t max)
{
	char path[] = "/tmp/leitstand-edit-XXXXXX", chunk[4096];
	struct buf text;
	size_t len = strlen(initial);
	const char *editor;
	char *command;
	ssize_t n;
	pid_t pid;
	int fd, status = 0;

	if ((fd = mkstemp(path)) < 0) {
		console_error("cannot make a file to edit: %s", strerror(errno));
		return NULL;
	}
	if (write(fd, initial, len) != (ssize_t)len) {
		console_error("cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	/* As git runs it: the editor's value is shell words (quotes work), the file its last
	   argument. */
	if ((editor = getenv("VISUAL")) == NULL || *editor == '\0')
		editor = getenv("EDITOR");
	command = xprintf("%s \"$@\"", editor != NULL && *editor != '\0' ? editor : "vi");
	display_suspend();
	if ((pid = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", command, "editor", path, (char *)NULL);
		_exit(127);
	}
	free(command);
	if (pid > 0)
		waitpid(pid, &status, 0);
	display_resume();
	console_dirty();
	buf_init(&text);
	if ((fd = open(path, O_RDONLY)) >= 0) {
		while ((n = read(fd, chunk, sizeof chunk)) > 0 && text.len <= max)
			buf_add(&text, chunk, (size_t)n);
		close(fd);
	}
	unlink(path);
	while (text.len > 0 && strchr(" \t\r\n", text.data[text.len - 1]) != NULL)
		text.data[--text.len] = '\0';
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		console_error("the editor failed; nothing was changed");
	else if (text.len > max)
		console_error("the text is longer than %zu KiB; nothing was changed", max / 1024);
	else if (memchr(text.data != NULL ? text.data : "", '\0', text.len) != NULL)
		console_error("the text holds a NUL byte; nothing was changed");
	else {
		return buf_take(&text);
	}
	buf_free(&text);
	return NULL;
}

int
view_scroll(int *top, int height, int nlines, enum action a)
{
	int page = height > 1 ? height - 1 : 1, last = nlines > height ? nlines - height : 0;

	switch (a) {
	case ACTION_DOWN:
		(*top)++;
		break;
	case ACTION_UP:
		(*top)--;
		break;
	case ACTION_PAGE_DOWN:
		*top += page;
		break;
	case ACTION_PAGE_UP:
		*top -= page;
		break;
	case ACTION_FIRST:
		*top = 0;
		break;
	case ACTION_LAST:
		*top = last;
		break;
	default:
		return 0;
	}
	if (*top > last)
		*top = last;
	if (*top < 0)
		*top = 0;
	console_dirty();
	return 1;
}
