/* SPDX-License-Identifier: ISC */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/audit.h"
#include "backend/automation.h"
#include "backend/config.h"
#include "backend/job.h"
#include "backend/library.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"
#include "backend/path.h"
#include "backend/poller.h"
#include "backend/private.h"
#include "backend/prompts.h"
#include "backend/ratelimit.h"
#include "backend/redact.h"
#include "backend/server.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

/*
 * A client that sends requests faster than it reads replies is paused (its requests wait in
 * the socket) once a quarter of max_queue waits for it; only output the daemon pushes on its
 * own (events) can then fill the queue, and a client whose queue is full is disconnected.
 */
#define SERVER_OUT_HIGH(s)	((size_t)(s)->cfg->max_queue / 4)
/* File descriptors kept free of clients for SQLite, HTTP, git and jobs (at most half). */
#define SERVER_FD_RESERVE	256
/* How long accepting pauses when file descriptors ran out. */
#define SERVER_ACCEPT_PAUSE_MS	100
/* A client closed after an error line gets this long to read it. */
#define SERVER_CLOSE_MS		2000
/* Refused clients are logged once per UID in this time. */
#define SERVER_BUSY_LOG_MS	60000
/* A buffer this large is given back once empty. */
#define SERVER_BUF_KEEP		65536

/*
 * Requests of one client handled per turn of the loop. A client that pipelines thousands
 * gets its next turn on the next iteration, after every other client that sent something:
 * one flood no longer delays everybody's replies by the whole batch it sent.
 */
#define SERVER_TURN		16

static void	conn_process(struct server *, struct conn *);

static void
ready_report(struct server *s, const char *msg)
{
	size_t len = strlen(msg);

	if (s->ready_fd < 0)
		return;
	if (write(s->ready_fd, msg, len) != (ssize_t)len) {
		/* Whoever started us has gone; nothing to tell. */
	}
	close(s->ready_fd);
	s->ready_fd = -1;
}

/* Keeps server.held, the bytes held for all clients, up to date with this one's share. */
static void
conn_account(struct server *s, struct conn *c)
{
	size_t now = 0;

	if (!c->dead)
		now = c->out.len + (c->in.in.len - c->in.pos);
	s->held = s->held - c->held + now;
	c->held = now;
}

static void
conn_close(struct server *s, struct conn *c, const char *why)
{
	if (c->dead)
		return;
	log_debug("client %lu (%s, pid %ld) closed: %s", c->id, c->who.user,
	    (long)c->pid, why);
	loop_timer_remove(c->close_timer);
	c->close_timer = NULL;
	c->dead = 1;
	loop_io_remove(c->io);
	close(c->fd);
	s->nconns--;
	/* Its output goes now; the request buffer may be in use until the reap. */
	buf_free(&c->out);
	conn_account(s, c);
}

/*
 * Over daemon.max_queue_total, clients are disconnected until the rest fits: first the one
 * that has made no progress (read, request, caught up) for the longest, the larger of equals.
 * A console that reads keeps its place; subscribers that never read go.
 */
static void
server_budget(struct server *s)
{
	size_t limit = (size_t)s->cfg->max_queue_total;
	struct conn *c, *victim;
	char why[160];

	if (limit < (size_t)s->cfg->max_queue)
		limit = (size_t)s->cfg->max_queue;
	while (s->held > limit) {
		victim = NULL;
		for (c = s->conns; c != NULL; c = c->next) {
			if (c->dead || c->held == 0)
				continue;
			if (victim == NULL || c->progress_ms < victim->progress_ms ||
			    (c->progress_ms == victim->progress_ms && c->held > victim->held))
				victim = c;
		}
		if (victim == NULL)
			break;
		snprintf(why, sizeof why, "%zu bytes held for all clients, over "
		    "daemon.max_queue_total; this one held %zu and read nothing for %lld ms",
		    s->held, victim->held, loop_now_ms() - victim->progress_ms);
		conn_close(s, victim, why);
	}
}

static void
server_close_timer(void *arg)
{
	struct conn *c = arg;

	c->close_timer = NULL;
	conn_close(c->srv, c, c->closing);
}

/* Frees connections closed during this loop iteration. */
static void
conn_reap(struct server *s)
{
	struct conn **cp = &s->conns, *c;

	while ((c = *cp) != NULL) {
		if (!c->dead) {
			cp = &c->next;
			continue;
		}
		*cp = c->next;
		/* Refusals counted but not audited yet are written now, from the loop (never
		   inside another transaction): nothing is lost. */
		denials_flush(s, c);
		identity_clear(&c->who);
		linebuf_free(&c->in);
		buf_free(&c->out);
		free(c);
	}
}

