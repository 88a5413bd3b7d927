/* SPDX-License-Identifier: ISC */
#include <limits.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/redact.h"
#include "backend/xmalloc.h"

#define REDACT_NAME_MAX		32
#define REDACT_LOCAL_MAX	64	/* RFC 5321 */
#define REDACT_DOMAIN_MAX	253
#define REDACT_LABEL_MAX	63
#define REDACT_PHONE_MIN	7
#define REDACT_PHONE_MAX	17	/* 15 of E.164 plus a 00 prefix */
#define REDACT_IBAN_MIN		15
#define REDACT_IBAN_MAX		34
#define REDACT_CARD_MIN		13
#define REDACT_CARD_MAX		19

struct redact_pattern {
	regex_t	 re;
	char	*placeholder;		/* "[name]" */
};

struct redactor {
	struct redact_pattern	*patterns;
	size_t			 npatterns;
	int			 ip;
};

/* The text being scanned; at() reads 0 outside it, so no scanner can overrun. */
struct redact_text {
	const unsigned char	*s;
	size_t			 len;
};

/* Next match of one configured pattern at or after the scan position. */
struct redact_next {
	size_t	so;
	size_t	eo;
	int	valid;
};

/* IBAN lengths by country (SWIFT IBAN registry); others may be 15-34. */
static const struct {
	char		cc[3];
	unsigned char	len;
} redact_iban_lengths[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 },
	{ "BA", 20 }, { "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BR", 29 },
	{ "BY", 28 }, { "CH", 21 }, { "CR", 22 }, { "CY", 28 }, { "CZ", 24 },
	{ "DE", 22 }, { "DK", 18 }, { "DO", 28 }, { "EE", 20 }, { "EG", 29 },
	{ "ES", 24 }, { "FI", 18 }, { "FO", 18 }, { "FR", 27 }, { "GB", 22 },
	{ "GE", 22 }, { "GI", 23 }, { "GL", 18 }, { "GR", 27 }, { "GT", 28 },
	{ "HR", 21 }, { "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IS", 26 },
	{ "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 },
	{ "LC", 32 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 },
	{ "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 }, { "MR", 27 },
	{ "MT", 31 }, { "MU", 30 }, { "NL", 18 }, { "NO", 15 }, { "PK", 24 },
	{ "PL", 28 }, { "PS", 29 }, { "PT", 25 }, { "QA", 29 }, { "RO", 24 },
	{ "RS", 22 }, { "SA", 24 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 },
	{ "SM", 27 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 }, { "VG", 24 },
	{ "XK", 20 },
};

/*
 * A number directly after one of these words is an identifier, not a phone
 * or card number: "Bestellnummer 0815-4711-2023", "order no. 0123456789".
 */
static const char *const redact_id_words[] = {
	"artikel", "artikelnummer", "auftrag", "auftrags", "auftragsnr",
	"auftragsnummer", "bestell", "bestellnr", "bestellnummer", "case",
	"invoice", "kunden", "kundennr", "kundennummer", "order", "ref",
	"reference", "rechnungs", "rechnungsnr", "rechnungsnummer", "sku",
	"ticket", "ticketnummer", "tracking", "transaction", "vorgang",
	"vorgangsnummer",
};

/* Words between such a word and the number: "Bestell-Nr.", "order no.". */
static const char *const redact_id_fillers[] = {
	"id", "no", "nr", "number", "nummer",
};

static int
at(const struct redact_text *t, size_t i)
{
	return i < t->len ? t->s[i] : 0;
}

static int
redact_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
redact_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
redact_alnum(int c)
{
	return redact_digit(c) || redact_alpha(c);
}

static int
redact_hex(int c)
{
	return redact_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
redact_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/*
 * Returns 2 if a Latin letter U+00C0-U+024F (except the multiplication and
 * division signs) is encoded at i: the letters of German, French, Polish
 * names. Quotes and dashes are not letters, so they still end a word.
 */
static size_t
redact_latin(const struct redact_text *t, size_t i)
{
	int	c = at(t, i), d = at(t, i + 1);

	if (d < 0x80 || d > 0xbf)
		return 0;
	if (c == 0xc3)
		return d == 0x97 || d == 0xb7 ? 0 : 2;
	if (c >= 0xc4 && c <= 0xc8)
		return 2;
	if (c == 0xc9 && d <= 0x8f)
		return 2;
	return 0;
}

/* Is a word character (letter, digit, underscore) at i? */
static int
redact_word_at(const struct redact_text *t, size_t i)
{
	int	c = at(t, i);

	return redact_alnum(c) || c == '_' || redact_latin(t, i) != 0;
}

/* Does a word character end just before i? */
static int
redact_word_before(const struct redact_text *t, size_t i)
{
	int	c = at(t, i - 1);

	if (redact_alnum(c) || c == '_')
		return 1;
	return c >= 0x80 && c <= 0xbf && i >= 2 && redact_latin(t, i - 2) != 0;
}

static size_t
redact_digits(const struct redact_text *t, size_t i, size_t max)
{
	size_t	n = 0;

	while (n < max && redact_digit(at(t, i + n)))
		n++;
	return n;
}

static size_t
redact_alnums(const struct redact_text *t, size_t i, size_t max)
{
	size_t	n = 0;

	while (n < max && redact_alnum(at(t, i + n)))
		n++;
	return n;
}

/*
 * May a number start at i? Not inside a word or a ticket key (OPS-1234,
 * gpt-4o-2024) and not after a digit and a separator, as the later parts of
 * dates, times, amounts and versions (23.11.2026, 14:35, 1.234,56, 2.3.1).
 */
static int
redact_num_start(const struct redact_text *t, size_t i)
{
	int	c = at(t, i - 1), b = at(t, i - 2);

	if (i == 0)
		return 1;
	if (redact_word_before(t, i))
		return 0;
	if ((c == '.' || c == ',' || c == ':' || c == '/') && redact_digit(b))
		return 0;
	if (c == '-' && redact_alnum(b))
		return 0;
	return 1;
}

/* May a number end at i? Not if a word or another part of the number follows. */
static int
redact_num_end(const struct redact_text *t, size_t i)
{
	int	c = at(t, i);

	if (redact_word_at(t, i))
		return 0;
	if (c == '.' || c == ',' || c == ':' || c == '-' || c == '/')
		return !redact_digit(at(t, i + 1));
	return 1;
}

static int
redact_in_list(const char *w, const char *const *list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(w, list[i]) == 0)
			return 1;
	}
	return 0;
}

