/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/client.h"
#include "backend/demo-team.h"
#include "backend/private.h"
#include "backend/xmalloc.h"

#define TMUX		"/usr/bin/tmux"
#define TEAM_DIR	"/run/leitstand-demo"
#define TEAM_GROUP	DEMO_TEAM_GROUP

/* Left pane, right pane: the one who proposes and the one who approves. */
static const struct {
	const char	*user;
	const char	*role;
} team[] = {
	{ "demo-engineer", "engineer" },
	{ "demo-approver", "approver" },
};
#define NTEAM	(sizeof team / sizeof team[0])

static volatile pid_t	team_attach;

/* Runs argv (output to the demo's log) and waits: its exit status, or -1. */
static int
team_run(char *const argv[], const char *log)
{
	pid_t pid;
	int status, fd;

	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
demo_team_check(char **cause)
{
	if (geteuid() != 0) {
		*cause = xstrdup("--team adds two demo users: run it as root "
		    "(sudo leitstand --demo --team)");
		return -1;
	}
	if (access(TMUX, X_OK) != 0) {
		*cause = xstrdup("--team opens both consoles in tmux: apt-get install tmux");
		return -1;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*cause = xstrdup("--team needs a terminal");
		return -1;
	}
	if (getenv("TMUX") != NULL) {
		*cause = xstrdup("--team starts its own tmux: run it outside tmux (or unset TMUX)");
		return -1;
	}
	return 0;
}

/* Adds the group and users that do not exist yet, remembering which to remove. */
int
demo_team_users(struct demo_team *t, const char *log, char **cause)
{
	size_t i;

	t->started = 1;
	if (getgrnam(TEAM_GROUP) == NULL) {
		char *argv[] = { (char *)"/usr/sbin/groupadd", (char *)TEAM_GROUP, NULL };
		if (team_run(argv, log) != 0) {
			*cause = xprintf("groupadd %s failed; see %s", TEAM_GROUP, log);
			return -1;
		}
		t->added_group = 1;
	}
	for (i = 0; i < NTEAM; i++) {
		char *argv[] = { (char *)"/usr/sbin/useradd", (char *)"-m", (char *)"-N",
		    (char *)"-g", (char *)TEAM_GROUP, (char *)"-s", (char *)"/bin/sh",
		    (char *)team[i].user, NULL };
		if (getpwnam(team[i].user) != NULL)
			continue;
		if (team_run(argv, log) != 0) {
			*cause = xprintf("useradd %s failed; see %s", team[i].user, log);
			return -1;
		}
		t->added_user[i] = 1;
	}
	return 0;
}

void
demo_team_end(struct demo_team *t, const char *log)
{
	size_t i;

	if (!t->started)
		return;
	for (i = 0; i < NTEAM; i++) {
		char *argv[] = { (char *)"/usr/sbin/userdel", (char *)"-r", (char *)team[i].user,
		    NULL };
		if (t->added_user[i])
			team_run(argv, log);
		t->added_user[i] = 0;
	}
	if (t->added_group) {
		char *argv[] = { (char *)"/usr/sbin/groupdel", (char *)TEAM_GROUP, NULL };
		team_run(argv, log);
		t->added_group = 0;
	}
	rmdir(TEAM_DIR);
}

char *
demo_team_roles(void)
{
	return xprintf("[roles]\n%s = %s\n%s = %s\n", team[0].role, team[0].user,
	    team[1].role, team[1].user);
}

/*
 * The daemon's directory, given to the group (0750), with a copy of this binary in it: the
 * demo users may not be able to reach the checkout it was built in.
 */
static int
team_dir(char **exe, char **cause)
{
	struct group *gr = getgrnam(TEAM_GROUP);
	char *tmp;
	int in, out, rc = -1;
	ssize_t n;
	char buf[65536];

	if (gr == NULL || (mkdir(TEAM_DIR, 0750) != 0 && errno != EEXIST) ||
	    private_dir("demo directory", TEAM_DIR, 0750, 0, cause) != 0 ||
	    chown(TEAM_DIR, 0, gr->gr_gid) != 0 || chmod(TEAM_DIR, 0750) != 0) {
		if (*cause == NULL)
			*cause = xprintf(TEAM_DIR ": %s", strerror(errno));
		return -1;
	}
	*exe = xstrdup(TEAM_DIR "/leitstand");
	tmp = xstrdup(TEAM_DIR "/leitstand.new");
	unlink(tmp);
	if ((in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755)) < 0) {
		*cause = xprintf("copying the binary to %s: %s", tmp, strerror(errno));
		if (in >= 0)
			close(in);
		free(tmp);
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) > 0 && write(out, buf, (size_t)n) == n)
		;
	if (n == 0 && fchmod(out, 0755) == 0 && close(out) == 0 && rename(tmp, *exe) == 0)
		rc = 0;
	else
		*cause = xprintf("copying the binary to %s: %s", *exe, strerror(errno));
	close(in);
	free(tmp);
	return rc;
}

