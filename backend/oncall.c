/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/oncall.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

#define ONCALL_MAX_OVERRIDES	10000
#define ONCALL_MAX_EVENTS	20000
#define ICAL_FOLD		75	/* octets a content line may have before CRLF */

int
oncall_in_use(const struct config *cfg)
{
	return cfg->noncalls > 0;
}

const char *
oncall_zone(const struct config *cfg, int level)
{
	const struct oncall_def *d = config_oncall(cfg, level);

	return d != NULL ? d->rot.zone : NULL;
}

int
oncall_load(struct oncall *oc, const struct config *cfg, sqlite3 *db, time_t from,
    char **cause)
{
	const struct oncall_def *d;
	struct oncall_override *o;
	sqlite3_stmt *st;
	int level, rc;

	memset(oc, 0, sizeof *oc);
	for (level = 1; level <= ONCALL_LEVELS; level++) {
		if ((d = config_oncall(cfg, level)) != NULL)
			oc->level[level - 1] = d->rot;
	}
	/* An override that ended inside the current shift still cuts its start. */
	st = store_prepare(db, "SELECT id, level, user, for_user, starts_at, ends_at "
	    "FROM oncall_override WHERE ends_at > ? ORDER BY level, starts_at LIMIT ?");
	sqlite3_bind_int64(st, 1, (long long)from - 367LL * 86400);
	sqlite3_bind_int(st, 2, ONCALL_MAX_OVERRIDES);
	while ((rc = store_step(st, cause)) == 1) {
		oc->overrides = xreallocarray(oc->overrides, oc->noverrides + 1,
		    sizeof *oc->overrides);
		o = &oc->overrides[oc->noverrides++];
		o->id = sqlite3_column_int64(st, 0);
		o->level = sqlite3_column_int(st, 1);
		o->user = xstrdup(store_text(st, 2));
		o->for_user = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL :
		    xstrdup(store_text(st, 3));
		o->start = (time_t)sqlite3_column_int64(st, 4);
		o->end = (time_t)sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	if (rc < 0) {
		oncall_clear(oc);
		return -1;
	}
	return 0;
}

void
oncall_clear(struct oncall *oc)
{
	size_t i;

	for (i = 0; i < oc->noverrides; i++) {
		free(oc->overrides[i].user);
		free(oc->overrides[i].for_user);
	}
	free(oc->overrides);
	memset(oc, 0, sizeof *oc);
}

cJSON *
oncall_levels_json(const struct oncall *oc, const struct config *cfg, time_t at)
{
	struct oncall_shift sh, nx;
	cJSON *arr = cJSON_CreateArray(), *o, *n;
	const char *zone;
	char name[16];
	int level;

	for (level = 1; level <= ONCALL_LEVELS; level++) {
		o = cJSON_CreateObject();
		snprintf(name, sizeof name, "L%d", level);
		cJSON_AddNumberToObject(o, "level", level);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddBoolToObject(o, "configured", oncall_configured(oc, level));
		zone = oncall_zone(cfg, level);
		cJSON_AddStringToObject(o, "zone", zone != NULL ? zone : "");
		if (oncall_who(oc, level, at, &sh) == 1)
			cJSON_AddStringToObject(o, "user", sh.user);
		else
			cJSON_AddNullToObject(o, "user");
		cJSON_AddNumberToObject(o, "since", (double)sh.start);
		cJSON_AddNumberToObject(o, "until", (double)sh.end);
		if (sh.override != 0) {
			cJSON_AddNumberToObject(o, "override", (double)sh.override);
			if (sh.for_user != NULL)
				cJSON_AddStringToObject(o, "for", sh.for_user);
		}
		if (sh.end != 0) {
			n = cJSON_AddObjectToObject(o, "next");
			if (oncall_next(oc, level, at, &nx) == 1)
				cJSON_AddStringToObject(n, "user", nx.user);
			else
				cJSON_AddNullToObject(n, "user");
			cJSON_AddNumberToObject(n, "from", (double)sh.end);
			if (nx.override != 0)
				cJSON_AddNumberToObject(n, "override", (double)nx.override);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

char *
oncall_warning(const struct oncall *oc, const struct config *cfg, time_t at)
{
	struct oncall_shift sh;
	struct buf b;
	char *s;
	int level, n = 0;

	if (!oncall_in_use(cfg))
		return NULL;
	buf_init(&b);
	for (level = 1; level <= ONCALL_LEVELS; level++) {
		if (oncall_who(oc, level, at, &sh) == 1)
			continue;
		buf_printf(&b, "%sL%d", n++ > 0 ? ", " : "", level);
	}
	s = n > 0 ? xprintf("on call: nobody for %s (add [oncall.Lx] or an override)", b.data) :
	    NULL;
	buf_free(&b);
	return s;
}

/* Appends one content line: folded at 75 octets (never inside a UTF-8 sequence), CRLF. */
static void
ical_line(struct buf *b, const char *line)
{
	size_t len = strlen(line), col = 0, n;

	while (len > 0) {
		n = len;
		if (col + n > ICAL_FOLD) {
			n = ICAL_FOLD - col;
			while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
				n--;
			if (n == 0)	/* not UTF-8: cut anywhere rather than loop */
				n = ICAL_FOLD - col;
		}
		buf_add(b, line, n);
		line += n;
		len -= n;
		if (len > 0) {
			buf_addstr(b, "\r\n ");
			col = 1;
		}
	}
	buf_addstr(b, "\r\n");
}

/* A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped;
   other controls dropped. */
static void
ical_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ';' || *s == ',') {
			buf_addch(b, '\\');
			buf_addch(b, *s);
		} else if (*s == '\n')
			buf_addstr(b, "\\n");
		else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			buf_addch(b, *s);
	}
}

static void
ical_time(char *out, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y%m%dT%H%M%SZ", &tm);
}

static void
ical_event(struct buf *b, int level, const struct oncall_shift *sh, const char *stamp,
    const char *uid_domain)
{
	struct buf l;
	char start[32], end[32];

	ical_time(start, sizeof start, sh->start);
	ical_time(end, sizeof end, sh->end);
	buf_init(&l);
	ical_line(b, "BEGIN:VEVENT");
	buf_printf(&l, "UID:oncall-L%d-%s@", level, start);
	ical_text(&l, uid_domain);
	ical_line(b, l.data);
	buf_reset(&l);
	buf_printf(&l, "DTSTAMP:%s", stamp);
	ical_line(b, l.data);
	buf_reset(&l);
	buf_printf(&l, "DTSTART:%s", start);
	ical_line(b, l.data);
	buf_reset(&l);
	buf_printf(&l, "DTEND:%s", end);
	ical_line(b, l.data);
	buf_reset(&l);
	buf_printf(&l, "SUMMARY:On call L%d: ", level);
	ical_text(&l, sh->user);
	ical_line(b, l.data);
	if (sh->override != 0) {
		buf_reset(&l);
		buf_printf(&l, "DESCRIPTION:Override %lld", sh->override);
		if (sh->for_user != NULL) {
			buf_addstr(&l, " for ");
			ical_text(&l, sh->for_user);
		}
		ical_line(b, l.data);
	}
	ical_line(b, "TRANSP:TRANSPARENT");
	ical_line(b, "END:VEVENT");
	buf_free(&l);
}

char *
oncall_ical(const struct oncall *oc, time_t from, time_t to, time_t now,
    const char *name, const char *uid_domain, int *count)
{
	struct oncall_shift sh;
	struct buf b, l;
	char stamp[32];
	time_t t;
	int level, n = 0;

	ical_time(stamp, sizeof stamp, now);
	buf_init(&b);
	ical_line(&b, "BEGIN:VCALENDAR");
	ical_line(&b, "VERSION:2.0");
	ical_line(&b, "PRODID:-//Leitstand//On call//EN");
	ical_line(&b, "CALSCALE:GREGORIAN");
	ical_line(&b, "METHOD:PUBLISH");
	buf_init(&l);
	buf_addstr(&l, "X-WR-CALNAME:");
	ical_text(&l, name);
	ical_line(&b, l.data);
	buf_free(&l);
	for (level = 1; level <= ONCALL_LEVELS; level++) {
		for (t = from; t < to && n < ONCALL_MAX_EVENTS; t = sh.end) {
			if (oncall_who(oc, level, t, &sh) == 1) {
				ical_event(&b, level, &sh, stamp, uid_domain);
				n++;
			}
			if (sh.end == 0 || sh.end <= t)
				break;
		}
	}
	ical_line(&b, "END:VCALENDAR");
	*count = n;
	return buf_take(&b);
}
