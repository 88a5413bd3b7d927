/* SPDX-License-Identifier: ISC */
/*
 * Why a child process: libgit2 1.5 (Debian 12) has no network timeout of its own
 * (GIT_OPT_SET_SERVER_TIMEOUT came with 1.7); its callbacks run between reads, never
 * during a blocked one; a stream of our own (git_stream_register) would cover plain TCP
 * only, not ssh or https; and a thread cannot be stopped safely inside libgit2. A child
 * can be killed at any moment, over every transport, and takes its memory with it. A push
 * only reads the local repository (it writes no local ref), so killing it loses nothing
 * here; a fetch writes only into the simulator's private clone, where the next fetch
 * removes a killed one's ref locks. The remote's URL may hold credentials: it goes
 * through a pipe, never argv (ps).
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backend/buf.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/loop.h"
#include "backend/repo.h"
#include "backend/repo-sync.h"
#include "backend/secret.h"
#include "backend/xmalloc.h"

#define REPO_SYNC_MAX_MSG	(64 << 20)	/* bytes of a request or a result */

extern char **environ;

static pthread_once_t	cancel_once = PTHREAD_ONCE_INIT;
static int		cancel_pipe[2] = { -1, -1 };

static void
cancel_init(void)
{
	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal("repo sync: pipe: %s", strerror(errno));
}

void
repo_sync_cancel(void)
{
	pthread_once(&cancel_once, cancel_init);
	/* Never read: the pipe stays readable for every waiter, now and later. */
	if (write(cancel_pipe[1], "x", 1) < 0 && errno != EAGAIN)
		fatal("repo sync: cancel: %s", strerror(errno));
}

/* The user and password in a URL's authority (new strings, NULL when absent); where the
   authority starts and where its "@" is, or -1 when there are no credentials. */
static int
credentials(const char *remote, char **user, char **pass, size_t *start, size_t *at)
{
	const char *p = strstr(remote, "://"), *colon, *last;
	size_t len;

	*user = *pass = NULL;
	if (p == NULL)
		return -1;
	*start = (size_t)(p + 3 - remote);
	/* The last "@" of the authority ends the credentials, as URL parsers take it. */
	len = strcspn(remote + *start, "/?#");
	if ((last = memrchr(remote + *start, '@', len)) == NULL)
		return -1;
	*at = (size_t)(last - remote);
	len = *at - *start;
	if ((colon = memchr(remote + *start, ':', len)) != NULL) {
		*user = xstrndup(remote + *start, (size_t)(colon - remote - *start));
		*pass = xstrndup(colon + 1, *at - (size_t)(colon + 1 - remote));
	} else
		*user = xstrndup(remote + *start, len);
	return 0;
}

/* Whether the user of such a URL stands for a secret: http(s) servers take a token there. */
static int
user_is_token(const char *remote)
{
	return strncmp(remote, "http://", 7) == 0 || strncmp(remote, "https://", 8) == 0;
}

char *
repo_sync_shown(const char *remote)
{
	char *user, *pass, *shown;
	size_t start, at;

	if (credentials(remote, &user, &pass, &start, &at) != 0)
		return xstrdup(remote);
	if (pass != NULL)
		shown = xprintf("%.*s%s:[redacted]%s", (int)start, remote, user, remote + at);
	else if (user_is_token(remote))
		shown = xprintf("%.*s[redacted]%s", (int)start, remote, remote + at);
	else
		shown = xstrdup(remote);
	free(user);
	free(pass);
	return shown;
}

char *
repo_sync_scrub(char *text, const char *remote)
{
	char *user, *pass;
	size_t start, at;

	if (text == NULL || credentials(remote, &user, &pass, &start, &at) != 0)
		return text;
	if (pass != NULL)
		text = secret_scrub(text, pass, user);
	else if (user_is_token(remote))
		text = secret_scrub(text, user, NULL);
	free(user);
	free(pass);
	return text;
}

static cJSON *
names_json(char **v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

/* A JSON array of strings as a list of names (order kept: they come sorted). */
static void
names_from(const cJSON *a, char ***v, size_t *n)
{
	const cJSON *e;

	*n = 0;
	*v = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof **v);
	cJSON_ArrayForEach(e, a) {
		if (cJSON_IsString(e))
			(*v)[(*n)++] = xstrdup(e->valuestring);
	}
}

