/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/authz.h"
#include "backend/config.h"

#include "tmpdir.h"

/* Each test gets its own temporary directory. */
struct fixture {
	char	dir[64];
};

static int
setup(void **state)
{
	struct fixture	*fx;

	fx = calloc(1, sizeof *fx);
	if (fx == NULL)
		return -1;
	if (tmpdir_make(fx->dir, sizeof fx->dir, "config") != 0) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* Removes the directory with its files. */
static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 rc;

	rc = tmpdir_remove(fx->dir);
	free(fx);
	return rc;
}

/* Writes len bytes to DIR/name; returns the path, which the caller frees. */
static char *
write_len(struct fixture *fx, const char *name, const char *text, size_t len)
{
	char	*path;
	FILE	*f;

	assert_true(asprintf(&path, "%s/%s", fx->dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static char *
write_file(struct fixture *fx, const char *name, const char *text)
{
	return write_len(fx, name, text, strlen(text));
}

/* Loads text that must fail and checks the whole cause. */
static void
expect_cause(struct fixture *fx, const char *text, const char *fmt)
{
	struct config	 cfg;
	char		*path, *cause = NULL, *want;
	int		 same;

	path = write_file(fx, "bad.ini", text);
	assert_int_equal(config_load(&cfg, path, &cause), -1);
	assert_non_null(cause);
	/* fmt has one %s for the path, possibly used several times. */
	assert_true(asprintf(&want, fmt, path, path, path, path, path, path) > 0);
	/* Compare before freeing, so a failure leaks nothing. */
	same = strcmp(cause, want) == 0;
	if (!same)
		print_error("cause:\n%s\nwanted:\n%s\n", cause, want);
	free(want);
	free(cause);
	free(path);
	assert_true(same);
}

/* Loads text that must succeed. */
static void
load_ok(struct fixture *fx, const char *text, struct config *cfg)
{
	char	*path, *cause = NULL;

	path = write_file(fx, "good.ini", text);
	if (config_load(cfg, path, &cause) != 0) {
		fail_msg("config_load: %s", cause);
		free(cause);
	}
	assert_null(cause);
	free(path);
}

static void
test_defaults(void **state)
{
	struct config	 cfg;
	char		*cause = NULL;
	size_t		 len;
	int		 r;

	(void)state;
	assert_int_equal(config_load(&cfg, NULL, &cause), 0);
	assert_null(cause);
	assert_null(cfg.file);
	assert_int_equal(cfg.max_line, 65536);
	assert_int_equal(cfg.max_queue, 16777216);
	assert_int_equal(cfg.max_queue_total, 64 << 20);
	assert_int_equal(cfg.max_clients, 1000);
	assert_int_equal(cfg.max_clients_per_user, 64);
	assert_int_equal(cfg.max_refusals, 20);
	assert_int_equal(cfg.denied_window, 60);
	assert_string_equal(cfg.default_role, "viewer");
	assert_string_equal(cfg.owner_role, "admin");
	assert_string_equal(cfg.name, "Virtual Assistant");
	assert_string_equal(cfg.environment, "production");
	assert_string_equal(cfg.group, "");
	assert_non_null(cfg.socket);
	len = strlen(cfg.socket);
	assert_true(len > strlen("/default.sock"));
	assert_string_equal(cfg.socket + len - strlen("/default.sock"), "/default.sock");
	assert_non_null(cfg.data_dir);
	assert_true(cfg.data_dir[0] == '/');
	assert_int_equal(cfg.readonly.n, 0);
	for (r = 0; r < ROLE_COUNT; r++)
		assert_int_equal(cfg.members[r].n, 0);
	config_free(&cfg);
	/* config_free leaves a struct that may be freed again. */
	assert_null(cfg.name);
	config_free(&cfg);
}

static void
test_valid_file(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		*want;

	load_ok(fx,
	    "; Leitstand test configuration\n"
	    "# hash comments too\n"
	    "\n"
	    "[daemon]\n"
	    "socket = /run/leitstand/ops.sock\n"
	    "group = ops\n"
	    "data_dir = /var/lib/leitstand\n"
	    "max_line = 1024\n"
	    "max_queue=65536\n"
	    "\n"
	    "[assistant]\n"
	    "name   =   Ops Helper   \n"
	    "environment = staging\n"
	    "[console]\n"
	    "readonly = guest, @auditors\n"
	    "[roles]\n"
	    "owner = engineer\n"
	    "default = none\n"
	    "operator = alice\n"
	    "admin = root, @wheel\n", &cfg);
	assert_non_null(cfg.file);
	assert_true(asprintf(&want, "%s/good.ini", fx->dir) > 0);
	assert_string_equal(cfg.file, want);
	free(want);
	assert_string_equal(cfg.socket, "/run/leitstand/ops.sock");
	assert_string_equal(cfg.group, "ops");
	assert_string_equal(cfg.data_dir, "/var/lib/leitstand");
	assert_int_equal(cfg.max_line, 1024);
	assert_int_equal(cfg.max_queue, 65536);
	assert_string_equal(cfg.name, "Ops Helper");
	assert_string_equal(cfg.environment, "staging");
	assert_int_equal(cfg.readonly.n, 2);
	assert_string_equal(cfg.readonly.v[0], "guest");
	assert_string_equal(cfg.readonly.v[1], "@auditors");
	assert_string_equal(cfg.owner_role, "engineer");
	assert_string_equal(cfg.default_role, "none");
	assert_int_equal(cfg.members[ROLE_VIEWER].n, 0);
	assert_int_equal(cfg.members[ROLE_OPERATOR].n, 1);
	assert_string_equal(cfg.members[ROLE_OPERATOR].v[0], "alice");
	assert_int_equal(cfg.members[ROLE_ADMIN].n, 2);
	assert_string_equal(cfg.members[ROLE_ADMIN].v[0], "root");
	assert_string_equal(cfg.members[ROLE_ADMIN].v[1], "@wheel");
	config_free(&cfg);
}

static void
test_int_bounds(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;

	load_ok(fx, "[daemon]\nmax_line = 16777216\nmax_queue = 1073741824\n", &cfg);
	assert_int_equal(cfg.max_line, 16 << 20);
	assert_int_equal(cfg.max_queue, 1LL << 30);
	config_free(&cfg);
	load_ok(fx, "[daemon]\nmax_line = 1024\n", &cfg);
	assert_int_equal(cfg.max_line, 1024);
	config_free(&cfg);
}

static void
test_unknown_key(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx,
	    "; comment\n"
	    "\n"
	    "# another comment\n"
	    "[daemon]\n"
	    "max_lines = 4096\n",
	    "%s:5: daemon.max_lines: unknown key");
}

static void
test_unknown_section(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx,
	    "[daemon]\n"
	    "max_line = 4096\n"
	    "\n"
	    "[deamon]\n"
	    "socket = /tmp/x.sock\n",
	    "%s:5: unknown section [deamon]");
}

static void
test_bad_integer(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx, "[daemon]\nmax_line = lots\n",
	    "%s:2: daemon.max_line: \"lots\" is not an integer from 1024 to 16777216");
	expect_cause(fx, "[daemon]\nmax_line = 4096k\n",
	    "%s:2: daemon.max_line: \"4096k\" is not an integer from 1024 to 16777216");
	expect_cause(fx, "[daemon]\nmax_line =\n",
	    "%s:2: daemon.max_line: \"\" is not an integer from 1024 to 16777216");
	expect_cause(fx, "\n[daemon]\nmax_line = 1023\n",
	    "%s:3: daemon.max_line: \"1023\" is not an integer from 1024 to 16777216");
	expect_cause(fx, "[daemon]\nmax_line = 16777217\n",
	    "%s:2: daemon.max_line: \"16777217\" is not an integer from 1024 to 16777216");
	expect_cause(fx, "[daemon]\nmax_line = -4096\n",
	    "%s:2: daemon.max_line: \"-4096\" is not an integer from 1024 to 16777216");
	expect_cause(fx, "[daemon]\nmax_queue = 99999999999999999999999\n",
	    "%s:2: daemon.max_queue: \"99999999999999999999999\" is not an integer "
	    "from 65536 to 1073741824");
}