static void
conn_update_events(struct server *s, struct conn *c)
{
	short ev = 0;

	/* With requests waiting for their turn it reads nothing more. */
	if (c->out.len < SERVER_OUT_HIGH(s) && c->closing == NULL && !c->backlog)
		ev |= POLLIN;
	if (c->out.len > 0)
		ev |= POLLOUT;
	loop_io_events(c->io, ev);
}

static void
conn_flush(struct server *s, struct conn *c)
{
	ssize_t n;

	while (c->out.len > 0) {
		n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			buf_drain(&c->out, (size_t)n);
			c->progress_ms = loop_now_ms();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		conn_close(s, c, n < 0 ? strerror(errno) : "write returned 0");
		return;
	}
	if (c->out.len > (size_t)s->cfg->max_queue) {
		conn_close(s, c, "too much output queued: client does not read");
		return;
	}
	if (c->out.len == 0) {
		c->progress_ms = loop_now_ms();
		if (c->out.cap > SERVER_BUF_KEEP)
			buf_free(&c->out);
		if (c->closing != NULL) {
			conn_close(s, c, c->closing);
			return;
		}
	}
	conn_account(s, c);
	conn_update_events(s, c);
}

static void
conn_queue(struct server *s, struct conn *c, const char *line, size_t len)
{
	if (c->dead)
		return;
	buf_add(&c->out, line, len);
	conn_flush(s, c);
}

void
server_close(struct server *s, struct conn *c, const char *why)
{
	if (c->dead || c->closing != NULL)
		return;
	c->closing = why;
	conn_flush(s, c);
	if (!c->dead)
		c->close_timer = loop_timer_add(s->loop, SERVER_CLOSE_MS, 0, server_close_timer,
		    c);
}

void
server_send(struct server *s, struct conn *c, cJSON *msg)
{
	char *line;
	size_t len;

	line = proto_line(msg, &len);
	conn_queue(s, c, line, len);
	free(line);
	cJSON_Delete(msg);
	server_budget(s);
}

void
server_publish(struct server *s, enum topic topic, cJSON *msg)
{
	struct conn *c;
	char *line;
	size_t len;

	line = proto_line(msg, &len);
	for (c = s->conns; c != NULL; c = c->next) {
		if (!c->dead && (c->topics & topic))
			conn_queue(s, c, line, len);
	}
	free(line);
	cJSON_Delete(msg);
	server_budget(s);
}

struct conn *
server_conn(struct server *s, unsigned long id)
{
	struct conn *c;

	for (c = s->conns; c != NULL; c = c->next) {
		if (c->id == id && !c->dead)
			return c;
	}
	return NULL;
}

/* The next turn of every client with requests left over. */
static void
server_backlog(void *arg)
{
	struct server *s = arg;
	struct conn *c;

	s->backlog_timer = NULL;
	for (c = s->conns; c != NULL; c = c->next) {
		if (!c->dead && c->backlog)
			conn_process(s, c);
	}
	conn_reap(s);
}

/* Handles buffered request lines, SERVER_TURN at most, until the client has enough replies
   waiting. */
static void
conn_process(struct server *s, struct conn *c)
{
	const char *line;
	size_t len;
	enum line_result lr;
	int n = 0;

	c->backlog = 0;
	while (!c->dead && c->closing == NULL && c->out.len < SERVER_OUT_HIGH(s)) {
		if (n++ == SERVER_TURN) {
			c->backlog = 1;
			if (s->backlog_timer == NULL)
				s->backlog_timer = loop_timer_add(s->loop, 0, 0, server_backlog, s);
			break;
		}
		if ((lr = linebuf_next(&c->in, &line, &len)) == LINE_NONE)
			break;
		c->progress_ms = loop_now_ms();
		if (lr == LINE_TOO_LONG) {
			server_send(s, c, proto_error(NULL, "line_too_long",
			    "request longer than %lld bytes; it was dropped", s->cfg->max_line));
			continue;
		}
		ops_dispatch(s, c, line, len);
	}
	if (!c->dead) {
		linebuf_trim(&c->in, SERVER_BUF_KEEP);
		conn_account(s, c);
		conn_update_events(s, c);
	}
}

