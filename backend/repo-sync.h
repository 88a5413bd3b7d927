/* SPDX-License-Identifier: ISC */
/*
 * repo_sync and repo_fetch_release (repo.h) in a child process that can be killed: a remote
 * that accepts the connection and then never answers must end in an error after a timeout,
 * and must not keep the daemon (or the simulator) from stopping.
 */
#ifndef REPO_SYNC_H
#define REPO_SYNC_H

#include <stddef.h>

struct repo_sync;

/* The internal subcommand the child runs; never shown in `leitstand help`. */
#define REPO_SYNC_COMMAND	"_repo-sync"

/* As repo_sync, run in a child process given at most timeout seconds (and stopped at once
   by repo_sync_cancel). Blocks: call it off the event loop. */
int	repo_sync_run(const char *path, const char *remote, const char *const *releases,
	    size_t n, long long timeout, struct repo_sync *, char **cause);
/* Fetches production and the assistant's release tags from url into the private clone at
   dir (repo_fetch_release, repo.h) in a child process given at most timeout seconds. 0, or
   -1 with *cause. Blocks. */
int	repo_sync_fetch(const char *dir, const char *url, const char *assistant,
	    long long timeout, char **cause);
/* Makes every running and later repo_sync_run and repo_sync_fetch stop its child and fail at once (for the
   rest of the process's life: called when the daemon stops). */
void	repo_sync_cancel(void);
/* The remote as shown and recorded (status, audit, log): the password in its URL, or an
   http(s) URL's user standing alone (a token), replaced by "[redacted]". A new string. */
char	*repo_sync_shown(const char *remote);
/* text (which it frees) with the remote's credentials replaced by "[redacted]". */
char	*repo_sync_scrub(char *text, const char *remote);
/* The child's side: reads the request on stdin, syncs, writes the result on stdout. */
int	repo_sync_child(void);

#endif
