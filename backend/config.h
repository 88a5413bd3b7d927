/* SPDX-License-Identifier: ISC */
/* Configuration: an INI file checked against options-table.c. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "backend/authz.h"

/* A comma-separated list of user names and @group names. */
struct namelist {
	char	**v;
	size_t	  n;
};

struct config {
	char		*file;		/* NULL: built-in defaults */

	/* [daemon] */
	char		*socket;
	char		*group;
	char		*data_dir;
	long long	 max_line;
	long long	 max_queue;

	/* [assistant] */
	char		*name;
	char		*environment;

	/* [console] */
	struct namelist	 readonly;

	/* [roles] */
	char		*owner_role;
	char		*default_role;
	struct namelist	 members[ROLE_COUNT];
};

/* Finds the config file: the argument, $LEITSTAND_CONFIG, $XDG_CONFIG_HOME/leitstand/leitstand.ini,
   /etc/leitstand/leitstand.ini. Returns a new path or NULL for built-in defaults. */
char	*config_find(const char *);
/* Loads defaults and then FILE (NULL: defaults only); on error returns -1 and every problem,
   one "file:line: section.key: why" per line, in *cause. */
int	 config_load(struct config *, const char *, char **);
void	 config_free(struct config *);
/* Returns 1 if the name or one of the groups is in the list. */
int	 namelist_match(const struct namelist *, const char *, char *const *);
/* The default private socket path for this user (runtime dir), for a name ("default"). */
char	*config_private_socket(const char *);
/* Turns a config into the built-in demo's: own socket, data dir and assistant name. */
void	 config_demo(struct config *);

#endif