static void
test_bad_choice(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx, "[roles]\ndefault = boss\n",
	    "%s:2: roles.default: \"boss\" is not one of none, viewer, operator, engineer, "
	    "approver, admin");
	expect_cause(fx, "[roles]\nowner = Admin\n",
	    "%s:2: roles.owner: \"Admin\" is not one of none, viewer, operator, engineer, "
	    "approver, admin");
}

static void
test_set_twice(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx,
	    "[daemon]\n"
	    "max_line = 2048\n"
	    "[assistant]\n"
	    "name = a\n"
	    "[daemon]\n"
	    "max_line = 4096\n",
	    "%s:6: daemon.max_line: set twice");
}

static void
test_several_errors(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx,
	    "[daemon]\n"
	    "max_line = 1\n"
	    "colour = red\n"
	    "[assistant]\n"
	    "name = ok\n"
	    "name = twice\n"
	    "[nope]\n"
	    "a = b\n"
	    "[roles]\n"
	    "default = root\n"
	    "admin = @\n",
	    "%s:2: daemon.max_line: \"1\" is not an integer from 1024 to 16777216\n"
	    "%s:3: daemon.colour: unknown key\n"
	    "%s:6: assistant.name: set twice\n"
	    "%s:8: unknown section [nope]\n"
	    "%s:10: roles.default: \"root\" is not one of none, viewer, operator, engineer, "
	    "approver, admin\n"
	    "%s:11: roles.admin: a lone @ names no group");
}

