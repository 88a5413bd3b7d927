/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/buf.h"
#include "backend/config.h"
#include "backend/options-table.h"
#include "backend/xmalloc.h"

/* Longest line of a config file (a PromQL query fits easily). */
#define CONFIG_MAX_LINE		8192
#define CONFIG_MAX_LINE_TEXT	"8192"

/* State of one file being parsed: inih does not pass line numbers, so the reader counts them. */
struct parse {
	struct config	*cfg;
	FILE		*f;
	const char	*file;
	char		*dir;		/* for relative paths */
	int		 line;
	char		*linebuf;
	size_t		 linecap;
	unsigned char	*seen;		/* keys already set, by table index */
	struct buf	 errors;
	int		 nerrors;
};

static void
parse_error(struct parse *p, const char *section, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
parse_error(struct parse *p, const char *section, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (++p->nerrors > 50)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (p->errors.len > 0)
		buf_addch(&p->errors, '\n');
	if (key != NULL)
		buf_printf(&p->errors, "%s:%d: %s.%s: %s", p->file, p->line, section, key, msg);
	else
		buf_printf(&p->errors, "%s:%d: %s", p->file, p->line, msg);
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

/* Sets one option from its text; returns NULL or why the value is wrong. */
static const char *
option_set(struct config *cfg, const struct option_def *o, const char *value,
    const char *dir, char *why, size_t whylen)
{
	void *field = (char *)cfg + o->offset;
	char **str = field;
	long long n;
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
	case OPT_PATH:
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
	memcpy(str, p->linebuf, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static int
config_handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	const struct option_def *o;
	char why[256];
	const char *err;
	size_t i;
	int known_section = 0;

	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (strcmp(o->section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(o->key, key) != 0)
			continue;
		if (p->seen[i]) {
			parse_error(p, section, key, "set twice");
			return 1;
		}
		p->seen[i] = 1;
		if ((err = option_set(p->cfg, o, value, p->dir, why, sizeof why)) != NULL)
			parse_error(p, section, key, "%s", err);
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

static void
config_defaults(struct config *cfg)
{
	const struct option_def *o;
	char why[256];
	size_t i;

	memset(cfg, 0, sizeof *cfg);
	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->def != NULL && option_set(cfg, o, o->def, NULL, why, sizeof why) != NULL)
			fatal("bad built-in default for %s.%s", o->section, o->key);
	}
}

int
config_load(struct config *cfg, const char *file, char **cause)
{
	struct parse p;
	char *slash;
	int rc;

	config_defaults(cfg);
	if (file != NULL) {
		memset(&p, 0, sizeof p);
		p.cfg = cfg;
		p.file = file;
		buf_init(&p.errors);
		if ((p.f = fopen(file, "r")) == NULL) {
			config_free(cfg);
			*cause = xprintf("%s: %s", file, strerror(errno));
			return -1;
		}
		p.dir = xstrdup(file);
		if ((slash = strrchr(p.dir, '/')) != NULL)
			*slash = '\0';
		else {
			free(p.dir);
			p.dir = xstrdup(".");
		}
		ini_allow_multiline = 0;
		ini_use_stack = 0;
		ini_allow_realloc = 0;
		ini_initial_alloc = CONFIG_MAX_LINE + 3;
		ini_max_line = CONFIG_MAX_LINE + 3;
		p.seen = xcalloc(options_count, 1);
		rc = ini_parse_stream(config_reader, &p, config_handler, &p);
		fclose(p.f);
		free(p.dir);
		free(p.seen);
		free(p.linebuf);
		if (rc > 0) {
			p.line = rc;
			parse_error(&p, NULL, NULL, "syntax error");
		} else if (rc < 0)
			parse_error(&p, NULL, NULL, "out of memory reading the file");
		if (p.nerrors > 50)
			buf_printf(&p.errors, "\n%s: %d more errors", file, p.nerrors - 50);
		cfg->file = xstrdup(file);
		if (p.nerrors > 0) {
			*cause = buf_take(&p.errors);
			config_free(cfg);
			return -1;
		}
		buf_free(&p.errors);
	}
	if (cfg->socket == NULL)
		cfg->socket = config_private_socket("default");
	if (cfg->data_dir == NULL)
		cfg->data_dir = default_data_dir("leitstand");
	return 0;
}

void
config_free(struct config *cfg)
{
	const struct option_def *o;
	size_t i;

	for (i = 0; i < options_count; i++) {
		o = &options_table[i];
		if (o->type == OPT_NAMES)
			namelist_free((void *)((char *)cfg + o->offset));
		else if (o->type != OPT_INT)
			free(*(char **)((char *)cfg + o->offset));
	}
	free(cfg->file);
	memset(cfg, 0, sizeof *cfg);
}
