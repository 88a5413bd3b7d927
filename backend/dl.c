/* SPDX-License-Identifier: ISC */
#include <dlfcn.h>

#include "backend/dl.h"
#include "backend/xmalloc.h"

int
dl_open(const char *soname, const char *package, const struct dl_symbol *syms, size_t n,
    void *table, char **cause)
{
	void *lib, *sym;
	size_t i;

	if ((lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		*cause = xprintf("cannot load %s (apt-get install %s): %s", soname, package,
		    dlerror());
		return -1;
	}
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
