/* SPDX-License-Identifier: ISC */
#include <limits.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/sanitize.h"
#include "backend/secret.h"
#include "backend/xmalloc.h"

/* s in base64 with padding (RFC 4648), as HTTP Basic credentials are sent. */
static char *
base64(const char *s)
{
	size_t	len = strlen(s);
	char	*out;

	if (len > INT_MAX / 4 * 3 - 3)
		fatal("base64: %zu bytes", len);
	/* 4 characters for every 3 bytes begun, and the NUL EVP_EncodeBlock adds. */
	out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)len);
	return out;
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

