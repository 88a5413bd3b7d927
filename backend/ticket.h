/* SPDX-License-Identifier: ISC */
/*
 * Ticket export: one incident to Jira (REST v2 "create issue") or to a generic webhook,
 * synchronously. The daemon calls ticket_export() on a job thread and retries with back-off
 * itself; the result says whether a failure is worth retrying.
 */
#ifndef TICKET_H
#define TICKET_H

#include <cjson/cJSON.h>

struct http_reply;

enum ticket_kind {
	TICKET_JIRA,
	TICKET_WEBHOOK,
};

struct ticket_target {
	enum ticket_kind	 kind;
	const char		*url;		/* Jira base URL, or the webhook URL */
	const char		*project;	/* Jira project key */
	const char		*issue_type;	/* Jira issue type, e.g. "Incident" or "Bug" */
	const char		*user;		/* Jira: e-mail for basic auth with a token, or NULL */
	const char		*token;		/* Jira API token (basic with user) or bearer (no
						   user); webhook: sent as "Authorization: Bearer" */
	const char *const	*headers;	/* webhook: extra "Name: value" headers, NULL-ended */
	long			 timeout_ms;	/* whole request; <= 0: 30 s */
};

struct ticket_result {
	char	*key;		/* Jira "OPS-123"; webhook: "key" or "id" of its reply, or NULL */
	char	*url;		/* Jira base + "/browse/KEY"; webhook: "url" of its reply, or NULL */
	int	 retry;		/* on failure: 1 if worth retrying (timeout, connection, 408, 429,
				   5xx), 0 if not (other 4xx, bad reply, bad target) */
	long	 http_status;	/* 0 if no reply came */
};

/* The JSON body ticket_export() sends, as a new string: a Jira issue, or for a webhook
   {"incident": ..., "summary": ..., "text": ...}. incident is incident_get()'s JSON. */
char	*ticket_body(const struct ticket_target *, const cJSON *incident);
/* Sends an incident: 0 with *res filled, or -1 with res->retry set and *cause (which names
   the host but never a token or the webhook's path). */
int	 ticket_export(const struct ticket_target *, const cJSON *incident,
	     struct ticket_result *res, char **cause);
/* Turns a finished request (transfer is http_do's return, why its cause) into a result: the
   one place that reads the far end's reply and knows every failure mode. As ticket_export. */
int	 ticket_classify(const struct ticket_target *, int transfer, const struct http_reply *,
	     const char *why, struct ticket_result *, char **cause);
/* Frees what a result holds (not the result itself). */
void	 ticket_result_free(struct ticket_result *);

#endif
