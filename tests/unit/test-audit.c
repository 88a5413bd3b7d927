/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "backend/audit.h"
#include "backend/schema.h"
#include "backend/store.h"

#include "store-fixture.h"

/* Appends one entry in its own transaction; returns its sequence number. */
static long long
append(sqlite3 *db, const char *actor, const char *action, const char *object,
    const char *details)
{
	char		*cause = NULL;
	long long	 seq;

	assert_int_equal(store_begin(db, &cause), 0);
	seq = audit_append(db, actor, "operator", action, object, details, &cause);
	assert_true(seq > 0);
	assert_null(cause);
	assert_int_equal(store_commit(db, &cause), 0);
	return seq;
}

/* Appends n entries seq 1..n with distinct contents. */
static void
append_n(sqlite3 *db, int n)
{
	char	object[64], details[64];
	int	i;

	for (i = 1; i <= n; i++) {
		snprintf(object, sizeof object, "incident/%d", i);
		snprintf(details, sizeof details, "{\"note\":\"entry %d\"}", i);
		assert_int_equal(append(db, i % 2 ? "alice" : "bob", "incident.ack",
		    object, details), i);
	}
}

static void
exec(sqlite3 *db, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fail_msg("%s: %s", sql, err != NULL ? err : "?");
		sqlite3_free(err);
	}
}

static void
expect_intact(sqlite3 *db, long long want)
{
	long long	 count = -1, bad = -1;
	char		*why = NULL;
	int		 rc;

	rc = audit_verify(db, &count, &bad, NULL, &why);
	if (rc != 0) {
		print_error("audit_verify: %s\n", why != NULL ? why : "?");
		free(why);
	}
	assert_int_equal(rc, 0);
	assert_null(why);
	assert_int_equal(count, want);
	assert_int_equal(bad, 0);
}

/* Expects the chain broken first at seq, with a reason that names it and contains word. */
static void
expect_broken(sqlite3 *db, long long seq, const char *word)
{
	long long	 count = -1, bad = -1;
	char		*why = NULL, num[32];
	int		 rc;

	rc = audit_verify(db, &count, &bad, NULL, &why);
	assert_int_equal(rc, 1);
	assert_int_equal(bad, seq);
	assert_int_equal(count, seq - 1);
	assert_non_null(why);
	snprintf(num, sizeof num, "entry %lld", seq);
	assert_non_null(strstr(why, num));
	assert_non_null(strstr(why, word));
	free(why);
}

static long long
seq_of(const cJSON *e)
{
	const cJSON	*s = cJSON_GetObjectItemCaseSensitive(e, "seq");

	assert_true(cJSON_IsNumber(s));
	return (long long)s->valuedouble;
}

static const char *
str_of(const cJSON *e, const char *key)
{
	const cJSON	*s = cJSON_GetObjectItemCaseSensitive(e, key);

	assert_true(cJSON_IsString(s));
	return s->valuestring;
}

/* Runs a query and checks the sequence numbers returned, in order. */
static void
expect_list(sqlite3 *db, const struct audit_query *q, const long long *want, int n)
{
	cJSON	*arr;
	int	 i;

	arr = audit_list(db, q);
	assert_true(cJSON_IsArray(arr));
	if (cJSON_GetArraySize(arr) != n) {
		char	*s = cJSON_PrintUnformatted(arr);

		print_error("got %s\n", s);
		cJSON_free(s);
	}
	assert_int_equal(cJSON_GetArraySize(arr), n);
	for (i = 0; i < n; i++)
		assert_int_equal(seq_of(cJSON_GetArrayItem(arr, i)), want[i]);
	cJSON_Delete(arr);
}

static void
test_schema(void **state)
{
	struct fixture	*fx = *state;
	sqlite3		*db2;
	char		*cause = NULL;

	assert_int_equal(store_version(fx->db), (int)schema_count);
	append_n(fx->db, 3);
	/* Reopening runs no migration twice and keeps the chain. */
	store_close(fx->db);
	fx->db = store_open(fx->dir, 0, &cause);
	assert_non_null(fx->db);
	assert_int_equal(store_version(fx->db), (int)schema_count);
	expect_intact(fx->db, 3);
	assert_int_equal(append(fx->db, "carol", "prompt.approve", "prompt/7", NULL), 4);
	expect_intact(fx->db, 4);
	/* A read-only connection verifies too. */
	db2 = store_open(fx->dir, 1, &cause);
	assert_non_null(db2);
	expect_intact(db2, 4);
	store_close(db2);
}

