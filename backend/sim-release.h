/* SPDX-License-Identifier: ISC */
/*
 * What `leitstand sim serve --prompts` deploys, the way a deployment would: its own clone of
 * the prompt repository in a private temporary directory, fetched with libgit2 every interval
 * (production and the assistant's release tags), and production's system prompt and pinned
 * model. A release that cannot be fetched or read keeps the last good one being served;
 * so does one whose tag's signature does not verify, when allowed signers are given.
 */
#ifndef SIM_RELEASE_H
#define SIM_RELEASE_H

#include <cjson/cJSON.h>

#include "backend/repo.h"

struct buf;
struct sim_release;

/* A release as production holds it. */
struct sim_release_info {
	char		*release;	/* "3", or "unreleased": no release tag is production */
	char		*tag;		/* "release/support/3"; NULL when unreleased */
	char		 commit[REPO_ID_LEN + 1];
	char		*model;		/* model.ini's [model] id */
	long		 max_tokens;	/* <= 0: not set */
	char		*system;	/* system.md */
	char		*signer;	/* the principal whose signature verified, or NULL */

	/* The canary (refs/heads/canary/NAME), when one is served: weight 0 when none. */
	int		 canary_weight;
	char		*canary;	/* its release label value, rollout.ini's release */
	char		 canary_commit[REPO_ID_LEN + 1];
	char		*canary_model;
	long		 canary_max_tokens;
	char		*canary_system;
	char		*canary_refused;	/* why the repository's canary is not served */
	char		*canary_signer;		/* whose signature on it verified, or NULL */
};

/* Called when the release served changes, from the thread that fetched it. */
typedef void	(*sim_release_cb)(void *arg, const struct sim_release_info *);

/* Clones url into a new private directory, fetches it once and then every interval seconds
   on a thread of its own, each fetch stopped after timeout seconds; cb sees each release to
   serve (the first one before this returns, if the first fetch works). With signers (git's
   allowed signers file), only a release whose tag verifies against it as `git verify-tag`
   with gpg.format=ssh would is served: anything else is refused, logged and reported, and
   the last good release stays. NULL with *cause when libgit2 or the directory is missing. */
struct sim_release *sim_release_start(const char *url, const char *assistant, double interval,
		    long long timeout, const char *signers, sim_release_cb cb, void *arg,
		    char **cause);
/* Stops the thread, removes the clone, frees everything. */
void		 sim_release_stop(struct sim_release *);
/* The fetch gauges in the Prometheus text format, appended to a buffer. */
void		 sim_release_metrics(struct sim_release *, struct buf *);
/* The release served and the last fetch as a JSON object; the caller deletes it. */
cJSON		*sim_release_status(struct sim_release *);
/* Whether an assistant name is one the repository can hold (letters, digits, . _ -). */
int		 sim_release_valid_assistant(const char *);

#endif
