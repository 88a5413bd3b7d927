/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/redact.h"

#define BIG	(1024 * 1024)

/* Redacts in and checks the result and the number of replacements. */
static void
check(const struct redactor *r, const char *in, const char *want, int want_count)
{
	char	*out;
	int	 n = -1;

	out = redact(r, in, &n);
	if (strcmp(out, want) != 0 || n != want_count)
		fprintf(stderr, "in:   %s\nout:  %s (%d)\nwant: %s (%d)\n", in,
		    out, n, want, want_count);
	assert_string_equal(out, want);
	assert_int_equal(n, want_count);
	free(out);
}

/* Checks that in passes unchanged. */
static void
check_same(const struct redactor *r, const char *in)
{
	check(r, in, in, 0);
}

static struct redactor *
plain(int ip)
{
	struct redactor	*r;
	char		*cause = NULL;

	r = redactor_create(NULL, NULL, 0, ip, &cause);
	assert_non_null(r);
	assert_null(cause);
	return r;
}

static void
test_support_texts(void **state)
{
	struct redactor	*r = plain(0);

	(void)state;
	check(r, "Kunde Max Mustermann (max.mustermann@example.de, Tel. "
	    "+49 171 1234567) meldet, dass die Zahlung von "
	    "DE89 3704 0044 0532 0130 00 fehlschlug.",
	    "Kunde Max Mustermann ([email], Tel. [phone]) meldet, dass die "
	    "Zahlung von [iban] fehlschlug.", 3);
	check(r, "Customer reports the assistant echoed her card number "
	    "4111 1111 1111 1111 back in the chat; she asks to be called "
	    "on +1-202-555-0143 or mailed at jane.doe+support@mail.example.com.",
	    "Customer reports the assistant echoed her card number [card] "
	    "back in the chat; she asks to be called on [phone] or mailed at "
	    "[email].", 3);
	check(r, "Rückruf erbeten unter (030) 123 45 67, alternativ "
	    "0171/1234567. Bestellnummer 4711-2023-0815, Ticket OPS-1234.",
	    "Rückruf erbeten unter [phone], alternativ [phone]. "
	    "Bestellnummer 4711-2023-0815, Ticket OPS-1234.", 2);
	check_same(r, "Der Assistent antwortete seit 14:35:10 mit HTTP 429 "
	    "(Rate-Limit), p95 lag bei 2.300 ms, Kosten 1.234,56 EUR.");
	redactor_free(r);
}

static void
test_email(void **state)
{
	struct redactor	*r = plain(0);

	(void)state;
	check(r, "max.mustermann@example.de", "[email]", 1);
	check(r, "Mail: support+ticket-42@kunde-gmbh.co.uk.",
	    "Mail: [email].", 1);
	check(r, "a_b-c@sub.domain.example.com", "[email]", 1);
	check(r, "<Jane.Doe@Example.COM>", "<[email]>", 1);
	check(r, "Antwort an \xe2\x80\x9ejuergen@example.de\xe2\x80\x9c",
	    "Antwort an \xe2\x80\x9e[email]\xe2\x80\x9c", 1);
	check(r, "j\xc3\xbcrgen.m\xc3\xbcller@example.de schrieb",
	    "[email] schrieb", 1);
	check(r, "siehe...max@example.de", "[email]", 1);
	check(r, "Anfrage von max@example.de.", "Anfrage von [email].", 1);
	check(r, "max@example.de:", "[email]:", 1);
	/* No dot in the domain, a one-letter TLD, nothing before the @. */
	check_same(r, "root@localhost");
	check_same(r, "max@example.d");
	check_same(r, "@example.de");
	check_same(r, "foo@bar");
	check_same(r, "Preis @ 5.99 EUR");
	check_same(r, "user@example.123");
	redactor_free(r);
}

static void
test_phone(void **state)
{
	struct redactor	*r = plain(0);

	(void)state;
	check(r, "Tel. +49 30 1234567", "Tel. [phone]", 1);
	check(r, "Tel. +49 (0)30 123 456-78 (Zentrale)",
	    "Tel. [phone] (Zentrale)", 1);
	check(r, "call +1-202-555-0143 now", "call [phone] now", 1);
	check(r, "0049 171 1234567", "[phone]", 1);
	check(r, "Festnetz 030 12345678.", "Festnetz [phone].", 1);
	check(r, "Handy: 0171/1234567", "Handy: [phone]", 1);
	check(r, "Handy: 0171 / 1234567", "Handy: [phone]", 1);
	check(r, "Tel.-Nr. (030) 123 45 67", "Tel.-Nr. [phone]", 1);
	check(r, "US office (202) 555-0143", "US office [phone]", 1);
	check(r, "+491711234567", "[phone]", 1);
	check(r, "(+49 171 1234567)", "([phone])", 1);
	check(r, "Tel:0171-1234567", "Tel:[phone]", 1);
	/* Two numbers side by side stay two numbers. */
	check(r, "030 12345678 0171 1234567", "[phone] [phone]", 2);
	check(r, "030 1234 0567", "[phone]", 1);
	check(r, "+49 30 1234567, +49 171 1234567",
	    "[phone], [phone]", 2);
	/* Fewer than 7 digits. */
	check_same(r, "Durchwahl 030 123");
	check_same(r, "+49 30 12");
	redactor_free(r);
}

