/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/dialect.h"
#include "backend/notify-format.h"
#include "backend/options-table.h"
#include "backend/path.h"
#include "backend/problems.h"
#include "backend/sshsig.h"
#include "backend/tz.h"
#include "backend/xmalloc.h"

/* Longest line of a config file (a PromQL query fits easily). */
#define CONFIG_MAX_LINE		8192
#define CONFIG_MAX_LINE_TEXT	"8192"
#define CONFIG_MAX_PROBLEMS	50	/* shown; the rest are counted */

/* data/leitstand.ini, compiled in by the Makefile. */
extern const char	config_builtin[];
extern const size_t	config_builtin_len;

/* State of one file being parsed: inih does not pass line numbers, so the reader counts them. */
struct parse {
	struct config	*cfg;
	FILE		*f;
	const char	*file;
	char		*dir;		/* for relative paths; NULL for the built-in file */
	int		 line;
	int		 section_line;	/* line of the last [section] header */
	int		 bad_section_line;
	const char	*bad_section_why;	/* what is wrong with its name */
	char		*linebuf;
	size_t		 linecap;
	struct buf	 seen;		/* "section.key\n" of every key set, for "set twice" */
	struct problems	*problems;
	const struct option_def *secret;	/* the first secret set literally in this file */
};

static void
parse_error(struct parse *p, const char *section, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports a problem at the current line of a file. */
static void
parse_error(struct parse *p, const char *section, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (key != NULL)
		problems_add(p->problems, p->file, (size_t)p->line, "%s.%s: %s", section, key,
		    msg);
	else
		problems_add(p->problems, p->file, (size_t)p->line, "%s", msg);
	free(msg);
}

static void
namelist_free(struct namelist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Splits "alice, @oncall bob" on commas and blanks. Returns NULL or what is wrong. */
static const char *
namelist_parse(struct namelist *l, const char *value)
{
	const char *p = value, *start;
	size_t len, i;

	namelist_free(l);
	while (*p != '\0') {
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		len = (size_t)(p - start);
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)start[i];
			if (c < 0x21 || c == 0x7f || (c == '@' && i > 0))
				return "names may not contain control characters or an inner @";
		}
		if (len == 1 && *start == '@')
			return "a lone @ names no group";
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		l->v[l->n++] = xstrndup(start, len);
	}
	return NULL;
}

int
namelist_match(const struct namelist *l, const char *user, char *const *groups)
{
	size_t i;
	char *const *g;

	for (i = 0; i < l->n; i++) {
		if (l->v[i][0] != '@') {
			if (user != NULL && strcmp(l->v[i], user) == 0)
				return 1;
			continue;
		}
		for (g = groups; g != NULL && *g != NULL; g++) {
			if (strcmp(l->v[i] + 1, *g) == 0)
				return 1;
		}
	}
	return 0;
}

static char *
resolve_path(const char *dir, const char *value)
{
	const char *home;

	if (value[0] == '/' || dir == NULL)
		return xstrdup(value);
	if (value[0] == '~' && value[1] == '/' && (home = getenv("HOME")) != NULL)
		return xprintf("%s%s", home, value + 1);
	return xprintf("%s/%s", dir, value);
}

/* Parses 90, 90s, 15m, 2h, 1d into seconds; returns -1 if it is none of them. */
static long long
parse_duration(const char *value)
{
	long long n, unit = 1;
	char *end;

	errno = 0;
	n = strtoll(value, &end, 10);
	if (errno != 0 || end == value || n < 0)
		return -1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		unit = 60, end++;
	else if (*end == 'h')
		unit = 3600, end++;
	else if (*end == 'd')
		unit = 86400, end++;
	if (*end != '\0' || n > LLONG_MAX / unit)
		return -1;
	return n * unit;
}

/* Sets one option from its text into the struct at base; returns NULL or why it is wrong. */
static const char *
option_set(void *base, const struct option_def *o, const char *value, const char *dir,
    char *why, size_t whylen)
{
	void *field = (char *)base + o->offset;
	char **str = field;
	long long n;
	double d;
	char *end;
	size_t i;

	switch (o->type) {
	case OPT_STRING:
		for (i = 0; value[i] != '\0'; i++) {
			if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
				return "control characters are not allowed";
		}
		free(*str);
		*str = xstrdup(value);
		return NULL;
	case OPT_URL:
		if (*value != '\0' && strncmp(value, "http://", 7) != 0 &&
		    strncmp(value, "https://", 8) != 0)
			return "must start with http:// or https://";
		if (strpbrk(value, " \t\r\n\x7f") != NULL)
			return "a URL may not contain blanks or control characters";
		free(*str);
		*str = xstrdup(value);
		return NULL;
	case OPT_PATH:
		if (*value == '\0' && (o->flags & OPT_EMPTY)) {
			free(*str);
			*str = NULL;
			return NULL;
		}
		if (*value == '\0')
			return "a path may not be empty";
		free(*str);
		*str = resolve_path(dir, value);
		return NULL;
	case OPT_INT:
		errno = 0;
		n = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < o->min || n > o->max) {
			snprintf(why, whylen, "\"%s\" is not an integer from %lld to %lld",
			    value, o->min, o->max);
			return why;
		}
		*(long long *)field = n;
		return NULL;
	case OPT_NUMBER:
		if (*value == '\0') {
			*(double *)field = NAN;
			return NULL;
		}
		errno = 0;
		d = strtod(value, &end);
		if (errno != 0 || end == value || *end != '\0' || !isfinite(d)) {
			snprintf(why, whylen, "\"%s\" is not a number%s", value,
			    *end == ',' ? " (the decimal separator is a point)" : "");
			return why;
		}
		*(double *)field = d;
		return NULL;
	case OPT_DURATION:
		n = parse_duration(value);
		if (n < o->min || n > o->max) {
			snprintf(why, whylen, "\"%s\" is not a duration from %llds to %llds "
			    "(e.g. 30s, 5m, 1h)", value, o->min, o->max);
			return why;
		}
		*(long long *)field = n;
		return NULL;
	case OPT_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
		    strcmp(value, "on") == 0 || strcmp(value, "1") == 0)
			*(int *)field = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
		    strcmp(value, "off") == 0 || strcmp(value, "0") == 0)
			*(int *)field = 0;
		else {
			snprintf(why, whylen, "\"%s\" is not yes or no", value);
			return why;
		}
		return NULL;
	case OPT_CHOICE:
		for (i = 0; o->choices[i] != NULL; i++) {
			if (strcmp(value, o->choices[i]) == 0) {
				free(*str);
				*str = xstrdup(value);
				return NULL;
			}
		}
		snprintf(why, whylen, "\"%s\" is not one of", value);
		for (i = 0; o->choices[i] != NULL; i++) {
			strncat(why, i == 0 ? " " : ", ", whylen - strlen(why) - 1);
			strncat(why, o->choices[i], whylen - strlen(why) - 1);
		}
		return why;
	case OPT_NAMES:
		return namelist_parse(field, value);
	case OPT_HEADERS:
		break;	/* config_handler: it needs the file's state */
	}
	return "unknown option type";
}

