/* SPDX-License-Identifier: ISC */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/buf.h"
#include "backend/git-dl.h"
#include "backend/repo.h"
#include "backend/sshsig.h"
#include "backend/xmalloc.h"

#define PRODUCTION	"refs/heads/production"
#define CANARY		"refs/heads/canary/"
#define MAX_SEED_FILE	(4 << 20)
#define REPO_CONNECT_TIMEOUT	10	/* seconds for a git:// remote to accept */

struct repo {
	git_repository	*git;
	char		*path;
	char		*signing_key;	/* NULL: tags are not signed */
};

static void
oid_hex(char out[REPO_ID_LEN + 1], const git_oid *id)
{
	git_oid_tostr(out, REPO_ID_LEN + 1, id);
}

/* Name and e-mail of an operator: the Unix user at this host. */
static int
signature(git_signature **sig, const char *who)
{
	char host[256], *email;
	int rc;

	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	email = xprintf("%s@%s", who, host);
	rc = git_signature_now(sig, who, email);
	free(email);
	return rc;
}

/*
 * The text of a release tag, signed as `git tag -s` with gpg.format=ssh signs one, when a key
 * is set: the tag object's text (as libgit2 writes it) followed by the SSH signature over that
 * text; *text NULL when tags are not signed. Nothing is written. REPO_OK or REPO_ERROR.
 */
static int
tag_text(struct repo *r, const char *name, const git_oid *commit, const git_signature *sig,
    const char *message, char **text, char **cause)
{
	struct buf b;
	char id[REPO_ID_LEN + 1], *signature = NULL, *why = NULL;
	int offset = sig->when.offset;

	*text = NULL;
	/* git takes such a line for the start of a signature: the message would end there. */
	if (sshsig_split(message, strlen(message)) != strlen(message)) {
		*cause = xprintf("%s: the release message holds a line that begins like a "
		    "signature block (-----BEGIN ...); reword the proposal's description", name);
		return REPO_ERROR;
	}
	if (r->signing_key == NULL)
		return REPO_OK;
	oid_hex(id, commit);
	buf_init(&b);
	buf_printf(&b, "object %s\ntype commit\ntag %s\ntagger %s <%s> %lld %c%02d%02d\n\n%s",
	    id, name, sig->name, sig->email, (long long)sig->when.time, offset < 0 ? '-' : '+',
	    abs(offset) / 60, abs(offset) % 60, message);
	/* The signature starts a line of its own, or git finds none. */
	if (b.len > 0 && b.data[b.len - 1] != '\n')
		buf_addch(&b, '\n');
	if (sshsig_sign(r->signing_key, b.data, b.len, &signature, &why) != 0) {
		*cause = xprintf("%s: not released: signing the tag failed: %s", name, why);
		free(why);
		buf_free(&b);
		return REPO_ERROR;
	}
	buf_addstr(&b, signature);
	free(signature);
	*text = buf_take(&b);
	return REPO_OK;
}

/* Writes a release tag: the signed text tag_text made, or (NULL) an unsigned annotated tag.
   REPO_OK, REPO_CONFLICT when the tag exists (unless force), or REPO_ERROR; *cause. */
static int
tag_write(struct repo *r, const char *name, const git_commit *commit, const git_signature *sig,
    const char *message, const char *text, int force, char **cause)
{
	git_oid tag_id;
	int grc;

	if (text == NULL)
		grc = git_tag_create(&tag_id, r->git, name, (const git_object *)commit, sig,
		    message, force);
	else
		grc = git_tag_create_from_buffer(&tag_id, r->git, text, force);
	if (grc == 0)
		return REPO_OK;
	*cause = grc == GIT_EEXISTS ? xprintf("%s exists already: someone released meanwhile",
	    name) : git_dl_cause(name);
	return grc == GIT_EEXISTS ? REPO_CONFLICT : REPO_ERROR;
}

/* A commit's bytes and the id they will have, before anything is written: a tag can be
   signed over that id first. 0, or -1 with *cause. */
static int
commit_prepare(struct repo *r, const git_signature *sig, const char *message,
    const git_tree *tree, size_t n, const git_commit *parents[], git_buf *buf, git_oid *id,
    char **cause)
{
	if (git_commit_create_buffer(buf, r->git, sig, sig, NULL, message, tree, n,
	    parents) != 0 || git_odb_hash(id, buf->ptr, buf->size, GIT_OBJECT_COMMIT) != 0) {
		*cause = git_dl_cause("committing the release");
		return -1;
	}
	return 0;
}

/* Writes the commit commit_prepare made; *out is it. 0, or -1 with *cause. */
static int
commit_write(struct repo *r, const git_buf *buf, const git_oid *id, git_commit **out,
    char **cause)
{
	git_odb *odb = NULL;
	git_oid written;
	int rc = -1;

	if (git_repository_odb(&odb, r->git) != 0 ||
	    git_odb_write(&written, odb, buf->ptr, buf->size, GIT_OBJECT_COMMIT) != 0 ||
	    git_commit_lookup(out, r->git, &written) != 0)
		*cause = git_dl_cause("committing the release");
	else if (!git_oid_equal(&written, id))
		*cause = xstrdup("committing the release: the commit written is not the one "
		    "hashed");
	else
		rc = 0;
	git_odb_free(odb);
	return rc;
}

/* Reads a seed file into a blob; sets *cause on failure. */
static int
seed_blob(git_repository *git, const char *path, git_oid *id, char **cause)
{
	struct stat st;
	FILE *f;
	char *data;
	size_t n;
	int rc;

	if ((f = fopen(path, "rb")) == NULL) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) != 0 || st.st_size > MAX_SEED_FILE) {
		*cause = xprintf("%s: larger than %d bytes", path, MAX_SEED_FILE);
		fclose(f);
		return -1;
	}
	data = xmalloc((size_t)st.st_size + 1);
	n = fread(data, 1, (size_t)st.st_size, f);
	fclose(f);
	rc = git_blob_create_from_buffer(id, git, data, n);
	free(data);
	if (rc != 0)
		*cause = git_dl_cause(path);
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Directory entries that are not hidden, sorted; NULL-terminated. */
static char **
list_dir(const char *path, char **cause)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	if ((d = opendir(path)) == NULL) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		v = xreallocarray(v, n + 2, sizeof *v);
		v[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	v = xreallocarray(v, n + 1, sizeof *v);
	v[n] = NULL;
	qsort(v, n, sizeof *v, by_name);
	return v;
}

