/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/private.h"
#include "backend/xmalloc.h"
#include "tmpdir.h"

static char dir[256];

static int
setup(void **state)
{
	(void)state;
	return tmpdir_make(dir, sizeof dir, "private");
}

static int
teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

static char *
in_dir(const char *name)
{
	return xprintf("%s/%s", dir, name);
}

static char *
slurp(const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

static void
spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A taken name, a planted symlink and a dangling one are skipped: -1, -2, -3. */
static void
test_create_numbers_taken_names(void **state)
{
	char *name = in_dir("report.md"), *victim = in_dir("victim"), *used = NULL,
	    *cause = NULL, *link1 = in_dir("report-1.md"), *link2 = in_dir("report-2.md"),
	    *want = in_dir("report-3.md"), *text;
	struct stat st;
	int fd;

	(void)state;
	spit(name, "mine");
	spit(victim, "victim");
	assert_int_equal(symlink(victim, link1), 0);
	assert_int_equal(symlink("/nonexistent/x", link2), 0);
	fd = private_create(name, 0600, &used, &cause);
	assert_true(fd >= 0);
	assert_string_equal(used, want);
	assert_int_equal(write(fd, "new", 3), 3);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	close(fd);
	text = slurp(name);
	assert_string_equal(text, "mine");
	free(text);
	text = slurp(victim);
	assert_string_equal(text, "victim");
	free(text);
	unlink(want);
	unlink(link1);
	unlink(link2);
	unlink(victim);
	unlink(name);
	free(name), free(victim), free(used), free(link1), free(link2), free(want);
}

/* Without an extension the number goes at the end; a dot in a directory is no extension. */
static void
test_create_suffix_placement(void **state)
{
	char *name = in_dir("leitstand-client-7"), *used = NULL, *cause = NULL, *want;
	int fd;

	(void)state;
	spit(name, "x");
	fd = private_create(name, 0600, &used, &cause);
	assert_true(fd >= 0);
	close(fd);
	want = in_dir("leitstand-client-7-1");
	assert_string_equal(used, want);
	unlink(used);
	unlink(name);
	free(name), free(used), free(want);
}

static void
test_append_refuses_symlink(void **state)
{
	char *path = in_dir("checkpoints"), *victim = in_dir("victim"), *cause = NULL, *text;

	(void)state;
	spit(victim, "victim");
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(private_append(path, 0600, &cause), -1);
	assert_non_null(strstr(cause, "is a symlink; refusing to follow it"));
	free(cause);
	text = slurp(victim);
	assert_string_equal(text, "victim");
	free(text);
	unlink(path);
	unlink(victim);
	free(path), free(victim);
}

static void
test_append_creates_and_appends(void **state)
{
	char *path = in_dir("checkpoints"), *cause = NULL, *text;
	int fd, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fd = private_append(path, 0600, &cause);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "line\n", 5), 5);
		close(fd);
	}
	text = slurp(path);
	assert_string_equal(text, "line\nline\n");
	free(text);
	unlink(path);
	free(path);
}

/* A planted symlink is replaced, not followed. */
static void
test_replace_does_not_follow(void **state)
{
	char *path = in_dir("leitstand.ini"), *victim = in_dir("victim"), *cause = NULL, *text;
	struct stat st;

	(void)state;
	spit(victim, "victim");
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(private_replace(path, "[daemon]\n", &cause), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	text = slurp(path);
	assert_string_equal(text, "[daemon]\n");
	free(text);
	text = slurp(victim);
	assert_string_equal(text, "victim");
	free(text);
	unlink(path);
	unlink(victim);
	free(path), free(victim);
}

static void
test_dir_checks(void **state)
{
	char *sub = in_dir("sub"), *link = in_dir("link"), *file, *cause = NULL;
	struct stat st;

	(void)state;
	assert_int_equal(private_mkdir("data dir", sub, 0700, &cause), 0);
	file = xprintf("%s/leitstand.db", sub);
	spit(file, "db");
	assert_int_equal(chmod(file, 0644), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(private_dir("data dir", sub, 0700, 1, &cause), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(private_dir("data dir", sub, 0700, 1, &cause), -1);
	assert_non_null(strstr(cause, "is writable by group or others (mode 777)"));
	free(cause);
	cause = NULL;
	assert_int_equal(symlink(sub, link), 0);
	assert_int_equal(private_dir("data dir", link, 0700, 1, &cause), -1);
	assert_non_null(strstr(cause, "is a symlink; refusing to follow it"));
	free(cause);
	unlink(link);
	unlink(file);
	rmdir(sub);
	/* In a directory anyone can write (not sticky) someone could swap it. */
	assert_int_equal(chmod(dir, 0777), 0);
	cause = NULL;
	assert_int_equal(private_mkdir("data dir", sub, 0700, &cause), -1);
	assert_non_null(strstr(cause, "so another user could replace it"));
	free(cause);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(private_mkdir("data dir", sub, 0700, &cause), 0);
	rmdir(sub);
	assert_int_equal(chmod(dir, 0700), 0);
	free(sub), free(link), free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_numbers_taken_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_suffix_placement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_creates_and_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_does_not_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_checks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
