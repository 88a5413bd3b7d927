/* SPDX-License-Identifier: ISC */
/*
 * Release policy for prompt proposals: who may approve (four eyes, an admin's stated override
 * of the eval gate), whether an eval clears the gate, how releases are numbered and named,
 * what a rollback may restore. Pure functions over plain values: no store, no repository,
 * no socket, so the rules are tested on their own (tests/unit/test-release.c).
 */
#ifndef RELEASE_H
#define RELEASE_H

#include <stddef.h>

#include "backend/authz.h"

/* An approval as policy sees it. */
struct release_approval {
	long long	 proposal;
	const char	*author;	/* who proposed it */
	const char	*approver;	/* who asks to approve it */
	enum role	 role;		/* the approver's */
	double		 pass_rate;	/* of its finished eval, 0..1; NAN: none finished */
	long long	 gate;		/* percent the eval must reach ([prompts] eval_gate) */
	const char	*override;	/* the stated reason to pass a failed gate, or NULL */
};

/* Whether a pass rate (0..1, NAN: no finished eval) reaches a gate in percent. */
int	release_gate_passed(double pass_rate, long long gate);
/* Checks four eyes and the gate. 0: it may be released, *overridden says whether the gate
   was passed by the override; -1: refused with *code (a protocol error code) and *cause. */
int	release_approve_check(const struct release_approval *, int *overridden,
	    const char **code, char **cause);
/* A rejection needs a reason that is not blank; -1 with *cause when it has none. */
int	release_reject_check(const char *reason, char **cause);
/* The eval trailer of a release: "none", or e.g. "95% (19 of 20 cases)". */
void	release_eval_text(char *buf, size_t len, double pass_rate, int passed, int cases);
/* The tag of release n of an assistant, "release/NAME/N" (a new string). */
char	*release_tag(const char *assistant, long long n);
/* The number a release gets after the latest one (0: none yet). */
long long release_number_after(long long latest);
/* Whether a tag names a release of the assistant. */
int	release_tag_of(const char *tag, const char *assistant);
/* Checks that a rollback changes something: -1 with *cause when production's tree of the
   assistant (cur) equals the tree of the release target (old) already. */
int	release_rollback_check(const char *assistant, const char *target, const char *cur,
	    const char *old, char **cause);

#endif
