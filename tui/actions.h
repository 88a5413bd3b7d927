/* SPDX-License-Identifier: ISC */
/*
 * Keys are data: one table drives dispatch, the ? overlay, read-only mode and the README
 * key list (`leitstand keys`). ACTION(id, scope, keys, help, writes): keys are
 * space-separated names (a character, C-x, Up, Down, PgUp, PgDn, Home, End, Tab, BTab,
 * Enter, Esc, Space, Bksp); writes marks a state-changing action that read-only mode hides.
 */
#ifndef ACTIONS_H
#define ACTIONS_H

#define ACTIONS \
	ACTION(QUIT,		GLOBAL,	"q",		"quit the console (the daemon keeps running)", 0) \
	ACTION(HELP,		GLOBAL,	"?",		"show the keys of this view and the : commands (j, Space scroll)", 0) \
	ACTION(COMMAND,		GLOBAL,	":",		"command line: a command or view name (:help lists them, Tab completes)", 0) \
	ACTION(VIEW_NEXT,	GLOBAL,	"Tab",		"next view", 0) \
	ACTION(VIEW_PREV,	GLOBAL,	"BTab",		"previous view", 0) \
	ACTION(VIEW_1,		GLOBAL,	"1",		"dashboard", 0) \
	ACTION(VIEW_2,		GLOBAL,	"2",		"incidents", 0) \
	ACTION(VIEW_3,		GLOBAL,	"3",		"playbooks", 0) \
	ACTION(VIEW_4,		GLOBAL,	"4",		"prompt releases", 0) \
	ACTION(VIEW_5,		GLOBAL,	"5",		"audit log", 0) \
	ACTION(VIEW_6,		GLOBAL,	"6",		"shift handover", 0) \
	ACTION(REDRAW,		GLOBAL,	"C-l",		"redraw the screen", 0) \
	ACTION(RELOAD,		GLOBAL,	"R",		"reload the view from the daemon", 0) \
	ACTION(DOWN,		LIST,	"j Down",	"next line", 0) \
	ACTION(UP,		LIST,	"k Up",		"previous line", 0) \
	ACTION(PAGE_DOWN,	LIST,	"PgDn C-f Space", "next page", 0) \
	ACTION(PAGE_UP,		LIST,	"PgUp C-b",	"previous page", 0) \
	ACTION(FIRST,		LIST,	"g Home",	"first line", 0) \
	ACTION(LAST,		LIST,	"G End",	"last line", 0) \
	ACTION(FILTER,		LIST,	"/",		"filter the list (an empty filter shows all)", 0) \
	ACTION(OPEN,		LIST,	"Enter",	"open the selected item (KPI chart, incident, audit entry)", 0) \
	ACTION(CLOSE,		LIST,	"Esc Bksp",	"back to the list", 0) \
	ACTION(RANGE,		DASHBOARD, "t",		"KPI chart: 1 h, 6 h, 24 h, 5 m, 15 m", 0) \
	ACTION(INC_NEW,		INCIDENTS, "+",		"open a new incident (:open SEV TITLE)", 1) \
	ACTION(INC_ACK,		INCIDENTS, "a",		"acknowledge", 1) \
	ACTION(INC_TAKE,	INCIDENTS, "o",		"take: assign to me", 1) \
	ACTION(INC_NOTE,	INCIDENTS, "n",		"add a note", 1) \
	ACTION(INC_EDIT,	INCIDENTS, "N",		"add a long note in $EDITOR", 1) \
	ACTION(INC_ESCALATE,	INCIDENTS, "e",		"escalate one level (asks for a reason)", 1) \
	ACTION(INC_MITIGATE,	INCIDENTS, "m",		"mark mitigated", 1) \
	ACTION(INC_RESOLVE,	INCIDENTS, "r",		"resolve (asks to confirm)", 1) \
	ACTION(INC_SNOOZE,	INCIDENTS, "z",		"snooze the timers: minutes and reason", 1) \
	ACTION(INC_SEVERITY,	INCIDENTS, "S",		"set the severity: 1-4 (or SEV1-4) and a reason", 1) \
	ACTION(INC_REOPEN,	INCIDENTS, "u",		"reopen a resolved incident", 1) \
	ACTION(INC_TICKET,	INCIDENTS, "t",		"export to the ticket system", 1) \
	ACTION(WRITE,		LIST,	"w",		"write the report shown (postmortem, handover, run) to a file", 0) \
	ACTION(INC_PLAYBOOK,	INCIDENTS, "p",		"start a playbook for the incident (suggested first)", 1) \
	ACTION(RUN_DONE,	RUNNER,	"d",		"step done", 1) \
	ACTION(RUN_SKIP,	RUNNER,	"s",		"skip the step (asks for a reason)", 1) \
	ACTION(RUN_FAIL,	RUNNER,	"f",		"step failed (asks for a note)", 1) \
	ACTION(RUN_NOTE,	RUNNER,	"n",		"add a note to the step", 1) \
	ACTION(RUN_TICK,	RUNNER,	"x",		"tick the checklist item under the cursor", 1) \
	ACTION(RUN_PREV,	RUNNER,	"Left h",	"previous step", 0) \
	ACTION(RUN_NEXT,	RUNNER,	"Right l",	"next step", 0) \
	ACTION(RUN_CHECK,	RUNNER,	"c",		"run the step's checks again", 0) \
	ACTION(RUN_LEAVE,	RUNNER,	"q",		"leave the run (it stays open for anyone to resume)", 0) \
	ACTION(INC_SORT,	INCIDENTS, "s",		"sort by severity and age, or by number", 0) \
	ACTION(PR_PROPOSE,	PROMPTS, "P",		"propose a change to the system prompt: $EDITOR on a copy", 1) \
	ACTION(PR_MODEL,	PROMPTS, "M",		"propose a model change: $EDITOR on a copy of model.ini", 1) \
	ACTION(PR_EVAL,		PROMPTS, "e",		"run the selected proposal's evals against staging", 1) \
	ACTION(PR_APPROVE,	PROMPTS, "a",		"approve and release the selected proposal (asks to confirm)", 1) \
	ACTION(PR_REJECT,	PROMPTS, "x",		"reject the selected proposal (asks for a reason)", 1) \
	ACTION(PR_ROLLBACK,	PROMPTS, "b",		"roll back to an earlier release (asks which)", 1) \
	ACTION(PR_HISTORY,	PROMPTS, "H",		"releases, newest first; again: back to proposals", 0) \
	ACTION(PR_FEEDBACK,	PROMPTS, "F",		"conversations rated negative (redacted); Enter on one: an eval case in $EDITOR, proposed", 0) \
	ACTION(PR_CANARY,	PROMPTS, "C",		"release the selected proposal as a canary in [rollout] steps (asks to confirm)", 1) \
	ACTION(PR_PAUSE,	PROMPTS, "Z",		"pause the live canary, or go on with a paused one (asks for a reason)", 1) \
	ACTION(PR_PROMOTE,	PROMPTS, "A",		"release the live canary now, skipping its steps left (asks for a reason)", 1) \
	ACTION(PR_ABORT,	PROMPTS, "X",		"abort the live canary: removed, production stays (asks for a reason)", 1)

enum action {
	ACTION_NONE,
#define ACTION(id, scope, keys, help, writes) ACTION_##id,
	ACTIONS
#undef ACTION
	ACTION_COUNT
};

/* Where an action applies; a view lists the scopes it takes besides GLOBAL. */
enum scope {
	SCOPE_GLOBAL	= 0x1,
	SCOPE_LIST	= 0x2,
	SCOPE_DASHBOARD	= 0x4,
	SCOPE_INCIDENTS	= 0x8,
	SCOPE_RUNNER	= 0x10,
	SCOPE_PROMPTS	= 0x20,
};

struct action_info {
	enum action	 id;
	unsigned	 scope;
	const char	*keys;
	const char	*help;
	int		 writes;
};

extern const struct action_info	action_table[];

/* The action a key triggers in the given scopes, honouring read-only mode. */
enum action	 action_for_key(int key, unsigned scopes, int readonly);
/* Parses the key names of the table once; aborts on a bad name (a bug in the table). */
void		 action_init(void);

#endif
