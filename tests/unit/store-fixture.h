/* SPDX-License-Identifier: ISC */
/* A fresh store in a temporary directory for each test: cmocka setup and teardown. */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "backend/store.h"

#include "tmpdir.h"

struct fixture {
	char	 dir[64];
	sqlite3	*db;
};

static int
setup(void **state)
{
	struct fixture	*fx;
	char		*cause = NULL;

	if ((fx = calloc(1, sizeof *fx)) == NULL)
		return -1;
	if (tmpdir_make(fx->dir, sizeof fx->dir, "store") != 0) {
		free(fx);
		return -1;
	}
	if ((fx->db = store_open(fx->dir, 0, &cause)) == NULL) {
		fprintf(stderr, "store_open: %s\n", cause);
		free(cause);
		tmpdir_remove(fx->dir);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* Closes the store and removes the directory with its files. */
static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 rc;

	store_close(fx->db);
	rc = tmpdir_remove(fx->dir);
	free(fx);
	return rc;
}

#endif