/* Is the number at i labelled as an order, invoice or ticket number? */
static int
redact_labelled(const struct redact_text *t, size_t i)
{
	char	w[24];
	size_t	j = i, k, n, skip;
	int	pass, c;

	for (pass = 0; pass < 2; pass++) {
		for (skip = 0; j > 0 && skip < 4; j--, skip++) {
			c = at(t, j - 1);
			if (c != ' ' && c != ':' && c != '#' && c != '.' &&
			    c != '-')
				break;
		}
		for (k = j; k > 0 && j - k < sizeof w - 1; k--) {
			if (!redact_alpha(at(t, k - 1)))
				break;
		}
		if (k == j || (k > 0 && redact_alpha(at(t, k - 1))))
			return 0;
		for (n = 0; k + n < j; n++)
			w[n] = (char)(at(t, k + n) | 0x20);
		w[n] = '\0';
		if (redact_in_list(w, redact_id_words,
		    sizeof redact_id_words / sizeof redact_id_words[0]))
			return 1;
		if (!redact_in_list(w, redact_id_fillers,
		    sizeof redact_id_fillers / sizeof redact_id_fillers[0]))
			return 0;
		j = k;
	}
	return 0;
}

static int
redact_local_char(const struct redact_text *t, size_t i)
{
	int	c = at(t, i);

	return redact_alnum(c) || c == '.' || c == '_' || c == '%' ||
	    c == '+' || c == '-' || redact_latin(t, i) != 0;
}

/* Does a domain label character start at i? */
static int
redact_label_char(const struct redact_text *t, size_t i)
{
	return redact_alnum(at(t, i)) || redact_latin(t, i) != 0;
}

/*
 * local@domain.tld: the local part is the whole run of local characters
 * before the @ (leading dots left out), the domain two or more labels ending
 * in a TLD of two or more letters. Both are bounded by their RFC lengths.
 */
