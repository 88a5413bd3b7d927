/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/job.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/xmalloc.h"

struct job {
	struct job	*next;
	enum job_kind	 kind;
	job_work_cb	 work;
	job_done_cb	 done;
	void		*arg;
};

/* One kind's workers and queue; the queue and counts are under job_lock. */
struct lane {
	const char	*what;		/* plural, for the error a full queue gives */
	int		 workers;	/* threads it asks for */
	int		 queue;		/* jobs that may wait beyond those running */
	pthread_t	*threads;
	int		 started;
	struct job	*head, **tail;
	int		 waiting, running;
	pthread_cond_t	 cond;
};

/*
 * Evals and pushes run long; verifications and ticket exports come in bursts from clients;
 * pushes and Alertmanager reads are one at a time by design, so one worker and a short queue
 * each is all they need, and no other kind can take it from them. Notifications wait on
 * mail servers and webhooks for up to a timeout each: a few workers, so one that stalls
 * does not hold up the page to the next person, and a queue an incident storm fits in.
 * A read of the feedback feed is asked for by a person and waits up to its timeout: one
 * worker of its own, so a feed that hangs holds up nothing else.
 */
static struct lane lanes[JOB_KINDS] = {
	[JOB_VERIFY] = { .what = "audit verifications", .workers = 2, .queue = 8 },
	[JOB_SIM] = { .what = "simulator profile switches", .workers = 1, .queue = 4 },
	[JOB_TICKET] = { .what = "ticket exports", .workers = 2, .queue = 16 },
	[JOB_EVAL] = { .what = "evals", .workers = 2, .queue = 8 },
	[JOB_PUSH] = { .what = "pushes", .workers = 1, .queue = 2 },
	[JOB_ALERTS] = { .what = "Alertmanager reads", .workers = 1, .queue = 2 },
	[JOB_NOTIFY] = { .what = "notifications", .workers = 3, .queue = 64 },
	[JOB_FEEDBACK] = { .what = "reads of the feedback feed", .workers = 1, .queue = 4 },
};

static pthread_mutex_t	 job_lock = PTHREAD_MUTEX_INITIALIZER;
static int		 job_stopping;
/* Finished jobs are announced by pointer through this pipe. */
static int		 job_pipe[2] = { -1, -1 };
static struct loop_io	*job_io;
/* Queued or running, not yet done: the loop's thread only. */
static int		 job_count;

static void *
job_main(void *p)
{
	struct lane *l = p;
	struct job *j;

	pthread_mutex_lock(&job_lock);
	for (;;) {
		while (l->head == NULL && !job_stopping)
			pthread_cond_wait(&l->cond, &job_lock);
		if ((j = l->head) == NULL)
			break;
		if ((l->head = j->next) == NULL)
			l->tail = &l->head;
		l->waiting--;
		l->running++;
		pthread_mutex_unlock(&job_lock);
		j->work(j->arg);
		if (write(job_pipe[1], &j, sizeof j) != sizeof j)
			fatal("job: cannot report completion: %s", strerror(errno));
		pthread_mutex_lock(&job_lock);
		l->running--;
	}
	pthread_mutex_unlock(&job_lock);
	return NULL;
}

static void
job_finish(struct job *j)
{
	job_count--;
	j->done(j->arg);
	free(j);
}

static void
job_read(int fd, short revents, void *arg)
{
	struct job *j;

	(void)revents;
	(void)arg;
	while (read(fd, &j, sizeof j) == sizeof j)
		job_finish(j);
}

