/* SPDX-License-Identifier: ISC */
/*
 * Libraries loaded on first use. The console links only what it needs; libraries that only
 * the daemon or the simulator use (libcurl, libmicrohttpd) and their dependencies would add
 * megabytes to every console's memory, so those parts load them at run time.
 */
#ifndef DL_H
#define DL_H

#include <stddef.h>

struct dl_symbol {
	const char	*name;
	size_t		 offset;	/* of the function pointer in the table */
};

/* Opens the first of sonames (NULL-terminated, the usual name first) that has every symbol
   and fills the table's function pointers; returns 0 or -1 with *cause (naming the names
   tried and the Debian package to install). */
int	dl_open(const char *const *sonames, const char *package, const struct dl_symbol *,
	    size_t, void *table, char **cause);

#endif
