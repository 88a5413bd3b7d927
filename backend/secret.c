/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/sanitize.h"
#include "backend/secret.h"
#include "backend/xmalloc.h"

static char *
base64(const char *s)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789+/";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), i;
	unsigned long		 v;
	struct buf		 b;

	buf_init(&b);
	for (i = 0; i < len; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		buf_addch(&b, tab[(v >> 18) & 63]);
		buf_addch(&b, tab[(v >> 12) & 63]);
		buf_addch(&b, i + 1 < len ? tab[(v >> 6) & 63] : '=');
		buf_addch(&b, i + 2 < len ? tab[v & 63] : '=');
	}
	if (b.data == NULL)
		buf_addstr(&b, "");
	return buf_take(&b);
}

/* Replaces every copy of secret in s (which it frees) with "[redacted]". */
static char *
scrub_one(char *s, const char *secret)
{
	struct buf	 b;
	const char	*p, *hit;
	size_t		 n;

	if (secret == NULL || *secret == '\0' || strstr(s, secret) == NULL)
		return s;
	n = strlen(secret);
	buf_init(&b);
	for (p = s; (hit = strstr(p, secret)) != NULL; p = hit + n) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_addstr(&b, "[redacted]");
	}
	buf_addstr(&b, p);
	free(s);
	return buf_take(&b);
}

/* The secret as a JSON string holds it: quotes and backslashes escaped, and slashes too
   when solidus is set (as PHP's encoder writes them). */
static char *
json_form(const char *secret, int solidus)
{
	struct buf	 b;

	buf_init(&b);
	for (; *secret != '\0'; secret++) {
		if (*secret == '"' || *secret == '\\' || (solidus && *secret == '/'))
			buf_addch(&b, '\\');
		buf_addch(&b, *secret);
	}
	return buf_take(&b);
}

char *
secret_scrub(char *s, const char *secret, const char *user)
{
	char	*cred, *b64, *esc;
	int	 solidus;

	if (secret == NULL || *secret == '\0')
		return s;
	s = scrub_one(s, secret);
	esc = sanitize_log(secret, strlen(secret));
	s = scrub_one(s, esc);
	free(esc);
	for (solidus = 0; solidus < 2; solidus++) {
		esc = json_form(secret, solidus);
		s = scrub_one(s, esc);
		free(esc);
	}
	if (user != NULL && *user != '\0') {
		cred = xprintf("%s:%s", user, secret);
		b64 = base64(cred);
		s = scrub_one(s, b64);
		free(b64);
		free(cred);
	}
	return s;
}

