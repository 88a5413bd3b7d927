/* SPDX-License-Identifier: ISC */
/* Time zones and on-call rotations: DST gaps and repeats, shifts across changes, overrides
   across hand-offs, an empty schedule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/oncall.h"
#include "backend/rotation.h"
#include "backend/tz.h"

static char *abc[] = { (char *)"alice", (char *)"bob", (char *)"carol" };

static time_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return timegm(&tm);
}

static time_t
wall(const char *zone, int y, int mo, int d, int h, int mi)
{
	struct tz_wall w = { y, mo, d, h, mi, 0 };

	return tz_instant(zone, &w);
}

static struct oncall_rotation
rot(const char *zone, int handoff, int days, int y, int mo, int d)
{
	struct oncall_rotation r;

	memset(&r, 0, sizeof r);
	r.users = abc;
	r.nusers = 3;
	r.handoff = handoff;
	r.days = days;
	r.zone = (char *)zone;
	r.start_day = tz_days(y, mo, d);
	return r;
}

static void
test_plain_and_offsets(void **state)
{
	(void)state;
	/* Winter and summer in Berlin and New York. */
	assert_int_equal(wall("Europe/Berlin", 2026, 1, 15, 9, 0), utc(2026, 1, 15, 8, 0));
	assert_int_equal(wall("Europe/Berlin", 2026, 7, 15, 9, 0), utc(2026, 7, 15, 7, 0));
	assert_int_equal(wall("America/New_York", 2026, 1, 15, 9, 0), utc(2026, 1, 15, 14, 0));
	assert_int_equal(wall("America/New_York", 2026, 7, 15, 9, 0), utc(2026, 7, 15, 13, 0));
	assert_int_equal(wall("UTC", 2026, 7, 15, 9, 0), utc(2026, 7, 15, 9, 0));
}

/* A wall time in a spring-forward gap is the end of the gap. */
static void
test_gap(void **state)
{
	(void)state;
	/* Berlin 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC). */
	assert_int_equal(wall("Europe/Berlin", 2026, 3, 29, 2, 30), utc(2026, 3, 29, 1, 0));
	assert_int_equal(wall("Europe/Berlin", 2026, 3, 29, 2, 0), utc(2026, 3, 29, 1, 0));
	assert_int_equal(wall("Europe/Berlin", 2026, 3, 29, 3, 0), utc(2026, 3, 29, 1, 0));
	assert_int_equal(wall("Europe/Berlin", 2026, 3, 29, 1, 59), utc(2026, 3, 29, 0, 59));
	/* New York 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC). */
	assert_int_equal(wall("America/New_York", 2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 0));
}

/* A wall time in an autumn repeat is its first occurrence. */
static void
test_repeat(void **state)
{
	(void)state;
	/* Berlin 2026-10-25: 03:00 CEST goes back to 02:00 CET at 01:00 UTC. */
	assert_int_equal(wall("Europe/Berlin", 2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30));
	assert_int_equal(wall("Europe/Berlin", 2026, 10, 25, 3, 0), utc(2026, 10, 25, 2, 0));
	/* New York 2026-11-01: 02:00 EDT goes back to 01:00 EST at 06:00 UTC. */
	assert_int_equal(wall("America/New_York", 2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30));
}

/* The functions put TZ back as they found it, set or unset. */
static void
test_tz_restored(void **state)
{
	struct tm tm;

	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	(void)wall("Europe/Berlin", 2026, 3, 29, 2, 30);
	tz_local("America/New_York", 0, &tm);
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	assert_int_equal(wall(NULL, 2026, 1, 1, 9, 0), utc(2026, 1, 1, 0, 0));
	unsetenv("TZ");
	tzset();
	(void)wall("Europe/Berlin", 2026, 3, 29, 2, 30);
	assert_null(getenv("TZ"));
}