/* Starts `leitstand _repo-sync` with in as its stdin and out as its stdout. */
static pid_t
spawn(int in, int out, char **cause)
{
	static const int deflt[] = { SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	char *argv[] = { (char *)"leitstand", (char *)REPO_SYNC_COMMAND, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	pid_t pid = -1;
	size_t i;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	for (i = 0; i < sizeof deflt / sizeof deflt[0]; i++)
		sigaddset(&def, deflt[i]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	/* The daemon's sockets and database stay out of the child (stderr is kept). */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	if ((rc = posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, environ)) != 0) {
		*cause = xprintf("cannot start the push process: %s", strerror(rc));
		pid = -1;
	}
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Reads the child's result into rs; its return code, or -1 with *cause. */
static int
result_parse(const char *text, size_t len, struct repo_sync *rs, char **cause)
{
	cJSON *r;
	int rc;

	if ((r = cJSON_ParseWithLength(text, len)) == NULL || !cJSON_IsObject(r)) {
		cJSON_Delete(r);
		return -1;
	}
	names_from(cJSON_GetObjectItemCaseSensitive(r, "present"), &rs->present, &rs->npresent);
	names_from(cJSON_GetObjectItemCaseSensitive(r, "missing"), &rs->missing, &rs->nmissing);
	names_from(cJSON_GetObjectItemCaseSensitive(r, "pushed"), &rs->pushed, &rs->npushed);
	rs->reached = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "reached"));
	rs->production = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "production"));
	rc = json_num(r, "rc") == 0 ? REPO_OK : REPO_ERROR;
	if (rc != REPO_OK)
		*cause = xstrdup(json_str(r, "cause", "the push failed"));
	cJSON_Delete(r);
	return rc;
}

/*
 * Runs the child with the request (taken) on its stdin and collects its stdout into out,
 * for at most timeout seconds (what names the setting, for the message). 0 once the child
 * has answered and exited, else -1 with *cause.
 */
