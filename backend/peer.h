/* SPDX-License-Identifier: ISC */
/* Whether the client may trust the daemon on a socket: its directory, the socket, and the
   uid of the process that listens on it. */
#ifndef PEER_H
#define PEER_H

#include <sys/types.h>

/*
 * Before connecting (nothing is sent before): the socket's directory is a real directory, not
 * writable by group or others, and owned by us, or for a configured socket by anyone (a
 * shared install's service user); the per-user default (/tmp/leitstand-UID) must be our own.
 * The socket is a socket of the same owner. Sets *owner to the uid the daemon must run as.
 * Returns 0, or -1 with a cause and errno ENOENT (nothing there yet: a daemon may be
 * started) or EPERM (refused).
 */
int	 peer_check_path(const char *socket, uid_t *owner, char **cause);
/* After connecting: the listening process (SO_PEERCRED) runs as owner. */
int	 peer_check_fd(int fd, const char *socket, uid_t owner, char **cause);

#endif