static void
test_tz_check(void **state)
{
	(void)state;
	assert_null(tz_check("Europe/Berlin"));
	assert_null(tz_check("America/New_York"));
	assert_null(tz_check("UTC"));
	assert_non_null(tz_check(""));
	assert_non_null(tz_check("/etc/passwd"));
	assert_non_null(tz_check("../../etc/passwd"));
	assert_non_null(tz_check("Europe/../Europe/Berlin"));
	assert_non_null(tz_check("Mars/Olympus_Mons"));
	assert_non_null(tz_check("Europe"));		/* a directory */
	assert_non_null(tz_check("Europe/Berlin\n"));
	assert_non_null(tz_check("Europe/Berlin; rm -rf"));
	assert_non_null(tz_check("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
}

static void
test_parse(void **state)
{
	static const char *const bad[] = {
		"", "tomorrow", "2026-12-24", "2026-12-24 18", "2026-12-24 25:00",
		"2026-02-30 10:00", "2026-13-01 10:00", "1969-12-31 23:00", "2026-12-24 18:00Q",
		"2026-12-24 18:00+25:00", "2026-12-24 18:00 ", " 2026-12-24 18:00",
		"2026-12-24\n18:00", "20261224T1800Z", "2026-12-24 18:60",
		/* A valid time with junk after it is refused whole, never cut to the time. */
		"2026-12-24T18:00:00.000Z-and-then-text-that-is-no-part-of-any-time-at-all",
	};
	time_t t;
	char *cause;
	size_t i;

	(void)state;
	assert_int_equal(tz_parse("2026-12-24 18:00", "Europe/Berlin", &t, &cause), 0);
	assert_int_equal(t, utc(2026, 12, 24, 17, 0));
	assert_int_equal(tz_parse("2026-12-24T18:00:00", "America/New_York", &t, &cause), 0);
	assert_int_equal(t, utc(2026, 12, 24, 23, 0));
	assert_int_equal(tz_parse("2026-12-24T17:00:00Z", "Europe/Berlin", &t, &cause), 0);
	assert_int_equal(t, utc(2026, 12, 24, 17, 0));
	assert_int_equal(tz_parse("2026-12-24T18:00+01:00", NULL, &t, &cause), 0);
	assert_int_equal(t, utc(2026, 12, 24, 17, 0));
	assert_int_equal(tz_parse("2026-12-24T12:00:00-0500", NULL, &t, &cause), 0);
	assert_int_equal(t, utc(2026, 12, 24, 17, 0));
	/* In the gap: its end. */
	assert_int_equal(tz_parse("2026-03-29 02:30", "Europe/Berlin", &t, &cause), 0);
	assert_int_equal(t, utc(2026, 3, 29, 1, 0));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (tz_parse(bad[i], "Europe/Berlin", &t, &cause) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
}

static void
test_days(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(tz_days(1970, 1, 1), 0);
	assert_int_equal(tz_days(2026, 1, 5), utc(2026, 1, 5, 0, 0) / 86400);
	tz_civil(tz_days(2028, 2, 29), &y, &m, &d);
	assert_int_equal(y * 10000 + m * 100 + d, 20280229);
	assert_true(tz_date_ok(2028, 2, 29));
	assert_false(tz_date_ok(2026, 2, 29));
	assert_false(tz_date_ok(2026, 4, 31));
}

/* A daily hand-off at 02:30 on the spring-forward day happens at 03:00, the end of the gap:
   that day's outgoing shift is 23.5 hours... of which the clock shows 23. */
static void
test_daily_spring_forward(void **state)
{
	struct oncall oc;
	struct oncall_shift sh;

	(void)state;
	memset(&oc, 0, sizeof oc);
	oc.level[0] = rot("Europe/Berlin", 150, 1, 2026, 3, 27);
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 3, 27, 12, 0), &sh), 1);
	assert_string_equal(sh.user, "alice");
	assert_int_equal(sh.start, utc(2026, 3, 27, 1, 30));
	assert_int_equal(sh.end, utc(2026, 3, 28, 1, 30));
	assert_int_equal(sh.override, 0);
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 3, 29, 0, 59), &sh), 1);
	assert_string_equal(sh.user, "bob");
	assert_int_equal(sh.end, utc(2026, 3, 29, 1, 0));
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 3, 29, 1, 0), &sh), 1);
	assert_string_equal(sh.user, "carol");
	assert_int_equal(sh.start, utc(2026, 3, 29, 1, 0));
	assert_int_equal(sh.end, utc(2026, 3, 30, 0, 30));
	assert_int_equal(oncall_next(&oc, 1, utc(2026, 3, 29, 1, 0), &sh), 1);
	assert_string_equal(sh.user, "alice");
	assert_int_equal(sh.start, utc(2026, 3, 30, 0, 30));

	/* New York, the same hand-off time. */
	oc.level[1] = rot("America/New_York", 150, 1, 2026, 3, 7);
	assert_int_equal(oncall_who(&oc, 2, utc(2026, 3, 8, 6, 59), &sh), 1);
	assert_string_equal(sh.user, "alice");
	assert_int_equal(sh.start, utc(2026, 3, 7, 7, 30));
	assert_int_equal(sh.end, utc(2026, 3, 8, 7, 0));
	assert_int_equal(oncall_who(&oc, 2, utc(2026, 3, 8, 7, 0), &sh), 1);
	assert_string_equal(sh.user, "bob");
	assert_int_equal(sh.end, utc(2026, 3, 9, 6, 30));
}

