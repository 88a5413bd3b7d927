/* SPDX-License-Identifier: ISC */
/*
 * Inside notifications: one try over one channel, blocking, on a worker thread. Everything a
 * try needs is copied from the config when it is queued, so a reload cannot free it.
 */
#ifndef NOTIFY_CHANNEL_H
#define NOTIFY_CHANNEL_H

#include "backend/notify.h"

/* The most of a hook's stdout or stderr that is read: more is a failure. */
#define NOTIFY_MAX_OUTPUT	(64 * 1024)

enum notify_starttls {
	NOTIFY_STARTTLS_NO,
	NOTIFY_STARTTLS_TRY,
	NOTIFY_STARTTLS_ALWAYS,
};

struct notify_target {
	enum notify_channel	 channel;
	char			*url;		/* webhook URL, or smtp_url */
	char			*to;		/* e-mail address */
	char			*from;
	char			*smtp_user;
	char			*smtp_password;
	char			*smtp_ca;
	enum notify_starttls	 starttls;
	char			*message_id;	/* without <> */
	char			**argv;		/* the hook */
	char			*phone;
	long			 timeout_ms;
};

void	notify_email_send(const struct notify_target *, const struct notice *,
	    struct notify_result *);
void	notify_webhook_send(const struct notify_target *, const struct notice *,
	    struct notify_result *);
void	notify_command_run(const struct notify_target *, const struct notice *,
	    struct notify_result *);
/* The result's error, escaped for logs and replies (result fields are printf'd, owned). */
void	notify_fail(struct notify_result *, int transient, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