static void
test_verify_intact(void **state)
{
	struct fixture	*fx = *state;

	expect_intact(fx->db, 0);
	append_n(fx->db, 1);
	expect_intact(fx->db, 1);
	assert_int_equal(append(fx->db, "bob", "config.reload", "", NULL), 2);
	assert_int_equal(append(fx->db, "bob", "x", "o", "{\"a\":\"\\n\"}"), 3);
	expect_intact(fx->db, 3);
}

static void
test_append_fields(void **state)
{
	struct fixture		*fx = *state;
	struct audit_query	 q;
	cJSON			*arr, *e;
	const char		*ts;
	char			*cause = NULL;
	size_t			 i;

	assert_int_equal(store_begin(fx->db, &cause), 0);
	assert_int_equal(audit_append(fx->db, "dora", "approver", "prompt.approve",
	    "prompt/12", NULL, &cause), 1);
	assert_int_equal(audit_append(fx->db, "dora", "approver", "prompt.reject",
	    "prompt/13", "{\"why\":\"no\"}", &cause), 2);
	assert_int_equal(store_commit(fx->db, &cause), 0);

	memset(&q, 0, sizeof q);
	q.limit = 10;
	q.details = 1;
	arr = audit_list(fx->db, &q);
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	e = cJSON_GetArrayItem(arr, 1);
	assert_int_equal(seq_of(e), 1);
	assert_string_equal(str_of(e, "actor"), "dora");
	assert_string_equal(str_of(e, "role"), "approver");
	assert_string_equal(str_of(e, "action"), "prompt.approve");
	assert_string_equal(str_of(e, "object"), "prompt/12");
	assert_string_equal(str_of(e, "details"), "{}");
	assert_int_equal(strlen(str_of(e, "hash")), 64);
	assert_int_equal(strlen(str_of(e, "details_hash")), 64);
	/* 2024-01-02T03:04:05.678Z */
	ts = str_of(e, "ts");
	assert_int_equal(strlen(ts), 24);
	for (i = 0; i < 24; i++) {
		if (i == 4 || i == 7)
			assert_int_equal(ts[i], '-');
		else if (i == 10)
			assert_int_equal(ts[i], 'T');
		else if (i == 13 || i == 16)
			assert_int_equal(ts[i], ':');
		else if (i == 19)
			assert_int_equal(ts[i], '.');
		else if (i == 23)
			assert_int_equal(ts[i], 'Z');
		else
			assert_true(isdigit((unsigned char)ts[i]));
	}
	e = cJSON_GetArrayItem(arr, 0);
	assert_string_equal(str_of(e, "details"), "{\"why\":\"no\"}");
	/* Each hash differs from the one before it. */
	assert_string_not_equal(str_of(e, "hash"),
	    str_of(cJSON_GetArrayItem(arr, 1), "hash"));
	cJSON_Delete(arr);
	expect_intact(fx->db, 2);
}

static void
test_tamper_object(void **state)
{
	struct fixture	*fx = *state;

	append_n(fx->db, 5);
	expect_intact(fx->db, 5);
	exec(fx->db, "UPDATE audit SET object = 'incident/99' WHERE seq = 3");
	expect_broken(fx->db, 3, "hash");
}

static void
test_tamper_other_columns(void **state)
{
	static const char *const sql[] = {
		"UPDATE audit SET actor = 'mallory' WHERE seq = 2",
		"UPDATE audit SET role = 'admin' WHERE seq = 2",
		"UPDATE audit SET action = 'incident.resolve' WHERE seq = 2",
		"UPDATE audit SET ts = '2000-01-01T00:00:00.000Z' WHERE seq = 2",
		"UPDATE audit SET object = object || ' ' WHERE seq = 2",
	};
	struct fixture	*fx = *state;
	size_t		 i;

	append_n(fx->db, 4);
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		exec(fx->db, "SAVEPOINT t");
		exec(fx->db, sql[i]);
		expect_broken(fx->db, 2, "hash");
		exec(fx->db, "ROLLBACK TO t");
		exec(fx->db, "RELEASE t");
		expect_intact(fx->db, 4);
	}
}

