/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ini.h>

#include "backend/buf.h"
#include "backend/clock.h"
#include "backend/git-dl.h"
#include "backend/prompts.h"
#include "backend/repo.h"
#include "backend/repo-sync.h"
#include "backend/sim-model.h"
#include "backend/sim-release.h"
#include "backend/sim.h"
#include "backend/sshsig.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define PRODUCTION	"refs/heads/production"
#define MAX_FILE	(256 * 1024)	/* as the daemon takes them */
#define UNRELEASED	"unreleased"
#define VERIFIED_MAX	8		/* tags whose verification is remembered */

/* A tag's verification, remembered while the allowed signers file stays as it is. */
struct verified {
	git_oid		 id;		/* the tag object */
	char		*name;		/* under this name: the object must bear it */
	int		 ok;
	char		*text;		/* the principal, or why it was refused */
};

struct sim_release {
	char		*url;
	char		*shown_url;	/* without user or password */
	char		*assistant;
	double		 interval;	/* seconds */
	long long	 timeout;	/* seconds a fetch may take before it is stopped */
	char		*dir;		/* the private clone, bare */
	git_repository	*git;		/* used by the fetching thread only */
	sim_release_cb	 cb;
	void		*arg;
	pthread_t	 thread;
	int		 started;

	pthread_mutex_t	 lock;		/* guards what follows */
	pthread_cond_t	 wake;		/* broadcast when stopping */
	int		 stopping;
	struct sim_release_info info;	/* served; release NULL before the first */
	int		 ok;		/* the last fetch and read worked */
	time_t		 last_fetch;	/* of the last try */
	time_t		 last_ok;	/* of the last one that worked */
	char		*error;		/* of the last try, NULL when it worked */
	char		*refused;	/* the tag (or "production") refused last, or NULL */

	/* Only the fetching thread uses what follows. */
	char		*signers;	/* allowed signers file; NULL: tags are not verified */
	struct stat	 signers_st;	/* as it was when verified[] was filled */
	struct verified	 verified[VERIFIED_MAX];
	size_t		 nverified;
	char		*logged;	/* the last refusal written to the log */
};

static void
info_clear(struct sim_release_info *i)
{
	free(i->release);
	free(i->tag);
	free(i->model);
	free(i->system);
	free(i->signer);
	free(i->canary);
	free(i->canary_model);
	free(i->canary_system);
	free(i->canary_refused);
	free(i->canary_signer);
	memset(i, 0, sizeof *i);
}

/* The URL without a user or password before the host: status and metrics are not secret. */
static char *
shown_url(const char *url)
{
	const char *scheme = strstr(url, "://"), *host, *at;

	if (scheme == NULL)
		return xstrdup(url);
	host = scheme + 3;
	at = strchr(host, '@');
	if (at == NULL || at > host + strcspn(host, "/"))
		return xstrdup(url);
	return xprintf("%.*s%s", (int)(host - url), url, at + 1);
}

/* Whether a name can be an assistant's directory and tag part. */
int
sim_release_valid_assistant(const char *name)
{
	const char *p;

	if (*name == '\0' || *name == '.' || strlen(name) > 64)
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return 0;
	}
	return strstr(name, "..") == NULL;
}

/* Fetches production and the assistant's release tags into the clone, in a process that is
   killed when the remote stalls (repo-sync.h). */
static int
fetch(struct sim_release *r, char **cause)
{
	return repo_sync_fetch(r->dir, r->url, r->assistant, r->timeout, cause);
}

