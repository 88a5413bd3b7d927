/* SPDX-License-Identifier: ISC */
/* A playbook's front matter: the block of key: value lines between '---' lines at its top. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "backend/playbook-parse.h"
#include "backend/xmalloc.h"

enum pb_key { PB_ID, PB_TITLE, PB_VERSION, PB_LANG, PB_LEVEL, PB_APPLIES, PB_OWNER,
    PB_NKEYS };

static const struct {
	const char	*name;
	int		 required;
} pb_keys[PB_NKEYS] = {
	{ "id", 1 }, { "title", 1 }, { "version", 1 }, { "lang", 1 },
	{ "level", 0 }, { "applies_to", 0 }, { "owner", 0 },
};

static int
pb_valid_id(const char *v)
{
	size_t	n = strlen(v), i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		if (!islower((unsigned char)v[i]) && !isdigit((unsigned char)v[i]) &&
		    v[i] != '-')
			return 0;
	}
	return 1;
}

static int
pb_valid_version(const char *v)
{
	char	*end;
	long	 n;

	if (!isdigit((unsigned char)*v))
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	return errno == 0 && *end == '\0' && n >= 1 && n <= INT_MAX;
}

/* Checks applies_to and builds its array; NULL (after reporting) if bad. */
static cJSON *
pb_applies_to(struct pb_parse *p, const char *v, size_t line)
{
	static const char	*kinds[] = { "kpi:", "alert:", "tag:" };
	cJSON			*a;
	const char		*s, *e, *t, *name;
	char			*item;
	size_t			 k;
	int			 ok = 1, good;

	a = cJSON_CreateArray();
	for (s = v;; s = e + 1) {
		if ((e = strchr(s, ',')) == NULL)
			e = s + strlen(s);
		t = e;
		pb_trim(&s, &t);
		good = 0;
		for (k = 0; k < 3 && !good; k++) {
			if ((size_t)(t - s) <= strlen(kinds[k]) ||
			    strncmp(s, kinds[k], strlen(kinds[k])) != 0)
				continue;
			good = 1;
			for (name = s + strlen(kinds[k]); name < t; name++) {
				if (!isalnum((unsigned char)*name) &&
				    strchr("_.:/-", *name) == NULL)
					good = 0;
			}
		}
		if (good) {
			item = xstrndup(s, t - s);
			cJSON_AddItemToArray(a, cJSON_CreateString(item));
			free(item);
		} else {
			pb_error(p, line, "applies_to: '%.*s' is not kpi:NAME, alert:NAME "
			    "or tag:NAME", (int)((size_t)(t - s) > PB_QUOTE ? PB_QUOTE :
			    (size_t)(t - s)), s);
			ok = 0;
		}
		if (*e == '\0')
			break;
	}
	if (!ok) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

/* Reads the front matter; sets p->body and p->root. Returns -1 if it is not closed. */
int
pb_front_matter(struct pb_parse *p)
{
	const char	*s, *e, *k, *ke, *v, *ve;
	char		*val[PB_NKEYS] = { NULL };
	size_t		 vline[PB_NKEYS] = { 0 }, line, close = 0, i;
	cJSON		*applies = NULL;
	int		 bom = 0, rc = 0;

	p->root = cJSON_CreateObject();
	if (p->len >= 3 && memcmp(p->text, "\xef\xbb\xbf", 3) == 0)
		bom = 3;
	p->body = bom;
	pb_line_span(p, 1, &s, &e);
	s += bom;
	if (s > e)
		s = e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - s != 3 || memcmp(s, "---", 3) != 0) {
		pb_error(p, 1, "no front matter: start the file with a '---' line, "
		    "then id:, title:, version:, lang:, then '---'");
		goto out;
	}
	for (line = 2; line <= p->nlines; line++) {
		pb_line_span(p, line, &s, &e);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e - s == 3 && memcmp(s, "---", 3) == 0) {
			close = line;
			break;
		}
	}
	if (close == 0) {
		pb_error(p, 1, "front matter not closed: add a '---' line after its keys");
		p->body = p->len;
		rc = -1;
		goto out;
	}
	p->body = pb_line_start(p, close + 1);
	p->cursor = p->body;
	for (line = 2; line < close; line++) {
		pb_line_span(p, line, &s, &e);
		pb_trim(&s, &e);
		if (s == e || *s == '#')
			continue;
		for (k = s; k < e && *k != ':'; k++)
			/* nothing */;
		if (k == e) {
			pb_error(p, line, "expected 'key: value', not '%.*s'",
			    (int)((size_t)(e - s) > PB_QUOTE ? PB_QUOTE : (size_t)(e - s)), s);
			continue;
		}
		v = k + 1;
		ve = e;
		ke = k;
		k = s;
		pb_trim(&k, &ke);
		pb_trim(&v, &ve);
		if (ve - v >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v) {
			v++;
			ve--;
		}
		for (i = 0; i < PB_NKEYS; i++) {
			if (strlen(pb_keys[i].name) == (size_t)(ke - k) &&
			    memcmp(pb_keys[i].name, k, ke - k) == 0)
				break;
		}
		if (i == PB_NKEYS) {
			pb_error(p, line, "unknown key '%.*s' (known: id, title, version, "
			    "lang, level, applies_to, owner)",
			    (int)((size_t)(ke - k) > PB_QUOTE ? PB_QUOTE : (size_t)(ke - k)), k);
			continue;
		}
		if (vline[i] != 0) {
			pb_error(p, line, "%s: given twice (first on line %zu)",
			    pb_keys[i].name, vline[i]);
			continue;
		}
		vline[i] = line;
		if (v == ve) {
			pb_error(p, line, "%s: empty value", pb_keys[i].name);
			continue;
		}
		val[i] = xstrndup(v, ve - v);
		switch (i) {
		case PB_ID:
			if (!pb_valid_id(val[i]))
				pb_error(p, line, "id: use 1 to 64 of a-z, 0-9 and '-'");
			break;
		case PB_VERSION:
			if (!pb_valid_version(val[i]))
				pb_error(p, line, "version: must be a positive integer");
			break;
		case PB_LANG:
			if (strcmp(val[i], "en") != 0 && strcmp(val[i], "de") != 0)
				pb_error(p, line, "lang: must be en or de");
			break;
		case PB_LEVEL:
			if (strcmp(val[i], "L1") != 0 && strcmp(val[i], "L2") != 0 &&
			    strcmp(val[i], "L3") != 0)
				pb_error(p, line, "level: must be L1, L2 or L3");
			break;
		case PB_APPLIES:
			applies = pb_applies_to(p, val[i], line);
			break;
		}
	}
	for (i = 0; i < PB_NKEYS; i++) {
		if (pb_keys[i].required && vline[i] == 0)
			pb_error(p, 1, "front matter: missing key %s:", pb_keys[i].name);
	}

out:
	cJSON_AddStringToObject(p->root, "id", val[PB_ID] != NULL ? val[PB_ID] : "");
	cJSON_AddStringToObject(p->root, "title", val[PB_TITLE] != NULL ?
	    val[PB_TITLE] : "");
	cJSON_AddNumberToObject(p->root, "version", val[PB_VERSION] != NULL ?
	    atoi(val[PB_VERSION]) : 0);
	cJSON_AddStringToObject(p->root, "lang", val[PB_LANG] != NULL ? val[PB_LANG] : "");
	if (val[PB_LEVEL] != NULL)
		cJSON_AddStringToObject(p->root, "level", val[PB_LEVEL]);
	else
		cJSON_AddNullToObject(p->root, "level");
	if (applies == NULL)
		applies = cJSON_CreateArray();
	cJSON_AddItemToObject(p->root, "applies_to", applies);
	if (val[PB_OWNER] != NULL)
		cJSON_AddStringToObject(p->root, "owner", val[PB_OWNER]);
	else
		cJSON_AddNullToObject(p->root, "owner");
	for (i = 0; i < PB_NKEYS; i++)
		free(val[i]);
	return rc;
}