static void
conn_read(struct server *s, struct conn *c)
{
	char tmp[65536];
	ssize_t n;

	n = recv(c->fd, tmp, sizeof tmp, MSG_DONTWAIT);
	if (n == 0) {
		conn_close(s, c, "disconnected");
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_close(s, c, strerror(errno));
		return;
	}
	linebuf_feed(&c->in, tmp, (size_t)n);
	conn_process(s, c);
	server_budget(s);
}

static void
conn_io(int fd, short revents, void *arg)
{
	struct conn *c = arg;
	struct server *s = c->srv;

	(void)fd;
	if (revents & POLLOUT) {
		conn_flush(s, c);
		conn_process(s, c);
	}
	if (!c->dead && (revents & (POLLIN | POLLHUP | POLLERR)) &&
	    c->out.len < SERVER_OUT_HIGH(s) && c->closing == NULL && !c->backlog)
		conn_read(s, c);
	else if (!c->dead && c->closing != NULL && (revents & (POLLHUP | POLLERR)))
		conn_close(s, c, c->closing);
	conn_reap(s);
}

/* Writes one error line to a client being turned away, which then is closed. */
static void
server_turn_away(int fd, const char *message)
{
	cJSON *err = proto_error(NULL, "busy", "%s", message);
	char *line;
	size_t len;

	line = proto_line(err, &len);
	if (send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* It learns from the closed connection alone. */
	}
	free(line);
	cJSON_Delete(err);
	close(fd);
}

/* Logs a client refused for a limit: once per UID and minute, with how many were since. */
static void
server_busy_log(struct server *s, uid_t uid, const char *why)
{
	struct server_busy *b = NULL;
	long long now = loop_now_ms();
	struct passwd pw, *pwp = NULL;
	char pwbuf[4096];
	size_t i;

	for (i = 0; i < SERVER_BUSY_LOG && b == NULL; i++) {
		if (s->busy[i].since != 0 && s->busy[i].uid == uid)
			b = &s->busy[i];
	}
	if (b != NULL && now - b->since < SERVER_BUSY_LOG_MS) {
		b->more++;
		return;
	}
	if (b == NULL) {
		/* The slot logged longest ago (or never) is reused. */
		b = &s->busy[0];
		for (i = 1; i < SERVER_BUSY_LOG; i++) {
			if (s->busy[i].since < b->since)
				b = &s->busy[i];
		}
		b->more = 0;
	}
	if (getpwuid_r(uid, &pw, pwbuf, sizeof pwbuf, &pwp) != 0)
		pwp = NULL;
	log_debug("uid %ld (%s) turned away: %s", (long)uid, pwp != NULL ? pw.pw_name : "?",
	    why);
	if (b->uid == uid && b->more > 0)
		log_debug("uid %ld: %lu more turned away in the minute before", (long)uid,
		    b->more);
	b->uid = uid;
	b->since = now;
	b->more = 0;
}

static void
server_accept_resume(void *arg)
{
	struct server *s = arg;

	s->accept_timer = NULL;
	loop_io_events(s->listen_io, POLLIN);
}

/*
 * Out of file descriptors: the pending client would wake poll() again at once. The spare fd
 * makes room to accept and turn it away, and accepting pauses a moment, so the loop never spins.
 */
