/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/authz.h"
#include "backend/config.h"

#include "tmpdir.h"

/* Each test that needs a config file gets its own temporary directory. */
struct fixture {
	char	 dir[64];
	char	*path;
};

static int
setup(void **state)
{
	struct fixture	*fx;

	fx = calloc(1, sizeof *fx);
	if (fx == NULL)
		return -1;
	if (tmpdir_make(fx->dir, sizeof fx->dir, "authz") != 0) {
		free(fx);
		return -1;
	}
	if (asprintf(&fx->path, "%s/leitstand.ini", fx->dir) < 0) {
		tmpdir_remove(fx->dir);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	int		 rc;

	rc = tmpdir_remove(fx->dir);
	free(fx->path);
	free(fx);
	return rc;
}

/* Writes text as the config file and loads it into cfg. */
static void
load(struct fixture *fx, const char *text, struct config *cfg)
{
	FILE	*f;
	char	*cause = NULL;

	f = fopen(fx->path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	if (config_load(cfg, fx->path, &cause) != 0) {
		fail_msg("config_load: %s", cause);
		free(cause);
	}
}

/* The name authz_identify uses for this process's user: the passwd name or the number. */
static char *
my_name(void)
{
	struct passwd	*pw = getpwuid(getuid());
	char		*s;

	if (pw != NULL)
		return strdup(pw->pw_name);
	assert_true(asprintf(&s, "%ld", (long)getuid()) > 0);
	return s;
}

static void
test_role_names(void **state)
{
	static const char *const names[] = {
		"viewer", "operator", "engineer", "approver", "admin"
	};
	enum role	 r, back;
	const char	*bad[] = {
		"", "Admin", "admins", "root", " viewer", "viewer ", "NONE"
	};
	size_t		 i;

	(void)state;
	for (r = ROLE_VIEWER; r < ROLE_COUNT; r++) {
		assert_string_equal(role_name(r), names[r]);
		back = ROLE_NONE;
		assert_int_equal(role_parse(role_name(r), &back), 0);
		assert_int_equal(back, r);
	}
	assert_string_equal(role_name(ROLE_NONE), "none");
	assert_string_equal(role_name(ROLE_COUNT), "none");
	back = ROLE_ADMIN;
	assert_int_equal(role_parse("none", &back), 0);
	assert_int_equal(back, ROLE_NONE);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		back = ROLE_ENGINEER;
		assert_int_equal(role_parse(bad[i], &back), -1);
		assert_int_equal(back, ROLE_ENGINEER);
	}
}

static void
test_perm_table(void **state)
{
	static const enum role least[PERM_COUNT] = {
		[PERM_READ]		= ROLE_VIEWER,
		[PERM_AUDIT_DETAILS]	= ROLE_OPERATOR,
		[PERM_INCIDENT_WRITE]	= ROLE_OPERATOR,
		[PERM_INCIDENT_MANAGE]	= ROLE_ENGINEER,
		[PERM_PROMPT_PROPOSE]	= ROLE_ENGINEER,
		[PERM_PROMPT_APPROVE]	= ROLE_APPROVER,
		[PERM_ADMIN]		= ROLE_ADMIN,
	};
	enum perm	p, q;

	(void)state;
	for (p = 0; p < PERM_COUNT; p++) {
		assert_int_equal(perm_role(p), least[p]);
		assert_non_null(perm_name(p));
		assert_true(perm_name(p)[0] != '\0');
		for (q = 0; q < p; q++)
			assert_string_not_equal(perm_name(p), perm_name(q));
	}
	assert_string_equal(perm_name(PERM_READ), "read");
	assert_string_equal(perm_name(PERM_ADMIN), "admin");
}

static void
test_allowed_matrix(void **state)
{
	static const enum role least[PERM_COUNT] = {
		[PERM_READ]		= ROLE_VIEWER,
		[PERM_AUDIT_DETAILS]	= ROLE_OPERATOR,
		[PERM_INCIDENT_WRITE]	= ROLE_OPERATOR,
		[PERM_INCIDENT_MANAGE]	= ROLE_ENGINEER,
		[PERM_PROMPT_PROPOSE]	= ROLE_ENGINEER,
		[PERM_PROMPT_APPROVE]	= ROLE_APPROVER,
		[PERM_ADMIN]		= ROLE_ADMIN,
	};
	int		r, allowed, nallowed;
	enum perm	p;

	(void)state;
	for (p = 0; p < PERM_COUNT; p++) {
		assert_false(authz_allowed(ROLE_NONE, p));
		nallowed = 0;
		for (r = ROLE_VIEWER; r < ROLE_COUNT; r++) {
			allowed = authz_allowed((enum role)r, p);
			assert_int_equal(allowed != 0, r >= (int)least[p]);
			/* Each role may do everything the roles before it may. */
			if (r > ROLE_VIEWER && authz_allowed((enum role)(r - 1), p))
				assert_true(allowed);
			nallowed += allowed != 0;
		}
		assert_int_equal(nallowed, ROLE_COUNT - (int)least[p]);
		assert_true(authz_allowed(ROLE_ADMIN, p));
	}
	/* Spot checks in words. */
	assert_true(authz_allowed(ROLE_VIEWER, PERM_READ));
	assert_false(authz_allowed(ROLE_VIEWER, PERM_AUDIT_DETAILS));
	assert_false(authz_allowed(ROLE_OPERATOR, PERM_INCIDENT_MANAGE));
	assert_true(authz_allowed(ROLE_ENGINEER, PERM_PROMPT_PROPOSE));
	assert_false(authz_allowed(ROLE_ENGINEER, PERM_PROMPT_APPROVE));
	assert_false(authz_allowed(ROLE_APPROVER, PERM_ADMIN));
}

static void
test_role_for(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	char		 g_ops[] = "ops", g_everyone[] = "everyone", g_leads[] = "leads";
	char		 g_olga[] = "olga", g_other[] = "other", g_opsadmin[] = "ops-admin";
	char		*none[] = { NULL };
	char		*ops[] = { g_ops, NULL };
	char		*ev_leads[] = { g_other, g_everyone, g_leads, NULL };
	char		*olga[] = { g_olga, NULL };
	char		*opsadmin[] = { g_opsadmin, NULL };

	load(fx,
	    "[roles]\n"
	    "viewer = victor, @everyone, multi\n"
	    "operator = olga, @ops\n"
	    "engineer = erik, multi\n"
	    "approver = anna, @leads\n"
	    "admin = boss, @ops-admin, multi\n", &cfg);

	/* Listed directly. */
	assert_int_equal(authz_role_for(&cfg, "victor", none), ROLE_VIEWER);
	assert_int_equal(authz_role_for(&cfg, "olga", NULL), ROLE_OPERATOR);
	assert_int_equal(authz_role_for(&cfg, "erik", none), ROLE_ENGINEER);
	assert_int_equal(authz_role_for(&cfg, "anna", none), ROLE_APPROVER);
	assert_int_equal(authz_role_for(&cfg, "boss", none), ROLE_ADMIN);

	/* Through a group. */
	assert_int_equal(authz_role_for(&cfg, "nobody", ops), ROLE_OPERATOR);
	assert_int_equal(authz_role_for(&cfg, NULL, ops), ROLE_OPERATOR);
	assert_int_equal(authz_role_for(&cfg, "nobody", opsadmin), ROLE_ADMIN);

	/* The highest role wins, by name or by group. */
	assert_int_equal(authz_role_for(&cfg, "multi", none), ROLE_ADMIN);
	assert_int_equal(authz_role_for(&cfg, "nobody", ev_leads), ROLE_APPROVER);
	assert_int_equal(authz_role_for(&cfg, "victor", ev_leads), ROLE_APPROVER);
	assert_int_equal(authz_role_for(&cfg, "erik", ops), ROLE_ENGINEER);

	/* Unknown users and near misses. */
	assert_int_equal(authz_role_for(&cfg, "mallory", none), ROLE_NONE);
	assert_int_equal(authz_role_for(&cfg, "mallory", NULL), ROLE_NONE);
	assert_int_equal(authz_role_for(&cfg, NULL, NULL), ROLE_NONE);
	assert_int_equal(authz_role_for(&cfg, "Olga", none), ROLE_NONE);
	assert_int_equal(authz_role_for(&cfg, "olg", none), ROLE_NONE);
	assert_int_equal(authz_role_for(&cfg, "", none), ROLE_NONE);
	/* A group named like a listed user is not that user; @ops is not a user. */
	assert_int_equal(authz_role_for(&cfg, "mallory", olga), ROLE_NONE);
	assert_int_equal(authz_role_for(&cfg, "@ops", none), ROLE_NONE);
	assert_int_equal(authz_role_for(&cfg, "ops", none), ROLE_NONE);
	config_free(&cfg);
}

static void
test_role_for_empty_config(void **state)
{
	struct config	 cfg;
	char		*cause = NULL;
	char		 g[] = "wheel";
	char		*groups[] = { g, NULL };

	(void)state;
	assert_int_equal(config_load(&cfg, NULL, &cause), 0);
	assert_int_equal(authz_role_for(&cfg, "root", groups), ROLE_NONE);
	config_free(&cfg);
}

static void
test_namelist_match(void **state)
{
	char		 alice[] = "alice", at_ops[] = "@ops", at_x[] = "@x";
	char		 ops[] = "ops", x[] = "x", opsx[] = "opsx", empty[] = "";
	char		*entries[] = { alice, at_ops, at_x };
	struct namelist	 l = { entries, 3 }, nothing = { NULL, 0 };
	char		*g_ops[] = { ops, NULL };
	char		*g_x_late[] = { opsx, empty, x, NULL };
	char		*g_near[] = { opsx, empty, NULL };
	char		*g_none[] = { NULL };
	char		*g_alice[] = { alice, NULL };

	(void)state;
	assert_false(namelist_match(&nothing, "alice", g_ops));
	assert_false(namelist_match(&nothing, NULL, NULL));

	assert_true(namelist_match(&l, "alice", NULL));
	assert_true(namelist_match(&l, "alice", g_none));
	assert_false(namelist_match(&l, "alic", NULL));
	assert_false(namelist_match(&l, "alice2", NULL));
	assert_false(namelist_match(&l, "ALICE", NULL));
	assert_false(namelist_match(&l, "", NULL));
	assert_false(namelist_match(&l, NULL, NULL));

	assert_true(namelist_match(&l, "bob", g_ops));
	assert_true(namelist_match(&l, NULL, g_ops));
	assert_true(namelist_match(&l, "bob", g_x_late));
	assert_false(namelist_match(&l, "bob", g_near));
	assert_false(namelist_match(&l, "bob", g_none));
	/* Entries without @ name users only; entries with @ name groups only. */
	assert_false(namelist_match(&l, "bob", g_alice));
	assert_false(namelist_match(&l, "@ops", NULL));
	assert_false(namelist_match(&l, "ops", NULL));
}

static void
test_identify_owner(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	struct identity	 id;
	char		*cause = NULL, *me = my_name();

	load(fx, "[roles]\nowner = viewer\ndefault = admin\n", &cfg);
	assert_int_equal(authz_identify(&cfg, getuid(), getgid(), &id, &cause), 0);
	assert_null(cause);
	assert_int_equal(id.uid, getuid());
	assert_int_equal(id.gid, getgid());
	assert_non_null(id.user);
	assert_string_equal(id.user, me);
	assert_non_null(id.groups);
	assert_int_equal(id.role, ROLE_VIEWER);
	assert_false(id.readonly);
	identity_clear(&id);
	assert_null(id.user);
	assert_null(id.groups);
	assert_int_equal(id.role, ROLE_NONE);
	config_free(&cfg);

	/* The built-in default makes the owner an admin. */
	assert_int_equal(config_load(&cfg, NULL, &cause), 0);
	assert_int_equal(authz_identify(&cfg, getuid(), getgid(), &id, &cause), 0);
	assert_int_equal(id.role, ROLE_ADMIN);
	identity_clear(&id);
	config_free(&cfg);
	free(me);
}

static void
test_identify_listed_wins(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	struct identity	 id;
	char		*cause = NULL, *me = my_name(), *text;

	/* Listed as admin beats owner = viewer. */
	assert_true(asprintf(&text, "[roles]\nowner = viewer\nadmin = %s\n", me) > 0);
	load(fx, text, &cfg);
	free(text);
	assert_int_equal(authz_identify(&cfg, getuid(), getgid(), &id, &cause), 0);
	assert_int_equal(id.role, ROLE_ADMIN);
	identity_clear(&id);
	config_free(&cfg);

	/* Listed as operator beats owner = admin too: the list is the rule. */
	assert_true(asprintf(&text, "[roles]\noperator = someone, %s\n", me) > 0);
	load(fx, text, &cfg);
	free(text);
	assert_int_equal(authz_identify(&cfg, getuid(), getgid(), &id, &cause), 0);
	assert_int_equal(id.role, ROLE_OPERATOR);
	identity_clear(&id);
	config_free(&cfg);

	/* Listed under owner = none: the list still lets them in. */
	assert_true(asprintf(&text, "[roles]\nowner = none\nengineer = %s\n", me) > 0);
	load(fx, text, &cfg);
	free(text);
	assert_int_equal(authz_identify(&cfg, getuid(), getgid(), &id, &cause), 0);
	assert_int_equal(id.role, ROLE_ENGINEER);
	identity_clear(&id);
	config_free(&cfg);
	free(me);
}

static void
test_identify_group(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	struct identity	 id;
	struct group	*gr = getgrgid(getgid());
	char		*cause = NULL, *text;

	if (gr == NULL)
		skip();
	assert_true(asprintf(&text, "[roles]\nowner = none\napprover = @%s\n"
	    "[console]\nreadonly = @%s\n", gr->gr_name, gr->gr_name) > 0);
	load(fx, text, &cfg);
	free(text);
	assert_int_equal(authz_identify(&cfg, getuid(), getgid(), &id, &cause), 0);
	assert_int_equal(id.role, ROLE_APPROVER);
	assert_true(id.readonly);
	identity_clear(&id);
	config_free(&cfg);
}

static void
test_identify_refused(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	struct identity	 id;
	char		*cause = NULL, *me = my_name();

	load(fx, "[roles]\nowner = none\ndefault = admin\noperator = someone-else\n", &cfg);
	assert_int_equal(authz_identify(&cfg, getuid(), getgid(), &id, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "[roles]"));
	assert_non_null(strstr(cause, me));
	assert_int_equal(id.role, ROLE_NONE);
	free(cause);
	identity_clear(&id);
	config_free(&cfg);
	free(me);
}

static void
test_identify_other_uid(void **state)
{
	struct fixture	*fx = *state;
	struct config	 cfg;
	struct identity	 id;
	uid_t		 other = geteuid() + 4000123;
	char		*cause = NULL;

	/* Not the daemon's user: default applies, owner does not. */
	load(fx, "[roles]\nowner = viewer\ndefault = operator\n", &cfg);
	assert_int_equal(authz_identify(&cfg, other, 4000123, &id, &cause), 0);
	assert_int_equal(id.uid, other);
	assert_int_equal(id.role, ROLE_OPERATOR);
	assert_non_null(id.user);
	identity_clear(&id);
	config_free(&cfg);

	load(fx, "[roles]\nowner = admin\ndefault = none\n", &cfg);
	assert_int_equal(authz_identify(&cfg, other, 4000123, &id, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "[roles]"));
	free(cause);
	identity_clear(&id);
	config_free(&cfg);
}

static void
test_identity_clear_empty(void **state)
{
	struct identity	id;

	(void)state;
	memset(&id, 0, sizeof id);
	identity_clear(&id);
	assert_null(id.user);
	assert_int_equal(id.role, ROLE_NONE);
	identity_clear(&id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_perm_table),
		cmocka_unit_test(test_allowed_matrix),
		cmocka_unit_test_setup_teardown(test_role_for, setup, teardown),
		cmocka_unit_test(test_role_for_empty_config),
		cmocka_unit_test(test_namelist_match),
		cmocka_unit_test_setup_teardown(test_identify_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identify_listed_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identify_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identify_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identify_other_uid, setup, teardown),
		cmocka_unit_test(test_identity_clear_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