/* Syntax inih would reject, checked here so every bad line is reported with its number. */
static const char *
config_syntax(const char *line)
{
	const char *eq;

	line += strspn(line, " \t");
	if (*line == '\0' || *line == '\n' || *line == ';' || *line == '#')
		return NULL;
	if (*line == '[')
		return strchr(line, ']') != NULL ? NULL : "syntax error: [section] lacks its ]";
	eq = strpbrk(line, "=:");
	if (eq == NULL)
		return "syntax error: expected [section] or key = value";
	if (eq == line)
		return "syntax error: a value without a key";
	return NULL;
}

/*
 * Hands inih one line at a time. Lines inih must not see (too long, NUL bytes, bad syntax)
 * are reported here, with their true line number, and replaced by a blank line.
 */
static char *
config_reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *err;
	ssize_t n;
	size_t len;

	if ((n = getline(&p->linebuf, &p->linecap, p->f)) < 0)
		return NULL;
	p->line++;
	len = (size_t)n;
	if (len > 0 && p->linebuf[len - 1] == '\n')
		len--;
	if (len > CONFIG_MAX_LINE || (int)len + 2 > num)
		err = "line is longer than " CONFIG_MAX_LINE_TEXT " bytes";
	else if (memchr(p->linebuf, '\0', len) != NULL)
		err = "line contains a NUL byte";
	else
		err = config_syntax(p->linebuf);
	if (err != NULL) {
		parse_error(p, NULL, NULL, "%s", err);
		strcpy(str, "\n");
		return str;
	}
	if (p->linebuf[strspn(p->linebuf, " \t")] == '[')
		p->section_line = p->line;
	memcpy(str, p->linebuf, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* The [kpi.NAME] entry, created with its fixed defaults on first use. */
static struct kpi_def *
kpi_instance(struct config *cfg, const char *name, const char *where)
{
	struct kpi_def *k;
	size_t i;

	for (i = 0; i < cfg->nkpis; i++) {
		if (strcmp(cfg->kpis[i].name, name) == 0)
			return &cfg->kpis[i];
	}
	cfg->kpis = xreallocarray(cfg->kpis, cfg->nkpis + 1, sizeof *cfg->kpis);
	k = &cfg->kpis[cfg->nkpis++];
	memset(k, 0, sizeof *k);
	k->name = xstrdup(name);
	k->enabled = 1;
	k->kind_name = xstrdup("query");
	k->direction = xstrdup("above");
	k->warn = k->crit = k->sev1 = NAN;
	k->precision = 2;
	k->where = xstrdup(where);
	return k;
}

static struct price_def *
price_instance(struct config *cfg, const char *model, const char *where)
{
	struct price_def *pr;
	size_t i;

	for (i = 0; i < cfg->nprices; i++) {
		if (strcmp(cfg->prices[i].model, model) == 0)
			return &cfg->prices[i];
	}
	cfg->prices = xreallocarray(cfg->prices, cfg->nprices + 1, sizeof *cfg->prices);
	pr = &cfg->prices[cfg->nprices++];
	memset(pr, 0, sizeof *pr);
	pr->model = xstrdup(model);
	pr->input = pr->output = NAN;
	pr->where = xstrdup(where);
	return pr;
}

/* The [oncall.Lx] entry, created with its defaults on first use. */
static struct oncall_def *
oncall_instance(struct config *cfg, int level, const char *where)
{
	struct oncall_def *oc;
	size_t i;

	for (i = 0; i < cfg->noncalls; i++) {
		if (cfg->oncalls[i].level == level)
			return &cfg->oncalls[i];
	}
	cfg->oncalls = xreallocarray(cfg->oncalls, cfg->noncalls + 1, sizeof *cfg->oncalls);
	oc = &cfg->oncalls[cfg->noncalls++];
	memset(oc, 0, sizeof *oc);
	oc->level = level;
	oc->handoff = xstrdup("09:00");
	oc->length = xstrdup("weekly");
	oc->timezone = xstrdup("");
	oc->start = xstrdup(ONCALL_DEFAULT_START);
	oc->where = xstrdup(where);
	return oc;
}

/* The [rollout.NAME] entry: everything [rollout]'s until it says otherwise. */
static struct rollout_def *
rollout_instance(struct config *cfg, const char *name, const char *where)
{
	struct rollout_def *r;
	size_t i;

	for (i = 0; i < cfg->nrollouts; i++) {
		if (strcmp(cfg->rollouts[i].assistant, name) == 0)
			return &cfg->rollouts[i];
	}
	cfg->rollouts = xreallocarray(cfg->rollouts, cfg->nrollouts + 1, sizeof *cfg->rollouts);
	r = &cfg->rollouts[cfg->nrollouts++];
	memset(r, 0, sizeof *r);
	r->assistant = xstrdup(name);
	r->interval = r->threshold = r->min_requests = -1;
	r->where = xstrdup(where);
	return r;
}

/* The [user.NAME] entry, created with its defaults on first use. */
static struct user_def *
user_instance(struct config *cfg, const char *name, const char *where)
{
	struct user_def *u;
	size_t i;

	for (i = 0; i < cfg->nusers; i++) {
		if (strcmp(cfg->users[i].name, name) == 0)
			return &cfg->users[i];
	}
	cfg->users = xreallocarray(cfg->users, cfg->nusers + 1, sizeof *cfg->users);
	u = &cfg->users[cfg->nusers++];
	memset(u, 0, sizeof *u);
	u->name = xstrdup(name);
	u->quiet_from = u->quiet_to = -1;
	u->where = xstrdup(where);
	return u;
}

/* "HH:MM" into minutes after midnight; -1 if it is not one. */
static int
oncall_handoff(const char *s)
{
	if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	if ((s[0] - '0') * 10 + s[1] - '0' > 23 || s[3] > '5')
		return -1;
	return ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 + s[4] - '0';
}

/* daily, weekly or 1-366 into days; -1 if none of them. */
static int
oncall_length(const char *s)
{
	char *end;
	long n;

	if (strcmp(s, "daily") == 0)
		return 1;
	if (strcmp(s, "weekly") == 0)
		return 7;
	if (!isdigit((unsigned char)*s))
		return -1;
	n = strtol(s, &end, 10);
	return *end == '\0' && n >= 1 && n <= 366 ? (int)n : -1;
}

/* "YYYY-MM-DD" into days since 1970-01-01; 0 and *ok = 0 if it is not a date. */
static long long
oncall_date(const char *s, int *ok)
{
	int y, m, d, n = 0;

	*ok = strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10 &&
	    isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[8]) && tz_date_ok(y, m, d);
	return *ok ? tz_days(y, m, d) : 0;
}