static void
free_list(char **v)
{
	char **p;

	for (p = v; p != NULL && *p != NULL; p++)
		free(*p);
	free(v);
}

/* The tree of seed/assistants/NAME/FILE, and the assistants' names. */
static int
seed_tree(git_repository *git, const char *seed, git_oid *tree, char ***names, char **cause)
{
	git_tree_update *up = NULL;
	char *dir = xprintf("%s/assistants", seed), *sub, *path, **as, **files, **a, **f;
	size_t n = 0, i;
	int rc = -1;

	*names = NULL;
	if ((as = list_dir(dir, cause)) == NULL)
		goto out;
	for (a = as; *a != NULL; a++) {
		sub = xprintf("%s/%s", dir, *a);
		files = list_dir(sub, cause);
		free(sub);
		if (files == NULL)
			goto out;
		for (f = files; *f != NULL; f++) {
			up = xreallocarray(up, n + 1, sizeof *up);
			memset(&up[n], 0, sizeof up[n]);
			up[n].action = GIT_TREE_UPDATE_UPSERT;
			up[n].filemode = GIT_FILEMODE_BLOB;
			up[n].path = xprintf("assistants/%s/%s", *a, *f);
			path = xprintf("%s/%s", seed, up[n].path);
			n++;
			if (seed_blob(git, path, &up[n - 1].id, cause) != 0) {
				free(path);
				free_list(files);
				goto out;
			}
			free(path);
		}
		free_list(files);
	}
	if (n == 0) {
		*cause = xprintf("%s: no assistants/NAME/ files to seed the prompt repository "
		    "with", seed);
		goto out;
	}
	if (git_tree_create_updated(tree, git, NULL, n, up) != 0) {
		*cause = git_dl_cause("seeding the prompt repository");
		goto out;
	}
	*names = as;
	as = NULL;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free((char *)up[i].path);
	free(up);
	free_list(as);
	free(dir);
	return rc;
}

/* A new repository: production holds the seed, each assistant's release 1 is tagged. The
   production ref comes last: a crash before it leaves a repository that is seeded again. */
static int
repo_seed(struct repo *r, const char *seed, const char *who, char **cause)
{
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_commit *commit = NULL;
	git_reference *ref = NULL;
	git_buf cbuf = GIT_BUF_INIT;
	git_oid tree_id, commit_id;
	char **names = NULL, **a, *msg, **tags = NULL, **tmsgs = NULL, **texts = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (seed_tree(r->git, seed, &tree_id, &names, cause) != 0)
		return -1;
	msg = xprintf("Seed the prompt repository from %s\n\nRelease: 1\n", seed);
	if (signature(&sig, who) != 0 || git_tree_lookup(&tree, r->git, &tree_id) != 0) {
		*cause = git_dl_cause("seeding the prompt repository");
		goto out;
	}
	if (commit_prepare(r, sig, msg, tree, 0, NULL, &cbuf, &commit_id, cause) != 0)
		goto out;
	for (a = names; *a != NULL; a++)
		n++;
	tags = xcalloc(n, sizeof *tags);
	tmsgs = xcalloc(n, sizeof *tmsgs);
	texts = xcalloc(n, sizeof *texts);
	/* Every tag signed before anything is written: a key that cannot sign leaves nothing. */
	for (i = 0; i < n; i++) {
		tags[i] = xprintf("release/%s/1", names[i]);
		tmsgs[i] = xprintf("Release 1 of %s: the seed\n\nRelease: 1\n", names[i]);
		if (tag_text(r, tags[i], &commit_id, sig, tmsgs[i], &texts[i], cause) != REPO_OK)
			goto out;
	}
	if (commit_write(r, &cbuf, &commit_id, &commit, cause) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (tag_write(r, tags[i], commit, sig, tmsgs[i], texts[i], 1, cause) != REPO_OK)
			goto out;
	}
	if (git_reference_create(&ref, r->git, PRODUCTION, &commit_id, 0, "seed") != 0 ||
	    git_repository_set_head(r->git, PRODUCTION) != 0) {
		*cause = git_dl_cause("creating production");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		free(tags[i]);
		free(tmsgs[i]);
		free(texts[i]);
	}
	free(tags);
	free(tmsgs);
	free(texts);
	git_buf_dispose(&cbuf);
	git_reference_free(ref);
	git_commit_free(commit);
	git_tree_free(tree);
	git_signature_free(sig);
	free_list(names);
	free(msg);
	return rc;
}

/* Lock files a killed writer left below dir: refs stay writable. Only the daemon writes the
   repository, and it holds the data dir's lock, so no live writer owns them. */
static void
remove_stale_locks(const char *dir)
{
	DIR *d;
	struct dirent *e;
	char *path;
	size_t n;
	struct stat st;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		path = xprintf("%s/%s", dir, e->d_name);
		n = strlen(e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			remove_stale_locks(path);
		else if (n > 5 && strcmp(e->d_name + n - 5, ".lock") == 0)
			unlink(path);
		free(path);
	}
	closedir(d);
}

static void
remove_locks(const char *gitdir)
{
	static const char *const top[] = { "HEAD.lock", "packed-refs.lock", "config.lock",
	    "index.lock" };
	char *path;
	size_t i;

	for (i = 0; i < sizeof top / sizeof top[0]; i++) {
		path = xprintf("%s/%s", gitdir, top[i]);
		unlink(path);
		free(path);
	}
	path = xprintf("%s/refs", gitdir);
	remove_stale_locks(path);
	free(path);
}

struct repo *
repo_open(const char *path, const char *seed, const char *who, const char *key,
    char **cause)
{
	struct repo *r;
	git_oid id;
	struct stat st;

	if (git_dl_load(cause) != 0)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	repo_set_signing_key(r, key);
	if (stat(path, &st) != 0) {
		if (git_repository_init(&r->git, path, 1) != 0) {
			*cause = git_dl_cause(path);
			goto fail;
		}
	} else if (git_repository_open(&r->git, path) != 0) {
		*cause = git_dl_cause(path);
		goto fail;
	} else
		remove_locks(git_repository_path(r->git));
	if (git_reference_name_to_id(&id, r->git, PRODUCTION) != 0 &&
	    repo_seed(r, seed, who, cause) != 0)
		goto fail;
	return r;
fail:
	repo_free(r);
	return NULL;
}

