/* SPDX-License-Identifier: ISC */
/*
 * The PII redactor every stored free text passes first (DSGVO/GDPR data
 * minimisation). Detected items are replaced by typed placeholders:
 *
 *	[email]		local@domain.tld
 *	[phone]		+49 30 1234567, 0049 171 1234567, 030 12345678,
 *			0171/1234567, (030) 123 45 67, +1-202-555-0143
 *	[iban]		ISO 13616, mod-97 check and length of the country
 *	[card]		13-19 digits, first digit 2-6, Luhn check
 *	[ip]		IPv4 and IPv6, only when asked for
 *	[NAME]		a match of a configured POSIX extended regex
 *
 * The built-in detectors are hand-written scanners, linear in the length of
 * the text. Numbers that only look like those items (order numbers, dates,
 * times, amounts, versions, ticket keys) are left alone. Bytes that are not
 * redacted, including invalid UTF-8, are copied unchanged.
 */
#ifndef REDACT_H
#define REDACT_H

#include <stddef.h>

struct redactor;

/*
 * Returns a redactor with the built-in detectors plus n configured patterns
 * (POSIX extended regex, names[i] gives the placeholder [names[i]]), with
 * IP addresses if ip_addresses is set; NULL and *cause on a bad pattern.
 */
struct redactor	*redactor_create(const char *const *, const char *const *,
		     size_t, int, char **);
/* Frees a redactor; NULL is allowed. */
void		 redactor_free(struct redactor *);
/* Returns a new copy of text with every detected item replaced; *count gets how many. */
char		*redact(const struct redactor *, const char *, int *);

#endif