static void
test_iban(void **state)
{
	struct redactor	*r = plain(0);

	(void)state;
	check(r, "IBAN: DE89 3704 0044 0532 0130 00", "IBAN: [iban]", 1);
	check(r, "IBAN DE89370400440532013000.", "IBAN [iban].", 1);
	check(r, "de89 3704 0044 0532 0130 00", "[iban]", 1);
	check(r, "AT61 1904 3002 3457 3201", "[iban]", 1);
	check(r, "CH93 0076 2011 6238 5295 7", "[iban]", 1);
	check(r, "FR14 2004 1010 0505 0001 3M02 606", "[iban]", 1);
	check(r, "GB29 NWBK 6016 1331 9268 19", "[iban]", 1);
	check(r, "NL91 ABNA 0417 1643 00", "[iban]", 1);
	check(r, "ES91 2100 0418 4502 0005 1332", "[iban]", 1);
	check(r, "IT60 X054 2811 1010 0000 0123 456", "[iban]", 1);
	check(r, "PL61 1090 1014 0000 0712 1981 2874", "[iban]", 1);
	/* A group of four followed by words. */
	check(r, "BE68 5390 0754 7034 fehlt", "[iban] fehlt", 1);
	check(r, "BE68 5390 0754 7034 und", "[iban] und", 1);
	check(r, "(DE89370400440532013000)", "([iban])", 1);
	/* Unknown country, 15-34 characters. */
	check(r, "XY3912345678901234", "[iban]", 1);
	/* Wrong check sum, wrong length for DE, too short, glued to a word. */
	check_same(r, "DE89 3704 0044 0532 0130 01");
	check_same(r, "DE5137040044053201300");
	check_same(r, "XY331234567890");
	check_same(r, "xDE89370400440532013000");
	check_same(r, "DE89370400440532013000x");
	redactor_free(r);
}

static void
test_card(void **state)
{
	struct redactor	*r = plain(0);

	(void)state;
	check(r, "Karte 4111 1111 1111 1111", "Karte [card]", 1);
	check(r, "card 4111-1111-1111-1111.", "card [card].", 1);
	check(r, "4111111111111111", "[card]", 1);
	check(r, "MC 5555 5555 5555 4444, Amex 3782 822463 10005",
	    "MC [card], Amex [card]", 2);
	check(r, "2223003122003222", "[card]", 1);
	check(r, "6011111111111117", "[card]", 1);
	check(r, "4222222222222", "[card]", 1);
	check(r, "4111 1111 1111 1111 12/28", "[card] 12/28", 1);
	check(r, "4111 1111 1111 1111 4012 8888 8888 1881",
	    "[card] [card]", 2);
	/* Luhn fails; Luhn passes but the first digit is not 2-6. */
	check_same(r, "4111 1111 1111 1112");
	check_same(r, "4532015112830367");
	check_same(r, "1234567812345670");
	check_same(r, "8123456781234561");
	/* Mixed separators, part of a longer number. */
	check_same(r, "4111 1111-1111 1111");
	check_same(r, "41111111111111111111");
	check_same(r, "4111-1111-1111-1111-1111");
	redactor_free(r);
}