void
repo_free(struct repo *r)
{
	if (r == NULL)
		return;
	git_repository_free(r->git);
	free(r->signing_key);
	free(r->path);
	free(r);
}

void
repo_set_signing_key(struct repo *r, const char *key)
{
	free(r->signing_key);
	r->signing_key = key != NULL && *key != '\0' ? xstrdup(key) : NULL;
}

const char *
repo_signing_key(const struct repo *r)
{
	return r->signing_key;
}

/* A revision to a commit. Names are looked up as refs only, never as rev-parse syntax, so a
   user's text cannot reach anything else. */
static int
lookup(struct repo *r, const char *rev, git_commit **out, char **cause)
{
	git_object *obj = NULL, *peeled = NULL;
	git_reference *ref = NULL;
	git_oid id;
	char *name;
	int rc;

	if (strcmp(rev, "production") == 0)
		name = xstrdup(PRODUCTION);
	else if (strncmp(rev, "proposals/", 10) == 0)
		name = xprintf("refs/heads/%s", rev);
	else if (strncmp(rev, "release/", 8) == 0)
		name = xprintf("refs/tags/%s", rev);
	else
		name = NULL;
	if (name != NULL) {
		rc = git_reference_lookup(&ref, r->git, name);
		free(name);
		if (rc == 0)
			rc = git_reference_peel(&peeled, ref, GIT_OBJECT_COMMIT);
	} else if (strlen(rev) == REPO_ID_LEN && git_oid_fromstr(&id, rev) == 0) {
		rc = git_object_lookup(&obj, r->git, &id, GIT_OBJECT_ANY);
		if (rc == 0)
			rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	} else
		rc = GIT_ENOTFOUND;
	git_object_free(obj);
	git_reference_free(ref);
	if (rc != 0) {
		*cause = xprintf("no revision \"%.80s\" in the prompt repository", rev);
		return REPO_NOT_FOUND;
	}
	*out = (git_commit *)peeled;
	return REPO_OK;
}

int
repo_resolve(struct repo *r, const char *rev, char id[REPO_ID_LEN + 1], char **cause)
{
	git_commit *c;
	int rc;

	if ((rc = lookup(r, rev, &c, cause)) != REPO_OK)
		return rc;
	oid_hex(id, git_commit_id(c));
	git_commit_free(c);
	return REPO_OK;
}

