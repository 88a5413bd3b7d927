/* SPDX-License-Identifier: ISC */
/*
 * Notifications to people: one notice to one user over one channel (e-mail over SMTP,
 * Slack-compatible and Microsoft Teams incoming webhooks, a generic JSON webhook, a local
 * command), sent on a worker thread; the result of the try comes back on the loop. Who is
 * told when, retries and the timeline are the escalation's (escalation.c).
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <time.h>

struct config;

enum notify_channel {
	NOTIFY_EMAIL,
	NOTIFY_SLACK,		/* also Mattermost and Rocket.Chat */
	NOTIFY_TEAMS,
	NOTIFY_WEBHOOK,		/* the documented generic JSON */
	NOTIFY_COMMAND,		/* [notify] command, the notice as JSON on its stdin */
	NOTIFY_CHANNELS
};

/* What happened, as a notification says it. Every text is already redacted. */
struct notice {
	const char	*event;		/* opened, escalated, ack_overdue, retriggered,
					   kpi_pending, proposal, test */
	long long	 incident;	/* 0: none (a proposal) */
	int		 severity;	/* 1..4; 0: none */
	int		 level;		/* escalation level 1..3; 0: none */
	const char	*title;		/* the incident's title, or a proposal's description */
	const char	*status;	/* triggered, acknowledged, ...; NULL: none */
	const char	*summary;	/* one short line a phone shows whole */
	const char	*ack_command;	/* "ssh HOST leitstand incident ack 42", or NULL */
	const char	*user;		/* the recipient, a local account */
	time_t		 at;
};

/* The result of one try. */
struct notify_result {
	int		 ok;
	int		 transient;	/* another try may succeed (connection, timeout, SMTP 4xx,
					   HTTP 5xx or 429) */
	char		*error;		/* why not, never holding a secret */
	char		*detail;	/* what the peer said when it took it, or NULL */
};

typedef void (*notify_cb)(void *arg, const struct notify_result *);

const char	*notify_channel_name(enum notify_channel);
/* The channels the user is reached by ([user.NAME]): a mask of 1 << channel. */
unsigned	 notify_user_channels(const struct config *, const char *user);
/* The same channels in the order [user.NAME] channels gives (default: email, slack, teams,
   webhook, command); returns how many. */
int		 notify_user_order(const struct config *, const char *user,
		     enum notify_channel out[NOTIFY_CHANNELS]);
/* The host of the acknowledge command: [notify] host, else this host's name (to free). */
char		*notify_host(const struct config *);
/* The sender of e-mail: [notify] from, else leitstand@HOST (to free). */
char		*notify_from(const struct config *);
/* 1 while the user's quiet hours hold at t (SEV3 and SEV4 notices wait them out). */
int		 notify_quiet(const struct config *, const char *user, time_t t);
/* Sends the notice (copied) to its user over the channel on a worker thread; cb runs once on
   the loop with the result. -1 with *cause when it cannot start: the channel is not
   configured for the user, or the queue is full. */
int		 notify_send(const struct config *, enum notify_channel, const struct notice *,
		     notify_cb, void *arg, char **cause);

#endif
