/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/job.h"
#include "backend/loop.h"
#include "backend/xmalloc.h"

struct job {
	pthread_t	 thread;
	job_work_cb	 work;
	job_done_cb	 done;
	void		*arg;
};

/* Finished jobs are announced by pointer through this pipe. */
static int		 job_pipe[2] = { -1, -1 };
static struct loop_io	*job_io;
static int		 job_count;

static void *
job_main(void *p)
{
	struct job *j = p;

	j->work(j->arg);
	if (write(job_pipe[1], &j, sizeof j) != sizeof j)
		fatal("job: cannot report completion: %s", strerror(errno));
	return NULL;
}

static void
job_finish(struct job *j)
{
	pthread_join(j->thread, NULL);
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

void
job_start(struct loop *l, job_work_cb work, job_done_cb done, void *arg)
{
	struct job *j = xcalloc(1, sizeof *j);
	int rc;

	if (job_pipe[0] == -1) {
		if (pipe2(job_pipe, O_CLOEXEC) != 0 ||
		    fcntl(job_pipe[0], F_SETFL, O_NONBLOCK) != 0)
			fatal("job: pipe: %s", strerror(errno));
	}
	if (job_io == NULL)
		job_io = loop_io_add(l, job_pipe[0], POLLIN, job_read, NULL);
	j->work = work;
	j->done = done;
	j->arg = arg;
	if ((rc = pthread_create(&j->thread, NULL, job_main, j)) != 0)
		fatal("job: cannot start a thread: %s", strerror(rc));
	job_count++;
}

int
job_running(void)
{
	return job_count;
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