/* The tree entry at a path of a revision; the caller frees it. */
static int
entry_at(struct repo *r, const char *rev, const char *path, git_tree_entry **e,
    char **cause)
{
	git_commit *c;
	git_tree *t = NULL;
	int rc;

	if ((rc = lookup(r, rev, &c, cause)) != REPO_OK)
		return rc;
	if (git_commit_tree(&t, c) != 0) {
		*cause = git_dl_cause(rev);
		rc = REPO_ERROR;
	} else if (git_tree_entry_bypath(e, t, path) != 0) {
		*cause = xprintf("%s: no %s", rev, path);
		rc = REPO_NOT_FOUND;
	}
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

int
repo_subtree(struct repo *r, const char *rev, const char *assistant,
    char id[REPO_ID_LEN + 1], char **cause)
{
	git_tree_entry *e;
	char *path = xprintf("assistants/%s", assistant);
	int rc;

	rc = entry_at(r, rev, path, &e, cause);
	free(path);
	if (rc != REPO_OK)
		return rc;
	oid_hex(id, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return REPO_OK;
}

char *
repo_read(struct repo *r, const char *rev, const char *assistant, const char *file,
    size_t *len, char **cause)
{
	git_tree_entry *e;
	git_blob *b = NULL;
	char *path = xprintf("assistants/%s/%s", assistant, file), *data = NULL;

	if (entry_at(r, rev, path, &e, cause) != REPO_OK) {
		free(path);
		return NULL;
	}
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_blob_lookup(&b, r->git, git_tree_entry_id(e)) != 0)
		*cause = xprintf("%s: %s is not a file", rev, path);
	else {
		*len = (size_t)git_blob_rawsize(b);
		data = xmalloc(*len + 1);
		memcpy(data, git_blob_rawcontent(b), *len);
		data[*len] = '\0';
	}
	git_blob_free(b);
	git_tree_entry_free(e);
	free(path);
	return data;
}

cJSON *
repo_assistants(struct repo *r, char **cause)
{
	git_tree_entry *e;
	git_tree *t = NULL;
	cJSON *a;
	size_t i;

	if (entry_at(r, "production", "assistants", &e, cause) != REPO_OK)
		return NULL;
	if (git_tree_lookup(&t, r->git, git_tree_entry_id(e)) != 0) {
		*cause = git_dl_cause("assistants");
		git_tree_entry_free(e);
		return NULL;
	}
	a = cJSON_CreateArray();
	for (i = 0; i < git_tree_entrycount(t); i++) {
		if (git_tree_entry_type(git_tree_entry_byindex(t, i)) == GIT_OBJECT_TREE)
			cJSON_AddItemToArray(a, cJSON_CreateString(
			    git_tree_entry_name(git_tree_entry_byindex(t, i))));
	}
	git_tree_free(t);
	git_tree_entry_free(e);
	return a;
}

/* A commit signed as `git commit -S` with gpg.format=ssh signs one: the SSH signature over
   its bytes in the gpgsig header. 0, or -1 with *cause. */
static int
commit_signed(struct repo *r, git_oid *id, const git_signature *sig, const char *message,
    const git_tree *tree, const git_commit *parent, char **cause)
{
	git_buf buf = { 0 };
	char *signature = NULL, *why = NULL;
	size_t len;
	int rc = -1;

	if (git_commit_create_buffer(&buf, r->git, sig, sig, NULL, message, tree, 1,
	    &parent) != 0) {
		*cause = git_dl_cause("committing");
		return -1;
	}
	if (sshsig_sign(r->signing_key, buf.ptr, buf.size, &signature, &why) != 0) {
		*cause = xprintf("signing the commit failed: %s", why);
		goto out;
	}
	/* The header's lines are the signature's; the last one ends the header. */
	len = strlen(signature);
	while (len > 0 && signature[len - 1] == '\n')
		signature[--len] = '\0';
	if (git_commit_create_with_signature(id, r->git, buf.ptr, signature, "gpgsig") != 0)
		*cause = git_dl_cause("committing");
	else
		rc = 0;
out:
	free(signature);
	free(why);
	git_buf_dispose(&buf);
	return rc;
}

static int	propose_commit(struct repo *, const char *, const char *,
		    const struct repo_file *, size_t, const char *, const char *, int,
		    char [REPO_ID_LEN + 1], char [REPO_ID_LEN + 1], char **);

int
repo_propose(struct repo *r, const char *branch, const char *assistant,
    const struct repo_file *files, size_t n, const char *message, const char *who,
    char head[REPO_ID_LEN + 1], char base[REPO_ID_LEN + 1], char **cause)
{
	return propose_commit(r, branch, assistant, files, n, message, who, 0, head, base,
	    cause);
}

int
repo_canary(struct repo *r, const char *branch, const char *assistant,
    const struct repo_file *files, size_t n, const char *message, const char *who,
    char head[REPO_ID_LEN + 1], char **cause)
{
	char base[REPO_ID_LEN + 1];

	return propose_commit(r, branch, assistant, files, n, message, who,
	    r->signing_key != NULL, head, base, cause);
}

/* A commit of files over production's version of the assistant on the branch, signed when
   sign is set. */
static int
propose_commit(struct repo *r, const char *branch, const char *assistant,
    const struct repo_file *files, size_t n, const char *message, const char *who, int sign,
    char head[REPO_ID_LEN + 1], char base[REPO_ID_LEN + 1], char **cause)
{
	git_commit *prod = NULL;
	git_tree *ptree = NULL, *tree = NULL;
	git_tree_update *up;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	git_oid tree_id, commit_id;
	const git_commit *parents[1];
	char *name = xprintf("refs/heads/%s", branch);
	size_t i;
	int rc = REPO_ERROR;

	up = xcalloc(n, sizeof *up);
	if ((rc = lookup(r, "production", &prod, cause)) != REPO_OK)
		goto out;
	rc = REPO_ERROR;
	for (i = 0; i < n; i++) {
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].filemode = GIT_FILEMODE_BLOB;
		up[i].path = xprintf("assistants/%s/%s", assistant, files[i].name);
		if (git_blob_create_from_buffer(&up[i].id, r->git, files[i].data,
		    files[i].len) != 0) {
			*cause = git_dl_cause(files[i].name);
			goto out;
		}
	}
	if (git_commit_tree(&ptree, prod) != 0 ||
	    git_tree_create_updated(&tree_id, r->git, ptree, n, up) != 0 ||
	    git_tree_lookup(&tree, r->git, &tree_id) != 0) {
		*cause = git_dl_cause("building the proposal");
		goto out;
	}
	if (git_oid_equal(&tree_id, git_tree_id(ptree))) {
		*cause = xstrdup("the proposal changes nothing: the files equal production's");
		goto out;
	}
	parents[0] = prod;
	if (signature(&sig, who) != 0) {
		*cause = git_dl_cause("committing the proposal");
		goto out;
	}
	if (sign) {
		if (commit_signed(r, &commit_id, sig, message, tree, prod, cause) != 0)
			goto out;
	} else if (git_commit_create(&commit_id, r->git, NULL, sig, sig, NULL, message, tree, 1,
	    parents) != 0) {
		*cause = git_dl_cause("committing the proposal");
		goto out;
	}
	/* The store hands out the proposal's number, so a branch of that name is one a crash
	   left before its row was committed: nobody's, and replaced. */
	if (git_reference_create(&ref, r->git, name, &commit_id, 1, "propose") != 0) {
		*cause = git_dl_cause(branch);
		goto out;
	}
	oid_hex(head, &commit_id);
	oid_hex(base, git_commit_id(prod));
	rc = REPO_OK;
out:
	for (i = 0; i < n; i++)
		free((char *)up[i].path);
	free(up);
	git_reference_free(ref);
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(prod);
	free(name);
	return rc;
}

char *
repo_diff(struct repo *r, const char *from, const char *to, const char *assistant,
    char **cause)
{
	git_commit *a = NULL, *b = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	git_buf out = { 0 };
	char *spec = NULL, *text = NULL;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	if (lookup(r, from, &a, cause) != REPO_OK || lookup(r, to, &b, cause) != REPO_OK)
		goto out;
	if (assistant != NULL) {
		spec = xprintf("assistants/%s/", assistant);
		opts.pathspec.strings = &spec;
		opts.pathspec.count = 1;
	}
	if (git_commit_tree(&ta, a) != 0 || git_commit_tree(&tb, b) != 0 ||
	    git_diff_tree_to_tree(&diff, r->git, ta, tb, &opts) != 0 ||
	    git_diff_to_buf(&out, diff, GIT_DIFF_FORMAT_PATCH) != 0) {
		*cause = git_dl_cause("diff");
		goto out;
	}
	text = xstrdup(out.ptr != NULL ? out.ptr : "");
out:
	git_buf_dispose(&out);
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(a);
	git_commit_free(b);
	free(spec);
	return text;
}

/*
 * Moves production to a new commit with the given tree (parents: production, and extra if
 * given), tagged. A signed tag is signed before the commit is written, so a signature that
 * fails leaves nothing behind. The tag goes first and is taken back if production moved
 * meanwhile, so a lost race leaves neither.
 */