int
job_pool_start(struct loop *loop, char **cause)
{
	sigset_t all, old;
	struct lane *l;
	int k, pass, rc = 0, err = 0;

	if (pipe2(job_pipe, O_CLOEXEC) != 0 || fcntl(job_pipe[0], F_SETFL, O_NONBLOCK) != 0) {
		*cause = xprintf("worker pool: pipe: %s", strerror(errno));
		return -1;
	}
	job_io = loop_io_add(loop, job_pipe[0], POLLIN, job_read, NULL);
	job_stopping = 0;
	for (k = 0; k < JOB_KINDS; k++) {
		l = &lanes[k];
		l->head = NULL;
		l->tail = &l->head;
		l->waiting = l->running = l->started = 0;
		pthread_cond_init(&l->cond, NULL);
		l->threads = xcalloc((size_t)l->workers, sizeof *l->threads);
	}
	/* Signals are the loop's: workers never take one. One worker for every kind first,
	   then the others, so a task limit leaves every kind at least one. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		for (k = 0; k < JOB_KINDS; k++) {
			l = &lanes[k];
			while (l->started < (pass == 0 ? 1 : l->workers) &&
			    (err = pthread_create(&l->threads[l->started], NULL, job_main,
			    l)) == 0)
				l->started++;
			if (l->started == 0) {
				*cause = xprintf("cannot start a worker thread for %s: %s (a limit "
				    "on tasks? see ulimit -u, or TasksMax of the service)", l->what,
				    strerror(err));
				rc = -1;
				break;
			}
			if (pass == 1 && l->started < l->workers)
				log_debug("worker pool: %d of %d threads for %s: %s", l->started,
				    l->workers, l->what, strerror(err));
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		job_pool_stop();
	return rc;
}

/* Under job_lock. */
static int
lane_full(const struct lane *l, char **cause)
{
	if (l->threads == NULL || job_stopping) {
		*cause = xprintf("%s cannot start: the daemon is shutting down", l->what);
		return 1;
	}
	if (l->waiting < l->queue)
		return 0;
	*cause = xprintf("%d %s are queued or running; try again in a few seconds",
	    l->waiting + l->running, l->what);
	return 1;
}

int
job_full(enum job_kind kind, char **cause)
{
	int full;

	pthread_mutex_lock(&job_lock);
	full = lane_full(&lanes[kind], cause);
	pthread_mutex_unlock(&job_lock);
	return full ? -1 : 0;
}

int
job_start(enum job_kind kind, job_work_cb work, job_done_cb done, void *arg, char **cause)
{
	struct lane *l = &lanes[kind];
	struct job *j;

	pthread_mutex_lock(&job_lock);
	if (lane_full(l, cause)) {
		pthread_mutex_unlock(&job_lock);
		return -1;
	}
	j = xcalloc(1, sizeof *j);
	j->kind = kind;
	j->work = work;
	j->done = done;
	j->arg = arg;
	*l->tail = j;
	l->tail = &j->next;
	l->waiting++;
	job_count++;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&job_lock);
	return 0;
}

int
job_pending(void)
{
	return job_count;
}

int
job_workers(void)
{
	int k, n = 0;

	for (k = 0; k < JOB_KINDS; k++)
		n += lanes[k].started;
	return n;
}

void
job_drain(void)
{
	struct pollfd pfd;
	struct job *j;

	while (job_count > 0) {
		pfd.fd = job_pipe[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			fatal("job: poll: %s", strerror(errno));
		while (read(job_pipe[0], &j, sizeof j) == sizeof j)
			job_finish(j);
	}
}

void
job_pool_stop(void)
{
	struct lane *l;
	int k, i;

	if (job_pipe[0] == -1)
		return;
	job_drain();
	pthread_mutex_lock(&job_lock);
	job_stopping = 1;
	for (k = 0; k < JOB_KINDS; k++)
		pthread_cond_broadcast(&lanes[k].cond);
	pthread_mutex_unlock(&job_lock);
	for (k = 0; k < JOB_KINDS; k++) {
		l = &lanes[k];
		for (i = 0; i < l->started; i++)
			pthread_join(l->threads[i], NULL);
		if (l->threads != NULL)
			pthread_cond_destroy(&l->cond);
		free(l->threads);
		l->threads = NULL;
		l->started = 0;
	}
	loop_io_remove(job_io);
	job_io = NULL;
	close(job_pipe[0]);
	close(job_pipe[1]);
	job_pipe[0] = job_pipe[1] = -1;
}
