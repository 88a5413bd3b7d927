/* SPDX-License-Identifier: ISC */
/*
 * Audit checkpoints: the chain head (sequence, hash, time) signed with an Ed25519 key kept
 * outside the database, one line each in a file outside the data dir. A hash chain alone
 * cannot see a cut-off tail or a log rewritten from scratch; a signed head can.
 */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <sqlite3.h>

#include <openssl/evp.h>

struct config;

enum {
	CHECKPOINT_OK,
	CHECKPOINT_MALFORMED,
	CHECKPOINT_OTHER_KEY,
	CHECKPOINT_BAD_SIGNATURE
};

struct checkpoint_key {
	EVP_PKEY	*pkey;
	char		 id[17];	/* first 16 hex digits of the public key's SHA-256 */
};

/* The key in path (PEM); with create, a new one (mode 0600) when there is none. */
struct checkpoint_key *checkpoint_key_load(const char *path, int create, char **cause);
void		 checkpoint_key_free(struct checkpoint_key *);
/* One signed line for a chain head; NULL if signing failed. */
char		*checkpoint_line(const struct checkpoint_key *, long long seq, const char *hash,
		     const char *time);
/* Checks a line's form, key and signature; CHECKPOINT_OK with its sequence and hash. */
int		 checkpoint_parse(const struct checkpoint_key *, const char *line,
		     long long *seq, char hash[65], char **cause);

/* Signs the chain head now and appends it to [audit] checkpoint_file (and syslog); the line
   in *line. -1 with *cause when no file is set or it cannot be written. */
int		 checkpoint_append(const struct config *, sqlite3 *, char **line, char **cause);
/* The chain head's sequence (0 for an empty log). */
long long	 checkpoint_head(sqlite3 *);
/* Checks every line of a checkpoints file against the key and the log: 0, how many vouch
   for the log and the newest entry one vouches for (0 if none), 1 with the first entry (0
   if none) and why it does not, -1 on error. */
int		 checkpoint_verify(const char *key, sqlite3 *, const char *file, long long *count,
		     long long *newest, long long *bad, char **why);

#endif
