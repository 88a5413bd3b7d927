/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/sshsig.h"
#include "tests/unit/tmpdir.h"

static char dir[256];

static int
setup(void **state)
{
	(void)state;
	return tmpdir_make(dir, sizeof dir, "sshsig");
}

static int
teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

/* Writes a file in the test's directory with a mode; its path in a static buffer. */
static const char *
file(const char *name, const char *text, size_t len, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* As git's parse_signed_buffer: the last line that begins a signature block of any format. */
static void
test_split(void **state)
{
	const char *tag = "object 1\ntype commit\ntag t\ntagger a <a@b> 1 +0000\n\nhi\n";
	const char *sig = "-----BEGIN SSH SIGNATURE-----\nU1NI\n-----END SSH SIGNATURE-----\n";
	char buf[512];

	(void)state;
	assert_int_equal(sshsig_split(tag, strlen(tag)), strlen(tag));
	snprintf(buf, sizeof buf, "%s%s", tag, sig);
	assert_int_equal(sshsig_split(buf, strlen(buf)), strlen(tag));
	/* The last one counts; one inside a line is none. */
	snprintf(buf, sizeof buf, "%s-----BEGIN PGP SIGNATURE-----\nx\n%s", tag, sig);
	assert_int_equal(sshsig_split(buf, strlen(buf)), strlen(buf) - strlen(sig));
	snprintf(buf, sizeof buf, "%s see -----BEGIN SSH SIGNATURE-----\n", tag);
	assert_int_equal(sshsig_split(buf, strlen(buf)), strlen(buf));
	/* No newline at the end, a block at the very start, nothing at all. */
	assert_int_equal(sshsig_split("-----BEGIN SSH SIGNATURE-----", 29), 0);
	assert_int_equal(sshsig_split("a\n-----BEGIN PGP MESSAGE-----", 29), 2);
	assert_int_equal(sshsig_split("", 0), 0);
	/* A length shorter than the marker: not one. */
	assert_int_equal(sshsig_split("a\n-----BEGIN SSH", 16), 16);
}

static void
test_key_check(void **state)
{
	char *cause = NULL, sub[300];

	(void)state;
	assert_int_equal(sshsig_key_check(file("k", "key", 3, 0600), &cause), 0);
	assert_int_equal(sshsig_key_check(file("k", "key", 3, 0400), &cause), 0);
	assert_int_equal(sshsig_key_check(file("k", "key", 3, 0640), &cause), -1);
	assert_non_null(strstr(cause, "(mode 640); chmod 600 it"));
	free(cause);
	assert_int_equal(sshsig_key_check(file("k", "key", 3, 0602), &cause), -1);
	free(cause);
	assert_int_equal(sshsig_key_check(file("k", "", 0, 0600), &cause), -1);
	assert_non_null(strstr(cause, "0 bytes is no OpenSSH private key"));
	free(cause);
	snprintf(sub, sizeof sub, "%s/missing", dir);
	assert_int_equal(sshsig_key_check(sub, &cause), -1);
	assert_non_null(strstr(cause, "No such file or directory"));
	free(cause);
	assert_int_equal(sshsig_key_check(dir, &cause), -1);
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
	assert_int_equal(sshsig_key_check("", &cause), -1);
	free(cause);
	unlink(file("k", "", 0, 0600));
}

static int
signers(const char *text, char **cause)
{
	return sshsig_signers_check(file("allowed", text, strlen(text), 0644), cause);
}

static void
test_signers_check(void **state)
{
	char *cause = NULL, *big;

	(void)state;
	assert_int_equal(signers("a@b ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKoX\n", &cause), 0);
	assert_int_equal(signers("# comment\n\n  a@b,c@d namespaces=\"git,file\" "
	    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKoX comment words\r\n", &cause), 0);
	assert_int_equal(signers("\"a b\" cert-authority,valid-after=\"20240101\" "
	    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=", &cause), 0);
	assert_int_equal(signers("# only a comment\n", &cause), -1);
	assert_non_null(strstr(cause, "no signer in it"));
	free(cause);
	assert_int_equal(signers("", &cause), -1);
	free(cause);
	assert_int_equal(signers("ok ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKoX\nbad\n", &cause),
	    -1);
	assert_non_null(strstr(cause, "allowed:2: expected PRINCIPALS [OPTIONS] KEYTYPE BASE64"));
	free(cause);
	assert_int_equal(signers("a namespaces=\"git ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n",
	    &cause), -1);
	assert_non_null(strstr(cause, "allowed:1: an unmatched quote"));
	free(cause);
	assert_int_equal(signers("a ssh-ed25519 AAAA;rm\n", &cause), -1);
	assert_non_null(strstr(cause, "the key is not base64"));
	free(cause);
	assert_int_equal(signers("a x=y z ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n", &cause), -1);
	assert_non_null(strstr(cause, "no key type"));
	free(cause);
	assert_int_equal(sshsig_signers_check(file("nul", "a\0b", 3, 0644), &cause), -1);
	assert_non_null(strstr(cause, "not a text file"));
	free(cause);
	big = malloc(SSHSIG_MAX_SIGNERS + 2);
	memset(big, '#', SSHSIG_MAX_SIGNERS + 1);
	big[SSHSIG_MAX_SIGNERS + 1] = '\0';
	assert_int_equal(signers(big, &cause), -1);
	assert_non_null(strstr(cause, "more than"));
	free(cause);
	free(big);
	assert_int_equal(sshsig_signers_check(dir, &cause), -1);
	free(cause);
}

/* Runs a command without a shell; its exit status. */
static int
run(const char *const argv[])
{
	pid_t pid;
	int st, null;

	if ((pid = fork()) == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A signature made by sshsig_sign verifies with sshsig_verify, and only over its text. */
static void
test_sign_verify(void **state)
{
	char key[300], pub[310], line[512], *sig = NULL, *who = NULL, *cause = NULL;
	const char *text = "object 1\ntype commit\ntag release/a/2\ntagger a <a@b> 1 +0000\n\nhi\n";
	const char *kg[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t", "-f", key,
	    NULL };
	int n;
	FILE *f;

	(void)state;
	snprintf(key, sizeof key, "%s/release", dir);
	if (run(kg) != 0) {
		skip();
		return;
	}
	snprintf(pub, sizeof pub, "%s.pub", key);
	assert_non_null(f = fopen(pub, "r"));
	n = snprintf(line, sizeof line, "releases@example.org namespaces=\"git\" ");
	assert_non_null(fgets(line + n, (int)sizeof line - n, f));
	fclose(f);
	file("allowed", line, strlen(line), 0644);
	snprintf(pub, sizeof pub, "%s/allowed", dir);
	assert_int_equal(sshsig_signers_check(pub, &cause), 0);

	assert_int_equal(sshsig_sign(key, text, strlen(text), &sig, &cause), 0);
	assert_true(strncmp(sig, "-----BEGIN SSH SIGNATURE-----\n", 30) == 0);
	assert_int_equal(sshsig_verify(pub, text, strlen(text), sig, strlen(sig), 0, &who,
	    &cause), 0);
	assert_string_equal(who, "releases@example.org");
	free(who);
	assert_int_equal(sshsig_verify(pub, text, strlen(text), sig, strlen(sig), 1796205780,
	    &who, &cause), 0);
	free(who);
	/* One byte more is another text. */
	assert_int_equal(sshsig_verify(pub, text, strlen(text) - 1, sig, strlen(sig), 0, &who,
	    &cause), -1);
	assert_null(who);
	assert_non_null(strstr(cause, "does not verify"));
	free(cause);
	/* No signature, or none of SSH's. */
	assert_int_equal(sshsig_verify(pub, text, strlen(text), "", 0, 0, &who, &cause), -1);
	assert_string_equal(cause, "not signed");
	free(cause);
	assert_int_equal(sshsig_verify(pub, text, strlen(text), "-----BEGIN PGP SIGNATURE-----\n",
	    30, 0, &who, &cause), -1);
	assert_string_equal(cause, "not an SSH signature");
	free(cause);
	free(sig);
	/* Readable by others: refused before ssh-keygen runs. */
	chmod(key, 0644);
	assert_int_equal(sshsig_sign(key, text, strlen(text), &sig, &cause), -1);
	assert_null(sig);
	assert_non_null(strstr(cause, "chmod 600"));
	free(cause);
	unlink(key);
	snprintf(key, sizeof key, "%s/release.pub", dir);
	unlink(key);
	unlink(pub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test_setup_teardown(test_key_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signers_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_verify, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