/* What single keys of [oncall.Lx] can say is wrong, at their line; NULL if nothing. */
static const char *
oncall_key_check(struct oncall_def *oc, const char *key, char *why, size_t whylen)
{
	const char *err;
	size_t i;
	int ok;

	if (strcmp(key, "participants") == 0) {
		for (i = 0; i < oc->participants.n; i++) {
			const char *u = oc->participants.v[i];

			if (*u == '@') {
				snprintf(why, whylen, "%.64s: participants are users, not groups", u);
				return why;
			}
			if (getpwnam(u) == NULL) {
				snprintf(why, whylen, "unknown user \"%.64s\": no local account of "
				    "that name", u);
				return why;
			}
		}
	} else if (strcmp(key, "handoff") == 0 && oncall_handoff(oc->handoff) < 0) {
		snprintf(why, whylen, "\"%.64s\" is not a time of day HH:MM (00:00 to 23:59)",
		    oc->handoff);
		return why;
	} else if (strcmp(key, "length") == 0 && oncall_length(oc->length) < 0) {
		snprintf(why, whylen, "\"%.64s\" is not daily, weekly or a number of days "
		    "from 1 to 366", oc->length);
		return why;
	} else if (strcmp(key, "timezone") == 0 && *oc->timezone != '\0' &&
	    (err = tz_check(oc->timezone)) != NULL) {
		snprintf(why, whylen, "\"%.64s\": %s", oc->timezone, err);
		return why;
	} else if (strcmp(key, "start") == 0) {
		(void)oncall_date(oc->start, &ok);
		if (!ok) {
			snprintf(why, whylen, "\"%.64s\" is not a date YYYY-MM-DD (1970 to 9999)",
			    oc->start);
			return why;
		}
	}
	return NULL;
}

/* What single keys of [user.NAME] can say is wrong, at their line; NULL if nothing. */
static const char *
user_key_check(struct user_def *u, const char *key, char *why, size_t whylen)
{
	const char *err = NULL, *value = NULL;
	size_t i;

	if (strcmp(key, "email") == 0)
		err = notify_address_check(value = u->email);
	else if (strcmp(key, "slack") == 0 || strcmp(key, "teams") == 0 ||
	    strcmp(key, "webhook") == 0) {
		value = key[0] == 's' ? u->slack : key[0] == 't' ? u->teams : u->webhook;
		/* The URL is a secret: never shown. */
		if ((err = notify_url_check(value)) != NULL) {
			snprintf(why, whylen, "%s", err);
			return why;
		}
	} else if (strcmp(key, "channels") == 0) {
		for (i = 0; i < u->channels.n; i++) {
			if (notify_channel_parse(u->channels.v[i]) < 0) {
				snprintf(why, whylen, "unknown channel \"%.64s\": the channels are "
				    "email, slack, teams, webhook and command", u->channels.v[i]);
				return why;
			}
		}
	} else if (strcmp(key, "quiet_hours") == 0 && *u->quiet_hours != '\0') {
		if (notify_quiet_parse(u->quiet_hours, &u->quiet_from, &u->quiet_to) != 0) {
			snprintf(why, whylen, "\"%.64s\" is not HH:MM-HH:MM (e.g. 22:00-07:00, "
			    "two different times of day)", u->quiet_hours);
			return why;
		}
	} else if (strcmp(key, "timezone") == 0 && *u->timezone != '\0' &&
	    (err = tz_check(u->timezone)) != NULL) {
		snprintf(why, whylen, "\"%.64s\": %s", u->timezone, err);
		return why;
	} else if (strcmp(key, "phone") == 0 && *u->phone != '\0' &&
	    strspn(u->phone, "+0123456789 -/()") != strlen(u->phone)) {
		snprintf(why, whylen, "\"%.64s\" is not a phone number (digits, a leading +, "
		    "blanks, - / ( ))", u->phone);
		return why;
	}
	if (err != NULL) {
		snprintf(why, whylen, "\"%.64s\": %s", value, err);
		return why;
	}
	return NULL;
}

