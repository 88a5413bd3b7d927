/* SPDX-License-Identifier: ISC */
/* Paths that must be our own: private directories, a repository no one else can write, and
   files created or appended to without following another user's symlinks. */
#ifndef PRIVATE_H
#define PRIVATE_H

#include <sys/types.h>

/*
 * Checks (lstat, no symlink followed) that DIR is a directory owned by the effective user and
 * not writable by group or others; WHAT names it in the error ("data dir"). With tighten, a
 * directory that is merely readable by others is made mode (0700 or 0750) and the regular
 * files directly in it lose their group and other bits — only when it holds nothing but
 * Leitstand's own files (private_dedicated), else it is refused. Returns 0, or -1 with a
 * cause.
 */
int	 private_dir(const char *what, const char *dir, mode_t mode, int tighten,
	     char **cause);
/* Whether dir holds only what Leitstand keeps in its own directories (its mode may be
   changed then). */
int	 private_dedicated(const char *dir);
/* private_dir after creating DIR (and its parents) with mode if missing; the directory
   holding DIR must not let others replace it (writable by group or others only if sticky). */
int	 private_mkdir(const char *what, const char *dir, mode_t mode, char **cause);
/*
 * Checks a tree (a git repository) that may not exist yet: when it does, every entry in it is
 * owned by us and nothing but symlinks is writable by group or others; its parent directory
 * must not let others replace it (writable by group or others only with the sticky bit).
 */
int	 private_tree(const char *what, const char *dir, char **cause);
/*
 * Creates a new file for NAME ("incident-3.md") with O_NOFOLLOW|O_CREAT|O_EXCL and mode; when
 * the name is taken, NAME-1, NAME-2 ... before the extension. Never opens an existing file.
 * Returns the fd and the name used in *used, or -1 with a cause.
 */
int	 private_create(const char *name, mode_t mode, char **used, char **cause);
/* Opens PATH for appending, creating it with mode; refuses a symlink, anything but a
   regular file, and a file owned by another user. Returns the fd or -1 with a cause. */
int	 private_append(const char *path, mode_t mode, char **cause);
/* Replaces PATH with TEXT through a new temporary file in its directory and rename(2): a
   symlink or file planted at PATH is replaced, never followed. */
int	 private_replace(const char *path, const char *text, char **cause);
/* The user's name for a uid ("mallory"), or "unknown user"; a static buffer. */
const char *private_user(uid_t);

#endif
