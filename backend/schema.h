/* SPDX-License-Identifier: ISC */
/* Schema migrations; PRAGMA user_version counts how many have run. */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <stddef.h>

extern const char *const	schema_migrations[];
extern const size_t		schema_count;

#endif