static void
test_many_errors_capped(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		*path, *cause = NULL, *text, *p, *last, tail[512];
	size_t		 nl = 0;
	int		 i;

	text = malloc(60 * 32 + 16);
	assert_non_null(text);
	p = text + sprintf(text, "[daemon]\n");
	for (i = 0; i < 60; i++)
		p += sprintf(p, "bogus%d = 1\n", i);
	path = write_file(fx, "many.ini", text);
	free(text);
	assert_int_equal(config_load(&cfg, path, &cause), -1);
	assert_non_null(cause);
	for (p = cause; *p != '\0'; p++) {
		if (*p == '\n')
			nl++;
	}
	assert_int_equal(nl, 50);
	last = strrchr(cause, '\n') + 1;
	snprintf(tail, sizeof tail, "%s:52: too many problems, 10 more not shown", path);
	assert_string_equal(last, tail);
	snprintf(tail, sizeof tail, "%s:51: daemon.bogus49: unknown key\n", path);
	assert_non_null(strstr(cause, tail));
	free(cause);
	free(path);
}

static void
test_syntax_error(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx, "[daemon]\nmax_line = 4096\n[broken\n",
	    "%s:3: syntax error: [section] lacks its ]");
	expect_cause(fx, "; comment\n[daemon]\nmax_line 4096\n",
	    "%s:3: syntax error: expected [section] or key = value");
	/* A syntax error and a value error are both reported. */
	expect_cause(fx, "[daemon]\nmax_line = 1\njunk\n",
	    "%s:2: daemon.max_line: \"1\" is not an integer from 1024 to 16777216\n"
	    "%s:3: syntax error: expected [section] or key = value");
}

/* Every syntax error is reported, not only the first (inih alone reports one). */
static void
test_syntax_errors_all_reported(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx, "[daemon]\n[broken\nmax_line 4096\n",
	    "%s:2: syntax error: [section] lacks its ]\n"
	    "%s:3: syntax error: expected [section] or key = value");
}

