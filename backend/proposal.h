/* SPDX-License-Identifier: ISC */
/*
 * The records of prompt releases in the store: proposals with their state, evals with
 * their cases, and releases. The git repository (repo.c) holds the content; these rows say
 * who did what and when, and are what lists and pages are read from.
 */
#ifndef PROPOSAL_H
#define PROPOSAL_H

#include <sqlite3.h>
#include <time.h>

#include <cjson/cJSON.h>

/* A release as recorded. */
struct release_row {
	const char	*assistant;
	long long	 n;
	const char	*tag;
	const char	*commit;
	long long	 created_at;
	const char	*author;
	const char	*approver;	/* NULL for rollbacks and the seed */
	long long	 proposal;	/* 0: none */
	const char	*description;
	double		 pass_rate;	/* < 0: none */
	const char	*rollback_of;
	const char	*override;	/* the admin's reason for overriding the gate */
};

/* A new draft proposal; head and base follow once committed. Returns its id or -1. */
long long	 proposal_create(sqlite3 *, const char *assistant, const char *description,
		     const char *files, const char *author, time_t, char **cause);
int		 proposal_set_commit(sqlite3 *, long long, const char *head, const char *base,
		     char **cause);
/* One proposal with its latest eval (cases too when full), or NULL. */
cJSON		*proposal_get(sqlite3 *, long long, int full);
/* Open proposals (draft, evaluated) first, then the latest decided ones. */
cJSON		*proposal_list(sqlite3 *, int limit);
/* Moves a proposal to approved or rejected; fails unless it is draft or evaluated. */
int		 proposal_decide(sqlite3 *, long long, const char *state, const char *who,
		     time_t, const char *reason, const char *release, char **cause);

/* An eval begins: returns its id or -1. proposal 0 is production's baseline. */
long long	 proposal_eval_begin(sqlite3 *, long long proposal, const char *assistant,
		     const char *tree, const char *who, time_t, char **cause);
/* Records the result of eval_run, or the error that stopped it. */
int		 proposal_eval_finish(sqlite3 *, long long eval, const cJSON *result,
		     const char *error, time_t, char **cause);
/* A draft whose eval finished becomes evaluated (other states stay). */
int		 proposal_evaluated(sqlite3 *, long long proposal, char **cause);
/* The latest finished eval of an assistant's tree (its baseline), or NULL. */
cJSON		*proposal_eval_of_tree(sqlite3 *, const char *tree);
/* Evals left running by a daemon that stopped: marked interrupted. */
int		 proposal_eval_interrupted(sqlite3 *, char **);

/* The next release number of an assistant. */
long long	 release_next(sqlite3 *, const char *assistant);
int		 release_add(sqlite3 *, const struct release_row *, char **cause);
/* Whether a tag is recorded. */
int		 release_known(sqlite3 *, const char *tag);
/* One release by tag, or the latest of an assistant (tag NULL); NULL if none. */
cJSON		*release_get(sqlite3 *, const char *assistant, const char *tag);
/* The release before n, or NULL. */
cJSON		*release_before(sqlite3 *, const char *assistant, long long n);
/* Releases of an assistant (NULL: all), newest first, below number before (0: from the top). */
cJSON		*release_history(sqlite3 *, const char *assistant, long long before, int limit);
/* Every release tag recorded, as an array of *n new strings (the caller frees them). */
char		**release_tags(sqlite3 *, size_t *n);
/* Tags the configured remote was not seen to hold, oldest first (a JSON array of strings). */
cJSON		*release_unpushed(sqlite3 *);
long long	 release_unpushed_count(sqlite3 *);
/* Marks tags as held by the remote. */
int		 release_pushed(sqlite3 *, const cJSON *tags, char **);
/* Marks tags (NULL: all, for another remote) as not held by the remote. */
int		 release_unpushed_again(sqlite3 *, const cJSON *tags, char **);

#endif