static size_t
redact_email(const struct redact_text *t, size_t i)
{
	size_t	j, k, d, lstart, best = 0, n, labels = 0;
	int	c, alpha;

	if (!redact_local_char(t, i) || at(t, i) == '.')
		return 0;
	for (j = i; j > 0 && at(t, j - 1) == '.'; j--)
		/* nothing */;
	if (j > 0 && (redact_local_char(t, j - 1) || redact_word_before(t, j)))
		return 0;

	for (j = i; j - i <= REDACT_LOCAL_MAX && at(t, j) != '@'; j += n) {
		if ((n = redact_latin(t, j)) == 0) {
			if (!redact_local_char(t, j))
				return 0;
			n = 1;
		}
	}
	if (at(t, j) != '@' || j == i || j - i > REDACT_LOCAL_MAX)
		return 0;

	d = k = j + 1;
	for (;;) {
		lstart = k;
		alpha = 1;
		while (k - d <= REDACT_DOMAIN_MAX) {
			c = at(t, k);
			if (redact_alnum(c)) {
				alpha = alpha && redact_alpha(c);
				k++;
			} else if (c == '-' && k > lstart &&
			    (redact_label_char(t, k + 1) || at(t, k + 1) == '-')) {
				alpha = 0;
				k++;
			} else if ((n = redact_latin(t, k)) != 0) {
				alpha = 0;
				k += n;
			} else
				break;
		}
		if (k == lstart || k - lstart > REDACT_LABEL_MAX ||
		    k - d > REDACT_DOMAIN_MAX)
			break;
		labels++;
		if (labels >= 2 && alpha && k - lstart >= 2)
			best = k;
		if (at(t, k) != '.' || !redact_label_char(t, k + 1))
			break;
		k++;
	}
	if (best == 0 || at(t, best) == '@' || at(t, best) == '_')
		return 0;
	return best - i;
}

/*
 * Counts the digits of what would be a phone number at i (stopping at 7):
 * decides whether "030 1234567 0171 7654321" is one number or two.
 */
static size_t
redact_phone_ahead(const struct redact_text *t, size_t i)
{
	size_t	n = 0;
	int	c;

	while (n < REDACT_PHONE_MIN) {
		c = at(t, i);
		if (redact_digit(c))
			n++;
		else if (!(c == ' ' || c == '-' || c == '/') ||
		    !redact_digit(at(t, i + 1)))
			break;
		i++;
	}
	return n;
}

/*
 * A phone number starts with +, 0 (which includes 00) or a parenthesised
 * area code and goes on in digit groups separated by one space, - or /
 * (with optional spaces around) and at most one parenthesised group such as
 * the (0) of "+49 (0)30". Groups after a space or / have two digits or more.
 */
static size_t
redact_phone(const struct redact_text *t, size_t i)
{
	size_t	j = i, k, g, end = 0, digits = 0, dend = 0;
	int	c = at(t, i), sep, paren = 0, after_paren = 0;

	if (c != '+' && c != '0' && c != '(')
		return 0;
	if (!redact_num_start(t, i) || at(t, i - 1) == '#' ||
	    at(t, i - 1) == '+' || redact_labelled(t, i))
		return 0;

	/* No country code starts with 0: "+0", "000" are something else. */
	if (c == '+') {
		g = redact_digits(t, i + 1, REDACT_PHONE_MAX + 1);
		if (g == 0 || g > REDACT_PHONE_MAX || at(t, i + 1) == '0')
			return 0;
		digits = dend = g;
		j = end = i + 1 + g;
	} else if (c == '0') {
		g = redact_digits(t, i, REDACT_PHONE_MAX + 1);
		if (g < 3 || g > REDACT_PHONE_MAX ||
		    (at(t, i + 1) == '0' && at(t, i + 2) == '0'))
			return 0;
		digits = dend = g;
		j = end = i + g;
	} else {
		g = redact_digits(t, i + 1, 6);
		if (g == 0 || g > 5 || at(t, i + 1 + g) != ')')
			return 0;
		if (at(t, i + 1) != '0' && g != 3)
			return 0;
		digits = g;
		j = i + g + 2;
		paren = after_paren = 1;
	}

	for (;;) {
		k = j;
		sep = 0;
		if (at(t, k) == ' ') {
			sep = ' ';
			k++;
		}
		if (at(t, k) == '-' || at(t, k) == '/') {
			sep = at(t, k++);
			if (at(t, k) == ' ')
				k++;
		}
		if (at(t, k) == '(') {
			if (paren || sep == '-' || sep == '/')
				break;
			g = redact_digits(t, k + 1, 6);
			if (g == 0 || g > 5 || at(t, k + 1 + g) != ')')
				break;
			if (digits + g > REDACT_PHONE_MAX)
				break;
			digits += g;
			j = k + g + 2;
			paren = after_paren = 1;
			continue;
		}
		g = redact_digits(t, k, REDACT_PHONE_MAX + 1);
		if (g == 0 || (sep == 0 && !after_paren))
			break;
		if (g < 2 && sep != '-')
			break;
		if (digits + g > REDACT_PHONE_MAX)
			break;
		/* "030 12345678 0171 1234567": a second number starts. */
		if (sep == ' ' && !after_paren && at(t, k) == '0' &&
		    digits >= REDACT_PHONE_MIN &&
		    redact_phone_ahead(t, k) >= REDACT_PHONE_MIN)
			break;
		digits += g;
		j = end = k + g;
		dend = digits;
		after_paren = 0;
	}
	if (end == 0 || dend < REDACT_PHONE_MIN || !redact_num_end(t, end))
		return 0;
	return end - i;
}