static void
test_relative_paths(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		*want, *oldhome;

	load_ok(fx, "[daemon]\ndata_dir = data\nsocket = run/ops.sock\n", &cfg);
	assert_true(asprintf(&want, "%s/data", fx->dir) > 0);
	assert_string_equal(cfg.data_dir, want);
	free(want);
	assert_true(asprintf(&want, "%s/run/ops.sock", fx->dir) > 0);
	assert_string_equal(cfg.socket, want);
	free(want);
	config_free(&cfg);

	load_ok(fx, "[daemon]\ndata_dir = /abs/data\n", &cfg);
	assert_string_equal(cfg.data_dir, "/abs/data");
	config_free(&cfg);

	oldhome = getenv("HOME") != NULL ? strdup(getenv("HOME")) : NULL;
	assert_int_equal(setenv("HOME", "/home/tester", 1), 0);
	load_ok(fx, "[daemon]\ndata_dir = ~/leitstand\n", &cfg);
	assert_string_equal(cfg.data_dir, "/home/tester/leitstand");
	config_free(&cfg);
	if (oldhome != NULL) {
		setenv("HOME", oldhome, 1);
		free(oldhome);
	} else
		unsetenv("HOME");

	expect_cause(fx, "[daemon]\ndata_dir =\n",
	    "%s:2: daemon.data_dir: a path may not be empty");
}

/* The signing key: a path relative to the config, or empty for none; config_load does not
   look at the file (a client need not read it), config_check_daemon does. */