/* What single keys of [notify] can say is wrong, at their line; NULL if nothing. */
static const char *
notify_key_check(const struct config *cfg, const char *key, char *why, size_t whylen)
{
	const char *err = NULL, *value = NULL;
	char *cause = NULL;

	if (strcmp(key, "smtp_url") == 0 && *cfg->notify_smtp_url != '\0')
		err = notify_smtp_url_check(value = cfg->notify_smtp_url);
	else if (strcmp(key, "from") == 0 && *cfg->notify_from != '\0')
		err = notify_address_check(value = cfg->notify_from);
	else if (strcmp(key, "host") == 0 && strspn(cfg->notify_host, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_@:[]") != strlen(cfg->notify_host)) {
		value = cfg->notify_host;
		err = "not a host name (letters, digits and . - _, or user@host)";
	}
	else if (strcmp(key, "command") == 0 && *cfg->notify_command != '\0') {
		if (notify_command_check(cfg->notify_command, &cause) != 0) {
			snprintf(why, whylen, "%s", cause);
			free(cause);
			return why;
		}
	}
	if (err != NULL) {
		snprintf(why, whylen, "\"%.64s\": %s", value, err);
		return why;
	}
	return NULL;
}

/* A KPI name or model in a section header: letters, digits and . _ : - only; a model may
   end in * (a prefix). */
static int
instance_name_ok(const char *s, int prefix)
{
	if (*s == '\0' || strlen(s) > 128)
		return 0;
	for (; *s != '\0'; s++) {
		if (prefix && s[0] == '*' && s[1] == '\0')
			break;
		if (!isalnum((unsigned char)*s) && strchr("._:-", *s) == NULL)
			return 0;
	}
	return 1;
}

/* Resolves a section to its table name ("kpi.*") and the struct its keys go into. */
static void *
section_base(struct parse *p, const char *section, const char **table_section)
{
	struct kpi_def *k = NULL;
	struct price_def *pr = NULL;
	struct oncall_def *oc;
	struct user_def *u;
	char where[512], **slot;
	const char *name;

	snprintf(where, sizeof where, "%s:%d", p->file, p->section_line);
	p->bad_section_why = NULL;
	if (strncmp(section, "oncall.", 7) == 0) {
		name = section + 7;
		if (name[0] != 'L' || name[1] < '1' || name[1] > '0' + ONCALL_LEVELS ||
		    name[2] != '\0') {
			p->bad_section_why = "the escalation levels are L1, L2 and L3";
			return NULL;
		}
		*table_section = "oncall.*";
		oc = oncall_instance(p->cfg, name[1] - '0', where);
		free(oc->where);
		oc->where = xstrdup(where);
		return oc;
	}
	if (strncmp(section, "rollout.", 8) == 0) {
		name = section + 8;
		if (*name == '\0' || strlen(name) > 64 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(name) || *name == '.') {
			p->bad_section_why = "not an assistant's name (letters, digits, . _ -)";
			return NULL;
		}
		*table_section = "rollout.*";
		return rollout_instance(p->cfg, name, where);
	}
	if (strncmp(section, "user.", 5) == 0) {
		name = section + 5;
		if (*name == '\0' || strlen(name) > 64 || getpwnam(name) == NULL) {
			p->bad_section_why = "unknown user: no local account of that name";
			return NULL;
		}
		*table_section = "user.*";
		u = user_instance(p->cfg, name, where);
		free(u->where);
		u->where = xstrdup(where);
		return u;
	}
	if (strncmp(section, "kpi.", 4) == 0 || strncmp(section, "price.", 6) == 0) {
		name = strchr(section, '.') + 1;
		if (!instance_name_ok(name, section[0] == 'p'))
			return NULL;
		if (section[0] == 'k') {
			*table_section = "kpi.*";
			k = kpi_instance(p->cfg, name, where);
			slot = &k->where;
		} else {
			*table_section = "price.*";
			pr = price_instance(p->cfg, name, where);
			slot = &pr->where;
		}
		/* Errors about the section point at the last file that changed it. */
		free(*slot);
		*slot = xstrdup(where);
		return section[0] == 'k' ? (void *)k : (void *)pr;
	}
	*table_section = section;
	return p->cfg;
}

/* Secrets: "env:NAME" reads the daemon's environment; a literal is remembered for the
   permission check of the file. */
static const char *
secret_value(struct parse *p, const struct option_def *o, const char *value, char *why,
    size_t whylen)
{
	const char *env;

	if (strncmp(value, "env:", 4) != 0) {
		if (*value != '\0' && p->secret == NULL)
			p->secret = o;
		return value;
	}
	if ((env = getenv(value + 4)) == NULL) {
		snprintf(why, whylen, "environment variable %.64s is not set", value + 4);
		return NULL;
	}
	return env;
}

/* An HTTP header name: a token of RFC 9110. */
static int
header_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr("!#$%&'*+-.^_`|~", s[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * "Name: value; Name: value" into a list of "Name: value". Every value is a secret (an
 * Authorization or API-key header as often as not): "env:NAME" reads the environment, a
 * literal one makes the file subject to the permission check. NULL or why it is wrong.
 */
static const char *
headers_parse(struct parse *p, const struct option_def *o, struct namelist *l,
    const char *value, char *why, size_t whylen)
{
	char *copy = xstrdup(value), *h, *save, *colon, *end, *env;
	const char *v, *err = NULL;
	size_t i, n = 0;

	namelist_free(l);
	for (h = strtok_r(copy, ";", &save); h != NULL; h = strtok_r(NULL, ";", &save)) {
		h += strspn(h, " \t");
		end = h + strlen(h);
		while (end > h && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*h == '\0')
			continue;
		n++;
		/* Never shown: what is there may be a secret. */
		if ((colon = strchr(h, ':')) == NULL || !header_name_ok(h, (size_t)(colon - h))) {
			snprintf(why, whylen, "header %zu is not Name: value (a name without "
			    "blanks, a colon, the value or env:NAME)", n);
			err = why;
			break;
		}
		*colon = '\0';
		v = env = colon + 1 + strspn(colon + 1, " \t");
		if (strncmp(env, "env:", 4) == 0 && (v = getenv(env + 4)) == NULL) {
			snprintf(why, whylen, "header %.64s: environment variable %.64s is not set",
			    h, env + 4);
			err = why;
			break;
		}
		for (i = 0; v[i] != '\0' && (unsigned char)v[i] >= 0x20 && v[i] != 0x7f; i++)
			;
		if (v[i] != '\0') {
			snprintf(why, whylen, "header %.64s: %s holds a control character", h,
			    v == env ? "the value" : "its environment variable");
			err = why;
			break;
		}
		if (v == env && *v != '\0' && p->secret == NULL)
			p->secret = o;
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		l->v[l->n++] = xprintf("%s: %s", h, v);
	}
	free(copy);
	return err;
}

static int
config_handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	const struct option_def *o;
	const char *table_section = NULL, *err;
	char why[256], seen[512];
	void *base;
	size_t i;
	int known_section = 0;

	if ((base = section_base(p, section, &table_section)) == NULL) {
		/* Once per section, at its header. */
		if (p->bad_section_line != p->section_line) {
			int line = p->line;

			p->bad_section_line = p->line = p->section_line;
			if (p->bad_section_why != NULL)
				parse_error(p, NULL, NULL, "section [%.64s]: %s", section,
				    p->bad_section_why);
			else
				parse_error(p, NULL, NULL, "section [%s]: the name after the dot "
				    "may hold only letters, digits and . _ : -", section);
			p->line = line;
		}
		return 1;
	}
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (strcmp(o->section, table_section) != 0)
			continue;
		known_section = 1;
		if (strcmp(o->key, key) != 0)
			continue;
		snprintf(seen, sizeof seen, "\n%s.%s\n", section, key);
		if (strstr(p->seen.data, seen) != NULL) {
			parse_error(p, section, key, "set twice");
			return 1;
		}
		buf_addstr(&p->seen, seen + 1);
		if (o->type == OPT_HEADERS) {
			if ((err = headers_parse(p, o, (void *)((char *)base + o->offset), value,
			    why, sizeof why)) != NULL)
				parse_error(p, section, key, "%s", err);
			return 1;
		}
		if ((o->flags & OPT_SECRET) &&
		    (value = secret_value(p, o, value, why, sizeof why)) == NULL) {
			parse_error(p, section, key, "%s", why);
			return 1;
		}
		if ((err = option_set(base, o, value, p->dir, why, sizeof why)) != NULL)
			parse_error(p, section, key, "%s", err);
		else if (o->scope == OPT_ONCALL &&
		    (err = oncall_key_check(base, key, why, sizeof why)) != NULL)
			parse_error(p, section, key, "%s", err);
		else if (o->scope == OPT_USER &&
		    (err = user_key_check(base, key, why, sizeof why)) != NULL)
			parse_error(p, section, key, "%s", err);
		else if (strcmp(table_section, "notify") == 0 &&
		    (err = notify_key_check(p->cfg, key, why, sizeof why)) != NULL)
			parse_error(p, section, key, "%s", err);
		else if (strcmp(table_section, "prompts") == 0 &&
		    strcmp(key, "feedback_url") == 0 && *p->cfg->feedback_url != '\0' &&
		    (err = notify_url_check(p->cfg->feedback_url)) != NULL)
			parse_error(p, section, key, "%s", strstr(err, "credentials") == NULL ? err :
			    "credentials in the URL (user:password@) are refused: the URL is shown "
			    "in replies and errors");
		return 1;
	}
	if (!known_section)
		parse_error(p, NULL, NULL, "unknown section [%s]", section);
	else
		parse_error(p, section, key, "unknown key");
	return 1;
}

char *
config_private_socket(const char *name)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");

	if (rt != NULL && *rt == '/')
		return xprintf("%s/leitstand/%s.sock", rt, name);
	return xprintf("/tmp/leitstand-%ld/%s.sock", (long)getuid(), name);
}