static int
child_run(cJSON *req, long long timeout, const char *what, struct buf *out, char **cause)
{
	struct pollfd pfd[3];
	char *msg, tmp[65536], age[32];
	size_t len, off = 0;
	ssize_t got;
	long long deadline = loop_now_ms() + timeout * 1000, left;
	int in[2] = { -1, -1 }, res[2] = { -1, -1 }, status, stop = 0, rc = -1;
	pid_t pid;

	pthread_once(&cancel_once, cancel_init);
	cJSON_AddNumberToObject(req, "parent", (double)getpid());
	msg = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	len = strlen(msg);
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(res, O_CLOEXEC) != 0) {
		*cause = xprintf("pipe: %s", strerror(errno));
		goto fail;
	}
	if ((pid = spawn(in[0], res[1], cause)) < 0)
		goto fail;
	close(in[0]);
	close(res[1]);
	in[0] = res[1] = -1;
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(res[0], F_SETFL, O_NONBLOCK);
	while (!stop) {
		if ((left = deadline - loop_now_ms()) <= 0) {
			stop = ETIMEDOUT;
			break;
		}
		pfd[0].fd = res[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = cancel_pipe[0];
		pfd[1].events = POLLIN;
		pfd[2].fd = in[1];
		pfd[2].events = POLLOUT;
		if (poll(pfd, in[1] >= 0 ? 3 : 2, (int)(left > 60000 ? 60000 : left)) < 0) {
			if (errno != EINTR)
				fatal("repo sync: poll: %s", strerror(errno));
			continue;
		}
		if (pfd[1].revents != 0) {
			stop = ECANCELED;
			break;
		}
		if (in[1] >= 0 && pfd[2].revents != 0) {
			if ((got = write(in[1], msg + off, len - off)) > 0)
				off += (size_t)got;
			/* All sent, or the child is gone (its end of the story follows). */
			if (off == len || (got < 0 && errno != EAGAIN && errno != EINTR)) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (pfd[0].revents != 0) {
			got = read(res[0], tmp, sizeof tmp);
			if (got == 0)
				break;
			if (got > 0 && out->len + (size_t)got <= REPO_SYNC_MAX_MSG)
				buf_add(out, tmp, (size_t)got);
		}
	}
	if (stop)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (stop == ETIMEDOUT) {
		format_age(age, sizeof age, (long)timeout);
		*cause = xprintf("no answer from the remote within %s (%s): stopped", age, what);
	} else if (stop == ECANCELED)
		*cause = xstrdup("stopped: the process is shutting down");
	else if (out->len == 0 && WIFSIGNALED(status))
		*cause = xprintf("the git process died of signal %d", WTERMSIG(status));
	else if (out->len == 0)
		*cause = xprintf("the git process exited with %d and no result",
		    WEXITSTATUS(status));
	else
		rc = 0;
fail:
	cJSON_free(msg);
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (res[0] >= 0)
		close(res[0]);
	if (res[1] >= 0)
		close(res[1]);
	return rc;
}

int
repo_sync_run(const char *path, const char *remote, const char *const *releases, size_t n,
    long long timeout, struct repo_sync *rs, char **cause)
{
	cJSON *req = cJSON_CreateObject();
	struct buf out;
	int rc = REPO_ERROR;

	memset(rs, 0, sizeof *rs);
	cJSON_AddStringToObject(req, "op", "push");
	cJSON_AddStringToObject(req, "path", path);
	cJSON_AddStringToObject(req, "remote", remote);
	cJSON_AddItemToObject(req, "releases", cJSON_CreateStringArray(releases, (int)n));
	buf_init(&out);
	if (child_run(req, timeout, "prompts.push_timeout", &out, cause) == 0 &&
	    (rc = result_parse(out.data, out.len, rs, cause)) == REPO_ERROR && *cause == NULL)
		*cause = xstrdup("the push process gave a malformed result");
	buf_free(&out);
	/* libgit2 may quote the URL it was given. */
	if (*cause != NULL)
		*cause = repo_sync_scrub(*cause, remote);
	return rc;
}

int
repo_sync_fetch(const char *dir, const char *url, const char *assistant, long long timeout,
    char **cause)
{
	cJSON *req = cJSON_CreateObject(), *r;
	struct buf out;
	int rc = -1;

	cJSON_AddStringToObject(req, "op", "fetch");
	cJSON_AddStringToObject(req, "path", dir);
	cJSON_AddStringToObject(req, "remote", url);
	cJSON_AddStringToObject(req, "assistant", assistant);
	buf_init(&out);
	if (child_run(req, timeout, "the fetch's limit", &out, cause) == 0) {
		if ((r = cJSON_ParseWithLength(out.data, out.len)) == NULL)
			*cause = xstrdup("the fetch process gave a malformed result");
		else if (json_num(r, "rc") != 0)
			*cause = xstrdup(json_str(r, "cause", "the fetch failed"));
		else
			rc = 0;
		cJSON_Delete(r);
	}
	buf_free(&out);
	if (*cause != NULL)
		*cause = repo_sync_scrub(*cause, url);
	return rc;
}

/* Writes all of s to stdout; -1 if it cannot. */
static int
put_all(const char *s, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(STDOUT_FILENO, s, len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int
repo_sync_child(void)
{
	struct repo_sync rs;
	struct buf in;
	cJSON *req = NULL, *res, *a;
	const cJSON *e;
	const char **releases = NULL;
	char tmp[65536], *cause = NULL, *text;
	size_t n = 0;
	ssize_t got;
	int rc = REPO_ERROR, ok;

	memset(&rs, 0, sizeof rs);
	/* The daemon killed or gone, the push goes too. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	buf_init(&in);
	while ((got = read(STDIN_FILENO, tmp, sizeof tmp)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || in.len + (size_t)got > REPO_SYNC_MAX_MSG)
			break;
		buf_add(&in, tmp, (size_t)got);
	}
	req = cJSON_ParseWithLength(in.data != NULL ? in.data : "", in.len);
	buf_free(&in);
	if (req == NULL || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(req, "path")) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(req, "remote")))
		cause = xstrdup("malformed request to the push process");
	else if ((pid_t)json_num(req, "parent") != getppid())
		cause = xstrdup("the daemon went away");
	else if (strcmp(json_str(req, "op", ""), "fetch") == 0)
		rc = repo_fetch_release(json_str(req, "path", ""), json_str(req, "remote", ""),
		    json_str(req, "assistant", ""), &cause);
	else {
		a = cJSON_GetObjectItemCaseSensitive(req, "releases");
		releases = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *releases);
		cJSON_ArrayForEach(e, a) {
			if (cJSON_IsString(e))
				releases[n++] = e->valuestring;
		}
		rc = repo_sync(json_str(req, "path", ""), json_str(req, "remote", ""),
		    releases, n, &rs, &cause);
	}
	res = cJSON_CreateObject();
	cJSON_AddNumberToObject(res, "rc", rc == REPO_OK ? 0 : -1);
	if (cause != NULL)
		cJSON_AddStringToObject(res, "cause", cause);
	cJSON_AddBoolToObject(res, "reached", rs.reached);
	cJSON_AddBoolToObject(res, "production", rs.production);
	cJSON_AddItemToObject(res, "present", names_json(rs.present, rs.npresent));
	cJSON_AddItemToObject(res, "missing", names_json(rs.missing, rs.nmissing));
	cJSON_AddItemToObject(res, "pushed", names_json(rs.pushed, rs.npushed));
	text = cJSON_PrintUnformatted(res);
	ok = put_all(text, strlen(text)) == 0;
	cJSON_free(text);
	cJSON_Delete(res);
	cJSON_Delete(req);
	free(releases);
	free(cause);
	repo_sync_clear(&rs);
	return ok ? 0 : 1;
}