static int
redact_iban_length(const char *cc)
{
	size_t	i;

	for (i = 0; i < sizeof redact_iban_lengths /
	    sizeof redact_iban_lengths[0]; i++) {
		if (memcmp(cc, redact_iban_lengths[i].cc, 2) == 0)
			return redact_iban_lengths[i].len;
	}
	return 0;
}

/* ISO 13616 check: country and check digits moved to the end, mod 97 is 1. */
static int
redact_iban_check(const char *v, size_t n)
{
	unsigned int	r = 0;
	size_t		i;
	int		c;

	if (memcmp(v + 2, "00", 2) == 0 || memcmp(v + 2, "01", 2) == 0 ||
	    memcmp(v + 2, "99", 2) == 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = v[(i + 4) % n];
		if (redact_digit(c))
			r = (r * 10 + (unsigned int)(c - '0')) % 97;
		else
			r = (r * 100 + (unsigned int)(c - 'A' + 10)) % 97;
	}
	return r == 1;
}

/*
 * An IBAN is written either in one piece or in groups of four separated by
 * single spaces. Every place it could end is a candidate; the longest that
 * has the country's length and passes mod 97 wins. When none does but three
 * groups or more were read, *skip gets their length: the digits of a
 * mistyped IBAN are not a card or phone number either.
 */
static size_t
redact_iban(const struct redact_text *t, size_t i, size_t *skip)
{
	char	v[REDACT_IBAN_MAX];
	size_t	ends[REDACT_IBAN_MAX + 1];
	size_t	n = 0, j = i, g, m, need;

	*skip = 0;
	if (!redact_alpha(at(t, i)) || !redact_alpha(at(t, i + 1)) ||
	    !redact_digit(at(t, i + 2)) || !redact_digit(at(t, i + 3)))
		return 0;
	if (redact_word_before(t, i))
		return 0;
	memset(ends, 0, sizeof ends);

	g = redact_alnums(t, i, REDACT_IBAN_MAX + 1);
	if (g == 4 && at(t, i + 4) == ' ' && redact_alnum(at(t, i + 5))) {
		for (;;) {
			g = redact_alnums(t, j, 5);
			if (g > 4 || n + g > REDACT_IBAN_MAX)
				break;
			for (m = 0; m < g; m++)
				v[n++] = (char)redact_upper(at(t, j + m));
			j += g;
			if (!redact_word_at(t, j))
				ends[n] = j;
			if (g < 4 || at(t, j) != ' ' || !redact_alnum(at(t, j + 1)))
				break;
			j++;
		}
	} else {
		if (g < REDACT_IBAN_MIN || g > REDACT_IBAN_MAX)
			return 0;
		for (n = 0; n < g; n++)
			v[n] = (char)redact_upper(at(t, i + n));
		if (!redact_word_at(t, i + g))
			ends[n] = i + g;
	}

	need = (size_t)redact_iban_length(v);
	for (m = n; m >= REDACT_IBAN_MIN; m--) {
		if (ends[m] == 0 || (need != 0 && m != need))
			continue;
		if (redact_iban_check(v, m))
			return ends[m] - i;
	}
	if (n >= 12)
		*skip = j - i;
	return 0;
}

