/* SPDX-License-Identifier: ISC */
/* File system paths: the directory of a path, creating directories. */
#ifndef PATH_H
#define PATH_H

#include <sys/types.h>

/* The directory part of a path as a new string: "/a/b" for "/a/b/c", "." for "c". */
char	*path_dir(const char *);
/* mkdir -p: creates each missing directory with mode; returns 0 or -1 with errno. */
int	 path_mkdirs(const char *, mode_t);

#endif
