/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/path.h"
#include "backend/private.h"
#include "backend/xmalloc.h"

#define PRIVATE_MAX_DEPTH	32	/* a git repository is 4 or 5 deep */
#define PRIVATE_MAX_SUFFIX	1000

const char *
private_user(uid_t uid)
{
	static char name[64];
	struct passwd pw, *p = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof buf, &p) != 0 || p == NULL)
		return "unknown user";
	snprintf(name, sizeof name, "%s", p->pw_name);
	return name;
}

/* The same complaint for every path that is someone else's. */
static char *
private_not_ours(const char *what, const char *path, uid_t uid)
{
	return xprintf("%s %s belongs to uid %ld (%s), not to you (uid %ld): someone else "
	    "created it; refusing to use it. Remove it or choose another path", what, path,
	    (long)uid, private_user(uid), (long)geteuid());
}

/* Group and other bits of the regular files directly in dir go, as far as mode allows. */
static int
private_tighten_files(const char *dir, mode_t mode)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int dfd, rc = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	dfd = dirfd(d);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		    (st.st_mode & 0777 & ~mode) == 0)
			continue;
		rc = fchmodat(dfd, e->d_name, st.st_mode & 0777 & mode, 0);
	}
	closedir(d);
	return rc;
}

/*
 * Whether dir holds nothing but what Leitstand puts in its own directories (the store, its
 * lock, key and repository, sockets and their locks, the demo's files): only then may its
 * mode be changed. A socket or data dir named in a shared directory (/, /run, a home) must
 * never make that directory private.
 */
int
private_dedicated(const char *dir)
{
	static const char *const ours[] = {
		"leitstand.db", "leitstand.db-wal", "leitstand.db-shm", "leitstand.db-journal",
		"daemon.lock", "audit.key", "prompts.git", "demo", "leitstand",
	};
	struct dirent *e;
	struct stat st;
	size_t i, n;
	DIR *d;
	int dedicated = 1;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (dedicated && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		for (i = 0; i < sizeof ours / sizeof ours[0] &&
		    strcmp(e->d_name, ours[i]) != 0; i++)
			;
		n = strlen(e->d_name);
		if (i < sizeof ours / sizeof ours[0] ||
		    (n > 5 && strcmp(e->d_name + n - 5, ".lock") == 0) ||
		    (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISSOCK(st.st_mode)))
			continue;
		dedicated = 0;
	}
	closedir(d);
	return dedicated;
}

