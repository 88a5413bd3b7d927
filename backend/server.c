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

#include "backend/authz.h"
#include "backend/buf.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/denials.h"
#include "backend/events.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"
#include "backend/path.h"
#include "backend/proto.h"
#include "backend/private.h"
#include "backend/ratelimit.h"
#include "backend/server.h"
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

struct conn {
	struct server	*srv;
	unsigned long	 id;
	int		 fd;
	pid_t		 pid;		/* for logs only: never for authorisation */
	struct identity	 who;
	struct linebuf	 in;
	struct buf	 out;
	unsigned	 topics;
	struct ratelimit queries;	/* ad-hoc queries (OP_ADHOC) */
	struct loop_io	*io;
	int		 backlog;	/* request lines wait for the next turn */
	int		 dead;
	int		 refs;		/* replies pending: freed when the last is done */
	int		 reaped;	/* gone from the list, kept for its references */
	const char	*closing;	/* why it closes once its output is sent, or NULL */
	struct loop_timer *close_timer;	/* closes it anyway when it does not read */
	size_t		 held;		/* its share of server.held */
	long long	 progress_ms;	/* last read a reply, sent a request, or caught up */
	struct denials	 denials;
	struct conn	*next;
};

/* Clients refused for a limit, logged once per UID and minute. */
#define SERVER_BUSY_LOG	16
struct server_busy {
	uid_t		 uid;
	long long	 since;		/* when it was last logged (monotonic ms), 0: free */
	unsigned long	 more;		/* refused since, not logged yet */
};

struct server {
	struct daemon	*d;
	struct config	*cfg;		/* the daemon's */
	struct loop	*loop;		/* the daemon's */
	int		 listen_fd;
	struct loop_io	*listen_io;
	struct loop_timer *backlog_timer;	/* the next turn of clients with a backlog */
	unsigned long	 next_id;
	struct conn	*conns;
	int		 nconns;
	int		 max_clients;	/* daemon.max_clients, lowered to the fd limit */
	size_t		 held;		/* bytes held for all clients: output, requests */
	int		 spare_fd;	/* given up to turn a client away when fds run out */
	struct loop_timer *accept_timer; /* resumes accepting after fds ran out */
	long long	 fd_logged;	/* when running out of fds was last logged */
	unsigned long	 fd_more;	/* clients turned away since */
	struct server_busy busy[SERVER_BUSY_LOG];
};

static void	conn_process(struct server *, struct conn *);

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
		denials_flush(&c->denials);
		identity_clear(&c->who);
		linebuf_free(&c->in);
		buf_free(&c->out);
		if (c->refs > 0)
			c->reaped = 1;
		else
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
server_close(struct conn *c, const char *why)
{
	struct server *s = c->srv;

	if (c->dead || c->closing != NULL)
		return;
	c->closing = why;
	conn_flush(s, c);
	if (!c->dead)
		c->close_timer = loop_timer_add(s->loop, SERVER_CLOSE_MS, 0, server_close_timer,
		    c);
}

void
server_send(struct conn *c, cJSON *msg)
{
	struct server *s = c->srv;
	char *line;
	size_t len;

	if (c->dead) {
		cJSON_Delete(msg);
		return;
	}
	line = proto_line(msg, &len);
	conn_queue(s, c, line, len);
	free(line);
	cJSON_Delete(msg);
	server_budget(s);
}

/* The events sink: every client subscribed to the topic gets the event. */
static void
server_event(void *arg, enum topic topic, const cJSON *msg)
{
	struct server *s = arg;
	struct conn *c;
	char *line;
	size_t len;

	line = proto_line(msg, &len);
	for (c = s->conns; c != NULL; c = c->next) {
		if (!c->dead && (c->topics & topic))
			conn_queue(s, c, line, len);
	}
	free(line);
	server_budget(s);
}

const struct identity *
server_who(const struct conn *c)
{
	return &c->who;
}

struct denials *
server_denials(struct conn *c)
{
	return &c->denials;
}

struct ratelimit *
server_queries(struct conn *c)
{
	return &c->queries;
}

void
server_subscribe(struct conn *c, unsigned topics)
{
	c->topics = topics;
}

void
server_ref(struct conn *c)
{
	c->refs++;
}

void
server_unref(struct conn *c)
{
	if (--c->refs == 0 && c->reaped)
		free(c);
}

void
server_clients(const struct server *s, int *n, int *max)
{
	*n = s->nconns;
	*max = s->max_clients;
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
			server_send(c, proto_error(NULL, "line_too_long",
			    "request longer than %lld bytes; it was dropped", s->cfg->max_line));
			continue;
		}
		ops_dispatch(s->d, c, line, len);
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
		denials_init(&c->denials, s->d, &c->who);
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
	/* Only a directory of its own is given to the group or made private: never /run. */
	if (((st.st_mode & 0777) != mode || (gid != (gid_t)-1 && st.st_gid != gid)) &&
	    !private_dedicated(dir)) {
		*cause = xprintf("socket directory %s (mode %03o) holds files that are not "
		    "Leitstand's: refusing to change it. Give the socket a directory of its own "
		    "(e.g. %s/leitstand/)", dir, (unsigned)(st.st_mode & 0777),
		    strcmp(dir, "/") == 0 ? "" : dir);
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

void
server_reidentify(struct server *s)
{
	struct conn *c;
	char *why = NULL;

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
}

struct server *
server_create(struct daemon *d, char **cause)
{
	struct server *s = xcalloc(1, sizeof *s);

	s->d = d;
	s->cfg = d->cfg;
	s->listen_fd = -1;
	server_fd_limit(s);
#ifdef __GLIBC__
	/* Client buffers above this size are mapped on their own: the memory of a client that
	   is disconnected goes back to the system at once instead of staying in the heap. */
	mallopt(M_MMAP_THRESHOLD, 2 * SERVER_BUF_KEEP);
#endif
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (server_listen(s, cause) != 0) {
		if (s->spare_fd >= 0)
			close(s->spare_fd);
		free(s);
		return NULL;
	}
	return s;
}

void
server_start(struct server *s)
{
	s->loop = s->d->loop;
	s->listen_io = loop_io_add(s->loop, s->listen_fd, POLLIN, server_accept, s);
	events_sink(server_event, s);
}

void
server_free(struct server *s)
{
	struct conn *c;

	if (s == NULL)
		return;
	events_sink(NULL, NULL);
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
	free(s);
}
