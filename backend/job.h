/* SPDX-License-Identifier: ISC */
/*
 * Slow work off the event loop: a fixed pool of worker threads, started with the daemon, and
 * a bounded queue per kind of job. Each kind has workers of its own, so a flood of one kind
 * (audit verifications) never delays another (a push, a read of Alertmanager), and a full
 * queue is an error the caller answers, never a new thread.
 */
#ifndef JOB_H
#define JOB_H

struct loop;

enum job_kind {
	JOB_VERIFY,		/* audit.verify */
	JOB_SIM,		/* sim.profile */
	JOB_TICKET,		/* incident.ticket and its retries */
	JOB_EVAL,		/* prompt.eval */
	JOB_PUSH,		/* pushes of the prompt repository */
	JOB_ALERTS,		/* reads of Alertmanager */
	JOB_NOTIFY,		/* notifications to people: e-mail, webhooks, the hook */
	JOB_FEEDBACK,		/* reads of the negative feedback feed */
	JOB_KINDS
};

typedef void (*job_work_cb)(void *arg);		/* on a worker thread */
typedef void (*job_done_cb)(void *arg);		/* back on the loop's thread */

/* Starts every kind's worker threads. A kind that gets fewer than it asks for works with
   those; -1 with *cause when a kind gets none (a task limit reached). */
int	job_pool_start(struct loop *, char **cause);
/* Whether a job of the kind would be refused now: -1 with *cause saying how many wait. */
int	job_full(enum job_kind, char **cause);
/* Queues work; done runs on the loop when it has finished. -1 with *cause ("8 audit
   verifications are queued or running; try again in a few seconds") when the kind's queue is
   full or the pool is not running: then nothing runs. */
int	job_start(enum job_kind, job_work_cb, job_done_cb, void *, char **cause);
/* Jobs queued or running, all kinds. */
int	job_pending(void);
/* Worker threads running, all kinds. */
int	job_workers(void);
/* Blocks until every queued and running job has finished and its done callback ran. */
void	job_drain(void);
/* Drains, then ends the worker threads. */
void	job_pool_stop(void);

#endif