/* A daily hand-off at 02:30 on the fall-back day happens at the first 02:30; the second
   02:15 already belongs to the new shift. */
static void
test_daily_fall_back(void **state)
{
	struct oncall oc;
	struct oncall_shift sh;

	(void)state;
	memset(&oc, 0, sizeof oc);
	oc.level[0] = rot("Europe/Berlin", 150, 1, 2026, 10, 24);
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 10, 25, 0, 29), &sh), 1);
	assert_string_equal(sh.user, "alice");
	assert_int_equal(sh.start, utc(2026, 10, 24, 0, 30));
	assert_int_equal(sh.end, utc(2026, 10, 25, 0, 30));
	/* 01:15 UTC is the second 02:15 local. */
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 10, 25, 1, 15), &sh), 1);
	assert_string_equal(sh.user, "bob");
	assert_int_equal(sh.start, utc(2026, 10, 25, 0, 30));
	assert_int_equal(sh.end, utc(2026, 10, 26, 1, 30));		/* 25 hours */
}

/* A weekly shift is 7 local days: 167 hours over spring forward, 169 over fall back. */
static void
test_weekly_across_dst(void **state)
{
	struct oncall oc;
	struct oncall_shift sh;

	(void)state;
	memset(&oc, 0, sizeof oc);
	oc.level[0] = rot("America/New_York", 540, 7, 2026, 3, 2);
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 3, 5, 0, 0), &sh), 1);
	assert_string_equal(sh.user, "alice");
	assert_int_equal(sh.start, utc(2026, 3, 2, 14, 0));
	assert_int_equal(sh.end, utc(2026, 3, 9, 13, 0));
	assert_int_equal(sh.end - sh.start, 167 * 3600);
	oc.level[2] = rot("Europe/Berlin", 540, 7, 2026, 10, 19);
	assert_int_equal(oncall_who(&oc, 3, utc(2026, 10, 26, 7, 59), &sh), 1);
	assert_string_equal(sh.user, "alice");
	assert_int_equal(sh.end - sh.start, 169 * 3600);
	assert_int_equal(oncall_who(&oc, 3, utc(2026, 10, 26, 8, 0), &sh), 1);
	assert_string_equal(sh.user, "bob");
	/* The rotation goes on in order: carol, then alice again; and backwards before its
	   start (the week before shift 0 is carol's). */
	assert_int_equal(oncall_who(&oc, 3, utc(2026, 11, 4, 12, 0), &sh), 1);
	assert_string_equal(sh.user, "carol");
	assert_int_equal(oncall_who(&oc, 3, utc(2026, 11, 10, 12, 0), &sh), 1);
	assert_string_equal(sh.user, "alice");
	assert_int_equal(oncall_who(&oc, 3, utc(2026, 10, 15, 12, 0), &sh), 1);
	assert_string_equal(sh.user, "carol");
	assert_int_equal(oncall_who(&oc, 3, utc(2025, 10, 15, 12, 0), &sh), 1);
	assert_non_null(sh.user);
}