/* The release number of a tag name below refs/tags/release/NAME/, or -1. */
static long long
tag_number(const char *s)
{
	long long n = 0;

	if (*s == '\0' || *s == '0' || strlen(s) > 15)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* A release tag of the assistant that peels to production. */
struct candidate {
	long long	 n;
	git_oid		 target;	/* what the ref names: a tag object, or the commit */
};

static int
by_number(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* The assistant's release tags that peel to the commit, newest first: their number, or -1
   with *cause. */
static int
candidates(struct sim_release *r, const git_oid *commit, struct candidate **out,
    char **cause)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	git_object *obj;
	char *glob = xprintf("refs/tags/release/%s/*", r->assistant);
	size_t plen = strlen(glob) - 1, n = 0;
	long long num;
	int rc;

	*out = NULL;
	rc = git_reference_iterator_glob_new(&it, r->git, glob);
	free(glob);
	if (rc != 0) {
		*cause = git_dl_cause("listing releases");
		return -1;
	}
	while ((rc = git_reference_next(&ref, it)) == 0) {
		obj = NULL;
		num = tag_number(git_reference_name(ref) + plen);
		if (num > 0 && git_reference_target(ref) != NULL &&
		    git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0 &&
		    git_oid_equal(git_object_id(obj), commit)) {
			*out = xreallocarray(*out, n + 1, sizeof **out);
			(*out)[n].n = num;
			git_oid_cpy(&(*out)[n].target, git_reference_target(ref));
			n++;
		}
		git_object_free(obj);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		*cause = git_dl_cause("listing releases");
		free(*out);
		*out = NULL;
		return -1;
	}
	if (n > 1)
		qsort(*out, n, sizeof **out, by_number);
	return (int)n;
}

static void
verified_clear(struct sim_release *r)
{
	size_t i;

	for (i = 0; i < r->nverified; i++) {
		free(r->verified[i].name);
		free(r->verified[i].text);
	}
	r->nverified = 0;
}

/* Whether the tag object verifies against the allowed signers as git verify-tag does:
   0 with *principal, or -1 with *cause. Nothing is remembered about it. */
static int
tag_check(struct sim_release *r, const char *name, const git_oid *id, char **principal,
    char **cause)
{
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	git_tag *tag = NULL;
	const git_signature *who;
	const char *data;
	size_t len, at;
	char *why = NULL;
	int rc = -1;

	if (git_repository_odb(&odb, r->git) != 0 || git_odb_read(&obj, odb, id) != 0) {
		*cause = git_dl_cause(name);
		goto out;
	}
	if (git_odb_object_type(obj) != GIT_OBJECT_TAG) {
		*cause = xprintf("%s: a lightweight tag: not signed", name);
		goto out;
	}
	if (git_tag_lookup(&tag, r->git, id) != 0) {
		*cause = git_dl_cause(name);
		goto out;
	}
	/* A signed tag copied under another name must not pass for another release. */
	if (git_tag_name(tag) == NULL || strcmp(git_tag_name(tag), name) != 0) {
		*cause = xprintf("%s: the tag object is named %.80s", name,
		    git_tag_name(tag) != NULL ? git_tag_name(tag) : "(none)");
		goto out;
	}
	data = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	at = sshsig_split(data, len);
	who = git_tag_tagger(tag);
	if (at == len)
		why = xstrdup("not signed");
	else if (sshsig_verify(r->signers, data, at, data + at, len - at,
	    who != NULL ? (long long)who->when.time : 0, principal, &why) == 0)
		rc = 0;
	if (rc != 0)
		*cause = xprintf("%s: %s", name, why);
	free(why);
out:
	git_tag_free(tag);
	git_odb_object_free(obj);
	git_odb_free(odb);
	return rc;
}

/* tag_check, remembered per tag object and name until the allowed signers file changes. */
static int
tag_verify(struct sim_release *r, const char *name, const git_oid *id, char **principal,
    char **cause)
{
	struct verified *v;
	struct stat st;
	size_t i;
	int rc;

	if (stat(r->signers, &st) != 0) {
		*cause = xprintf("%s: %s", r->signers, strerror(errno));
		return -1;
	}
	if (st.st_ino != r->signers_st.st_ino || st.st_dev != r->signers_st.st_dev ||
	    st.st_size != r->signers_st.st_size ||
	    st.st_mtim.tv_sec != r->signers_st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != r->signers_st.st_mtim.tv_nsec) {
		verified_clear(r);
		r->signers_st = st;
	}
	for (i = 0; i < r->nverified; i++) {
		v = &r->verified[i];
		if (git_oid_equal(&v->id, id) && strcmp(v->name, name) == 0) {
			*(v->ok ? principal : cause) = xstrdup(v->text);
			return v->ok ? 0 : -1;
		}
	}
	rc = tag_check(r, name, id, principal, cause);
	if (r->nverified == VERIFIED_MAX) {
		free(r->verified[0].name);
		free(r->verified[0].text);
		memmove(&r->verified[0], &r->verified[1], (VERIFIED_MAX - 1) *
		    sizeof r->verified[0]);
		r->nverified--;
	}
	v = &r->verified[r->nverified++];
	git_oid_cpy(&v->id, id);
	v->name = xstrdup(name);
	v->ok = rc == 0;
	v->text = xstrdup(rc == 0 ? *principal : *cause);
	return rc;
}

/*
 * Which release production is: the newest release tag of it, or -1 (unreleased). With
 * allowed signers, the newest one whose signature verifies, never an older one than the
 * release served (a downgrade), and production without such a tag is refused: -1 with
 * *cause and *refused (what was refused), and the release served stays.
 */
static long long
release_of(struct sim_release *r, const git_oid *commit, char **principal, char **refused,
    char **cause)
{
	struct candidate *c = NULL;
	char *tag, *why = NULL, *first = NULL, hex[REPO_ID_LEN + 1];
	long long n = -1, served;
	int nc, i;

	*principal = NULL;
	if ((nc = candidates(r, commit, &c, cause)) < 0)
		return -2;
	if (r->signers == NULL) {
		n = nc > 0 ? c[0].n : -1;
		free(c);
		return n;
	}
	for (i = 0; i < nc && n < 0; i++) {
		tag = xprintf("release/%s/%lld", r->assistant, c[i].n);
		if (tag_verify(r, tag, &c[i].target, principal, &why) == 0)
			n = c[i].n;
		else if (first == NULL) {
			first = why;
			*refused = xstrdup(tag);
		} else
			free(why);
		why = NULL;
		free(tag);
	}
	free(c);
	if (n < 0) {
		if (first == NULL) {
			*refused = xstrdup("production");
			git_oid_tostr(hex, sizeof hex, commit);
			first = xprintf("production (%.7s) is no release: no release tag names it",
			    hex);
		}
		*cause = xprintf("%s: refused: only releases signed by a key in %s are served",
		    first, r->signers);
		free(first);
		return -2;
	}
	free(first);
	free(*refused);
	*refused = NULL;
	served = r->info.release != NULL ? atoll(r->info.release) : 0;
	if (served > 0 && n < served) {
		*refused = xprintf("release/%s/%lld", r->assistant, n);
		*cause = xprintf("%s: refused: older than release/%s/%lld served (a rollback is "
		    "a new release)", *refused, r->assistant, served);
		free(*principal);
		*principal = NULL;
		return -2;
	}
	return n;
}

/* A file of the assistant in a tree, as a string. */
static char *
read_file(struct sim_release *r, git_tree *tree, const char *where, const char *file,
    char **cause)
{
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	char *path = xprintf("assistants/%s/%s", r->assistant, file), *data = NULL;
	size_t len;

	if (git_tree_entry_bypath(&e, tree, path) != 0)
		*cause = xprintf("%s: no %s", where, path);
	else if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_blob_lookup(&b, r->git, git_tree_entry_id(e)) != 0)
		*cause = xprintf("%s: %s is not a file", where, path);
	else if ((len = (size_t)git_blob_rawsize(b)) > MAX_FILE)
		*cause = xprintf("%s: %s is larger than %d bytes", where, path, MAX_FILE);
	else {
		data = xmalloc(len + 1);
		memcpy(data, git_blob_rawcontent(b), len);
		data[len] = '\0';
	}
	git_blob_free(b);
	git_tree_entry_free(e);
	free(path);
	return data;
}