static int
redact_luhn(const char *d, size_t n)
{
	unsigned int	sum = 0, v;
	int		twice = 0;

	while (n-- > 0) {
		v = (unsigned int)(d[n] - '0');
		if (twice && (v *= 2) > 9)
			v -= 9;
		sum += v;
		twice = !twice;
	}
	return sum % 10 == 0;
}

/*
 * 13-19 digits, first digit 2-6, in one piece or grouped by single spaces
 * or single hyphens (one kind throughout). Every group end is a candidate;
 * the longest that passes Luhn wins, so "4111 1111 1111 1111 12/28" loses
 * only the card number.
 */
static size_t
redact_card(const struct redact_text *t, size_t i)
{
	char	d[REDACT_CARD_MAX];
	size_t	ends[REDACT_CARD_MAX + 1];
	size_t	n = 0, j = i, g, m;
	int	c = at(t, i), sep = 0;

	if (c < '2' || c > '6' || !redact_num_start(t, i) ||
	    redact_labelled(t, i))
		return 0;
	memset(ends, 0, sizeof ends);

	for (;;) {
		g = redact_digits(t, j, REDACT_CARD_MAX + 1);
		if (n + g > REDACT_CARD_MAX)
			break;
		for (m = 0; m < g; m++)
			d[n++] = (char)at(t, j + m);
		j += g;
		if (n >= REDACT_CARD_MIN && redact_num_end(t, j))
			ends[n] = j;
		c = at(t, j);
		if ((c != ' ' && c != '-') || !redact_digit(at(t, j + 1)) ||
		    (sep != 0 && c != sep))
			break;
		sep = c;
		j++;
	}
	for (m = REDACT_CARD_MAX; m >= REDACT_CARD_MIN; m--) {
		if (ends[m] != 0 && redact_luhn(d, m))
			return ends[m] - i;
	}
	return 0;
}

/* Four dotted octets 0-255 at i, with no checks around; returns the length. */
static size_t
redact_ipv4_len(const struct redact_text *t, size_t i)
{
	size_t	j = i, g, m;
	int	octet, v;

	for (octet = 0; octet < 4; octet++) {
		if (octet > 0) {
			if (at(t, j) != '.')
				return 0;
			j++;
		}
		g = redact_digits(t, j, 4);
		if (g == 0 || g > 3)
			return 0;
		for (v = 0, m = 0; m < g; m++)
			v = v * 10 + at(t, j + m) - '0';
		if (v > 255)
			return 0;
		j += g;
	}
	return j - i;
}

/* An IPv4 address, not part of a longer dotted sequence (1.2.3.4.5). */
static size_t
redact_ipv4(const struct redact_text *t, size_t i)
{
	size_t	n;
	int	c;

	if (!redact_digit(at(t, i)) || !redact_num_start(t, i))
		return 0;
	if ((n = redact_ipv4_len(t, i)) == 0)
		return 0;
	c = at(t, i + n);
	if (redact_word_at(t, i + n) ||
	    (c == '.' && redact_digit(at(t, i + n + 1))))
		return 0;
	return n;
}

/*
 * An IPv6 address: hex groups of 1-4 digits separated by colons, eight of
 * them or fewer with one "::", optionally ending in an IPv4 address. Times
 * (14:35:10) and MAC addresses have too few groups and no "::".
 */
static size_t
redact_ipv6(const struct redact_text *t, size_t i)
{
	size_t	j = i, last = 0, g, n;
	int	c = at(t, i), p = at(t, i - 1), groups = 0, dbl = 0;

	if (redact_word_before(t, i) || p == ':' || p == '.')
		return 0;
	if (c == ':') {
		if (at(t, i + 1) != ':')
			return 0;
		dbl = 1;
		j = last = i + 2;
	} else if (!redact_hex(c))
		return 0;

	for (;;) {
		for (g = 0; g < 5 && redact_hex(at(t, j + g)); g++)
			/* nothing */;
		if (g == 0)
			break;
		if (g > 4)
			return 0;
		if (at(t, j + g) == '.' && redact_digit(at(t, j + g + 1))) {
			if ((groups == 0 && !dbl) || groups > 6)
				return 0;
			if ((n = redact_ipv4_len(t, j)) == 0)
				return 0;
			groups += 2;
			j = last = j + n;
			break;
		}
		groups++;
		j = last = j + g;
		if (groups > 8)
			return 0;
		if (at(t, j) == ':' && at(t, j + 1) == ':') {
			if (dbl)
				return 0;
			dbl = 1;
			j = last = j + 2;
			continue;
		}
		if (at(t, j) == ':' && redact_hex(at(t, j + 1))) {
			j++;
			continue;
		}
		break;
	}
	if (groups == 0 || (dbl ? groups > 7 : groups != 8))
		return 0;
	c = at(t, last);
	if (redact_word_at(t, last) ||
	    (c == ':' && (redact_hex(at(t, last + 1)) || at(t, last + 1) == ':')) ||
	    (c == '.' && redact_digit(at(t, last + 1))))
		return 0;
	return last - i;
}

