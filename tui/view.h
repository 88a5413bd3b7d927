/* SPDX-License-Identifier: ISC */
/* The view table: one file per view; view.c owns switching and filters. */
#ifndef VIEW_H
#define VIEW_H

#include <cjson/cJSON.h>

#include "tui/actions.h"

struct view_ops {
	const char	*name;			/* for the command line */
	const char	*title;			/* tab label */
	unsigned	 scopes;		/* key scopes besides GLOBAL */
	void		(*open)(void);		/* load from the daemon: first show, reconnect, R */
	void		(*draw)(int y, int h, int w);
	int		(*key)(enum action);	/* 1 if handled */
	void		(*event)(const cJSON *);
	void		(*filter)(const char *); /* NULL or "": show all */
	void		(*close)(void);
	unsigned	(*mode_scopes)(void);	/* the scopes now, if they change (NULL: scopes) */
	int		 seconds;		/* shows times in seconds: redrawn every second */
};

extern const struct view_ops	view_dashboard_ops;
extern const struct view_ops	view_incidents_ops;
extern const struct view_ops	view_playbooks_ops;
extern const struct view_ops	view_prompts_ops;
extern const struct view_ops	view_audit_ops;
extern const struct view_ops	view_handover_ops;

/* Writes a Markdown report to a new file NAME (NAME-1 ... when taken) in the current
   directory, never over an existing one; says which in the status line. */
void			 view_write_file(const char *name, const char *text);
/* Writes a reply's "markdown" to the file, or shows the reply's error. */
void			 view_write_reply(const cJSON *reply, const char *name);
/* Scrolls text of nlines lines shown height at a time for a list action: *top is the first
   line shown, kept inside the text. Returns 1 if it was a scrolling action. */
int			 view_scroll(int *top, int height, int nlines, enum action);
/* Runs $EDITOR (else vi) on a temporary file holding initial, the console suspended
   meanwhile; the text saved, trailing blank lines dropped, at most max bytes (a new string),
   or NULL after telling the user why. */
char			*view_edit(const char *initial, size_t max);
/* Switches to the playbooks view and asks to start a playbook (bound to an incident if > 0). */
void			 view_playbooks_start(const char *id, long long incident);
/* Shows a playbook run (open: where it continues; finished: its summary). */
void			 view_playbooks_run(long long run);
/* Switches to the incidents view with one incident open. */
void			 view_incidents_show(long long);
/* The key scopes of the current view now; its keys win over the global ones. */
unsigned		 view_scopes(void);
int			 view_count(void);
const struct view_ops	*view_at(int);
const struct view_ops	*view_current(void);
int			 view_current_index(void);
/* Switches to a view, opening it the first time. */
void			 view_show(int);
/* Switches to the view with these ops. */
void			 view_show_ops(const struct view_ops *);
/* Finds a view by name or number ("audit", "5"); -1 if none. */
int			 view_find(const char *);
/* Forgets loaded data: every view reloads when next shown (after reconnecting). */
void			 view_invalidate(void);
/* Opens the filter prompt for the current view, starting from its last filter. */
void			 view_filter_prompt(void);
const char		*view_filter(void);
void			 view_event(const cJSON *);
void			 view_close_all(void);

#endif