static void
server_fd_shortage(struct server *s, int lfd, int err)
{
	long long now = loop_now_ms();
	int cfd, i;

	if (s->spare_fd >= 0) {
		close(s->spare_fd);
		s->spare_fd = -1;
		/* Each one closed frees the descriptor for the next. */
		for (i = 0; i < 32; i++) {
			cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (cfd < 0)
				break;
			server_turn_away(cfd, "the daemon has no file descriptors left; try "
			    "again in a moment");
			s->fd_more++;
		}
		s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (now - s->fd_logged >= SERVER_BUSY_LOG_MS || s->fd_logged == 0) {
		log_debug("accept: %s with %d clients; turning clients away (%lu since the last "
		    "line), pausing %d ms", strerror(err), s->nconns, s->fd_more,
		    SERVER_ACCEPT_PAUSE_MS);
		s->fd_logged = now;
		s->fd_more = 0;
	}
	if (s->accept_timer == NULL) {
		loop_io_events(s->listen_io, 0);
		s->accept_timer = loop_timer_add(s->loop, SERVER_ACCEPT_PAUSE_MS, 0,
		    server_accept_resume, s);
	}
}

/* Returns a reason when the client is over a limit on connections, else NULL. */
static char *
server_over_limit(struct server *s, uid_t uid)
{
	struct conn *c;
	long long n = 0;

	if (s->nconns >= s->max_clients)
		return xprintf("the daemon has %d clients connected, its limit "
		    "(daemon.max_clients); try again later", s->nconns);
	for (c = s->conns; c != NULL; c = c->next) {
		if (!c->dead && c->who.uid == uid)
			n++;
	}
	if (n >= s->cfg->max_clients_per_user)
		return xprintf("uid %ld has %lld clients connected, the limit per user "
		    "(daemon.max_clients_per_user); close some and try again", (long)uid, n);
	return NULL;
}

static void
server_accept(int fd, short revents, void *arg)
{
	struct server *s = arg;
	struct ucred cred;
	socklen_t credlen;
	struct conn *c;
	char *cause = NULL, *why;
	int cfd, i;

	(void)revents;
	/* A few at a time: a crowd at the door does not starve the clients inside. */
	for (i = 0; i < 16; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				server_fd_shortage(s, fd, errno);
			return;
		}
		credlen = sizeof cred;
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) != 0) {
			close(cfd);
			continue;
		}
		if ((why = server_over_limit(s, cred.uid)) != NULL) {
			server_turn_away(cfd, why);
			server_busy_log(s, cred.uid, why);
			free(why);
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->srv = s;
		c->id = ++s->next_id;
		c->fd = cfd;
		c->pid = cred.pid;
		c->progress_ms = loop_now_ms();
		linebuf_init(&c->in, (size_t)s->cfg->max_line);
		buf_init(&c->out);
		/* Identity is fixed now; a role of none still connects and is refused per
		   request. */
		if (authz_identify(s->cfg, cred.uid, cred.gid, &c->who, &cause) != 0) {
			log_debug("client %lu: %s", c->id, cause);
			free(cause);
			cause = NULL;
		}
		c->io = loop_io_add(s->loop, cfd, POLLIN, conn_io, c);
		c->next = s->conns;
		s->conns = c;
		s->nconns++;
		log_debug("client %lu connected: user %s role %s pid %ld", c->id, c->who.user,
		    role_name(c->who.role), (long)cred.pid);
	}
}

/*
 * Raises the open-files limit to the hard one and keeps SERVER_FD_RESERVE descriptors (at most
 * half) out of the clients' reach: the store, HTTP, git and jobs always find one.
 */
static void
server_fd_limit(struct server *s)
{
	struct rlimit rl;
	long long limit = 1024, reserve, cap;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		limit = rl.rlim_cur == RLIM_INFINITY ? 1LL << 20 : (long long)rl.rlim_cur;
	}
	reserve = limit / 2 < SERVER_FD_RESERVE ? limit / 2 : SERVER_FD_RESERVE;
	cap = limit - reserve;
	s->max_clients = (int)(s->cfg->max_clients < cap ? s->cfg->max_clients : cap);
	if (s->max_clients < 1)
		s->max_clients = 1;
	if (s->max_clients < s->cfg->max_clients)
		log_debug("open-files limit %lld: at most %d clients (daemon.max_clients is %lld)",
		    limit, s->max_clients, s->cfg->max_clients);
}

/*
 * The socket directory must be ours and not writable by others. A shared install gives it to
 * the configured group (0750); a private one keeps it to itself (0700).
 */
