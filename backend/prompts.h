/* SPDX-License-Identifier: ISC */
/*
 * Prompt releases in the daemon: the repository opened at start and its releases recorded,
 * the files a proposal may change and their checks, evals on job threads with progress, and
 * pushes to the remote with retries.
 */
#ifndef PROMPTS_H
#define PROMPTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "backend/repo.h"

struct daemon;
struct repo;

/* The files of an assistant a proposal may change. */
extern const char *const prompts_files[];

/* The pinned model of an assistant (model.ini). */
struct model_ini {
	char		*id;
	double		 temperature;	/* < 0: not set */
	long		 max_tokens;	/* <= 0: not set */
	char		*endpoint;
};

/* Opens (or creates and seeds) the repository and records releases it holds that the store
   does not know (the seed, an imported repository, a release a crash left unrecorded).
   Failure leaves prompt ops unavailable with the reason; the daemon runs on. */
void	prompts_start(struct daemon *);
/* Signs release tags with [prompts] signing_key from now on (after a config reload); an
   empty one leaves them unsigned. */
void	prompts_signing(struct daemon *);
/* How release tags are signed, for replies: {"signed": false}, or {"signed": true,
   "format": "ssh", "key": PATH}. */
cJSON	*prompts_signing_state(void);
/* The repository, or NULL with why there is none in *error. */
struct repo *prompts_repo(const char **error);
/* Asks running evals to stop early and stops a push in flight (the daemon is stopping;
   before job_drain). */
void	prompts_cancel(void);
void	prompts_stop(void);
/* Checks a proposed file; -1 with *cause saying what is wrong and where. */
int	prompts_check_file(const char *name, const char *data, size_t len, char **cause);
int	model_ini_parse(const char *text, struct model_ini *, char **cause);
void	model_ini_free(struct model_ini *);
/* Told once an eval ends: the proposal as it is then (owned), or why its results could not
   be recorded. */
typedef void (*prompts_eval_cb)(void *arg, cJSON *proposal, const char *error);
/* Starts an eval of a proposal (and of production's baseline when it has none); answer (may
   be NULL) is called once it ends, unless it does not start. */
int	prompts_eval_start(struct daemon *, long long proposal, const char *who,
	    prompts_eval_cb answer, void *arg, const char **code, char **cause);
/* Whether an eval of the proposal is running; done/total runs so far when it is. */
int	prompts_eval_running(long long proposal, int *done, int *total);
/* A release made of a proposal. */
struct prompts_released {
	char		*tag;			/* new string */
	char		 commit[REPO_ID_LEN + 1];
	char		 eval[64];		/* the Eval trailer */
};
struct trailer;
/* Releases an approved proposal (the checks of release.h passed): the next release number,
   its tag with the trailers (and extra ones, e.g. a canary's analysis), production moved,
   the release and the decision recorded (inside the caller's transaction). REPO_OK, or a
   REPO_* code with *cause. */
int	prompts_release(struct daemon *, const cJSON *proposal, const char *approver,
	    const char *override, const struct trailer *extra, size_t nextra,
	    struct prompts_released *, char **cause);
/* Makes the remote whole when one is configured: production and every release tag it
   lacks. A request while a push runs is carried out when it ends; a failure is tried
   again every push_retry. Call it after every release and whenever the remote may change. */
void	prompts_push(struct daemon *);
/* The push state for replies (remote, pending, production, running, since, age, error), or
   NULL without a remote. */
cJSON	*prompts_push_state(struct daemon *);
/* A status warning when a push failed or takes long, e.g. "prompt push to URL failed: 2
   releases not pushed for 3m 10s; last error: ..." (a new string), else NULL. */
char	*prompts_push_warning(struct daemon *);

#endif