static int
advance(struct repo *r, const git_oid *tree_id, const git_commit *extra, const char *tag,
    const char *message, const char *who, char out[REPO_ID_LEN + 1], char **cause)
{
	git_commit *prod = NULL, *commit = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	git_buf cbuf = GIT_BUF_INIT;
	git_oid commit_id;
	const git_commit *parents[2];
	char *tagref = xprintf("refs/tags/%s", tag), *text = NULL;
	int rc = REPO_ERROR, grc;

	if ((rc = lookup(r, "production", &prod, cause)) != REPO_OK)
		goto out;
	rc = REPO_ERROR;
	parents[0] = prod;
	parents[1] = extra;
	if (signature(&sig, who) != 0 || git_tree_lookup(&tree, r->git, tree_id) != 0) {
		*cause = git_dl_cause("committing the release");
		goto out;
	}
	if (commit_prepare(r, sig, message, tree, extra != NULL ? 2 : 1, parents, &cbuf,
	    &commit_id, cause) != 0 ||
	    tag_text(r, tag, &commit_id, sig, message, &text, cause) != REPO_OK ||
	    commit_write(r, &cbuf, &commit_id, &commit, cause) != 0)
		goto out;
	if ((rc = tag_write(r, tag, commit, sig, message, text, 0, cause)) != REPO_OK)
		goto out;
	rc = REPO_ERROR;
	if ((grc = git_reference_create_matching(&ref, r->git, PRODUCTION, &commit_id, 1,
	    git_commit_id(prod), tag)) != 0) {
		rc = grc == GIT_EMODIFIED ? REPO_CONFLICT : REPO_ERROR;
		*cause = grc == GIT_EMODIFIED ? xstrdup("production moved meanwhile; nothing "
		    "was released, try again") : git_dl_cause("moving production");
		git_reference_remove(r->git, tagref);
		goto out;
	}
	oid_hex(out, &commit_id);
	rc = REPO_OK;
out:
	git_buf_dispose(&cbuf);
	git_reference_free(ref);
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(commit);
	git_commit_free(prod);
	free(text);
	free(tagref);
	return rc;
}

int
repo_release(struct repo *r, const char *head, const char *tag, const char *message,
    const char *who, char commit[REPO_ID_LEN + 1], char **cause)
{
	git_commit *prod = NULL, *theirs = NULL, *anc = NULL;
	git_tree *tp = NULL, *tt = NULL, *ta = NULL;
	git_index *idx = NULL;
	git_oid base, tree_id;
	int rc;

	if ((rc = lookup(r, "production", &prod, cause)) != REPO_OK ||
	    (rc = lookup(r, head, &theirs, cause)) != REPO_OK)
		goto out;
	rc = REPO_ERROR;
	if (git_merge_base(&base, r->git, git_commit_id(prod), git_commit_id(theirs)) != 0 ||
	    git_commit_lookup(&anc, r->git, &base) != 0 ||
	    git_commit_tree(&tp, prod) != 0 || git_commit_tree(&tt, theirs) != 0 ||
	    git_commit_tree(&ta, anc) != 0) {
		*cause = git_dl_cause("merging the proposal");
		goto out;
	}
	if (git_oid_equal(&base, git_commit_id(prod)))
		git_oid_cpy(&tree_id, git_tree_id(tt));	/* production has not moved */
	else {
		/* In memory: no index file, no lock to leave behind. */
		if (git_merge_trees(&idx, r->git, ta, tp, tt, NULL) != 0) {
			*cause = git_dl_cause("merging the proposal");
			goto out;
		}
		if (git_index_has_conflicts(idx)) {
			*cause = xstrdup("production changed the same lines since the proposal; "
			    "propose again from the current production");
			rc = REPO_CONFLICT;
			goto out;
		}
		if (git_index_write_tree_to(&tree_id, idx, r->git) != 0) {
			*cause = git_dl_cause("merging the proposal");
			goto out;
		}
	}
	rc = advance(r, &tree_id, theirs, tag, message, who, commit, cause);
out:
	git_index_free(idx);
	git_tree_free(ta);
	git_tree_free(tt);
	git_tree_free(tp);
	git_commit_free(anc);
	git_commit_free(theirs);
	git_commit_free(prod);
	return rc;
}

int
repo_rollback(struct repo *r, const char *assistant, const char *to, const char *tag,
    const char *message, const char *who, char commit[REPO_ID_LEN + 1], char **cause)
{
	git_tree_entry *old = NULL, *dir = NULL;
	git_tree *assistants = NULL, *root = NULL;
	git_commit *prod = NULL;
	git_treebuilder *tb = NULL;
	git_oid sub, top;
	char *path = xprintf("assistants/%s", assistant);
	int rc;

	rc = entry_at(r, to, path, &old, cause);
	free(path);
	if (rc != REPO_OK)
		goto out;
	rc = REPO_ERROR;
	/* Production's tree with only this assistant's directory taken from the release. */
	if (lookup(r, "production", &prod, cause) != REPO_OK)
		goto out;
	if (git_commit_tree(&root, prod) != 0 ||
	    git_tree_entry_bypath(&dir, root, "assistants") != 0 ||
	    git_tree_lookup(&assistants, r->git, git_tree_entry_id(dir)) != 0 ||
	    git_treebuilder_new(&tb, r->git, assistants) != 0 ||
	    git_treebuilder_insert(NULL, tb, assistant, git_tree_entry_id(old),
	    GIT_FILEMODE_TREE) != 0 ||
	    git_treebuilder_write(&sub, tb) != 0) {
		*cause = git_dl_cause("building the rollback");
		goto out;
	}
	git_treebuilder_free(tb);
	tb = NULL;
	if (git_treebuilder_new(&tb, r->git, root) != 0 ||
	    git_treebuilder_insert(NULL, tb, "assistants", &sub, GIT_FILEMODE_TREE) != 0 ||
	    git_treebuilder_write(&top, tb) != 0) {
		*cause = git_dl_cause("building the rollback");
		goto out;
	}
	rc = advance(r, &top, NULL, tag, message, who, commit, cause);
out:
	git_treebuilder_free(tb);
	git_tree_free(assistants);
	git_tree_free(root);
	git_tree_entry_free(dir);
	git_tree_entry_free(old);
	git_commit_free(prod);
	return rc;
}

int
repo_in_production(struct repo *r, const char *commit)
{
	git_oid prod, id;

	if (git_reference_name_to_id(&prod, r->git, PRODUCTION) != 0 ||
	    git_oid_fromstr(&id, commit) != 0)
		return 0;
	return git_oid_equal(&prod, &id) || git_graph_descendant_of(r->git, &prod, &id) == 1;
}

