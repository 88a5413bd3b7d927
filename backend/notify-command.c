/* SPDX-License-Identifier: ISC */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/buf.h"
#include "backend/notify-channel.h"
#include "backend/notify-format.h"
#include "backend/sanitize.h"
#include "backend/utf8.h"
#include "backend/loop.h"
#include "backend/xmalloc.h"

/* Exit status of a hook that asks to be tried again (sysexits.h EX_TEMPFAIL). */
#define HOOK_TEMPFAIL	75

/* The first line of what the hook printed, escaped and cut. */
static char *
first_line(const struct buf *b)
{
	size_t len = b->len, cut;
	const char *p = b->data != NULL ? b->data : "";

	while (len > 0 && (*p == '\n' || *p == '\r'))
		p++, len--;
	len = strcspn(p, "\r\n") < len ? strcspn(p, "\r\n") : len;
	cut = utf8_prefix(p, len, NOTIFY_MAX_DETAIL);
	return sanitize_log(p, cut);
}

static char *
env_var(const char *name, const char *value)
{
	char *c = notify_clean(value != NULL ? value : "", 256);
	char *s = xprintf("%s=%s", name, c);

	free(c);
	return s;
}

/* A small environment of its own: the daemon's holds secrets (env:NAME). */
static char **
hook_env(const struct notify_target *t, const struct notice *n)
{
	char **env = xcalloc(9, sizeof *env), num[32];
	int i = 0;

	env[i++] = xstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	env[i++] = xstrdup("LANG=C.UTF-8");
	env[i++] = env_var("LEITSTAND_EVENT", n->event);
	env[i++] = env_var("LEITSTAND_USER", n->user);
	env[i++] = env_var("LEITSTAND_PHONE", t->phone);
	snprintf(num, sizeof num, "%lld", n->incident);
	env[i++] = env_var("LEITSTAND_INCIDENT", num);
	snprintf(num, sizeof num, "%d", n->severity);
	env[i++] = env_var("LEITSTAND_SEVERITY", num);
	snprintf(num, sizeof num, "%d", n->level);
	env[i++] = env_var("LEITSTAND_LEVEL", num);
	return env;
}

static void
env_free(char **env)
{
	char **p;

	for (p = env; *p != NULL; p++)
		free(*p);
	free(env);
}

/* Starts the hook in a process group of its own with pipes on 0, 1 and 2; -1 and errno. */
static pid_t
hook_spawn(char **argv, char **env, int in[2], int out[2], int err[2])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	pid_t pid = -1;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	posix_spawn_file_actions_addchdir_np(&fa, "/");
	/* Only the three: the daemon's sockets and database stay the daemon's. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	/* Worker threads block every signal and the daemon ignores some: the hook gets
	   neither, so a timeout's SIGKILL and a closed pipe's SIGPIPE work as usual. */
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, argv[0], &fa, &at, argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

static void
close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/*
 * Feeds stdin and reads stdout and stderr until the hook closes both, the timeout passes or
 * it prints more than NOTIFY_MAX_OUTPUT: 0, 1 on timeout, 2 when it printed too much.
 */
static int
hook_talk(int in, int out, int err, const char *input, long timeout_ms, struct buf *o,
    struct buf *e)
{
	struct pollfd p[3];
	size_t sent = 0, len = strlen(input);
	long long deadline = loop_now_ms() + timeout_ms, left;
	char chunk[4096];
	ssize_t n;
	int fds[3] = { in, out, err }, i;
	struct buf *sink;

