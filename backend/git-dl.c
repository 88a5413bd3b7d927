/* SPDX-License-Identifier: ISC */
#include <pthread.h>
#include <stddef.h>

#include "backend/dl.h"
#include "backend/git-dl.h"
#include "backend/xmalloc.h"

struct git_dl git_dl;

static const struct dl_symbol git_dl_symbols[] = {
#define X(f)	{ "git_" #f, offsetof(struct git_dl, f) },
	GIT_DL_FUNCTIONS
#undef X
};

static pthread_once_t	 git_dl_once = PTHREAD_ONCE_INIT;
static char		*git_dl_error;

/*
 * libgit2 changes its ABI with every minor version (1.7 added a field to git_fetch_options,
 * whose _init copies the library's size of it), so the library loaded is the one of the
 * headers this was built against: LIBGIT2_SOVERSION, e.g. 1.5 on Debian 12, 1.9 on 13.
 */
static const char *const git_dl_sonames[] = { "libgit2.so." LIBGIT2_SOVERSION, NULL };

static void
git_dl_open(void)
{
	if (dl_open(git_dl_sonames, "libgit2-" LIBGIT2_SOVERSION, git_dl_symbols,
	    sizeof git_dl_symbols / sizeof git_dl_symbols[0], &git_dl, &git_dl_error) != 0)
		return;
	if (git_dl.libgit2_init() < 0) {
		git_dl_error = xstrdup("git_libgit2_init failed");
		return;
	}
	/* A power loss must never leave a ref pointing at objects not on disk. */
	git_dl.libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
}

int
git_dl_load(char **cause)
{
	pthread_once(&git_dl_once, git_dl_open);
	if (git_dl_error != NULL) {
		*cause = xstrdup(git_dl_error);
		return -1;
	}
	return 0;
}

char *
git_dl_cause(const char *what)
{
	const git_error *e = git_dl.error_last();

	return xprintf("%s: %s", what, e != NULL && e->message != NULL ? e->message :
	    "unknown error");
}