static char *
default_data_dir(const char *name)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (xdg != NULL && *xdg == '/')
		return xprintf("%s/%s", xdg, name);
	if (home != NULL && *home == '/')
		return xprintf("%s/.local/share/%s", home, name);
	return xprintf("/tmp/leitstand-%ld/%s", (long)getuid(), name);
}

/* What ships with the binary: share/leitstand/NAME beside an installed binary's bin/, else
   SOURCE beside the binary (a source tree). */
static char *
default_shipped_dir(const char *name, const char *source)
{
	char exe[4096], *dir, *parent, *path;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) <= 0)
		return xstrdup(source);
	exe[n] = '\0';
	dir = path_dir(exe);
	parent = path_dir(dir);
	path = xprintf("%s/share/leitstand/%s", parent, name);
	if (access(path, F_OK) != 0) {
		free(path);
		path = xprintf("%s/%s", dir, source);
	}
	free(parent);
	free(dir);
	return path;
}

void
config_demo(struct config *cfg)
{
	free(cfg->socket);
	free(cfg->group);
	free(cfg->data_dir);
	free(cfg->name);
	free(cfg->environment);
	cfg->socket = config_private_socket("demo");
	cfg->group = NULL;
	cfg->data_dir = default_data_dir("leitstand-demo");
	free(cfg->prompt_repo);
	cfg->prompt_repo = xprintf("%s/prompts.git", cfg->data_dir);
	free(cfg->checkpoint_key);
	cfg->checkpoint_key = xprintf("%s/audit.key", cfg->data_dir);
	cfg->name = xstrdup("Demo Assistant");
	cfg->environment = xstrdup("simulated");
}

char *
config_find(const char *arg)
{
	const char *env, *home;
	char *path;

	if (arg != NULL)
		return xstrdup(arg);
	if ((env = getenv("LEITSTAND_CONFIG")) != NULL && *env != '\0')
		return xstrdup(env);
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		path = xprintf("%s/leitstand/leitstand.ini", env);
	else if ((home = getenv("HOME")) != NULL && *home == '/')
		path = xprintf("%s/.config/leitstand/leitstand.ini", home);
	else
		path = NULL;
	if (path != NULL && access(path, F_OK) == 0)
		return path;
	free(path);
	if (access("/etc/leitstand/leitstand.ini", F_OK) == 0)
		return xstrdup("/etc/leitstand/leitstand.ini");
	return NULL;
}

/* Parses one file (or the built-in text) on top of what cfg holds already. */
static void
config_parse(struct config *cfg, FILE *f, const char *file, const char *dir,
    struct problems *problems, const struct option_def **secret)
{
	struct parse p;
	int rc;

	memset(&p, 0, sizeof p);
	p.cfg = cfg;
	p.f = f;
	p.file = file;
	p.dir = dir != NULL ? xstrdup(dir) : NULL;
	p.problems = problems;
	buf_init(&p.seen);
	buf_addch(&p.seen, '\n');

	ini_allow_multiline = 0;
	ini_use_stack = 0;
	ini_allow_realloc = 0;
	ini_initial_alloc = CONFIG_MAX_LINE + 3;
	ini_max_line = CONFIG_MAX_LINE + 3;
	rc = ini_parse_stream(config_reader, &p, config_handler, &p);
	if (rc > 0) {
		p.line = rc;
		parse_error(&p, NULL, NULL, "syntax error");
	} else if (rc < 0)
		parse_error(&p, NULL, NULL, "out of memory reading the file");
	*secret = p.secret;
	free(p.dir);
	free(p.linebuf);
	buf_free(&p.seen);
}

/* "L1, L2" as bits 1 << level; -1 for anything else. */
static int
escalation_mask(const char *s, unsigned *mask)
{
	*mask = 0;
	while (*s != '\0') {
		s += strspn(s, " ,\t");
		if (*s == '\0')
			break;
		if ((s[0] != 'L' && s[0] != 'l') || s[1] < '1' || s[1] > '3' ||
		    (s[2] != '\0' && strchr(" ,\t", s[2]) == NULL))
			return -1;
		*mask |= 1u << (s[1] - '0');
		s += 2;
	}
	return 0;
}

