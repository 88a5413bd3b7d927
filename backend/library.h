/* SPDX-License-Identifier: ISC */
/* The playbook library: every playbook of dir/en and dir/de, parsed once, with its hash. */
#ifndef LIBRARY_H
#define LIBRARY_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct library;

/* Loads the library; files with lint errors are left out and their errors, one per line,
   returned in *problems (NULL if none). Never NULL: an empty directory is an empty library. */
struct library	*library_load(const char *dir, char **problems);
void		 library_free(struct library *);
/* The playbook with the id, in lang if there is one, else in English, else any. */
const cJSON	*library_get(const struct library *, const char *id, const char *lang,
		     const char **hash);
/* Every playbook as {id, title, level, lang, version, applies_to, steps}, one per id, in lang
   where it exists. */
cJSON		*library_list(const struct library *, const char *lang);
/* Playbooks whose applies_to names one of the keys ("kpi:errors", "alert:X", "tag:y"). */
cJSON		*library_suggest(const struct library *, const char *lang, const char *const *keys,
		     size_t nkeys);

#endif
