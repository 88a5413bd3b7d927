/* SPDX-License-Identifier: ISC */
/*
 * The schedule in force: the config's [oncall.Lx] rotations with the overrides stored in the
 * daemon, what `leitstand oncall` shows, and its iCalendar export. rotation.h answers the
 * questions; this file gathers what it needs and writes the answers out.
 */
#ifndef ONCALL_H
#define ONCALL_H

#include <time.h>

#include <sqlite3.h>

#include <cjson/cJSON.h>

#include "backend/rotation.h"

struct config;

/* Whether any [oncall.Lx] section is configured (schedules are in use). */
int	 oncall_in_use(const struct config *);
/* The zone of a level's rotation (NULL: the local zone), for times written without one. */
const char *oncall_zone(const struct config *, int level);
/*
 * Fills *oc with the config's rotations (borrowed: valid while the config is) and the stored
 * overrides that end after `from` less the longest shift, so every answer from `from` on
 * is whole (owned: oncall_clear frees them). 0, or -1 with *cause.
 */
int	 oncall_load(struct oncall *, const struct config *, sqlite3 *, time_t from,
	     char **cause);
void	 oncall_clear(struct oncall *);
/* Each level at an instant: [{level, name, configured, zone, user (null: nobody), since,
   until, override, for, next: {user, from}}]; times are unix seconds, 0 for none. */
cJSON	*oncall_levels_json(const struct oncall *, const struct config *, time_t at);
/* The levels with nobody on call at an instant, as a status warning (a new string), or
   NULL if every level has someone or no schedule is configured. */
char	*oncall_warning(const struct oncall *, const struct config *, time_t at);
/*
 * An iCalendar (RFC 5545) of every shift that overlaps [from, to), per level, overrides
 * applied: UTC times, CRLF lines folded at 75 octets, TEXT escaped. name is the
 * calendar's (X-WR-CALNAME); uid_domain ends every UID (stable per level and start).
 * *count: the events. A new string.
 */
char	*oncall_ical(const struct oncall *, time_t from, time_t to, time_t now,
	     const char *name, const char *uid_domain, int *count);

#endif