static void
test_tamper_details(void **state)
{
	struct fixture	*fx = *state;

	append_n(fx->db, 5);
	exec(fx->db, "UPDATE audit SET details = '{\"note\":\"forged\"}' WHERE seq = 4");
	expect_broken(fx->db, 4, "details");
}

static void
test_tamper_details_and_hash(void **state)
{
	struct fixture	*fx = *state;

	/* Details rewritten with a matching details_hash: the chain still catches it. */
	append_n(fx->db, 3);
	exec(fx->db, "UPDATE audit SET details = (SELECT details FROM audit WHERE seq = 1), "
	    "details_hash = (SELECT details_hash FROM audit WHERE seq = 1) WHERE seq = 2");
	expect_broken(fx->db, 2, "hash");
}

static void
test_details_removed(void **state)
{
	struct fixture		*fx = *state;
	struct audit_query	 q;
	cJSON			*arr;
	const cJSON		*d;
	struct audit_removed	 r;
	long long		 count, bad;
	char			*why = NULL;

	append_n(fx->db, 5);
	/* What retention and erasure do: details go, marked, their hash stays. */
	exec(fx->db, "UPDATE audit SET details = NULL, details_removed = 'expired' WHERE seq = 2;"
	    "UPDATE audit SET details = NULL, details_removed = 'erased' WHERE seq = 4;"
	    "UPDATE audit SET details = NULL WHERE seq = 5");
	expect_intact(fx->db, 5);
	assert_int_equal(audit_verify(fx->db, &count, &bad, &r, &why), 0);
	assert_int_equal(r.expired, 1);
	assert_int_equal(r.erased, 1);
	assert_int_equal(r.unmarked, 1);

	memset(&q, 0, sizeof q);
	q.limit = 1;
	q.details = 1;
	arr = audit_list(fx->db, &q);
	assert_int_equal(cJSON_GetArraySize(arr), 1);
	d = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr, 0), "details");
	assert_non_null(d);
	assert_true(cJSON_IsNull(d));
	cJSON_Delete(arr);

	/* But a removed entry's details_hash is still covered by the chain. */
	exec(fx->db, "UPDATE audit SET details_hash = (SELECT details_hash FROM audit "
	    "WHERE seq = 1) WHERE seq = 4");
	expect_broken(fx->db, 4, "hash");
}

static void
test_delete_row(void **state)
{
	struct fixture	*fx = *state;

	append_n(fx->db, 5);
	exec(fx->db, "DELETE FROM audit WHERE seq = 3");
	expect_broken(fx->db, 3, "missing");
}

static void
test_delete_first_row(void **state)
{
	struct fixture	*fx = *state;

	append_n(fx->db, 3);
	exec(fx->db, "DELETE FROM audit WHERE seq = 1");
	expect_broken(fx->db, 1, "missing");
}

static void
test_swap_rows(void **state)
{
	struct fixture	*fx = *state;

	append_n(fx->db, 5);
	exec(fx->db,
	    "UPDATE audit SET seq = -2 WHERE seq = 2;"
	    "UPDATE audit SET seq = 2 WHERE seq = 3;"
	    "UPDATE audit SET seq = 3 WHERE seq = -2;");
	expect_broken(fx->db, 2, "hash");
}

static void
test_tamper_last_hash(void **state)
{
	struct fixture	*fx = *state;

	append_n(fx->db, 5);
	exec(fx->db, "UPDATE audit SET hash = "
	    "'0000000000000000000000000000000000000000000000000000000000000000' WHERE seq = 5");
	expect_broken(fx->db, 5, "hash");
}

static void
test_tamper_first_hash(void **state)
{
	struct fixture	*fx = *state;

	/* A replaced hash on entry 1 breaks entry 1, not only entry 2. */
	append_n(fx->db, 3);
	exec(fx->db, "UPDATE audit SET hash = (SELECT hash FROM audit WHERE seq = 2) "
	    "WHERE seq = 1");
	expect_broken(fx->db, 1, "hash");
}

static void
test_long_chain(void **state)
{
	struct fixture	*fx = *state;
	char		*cause = NULL, object[32];
	int		 i;

	assert_int_equal(store_begin(fx->db, &cause), 0);
	for (i = 1; i <= 10000; i++) {
		snprintf(object, sizeof object, "run/%d", i);
		assert_int_equal(audit_append(fx->db, "bot", "operator", "playbook.run",
		    object, "{\"step\":1}", &cause), i);
	}
	assert_int_equal(store_commit(fx->db, &cause), 0);
	expect_intact(fx->db, 10000);
	exec(fx->db, "UPDATE audit SET role = 'admin' WHERE seq = 9999");
	expect_broken(fx->db, 9999, "hash");
}

