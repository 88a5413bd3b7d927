/* SPDX-License-Identifier: ISC */
/* The process locale: the user's for text, "C" for every machine number. */
#ifndef LOCALE_H
#define LOCALE_H

/*
 * Takes the locale from the environment, except LC_NUMERIC and LC_MESSAGES, which stay "C":
 * config values, Prometheus and Alertmanager replies, JSON and reports carry numbers with a
 * decimal point whatever the user's language, and system errors (strerror) read in the
 * language of the messages around them, which the daemon shares between users. A locale the environment names but the system lacks is
 * replaced by C.UTF-8 when it asked for UTF-8; locale_warning() then says so.
 */
void		 locale_init(void);
/* Why the environment's locale was not used, or NULL. */
const char	*locale_warning(void);

#endif