/*
 * Returns the length of a built-in detector's match at i and its placeholder,
 * or a length to copy unchanged with a NULL placeholder.
 */
static size_t
redact_builtin(const struct redactor *r, const struct redact_text *t, size_t i,
    const char **ph)
{
	size_t	m, skip;
	int	c = at(t, i);

	*ph = NULL;
	if ((m = redact_email(t, i)) != 0) {
		*ph = "[email]";
		return m;
	}
	if (redact_alpha(c)) {
		if ((m = redact_iban(t, i, &skip)) != 0) {
			*ph = "[iban]";
			return m;
		}
		if (skip != 0)
			return skip;
	}
	if (r->ip) {
		if ((redact_hex(c) || c == ':') && (m = redact_ipv6(t, i)) != 0) {
			*ph = "[ip]";
			return m;
		}
		if ((m = redact_ipv4(t, i)) != 0) {
			*ph = "[ip]";
			return m;
		}
	}
	if ((m = redact_card(t, i)) != 0) {
		*ph = "[card]";
		return m;
	}
	if ((m = redact_phone(t, i)) != 0) {
		*ph = "[phone]";
		return m;
	}
	return 0;
}

/* Finds the first non-empty match of a configured pattern at or after from. */
static void
redact_find(const struct redact_pattern *p, const struct redact_text *t,
    size_t from, struct redact_next *nx)
{
	regmatch_t	m;
	int		flags;

	nx->valid = 0;
	while (from < t->len) {
		flags = from > 0 ? REG_NOTBOL : 0;
#ifdef REG_STARTEND
		/* Searches the range but sees the text before it (\<, \b). */
		m.rm_so = (regoff_t)from;
		m.rm_eo = (regoff_t)t->len;
		flags |= REG_STARTEND;
		if (regexec(&p->re, (const char *)t->s, 1, &m, flags) != 0)
			return;
#else
		if (regexec(&p->re, (const char *)t->s + from, 1, &m, flags) != 0)
			return;
		m.rm_so += (regoff_t)from;
		m.rm_eo += (regoff_t)from;
#endif
		if (m.rm_so < 0 || (size_t)m.rm_so < from)
			return;
		if (m.rm_eo > m.rm_so) {
			nx->so = (size_t)m.rm_so;
			nx->eo = (size_t)m.rm_eo;
			nx->valid = 1;
			return;
		}
		from = (size_t)m.rm_so + 1;
	}
}

static int
redact_valid_name(const char *name)
{
	size_t	n;

	if (name == NULL)
		return 0;
	for (n = 0; name[n] != '\0'; n++) {
		if (!redact_alnum((unsigned char)name[n]) && name[n] != '_' &&
		    name[n] != '-')
			return 0;
	}
	return n > 0 && n <= REDACT_NAME_MAX;
}