/* What production holds now; -1 with *cause when it cannot be served (*refused: the tag
   or "production" when its signature was why). */
static int
read_production(struct sim_release *r, struct sim_release_info *out, char **refused,
    char **cause)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	struct model_ini mi;
	git_oid prod;
	char *where = NULL, *model = NULL, *err = NULL;
	long long n;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (git_reference_name_to_id(&prod, r->git, PRODUCTION) != 0) {
		*cause = xstrdup("the remote has no production branch");
		return -1;
	}
	if ((n = release_of(r, &prod, &out->signer, refused, cause)) == -2)
		return -1;
	git_oid_tostr(out->commit, sizeof out->commit, &prod);
	if (n >= 0) {
		out->release = xprintf("%lld", n);
		out->tag = xprintf("release/%s/%lld", r->assistant, n);
		where = xstrdup(out->tag);
	} else {
		out->release = xstrdup(UNRELEASED);
		where = xprintf("production (%.7s)", out->commit);
	}
	if (git_commit_lookup(&c, r->git, &prod) != 0 || git_commit_tree(&tree, c) != 0) {
		*cause = git_dl_cause(where);
		goto out;
	}
	if ((out->system = read_file(r, tree, where, "system.md", cause)) == NULL ||
	    (model = read_file(r, tree, where, "model.ini", cause)) == NULL)
		goto out;
	if (model_ini_parse(model, &mi, &err) != 0) {
		*cause = xprintf("%s: %s", where, err);
		free(err);
		goto out;
	}
	out->model = mi.id;
	out->max_tokens = mi.max_tokens;
	mi.id = NULL;
	model_ini_free(&mi);
	rc = 0;