void
repo_drop_tag(struct repo *r, const char *tag)
{
	char *name = xprintf("refs/tags/%s", tag);

	git_reference_remove(r->git, name);
	free(name);
}

void
repo_drop_branch(struct repo *r, const char *branch)
{
	char *name = xprintf("refs/heads/%s", branch);

	git_reference_remove(r->git, name);
	free(name);
}

struct tags {
	struct repo	*r;
	repo_tag_cb	 cb;
	void		*arg;
};

static int
tag_one(git_reference *ref, void *arg)
{
	struct tags *t = arg;
	git_tag *tag = NULL;
	git_object *target = NULL;
	const git_signature *who;
	const char *msg;
	char id[REPO_ID_LEN + 1], *text;

	if (git_tag_lookup(&tag, t->r->git, git_reference_target(ref)) == 0 &&
	    git_tag_peel(&target, tag) == 0 && git_object_type(target) == GIT_OBJECT_COMMIT) {
		oid_hex(id, git_object_id(target));
		who = git_tag_tagger(tag);
		/* libgit2 keeps a signature in the message: the trailers end before it. */
		msg = git_tag_message(tag) != NULL ? git_tag_message(tag) : "";
		text = xstrndup(msg, sshsig_split(msg, strlen(msg)));
		t->cb(t->arg, git_reference_name(ref) + strlen("refs/tags/"), id,
		    who != NULL ? (long long)who->when.time : 0, who != NULL ? who->name : "",
		    text);
		free(text);
	}
	git_object_free(target);
	git_tag_free(tag);
	git_reference_free(ref);
	return 0;
}

int
repo_tags(struct repo *r, repo_tag_cb cb, void *arg, char **cause)
{
	struct tags t = { r, cb, arg };
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int rc;

	if (git_reference_iterator_glob_new(&it, r->git, "refs/tags/release/*") != 0) {
		*cause = git_dl_cause("listing releases");
		return REPO_ERROR;
	}
	while ((rc = git_reference_next(&ref, it)) == 0)
		tag_one(ref, &t);
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		*cause = git_dl_cause("listing releases");
		return REPO_ERROR;
	}
	return REPO_OK;
}

/* A list of names growing by one. */
static void
names_add(char ***v, size_t *n, const char *name)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(name);
}

static int
by_ptr_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts a list of names (qsort must not see the NULL of an empty one). */
static void
names_sort(char **v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof *v, by_ptr_name);
}

/* A ref of the remote as listed before pushing (libgit2's listing dies with the push). */
struct remote_ref {
	char	*name;
	git_oid	 id;
};

static int
by_ref_name(const void *a, const void *b)
{
	return strcmp(((const struct remote_ref *)a)->name, ((const struct remote_ref *)b)->name);
}

/* The remote's ref of that name, from its listing sorted by name; NULL if it has none. */
static const struct remote_ref *
remote_ref(const struct remote_ref *refs, size_t n, const char *name)
{
	struct remote_ref key;

	key.name = (char *)name;
	return n > 0 ? bsearch(&key, refs, n, sizeof *refs, by_ref_name) : NULL;
}

/* Refs the remote refused, from the push's report: "name: why" each. */
struct refused {
	struct buf	 text;
	char		**names;
	size_t		 n;
};

static int
push_status(const char *refname, const char *status, void *arg)
{
	struct refused *rf = arg;

	if (status == NULL)
		return 0;
	if (rf->text.len > 0)
		buf_addstr(&rf->text, "; ");
	buf_printf(&rf->text, "%s: %s", refname, status);
	names_add(&rf->names, &rf->n, refname);
	return 0;
}

/* Whether a sorted list holds a name. */
static int
name_in(char **v, size_t n, const char *name)
{
	return n > 0 && bsearch(&name, v, n, sizeof *v, by_ptr_name) != NULL;
}

/* The directory of a remote that is a local repository (a path or file:// URL), or NULL. */
static char *
local_remote(const char *remote)
{
	struct stat st;

	if (strncmp(remote, "file://", 7) == 0)
		return xstrdup(remote + 7);
	if (strstr(remote, "://") == NULL && stat(remote, &st) == 0 && S_ISDIR(st.st_mode))
		return xstrdup(remote);
	return NULL;
}

/*
 * Points a local remote's HEAD at production when it names a branch that does not exist (a
 * new bare repository's unborn master), so that a plain `git clone` checks production out.
 * A HEAD naming an existing branch was chosen by someone: it stays. Over git://, ssh and
 * http receive-pack cannot set HEAD at all.
 */
static void
point_head(const char *remote)
{
	git_repository *git = NULL;
	git_reference *head = NULL, *ref = NULL;
	git_oid id;
	char *dir;
	const char *target;

	if ((dir = local_remote(remote)) == NULL)
		return;
	if (git_repository_open(&git, dir) == 0 &&
	    git_reference_lookup(&head, git, "HEAD") == 0 &&
	    (target = git_reference_symbolic_target(head)) != NULL &&
	    strcmp(target, PRODUCTION) != 0 && git_reference_name_to_id(&id, git, target) != 0)
		git_reference_symbolic_create(&ref, git, "HEAD", PRODUCTION, 1,
		    "leitstand: production is what a clone checks out");
	git_reference_free(ref);
	git_reference_free(head);
	git_repository_free(git);
	free(dir);
}

/*
 * A git:// remote must answer before libgit2 is asked to connect: libgit2 1.5 leaks its
 * transport's stream when that connection is refused, once per retry for as long as the
 * remote is down. Also bounds the wait for a host that does not answer at all.
 */
