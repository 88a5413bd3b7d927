/* SPDX-License-Identifier: ISC */
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/client.h"
#include "backend/config.h"
#include "backend/loop.h"
#include "backend/path.h"
#include "backend/peer.h"
#include "backend/private.h"
#include "backend/xmalloc.h"

/* Replies can be large (a page of a list); requests are checked by the daemon. */
#define CLIENT_MAX_LINE		(64 * 1024 * 1024)
#define CLIENT_START_WAIT_MS	10000

struct client *
client_connect(const char *path, char **cause)
{
	struct sockaddr_un sa;
	struct client *c;
	uid_t owner;
	int fd, saved;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		*cause = xprintf("socket path %s is too long", path);
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* Nothing is sent to a socket someone else could have put there. */
	if (peer_check_path(path, &owner, cause) != 0)
		return NULL;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		*cause = xprintf("socket: %s", strerror(errno));
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		saved = errno;
		*cause = xprintf("no daemon at %s: %s", path, strerror(errno));
		close(fd);
		errno = saved;
		return NULL;
	}
	if (peer_check_fd(fd, path, owner, cause) != 0) {
		close(fd);
		errno = EPERM;
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	linebuf_init(&c->in, CLIENT_MAX_LINE);
	return c;
}

void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	linebuf_free(&c->in);
	free(c);
}

int
client_spawn_daemon(char *const *options, const char *socket, char **cause)
{
	char **argv, msg[4096], fdarg[16];
	int p[2], argc = 0, nopt = 0, status, devnull;
	pid_t pid;
	ssize_t n;
	size_t got = 0;
	long long deadline;
	struct pollfd pfd;

	if (pipe2(p, O_CLOEXEC) != 0) {
		*cause = xprintf("pipe: %s", strerror(errno));
		return -1;
	}
	snprintf(fdarg, sizeof fdarg, "%d", p[1]);
	while (options != NULL && options[nopt] != NULL)
		nopt++;
	argv = xcalloc((size_t)nopt + 7, sizeof *argv);
	argv[argc++] = (char *)"leitstand";
	while (options != NULL && *options != NULL)
		argv[argc++] = *options++;
	argv[argc++] = (char *)"-S";
	argv[argc++] = (char *)socket;
	argv[argc++] = (char *)"serve";
	argv[argc++] = (char *)"--ready-fd";
	argv[argc++] = fdarg;
	argv[argc] = NULL;

	if ((pid = fork()) < 0) {
		*cause = xprintf("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		free(argv);
		return -1;
	}
	if (pid == 0) {
		/* Twice, so the daemon is nobody's child and never a zombie of ours. */
		setsid();
		if (fork() != 0)
			_exit(0);
		fcntl(p[1], F_SETFD, 0);
		if ((devnull = open("/dev/null", O_RDWR)) >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
			if (devnull > 2)
				close(devnull);
		}
		execv("/proc/self/exe", argv);
		n = snprintf(msg, sizeof msg, "cannot start the daemon: %s\n", strerror(errno));
		if (write(p[1], msg, (size_t)n) < 0)
			_exit(127);
		_exit(127);
	}
	close(p[1]);
	free(argv);
	waitpid(pid, &status, 0);

	deadline = loop_now_ms() + CLIENT_START_WAIT_MS;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	for (;;) {
		long long left = deadline - loop_now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			*cause = xprintf("the daemon did not start within %d s",
			    CLIENT_START_WAIT_MS / 1000);
			close(p[0]);
			return -1;
		}
		n = read(p[0], msg + got, sizeof msg - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (got += (size_t)n) == sizeof msg - 1)
			break;
	}
	close(p[0]);
	msg[got] = '\0';
	if (strcmp(msg, "ok\n") == 0)
		return 0;
	msg[strcspn(msg, "\n")] = '\0';
	*cause = xprintf("the daemon did not start: %s", *msg ? msg : "it exited");
	return -1;
}

