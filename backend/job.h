/* SPDX-License-Identifier: ISC */
/* Slow work off the event loop: a thread runs it, the loop gets the result. */
#ifndef JOB_H
#define JOB_H

struct loop;

typedef void (*job_work_cb)(void *arg);		/* on the job's thread */
typedef void (*job_done_cb)(void *arg);		/* back on the loop's thread */

void	job_start(struct loop *, job_work_cb, job_done_cb, void *);
/* Number of jobs started and not yet done. */
int	job_running(void);
/* Blocks until every running job has finished and its done callback ran. */
void	job_drain(void);

#endif
