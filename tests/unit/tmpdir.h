/* SPDX-License-Identifier: ISC */
/* A temporary directory per test, shared by the unit tests' setup and teardown. */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Creates /tmp/test-NAME.XXXXXX and writes its path to buf; returns 0 or -1. */
static inline int
tmpdir_make(char *buf, size_t len, const char *name)
{
	int	n;

	n = snprintf(buf, len, "/tmp/test-%s.XXXXXX", name);
	if (n < 0 || (size_t)n >= len)
		return -1;
	if (mkdtemp(buf) == NULL)
		return -1;
	return 0;
}

/* Removes the files in dir (it has no subdirectories) and dir; returns 0 or -1. */
static inline int
tmpdir_remove(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[512];
	int		 n, rc = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof path || unlink(path) != 0)
			rc = -1;
	}
	closedir(d);
	if (rmdir(dir) != 0)
		rc = -1;
	return rc;
}

#endif
