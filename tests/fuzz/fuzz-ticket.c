/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: what a Jira server or a webhook answers to a ticket export. The first
 * byte picks the target kind, the credentials and the HTTP status; the rest is the reply body.
 * A result is an issue key and link that are safe to show, or a cause that names the host,
 * holds no control character and never the token, whatever the far end echoes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/buf.h"
#include "backend/http.h"
#include "backend/ticket.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const long statuses[] = { 200, 201, 204, 302, 400, 401, 403, 404, 408, 429, 500, 503 };
static const char *const tokens[] = { "T0k3n-s3cret-9f8e", "p\xc3\xa4ss\\w\"rd" };

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ticket_target t;
	struct ticket_result res;
	struct http_reply r;
	char *cause = NULL;
	unsigned sel;
	int rc, jira;

	if (size == 0)
		return 0;
	sel = data[0];
	jira = sel & 1;
	memset(&t, 0, sizeof t);
	t.kind = jira ? TICKET_JIRA : TICKET_WEBHOOK;
	t.url = jira ? "https://jira.example.com/" : "https://hooks.example.com/T0/secret-path";
	t.project = "OPS";
	t.issue_type = "Incident";
	t.token = tokens[(sel >> 1) & 1];
	t.user = jira && (sel & 4) ? "ops@example.com" : NULL;

	memset(&r, 0, sizeof r);
	r.status = statuses[(sel >> 3) % (sizeof statuses / sizeof statuses[0])];
	buf_init(&r.body);
	buf_add(&r.body, (const char *)data + 1, size - 1);
	memset(&res, 0, sizeof res);

	rc = ticket_classify(&t, 0, &r, NULL, &res, &cause);
	if (rc == 0) {
		if (cause != NULL || r.status < 200 || r.status > 299)
			abort();
		if (jira && (res.key == NULL || res.url == NULL ||
		    strncmp(res.url, "https://jira.example.com/browse/", 32) != 0))
			abort();
		if ((res.key != NULL && (*res.key == '\0' || has_control(res.key))) ||
		    (res.url != NULL && (has_control(res.url) || strchr(res.url, ' ') != NULL ||
		    strncasecmp(res.url, "http", 4) != 0)))
			abort();
	} else {
		if (cause == NULL || res.key != NULL || res.url != NULL ||
		    strncmp(cause, jira ? "Jira at https://jira.example.com: " :
		    "webhook at https://hooks.example.com: ", jira ? 34 : 38) != 0 ||
		    has_control(cause) || strstr(cause, t.token) != NULL ||
		    (!jira && strstr(cause, "/T0/secret-path") != NULL))
			abort();
	}
	ticket_result_free(&res);
	free(cause);
	buf_free(&r.body);
	return 0;
}
