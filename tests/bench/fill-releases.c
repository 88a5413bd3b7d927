/* SPDX-License-Identifier: ISC */
/* fill-releases DATA_DIR SEED N: a prompt repository with N releases of its assistant (and
   their rows in the store), plus one evaluated-less proposal by another user, for the
   approve and rollback benchmarks. The data dir must not be in use by a daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/git-dl.h"
#include "backend/proposal.h"
#include "backend/repo.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

static void
die(const char *what, const char *cause)
{
	fprintf(stderr, "fill-releases: %s: %s\n", what, cause != NULL ? cause : "failed");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct release_row r;
	struct repo_file f;
	struct repo *repo;
	sqlite3 *db;
	char *cause = NULL, *path, tag[64], to[64], head[REPO_ID_LEN + 1],
	    base[REPO_ID_LEN + 1], commit[REPO_ID_LEN + 1];
	long count, n;
	long long id;

	if (argc != 4 || (count = strtol(argv[3], NULL, 10)) < 2) {
		fprintf(stderr, "usage: fill-releases DATA_DIR SEED N (N >= 2)\n");
		return 2;
	}
	if (store_lock(argv[1], &cause) < 0 || (db = store_open(argv[1], 0, &cause)) == NULL)
		die("store", cause);
	path = xprintf("%s/prompts.git", argv[1]);
	if ((repo = repo_open(path, argv[2], "bench", NULL, &cause)) == NULL)
		die(path, cause);
	/* Setting up is not what is measured: no fsync for it. */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	memset(&r, 0, sizeof r);
	r.assistant = "support";
	r.author = "bench";
	r.pass_rate = -1;
	r.n = 1;
	r.tag = "release/support/1";
	r.commit = "";
	r.description = "the seed";
	if (store_begin(db, &cause) != 0 || release_add(db, &r, &cause) != 0)
		die("release 1", cause);
	f.name = "system.md";
	f.data = "You are a benchmark.\n";
	f.len = strlen(f.data);
	if (repo_propose(repo, "proposals/bench", "support", &f, 1, "bench\n\nProposal: 0\n",
	    "bench", head, base, &cause) != 0 ||
	    repo_release(repo, "proposals/bench", "release/support/2", "Release 2\n\nEval: none\n",
	    "bench", commit, &cause) != 0)
		die("release 2", cause);
	for (n = 2; n <= count; n++) {
		snprintf(tag, sizeof tag, "release/support/%ld", n);
		if (n > 2) {
			snprintf(to, sizeof to, "release/support/%ld", n % 2 + 1);
			if (repo_rollback(repo, "support", to, tag, "Rollback\n\nRestores: x\n",
			    "bench", commit, &cause) != 0)
				die(tag, cause);
		}
		r.n = n;
		r.tag = tag;
		r.commit = commit;
		r.created_at = time(NULL) - (count - n);
		r.description = n > 2 ? "roll back" : "benchmark release";
		r.rollback_of = n > 2 ? to : NULL;
		if (release_add(db, &r, &cause) != 0)
			die(tag, cause);
		if (n % 1000 == 0 && (store_commit(db, &cause) != 0 || store_begin(db, &cause) != 0))
			die("store", cause);
	}
	/* A proposal by somebody else, for an admin to approve with an override. */
	if ((id = proposal_create(db, "support", "benchmark proposal", "system.md", "someone",
	    time(NULL), &cause)) < 0)
		die("proposal", cause);
	snprintf(tag, sizeof tag, "proposals/%lld", id);
	f.data = "You are a benchmark, proposed.\n";
	f.len = strlen(f.data);
	if (repo_propose(repo, tag, "support", &f, 1, "proposed\n\nProposal: 1\n", "someone",
	    head, base, &cause) != 0 || proposal_set_commit(db, id, head, base, &cause) != 0 ||
	    store_commit(db, &cause) != 0)
		die("proposal", cause);
	repo_free(repo);
	store_close(db);
	free(path);
	return 0;
}