	for (i = 0; i < 3; i++)
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	while (fds[1] != -1 || fds[2] != -1) {
		if ((left = deadline - loop_now_ms()) <= 0)
			goto timeout;
		for (i = 0; i < 3; i++) {
			p[i].fd = fds[i];
			p[i].events = i == 0 ? POLLOUT : POLLIN;
			p[i].revents = 0;
		}
		if (poll(p, 3, (int)left) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & (POLLOUT | POLLERR | POLLHUP)) {
			n = write(fds[0], input + sent, len - sent);
			if (n > 0)
				sent += (size_t)n;
			if (n < 0 || sent == len)
				close_fd(&fds[0]);
		}
		for (i = 1; i < 3; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i], chunk, sizeof chunk);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close_fd(&fds[i]);
				continue;
			}
			if (n < 0)
				continue;
			sink = i == 1 ? o : e;
			if (sink->len + (size_t)n > NOTIFY_MAX_OUTPUT) {
				close_fd(&fds[0]);
				close_fd(&fds[1]);
				close_fd(&fds[2]);
				return 2;
			}
			buf_add(sink, chunk, (size_t)n);
		}
	}
	close_fd(&fds[0]);
	return 0;
timeout:
	for (i = 0; i < 3; i++)
		close_fd(&fds[i]);
	return 1;
}

/* Waits for the hook until the deadline; kills its group if it has not ended. */
static int
hook_wait(pid_t pid, long long deadline, int *status)
{
	while (waitpid(pid, status, WNOHANG) == 0) {
		if (loop_now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, status, 0);
			return 1;
		}
		usleep(10000);
	}
	return 0;
}

void
notify_command_run(const struct notify_target *t, const struct notice *n,
    struct notify_result *res)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, status = 0, talk;
	long long deadline = loop_now_ms() + t->timeout_ms;
	struct buf o, e;
	char **env, *input, *line, *name;
	pid_t pid;

	memset(res, 0, sizeof *res);
	if (t->argv == NULL || t->argv[0] == NULL) {
		notify_fail(res, 0, "command hook: none configured");
		return;
	}
	name = sanitize_log(t->argv[0], strlen(t->argv[0]));
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
	    pipe2(err, O_CLOEXEC) != 0) {
		notify_fail(res, 1, "command hook %s: pipe: %s", name, strerror(errno));
		goto out;
	}
	env = hook_env(t, n);
	pid = hook_spawn(t->argv, env, in, out, err);
	env_free(env);
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	if (pid < 0) {
		notify_fail(res, 0, "command hook %s: cannot run it: %s", name, strerror(errno));
		goto out;
	}
	buf_init(&o);
	buf_init(&e);
	input = notify_json(NOTIFY_COMMAND, n, t->phone);
	talk = hook_talk(in[1], out[0], err[0], input, t->timeout_ms, &o, &e);
	in[1] = out[0] = err[0] = -1;	/* hook_talk closed them */
	free(input);
	if (talk != 0)
		kill(-pid, SIGKILL);
	/* A hook that closed its output may still run: the same deadline holds. */
	if (hook_wait(pid, deadline, &status) != 0 && talk == 0)
		talk = 1;
	if (talk == 1)
		notify_fail(res, 1, "command hook %s: killed after the timeout of %ld s", name,
		    t->timeout_ms / 1000);
	else if (talk == 2)
		notify_fail(res, 0, "command hook %s: printed more than %d KiB: killed", name,
		    NOTIFY_MAX_OUTPUT / 1024);
	else if (WIFSIGNALED(status))
		notify_fail(res, 1, "command hook %s: killed by signal %d", name,
		    WTERMSIG(status));
	else if (WEXITSTATUS(status) != 0) {
		line = first_line(&e);
		notify_fail(res, WEXITSTATUS(status) == HOOK_TEMPFAIL, "command hook %s: exit "
		    "status %d%s%s", name, WEXITSTATUS(status), *line != '\0' ? ": " : "", line);
		free(line);
	} else {
		res->ok = 1;
		line = first_line(&o);
		res->detail = *line != '\0' ? line : xstrdup("exit status 0");
		if (*line == '\0')
			free(line);
	}
	buf_free(&o);
	buf_free(&e);
out:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&err[0]);
	close_fd(&err[1]);
	free(name);
}
