/* SPDX-License-Identifier: ISC */
/* Roles and permissions: who may do what. The daemon checks every request here. */
#ifndef AUTHZ_H
#define AUTHZ_H

#include <sys/types.h>

struct config;

/* Ordered: each role may do everything the roles before it may. */
enum role {
	ROLE_NONE = -1,		/* unknown user, refused */
	ROLE_VIEWER,
	ROLE_OPERATOR,
	ROLE_ENGINEER,
	ROLE_APPROVER,
	ROLE_ADMIN,
	ROLE_COUNT
};

enum perm {
	PERM_READ,		/* status, lists, views */
	PERM_AUDIT_DETAILS,	/* details column of the audit log */
	PERM_INCIDENT_WRITE,	/* open, acknowledge, note incidents; run playbooks */
	PERM_INCIDENT_MANAGE,	/* escalate, resolve, export tickets */
	PERM_PROMPT_PROPOSE,	/* propose prompt changes, run evals */
	PERM_PROMPT_APPROVE,	/* approve, reject, roll back */
	PERM_ADMIN,		/* purge, GDPR, audit export, overrides */
	PERM_COUNT
};

/* Who a peer is, captured once when it connects. */
struct identity {
	uid_t		 uid;
	gid_t		 gid;
	char		*user;
	char		**groups;	/* names, NULL-terminated */
	enum role	 role;
	int		 readonly;	/* listed under [console] readonly */
};

const char	*role_name(enum role);
/* Parses "viewer" ... "admin" (or "none"); returns 0 on success. */
int		 role_parse(const char *, enum role *);
const char	*perm_name(enum perm);
/* Returns the least role that holds the permission. */
enum role	 perm_role(enum perm);
int		 authz_allowed(enum role, enum perm);
/* Resolves a UID/GID to user, groups and role from the config; returns 0 on success. */
int		 authz_identify(const struct config *, uid_t, gid_t, struct identity *, char **);
/* Looks up the role of a user with the given groups (the matching rule alone). */
enum role	 authz_role_for(const struct config *, const char *, char *const *);
void		 identity_clear(struct identity *);

#endif
