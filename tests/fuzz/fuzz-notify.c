/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: the texts of a notice (title, summary, status, acknowledge command,
 * event; split on '\n\n') as every channel words them. Whatever they hold, an e-mail has only
 * its own header lines (no text can add one: header injection), CRLF line ends and body lines
 * of at most 76 characters; every JSON payload parses; a cleaned text is valid UTF-8 on one
 * line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/notify-format.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const headers[] = {
	"Date: ", "From: ", "To: ", "Subject: ", "Message-ID: ", "MIME-Version: ",
	"Content-Type: ", "Content-Transfer-Encoding: ", "Auto-Submitted: ",
	"X-Leitstand-Event: ", "X-Leitstand-Incident: ", NULL
};

static void
check_email(const char *m)
{
	const char *p, *end = strstr(m, "\r\n\r\n"), *nl;
	size_t i;

	if (end == NULL)
		abort();
	for (p = m; p < end; p = nl + 2) {
		nl = strstr(p, "\r\n");
		if (*p != ' ') {
			for (i = 0; headers[i] != NULL; i++) {
				if (strncmp(p, headers[i], strlen(headers[i])) == 0)
					break;
			}
			if (headers[i] == NULL)
				abort();	/* a header the notice's text made */
		}
		if (memchr(p, '\n', (size_t)(nl - p)) != NULL || memchr(p, '\r',
		    (size_t)(nl - p)) != NULL)
			abort();
	}
	for (p = end + 4; *p != '\0'; p = nl + 2) {
		if ((nl = strstr(p, "\r\n")) == NULL)
			nl = p + strlen(p) - 2;
		if (nl - p > 76 || memchr(p, '\n', (size_t)(nl - p)) != NULL)
			abort();
		if (nl < p)
			break;
	}
}

static void
check_json(char *j)
{
	cJSON *o = cJSON_Parse(j);

	if (o == NULL)
		abort();
	cJSON_Delete(o);
	free(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = xstrndup((const char *)data, size), *f[5] = { 0 }, *p, *s, *m;
	struct notice n;
	size_t bad, i;
	int k;

	for (p = copy, k = 0; k < 5 && p != NULL; k++) {
		f[k] = p;
		if ((p = strstr(p, "\n\n")) != NULL) {
			*p = '\0';
			p += 2;
		}
	}
	memset(&n, 0, sizeof n);
	n.title = f[0];
	n.summary = f[1];
	n.status = f[2];
	n.ack_command = f[3];
	n.event = f[4];
	n.incident = size % 7 == 0 ? 0 : (long long)size;
	n.severity = (int)(size % 5);
	n.level = (int)(size % 4);
	n.user = "alice";
	n.at = (time_t)size * 86400;

	m = notify_email(&n, "leitstand@ops.example.com", "alice@example.com",
	    "leitstand.1.2.3@ops.example.com", n.at);
	check_email(m);
	free(m);
	for (k = 0; k < NOTIFY_CHANNELS; k++) {
		if (k != NOTIFY_EMAIL)
			check_json(notify_json((enum notify_channel)k, &n, f[1]));
	}
	s = notify_clean(copy, 64);
	if (strlen(s) > 64 || !utf8_valid(s, strlen(s), &bad))
		abort();
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
	}
	free(s);
	(void)notify_address_check(copy);
	(void)notify_url_check(copy);
	free(copy);
	return 0;
}
