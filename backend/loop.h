/* SPDX-License-Identifier: ISC */
/* The one event loop of a process: file descriptors, timers and signals on poll(). */
#ifndef LOOP_H
#define LOOP_H

#include <poll.h>

struct loop;
struct loop_io;
struct loop_timer;

typedef void (*loop_io_cb)(int fd, short revents, void *arg);
typedef void (*loop_timer_cb)(void *arg);
typedef void (*loop_signal_cb)(int signo, void *arg);

struct loop	*loop_create(void);
void		 loop_free(struct loop *);
/* Runs until loop_stop(); returns at once if stopped already. */
void		 loop_run(struct loop *);
void		 loop_stop(struct loop *);
int		 loop_stopped(struct loop *);
/* Runs one iteration waiting at most ms milliseconds (-1: until something happens). */
void		 loop_once(struct loop *, int ms);

struct loop_io	*loop_io_add(struct loop *, int fd, short events, loop_io_cb, void *);
void		 loop_io_events(struct loop_io *, short events);
/* Safe to call from inside a callback, also for the io being dispatched. */
void		 loop_io_remove(struct loop_io *);

/* Calls cb after ms milliseconds, and every ms milliseconds if repeat is set. */
struct loop_timer *loop_timer_add(struct loop *, long ms, int repeat, loop_timer_cb, void *);
void		 loop_timer_remove(struct loop_timer *);

/* Delivers signo to cb from the loop, not from the signal handler. */
void		 loop_signal(struct loop *, int signo, loop_signal_cb, void *);
/* Milliseconds on the monotonic clock. */
long long	 loop_now_ms(void);

#endif
