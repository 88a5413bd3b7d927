/* SPDX-License-Identifier: ISC */
/*
 * The prompt repository, through libgit2 only: a bare repository whose trees are built in
 * memory (no index, so no index.lock left by a crash), objects and refs fsynced. Layout:
 * assistants/NAME/{system.md,model.ini,evals.jsonl}; refs/heads/production is live,
 * refs/heads/proposals/N a proposal, refs/tags/release/NAME/N a release. Refs move by
 * compare-and-swap: whoever moved one first wins, the other gets REPO_CONFLICT.
 */
#ifndef REPO_H
#define REPO_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define REPO_ID_LEN	40		/* a SHA-1 object id in hex */

enum {
	REPO_OK		= 0,
	REPO_ERROR	= -1,
	REPO_CONFLICT	= -2,		/* a ref moved meanwhile, or a merge conflicts */
	REPO_NOT_FOUND	= -3
};

struct repo;

/* A file of an assistant: its name in the assistant's directory and its bytes. */
struct repo_file {
	const char	*name;
	const char	*data;
	size_t		 len;
};

/* Opens the repository at path; creates it and seeds production from seed/assistants/ with
   release 1 of each assistant when there is none. who names the seeding commit's author;
   key, unless NULL or empty, signs release tags (repo_set_signing_key). */
struct repo	*repo_open(const char *path, const char *seed, const char *who, const char *key,
		     char **cause);
void		 repo_free(struct repo *);
/* The OpenSSH private key that signs release tags from now on (sshsig.h: the tag as
   `git tag -s` with gpg.format=ssh makes it); NULL or empty: tags are not signed. */
void		 repo_set_signing_key(struct repo *, const char *key);
/* The key release tags are signed with, or NULL. */
const char	*repo_signing_key(const struct repo *);
/* The assistants at production, by name, as a JSON array of strings. */
cJSON		*repo_assistants(struct repo *, char **cause);
/* The commit a revision names: production, proposals/N, release/NAME/N or an object id. */
int		 repo_resolve(struct repo *, const char *rev, char id[REPO_ID_LEN + 1],
		     char **cause);
/* The id of assistants/NAME at a revision (the assistant's whole state). */
int		 repo_subtree(struct repo *, const char *rev, const char *assistant,
		     char id[REPO_ID_LEN + 1], char **cause);
/* A file of an assistant at a revision, NUL-terminated (a new buffer). */
char		*repo_read(struct repo *, const char *rev, const char *assistant,
		     const char *file, size_t *len, char **cause);
/* Commits files over production's version of the assistant on the branch (replacing one a
   crash left); the commit and the production commit it is based on are returned. */
int		 repo_propose(struct repo *, const char *branch, const char *assistant,
		     const struct repo_file *, size_t n, const char *message, const char *who,
		     char head[REPO_ID_LEN + 1], char base[REPO_ID_LEN + 1], char **cause);
/* A canary's commit as repo_propose makes a proposal's, on the branch (replacing what it
   held), signed as `git commit -S` with gpg.format=ssh does when a signing key is set. */
int		 repo_canary(struct repo *, const char *branch, const char *assistant,
		     const struct repo_file *, size_t n, const char *message, const char *who,
		     char head[REPO_ID_LEN + 1], char **cause);
/* Unified diff between two revisions, limited to one assistant unless NULL (a new string). */
char		*repo_diff(struct repo *, const char *from, const char *to,
		     const char *assistant, char **cause);
/* Releases a proposal: a merge commit of head into production (conflicts: REPO_CONFLICT),
   the annotated tag (signed when a key is set: a signature that fails writes no tag and
   releases nothing), then production moved by compare-and-swap. */
int		 repo_release(struct repo *, const char *head, const char *tag,
		     const char *message, const char *who, char commit[REPO_ID_LEN + 1],
		     char **cause);
/* A new production commit whose assistant directory equals the one at release `to`, tagged
   `tag`; history is never rewritten. */
int		 repo_rollback(struct repo *, const char *assistant, const char *to,
		     const char *tag, const char *message, const char *who,
		     char commit[REPO_ID_LEN + 1], char **cause);
/* Whether production holds a commit (is it or descends from it). */
int		 repo_in_production(struct repo *, const char *commit);
/* Removes a release tag (one a crash left before production moved). */
void		 repo_drop_tag(struct repo *, const char *tag);
/* Removes a branch (a canary that ended); nothing when there is none. */
void		 repo_drop_branch(struct repo *, const char *branch);
/* Every release tag: name, commit, tag time, tagger and message. */
typedef void	(*repo_tag_cb)(void *, const char *tag, const char *commit, long long time,
		     const char *tagger, const char *message);
int		 repo_tags(struct repo *, repo_tag_cb, void *, char **cause);
/* What a remote holds after repo_sync, as names of refs without "refs/tags/". */
struct repo_sync {
	char		**present;	/* release tags the remote has as we do, sorted */
	size_t		  npresent;
	char		**missing;	/* release tags it still lacks (or holds otherwise), sorted */
	size_t		  nmissing;
	char		**pushed;	/* refs this sync pushed (full names) */
	size_t		  npushed;
	int		  reached;	/* 0: the remote was not reached, nothing is known */
	int		  production;	/* 1: the remote's production is ours */
};

/* Makes a remote whole: connects (opening its own handle, so any thread may call it), lists
   the remote's refs and pushes production and each of the n release tags it lacks; a local
   remote's unborn HEAD is pointed at production. 0 when the remote holds everything, else
   -1 with *cause; the result says what it holds either way, once it was reached. */
int		 repo_sync(const char *path, const char *remote, const char *const *releases,
		     size_t n, struct repo_sync *, char **cause);
void		 repo_sync_clear(struct repo_sync *);
/* Fetches production and the assistant's release tags (forced, pruned: the remote decides)
   from url into the bare repository at dir, a private clone only this caller fetches into.
   0, or -1 with *cause. */
int		 repo_fetch_release(const char *dir, const char *url, const char *assistant,
		     char **cause);
/* Whether a git:// remote accepts a connection (0; other URLs always), else -1 and *cause:
   call it before libgit2 connects, which leaks when git:// is refused. */
int		 repo_reachable(const char *remote, char **cause);

#endif