/* The levels paged per severity, and the names a trigger may give. */
static void
escalation_check(struct config *cfg, struct problems *problems)
{
	const char *v;
	size_t t, i;
	int s;

	for (s = 0; s < 4; s++) {
		v = cfg->escalation_levels[s] != NULL ? cfg->escalation_levels[s] : "";
		if (escalation_mask(v, &cfg->escalation_mask[s]) != 0)
			problems_add(problems, NULL, 0, "escalation.sev%d: \"%s\" is not a list of "
			    "levels L1, L2, L3", s + 1, v);
	}
	for (t = 0; t < TRIGGER_COUNT; t++) {
		for (i = 0; i < cfg->trigger[t].n; i++) {
			v = cfg->trigger[t].v[i];
			if (v[0] == 'L' && v[1] >= '1' && v[1] <= '3' && v[2] == '\0')
				continue;
			if (v[0] != '@' && getpwnam(v) == NULL)
				problems_add(problems, NULL, 0, "triggers: %s: no such user (give "
				    "L1, L2, L3, local users or @groups)", v);
			else if (v[0] == '@' && getgrnam(v + 1) == NULL)
				problems_add(problems, NULL, 0, "triggers: %s: no such group", v);
		}
	}
	for (i = 0; i < cfg->escalation_fallback.n; i++) {
		v = cfg->escalation_fallback.v[i];
		if (v[0] == '@' ? getgrnam(v + 1) == NULL : getpwnam(v) == NULL)
			problems_add(problems, NULL, 0, "escalation.fallback: %s: no such %s", v,
			    v[0] == '@' ? "group" : "user");
	}
}

/* Each [oncall.Lx] needs participants; the keys checked at their lines become its rotation. */
static void
oncall_check(struct config *cfg, struct problems *problems)
{
	struct oncall_def *oc;
	struct oncall_rotation *r;
	size_t i;
	int ok;

	for (i = 0; i < cfg->noncalls; i++) {
		oc = &cfg->oncalls[i];
		r = &oc->rot;
		memset(r, 0, sizeof *r);
		if (oc->participants.n == 0) {
			problems_add(problems, NULL, 0, "%s: oncall.L%d: needs participants "
			    "(participants = alice, bob, ...)", oc->where, oc->level);
			continue;
		}
		r->handoff = oncall_handoff(oc->handoff);
		r->days = oncall_length(oc->length);
		r->start_day = oncall_date(oc->start, &ok);
		r->zone = *oc->timezone != '\0' ? oc->timezone : NULL;
		if (r->handoff < 0 || r->days < 0 || !ok ||
		    (r->zone != NULL && tz_check(r->zone) != NULL))
			continue;	/* reported at the key's line */
		r->users = oc->participants.v;
		r->nusers = oc->participants.n;
	}
}

/* Each [user.NAME]: the channels it names are configured; their order is worked out. */
static void
user_check(struct config *cfg, struct problems *problems)
{
	static const char *const keys[USER_CHANNELS] = {
		"email", "slack", "teams", "webhook", "command = yes"
	};
	struct user_def *u;
	int have[USER_CHANNELS], c, k;
	size_t i, j;

	for (i = 0; i < cfg->nusers; i++) {
		u = &cfg->users[i];
		have[0] = u->email != NULL && *u->email != '\0';
		have[1] = u->slack != NULL && *u->slack != '\0';
		have[2] = u->teams != NULL && *u->teams != '\0';
		have[3] = u->webhook != NULL && *u->webhook != '\0';
		have[4] = u->command;
		u->norder = 0;
		if (u->command && (cfg->notify_command == NULL || *cfg->notify_command == '\0'))
			problems_add(problems, NULL, 0, "%s: user.%s: command = yes needs a "
			    "[notify] command", u->where, u->name);
		if (have[0] && (cfg->notify_smtp_url == NULL || *cfg->notify_smtp_url == '\0'))
			problems_add(problems, NULL, 0, "%s: user.%s: email needs a [notify] "
			    "smtp_url", u->where, u->name);
		if (u->channels.n == 0) {
			for (c = 0; c < USER_CHANNELS; c++) {
				if (have[c])
					u->order[u->norder++] = c;
			}
			continue;
		}
		for (j = 0; j < u->channels.n; j++) {
			if ((c = notify_channel_parse(u->channels.v[j])) < 0)
				continue;	/* reported at its line */
			if (!have[c]) {
				problems_add(problems, NULL, 0, "%s: user.%s: channel %s is not "
				    "configured for the user (set %s)", u->where, u->name,
				    u->channels.v[j], keys[c]);
				continue;
			}
			for (k = 0; k < u->norder; k++) {
				if (u->order[k] == c)
					c = -1;
			}
			if (c < 0)
				problems_add(problems, NULL, 0, "%s: user.%s: channel %s is named "
				    "twice", u->where, u->name, u->channels.v[j]);
			else
				u->order[u->norder++] = c;
		}
	}
}

/* Checks what single keys cannot: KPIs and prices that are complete and consistent. */
/* A policy from the texts of [rollout] and, where it says them, of [rollout.NAME]. */
static void
rollout_policy_make(struct config *cfg, const struct rollout_def *d, struct rollout_policy *p,
    struct problems *problems)
{
	const char *where = d != NULL ? d->where : "", *section = d != NULL ? "rollout." : "rollout";
	const char *name = d != NULL ? d->assistant : "";
	char *cause = NULL;
	int i;

	memset(p, 0, sizeof *p);
	if (rollout_steps_parse(d != NULL && d->steps != NULL ? d->steps : cfg->rollout_steps, p,
	    &cause) != 0) {
		problems_add(problems, NULL, 0, "%s%s%s%s.%s", where, *where ? ": " : "", section,
		    name, cause);
		free(cause);
		cause = NULL;
	}
	p->interval = (long)(d != NULL && d->interval >= 0 ? d->interval : cfg->rollout_interval);
	p->threshold = (int)(d != NULL && d->threshold >= 0 ? d->threshold :
	    cfg->rollout_threshold);
	p->min_requests = (long)(d != NULL && d->min_requests >= 0 ? d->min_requests :
	    cfg->rollout_min_requests);
	for (i = 0; i < RM_COUNT; i++) {
		if (rollout_check_parse(d != NULL && d->check[i] != NULL ? d->check[i] :
		    cfg->rollout_check[i], &p->checks[i], &cause) != 0) {
			problems_add(problems, NULL, 0, "%s%s%s%s.%s: %s", where, *where ? ": " : "",
			    section, name, rollout_metric_names[i], cause);
			free(cause);
			cause = NULL;
		}
	}
}

/* [rollout] and each [rollout.NAME] become the policies a canary gets unless its approver
   says otherwise. */
static void
rollout_check(struct config *cfg, struct problems *problems)
{
	size_t i;

	rollout_policy_make(cfg, NULL, &cfg->rollout, problems);
	for (i = 0; i < cfg->nrollouts; i++)
		rollout_policy_make(cfg, &cfg->rollouts[i], &cfg->rollouts[i].policy, problems);
}

