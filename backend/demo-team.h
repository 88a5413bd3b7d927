/* SPDX-License-Identifier: ISC */
/* The demo for two (--demo --team, as root): a demo engineer and a demo approver, each with
   a console in one tmux window, so four-eyes approval can be practised. */
#ifndef DEMO_TEAM_H
#define DEMO_TEAM_H

#define DEMO_TEAM_SOCKET	"/run/leitstand-demo/demo.sock"
#define DEMO_TEAM_GROUP		"leitstand-demo"

struct demo_team {
	int	started;
	int	added_group;
	int	added_user[2];
};

/* Root, tmux and a terminal are there, or -1 with why. */
int	 demo_team_check(char **cause);
/* Adds the demo group and users that do not exist (output to log). */
int	 demo_team_users(struct demo_team *, const char *log, char **cause);
/* Removes the group and users demo_team_users added, and the daemon's directory. */
void	 demo_team_end(struct demo_team *, const char *log);
/* The demo config's [roles] of the two users. */
char	*demo_team_roles(void);
/* Starts the daemon on ini and both consoles side by side in tmux on this terminal; returns
   when both have quit (or the terminal went away). */
int	 demo_team_run(const char *ini, const char *log, char **cause);

#endif
