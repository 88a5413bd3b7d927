/* SPDX-License-Identifier: ISC */
/*
 * Canary rollouts in the daemon. An approval may release a proposal as a canary: the
 * repository gets refs/heads/canary/ASSISTANT (production with the proposal's files and a
 * rollout.ini naming the weight and the release label), which deployments serve to weight
 * percent of conversations. Each interval the canary's KPIs are judged against
 * production's over the same window (rollout-policy.h), through the poller's shared query
 * budget: every check passed moves it a step (at 100 % it is released as usual, with the
 * analysis in the tag's trailers); missing data holds it; threshold failed analyses roll it
 * back as the daemon, with an incident and a notice. The state is in the store, so a
 * restarted daemon goes on where it was.
 */
#ifndef ROLLOUT_H
#define ROLLOUT_H

#include <cjson/cJSON.h>

#include "backend/rollout-policy.h"

struct daemon;
struct op_ctx;

/* Makes the canary branches match the live rollouts and starts the analysis timer. */
void	rollout_start(struct daemon *);
void	rollout_stop(struct daemon *);
/* The policy an approval asks for: the assistant's ([rollout.NAME] or [rollout]) with the
   op's steps, interval and threshold. -1 with *code and *cause. */
int	rollout_policy_args(struct op_ctx *, const char *assistant, struct rollout_policy *,
	    const char **code, char **cause);
/* Begins a canary of a proposal the approval checks passed, inside the op's transaction:
   its branch at the first step and its row. -1 with *code and *cause (one runs already). */
int	rollout_begin(struct daemon *, const cJSON *proposal, const char *approver,
	    const char *override, const struct rollout_policy *, long long *id,
	    const char **code, char **cause);
/* REPO_CONFLICT with *cause while a canary of the assistant is live (a release or a
   rollback would move production under it), else 0. */
int	rollout_refuses(struct daemon *, const char *assistant, char **cause);
/* Whether a proposal is the candidate of a live canary. */
int	rollout_of_proposal(struct daemon *, long long proposal);
/* The live rollout of an assistant for the Prompts view and status (a new object), or
   NULL. */
cJSON	*rollout_json(struct daemon *, const char *assistant);

/* After a write op that moved production: push it. */
void	rollout_push_committed(struct op_ctx *);
/* Queries the analyses have sent so far. */
unsigned long rollout_queries(void);

#endif