static void
test_signing_key(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		*want, *key, *cause = NULL;

	load_ok(fx, "[prompts]\nsigning_key =\n", &cfg);
	assert_null(cfg.prompt_signing_key);
	assert_int_equal(config_check_daemon(&cfg, &cause), 0);
	config_free(&cfg);

	load_ok(fx, "[prompts]\nsigning_key = keys/release\n", &cfg);
	assert_true(asprintf(&want, "%s/keys/release", fx->dir) > 0);
	assert_string_equal(cfg.prompt_signing_key, want);
	free(want);
	assert_int_equal(config_check_daemon(&cfg, &cause), -1);
	assert_non_null(strstr(cause, ": prompts.signing_key: "));
	assert_non_null(strstr(cause, "No such file or directory"));
	free(cause);
	config_free(&cfg);

	key = write_file(fx, "key", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	assert_int_equal(chmod(key, 0644), 0);
	load_ok(fx, "[prompts]\nsigning_key = key\n", &cfg);
	assert_int_equal(config_check_daemon(&cfg, &cause), -1);
	assert_non_null(strstr(cause, "(mode 644); chmod 600 it"));
	free(cause);
	assert_int_equal(chmod(key, 0600), 0);
	assert_int_equal(config_check_daemon(&cfg, &cause), 0);
	config_free(&cfg);
	free(key);
	/* Other paths stay required. */
	expect_cause(fx, "[prompts]\nrepo =\n", "%s:2: prompts.repo: a path may not be empty");
}

static void
test_long_value(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		*text, *path, *cause = NULL, *want;
	size_t		 n = 8000;	/* under the 8192-byte line limit */

	text = malloc(n + 64);
	assert_non_null(text);
	memcpy(text, "[assistant]\nname = ", 19);
	memset(text + 19, 'x', n);
	strcpy(text + 19 + n, "\nenvironment = lab\n");
	load_ok(fx, text, &cfg);
	assert_int_equal(strlen(cfg.name), n);
	assert_int_equal(cfg.name[n - 1], 'x');
	assert_string_equal(cfg.environment, "lab");
	config_free(&cfg);

	/* A long bad value still gives one sensible error. */
	memcpy(text, "[roles]\ndefault = ", 18);
	memset(text + 18, 'y', n);
	strcpy(text + 18 + n, "\n");
	path = write_file(fx, "long.ini", text);
	assert_int_equal(config_load(&cfg, path, &cause), -1);
	assert_true(asprintf(&want, "%s:2: roles.default: \"yyyy", path) > 0);
	assert_memory_equal(cause, want, strlen(want));
	assert_null(strchr(cause, '\n'));
	free(want);
	free(cause);
	free(path);
	free(text);
}

/*
 * A line longer than the limit is an error of its own line; its tail must never be parsed
 * as a line (here it would set assistant.environment).
 */
static void
test_overlong_line_split(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	const char	*head = "[assistant]\nname = ";
	const char	*tail = "environment = injected\n";
	char		*text, *path, *cause = NULL;
	size_t		 n = 65535 - strlen("name = "), hl = strlen(head);
	int		 rc, injected;

	text = malloc(hl + n + strlen(tail) + 1);
	assert_non_null(text);
	memcpy(text, head, hl);
	memset(text + hl, 'A', n);
	strcpy(text + hl + n, tail);
	path = write_file(fx, "split.ini", text);
	free(text);
	rc = config_load(&cfg, path, &cause);
	if (rc == 0) {
		/* Record what went wrong before failing. */
		injected = strcmp(cfg.environment, "injected") == 0;
		config_free(&cfg);
		free(path);
		if (injected)
			fail_msg("the tail of an over-long line set assistant.environment");
		fail_msg("an over-long line was accepted");
	}
	assert_int_equal(rc, -1);
	assert_non_null(cause);
	assert_true(strncmp(cause, path, strlen(path)) == 0);
	assert_true(strncmp(cause + strlen(path), ":2: ", 4) == 0);
	free(cause);
	free(path);
}

/* An over-long line is reported at its own line number. */
static void
test_overlong_line_number(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		*text, *path, *cause = NULL, *want;
	size_t		 n = 70000;
	int		 same;

	text = malloc(n + 64);
	assert_non_null(text);
	memcpy(text, "[assistant]\nname = ", 19);
	memset(text + 19, 'x', n);
	strcpy(text + 19 + n, "\n");
	path = write_file(fx, "long.ini", text);
	free(text);
	assert_int_equal(config_load(&cfg, path, &cause), -1);
	assert_non_null(cause);
	assert_true(asprintf(&want, "%s:2: ", path) > 0);
	same = strncmp(cause, want, strlen(want)) == 0;
	if (!same)
		print_error("cause: %s\nwanted it to start: %s\n", cause, want);
	free(want);
	free(cause);
	free(path);
	assert_true(same);
}

static void
test_missing_file(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		*path, *cause = NULL;

	assert_true(asprintf(&path, "%s/does-not-exist.ini", fx->dir) > 0);
	assert_int_equal(config_load(&cfg, path, &cause), -1);
	assert_non_null(cause);
	assert_true(strncmp(cause, path, strlen(path)) == 0);
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	free(path);
}

static void
test_namelist(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;

	load_ok(fx,
	    "[roles]\n"
	    "operator = alice, @ops  bob\n"
	    "engineer = ,,carol,,\t,dave ,\n"
	    "approver =\n"
	    "[console]\n"
	    "readonly = @a\n", &cfg);
	assert_int_equal(cfg.members[ROLE_OPERATOR].n, 3);
	assert_string_equal(cfg.members[ROLE_OPERATOR].v[0], "alice");
	assert_string_equal(cfg.members[ROLE_OPERATOR].v[1], "@ops");
	assert_string_equal(cfg.members[ROLE_OPERATOR].v[2], "bob");
	assert_int_equal(cfg.members[ROLE_ENGINEER].n, 2);
	assert_string_equal(cfg.members[ROLE_ENGINEER].v[0], "carol");
	assert_string_equal(cfg.members[ROLE_ENGINEER].v[1], "dave");
	assert_int_equal(cfg.members[ROLE_APPROVER].n, 0);
	assert_int_equal(cfg.readonly.n, 1);
	assert_string_equal(cfg.readonly.v[0], "@a");
	config_free(&cfg);

	expect_cause(fx, "[roles]\nadmin = @\n", "%s:2: roles.admin: a lone @ names no group");
	expect_cause(fx, "[roles]\nadmin = alice, @\n",
	    "%s:2: roles.admin: a lone @ names no group");
	expect_cause(fx, "[console]\nreadonly = bob@example\n",
	    "%s:2: console.readonly: names may not contain control characters or an inner @");
	expect_cause(fx, "[console]\nreadonly = @@ops\n",
	    "%s:2: console.readonly: names may not contain control characters or an inner @");
}

static void
test_string_control(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx, "[assistant]\nname = a\x1b[31mred\n",
	    "%s:2: assistant.name: control characters are not allowed");
	expect_cause(fx, "[assistant]\nenvironment = a\rb\n",
	    "%s:2: assistant.environment: control characters are not allowed");
}

