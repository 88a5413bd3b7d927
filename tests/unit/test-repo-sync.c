/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backend/repo-sync.h"
#include "backend/xmalloc.h"

static void
shown(const char *remote, const char *want)
{
	char *s = repo_sync_shown(remote);

	assert_string_equal(s, want);
	free(s);
}

/* Credentials in a remote's URL never reach status, audit or a log. */
static void
test_shown(void **state)
{
	(void)state;
	shown("https://deploy:s3cret@git.example/p.git", "https://deploy:[redacted]@git.example/p.git");
	shown("https://ghp_token@git.example/p.git", "https://[redacted]@git.example/p.git");
	shown("ssh://git@git.example/p.git", "ssh://git@git.example/p.git");
	shown("git://git.example:9418/p.git", "git://git.example:9418/p.git");
	shown("/srv/git/p.git", "/srv/git/p.git");
	/* An @ after the host is part of the path, not credentials. */
	shown("https://git.example/a@b.git", "https://git.example/a@b.git");
	shown("http://u:p@w:x@h/p", "http://u:[redacted]@h/p");
}

static void
test_scrub(void **state)
{
	char *t;

	(void)state;
	t = repo_sync_scrub(xstrdup("auth failed for https://deploy:s3cret@git.example/p.git"),
	    "https://deploy:s3cret@git.example/p.git");
	assert_null(strstr(t, "s3cret"));
	free(t);
	t = repo_sync_scrub(xstrdup("token ghp_token refused"), "https://ghp_token@git.example/");
	assert_string_equal(t, "token [redacted] refused");
	free(t);
	t = repo_sync_scrub(xstrdup("connecting: refused"), "git://git.example/p.git");
	assert_string_equal(t, "connecting: refused");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shown),
		cmocka_unit_test(test_scrub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
