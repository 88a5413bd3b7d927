/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/authz.h"
#include "backend/config.h"
#include "backend/xmalloc.h"

static const char *const role_names[ROLE_COUNT] = {
	"viewer", "operator", "engineer", "approver", "admin"
};

/* The one permission table: the least role that holds each permission. */
static const struct {
	const char	*name;
	enum role	 role;
} perm_table[PERM_COUNT] = {
	[PERM_READ]		= { "read",		ROLE_VIEWER },
	[PERM_AUDIT_DETAILS]	= { "audit.details",	ROLE_OPERATOR },
	[PERM_INCIDENT_WRITE]	= { "incident.write",	ROLE_OPERATOR },
	[PERM_INCIDENT_MANAGE]	= { "incident.manage",	ROLE_ENGINEER },
	[PERM_PROMPT_PROPOSE]	= { "prompt.propose",	ROLE_ENGINEER },
	[PERM_PROMPT_APPROVE]	= { "prompt.approve",	ROLE_APPROVER },
	[PERM_ADMIN]		= { "admin",		ROLE_ADMIN },
};

const char *
role_name(enum role r)
{
	if (r < 0 || r >= ROLE_COUNT)
		return "none";
	return role_names[r];
}

int
role_parse(const char *s, enum role *r)
{
	int i;

	if (strcmp(s, "none") == 0) {
		*r = ROLE_NONE;
		return 0;
	}
	for (i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum role)i;
			return 0;
		}
	}
	return -1;
}

const char *
perm_name(enum perm p)
{
	return perm_table[p].name;
}

enum role
perm_role(enum perm p)
{
	return perm_table[p].role;
}

int
authz_allowed(enum role r, enum perm p)
{
	return r != ROLE_NONE && r >= perm_table[p].role;
}

enum role
authz_role_for(const struct config *cfg, const char *user, char *const *groups)
{
	int r;

	for (r = ROLE_COUNT - 1; r >= 0; r--) {
		if (namelist_match(&cfg->members[r], user, groups))
			return (enum role)r;
	}
	return ROLE_NONE;
}

void
identity_clear(struct identity *id)
{
	char **g;

	free(id->user);
	for (g = id->groups; g != NULL && *g != NULL; g++)
		free(*g);
	free(id->groups);
	memset(id, 0, sizeof *id);
	id->role = ROLE_NONE;
}

/* Fills the user and group names of a UID; unknown IDs become their numbers. */
static void
identity_names(struct identity *id)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[16384];
	gid_t gids[256];
	int ngids = 256, i, n = 0;

	if (getpwuid_r(id->uid, &pw, buf, sizeof buf, &pwp) == 0 && pwp != NULL) {
		id->user = xstrdup(pw.pw_name);
		if (getgrouplist(pw.pw_name, id->gid, gids, &ngids) < 0)
			ngids = 256;
	} else {
		id->user = xprintf("%ld", (long)id->uid);
		gids[0] = id->gid;
		ngids = 1;
	}
	id->groups = xcalloc((size_t)ngids + 1, sizeof *id->groups);
	for (i = 0; i < ngids; i++) {
		if (getgrgid_r(gids[i], &gr, buf, sizeof buf, &grp) == 0 && grp != NULL)
			id->groups[n++] = xstrdup(gr.gr_name);
	}
}

int
authz_identify(const struct config *cfg, uid_t uid, gid_t gid, struct identity *id,
    char **cause)
{
	enum role r;
	const char *fallback;

	memset(id, 0, sizeof *id);
	id->uid = uid;
	id->gid = gid;
	identity_names(id);
	r = authz_role_for(cfg, id->user, id->groups);
	if (r == ROLE_NONE) {
		fallback = uid == geteuid() ? cfg->owner_role : cfg->default_role;
		if (role_parse(fallback, &r) != 0)
			r = ROLE_NONE;
	}
	id->role = r;
	id->readonly = namelist_match(&cfg->readonly, id->user, id->groups);
	if (r == ROLE_NONE) {
		*cause = xprintf("user %s has no role on this daemon; ask an admin to add "
		    "them under [roles]", id->user);
		return -1;
	}
	return 0;
}