/* Ticket headers: a list of "Name: value", each value a secret. */
static void
test_headers(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		*path, *cause = NULL;

	setenv("LT_TEST_HOOK", "Bearer a;b", 1);
	setenv("LT_TEST_CTRL", "a\r\nX-Evil: 1", 1);
	unsetenv("LT_TEST_UNSET");
	load_ok(fx, "[ticket]\nheaders = X-Api-Key: env:LT_TEST_HOOK;;  X-B:env:LT_TEST_HOOK\n",
	    &cfg);
	assert_int_equal(cfg.ticket_headers.n, 2);
	assert_string_equal(cfg.ticket_headers.v[0], "X-Api-Key: Bearer a;b");
	assert_string_equal(cfg.ticket_headers.v[1], "X-B: Bearer a;b");
	config_free(&cfg);

	/* A literal value makes the file hold a secret; the value is never in a message. */
	path = write_file(fx, "h.ini", "[ticket]\nheaders = X-Team: ops; Authorization: "
	    "Basic c2VjcmV0\n");
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(config_load(&cfg, path, &cause), -1);
	assert_non_null(strstr(cause, "holds a secret (headers) but is readable by group or "
	    "others (mode 640); chmod 600 it, or use headers = Name: env:NAME"));
	assert_null(strstr(cause, "c2VjcmV0"));
	free(cause);
	cause = NULL;
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(config_load(&cfg, path, &cause), 0);
	assert_int_equal(cfg.ticket_headers.n, 2);
	assert_string_equal(cfg.ticket_headers.v[1], "Authorization: Basic c2VjcmV0");
	config_free(&cfg);
	free(path);

	expect_cause(fx, "[ticket]\nheaders = X-A: env:LT_TEST_UNSET\n",
	    "%s:2: ticket.headers: header X-A: environment variable LT_TEST_UNSET is not set");
	expect_cause(fx, "[ticket]\nheaders = X-A: env:LT_TEST_CTRL\n",
	    "%s:2: ticket.headers: header X-A: its environment variable holds a control "
	    "character");
	expect_cause(fx, "[ticket]\nheaders = X-A: env:LT_TEST_HOOK; Bearer s3cret\n",
	    "%s:2: ticket.headers: header 2 is not Name: value (a name without blanks, a colon, "
	    "the value or env:NAME)");
	expect_cause(fx, "[ticket]\nheaders = X A: env:LT_TEST_HOOK\n",
	    "%s:2: ticket.headers: header 1 is not Name: value (a name without blanks, a colon, "
	    "the value or env:NAME)");
}

static void
test_key_before_section(void **state)
{
	struct fixture	*fx = *state;

	expect_cause(fx, "max_line = 4096\n[daemon]\n", "%s:1: unknown section []");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_setup_teardown(test_valid_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_integer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_errors_capped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors_all_reported, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_line_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlong_line_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_namelist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_before_section, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signing_key, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
