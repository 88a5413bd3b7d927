/* SPDX-License-Identifier: ISC */
#include <dlfcn.h>
#include <stdlib.h>

#include "backend/buf.h"
#include "backend/dl.h"
#include "backend/xmalloc.h"

/* Fills the table from lib; returns 0 or -1 with *cause naming the missing symbol. */
static int
dl_fill(void *lib, const char *soname, const struct dl_symbol *syms, size_t n, void *table,
    char **cause)
{
	void *sym;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((sym = dlsym(lib, syms[i].name)) == NULL) {
			*cause = xprintf("%s lacks %s", soname, syms[i].name);
			return -1;
		}
		/* POSIX guarantees a function pointer survives the trip through void *. */
		*(void **)((char *)table + syms[i].offset) = sym;
	}
	return 0;
}

int
dl_open(const char *const *sonames, const char *package, const struct dl_symbol *syms,
    size_t n, void *table, char **cause)
{
	struct buf tried;
	char *first = NULL, *why, *list;
	void *lib;
	size_t i;

	for (i = 0; sonames[i] != NULL; i++) {
		if ((lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL)) == NULL)
			why = xstrdup(dlerror());
		else if (dl_fill(lib, sonames[i], syms, n, table, &why) == 0) {
			free(first);
			return 0;
		} else
			dlclose(lib);
		/* The first name is the usual one: its failure says most. */
		if (first == NULL)
			first = why;
		else
			free(why);
	}
	buf_init(&tried);
	for (i = 0; sonames[i] != NULL; i++)
		buf_printf(&tried, "%s%s", i > 0 ? ", " : "", sonames[i]);
	list = buf_take(&tried);
	*cause = xprintf("cannot load %s (tried %s; apt-get install %s): %s", sonames[0], list,
	    package, first != NULL ? first : "no names");
	free(list);
	free(first);
	return -1;
}
