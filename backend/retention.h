/* SPDX-License-Identifier: ISC */
/* Retention: personal data removed once it is older than its class's period ([retention]). */
#ifndef RETENTION_H
#define RETENTION_H

#include <sqlite3.h>
#include <time.h>

#include <cjson/cJSON.h>

struct config;

/* Counts (dry_run) or removes what each class holds beyond its period, in the caller's
   transaction. Returns an array of { class, keep (seconds), before (unix time), count }, or
   NULL with *cause. */
cJSON	*retention_purge(sqlite3 *, const struct config *, time_t now, int dry_run,
	    char **cause);

#endif