static void
test_ip(void **state)
{
	struct redactor	*r = plain(1);
	struct redactor	*off = plain(0);

	(void)state;
	check(r, "Anfrage von 192.168.10.20 abgelehnt",
	    "Anfrage von [ip] abgelehnt", 1);
	check(r, "upstream 10.0.0.1:8080 timed out", "upstream [ip]:8080 timed out",
	    1);
	check(r, "client 0.0.0.0, peer 255.255.255.255.",
	    "client [ip], peer [ip].", 2);
	check(r, "::1", "[ip]", 1);
	check(r, "listen [::1]:9090", "listen [[ip]]:9090", 1);
	check(r, "fe80::1 und 2001:db8::8a2e:370:7334",
	    "[ip] und [ip]", 2);
	check(r, "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "[ip]", 1);
	check(r, "::ffff:192.0.2.1", "[ip]", 1);
	check(r, "fe80::", "[ip]", 1);
	/* Off: left alone. */
	check_same(off, "Anfrage von 192.168.10.20 abgelehnt");
	check_same(off, "listen [::1]:9090");
	check_same(off, "fe80::1 und 2001:db8::8a2e:370:7334");
	/* Versions, octets over 255, times, MAC addresses, C++ scopes. */
	check_same(r, "release 1.2.3.4.5");
	check_same(r, "v1.2.3.4");
	check_same(r, "256.1.1.1");
	check_same(r, "1.2.3");
	check_same(r, "14:35:10");
	check_same(r, "00:1a:2b:3c:4d:5e");
	check_same(r, "std::vector");
	check_same(r, "1:2:3:4:5:6:7:8:9");
	check_same(r, "1::2::3");
	check_same(r, " :: ");
	redactor_free(r);
	redactor_free(off);
}

static void
test_near_misses(void **state)
{
	struct redactor	*r = plain(1);

	(void)state;
	check_same(r, "Bestellnummer 4711-2023-0815");
	check_same(r, "Bestellnummer 0815-4711-2023");
	check_same(r, "Bestell-Nr. 0815 4711 2023");
	check_same(r, "order #123456789");
	check_same(r, "order #0123456789");
	check_same(r, "order no. 0123456789");
	check_same(r, "am 23.11.2026 um 14:35:10");
	check_same(r, "am 01.02.2026");
	check_same(r, "2026-11-23T14:35:10Z");
	check_same(r, "Betrag 1.234,56 EUR");
	check_same(r, "amount $1,234.56");
	check_same(r, "Betrag 0,99 EUR");
	check_same(r, "version v2.3.1");
	check_same(r, "model gpt-4o-2024-08-06");
	check_same(r, "tool 1.2.3.4.5");
	check_same(r, "4111 1111 1111 1234");
	check_same(r, "DE89 3704 0044 0532 0130 01");
	check_same(r, "Ticket OPS-1234 und INC-0012345678");
	check_same(r, "HTTP 503 Service Unavailable, dann 429 und 200");
	check_same(r, "PLZ 012345 und 123456");
	check_same(r, "Umsatz (2025) 1234567 EUR");
	check_same(r, "Latenz p95 0.873 s, 12 345 Anfragen");
	check_same(r, "trace id 0af7651916cd43dd8448eb211c80319c");
	check_same(r, "Zaehler 000000123, Saldo +0012345678");
	check_same(r, "UUID 123e4567-e89b-12d3-a456-426614174000");
	redactor_free(r);
}

static void
test_configured(void **state)
{
	const char *const	 pats[] = { "KD-[0-9]{6}", "\\<ORD[0-9]+\\>" };
	const char *const	 names[] = { "customer", "order" };
	struct redactor		*r;
	char			*cause = NULL;

	(void)state;
	r = redactor_create(pats, names, 2, 0, &cause);
	assert_non_null(r);
	assert_null(cause);
	check(r, "Kunde KD-123456 (max@example.de) fragt nach ORD4711.",
	    "Kunde [customer] ([email]) fragt nach [order].", 3);
	check(r, "KD-123456,KD-654321", "[customer],[customer]", 2);
	check(r, "KD-12345 ist zu kurz, XORD4711 kein Auftrag",
	    "KD-12345 ist zu kurz, XORD4711 kein Auftrag", 0);
	check(r, "Kunden KD-123456 und KD-000001 melden +49 171 1234567",
	    "Kunden [customer] und [customer] melden [phone]", 3);
	redactor_free(r);
}

static void
test_bad_pattern(void **state)
{
	const char *const	 bad[] = { "KD-[0-9]{6}", "KD-[0-9" };
	const char *const	 names[] = { "customer", "broken" };
	const char *const	 empty[] = { "x*" };
	const char *const	 one[] = { "ok" };
	const char *const	 badname[] = { "bad]name" };
	char			*cause = NULL;

	(void)state;
	assert_null(redactor_create(bad, names, 2, 0, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "broken"));
	assert_non_null(strstr(cause, "KD-[0-9"));
	free(cause);

	cause = NULL;
	assert_null(redactor_create(empty, one, 1, 0, &cause));
	assert_non_null(strstr(cause, "empty string"));
	free(cause);

	cause = NULL;
	assert_null(redactor_create(one, badname, 1, 0, &cause));
	assert_non_null(strstr(cause, "bad]name"));
	free(cause);
}

static void
test_punctuation(void **state)
{
	struct redactor	*r = plain(1);

	(void)state;
	check(r, "E-Mail:max@example.de;Tel:+49 30 1234567,"
	    "IBAN:DE89370400440532013000.IP:10.1.2.3!",
	    "E-Mail:[email];Tel:[phone],IBAN:[iban].IP:[ip]!", 4);
	check(r, "\"max@example.de\",'0171 1234567',[4111111111111111]",
	    "\"[email]\",'[phone]',[[card]]", 3);
	check(r, "max@example.de\nmoritz@example.org\n0171 1234567\n",
	    "[email]\n[email]\n[phone]\n", 3);
	redactor_free(r);
}

static void
test_empty(void **state)
{
	struct redactor	*r = plain(1);
	char		*out;

	(void)state;
	check(r, "", "", 0);
	out = redact(r, "max@example.de", NULL);
	assert_string_equal(out, "[email]");
	free(out);
	redactor_free(NULL);
	redactor_free(r);
}

static void
test_invalid_utf8(void **state)
{
	struct redactor	*r = plain(1);

	(void)state;
	check_same(r, "\xff\xfe\xc3(\xed\xa0\x80 \x80\x80");
	check(r, "\xff" "max@example.de\xc0\xaf", "\xff[email]\xc0\xaf", 1);
	check(r, "\xc3\x28" "0171 1234567\xff", "\xc3\x28[phone]\xff", 1);
	redactor_free(r);
}

static void
test_idempotent(void **state)
{
	const char *const	 pats[] = { "KD-[0-9]{6}" };
	const char *const	 names[] = { "customer" };
	static const char	*texts[] = {
		"Kunde Max Mustermann (max.mustermann@example.de, Tel. "
		"+49 171 1234567) meldet, dass die Zahlung von "
		"DE89 3704 0044 0532 0130 00 fehlschlug.",
		"KD-123456: 10.0.0.1, ::1, 4111 1111 1111 1111, (030) 123 45 67",
		"a@b.de.0171 1234567 1.2.3.4.5 x@y.de@z.de",
		"10.0.0.1.5max@example.de",
		/* Found by the fuzzer: the phone number's removal leaves an IPv6 address. */
		"Bu(89 3704 0041 11118::1. 1na",
	};
	struct redactor		*r;
	char			*cause = NULL, *once, *twice;
	size_t			 i;
	int			 n;

	(void)state;
	r = redactor_create(pats, names, 1, 1, &cause);
	assert_non_null(r);
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		once = redact(r, texts[i], NULL);
		twice = redact(r, once, &n);
		assert_string_equal(once, twice);
		assert_int_equal(n, 0);
		free(once);
		free(twice);
	}
	redactor_free(r);
}

