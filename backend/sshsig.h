/* SPDX-License-Identifier: ISC */
/*
 * SSH signatures as git makes and checks them for gpg.format=ssh: a "-----BEGIN SSH
 * SIGNATURE-----" block (namespace "git") after the signed text of a tag. OpenSSH's ssh-keygen
 * makes and checks them, found on PATH and run without a shell, in a session of its own (no
 * terminal to ask a passphrase on), with an empty environment (no agent), for at most
 * SSHSIG_TIMEOUT seconds and SSHSIG_MAX_OUTPUT bytes of output: the same program git runs,
 * so what one accepts the other does.
 */
#ifndef SSHSIG_H
#define SSHSIG_H

#include <stddef.h>

#define SSHSIG_TIMEOUT		10		/* seconds one ssh-keygen may take */
#define SSHSIG_MAX_OUTPUT	(64 * 1024)	/* bytes it may write, each stream */
#define SSHSIG_MAX_SIGNERS	(1 << 20)	/* bytes of an allowed signers file */
#define SSHSIG_NAMESPACE	"git"

/* Whether a private key file may sign: a regular file of this process's user that nobody
   else may read or write (mode 0600 or 0400). 0, or -1 with *cause. */
int	sshsig_key_check(const char *path, char **cause);
/* Signs len bytes of data with the private key: *sig is the armoured signature, ending in a
   newline, to be appended to the data. 0, or -1 with *cause (no text of the key in it). */
int	sshsig_sign(const char *key, const char *data, size_t len, char **sig, char **cause);
/* Where the signature of a signed tag begins (git's parse_signed_buffer): the offset of the
   last line that begins a signature block, or len when there is none. */
size_t	sshsig_split(const char *buf, size_t len);
/* Whether a file can serve as git's allowed signers (gpg.ssh.allowedSignersFile): readable,
   at most SSHSIG_MAX_SIGNERS bytes, at least one signer, every line "PRINCIPALS [OPTIONS]
   KEYTYPE BASE64 [COMMENT]", a comment or blank. 0, or -1 with *cause naming file:line. */
int	sshsig_signers_check(const char *path, char **cause);
/* Checks the signature over len bytes of data as `git verify-tag` with gpg.format=ssh does:
   the principals of allowed whose key made it (ssh-keygen -Y find-principals), then a good
   signature in namespace "git" for one of them (ssh-keygen -Y verify), both at time when
   (seconds since the epoch; 0: now) for keys with valid-after or valid-before. 0 with
   *principal (a new string), or -1 with *cause. */
int	sshsig_verify(const char *allowed, const char *data, size_t len, const char *sig,
	    size_t siglen, long long when, char **principal, char **cause);

#endif
