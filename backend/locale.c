/* SPDX-License-Identifier: ISC */
#include "backend/locale.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char	locale_why[256];

/* The variable that decides the character type, as setlocale reads them. */
static const char *
locale_source(const char **value)
{
	static const char *const names[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if ((*value = getenv(names[i])) != NULL && **value != '\0')
			return names[i];
	}
	*value = "";
	return "LANG";
}

void
locale_init(void)
{
	const char *name, *value;
	int utf8;

	locale_why[0] = '\0';
	if (setlocale(LC_ALL, "") == NULL) {
		name = locale_source(&value);
		utf8 = strcasestr(value, "utf-8") != NULL || strcasestr(value, "utf8") != NULL;
		if (utf8 && setlocale(LC_CTYPE, "C.UTF-8") != NULL)
			snprintf(locale_why, sizeof locale_why, "the locale %s=%.64s is not installed:"
			    " using C.UTF-8 (install it with locale-gen)", name, value);
		else
			snprintf(locale_why, sizeof locale_why, "the locale %s=%.64s is not installed:"
			    " text is shown in ASCII (install it with locale-gen)", name, value);
	}
	setlocale(LC_NUMERIC, "C");
	setlocale(LC_MESSAGES, "C");
}

const char *
locale_warning(void)
{
	return locale_why[0] != '\0' ? locale_why : NULL;
}