/* An override across a hand-off: it wins where it lies and cuts both shifts short. */
static void
test_override_across_handoff(void **state)
{
	struct oncall_override ov = { 7, 1, (char *)"dave", (char *)"bob", 0, 0 };
	struct oncall oc;
	struct oncall_shift sh;

	(void)state;
	memset(&oc, 0, sizeof oc);
	oc.level[0] = rot("Europe/Berlin", 540, 1, 2026, 12, 23);	/* alice 23rd, bob 24th */
	ov.start = wall("Europe/Berlin", 2026, 12, 23, 18, 0);
	ov.end = wall("Europe/Berlin", 2026, 12, 24, 12, 0);
	oc.overrides = &ov;
	oc.noverrides = 1;
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 12, 23, 12, 0), &sh), 1);
	assert_string_equal(sh.user, "alice");
	assert_int_equal(sh.start, utc(2026, 12, 23, 8, 0));
	assert_int_equal(sh.end, ov.start);
	assert_int_equal(oncall_next(&oc, 1, utc(2026, 12, 23, 12, 0), &sh), 1);
	assert_string_equal(sh.user, "dave");
	assert_string_equal(sh.for_user, "bob");
	assert_int_equal(sh.override, 7);
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 12, 24, 8, 30), &sh), 1);
	assert_string_equal(sh.user, "dave");
	assert_int_equal(sh.start, ov.start);
	assert_int_equal(sh.end, ov.end);
	assert_int_equal(oncall_who(&oc, 1, ov.end, &sh), 1);
	assert_string_equal(sh.user, "bob");
	assert_int_equal(sh.start, ov.end);
	assert_int_equal(sh.end, utc(2026, 12, 25, 8, 0));
	/* Another level is untouched. */
	oc.level[1] = rot("Europe/Berlin", 540, 1, 2026, 12, 23);
	assert_int_equal(oncall_who(&oc, 2, utc(2026, 12, 24, 8, 30), &sh), 1);
	assert_string_equal(sh.user, "bob");
	assert_int_equal(sh.override, 0);
}

/* No rotation: nobody, until further notice, unless an override says otherwise. */
static void
test_empty(void **state)
{
	struct oncall_override ov = { 3, 2, (char *)"erin", NULL, 0, 0 };
	struct oncall oc;
	struct oncall_shift sh;

	(void)state;
	memset(&oc, 0, sizeof oc);
	assert_false(oncall_configured(&oc, 1));
	assert_int_equal(oncall_who(&oc, 1, utc(2026, 12, 1, 0, 0), &sh), 0);
	assert_null(sh.user);
	assert_int_equal(sh.start, 0);
	assert_int_equal(sh.end, 0);
	assert_int_equal(oncall_next(&oc, 1, utc(2026, 12, 1, 0, 0), &sh), 0);
	assert_int_equal(oncall_who(&oc, 0, 0, &sh), -1);
	assert_int_equal(oncall_who(&oc, 4, 0, &sh), -1);

	ov.start = utc(2026, 12, 2, 0, 0);
	ov.end = utc(2026, 12, 3, 0, 0);
	oc.overrides = &ov;
	oc.noverrides = 1;
	assert_int_equal(oncall_who(&oc, 2, utc(2026, 12, 1, 0, 0), &sh), 0);
	assert_int_equal(sh.end, ov.start);
	assert_int_equal(oncall_next(&oc, 2, utc(2026, 12, 1, 0, 0), &sh), 1);
	assert_string_equal(sh.user, "erin");
	assert_null(sh.for_user);
	assert_int_equal(oncall_who(&oc, 2, utc(2026, 12, 3, 0, 0), &sh), 0);
	assert_int_equal(sh.start, ov.end);
	assert_int_equal(sh.end, 0);
}