int
private_dir(const char *what, const char *dir, mode_t mode, int tighten, char **cause)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		*cause = xprintf("%s %s: %s", what, dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		*cause = xprintf("%s %s is a symlink; refusing to follow it. Remove it or name "
		    "the directory itself", what, dir);
		errno = ELOOP;
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*cause = xprintf("%s %s is not a directory", what, dir);
		errno = ENOTDIR;
		return -1;
	}
	if (st.st_uid != geteuid()) {
		*cause = private_not_ours(what, dir, st.st_uid);
		errno = EPERM;
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		*cause = xprintf("%s %s is writable by group or others (mode %03o): other users "
		    "may have put files in it; refusing to use it. Check its contents, then "
		    "chmod %03o it", what, dir, (unsigned)(st.st_mode & 07777), (unsigned)mode);
		errno = EPERM;
		return -1;
	}
	if (tighten && (st.st_mode & 0777 & ~mode) != 0 && !private_dedicated(dir)) {
		*cause = xprintf("%s %s is readable by others (mode %03o) and holds files that are "
		    "not Leitstand's: refusing to change its mode. Give it a directory of its own "
		    "(e.g. %s/leitstand), or chmod %03o it yourself", what, dir,
		    (unsigned)(st.st_mode & 07777), strcmp(dir, "/") == 0 ? "" : dir,
		    (unsigned)mode);
		errno = EPERM;
		return -1;
	}
	if (tighten && (st.st_mode & 0777 & ~mode) != 0 &&
	    (chmod(dir, st.st_mode & 0777 & mode) != 0 ||
	    private_tighten_files(dir, mode) != 0)) {
		*cause = xprintf("%s %s: cannot make it private: %s", what, dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* A parent others can write lets them rename dir away and put theirs there; the sticky
   bit (/tmp) stops that. */
static int
private_parent(const char *what, const char *dir, char **cause)
{
	char *parent = path_dir(dir);
	struct stat st;
	int rc = 0;

	if (stat(parent, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    !(st.st_mode & S_ISVTX)) {
		*cause = xprintf("%s %s: its directory %s is writable by group or others "
		    "(mode %03o), so another user could replace it; refusing to use it. chmod "
		    "go-w %s or choose another path", what, dir, parent,
		    (unsigned)(st.st_mode & 07777), parent);
		errno = EPERM;
		rc = -1;
	}
	free(parent);
	return rc;
}

int
private_mkdir(const char *what, const char *dir, mode_t mode, char **cause)
{
	if (private_parent(what, dir, cause) != 0)
		return -1;
	if (path_mkdirs(dir, mode) != 0) {
		*cause = xprintf("%s %s: %s", what, dir, strerror(errno));
		return -1;
	}
	return private_dir(what, dir, mode, 1, cause);
}

/* Every entry below dir: ours, and nothing but a symlink writable by group or others. */
static int
private_walk(const char *what, const char *top, const char *dir, int depth, char **cause)
{
	struct dirent *e;
	struct stat st;
	char *path;
	DIR *d;
	int rc = 0;

	if (depth > PRIVATE_MAX_DEPTH)
		return 0;
	if ((d = opendir(dir)) == NULL) {
		*cause = xprintf("%s %s: %s: %s", what, top, dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path = xprintf("%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			;	/* gone meanwhile (a lock file) */
		else if (st.st_uid != geteuid()) {
			*cause = xprintf("%s %s: %s belongs to uid %ld (%s), not to the daemon's "
			    "user (uid %ld); refusing to start. chown -R it back or choose another "
			    "path", what, top, path, (long)st.st_uid, private_user(st.st_uid),
			    (long)geteuid());
			rc = -1;
		} else if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH))) {
			*cause = xprintf("%s %s: %s is writable by group or others (mode %03o), "
			    "so another user could move its releases; refusing to start. "
			    "chmod -R go-w %s", what, top, path, (unsigned)(st.st_mode & 07777),
			    top);
			rc = -1;
		} else if (S_ISDIR(st.st_mode))
			rc = private_walk(what, top, path, depth + 1, cause);
		free(path);
	}
	closedir(d);
	return rc;
}

int
private_tree(const char *what, const char *dir, char **cause)
{
	struct stat st;
	int rc = -1;

	if (private_parent(what, dir, cause) != 0)
		return -1;
	if (stat(dir, &st) != 0) {
		rc = errno == ENOENT ? 0 : -1;	/* created by us, under our umask */
		if (rc != 0)
			*cause = xprintf("%s %s: %s", what, dir, strerror(errno));
		goto out;
	}
	if (st.st_uid != geteuid()) {
		*cause = private_not_ours(what, dir, st.st_uid);
		goto out;
	}
	if (S_ISDIR(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		*cause = xprintf("%s %s is writable by group or others (mode %03o), so another "
		    "user could move its releases; refusing to start. chmod -R go-w %s", what,
		    dir, (unsigned)(st.st_mode & 07777), dir);
		goto out;
	}
	rc = S_ISDIR(st.st_mode) ? private_walk(what, dir, dir, 0, cause) : 0;
out:
	return rc;
}

int
private_create(const char *name, mode_t mode, char **used, char **cause)
{
	const char *slash = strrchr(name, '/'), *dot;
	size_t stem;
	char *path;
	int fd, i;

	dot = strrchr(slash != NULL ? slash + 1 : name, '.');
	stem = dot != NULL && dot != (slash != NULL ? slash + 1 : name) ?
	    (size_t)(dot - name) : strlen(name);
	for (i = 0; i < PRIVATE_MAX_SUFFIX; i++) {
		path = i == 0 ? xstrdup(name) : xprintf("%.*s-%d%s", (int)stem, name, i,
		    name + stem);
		/* O_EXCL refuses any existing name, a symlink (even a dangling one) too. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0) {
			*used = path;
			return fd;
		}
		if (errno != EEXIST) {
			*cause = xprintf("cannot create %s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		free(path);
	}
	*cause = xprintf("cannot create %s: it and %d numbered names exist; remove some", name,
	    PRIVATE_MAX_SUFFIX - 1);
	return -1;
}

int
private_append(const char *path, mode_t mode, char **cause)
{
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == ELOOP)
			*cause = xprintf("%s is a symlink; refusing to follow it. Name the file "
			    "itself", path);
		else
			*cause = xprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*cause = xprintf("%s is not a regular file; refusing to append to it", path);
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		*cause = xprintf("%s belongs to uid %ld (%s), not to you (uid %ld); refusing to "
		    "append to it", path, (long)st.st_uid, private_user(st.st_uid),
		    (long)geteuid());
		close(fd);
		return -1;
	}
	return fd;
}

int
private_replace(const char *path, const char *text, char **cause)
{
	char *dir = path_dir(path), *tmp;
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int fd, rc = -1;

	tmp = xprintf("%s/.leitstand-new.XXXXXX", dir);
	free(dir);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		*cause = xprintf("cannot create a file beside %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < len && (n = write(fd, text + off, len - off)) > 0)
		off += (size_t)n;
	if (off != len || close(fd) != 0)
		*cause = xprintf("%s: %s", tmp, strerror(errno));
	else if (rename(tmp, path) != 0)
		*cause = xprintf("%s: %s", path, strerror(errno));
	else
		rc = 0;
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