int
repo_reachable(const char *remote, char **cause)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct pollfd pfd;
	const char *p = remote + strlen("git://"), *end;
	char *host, port[16] = "9418";
	socklen_t len;
	int fd = -1, err = 0, ok = 0;

	if (strncmp(remote, "git://", 6) != 0)
		return 0;
	if (*p == '[') {
		end = strchr(p, ']');
		host = end != NULL ? xstrndup(p + 1, (size_t)(end - p - 1)) : xstrdup("");
		p = end != NULL ? end + 1 : p + strlen(p);
	} else {
		end = p + strcspn(p, ":/");
		host = xstrndup(p, (size_t)(end - p));
		p = end;
	}
	if (*p == ':') {
		snprintf(port, sizeof port, "%.*s", (int)strcspn(p + 1, "/"), p + 1);
		if (*port == '\0')
			strcpy(port, "9418");
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(host, port, &hints, &res)) != 0) {
		*cause = xprintf("connecting: %s: %s", host, gai_strerror(err));
		free(host);
		return -1;
	}
	for (ai = res; ai != NULL && !ok; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol)) < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			ok = 1;
		else if (errno != EINPROGRESS)
			err = errno;
		else {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			len = sizeof err;
			if (poll(&pfd, 1, REPO_CONNECT_TIMEOUT * 1000) != 1)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
				ok = 1;
		}
		close(fd);
	}
	freeaddrinfo(res);
	if (!ok)
		*cause = xprintf("connecting: %s port %s: %s", host, port, strerror(err));
	free(host);
	return ok ? 0 : -1;
}

/* The local canary branches, name and id. */
struct canaries {
	char		**names;
	git_oid		*ids;
	size_t		 n;
};

