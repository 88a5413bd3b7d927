/* SPDX-License-Identifier: ISC */
/*
 * What a notification says, byte for byte, and the checks of what the config says about
 * where it goes: pure functions, no I/O, so the unit tests see exactly what is sent.
 */
#ifndef NOTIFY_FORMAT_H
#define NOTIFY_FORMAT_H

#include <time.h>

#include "backend/notify.h"

/* The longest a hook's or a webhook's answer is kept for detail and error, in bytes. */
#define NOTIFY_MAX_DETAIL	200

/* The channel of a name (email, slack, teams, webhook, command), or -1. */
int	 notify_channel_parse(const char *);
/* NULL if the address is local@domain (ASCII, no blanks or controls, a dotted domain), else
   why not (a static string). */
const char *notify_address_check(const char *);
/* NULL if the URL is http(s)://host... without credentials, controls or blanks, else why
   not; it never quotes the URL, whose path is often a secret. */
const char *notify_url_check(const char *);
/* The same for [notify] smtp_url: smtp:// or smtps://, a host, no credentials. */
const char *notify_smtp_url_check(const char *);
/* The hook's words (split on blanks; a NULL-ended array to free with notify_argv_free). */
char	**notify_command_argv(const char *);
void	 notify_argv_free(char **);
/* 0 if the hook's first word is an absolute path to an executable file, else -1 and *cause. */
int	 notify_command_check(const char *, char **cause);
/* "22:00-07:00" into minutes after midnight; 0, or -1 if it is not two different times. */
int	 notify_quiet_parse(const char *, int *from, int *to);
/* Whether minute m of the day (0-1439) is inside quiet hours from-to (which may wrap). */
int	 notify_quiet_in(int from, int to, int m);

/* The Subject: value, RFC 2047-encoded when not ASCII and folded (CRLF, space). */
char	*notify_subject(const struct notice *);
/* The plain text (LF lines) every channel words the notice in. */
char	*notify_text(const struct notice *);
/* The whole e-mail, CRLF lines, quoted-printable UTF-8 body; message_id without <>. */
char	*notify_email(const struct notice *, const char *from, const char *to,
	     const char *message_id, time_t now);
/* The JSON body of a webhook channel (slack, teams, webhook) or the hook's stdin (command,
   with phone, which may be NULL). */
char	*notify_json(enum notify_channel, const struct notice *, const char *phone);
/* Text from outside on one line: valid UTF-8, controls as blanks, hidden characters
   dropped, at most max bytes (cut between characters with an ellipsis). */
char	*notify_clean(const char *, size_t max);

#endif
