/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/config.h"
#include "backend/path.h"
#include "backend/peer.h"
#include "backend/private.h"
#include "backend/xmalloc.h"

/* Is dir the per-user default socket directory ($XDG_RUNTIME_DIR/leitstand, or
   /tmp/leitstand-UID), where anyone could have been first? */
static int
peer_default_dir(const char *dir)
{
	char *sock = config_private_socket("default"), *def = path_dir(sock);
	int is = strcmp(dir, def) == 0;

	free(def);
	free(sock);
	return is;
}

int
peer_check_path(const char *socket, uid_t *owner, char **cause)
{
	char *dir = path_dir(socket);
	struct stat st;
	int rc = -1, saved;

	if (lstat(dir, &st) != 0) {
		saved = errno;
		if (errno == ENOENT)
			*cause = xprintf("no daemon at %s: %s", socket, strerror(errno));
		else
			*cause = xprintf("socket directory %s: %s", dir, strerror(errno));
		errno = saved;
		goto out;
	}
	if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
		*cause = xprintf("socket directory %s is %s; refusing to connect. Remove it or "
		    "set XDG_RUNTIME_DIR", dir, S_ISLNK(st.st_mode) ? "a symlink" :
		    "not a directory");
		goto refuse;
	}
	if (st.st_uid != geteuid() && peer_default_dir(dir)) {
		*cause = xprintf("socket directory %s belongs to uid %ld (%s), not to you: someone "
		    "else created it; refusing to connect. Remove it (as root) or set "
		    "XDG_RUNTIME_DIR", dir, (long)st.st_uid, private_user(st.st_uid));
		goto refuse;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		*cause = xprintf("socket directory %s is writable by group or others (mode %03o): "
		    "anyone could have put a socket there; refusing to connect. Its owner, uid "
		    "%ld (%s), should chmod go-w it", dir, (unsigned)(st.st_mode & 07777),
		    (long)st.st_uid, private_user(st.st_uid));
		goto refuse;
	}
	*owner = st.st_uid;
	if (lstat(socket, &st) != 0) {
		saved = errno;
		*cause = xprintf("no daemon at %s: %s", socket, strerror(errno));
		errno = saved;
		goto out;
	}
	if (!S_ISSOCK(st.st_mode)) {
		*cause = xprintf("%s is not a socket; refusing to connect", socket);
		goto refuse;
	}
	if (st.st_uid != *owner) {
		*cause = xprintf("socket %s belongs to uid %ld (%s), its directory to uid %ld; "
		    "refusing to connect", socket, (long)st.st_uid, private_user(st.st_uid),
		    (long)*owner);
		goto refuse;
	}
	rc = 0;
	goto out;
refuse:
	errno = EPERM;
out:
	free(dir);
	return rc;
}

int
peer_check_fd(int fd, const char *socket, uid_t owner, char **cause)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	char *who;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		*cause = xprintf("%s: cannot tell who listens: %s", socket, strerror(errno));
		errno = EPERM;
		return -1;
	}
	if (cred.uid != owner) {
		who = xstrdup(private_user(owner));
		*cause = xprintf("the daemon on %s runs as uid %ld (%s), not as uid %ld (%s) who "
		    "owns its directory; refusing to talk to it", socket, (long)cred.uid,
		    private_user(cred.uid), (long)owner, who);
		free(who);
		errno = EPERM;
		return -1;
	}
	return 0;
}