out:
	if (rc != 0)
		info_clear(out);
	free(model);
	free(where);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/* Whether a release label is text: UTF-8 without control characters (the status is JSON). */
static int
label_text(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid(s, strlen(s), NULL);
}

/* What rollout.ini says: weight -1 and release NULL until it says them rightly. */
struct rollout_ini {
	long		 weight;
	char		*release;
};

static int
rollout_key(void *arg, const char *section, const char *key, const char *value)
{
	struct rollout_ini *r = arg;
	char *end;

	if (strcmp(section, "rollout") != 0)
		return 1;
	if (strcmp(key, "weight") == 0) {
		r->weight = strtol(value, &end, 10);
		if (end == value || *end != '\0' || r->weight < 0 || r->weight > 100)
			r->weight = -1;
	} else if (strcmp(key, "release") == 0) {
		free(r->release);
		r->release = *value != '\0' && strlen(value) <= 64 && label_text(value) ?
		    xstrdup(value) : NULL;
	}
	return 1;	/* other keys (assistant, proposal) are for people */
}

/* rollout.ini's weight and release; -1 with *cause when it says neither rightly. */
static int
rollout_ini(const char *text, int *weight, char **release, char **cause)
{
	struct rollout_ini r = { -1, NULL };
	int line = ini_parse_string(text, rollout_key, &r);

	if (line != 0 || r.weight < 0 || r.release == NULL) {
		free(r.release);
		*cause = line > 0 ? xprintf("rollout.ini needs weight = 0-100 and release = LABEL: "
		    "line %d does not parse", line) : xstrdup("rollout.ini needs weight = 0-100 "
		    "and release = LABEL");
		return -1;
	}
	*weight = (int)r.weight;
	*release = r.release;
	return 0;
}

/* A canary's label may not be production's, or its conversations would count as production's
   and the analysis would compare production with itself. */
static int
canary_label_own(const struct sim_release_info *out, char **cause)
{
	if (strcmp(out->canary, out->release) != 0)
		return 0;
	*cause = xprintf("rollout.ini's release %s is production's label", out->canary);
	return -1;
}

/* Whether a canary's commit is signed as `git verify-commit` with gpg.format=ssh accepts:
   0 with *principal, or -1 with *cause. */
static int
canary_verify(struct sim_release *r, const git_oid *id, long long when, char **principal,
    char **cause)
{
	git_buf sig = { 0 }, data = { 0 };
	int rc = -1;

	if (git_commit_extract_signature(&sig, &data, r->git, (git_oid *)id, NULL) != 0)
		*cause = xstrdup("not signed");
	else if (sshsig_verify(r->signers, data.ptr, data.size, sig.ptr, sig.size, when,
	    principal, cause) == 0)
		rc = 0;
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return rc;
}

/* The canary of the assistant, if the repository holds one: its files and rollout.ini into
   out's canary fields. With allowed signers only a canary whose commit's signature verifies
   is served; else production alone, and canary_refused says why. */
static void
read_canary(struct sim_release *r, struct sim_release_info *out)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	struct model_ini mi;
	git_oid id;
	char *ref = xprintf("refs/heads/canary/%s", r->assistant), *ini = NULL, *model = NULL,
	    *cause = NULL, *err = NULL;

	if (git_reference_name_to_id(&id, r->git, ref) != 0)
		goto out;
	if (git_commit_lookup(&c, r->git, &id) != 0) {
		out->canary_refused = git_dl_cause(ref);
		goto out;
	}
	if (r->signers != NULL && canary_verify(r, &id, git_commit_time(c), &out->canary_signer,
	    &cause) != 0) {
		out->canary_refused = xprintf("%s: %s: refused: only canaries signed by a key in "
		    "%s are served", ref, cause, r->signers);
		goto out;
	}
	git_oid_tostr(out->canary_commit, sizeof out->canary_commit, &id);
	if (git_commit_tree(&tree, c) != 0 ||
	    (ini = read_file(r, tree, ref, "rollout.ini", &cause)) == NULL ||
	    rollout_ini(ini, &out->canary_weight, &out->canary, &cause) != 0 ||
	    canary_label_own(out, &cause) != 0 ||
	    (out->canary_system = read_file(r, tree, ref, "system.md", &cause)) == NULL ||
	    (model = read_file(r, tree, ref, "model.ini", &cause)) == NULL ||
	    model_ini_parse(model, &mi, &err) != 0) {
		out->canary_refused = xprintf("canary not served: %s", cause != NULL ? cause :
		    err != NULL ? err : "unreadable");
		free(out->canary);
		free(out->canary_system);
		out->canary = out->canary_system = NULL;
		out->canary_weight = 0;
		goto out;
	}
	out->canary_model = mi.id;
	out->canary_max_tokens = mi.max_tokens;
	mi.id = NULL;
	model_ini_free(&mi);
