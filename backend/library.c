/* SPDX-License-Identifier: ISC */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/hash.h"
#include "backend/library.h"
#include "backend/playbook.h"
#include "backend/problems.h"
#include "backend/xmalloc.h"

#define LIBRARY_MAX_FILE (1024 * 1024)

struct entry {
	cJSON	*pb;
	char	 hash[HASH_HEX];
};

struct library {
	struct entry	*v;
	size_t		 n;
};

static const char *
pb_str(const cJSON *pb, const char *k)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(pb, k));

	return s != NULL ? s : "";
}

/* Reads a whole file (at most 1 MiB) for the hash; the parser reads it again for itself. */
static int
file_hash(const char *path, char out[HASH_HEX])
{
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= LIBRARY_MAX_FILE)
		buf_add(&b, chunk, n);
	fclose(f);
	hash_sha256_hex(b.data != NULL ? b.data : "", b.len, out);
	buf_free(&b);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entry of exactly this id and language, or NULL. */
static const struct entry *
library_exact(const struct library *lib, const char *id, const char *lang)
{
	size_t i;

	for (i = 0; i < lib->n; i++) {
		if (strcmp(pb_str(lib->v[i].pb, "id"), id) == 0 &&
		    strcmp(pb_str(lib->v[i].pb, "lang"), lang) == 0)
			return &lib->v[i];
	}
	return NULL;
}

/* Adds the playbooks of dir/lang; a file with lint errors, in the wrong language or with an
   id taken already is left out with a problem line. */
static void
library_dir(struct library *lib, const char *dir, const char *lang, struct problems *problems)
{
	const struct entry *dup;
	struct dirent *de;
	char **names = NULL, *path, *errors, *line, *next;
	size_t n = 0, i, len;
	cJSON *pb;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT)
			problems_add(problems, dir, 0, "%s", strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 3 && strcmp(de->d_name + len - 3, ".md") == 0) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		path = xprintf("%s/%s", dir, names[i]);
		errors = NULL;
		if ((pb = playbook_load(path, &errors)) == NULL) {
			/* The playbook's own "FILE:LINE: msg" lines, one problem each. */
			for (line = errors; line != NULL; line = next) {
				if ((next = strchr(line, '\n')) != NULL)
					*next++ = '\0';
				problems_add(problems, NULL, 0, "%s", line);
			}
			free(errors);
		} else if (strcmp(pb_str(pb, "lang"), lang) != 0) {
			problems_add(problems, path, 1, "lang is %s, but the file is in the %s "
			    "directory", pb_str(pb, "lang"), lang);
			cJSON_Delete(pb);
		} else if ((dup = library_exact(lib, pb_str(pb, "id"), lang)) != NULL) {
			problems_add(problems, path, 1, "duplicate id '%s' (also in %s)",
			    pb_str(pb, "id"), pb_str(dup->pb, "file"));
			cJSON_Delete(pb);
		} else {
			lib->v = xreallocarray(lib->v, lib->n + 1, sizeof *lib->v);
			lib->v[lib->n].pb = pb;
			if (file_hash(path, lib->v[lib->n].hash) != 0)
				strcpy(lib->v[lib->n].hash, "unknown");
			lib->n++;
		}
		free(path);
		free(names[i]);
	}
	free(names);
}

struct library *
library_load(const char *dir, char **problems)
{
	static const char *const langs[] = { "en", "de" };
	struct library *lib = xcalloc(1, sizeof *lib);
	struct problems list;
	char *sub;
	size_t i;

	problems_init(&list, 0);
	for (i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		sub = xprintf("%s/%s", dir, langs[i]);
		library_dir(lib, sub, langs[i], &list);
		free(sub);
	}
	if (lib->n == 0)
		problems_add(&list, NULL, 0, "no playbooks in %s/en or %s/de", dir, dir);
	*problems = problems_take(&list, 0);
	return lib;
}

void
library_free(struct library *lib)
{
	size_t i;

	if (lib == NULL)
		return;
	for (i = 0; i < lib->n; i++)
		cJSON_Delete(lib->v[i].pb);
	free(lib->v);
	free(lib);
}

/* The entry of an id in lang, else English, else the first one. */
static const struct entry *
library_find(const struct library *lib, const char *id, const char *lang)
{
	const struct entry *best = NULL, *e;
	size_t i;

	for (i = 0; i < lib->n; i++) {
		e = &lib->v[i];
		if (strcmp(pb_str(e->pb, "id"), id) != 0)
			continue;
		if (lang != NULL && strcmp(pb_str(e->pb, "lang"), lang) == 0)
			return e;
		if (best == NULL || strcmp(pb_str(e->pb, "lang"), "en") == 0)
			best = e;
	}
	return best;
}

const cJSON *
library_get(const struct library *lib, const char *id, const char *lang, const char **hash)
{
	const struct entry *e = library_find(lib, id, lang);

	if (e == NULL)
		return NULL;
	if (hash != NULL)
		*hash = e->hash;
	return e->pb;
}

static cJSON *
summary(const cJSON *pb)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", pb_str(pb, "id"));
	cJSON_AddStringToObject(o, "title", pb_str(pb, "title"));
	cJSON_AddStringToObject(o, "level", pb_str(pb, "level"));
	cJSON_AddStringToObject(o, "lang", pb_str(pb, "lang"));
	cJSON_AddItemToObject(o, "version", cJSON_Duplicate(cJSON_GetObjectItem(pb, "version"), 0));
	cJSON_AddItemToObject(o, "applies_to",
	    cJSON_Duplicate(cJSON_GetObjectItem(pb, "applies_to"), 1));
	cJSON_AddNumberToObject(o, "steps", cJSON_GetArraySize(cJSON_GetObjectItem(pb, "steps")));
	return o;
}

/* Each id once, in lang (or its fallback); with keys, only those whose applies_to names one. */
static cJSON *
library_each(const struct library *lib, const char *lang, const char *const *keys, size_t nkeys)
{
	cJSON *out = cJSON_CreateArray();
	const struct entry *e;
	const cJSON *a;
	size_t i, j, k;
	int seen, match;

	for (i = 0; i < lib->n; i++) {
		for (seen = 0, j = 0; j < i && !seen; j++)
			seen = strcmp(pb_str(lib->v[j].pb, "id"), pb_str(lib->v[i].pb, "id")) == 0;
		if (seen)
			continue;
		e = library_find(lib, pb_str(lib->v[i].pb, "id"), lang);
		match = keys == NULL;
		cJSON_ArrayForEach(a, cJSON_GetObjectItem(e->pb, "applies_to")) {
			for (k = 0; k < nkeys && !match; k++)
				match = cJSON_IsString(a) && strcmp(a->valuestring, keys[k]) == 0;
		}
		if (match)
			cJSON_AddItemToArray(out, summary(e->pb));
	}
	return out;
}

cJSON *
library_list(const struct library *lib, const char *lang)
{
	return library_each(lib, lang, NULL, 0);
}

cJSON *
library_suggest(const struct library *lib, const char *lang, const char *const *keys,
    size_t nkeys)
{
	return library_each(lib, lang, keys, nkeys);
}