/* The command of one pane: that user's console, with our terminal type, language and
   editor. */
static char *
team_pane(size_t i, const char *exe, const char *sock)
{
	const char *keep[] = { "TERM", "LANG", "LC_ALL", "EDITOR", "VISUAL" };
	char *cmd, *next;
	const char *v;
	size_t k;

	cmd = xprintf("exec /usr/sbin/runuser -u %s -- env -i PATH=/usr/bin:/bin HOME=/home/%s",
	    team[i].user, team[i].user);
	for (k = 0; k < sizeof keep / sizeof keep[0]; k++) {
		/* Quoted for tmux's shell; a value with a quote is left out. */
		if ((v = getenv(keep[k])) == NULL || strchr(v, '\'') != NULL)
			continue;
		next = xprintf("%s %s='%s'", cmd, keep[k], v);
		free(cmd);
		cmd = next;
	}
	next = xprintf("%s %s -S %s", cmd, exe, sock);
	free(cmd);
	return next;
}

static void
team_signal(int signo)
{
	(void)signo;
	if (team_attach > 0)
		kill(team_attach, SIGTERM);
}

int
demo_team_run(const char *ini, const char *log, char **cause)
{
	char server[64], *exe = NULL, *left = NULL, *right = NULL;
	char *const options[] = { (char *)"-c", (char *)ini, NULL };
	struct sigaction sa, old_term, old_hup, old_int;
	int rc = -1, status;
	pid_t pid;

	if (team_dir(&exe, cause) != 0)
		goto out;
	if (client_spawn_daemon(options, DEMO_TEAM_SOCKET, cause) != 0)
		goto out;
	snprintf(server, sizeof server, "leitstand-demo-%ld", (long)getpid());
	left = team_pane(0, exe, DEMO_TEAM_SOCKET);
	right = team_pane(1, exe, DEMO_TEAM_SOCKET);
	{
		char *new_session[] = { (char *)TMUX, (char *)"-L", server, (char *)"-f",
		    (char *)"/dev/null", (char *)"new-session", (char *)"-d", (char *)"-s",
		    (char *)"team", left, NULL };
		char *split[] = { (char *)TMUX, (char *)"-L", server, (char *)"split-window",
		    (char *)"-h", (char *)"-t", (char *)"team", right, NULL };
		char *status_line[] = { (char *)TMUX, (char *)"-L", server, (char *)"set",
		    (char *)"-g", (char *)"status-left", (char *)"[four-eyes: left "
		    "demo-engineer proposes, right demo-approver approves; C-b o switches, "
		    "q in both ends] ", NULL };
		char *options_set[] = { (char *)TMUX, (char *)"-L", server, (char *)"set",
		    (char *)"-g", (char *)"status-left-length", (char *)"120", NULL };
		char *mouse[] = { (char *)TMUX, (char *)"-L", server, (char *)"set", (char *)"-g",
		    (char *)"mouse", (char *)"on", NULL };
		char *select[] = { (char *)TMUX, (char *)"-L", server, (char *)"select-pane",
		    (char *)"-t", (char *)"team.0", NULL };
		if (team_run(new_session, log) != 0 || team_run(split, log) != 0) {
			*cause = xprintf("tmux did not start; see %s", log);
			goto stop;
		}
		team_run(status_line, log);
		team_run(options_set, log);
		team_run(mouse, log);
		team_run(select, log);
	}
	/* While we wait for the terminal's tmux client, a signal ends it, and we clean up. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = team_signal;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGINT, &sa, &old_int);
	if ((pid = fork()) == 0) {
		char *argv[] = { (char *)TMUX, (char *)"-L", server, (char *)"attach", (char *)"-t",
		    (char *)"team", NULL };
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	team_attach = pid;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	team_attach = 0;
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGINT, &old_int, NULL);
	rc = 0;
stop:
	{
		/* The tmux server of this demo, by its socket: its consoles end with it. */
		char *kill_server[] = { (char *)TMUX, (char *)"-L", server, (char *)"kill-server",
		    NULL };
		team_run(kill_server, log);
	}
out:
	if (exe != NULL)
		unlink(exe);
	free(exe);
	free(left);
	free(right);
	return rc;
}
