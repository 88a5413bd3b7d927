/* SPDX-License-Identifier: ISC */
/* Secrets out of text: an upstream may echo a token back in an error body. */
#ifndef SECRET_H
#define SECRET_H

/* s (which it frees) with every form of the secret a server could echo replaced by
   "[redacted]": as it is, escaped as the logs write it, as a JSON string holds it, and with
   user as base64 basic credentials. A NULL or empty secret changes nothing. */
char	*secret_scrub(char *s, const char *secret, const char *user);

#endif
