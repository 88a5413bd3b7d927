/* SPDX-License-Identifier: ISC */
/* The tamper-evident audit log: a SHA-256 hash chain over every state change. */
#ifndef AUDIT_H
#define AUDIT_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

struct audit_query {
	long long	 before;	/* newest first, seq < before (0: from the newest) */
	long long	 after;		/* oldest first, seq > after (used when before is 0 and ascending) */
	int		 ascending;
	int		 limit;
	const char	*actor;		/* NULL: any */
	const char	*action;	/* NULL: any */
	const char	*search;	/* substring of actor, action or object, NULL: any */
	const char	*since;		/* ts >= since (ISO 8601), NULL: any */
	const char	*until;		/* ts < until, NULL: any */
	int		 details;	/* include details and hashes */
};

/* Entries whose details are gone, by why: their hashes keep the chain whole, but what the
   details said can no longer be checked. */
struct audit_removed {
	long long	erased;		/* GDPR erasure (gdpr erase) */
	long long	expired;	/* end of the retention period (purge) */
	long long	unmarked;	/* neither: by hand, or before the reason was recorded */
};

/* One state change and its audit entry (see audit_tx). */
struct audit_tx {
	const char	*actor;
	const char	*role;
	const char	*action;	/* NULL: no entry (work appends its own, or none) */
	const char	*object;	/* NULL: "" */
	cJSON		*details;	/* NULL: none; the caller frees it */
	long long	 seq;		/* the entry appended, once committed; 0: none */
};

/* Where audit_tx failed: nothing of it is left in the store. */
enum audit_tx_fail {
	AUDIT_TX_OK	= 0,
	AUDIT_TX_BEGIN	= -1,		/* the transaction did not start (*cause) */
	AUDIT_TX_WORK	= -2,		/* work returned non-zero (*cause if it set one) */
	AUDIT_TX_COMMIT	= -3		/* the entry or the commit failed (*cause) */
};

/* Runs work (may be NULL) and then the entry in one transaction: begin, work, append,
   commit; rolls back whatever failed. Work may fill in the entry's fields (read after it
   ran). Returns AUDIT_TX_OK or where it failed. */
int		 audit_tx(sqlite3 *, struct audit_tx *,
		     int (*work)(sqlite3 *, void *, struct audit_tx *, char **), void *,
		     char **);
/* Appends one entry inside the caller's transaction; returns its sequence number or -1. */
long long	 audit_append(sqlite3 *, const char *actor, const char *role, const char *action,
		     const char *object, const char *details, char **);
/* Walks the whole chain. Returns 0 when intact (entries in *count, and those without
   details by why in *removed unless it is NULL); 1 when broken, with the first broken
   sequence number in *bad and the reason in *why; -1 on a database error. */
int		 audit_verify(sqlite3 *, long long *count, long long *bad,
		     struct audit_removed *removed, char **why);
/* Returns a JSON array of entries matching the query. */
cJSON		*audit_list(sqlite3 *, const struct audit_query *);
/* Current UTC time as ISO 8601 with milliseconds, in a 32-byte buffer. */
void		 audit_now(char *, size_t);

#endif