static int
server_socket_dir(struct server *s, const char *dir, gid_t gid, char **cause)
{
	struct stat st;
	mode_t mode = gid != (gid_t)-1 ? 0750 : 0700;

	if (mkdir(dir, mode) != 0 && errno != EEXIST) {
		*cause = xprintf("socket directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) != 0) {
		*cause = xprintf("socket directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		*cause = xprintf("socket directory %s is not a directory owned by uid %ld; "
		    "refusing to use it", dir, (long)geteuid());
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		*cause = xprintf("socket directory %s is writable by group or others "
		    "(mode %03o); chmod %03o it", dir, (unsigned)(st.st_mode & 0777),
		    (unsigned)mode);
		return -1;
	}
	if (gid != (gid_t)-1 && st.st_gid != gid && chown(dir, (uid_t)-1, gid) != 0) {
		*cause = xprintf("%s: cannot give it to group %s: %s", dir, s->cfg->group,
		    strerror(errno));
		return -1;
	}
	if ((st.st_mode & 0777) != mode && chmod(dir, mode) != 0) {
		*cause = xprintf("%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
server_listen(struct server *s, char **cause)
{
	const char *path = s->cfg->socket;
	struct sockaddr_un sa;
	struct group gr, *grp = NULL;
	struct stat st;
	char grbuf[16384], *dir;
	gid_t gid = (gid_t)-1;
	mode_t old;
	int fd, probe, rc;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		*cause = xprintf("socket path %s is longer than %zu bytes", path,
		    sizeof sa.sun_path - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (s->cfg->group != NULL && *s->cfg->group != '\0') {
		if (getgrnam_r(s->cfg->group, &gr, grbuf, sizeof grbuf, &grp) != 0 ||
		    grp == NULL) {
			*cause = xprintf("daemon.group: no such group \"%s\"", s->cfg->group);
			return -1;
		}
		gid = gr.gr_gid;
	}
	dir = path_dir(path);
	rc = strcmp(dir, "/") != 0 ? server_socket_dir(s, dir, gid, cause) : 0;
	free(dir);
	if (rc != 0)
		return -1;

	/* A socket left by a killed daemon refuses connections: replace it. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			*cause = xprintf("%s exists and is not a socket; refusing to replace it",
			    path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0) {
			close(probe);
			*cause = xprintf("a daemon is already listening on %s", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		if (unlink(path) != 0 && errno != ENOENT) {
			*cause = xprintf("cannot remove stale socket %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*cause = xprintf("socket: %s", strerror(errno));
		return -1;
	}
	/* The mode is right from the moment the socket exists: no chmod race. */
	old = umask(gid != (gid_t)-1 ? 0117 : 0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc != 0) {
		*cause = xprintf("bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) != 0) {
		*cause = xprintf("%s: cannot give it to group %s: %s", path, s->cfg->group,
		    strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	if (listen(fd, 128) != 0) {
		*cause = xprintf("listen %s: %s", path, strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	s->listen_fd = fd;
	return 0;
}

/* (Re)loads the playbook library; playbooks with lint errors are left out and logged. */
static void
server_library(struct server *s)
{
	library_free(s->library);
	free(s->library_problems);
	s->library = library_load(s->cfg->playbook_dir, &s->library_problems);
	if (s->library_problems != NULL)
		log_debug("playbooks left out:\n%s", s->library_problems);
}

static void
server_kpi_event(void *arg, cJSON *ev)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "event"));

	if (name != NULL && strcmp(name, "kpi.state") == 0)
		automation_kpi(arg, ev);
	else if (name != NULL && strcmp(name, "kpi") == 0)
		automation_kpi_poll(arg, ev);
	server_publish(arg, TOPIC_KPI, ev);
}

char *
server_redact(struct server *s, const char *text)
{
	return redact(s->redactor, text, NULL);
}

int
server_reload(struct server *s, char **cause)
{
	struct config fresh, *old = s->cfg;
	struct conn *c;
	char *why = NULL;

	if (config_load(&fresh, old->file, cause) != 0)
		return -1;
	/* The poller points into the KPI definitions: it starts again with the new ones. */
	poller_free(s->poller);
	/* The running daemon keeps its socket, data dir and limits. */
	free(fresh.socket);
	free(fresh.group);
	free(fresh.data_dir);
	free(fresh.prompt_repo);
	fresh.socket = old->socket;
	fresh.group = old->group;
	fresh.data_dir = old->data_dir;
	fresh.prompt_repo = old->prompt_repo;
	fresh.max_line = old->max_line;
	fresh.max_queue = old->max_queue;
	old->socket = old->group = old->data_dir = old->prompt_repo = NULL;
	config_free(old);
	*old = fresh;
	s->poller = poller_create(s->loop, s->cfg, server_kpi_event, s);
	server_library(s);
	automation_stop(s);
	automation_start(s);
	/* prompts.remote may name another remote now: it gets every release it lacks. */
	prompts_push(s);
	for (c = s->conns; c != NULL; c = c->next) {
		uid_t uid = c->who.uid;
		gid_t gid = c->who.gid;

		identity_clear(&c->who);
		if (authz_identify(s->cfg, uid, gid, &c->who, &why) != 0) {
			log_debug("client %lu: %s", c->id, why);
			free(why);
			why = NULL;
		}
	}
	return 0;
}

/* SIGHUP: reload as the daemon's own user, audited like the op. */
static void
server_sighup(int signo, void *arg)
{
	struct server *s = arg;
	struct identity self;
	char *cause = NULL, *details;
	cJSON *d;

	(void)signo;
	if (server_reload(s, &cause) != 0) {
		log_debug("SIGHUP: config not reloaded: %s", cause);
		free(cause);
		return;
	}
	if (authz_identify(s->cfg, geteuid(), getegid(), &self, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "signal", "SIGHUP");
	details = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	if (store_begin(s->db, &cause) != 0 ||
	    audit_append(s->db, self.user, "daemon", "config.reload",
	    s->cfg->file != NULL ? s->cfg->file : "(built-in)", details, &cause) < 0 ||
	    store_commit(s->db, &cause) != 0) {
		store_rollback(s->db);
		log_debug("SIGHUP: audit failed: %s", cause);
		free(cause);
	}
	cJSON_free(details);
	identity_clear(&self);
}

static void
server_signal(int signo, void *arg)
{
	struct server *s = arg;

	log_debug("signal %d: shutting down", signo);
	loop_stop(s->loop);
}

static void
server_shutdown(struct server *s)
{
	struct conn *c;

	/* Jobs in flight finish and reply before the store closes; evals end early. */
	prompts_cancel();
	job_drain();
	op_ticket_cancel_retries();
	prompts_stop(s);
	automation_stop(s);
	poller_free(s->poller);
	job_pool_stop();
	loop_timer_remove(s->backlog_timer);
	for (c = s->conns; c != NULL; c = c->next) {
		if (!c->dead) {
			conn_flush(s, c);
			conn_close(s, c, "daemon shutting down");
		}
	}
	conn_reap(s);
	loop_timer_remove(s->accept_timer);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->cfg->socket);
	}
	store_close(s->db);
	ratelimit_clear();
	redactor_free(s->redactor);
	library_free(s->library);
	free(s->library_problems);
	free(s->am_error);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	loop_free(s->loop);
}

int
server_main(struct config *cfg, int ready_fd)
{
	struct server s;
	char *cause = NULL, *msg;

	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.ready_fd = ready_fd;
	s.listen_fd = -1;
	s.spare_fd = -1;
	s.started = time(NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Nothing the daemon creates is for other users; the socket's modes are explicit. */
	umask(077);
	server_fd_limit(&s);
#ifdef __GLIBC__
	/* Client buffers above this size are mapped on their own: the memory of a client that
	   is disconnected goes back to the system at once instead of staying in the heap. */
	mallopt(M_MMAP_THRESHOLD, 2 * SERVER_BUF_KEEP);
#endif
	s.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* The store and the releases are only as safe as the directories that hold them. */
	if (private_mkdir("data dir", cfg->data_dir, 0700, &cause) != 0 ||
	    private_tree("prompt repository", cfg->prompt_repo, &cause) != 0)
		goto fail;
	if ((s.lock_fd = store_lock(cfg->data_dir, &cause)) < 0)
		goto fail;
	if ((s.db = store_open(cfg->data_dir, 0, &cause)) == NULL)
		goto fail;
	if ((s.redactor = redactor_create(NULL, NULL, 0, 0, &cause)) == NULL)
		goto fail;
	if (server_listen(&s, &cause) != 0)
		goto fail;

	s.loop = loop_create();
	/* Every worker thread the daemon will have, now: none is started per request. */
	if (job_pool_start(s.loop, &cause) != 0) {
		close(s.listen_fd);
		unlink(cfg->socket);
		loop_free(s.loop);
		goto fail;
	}
	s.listen_io = loop_io_add(s.loop, s.listen_fd, POLLIN, server_accept, &s);
	loop_signal(s.loop, SIGTERM, server_signal, &s);
	loop_signal(s.loop, SIGINT, server_signal, &s);
	loop_signal(s.loop, SIGHUP, server_sighup, &s);
	s.poller = poller_create(s.loop, cfg, server_kpi_event, &s);
	server_library(&s);
	automation_start(&s);
	prompts_start(&s);
	log_debug("listening on %s, data dir %s", cfg->socket, cfg->data_dir);
	ready_report(&s, "ok\n");

	loop_run(s.loop);
	server_shutdown(&s);
	return 0;

fail:
	msg = xprintf("%s\n", cause);
	if (s.ready_fd >= 0)
		ready_report(&s, msg);
	else
		fprintf(stderr, "leitstand serve: %s", msg);
	free(msg);
	free(cause);
	redactor_free(s.redactor);
	store_close(s.db);
	if (s.lock_fd >= 0)
		close(s.lock_fd);
	if (s.spare_fd >= 0)
		close(s.spare_fd);
	return 1;
}
