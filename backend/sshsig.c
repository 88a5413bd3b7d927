/* SPDX-License-Identifier: ISC */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/buf.h"
#include "backend/sshsig.h"
#include "backend/loop.h"
#include "backend/xmalloc.h"

#define SIG_BEGIN	"-----BEGIN SSH SIGNATURE-----\n"
#define SIG_END		"-----END SSH SIGNATURE-----\n"
#define SIG_FD		3	/* where ssh-keygen finds the signature: /dev/fd/3 */
#define MAX_CAUSE	300	/* bytes of ssh-keygen's own words kept in a message */

/* One run of ssh-keygen: what goes in, what came out. */
struct run {
	const char	*const *argv;
	const char	*in;
	size_t		 inlen;
	int		 sig_fd;	/* given to it as SIG_FD, or -1 */
	struct buf	 out, err;
	int		 status;
};

/* ssh-keygen's stderr as one line of printable text, without its chatter. */
static char *
said(const struct buf *err)
{
	struct buf b;
	const char *p = err->data != NULL ? err->data : "", *eol;
	size_t n, i;

	buf_init(&b);
	for (; *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		/* Its prompt, answered by nobody: what follows on the line is the news. */
		if (strncmp(p, "Enter passphrase", 16) == 0 && memchr(p, ':', (size_t)(eol - p)))
			p = (const char *)memchr(p, ':', (size_t)(eol - p)) + 1;
		p += strspn(p, " ");
		/* It ends its lines with \r\n when it thinks a terminal may be there. */
		for (n = (size_t)(eol - p); n > 0 && p[n - 1] == '\r'; n--)
			;
		if (n == 0 || (n == 30 && strncmp(p, "Signing data on standard input", n) == 0))
			continue;
		if (b.len > 0)
			buf_addstr(&b, "; ");
		for (i = 0; i < n && b.len < MAX_CAUSE; i++)
			buf_addch(&b, isprint((unsigned char)p[i]) ? p[i] : '?');
	}
	if (b.len == 0)
		buf_addstr(&b, "no reason given");
	return buf_take(&b);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Reads what a stream has; -1 when it wrote more than SSHSIG_MAX_OUTPUT. */
static int
drain(int *fd, struct buf *b)
{
	char tmp[4096];
	ssize_t got;

	got = read(*fd, tmp, sizeof tmp);
	if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
		close_fd(fd);
	if (got <= 0)
		return 0;
	if (b->len + (size_t)got > SSHSIG_MAX_OUTPUT)
		return -1;
	buf_add(b, tmp, (size_t)got);
	return 0;
}

static int
spawn(struct run *r, int in, int out, int err, pid_t *pid, char **cause)
{
	static const int deflt[] = { SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	/* No agent, no askpass, no terminal: the key file signs, or nothing does. */
	static char *const env[] = { (char *)"LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	size_t i;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	for (i = 0; i < sizeof deflt / sizeof deflt[0]; i++)
		sigaddset(&def, deflt[i]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, err, 2);
	if (r->sig_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, r->sig_fd, SIG_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, r->sig_fd >= 0 ? SIG_FD + 1 : 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSID);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	rc = posix_spawnp(pid, r->argv[0], &fa, &at, (char *const *)r->argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == ENOENT)
		*cause = xprintf("%s is not on PATH: install OpenSSH's client (Debian: "
		    "openssh-client)", r->argv[0]);
	else if (rc != 0)
		*cause = xprintf("cannot start %s: %s", r->argv[0], strerror(rc));
	return rc == 0 ? 0 : -1;
}

/*
 * Runs ssh-keygen with the input on its stdin (a socket: a child that exits early makes a
 * send fail, never a SIGPIPE) and collects its stdout and stderr, for at most SSHSIG_TIMEOUT
 * seconds. 0 once it has exited (r->status says how), else -1 with *cause.
 */
static int
run(struct run *r, char **cause)
{
	struct pollfd pfd[3];
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, rc = -1, st, n;
	long long deadline = loop_now_ms() + SSHSIG_TIMEOUT * 1000LL, left;
	size_t off = 0;
	ssize_t sent;
	const char *stop = NULL;
	pid_t pid;

	buf_init(&r->out);
	buf_init(&r->err);
	r->status = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 ||
	    pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
		*cause = xprintf("%s: %s", r->argv[0], strerror(errno));
		goto out;
	}
	if (spawn(r, in[1], out[1], err[1], &pid, cause) != 0)
		goto out;
	close_fd(&in[1]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	if (r->inlen == 0)
		close_fd(&in[0]);
	while (out[0] >= 0 || err[0] >= 0) {
		if ((left = deadline - loop_now_ms()) <= 0) {
			stop = "took too long";
			break;
		}
		n = 0;
		pfd[n].fd = out[0];
		pfd[n++].events = POLLIN;
		pfd[n].fd = err[0];
		pfd[n++].events = POLLIN;
		pfd[n].fd = in[0];
		pfd[n++].events = POLLOUT;
		if (poll(pfd, (nfds_t)n, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			stop = "poll failed";
			break;
		}
		if (in[0] >= 0 && pfd[2].revents != 0) {
			sent = send(in[0], r->in + off, r->inlen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (sent > 0)
				off += (size_t)sent;
			/* All of it, or it stopped reading: its exit status tells the rest. */
			if (off == r->inlen || (sent < 0 && errno != EAGAIN && errno != EINTR))
				close_fd(&in[0]);
		}
		if ((out[0] >= 0 && pfd[0].revents != 0 && drain(&out[0], &r->out) != 0) ||
		    (err[0] >= 0 && pfd[1].revents != 0 && drain(&err[0], &r->err) != 0)) {
			stop = "wrote too much";
			break;
		}
	}
	/* Its session's process group: whatever it started goes with it. */
	if (stop != NULL)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (stop != NULL) {
		*cause = xprintf("%s %s (limit %d s, %d bytes): stopped", r->argv[0], stop,
		    SSHSIG_TIMEOUT, SSHSIG_MAX_OUTPUT);
		goto out;
	}
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	rc = 0;
out:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&err[0]);
	close_fd(&err[1]);
	return rc;
}

static void
run_free(struct run *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

int
sshsig_key_check(const char *path, char **cause)
{
	struct stat st;
	struct passwd *pw;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("no key given");
		return -1;
	}
	if (stat(path, &st) != 0) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xprintf("%s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		pw = getpwuid(geteuid());
		*cause = xprintf("%s: owned by uid %ld, not by the daemon's user %s (uid %ld); "
		    "chown it", path, (long)st.st_uid, pw != NULL ? pw->pw_name : "?",
		    (long)geteuid());
		return -1;
	}
	if (st.st_mode & 077) {
		*cause = xprintf("%s: a private key readable or writable by group or others "
		    "(mode %03o); chmod 600 it", path, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	if (st.st_size == 0 || st.st_size > SSHSIG_MAX_OUTPUT) {
		*cause = xprintf("%s: %lld bytes is no OpenSSH private key", path,
		    (long long)st.st_size);
		return -1;
	}
	return 0;
}

/* A path ssh-keygen cannot take for an option. */
static char *
plain_path(const char *path)
{
	return *path == '-' ? xprintf("./%s", path) : xstrdup(path);
}

int
sshsig_sign(const char *key, const char *data, size_t len, char **sig, char **cause)
{
	struct run r;
	char *path, *why;
	const char *argv[] = { "ssh-keygen", "-Y", "sign", "-n", SSHSIG_NAMESPACE, "-f", NULL,
	    NULL };
	int rc = -1;

	*sig = NULL;
	if (sshsig_key_check(key, cause) != 0)
		return -1;
	path = plain_path(key);
	argv[6] = path;
	memset(&r, 0, sizeof r);
	r.argv = argv;
	r.in = data;
	r.inlen = len;
	r.sig_fd = -1;
	if (run(&r, cause) != 0)
		goto out;
	if (r.status != 0) {
		why = said(&r.err);
		*cause = xprintf("ssh-keygen -Y sign with %s exited with %d: %s%s", key, r.status,
		    why, strstr(why, "passphrase") != NULL ? " (nobody is there to type a "
		    "passphrase: the key must have none)" : "");
		free(why);
		goto out;
	}
	if (r.out.len < sizeof SIG_BEGIN + sizeof SIG_END ||
	    strncmp(r.out.data, SIG_BEGIN, strlen(SIG_BEGIN)) != 0 ||
	    strcmp(r.out.data + r.out.len - strlen(SIG_END), SIG_END) != 0 ||
	    memchr(r.out.data, '\0', r.out.len) != NULL) {
		*cause = xprintf("ssh-keygen -Y sign with %s wrote no SSH signature", key);
		goto out;
	}
	*sig = buf_take(&r.out);
	rc = 0;
out:
	run_free(&r);
	free(path);
	return rc;
}

/* Whether a line begins a signature block of a format git knows (gpg.format). */
static int
sig_start(const char *p, size_t n)
{
	static const char *const starts[] = {
		"-----BEGIN PGP SIGNATURE-----", "-----BEGIN PGP MESSAGE-----",
		"-----BEGIN SIGNED MESSAGE-----", "-----BEGIN SSH SIGNATURE-----", NULL
	};
	const char *const *s;

	for (s = starts; *s != NULL; s++) {
		if (n >= strlen(*s) && strncmp(p, *s, strlen(*s)) == 0)
			return 1;
	}
	return 0;
}

size_t
sshsig_split(const char *buf, size_t len)
{
	size_t off = 0, match = len;
	const char *eol;

	while (off < len) {
		eol = memchr(buf + off, '\n', len - off);
		if (sig_start(buf + off, (eol != NULL ? (size_t)(eol - buf) : len) - off))
			match = off;
		off = eol != NULL ? (size_t)(eol - buf) + 1 : len;
	}
	return match;
}

/* The next blank-separated field of an allowed signers line (quotes keep blanks in); *n is
   its length, 0 at the end of the line, (size_t)-1 when a quote is left open. */
static const char *
field(const char *p, size_t *n)
{
	const char *s;
	int quoted = 0;

	p += strspn(p, " \t");
	for (s = p; *s != '\0' && (quoted || (*s != ' ' && *s != '\t')); s++) {
		if (*s == '"')
			quoted = !quoted;
	}
	*n = quoted ? (size_t)-1 : (size_t)(s - p);
	return p;
}

/* Whether a field names an OpenSSH public key type. */
static int
key_type(const char *p, size_t n)
{
	static const char *const types[] = {
		"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
		"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
		"sk-ecdsa-sha2-nistp256@openssh.com", NULL
	};
	const char *const *t;

	for (t = types; *t != NULL; t++) {
		if (n == strlen(*t) && strncmp(p, *t, n) == 0)
			return 1;
	}
	return 0;
}

static int
base64(const char *p, size_t n)
{
	size_t i;

	if (n < 16)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)p[i]) && p[i] != '+' && p[i] != '/' && p[i] != '=')
			return 0;
	}
	return 1;
}

/* One line of an allowed signers file: "PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]". */
static const char *
signer_line(const char *line)
{
	const char *f[3];
	size_t n[3], i;

	for (i = 0; i < 3; i++) {
		f[i] = field(i == 0 ? line : f[i - 1] + n[i - 1], &n[i]);
		if (n[i] == (size_t)-1)
			return "an unmatched quote";
		if (n[i] == 0)
			return "expected PRINCIPALS [OPTIONS] KEYTYPE BASE64";
	}
	if (key_type(f[1], n[1]))
		return base64(f[2], n[2]) ? NULL : "the key is not base64";
	if (key_type(f[2], n[2])) {
		f[0] = field(f[2] + n[2], &n[0]);
		return n[0] != (size_t)-1 && base64(f[0], n[0]) ? NULL :
		    "the key is not base64";
	}
	return "no key type (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...) in the second or "
	    "third field";
}

int
sshsig_signers_check(const char *path, char **cause)
{
	struct stat st;
	FILE *f;
	char *text, *line, *next;
	const char *why;
	size_t got;
	int lineno = 0, signers = 0, rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		*cause = xprintf("%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if (st.st_size > SSHSIG_MAX_SIGNERS) {
		*cause = xprintf("%s: %lld bytes, more than %d", path, (long long)st.st_size,
		    SSHSIG_MAX_SIGNERS);
		fclose(f);
		return -1;
	}
	text = xmalloc((size_t)st.st_size + 1);
	got = fread(text, 1, (size_t)st.st_size, f);
	text[got] = '\0';
	fclose(f);
	if (memchr(text, '\0', got) != NULL) {
		*cause = xprintf("%s: not a text file", path);
		goto out;
	}
	for (line = text; line != NULL && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '#')
			continue;
		if ((why = signer_line(line)) != NULL) {
			*cause = xprintf("%s:%d: %s (git's allowed signers format: "
			    "principal namespaces=\"git\" ssh-ed25519 AAAA...)", path, lineno, why);
			goto out;
		}
		signers++;
	}
	if (signers == 0) {
		*cause = xprintf("%s: no signer in it: nothing would verify", path);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

/* The signature in a file only the child reads, above the descriptors it keeps. */
static int
sig_file(const char *sig, size_t len, char **cause)
{
	int fd, hi;
	ssize_t w;
	size_t off = 0;

	if ((fd = memfd_create("sshsig", MFD_CLOEXEC)) < 0) {
		*cause = xprintf("memfd_create: %s", strerror(errno));
		return -1;
	}
	while (off < len) {
		if ((w = write(fd, sig + off, len - off)) < 0 && errno != EINTR) {
			*cause = xprintf("writing the signature: %s", strerror(errno));
			close(fd);
			return -1;
		}
		if (w > 0)
			off += (size_t)w;
	}
	/* Not SIG_FD itself: a dup2 onto itself would keep close-on-exec. */
	hi = fcntl(fd, F_DUPFD_CLOEXEC, SIG_FD + 1);
	close(fd);
	if (hi < 0)
		*cause = xprintf("fcntl: %s", strerror(errno));
	return hi;
}

int
sshsig_verify(const char *allowed, const char *data, size_t len, const char *sig,
    size_t siglen, long long when, char **principal, char **cause)
{
	struct run find, check;
	char sigpath[32], when_opt[64], *signers, *p, *eol, *name, *why = NULL;
	const char *fargv[] = { "ssh-keygen", "-Y", "find-principals", "-f", NULL, "-s",
	    sigpath, NULL, NULL };
	const char *vargv[] = { "ssh-keygen", "-Y", "verify", "-n", SSHSIG_NAMESPACE, "-f",
	    NULL, "-I", NULL, "-s", sigpath, NULL, NULL };
	struct tm tm;
	time_t t = (time_t)when;
	int fd, rc = -1;

	*principal = NULL;
	if (siglen == 0 || siglen < strlen(SIG_BEGIN) ||
	    strncmp(sig, SIG_BEGIN, strlen(SIG_BEGIN)) != 0) {
		*cause = xstrdup(siglen == 0 ? "not signed" : "not an SSH signature");
		return -1;
	}
	if ((fd = sig_file(sig, siglen, cause)) < 0)
		return -1;
	snprintf(sigpath, sizeof sigpath, "/dev/fd/%d", SIG_FD);
	signers = plain_path(allowed);
	fargv[4] = vargv[6] = signers;
	/* As git does: a key valid-before a date still verifies what it signed before it. */
	if (when > 0 && gmtime_r(&t, &tm) != NULL &&
	    strftime(when_opt, sizeof when_opt, "-Overify-time=%Y%m%d%H%M%SZ", &tm) > 0)
		fargv[7] = vargv[11] = when_opt;
	memset(&find, 0, sizeof find);
	find.argv = fargv;
	find.sig_fd = fd;
	memset(&check, 0, sizeof check);
	if (run(&find, cause) != 0)
		goto out;
	if (find.status != 0 || find.out.len == 0) {
		why = said(&find.err);
		*cause = xprintf("no signer in %s has the key that signed it (%s)", allowed,
		    strcmp(why, "no reason given") == 0 ? "ssh-keygen -Y find-principals "
		    "found none" : why);
		goto out;
	}
	/* The principals whose key made it, one a line: the first that verifies. */
	for (p = find.out.data; *p != '\0' && rc != 0; p = *eol != '\0' ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		if (eol == p)
			continue;
		name = xstrndup(p, (size_t)(eol - p));
		vargv[8] = name;
		run_free(&check);
		memset(&check, 0, sizeof check);
		check.argv = vargv;
		check.in = data;
		check.inlen = len;
		check.sig_fd = fd;
		if (run(&check, cause) != 0) {
			free(name);
			goto out;
		}
		if (check.status == 0 && check.out.len >= 4 &&
		    strncmp(check.out.data, "Good", 4) == 0) {
			*principal = name;
			rc = 0;
		} else {
			free(name);
			free(why);
			why = said(check.status != 0 ? &check.err : &check.out);
		}
	}
	if (rc != 0)
		*cause = xprintf("the signature does not verify: %s", why != NULL ? why :
		    "no principal");
out:
	run_free(&find);
	run_free(&check);
	free(why);
	free(signers);
	close(fd);
	return rc;
}