out:
	free(ref);
	free(ini);
	free(model);
	free(cause);
	free(err);
	git_tree_free(tree);
	git_commit_free(c);
}

static int
same_info(const struct sim_release_info *a, const struct sim_release_info *b)
{
	return a->release != NULL && b->release != NULL && strcmp(a->release, b->release) == 0 &&
	    strcmp(a->commit, b->commit) == 0 && a->canary_weight == b->canary_weight &&
	    strcmp(a->canary_commit, b->canary_commit) == 0 &&
	    (a->canary_refused == NULL ? b->canary_refused == NULL :
	    b->canary_refused != NULL && strcmp(a->canary_refused, b->canary_refused) == 0);
}

/* One fetch and read; the state and the callback follow what it found. */
static void
refresh(struct sim_release *r)
{
	struct sim_release_info got;
	char *cause = NULL, *refused = NULL;
	int rc, changed = 0;

	rc = fetch(r, &cause);
	if (rc == 0 && (rc = read_production(r, &got, &refused, &cause)) == 0)
		read_canary(r, &got);
	/* A refusal is news once (until a release is served again): the log says it, the
	   status keeps saying it. */
	if (refused != NULL && (r->logged == NULL || strcmp(r->logged, cause) != 0)) {
		sim_error("prompts: %s; still serving release %s", cause, r->info.release != NULL ?
		    r->info.release : "none");
		free(r->logged);
		r->logged = xstrdup(cause);
	} else if (rc == 0) {
		free(r->logged);
		r->logged = NULL;
	}
	pthread_mutex_lock(&r->lock);
	r->last_fetch = time(NULL);
	r->ok = rc == 0;
	free(r->error);
	r->error = cause;
	free(r->refused);
	r->refused = refused;
	if (rc == 0) {
		r->last_ok = r->last_fetch;
		if (!same_info(&r->info, &got)) {
			info_clear(&r->info);
			r->info = got;
			changed = 1;
		} else
			info_clear(&got);
	}
	pthread_mutex_unlock(&r->lock);
	/* Only this thread writes info, so it stays as read without the lock. */
	if (changed)
		r->cb(r->arg, &r->info);
}

static void *
fetcher(void *arg)
{
	struct sim_release *r = arg;
	struct timespec next;

	pthread_mutex_lock(&r->lock);
	while (!r->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &next);
		clock_add(&next, r->interval);
		while (!r->stopping &&
		    pthread_cond_timedwait(&r->wake, &r->lock, &next) != ETIMEDOUT)
			;
		if (r->stopping)
			break;
		pthread_mutex_unlock(&r->lock);
		refresh(r);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static void
release_free(struct sim_release *r)
{
	git_repository_free(r->git);
	if (r->dir != NULL)
		nftw(r->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	info_clear(&r->info);
	verified_clear(r);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->error);
	free(r->refused);
	free(r->signers);
	free(r->logged);
	free(r->dir);
	free(r->url);
	free(r->shown_url);
	free(r->assistant);
	free(r);
}

/* Makes the private clone, fetches once, and starts the fetching thread. */
struct sim_release *
sim_release_start(const char *url, const char *assistant, double interval, long long timeout,
    const char *signers, sim_release_cb cb, void *arg, char **cause)
{
	struct sim_release *r;
	pthread_condattr_t ca;
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (git_dl_load(cause) != 0)
		return NULL;
	r = xcalloc(1, sizeof *r);
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &ca);
	pthread_condattr_destroy(&ca);
	r->url = xstrdup(url);
	r->shown_url = shown_url(url);
	r->assistant = xstrdup(assistant);
	r->signers = signers != NULL ? xstrdup(signers) : NULL;
	r->interval = interval;
	r->timeout = timeout;
	r->cb = cb;
	r->arg = arg;

	/* mkdtemp makes it 0700: the clone is nobody else's to read or change. */
	dir = xprintf("%s/leitstand-sim.XXXXXX", tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		*cause = xprintf("%s: %s", dir, strerror(errno));
		free(dir);
		release_free(r);
		return NULL;
	}
	r->dir = dir;
	if (git_repository_init(&r->git, r->dir, 1) != 0) {
		*cause = git_dl_cause(r->dir);
		release_free(r);
		return NULL;
	}
	refresh(r);
	if ((errno = pthread_create(&r->thread, NULL, fetcher, r)) != 0)
		fatal("pthread_create: %s", strerror(errno));
	r->started = 1;
	return r;
}