/* The calendar: CRLF everywhere, no line over 75 octets, folds never inside a UTF-8 character,
   TEXT escaped; one event per shift in the window, overrides applied. */
static void
test_ical(void **state)
{
	struct oncall_override ov = { 9, 1, (char *)"dave", (char *)"bob", 0, 0 };
	struct oncall oc;
	const char *name = "Support \\ Bot; EU, \"Nord\"\nzwei Zeilen \xc3\xa4\xc3\xb6\xc3\xbc "
	    "\xc3\xa4\xc3\xb6\xc3\xbc \xc3\xa4\xc3\xb6\xc3\xbc \xc3\xa4\xc3\xb6\xc3\xbc long enough to fold";
	char *ics, *p, *eol, *unfolded;
	size_t len, i, j;
	int n;

	(void)state;
	memset(&oc, 0, sizeof oc);
	oc.level[0] = rot("Europe/Berlin", 540, 1, 2026, 12, 21);
	ov.start = utc(2026, 12, 22, 17, 0);
	ov.end = utc(2026, 12, 23, 11, 0);
	oc.overrides = &ov;
	oc.noverrides = 1;
	ics = oncall_ical(&oc, utc(2026, 12, 21, 8, 0), utc(2026, 12, 24, 8, 0),
	    utc(2026, 12, 1, 0, 0), name, "example.org", &n);
	/* alice on the 21st, bob on the 22nd until dave covers, dave into the 23rd (carol's
	   day), carol after him. */
	assert_int_equal(n, 4);
	for (p = ics; *p != '\0'; p = eol + 2) {
		eol = strstr(p, "\r\n");
		assert_non_null(eol);
		len = (size_t)(eol - p);
		assert_true(len <= 75);
		assert_null(memchr(p, '\n', len));
		/* A continuation line starts with a blank and not in the middle of a character. */
		if (p != ics && *p == ' ')
			assert_true(((unsigned char)p[1] & 0xc0) != 0x80);
	}
	assert_non_null(strstr(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
	assert_non_null(strstr(ics, "UID:oncall-L1-20261221T080000Z@example.org\r\n"));
	assert_non_null(strstr(ics, "DTSTART:20261222T170000Z\r\nDTEND:20261223T110000Z\r\n"
	    "SUMMARY:On call L1: dave\r\nDESCRIPTION:Override 9 for bob\r\n"));
	assert_non_null(strstr(ics, "DTSTAMP:20261201T000000Z\r\n"));
	assert_non_null(strstr(ics, "SUMMARY:On call L1: carol\r\n"));
	assert_non_null(strstr(ics, "END:VCALENDAR\r\n"));
	/* Unfolded, the name is escaped as TEXT. */
	unfolded = strdup(ics);
	for (i = j = 0; ics[i] != '\0'; i++) {
		if (ics[i] == '\r' && ics[i + 1] == '\n' && ics[i + 2] == ' ') {
			i += 2;
			continue;
		}
		unfolded[j++] = ics[i];
	}
	unfolded[j] = '\0';
	assert_non_null(strstr(unfolded, "X-WR-CALNAME:Support \\\\ Bot\\; EU\\, \"Nord\"\\nzwei "
	    "Zeilen \xc3\xa4\xc3\xb6\xc3\xbc"));
	free(unfolded);
	free(ics);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_offsets),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_repeat),
		cmocka_unit_test(test_tz_restored),
		cmocka_unit_test(test_tz_check),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_daily_spring_forward),
		cmocka_unit_test(test_daily_fall_back),
		cmocka_unit_test(test_weekly_across_dst),
		cmocka_unit_test(test_override_across_handoff),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_ical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