const struct rollout_policy *
config_rollout(const struct config *cfg, const char *assistant)
{
	size_t i;

	for (i = 0; i < cfg->nrollouts; i++) {
		if (strcmp(cfg->rollouts[i].assistant, assistant) == 0)
			return &cfg->rollouts[i].policy;
	}
	return &cfg->rollout;
}

static void
config_check(struct config *cfg, struct problems *problems)
{
	static const char *const kinds[] = {
		"query", "cost_per_request", "spend_today", "spend_month", "forecast"
	};
	const struct {
		const char	*key;
		char *const	*value;
	} cost_keys[] = {
		{ "tokens_metric", &cfg->tokens_metric },
		{ "model_label", &cfg->model_label },
		{ "type_label", &cfg->type_label },
		{ "requests_query", &cfg->requests_query },
	};
	struct kpi_def *k;
	struct price_def *pr;
	size_t i, j;
	char *msg;

	for (i = 0; i < cfg->nkpis; i++) {
		k = &cfg->kpis[i];
		for (j = 0; j < sizeof kinds / sizeof kinds[0]; j++) {
			if (strcmp(k->kind_name, kinds[j]) == 0)
				k->kind = (enum kpi_kind)j;
		}
		k->below = strcmp(k->direction, "below") == 0;
		msg = NULL;
		if (!k->enabled)
			continue;
		if (k->title == NULL || *k->title == '\0')
			msg = xstrdup("needs a title");
		else if (k->unit == NULL)
			msg = xstrdup("needs a unit (an empty one is allowed: unit =)");
		else if (k->kind == KPI_QUERY && (k->query == NULL || *k->query == '\0'))
			msg = xstrdup("kind = query needs a query");
		else if (k->kind == KPI_QUERY && (msg = dialect_check(k->query)) != NULL)
			;
		else if (!isnan(k->warn) && !isnan(k->crit) &&
		    (k->below ? k->warn < k->crit : k->warn > k->crit))
			msg = xprintf("warn %g is beyond crit %g for direction = %s", k->warn,
			    k->crit, k->direction);
		else if (!isnan(k->sev1) && !isnan(k->crit) &&
		    (k->below ? k->sev1 > k->crit : k->sev1 < k->crit))
			msg = xprintf("sev1 %g is not beyond crit %g for direction = %s", k->sev1,
			    k->crit, k->direction);
		if (msg != NULL)
			problems_add(problems, NULL, 0, "%s: kpi.%s: %s", k->where, k->name, msg);
		free(msg);
	}
	for (i = 0; i < cfg->nprices; i++) {
		pr = &cfg->prices[i];
		if (isnan(pr->input) || isnan(pr->output) || pr->input < 0 || pr->output < 0)
			problems_add(problems, NULL, 0, "%s: price.%s: needs input and output "
			    "prices of 0 or more", pr->where, pr->model);
	}
	for (i = 0; i < sizeof cost_keys / sizeof cost_keys[0]; i++) {
		if ((msg = dialect_check(*cost_keys[i].value)) != NULL)
			problems_add(problems, NULL, 0, "cost.%s: %s", cost_keys[i].key, msg);
		free(msg);
	}
	if (cfg->prom_user != NULL && *cfg->prom_user != '\0' &&
	    (cfg->prom_password == NULL || *cfg->prom_password == '\0'))
		problems_add(problems, NULL, 0, "prometheus.user: needs prometheus.password");
	oncall_check(cfg, problems);
	escalation_check(cfg, problems);
	rollout_check(cfg, problems);
	user_check(cfg, problems);
	if (cfg->notify_smtp_user != NULL && *cfg->notify_smtp_user != '\0' &&
	    (cfg->notify_smtp_password == NULL || *cfg->notify_smtp_password == '\0'))
		problems_add(problems, NULL, 0, "notify.smtp_user: needs notify.smtp_password");
}

int
config_load(struct config *cfg, const char *file, char **cause)
{
	struct problems problems;
	struct stat st;
	const struct option_def *secret = NULL;
	char *dir, *list;
	FILE *f;

	memset(cfg, 0, sizeof *cfg);
	problems_init(&problems, CONFIG_MAX_PROBLEMS);
	if ((f = fmemopen((void *)config_builtin, config_builtin_len, "r")) == NULL)
		fatal("fmemopen: %s", strerror(errno));
	config_parse(cfg, f, "(built-in data/leitstand.ini)", NULL, &problems, &secret);
	fclose(f);

	if (file != NULL) {
		if ((f = fopen(file, "r")) == NULL) {
			*cause = xprintf("%s: %s", file, strerror(errno));
			problems_free(&problems);
			config_free(cfg);
			return -1;
		}
		dir = path_dir(file);
		config_parse(cfg, f, file, dir, &problems, &secret);
		/* A secret written into the file is only as safe as the file. */
		if (secret != NULL && fstat(fileno(f), &st) == 0 && (st.st_mode & 077))
			problems_add(&problems, file, 0, "holds a secret (%s) but is readable by "
			    "group or others (mode %03o); chmod 600 it, or use %s = %senv:NAME",
			    secret->key, (unsigned)(st.st_mode & 0777), secret->key,
			    secret->type == OPT_HEADERS ? "Name: " : "");
		fclose(f);
		free(dir);
		cfg->file = xstrdup(file);
	}
	config_check(cfg, &problems);
	if ((list = problems_take(&problems, 0)) != NULL) {
		*cause = list;
		config_free(cfg);
		return -1;
	}
	if (cfg->socket == NULL)
		cfg->socket = config_private_socket("default");
	if (cfg->data_dir == NULL)
		cfg->data_dir = default_data_dir("leitstand");
	if (cfg->playbook_dir == NULL)
		cfg->playbook_dir = default_shipped_dir("playbooks", "playbooks");
	if (cfg->prompt_seed == NULL)
		cfg->prompt_seed = default_shipped_dir("prompts", "data/prompts");
	if (cfg->prompt_repo == NULL)
		cfg->prompt_repo = xprintf("%s/prompts.git", cfg->data_dir);
	if (cfg->checkpoint_key == NULL)
		cfg->checkpoint_key = xprintf("%s/audit.key", cfg->data_dir);
	return 0;
}

int
config_check_daemon(const struct config *cfg, char **cause)
{
	char *why = NULL;

	if (cfg->prompt_signing_key == NULL || sshsig_key_check(cfg->prompt_signing_key,
	    &why) == 0)
		return 0;
	*cause = xprintf("%s: prompts.signing_key: %s", cfg->file != NULL ? cfg->file :
	    "(built-in)", why);
	free(why);
	return -1;
}