static void
test_list_order_paging(void **state)
{
	static const long long	 all[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	static const long long	 page1[] = { 10, 9, 8 }, page2[] = { 7, 6, 5 };
	static const long long	 last[] = { 1 }, asc[] = { 8, 9, 10 };
	static const long long	 asc0[] = { 1, 2 };
	struct fixture		*fx = *state;
	struct audit_query	 q;

	memset(&q, 0, sizeof q);
	q.limit = 100;
	expect_list(fx->db, &q, NULL, 0);

	append_n(fx->db, 10);
	expect_list(fx->db, &q, all, 10);

	q.limit = 3;
	expect_list(fx->db, &q, page1, 3);
	q.before = 8;
	expect_list(fx->db, &q, page2, 3);
	q.before = 2;
	expect_list(fx->db, &q, last, 1);
	q.before = 1;
	expect_list(fx->db, &q, NULL, 0);
	q.before = 1000;
	expect_list(fx->db, &q, page1, 3);

	memset(&q, 0, sizeof q);
	q.ascending = 1;
	q.after = 7;
	q.limit = 100;
	expect_list(fx->db, &q, asc, 3);
	q.after = 0;
	q.limit = 2;
	expect_list(fx->db, &q, asc0, 2);
}

static void
test_list_filters(void **state)
{
	static const long long	 alice[] = { 5, 3, 1 }, acks[] = { 4, 2 };
	static const long long	 alice_acks[] = { 5, 3 }, none[] = { 0 };
	struct fixture		*fx = *state;
	struct audit_query	 q;

	append(fx->db, "alice", "incident.open", "incident/1", NULL);
	append(fx->db, "bob", "incident.ack", "incident/1", NULL);
	append(fx->db, "alice", "incident.ack", "incident/2", NULL);
	append(fx->db, "bob", "incident.ack", "incident/3", NULL);
	append(fx->db, "alice", "incident.ack", "incident/3", NULL);

	memset(&q, 0, sizeof q);
	q.limit = 100;
	q.actor = "alice";
	expect_list(fx->db, &q, alice, 3);
	q.actor = "ALICE";
	expect_list(fx->db, &q, none, 0);
	q.actor = "ali";
	expect_list(fx->db, &q, none, 0);

	q.actor = NULL;
	q.action = "incident.ack";
	expect_list(fx->db, &q, (const long long[]){ 5, 4, 3, 2 }, 4);
	q.actor = "bob";
	expect_list(fx->db, &q, acks, 2);
	q.actor = "alice";
	expect_list(fx->db, &q, alice_acks, 2);
	q.action = "incident";
	expect_list(fx->db, &q, none, 0);

	/* Filters and paging together. */
	q.action = NULL;
	q.before = 5;
	q.limit = 1;
	expect_list(fx->db, &q, (const long long[]){ 3 }, 1);

	/* Time range. */
	memset(&q, 0, sizeof q);
	q.limit = 100;
	q.since = "9999-01-01T00:00:00.000Z";
	expect_list(fx->db, &q, none, 0);
	q.since = "2000-01-01T00:00:00.000Z";
	q.until = "9999-01-01T00:00:00.000Z";
	expect_list(fx->db, &q, (const long long[]){ 5, 4, 3, 2, 1 }, 5);
	q.until = "2000-01-01T00:00:00.000Z";
	expect_list(fx->db, &q, none, 0);
}

static void
test_list_search(void **state)
{
	struct fixture		*fx = *state;
	struct audit_query	 q;

	append(fx->db, "alice", "prompt.edit", "50%_off", NULL);	/* 1 */
	append(fx->db, "alice", "prompt.edit", "50X_off", NULL);	/* 2 */
	append(fx->db, "alice", "prompt.edit", "5000off", NULL);	/* 3 */
	append(fx->db, "bob", "prompt.edit", "a_b", NULL);		/* 4 */
	append(fx->db, "bob", "prompt.edit", "axb", NULL);		/* 5 */
	append(fx->db, "bob", "prompt.edit", "c:\\dir", NULL);		/* 6 */
	append(fx->db, "bob", "prompt.edit", "c:dir", NULL);		/* 7 */

	memset(&q, 0, sizeof q);
	q.limit = 100;
	q.search = "50%_";
	expect_list(fx->db, &q, (const long long[]){ 1 }, 1);
	q.search = "50%";
	expect_list(fx->db, &q, (const long long[]){ 1 }, 1);
	q.search = "%";
	expect_list(fx->db, &q, (const long long[]){ 1 }, 1);
	q.search = "_";
	expect_list(fx->db, &q, (const long long[]){ 4, 2, 1 }, 3);
	q.search = "a_b";
	expect_list(fx->db, &q, (const long long[]){ 4 }, 1);
	/* As a wildcard, _ would match "5000off". */
	q.search = "0_o";
	expect_list(fx->db, &q, NULL, 0);
	q.search = "X_o";
	expect_list(fx->db, &q, (const long long[]){ 2 }, 1);
	q.search = "\\";
	expect_list(fx->db, &q, (const long long[]){ 6 }, 1);
	q.search = "c:\\d";
	expect_list(fx->db, &q, (const long long[]){ 6 }, 1);
	q.search = "off";
	expect_list(fx->db, &q, (const long long[]){ 3, 2, 1 }, 3);
	/* The actor and the action are searched too. */
	q.search = "bob";
	expect_list(fx->db, &q, (const long long[]){ 7, 6, 5, 4 }, 4);
	q.search = "prompt.ed";
	expect_list(fx->db, &q, (const long long[]){ 7, 6, 5, 4, 3, 2, 1 }, 7);
	q.search = "nothing-like-this";
	expect_list(fx->db, &q, NULL, 0);
	/* With another filter. */
	q.search = "_";
	q.actor = "bob";
	expect_list(fx->db, &q, (const long long[]){ 4 }, 1);
}

static void
test_list_details(void **state)
{
	struct fixture		*fx = *state;
	struct audit_query	 q;
	cJSON			*arr, *e;

	append(fx->db, "alice", "incident.note", "incident/1", "{\"text\":\"secret\"}");

	memset(&q, 0, sizeof q);
	q.limit = 10;
	arr = audit_list(fx->db, &q);
	assert_int_equal(cJSON_GetArraySize(arr), 1);
	e = cJSON_GetArrayItem(arr, 0);
	assert_string_equal(str_of(e, "actor"), "alice");
	assert_null(cJSON_GetObjectItemCaseSensitive(e, "details"));
	assert_null(cJSON_GetObjectItemCaseSensitive(e, "details_hash"));
	assert_null(cJSON_GetObjectItemCaseSensitive(e, "hash"));
	cJSON_Delete(arr);

	q.details = 1;
	arr = audit_list(fx->db, &q);
	e = cJSON_GetArrayItem(arr, 0);
	assert_string_equal(str_of(e, "details"), "{\"text\":\"secret\"}");
	assert_int_equal(strlen(str_of(e, "details_hash")), 64);
	assert_int_equal(strlen(str_of(e, "hash")), 64);
	cJSON_Delete(arr);
}

static void
test_store_lock(void **state)
{
	struct fixture	*fx = *state;
	char		*cause = NULL, *sub, *lock;
	int		 fd, fd2;

	fd = store_lock(fx->dir, &cause);
	assert_true(fd >= 0);
	assert_null(cause);

	fd2 = store_lock(fx->dir, &cause);
	assert_int_equal(fd2, -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "in use"));
	assert_non_null(strstr(cause, fx->dir));
	free(cause);
	cause = NULL;

	/* Released on close: the next daemon gets it. */
	assert_int_equal(close(fd), 0);
	fd = store_lock(fx->dir, &cause);
	assert_true(fd >= 0);
	assert_null(cause);
	assert_int_equal(close(fd), 0);

	/* A data dir that does not exist yet is created. */
	assert_true(asprintf(&sub, "%s/a", fx->dir) > 0);
	fd = store_lock(sub, &cause);
	assert_true(fd >= 0);
	assert_null(cause);
	assert_int_equal(close(fd), 0);
	assert_true(asprintf(&lock, "%s/daemon.lock", sub) > 0);
	assert_int_equal(unlink(lock), 0);
	free(lock);
	assert_int_equal(rmdir(sub), 0);
	free(sub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_other_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_details, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_details_and_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_details_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_first_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_last_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_first_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_order_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_details, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