/* Serialises starting: whoever holds SOCKET.lock starts the daemon, the others then connect. */
static int
client_start_lock(const char *path, char **cause)
{
	char *dir = path_dir(path), *lock;
	int fd;

	/* The daemon we start will be ours: so must its directory be, whoever made it first. */
	if (private_mkdir("socket directory", dir, 0700, cause) != 0) {
		free(dir);
		return -1;
	}
	free(dir);
	lock = xprintf("%s.lock", path);
	fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		*cause = xprintf("%s: %s", lock, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(lock);
	return fd;
}

struct client *
client_open(const struct config *cfg, char *const *options, int start, char **cause)
{
	struct client *c;
	const char *path = cfg->socket;
	char *why = NULL;
	int shared = cfg->group != NULL && *cfg->group != '\0', lock;

	if ((c = client_connect(path, &why)) != NULL)
		return c;
	if (!start || shared || (errno != ENOENT && errno != ECONNREFUSED)) {
		if (shared && (errno == ENOENT || errno == ECONNREFUSED))
			*cause = xprintf("%s; is the leitstand service running?", why);
		else
			*cause = why, why = NULL;
		free(why);
		return NULL;
	}
	free(why);
	why = NULL;
	if ((lock = client_start_lock(path, cause)) < 0)
		return NULL;
	/* Someone else may have started it while we waited for the lock. */
	if ((c = client_connect(path, &why)) == NULL &&
	    client_spawn_daemon(options, path, cause) == 0)
		c = client_connect(path, cause);
	free(why);
	close(lock);
	return c;
}

cJSON *
client_request(const char *op)
{
	cJSON *req = cJSON_CreateObject();

	cJSON_AddStringToObject(req, "op", op);
	return req;
}

long long
client_send(struct client *c, cJSON *req)
{
	char *line;
	size_t len, off = 0;
	ssize_t n;
	long long id = ++c->next_id;

	cJSON_DeleteItemFromObject(req, "id");
	cJSON_AddNumberToObject(req, "id", (double)id);
	line = proto_line(req, &len);
	cJSON_Delete(req);
	while (off < len) {
		n = send(c->fd, line + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(line);
			return -1;
		}
		off += (size_t)n;
	}
	free(line);
	return id;
}

int
client_read(struct client *c, int ms, cJSON **msg, char **cause)
{
	struct pollfd pfd;
	const char *line;
	/* Small: the console reads every reply through here, and the stack pages a big read
	   touches stay in its resident set for good. */
	char tmp[16384];
	size_t len;
	ssize_t n;
	long long deadline = ms < 0 ? -1 : loop_now_ms() + ms;
	enum line_result lr;
	int wait;

	for (;;) {
		while ((lr = linebuf_next(&c->in, &line, &len)) != LINE_NONE) {
			if (lr == LINE_TOO_LONG)
				continue;
			if ((*msg = cJSON_ParseWithLength(line, len)) != NULL)
				return 1;
		}
		wait = deadline < 0 ? -1 : (int)(deadline - loop_now_ms());
		if (deadline >= 0 && wait < 0)
			wait = 0;
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, wait) == 0)
			return 0;
		n = recv(c->fd, tmp, sizeof tmp, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			*cause = xstrdup(n == 0 ? "the daemon closed the connection" :
			    strerror(errno));
			return -1;
		}
		linebuf_feed(&c->in, tmp, (size_t)n);
	}
}

cJSON *
client_call(struct client *c, cJSON *req, char **cause)
{
	cJSON *msg, *id;
	long long want, deadline = loop_now_ms() + c->reply_ms, left = -1;
	int rc;

	c->timed_out = 0;
	if ((want = client_send(c, req)) < 0) {
		*cause = xstrdup("the daemon closed the connection");
		return NULL;
	}
	for (;;) {
		/* A daemon that accepts and never answers must not hang a script for ever. */
		if (c->reply_ms > 0 && (left = deadline - loop_now_ms()) < 0)
			left = 0;
		if ((rc = client_read(c, (int)left, &msg, cause)) == 0) {
			c->timed_out = 1;
			*cause = xprintf("no reply from the daemon in %d s",
			    (c->reply_ms + 999) / 1000);
			return NULL;
		}
		if (rc < 0)
			return NULL;
		id = cJSON_GetObjectItemCaseSensitive(msg, "id");
		if (cJSON_IsNumber(id) && (long long)id->valuedouble == want)
			return msg;
		if (cJSON_IsNull(id) && cJSON_GetObjectItemCaseSensitive(msg, "error") != NULL)
			return msg;
		cJSON_Delete(msg);
	}
}

const char *
client_error(const cJSON *reply)
{
	const cJSON *e, *m;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok")))
		return NULL;
	e = cJSON_GetObjectItemCaseSensitive(reply, "error");
	m = cJSON_GetObjectItemCaseSensitive(e, "message");
	return cJSON_IsString(m) ? m->valuestring : "malformed reply from the daemon";
}

const char *
client_error_code(const cJSON *reply)
{
	const cJSON *code;

	code = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(reply,
	    "error"), "code");
	return cJSON_IsString(code) ? code->valuestring : "";
}
