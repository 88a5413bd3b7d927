/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/loop.h"
#include "backend/xmalloc.h"

#define LOOP_MAX_SIGNAL 65

struct loop_io {
	struct loop	*loop;
	int		 fd;
	short		 events;
	int		 dead;
	loop_io_cb	 cb;
	void		*arg;
	struct loop_io	*next;
};

struct loop_timer {
	struct loop	*loop;
	long long	 due;
	long		 ms;
	int		 repeat;
	int		 dead;
	loop_timer_cb	 cb;
	void		*arg;
	struct loop_timer *next;
};

struct loop {
	struct loop_io	  *ios;
	struct loop_timer *timers;
	int		   stopped;
	int		   dispatching;
	struct pollfd	  *pfds;
	struct loop_io	 **pios;
	size_t		   npfds;
	struct loop_io	  *signal_io;
	loop_signal_cb	   signal_cb[LOOP_MAX_SIGNAL];
	void		  *signal_arg[LOOP_MAX_SIGNAL];
};

/* One self-pipe per process: a signal handler cannot know which loop it belongs to. */
static int signal_pipe[2] = { -1, -1 };

long long
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *
loop_create(void)
{
	return xcalloc(1, sizeof(struct loop));
}

static void
loop_sweep(struct loop *l)
{
	struct loop_io **io = &l->ios, *dead_io;
	struct loop_timer **t = &l->timers, *dead_t;

	while (*io != NULL) {
		if ((*io)->dead) {
			dead_io = *io;
			*io = dead_io->next;
			free(dead_io);
		} else
			io = &(*io)->next;
	}
	while (*t != NULL) {
		if ((*t)->dead) {
			dead_t = *t;
			*t = dead_t->next;
			free(dead_t);
		} else
			t = &(*t)->next;
	}
}

void
loop_free(struct loop *l)
{
	struct loop_io *io;
	struct loop_timer *t;
	int i;

	if (l->signal_io != NULL) {
		for (i = 1; i < LOOP_MAX_SIGNAL; i++) {
			if (l->signal_cb[i] != NULL)
				signal(i, SIG_DFL);
		}
	}
	for (io = l->ios; io != NULL; io = io->next)
		io->dead = 1;
	for (t = l->timers; t != NULL; t = t->next)
		t->dead = 1;
	loop_sweep(l);
	free(l->pfds);
	free(l->pios);
	free(l);
}

void
loop_stop(struct loop *l)
{
	l->stopped = 1;
}

int
loop_stopped(struct loop *l)
{
	return l->stopped;
}

struct loop_io *
loop_io_add(struct loop *l, int fd, short events, loop_io_cb cb, void *arg)
{
	struct loop_io *io = xcalloc(1, sizeof *io);

	io->loop = l;
	io->fd = fd;
	io->events = events;
	io->cb = cb;
	io->arg = arg;
	io->next = l->ios;
	l->ios = io;
	return io;
}

void
loop_io_events(struct loop_io *io, short events)
{
	io->events = events;
}

void
loop_io_remove(struct loop_io *io)
{
	if (io != NULL)
		io->dead = 1;
}

struct loop_timer *
loop_timer_add(struct loop *l, long ms, int repeat, loop_timer_cb cb, void *arg)
{
	struct loop_timer *t = xcalloc(1, sizeof *t);

	t->loop = l;
	t->ms = ms;
	t->due = loop_now_ms() + ms;
	t->repeat = repeat;
	t->cb = cb;
	t->arg = arg;
	t->next = l->timers;
	l->timers = t;
	return t;
}

void
loop_timer_remove(struct loop_timer *t)
{
	if (t != NULL)
		t->dead = 1;
}

static void
loop_signal_handler(int signo)
{
	unsigned char c = (unsigned char)signo;
	int saved = errno;

	if (write(signal_pipe[1], &c, 1) < 0) {
		/* Pipe full: a signal of each kind is already pending. */
	}
	errno = saved;
}

static void
loop_signal_read(int fd, short revents, void *arg)
{
	struct loop *l = arg;
	unsigned char sigs[64];
	ssize_t n, i;

	(void)revents;
	while ((n = read(fd, sigs, sizeof sigs)) > 0) {
		for (i = 0; i < n; i++) {
			if (sigs[i] < LOOP_MAX_SIGNAL && l->signal_cb[sigs[i]] != NULL)
				l->signal_cb[sigs[i]](sigs[i], l->signal_arg[sigs[i]]);
		}
	}
}

void
loop_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg)
{
	struct sigaction sa;

	if (signo <= 0 || signo >= LOOP_MAX_SIGNAL)
		fatal("loop_signal: bad signal %d", signo);
	if (signal_pipe[0] == -1) {
		if (pipe2(signal_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
			fatal("pipe: %s", strerror(errno));
	}
	if (l->signal_io == NULL)
		l->signal_io = loop_io_add(l, signal_pipe[0], POLLIN, loop_signal_read, l);
	l->signal_cb[signo] = cb;
	l->signal_arg[signo] = arg;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = loop_signal_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(signo, &sa, NULL);
}

static int
loop_timeout(struct loop *l, int ms)
{
	struct loop_timer *t;
	long long now = loop_now_ms(), wait;

	for (t = l->timers; t != NULL; t = t->next) {
		if (t->dead)
			continue;
		wait = t->due > now ? t->due - now : 0;
		if (ms < 0 || wait < ms)
			ms = (int)wait;
	}
	return ms;
}

static void
loop_run_timers(struct loop *l)
{
	struct loop_timer *t;
	long long now = loop_now_ms();

	for (t = l->timers; t != NULL; t = t->next) {
		if (t->dead || t->due > now)
			continue;
		if (t->repeat) {
			t->due += t->ms;
			if (t->due <= now)
				t->due = now + t->ms;
		} else
			t->dead = 1;
		t->cb(t->arg);
	}
}

void
loop_once(struct loop *l, int ms)
{
	struct loop_io *io;
	size_t n = 0, i;
	int rc;

	loop_sweep(l);
	for (io = l->ios; io != NULL; io = io->next)
		n++;
	if (n > l->npfds) {
		l->pfds = xreallocarray(l->pfds, n, sizeof *l->pfds);
		l->pios = xreallocarray(l->pios, n, sizeof *l->pios);
	}
	l->npfds = n > l->npfds ? n : l->npfds;
	n = 0;
	for (io = l->ios; io != NULL; io = io->next) {
		l->pfds[n].fd = io->fd;
		l->pfds[n].events = io->events;
		l->pfds[n].revents = 0;
		l->pios[n++] = io;
	}
	rc = poll(l->pfds, n, loop_timeout(l, ms));
	if (rc < 0 && errno != EINTR)
		fatal("poll: %s", strerror(errno));
	for (i = 0; rc > 0 && i < n; i++) {
		io = l->pios[i];
		if (l->pfds[i].revents != 0 && !io->dead)
			io->cb(io->fd, l->pfds[i].revents, io->arg);
	}
	loop_run_timers(l);
	loop_sweep(l);
}

void
loop_run(struct loop *l)
{
	while (!l->stopped)
		loop_once(l, -1);
}
