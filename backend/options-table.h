/* SPDX-License-Identifier: ISC */
/* The declarative table of every configuration key: type, range and help. The defaults are
   in data/leitstand.ini, compiled in. */
#ifndef OPTIONS_TABLE_H
#define OPTIONS_TABLE_H

#include <stddef.h>

enum opt_type {
	OPT_STRING,
	OPT_PATH,	/* relative to the config file's directory */
	OPT_INT,
	OPT_NUMBER,	/* a decimal number; empty means none (NAN) */
	OPT_DURATION,	/* 90, 90s, 15m, 2h, 1d: stored in seconds */
	OPT_BOOL,	/* yes/no, true/false, on/off, 1/0 */
	OPT_CHOICE,
	OPT_NAMES,	/* user, @group, ... */
	OPT_URL,	/* http:// or https://, or empty */
	OPT_HEADERS,	/* Name: value; ... into a namelist, each value a secret (env:NAME) */
};

/* Which struct an offset points into. */
enum opt_scope {
	OPT_GLOBAL,	/* struct config */
	OPT_KPI,	/* struct kpi_def, sections [kpi.NAME] */
	OPT_PRICE,	/* struct price_def, sections [price.MODEL] */
	OPT_ONCALL,	/* struct oncall_def, sections [oncall.L1] to [oncall.L3] */
	OPT_USER,	/* struct user_def, sections [user.NAME] */
	OPT_ROLLOUT,	/* struct rollout_def, sections [rollout.NAME] */
};

#define OPT_SECRET	0x1	/* a config file that sets it must not be readable by others */
#define OPT_EMPTY	0x2	/* OPT_PATH: an empty value unsets it */

struct option_def {
	const char		*section;	/* "kpi.*" for templated sections */
	const char		*key;
	enum opt_type		 type;
	enum opt_scope		 scope;
	size_t			 offset;
	long long		 min, max;	/* OPT_INT, OPT_DURATION */
	const char *const	*choices;	/* OPT_CHOICE, NULL-terminated */
	int			 flags;
	const char		*help;
};

extern const struct option_def	options_table[];
extern const size_t		options_count;

#endif
