/* SPDX-License-Identifier: ISC */
/*
 * Refused requests of one client: the first of a window is audited at once, the rest are
 * counted and written as one entry "denied xN" when the window ends or the client goes. A
 * client refused max_refusals times in a row is disconnected.
 */
#ifndef DENIALS_H
#define DENIALS_H

struct daemon;
struct identity;
struct loop_timer;
struct op;

#define DENIALS_OPS	8	/* distinct op names a summary entry lists */

struct denials {
	struct daemon	*d;
	const struct identity *who;	/* the client's: the entries' actor */
	struct loop_timer *timer;	/* ends the open window; NULL when none is open */
	long long	 since;		/* when the window opened (monotonic ms) */
	unsigned long	 count;		/* refusals in the window not audited yet */
	const char	*ops[DENIALS_OPS]; /* their op names (from the op table) */
	unsigned	 nops;
	unsigned long	 run;		/* refusals since the last allowed request */
};

/* Starts with no refusals, for a client of the daemon known as who. */
void	 denials_init(struct denials *, struct daemon *, const struct identity *who);
/* Records a refused request; returns 1 when the client has now been refused
   daemon.max_refusals times in a row and is to be disconnected. */
int	 denials_refused(struct denials *, const struct op *);
/* An allowed request ends the run of refusals. */
void	 denials_allowed(struct denials *);
/* Audits what the window counted and closes it (the client goes, the daemon stops). */
void	 denials_flush(struct denials *);

#endif