/* Returns a redactor with the built-ins and n configured patterns, or NULL and *cause. */
struct redactor *
redactor_create(const char *const *patterns, const char *const *names, size_t n,
    int ip_addresses, char **cause)
{
	struct redactor		*r;
	struct redact_pattern	*p;
	const char		*pat, *name;
	char			 err[256];
	size_t			 i;
	int			 rc;

	r = xcalloc(1, sizeof *r);
	r->ip = ip_addresses != 0;
	if (n > 0)
		r->patterns = xcalloc(n, sizeof *r->patterns);
	for (i = 0; i < n; i++) {
		pat = patterns != NULL ? patterns[i] : NULL;
		name = names != NULL ? names[i] : NULL;
		if (!redact_valid_name(name)) {
			if (cause != NULL)
				*cause = xprintf("redact pattern %zu: bad name "
				    "\"%s\" (1-%d letters, digits, _ or -)",
				    i + 1, name != NULL ? name : "",
				    REDACT_NAME_MAX);
			goto fail;
		}
		if (pat == NULL || *pat == '\0') {
			if (cause != NULL)
				*cause = xprintf("redact pattern %s: empty", name);
			goto fail;
		}
		p = &r->patterns[i];
		if ((rc = regcomp(&p->re, pat, REG_EXTENDED)) != 0) {
			regerror(rc, &p->re, err, sizeof err);
			if (cause != NULL)
				*cause = xprintf("redact pattern %s: %s: %s",
				    name, pat, err);
			goto fail;
		}
		p->placeholder = xprintf("[%s]", name);
		r->npatterns++;
		if (regexec(&p->re, "", 0, NULL, 0) == 0) {
			if (cause != NULL)
				*cause = xprintf("redact pattern %s: %s: matches "
				    "the empty string", name, pat);
			goto fail;
		}
	}
	return r;

fail:
	redactor_free(r);
	return NULL;
}

/* Frees a redactor; NULL is allowed. */
void
redactor_free(struct redactor *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->npatterns; i++) {
		regfree(&r->patterns[i].re);
		free(r->patterns[i].placeholder);
	}
	free(r->patterns);
	free(r);
}

/* Returns a new copy of text with every detected item replaced; *count gets how many. */
static char	*redact_pass(const struct redactor *, const char *, int *);

/*
 * Passes until nothing more is found: a replacement can make its neighbours into an item of
 * their own ("0041 11118::1" loses the phone number and leaves "::1", an IPv6 address), and
 * what is stored must not hold one a second look would find. Each pass that finds anything
 * shortens or keeps the text, so a few passes suffice; four is the bound.
 */
char *
redact(const struct redactor *r, const char *text, int *count)
{
	char *out, *again;
	int n, total, pass;

	out = redact_pass(r, text, &total);
	for (pass = 1; pass < 4 && total > 0; pass++) {
		again = redact_pass(r, out, &n);
		free(out);
		out = again;
		if (n == 0)
			break;
		total += n;
	}
	if (count != NULL)
		*count = total;
	return out;
}

static char *
redact_pass(const struct redactor *r, const char *text, int *count)
{
	struct redact_text	 t;
	struct redact_next	*next = NULL;
	struct buf		 out;
	const char		*ph;
	size_t			 i, lit, m, k, npat, so;
	int			 n = 0;

	if (text == NULL)
		text = "";
	t.s = (const unsigned char *)text;
	t.len = strlen(text);
	buf_init(&out);

	/* regoff_t may be an int: texts that large skip configured patterns. */
	npat = t.len < INT_MAX ? r->npatterns : 0;
	if (npat > 0) {
		next = xcalloc(npat, sizeof *next);
		for (k = 0; k < npat; k++)
			redact_find(&r->patterns[k], &t, 0, &next[k]);
	}

	i = lit = 0;
	while (i < t.len) {
		m = 0;
		ph = NULL;
		so = SIZE_MAX;
		for (k = 0; k < npat; k++) {
			if (!next[k].valid)
				continue;
			if (next[k].so == i && next[k].eo - i > m) {
				m = next[k].eo - i;
				ph = r->patterns[k].placeholder;
			}
			if (next[k].so < so)
				so = next[k].so;
		}
		if (m == 0 && (m = redact_builtin(r, &t, i, &ph)) == 0) {
			i++;
			continue;
		}
		if (ph == NULL) {
			/* Copied unchanged, up to the next configured match. */
			i = i + m < so ? i + m : so;
			continue;
		}
		buf_add(&out, text + lit, i - lit);
		buf_addstr(&out, ph);
		n++;
		i += m;
		lit = i;
		for (k = 0; k < npat; k++) {
			if (next[k].valid && next[k].so < i)
				redact_find(&r->patterns[k], &t, i, &next[k]);
		}
	}
	buf_add(&out, text + lit, t.len - lit);
	free(next);

	if (count != NULL)
		*count = n;
	return buf_take(&out);
}