/* Stops fetching and removes the clone. */
void
sim_release_stop(struct sim_release *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_broadcast(&r->wake);
	pthread_mutex_unlock(&r->lock);
	/* A fetch stalled on its remote ends now, not after its timeout. */
	repo_sync_cancel();
	if (r->started)
		pthread_join(r->thread, NULL);
	release_free(r);
}

/* The fetch gauges, for /metrics. */
void
sim_release_metrics(struct sim_release *r, struct buf *b)
{
	pthread_mutex_lock(&r->lock);
	buf_addstr(b, "# HELP leitstand_sim_prompts_fetch_ok Whether the last fetch of the prompt "
	    "repository and the read of production worked.\n"
	    "# TYPE leitstand_sim_prompts_fetch_ok gauge\n");
	buf_printf(b, "leitstand_sim_prompts_fetch_ok %d\n", r->ok);
	buf_addstr(b, "# HELP leitstand_sim_prompts_last_fetch_timestamp_seconds When the last "
	    "fetch that worked ended (0: none yet).\n"
	    "# TYPE leitstand_sim_prompts_last_fetch_timestamp_seconds gauge\n");
	buf_printf(b, "leitstand_sim_prompts_last_fetch_timestamp_seconds %lld\n",
	    (long long)r->last_ok);
	buf_addstr(b, "# HELP leitstand_sim_prompts_release The prompt release served and its "
	    "pinned model.\n# TYPE leitstand_sim_prompts_release gauge\n");
	if (r->info.release != NULL) {
		buf_addstr(b, "leitstand_sim_prompts_release{release=\"");
		sim_model_label_value(b, r->info.release);
		buf_addstr(b, "\",model=\"");
		sim_model_label_value(b, r->info.model);
		buf_addstr(b, "\"} 1\n");
	}
	pthread_mutex_unlock(&r->lock);
}

static void
add_time(cJSON *o, const char *key, time_t t)
{
	if (t > 0)
		cJSON_AddNumberToObject(o, key, (double)t);
	else
		cJSON_AddNullToObject(o, key);
}

static void
add_str(cJSON *o, const char *key, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

/* The release served and the last fetch, for /sim/status. */
cJSON *
sim_release_status(struct sim_release *r)
{
	cJSON *o = cJSON_CreateObject();

	pthread_mutex_lock(&r->lock);
	cJSON_AddStringToObject(o, "url", r->shown_url);
	cJSON_AddStringToObject(o, "assistant", r->assistant);
	cJSON_AddNumberToObject(o, "interval", r->interval);
	add_str(o, "release", r->info.release);
	add_str(o, "tag", r->info.tag);
	add_str(o, "commit", r->info.release != NULL ? r->info.commit : NULL);
	add_str(o, "model", r->info.model);
	if (r->info.canary_weight > 0) {
		cJSON *c = cJSON_AddObjectToObject(o, "canary");

		cJSON_AddStringToObject(c, "release", r->info.canary);
		cJSON_AddNumberToObject(c, "weight", r->info.canary_weight);
		cJSON_AddStringToObject(c, "commit", r->info.canary_commit);
		add_str(c, "model", r->info.canary_model);
		add_str(c, "signer", r->info.canary_signer);
	}
	add_str(o, "canary_refused", r->info.canary_refused);
	/* With allowed signers: who signed the release served, and what was refused last. */
	add_str(o, "allowed_signers", r->signers);
	add_str(o, "signer", r->info.signer);
	add_str(o, "refused", r->refused);
	cJSON_AddBoolToObject(o, "fetch_ok", r->ok);
	add_time(o, "last_fetch", r->last_fetch);
	add_time(o, "last_ok", r->last_ok);
	add_str(o, "last_error", r->error);
	pthread_mutex_unlock(&r->lock);
	return o;
}