static void
test_random(void **state)
{
	const char *const	 pats[] = { "KD-[0-9]{6}" };
	const char *const	 names[] = { "customer" };
	struct redactor		*r;
	char			*in, *out, *again, *cause = NULL;
	size_t			 i, len;
	int			 n, round;
	unsigned int		 seed = 4711;

	(void)state;
	in = malloc(BIG + 1);
	assert_non_null(in);
	for (round = 0; round < 2; round++) {
		r = redactor_create(pats, names, round, round, &cause);
		assert_non_null(r);
		/* Random bytes, then a text-like alphabet that hits more often. */
		for (i = 0; i < BIG; i++) {
			seed = seed * 1103515245 + 12345;
			if (round == 0)
				in[i] = (char)(1 + (seed >> 16) % 255);
			else
				in[i] = "0123456789 .:-+/@(ab.deDEKD"[(seed >> 16) % 27];
		}
		in[BIG] = '\0';
		out = redact(r, in, &n);
		len = strlen(out);
		/* Only [email] and [ip] can be one byte longer than the match. */
		assert_true(len <= BIG + (size_t)n * (round ? 8 : 1));
		if (n == 0)
			assert_memory_equal(out, in, BIG + 1);
		again = redact(r, out, NULL);
		assert_string_equal(again, out);
		free(again);
		free(out);
		redactor_free(r);
	}
	free(in);
}

/* Inputs that would make a backtracking scanner quadratic. */
static void
test_pathological(void **state)
{
	static const char	*units[] = {
		"a.", "0", "+4", "1.", "DE89 ", "4111 ", "::", "a@", "0171 1",
		"ab:", "(0)", "-", "a", "0171 1234567 ",
	};
	struct redactor		*r = plain(1);
	char			*in, *out;
	size_t			 i, j, ulen;
	int			 n;

	(void)state;
	in = malloc(BIG + 1);
	assert_non_null(in);
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		ulen = strlen(units[i]);
		for (j = 0; j + ulen <= BIG; j += ulen)
			memcpy(in + j, units[i], ulen);
		in[j] = '\0';
		out = redact(r, in, &n);
		if (strcmp(units[i], "0171 1234567 ") == 0)
			assert_int_equal(n, (int)(j / ulen));
		free(out);
	}
	free(in);
	redactor_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_support_texts),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_card),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_configured),
		cmocka_unit_test(test_bad_pattern),
		cmocka_unit_test(test_punctuation),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_pathological),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