const char *
config_lang(const struct config *cfg)
{
	const char *l;

	if (cfg->console_lang != NULL && *cfg->console_lang != '\0')
		return cfg->console_lang;
	if ((l = getenv("LC_ALL")) == NULL || *l == '\0')
		if ((l = getenv("LC_MESSAGES")) == NULL || *l == '\0')
			l = getenv("LANG");
	return l != NULL && strncmp(l, "de", 2) == 0 ? "de" : "en";
}

const struct oncall_def *
config_oncall(const struct config *cfg, int level)
{
	size_t i;

	for (i = 0; i < cfg->noncalls; i++) {
		if (cfg->oncalls[i].level == level)
			return &cfg->oncalls[i];
	}
	return NULL;
}

const struct user_def *
config_user(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < cfg->nusers; i++) {
		if (strcmp(cfg->users[i].name, name) == 0)
			return &cfg->users[i];
	}
	return NULL;
}

const struct price_def *
config_price(const struct config *cfg, const char *model)
{
	const struct price_def *pr, *best = NULL;
	size_t i, j, len, best_len = 0;

	for (i = 0; i < cfg->nprices; i++) {
		pr = &cfg->prices[i];
		if (strcmp(pr->model, model) == 0)
			return pr;
		for (j = 0; j < pr->aliases.n; j++) {
			if (strcmp(pr->aliases.v[j], model) == 0)
				return pr;
		}
		len = strlen(pr->model);
		if (len > 0 && pr->model[len - 1] == '*' && len - 1 >= best_len &&
		    strncmp(pr->model, model, len - 1) == 0) {
			best = pr;
			best_len = len - 1;
		}
	}
	return best;
}

/* Frees the strings and lists of one struct as the table describes it. */
static void
config_free_scope(void *base, enum opt_scope scope)
{
	const struct option_def *o;
	size_t i;

	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->scope != scope)
			continue;
		switch (o->type) {
		case OPT_NAMES:
		case OPT_HEADERS:
			namelist_free((void *)((char *)base + o->offset));
			break;
		case OPT_STRING:
		case OPT_PATH:
		case OPT_CHOICE:
		case OPT_URL:
			free(*(char **)((char *)base + o->offset));
			break;
		default:
			break;
		}
	}
}

void
config_free(struct config *cfg)
{
	size_t i;

	config_free_scope(cfg, OPT_GLOBAL);
	for (i = 0; i < cfg->nkpis; i++) {
		config_free_scope(&cfg->kpis[i], OPT_KPI);
		free(cfg->kpis[i].name);
		free(cfg->kpis[i].where);
	}
	for (i = 0; i < cfg->nprices; i++) {
		config_free_scope(&cfg->prices[i], OPT_PRICE);
		free(cfg->prices[i].model);
		free(cfg->prices[i].where);
	}
	for (i = 0; i < cfg->noncalls; i++) {
		config_free_scope(&cfg->oncalls[i], OPT_ONCALL);
		free(cfg->oncalls[i].where);
	}
	for (i = 0; i < cfg->nusers; i++) {
		config_free_scope(&cfg->users[i], OPT_USER);
		free(cfg->users[i].name);
		free(cfg->users[i].where);
	}
	for (i = 0; i < cfg->nrollouts; i++) {
		config_free_scope(&cfg->rollouts[i], OPT_ROLLOUT);
		free(cfg->rollouts[i].assistant);
		free(cfg->rollouts[i].where);
	}
	free(cfg->rollouts);
	free(cfg->kpis);
	free(cfg->prices);
	free(cfg->oncalls);
	free(cfg->users);
	free(cfg->file);
	memset(cfg, 0, sizeof *cfg);
}

static char *
duration_text(long long s)
{
	if (s > 0 && s % 86400 == 0)
		return xprintf("%lldd", s / 86400);
	if (s > 0 && s % 3600 == 0)
		return xprintf("%lldh", s / 3600);
	if (s > 0 && s % 60 == 0)
		return xprintf("%lldm", s / 60);
	return xprintf("%llds", s);
}

char *
config_default_text(const struct option_def *o)
{
	struct config cfg;
	const struct namelist *l;
	struct buf b;
	char *cause = NULL, *text;
	void *base;
	size_t i;

	if (config_load(&cfg, NULL, &cause) != 0)
		fatal("built-in config: %s", cause);
	base = &cfg;
	if (o->scope == OPT_KPI)
		base = kpi_instance(&cfg, "default", "");
	else if (o->scope == OPT_PRICE)
		base = price_instance(&cfg, "default", "");
	else if (o->scope == OPT_ONCALL)
		base = oncall_instance(&cfg, 1, "");
	else if (o->scope == OPT_USER)
		base = user_instance(&cfg, "default", "");
	else if (o->scope == OPT_ROLLOUT)
		base = rollout_instance(&cfg, "default", "");
	base = (char *)base + o->offset;
	switch (o->type) {
	case OPT_INT:
		text = xprintf("%lld", *(long long *)base);
		break;
	case OPT_DURATION:
		text = duration_text(*(long long *)base);
		break;
	case OPT_NUMBER:
		text = isnan(*(double *)base) ? xstrdup("(none)") : xprintf("%g", *(double *)base);
		break;
	case OPT_BOOL:
		text = xstrdup(*(int *)base ? "yes" : "no");
		break;
	case OPT_NAMES:
		l = base;
		buf_init(&b);
		for (i = 0; i < l->n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
		text = l->n > 0 ? buf_take(&b) : xstrdup("(empty)");
		buf_free(&b);
		break;
	case OPT_HEADERS:
		/* Secrets: never printed, not even the built-in ones. */
		text = xstrdup(((const struct namelist *)base)->n > 0 ? "(set)" : "(empty)");
		break;
	default:
		/* Paths made from the environment or the binary's place: not the same twice. */
		if (o->scope == OPT_GLOBAL && (strcmp(o->key, "socket") == 0 ||
		    strcmp(o->key, "data_dir") == 0 || strcmp(o->key, "dir") == 0 ||
		    strcmp(o->key, "repo") == 0 || strcmp(o->key, "seed") == 0 ||
		    strcmp(o->key, "checkpoint_key") == 0))
			text = xstrdup("(computed)");
		else if (*(char **)base == NULL || **(char **)base == '\0')
			text = xstrdup("(empty)");
		else
			text = xstrdup(*(char **)base);
		break;
	}
	config_free(&cfg);
	return text;
}

long long
config_duration(const char *value)
{
	return parse_duration(value);
}
