/* SPDX-License-Identifier: ISC */
/* The declarative table of every configuration key. */
#ifndef OPTIONS_TABLE_H
#define OPTIONS_TABLE_H

#include <stddef.h>

enum opt_type {
	OPT_STRING,
	OPT_PATH,	/* relative to the config file's directory */
	OPT_INT,
	OPT_CHOICE,
	OPT_NAMES,	/* user, @group, ... */
};

struct option_def {
	const char		*section;
	const char		*key;
	enum opt_type		 type;
	size_t			 offset;	/* into struct config */
	const char		*def;		/* default in file syntax; NULL: none or computed */
	long long		 min, max;	/* OPT_INT */
	const char *const	*choices;	/* OPT_CHOICE, NULL-terminated */
	const char		*help;
};

extern const struct option_def	options_table[];
extern const size_t		options_count;

#endif