static void
canaries_list(git_repository *git, struct canaries *c)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	const git_oid *id;

	if (git_reference_iterator_glob_new(&it, git, CANARY "*") != 0)
		return;
	while (git_reference_next(&ref, it) == 0) {
		if ((id = git_reference_target(ref)) != NULL) {
			c->ids = xreallocarray(c->ids, c->n + 1, sizeof *c->ids);
			c->names = xreallocarray(c->names, c->n + 1, sizeof *c->names);
			git_oid_cpy(&c->ids[c->n], id);
			c->names[c->n++] = xstrdup(git_reference_name(ref));
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
}

/* The refspecs that make the remote's canaries ours: each one of ours forced (a canary is
   rebuilt on production at every step), each one only the remote has deleted. */
static void
canary_specs(git_repository *git, const struct remote_ref *heads, size_t nlisted,
    char ***specs, size_t *n)
{
	struct canaries c = { NULL, NULL, 0 };
	const struct remote_ref *h;
	size_t i, j;
	char *spec;

	canaries_list(git, &c);
	for (i = 0; i < c.n; i++) {
		if ((h = remote_ref(heads, nlisted, c.names[i])) != NULL &&
		    git_oid_equal(&h->id, &c.ids[i]))
			continue;
		spec = xprintf("+%s:%s", c.names[i], c.names[i]);
		names_add(specs, n, spec);
		free(spec);
	}
	for (i = 0; i < nlisted; i++) {
		if (strncmp(heads[i].name, CANARY, strlen(CANARY)) != 0)
			continue;
		for (j = 0; j < c.n && strcmp(c.names[j], heads[i].name) != 0; j++)
			;
		if (j < c.n)
			continue;
		spec = xprintf(":%s", heads[i].name);
		names_add(specs, n, spec);
		free(spec);
	}
	for (i = 0; i < c.n; i++)
		free(c.names[i]);
	free(c.names);
	free(c.ids);
}

int
repo_sync(const char *path, const char *remote, const char *const *releases, size_t n,
    struct repo_sync *rs, char **cause)
{
	git_repository *git = NULL;
	git_remote *rem = NULL;
	git_push_options opts;
	git_remote_create_options ropts;
	const git_remote_head **listed;
	struct remote_ref *heads = NULL;
	const struct remote_ref *h;
	git_oid prod, tag;
	struct refused rf;
	char **specs = NULL, **tags = NULL, **canary = NULL, *failed = NULL;
	size_t nlisted = 0, nspecs = 0, ntags = 0, ncanary = 0, i;
	git_strarray sa;
	int rc = REPO_ERROR, ok;

	memset(rs, 0, sizeof *rs);
	memset(&rf, 0, sizeof rf);
	buf_init(&rf.text);
	if (git_dl_load(cause) != 0)
		return REPO_ERROR;
	if (git_repository_open(&git, path) != 0 ||
	    git_reference_name_to_id(&prod, git, PRODUCTION) != 0) {
		*cause = git_dl_cause(path);
		goto out;
	}
	/* The releases recorded, not every tag: a tag whose release is still under way (or
	   lost its race for production) must not reach deployments. */
	tags = xcalloc(n + 1, sizeof *tags);
	for (i = 0; i < n; i++)
		tags[ntags++] = xprintf("refs/tags/%s", releases[i]);
	names_sort(tags, ntags);

	git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
	opts.callbacks.push_update_reference = push_status;
	opts.callbacks.payload = &rf;
	/* The URL as configured: no url.*.insteadOf rewriting from the repository's config
	   (whose lookups, with libgit2 1.5's pcre2 backend, also leak their match data). */
	git_remote_create_options_init(&ropts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ropts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	ropts.repository = git;
	if (repo_reachable(remote, cause) != 0)
		goto out;
	if (git_remote_create_with_opts(&rem, remote, &ropts) != 0 ||
	    git_remote_connect(rem, GIT_DIRECTION_PUSH, &opts.callbacks, NULL, NULL) != 0 ||
	    git_remote_ls(&listed, &nlisted, rem) != 0) {
		*cause = git_dl_cause("connecting");
		goto out;
	}
	rs->reached = 1;
	/* What the remote has, compared with what we have: not a flag of ours, which may
	   belong to another remote or be older than the remote's last loss. */
	heads = xcalloc(nlisted + 1, sizeof *heads);
	for (i = 0; i < nlisted; i++) {
		heads[i].name = xstrdup(listed[i]->name);
		git_oid_cpy(&heads[i].id, &listed[i]->oid);
	}
	if (nlisted > 1)
		qsort(heads, nlisted, sizeof *heads, by_ref_name);
	for (i = 0; i < ntags; i++) {
		if (git_reference_name_to_id(&tag, git, tags[i]) != 0)
			continue;
		if ((h = remote_ref(heads, nlisted, tags[i])) == NULL)
			names_add(&specs, &nspecs, tags[i]);
		else if (!git_oid_equal(&h->id, &tag)) {
			/* Never forced: a release tag names one thing everywhere. */
			if (rf.text.len > 0)
				buf_addstr(&rf.text, "; ");
			buf_printf(&rf.text, "%s differs on the remote: left as it is", tags[i]);
			names_add(&rf.names, &rf.n, tags[i]);
		}
	}
	if ((h = remote_ref(heads, nlisted, PRODUCTION)) == NULL || !git_oid_equal(&h->id, &prod))
		names_add(&specs, &nspecs, PRODUCTION);
	canary_specs(git, heads, nlisted, &canary, &ncanary);
	if (nspecs + ncanary > 0) {
		/* Same name there as here; production only fast-forwards. */
		for (i = 0; i < nspecs; i++) {
			char *spec = xprintf("%s:%s", specs[i], specs[i]);

			free(specs[i]);
			specs[i] = spec;
		}
		for (i = 0; i < ncanary; i++)
			names_add(&specs, &nspecs, canary[i]);
		nspecs -= ncanary;
		sa.strings = specs;
		sa.count = nspecs + ncanary;
		/* Failed as a whole, the remote holds what it listed: said below. */
		if (git_remote_upload(rem, &sa, &opts) != 0)
			failed = git_dl_cause("push");
		names_sort(rf.names, rf.n);
		for (i = 0; i < nspecs && failed == NULL; i++) {
			specs[i][strcspn(specs[i], ":")] = '\0';
			if (!name_in(rf.names, rf.n, specs[i]))
				names_add(&rs->pushed, &rs->npushed, specs[i]);
		}
		names_sort(rs->pushed, rs->npushed);
	}
	git_remote_disconnect(rem);
	/* Now the remote holds what it listed as ours and what it accepted. */
	for (i = 0; i < ntags; i++) {
		h = remote_ref(heads, nlisted, tags[i]);
		ok = name_in(rs->pushed, rs->npushed, tags[i]) || (h != NULL &&
		    git_reference_name_to_id(&tag, git, tags[i]) == 0 &&
		    git_oid_equal(&h->id, &tag));
		if (ok)
			names_add(&rs->present, &rs->npresent, tags[i] + strlen("refs/tags/"));
		else
			names_add(&rs->missing, &rs->nmissing, tags[i] + strlen("refs/tags/"));
	}
	h = remote_ref(heads, nlisted, PRODUCTION);
	rs->production = name_in(rs->pushed, rs->npushed, PRODUCTION) || (h != NULL &&
	    git_oid_equal(&h->id, &prod));
	point_head(remote);
	if (failed != NULL) {
		*cause = failed;
		goto out;
	}
	if (rf.text.len > 0) {
		*cause = xprintf("the remote refused %s", rf.text.data);
		goto out;
	}
	rc = REPO_OK;
out:
	for (i = 0; i < rf.n; i++)
		free(rf.names[i]);
	free(rf.names);
	buf_free(&rf.text);
	for (i = 0; i < nspecs + ncanary; i++)
		free(specs[i]);
	free(specs);
	for (i = 0; i < ncanary; i++)
		free(canary[i]);
	free(canary);
	for (i = 0; i < ntags; i++)
		free(tags[i]);
	free(tags);
	for (i = 0; i < nlisted && heads != NULL; i++)
		free(heads[i].name);
	free(heads);
	git_remote_free(rem);
	git_repository_free(git);
	return rc;
}

static void
names_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
repo_sync_clear(struct repo_sync *rs)
{
	names_free(rs->present, rs->npresent);
	names_free(rs->missing, rs->nmissing);
	names_free(rs->pushed, rs->npushed);
	memset(rs, 0, sizeof *rs);
}

/* Removes a lock file (the only kind of file named *.lock under refs/). */
static int
unlock_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t len = strlen(path);

	(void)st, (void)ftw;
	if (flag == FTW_F && len > 5 && strcmp(path + len - 5, ".lock") == 0)
		unlink(path);
	return 0;
}

int
repo_fetch_release(const char *dir, const char *url, const char *assistant, char **cause)
{
	git_repository *git = NULL;
	git_remote *rem = NULL;
	git_remote_create_options ropts;
	git_fetch_options fopts;
	git_strarray specs;
	struct stat st;
	const char *path;
	char *spec[3], *refs, *packed;
	int rc = -1;

	if (git_dl_load(cause) != 0 || repo_reachable(url, cause) != 0)
		return -1;
	/* libgit2 calls a path that is not there an "unsupported URL protocol". */
	path = strncmp(url, "file://", 7) == 0 ? url + 7 :
	    strstr(url, "://") == NULL ? url : NULL;
	if (path != NULL && stat(path, &st) != 0) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	/* One fetch at a time into a clone of our own: a lock left there is a killed fetch's. */
	refs = xprintf("%s/refs", dir);
	packed = xprintf("%s/packed-refs.lock", dir);
	nftw(refs, unlock_one, 16, FTW_PHYS);
	unlink(packed);
	free(refs);
	free(packed);
	if (git_repository_open(&git, dir) != 0) {
		*cause = git_dl_cause(dir);
		return -1;
	}
	/* The URL as given: no url.*.insteadOf from a config (see repo_sync). */
	git_remote_create_options_init(&ropts, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ropts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	ropts.repository = git;
	git_fetch_options_init(&fopts, GIT_FETCH_OPTIONS_VERSION);
	fopts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fopts.update_fetchhead = 0;
	fopts.prune = GIT_FETCH_PRUNE;
	/* Forced: the remote decides what production is, as it does for a deployment. */
	spec[0] = xstrdup("+" PRODUCTION ":" PRODUCTION);
	spec[1] = xprintf("+refs/tags/release/%s/*:refs/tags/release/%s/*", assistant,
	    assistant);
	/* Canaries of every assistant: a wildcard, so one that ended is pruned. */
	spec[2] = xstrdup("+refs/heads/canary/*:refs/heads/canary/*");
	specs.strings = spec;
	specs.count = 3;
	if (git_remote_create_with_opts(&rem, url, &ropts) != 0 ||
	    git_remote_fetch(rem, &specs, &fopts, "leitstand sim: fetch") != 0)
		*cause = git_dl_cause("fetch");
	else
		rc = 0;
	git_remote_free(rem);
	git_repository_free(git);
	free(spec[0]);
	free(spec[1]);
	free(spec[2]);
	return rc;
}
