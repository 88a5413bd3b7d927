/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "backend/audit.h"
#include "backend/checkpoint.h"
#include "backend/config.h"
#include "backend/hash.h"
#include "backend/private.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

#define PREFIX		"leitstand-checkpoint v1 "
#define SIG_LEN		64	/* Ed25519 */

/* A short id of the public key: the first 16 hex digits of its SHA-256. */
static int
key_id(EVP_PKEY *key, char out[17])
{
	unsigned char raw[32];
	size_t len = sizeof raw;
	char hex[HASH_HEX];

	if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1)
		return -1;
	hash_sha256_hex(raw, len, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
	return 0;
}

struct checkpoint_key *
checkpoint_key_load(const char *path, int create, char **cause)
{
	struct checkpoint_key *k;
	EVP_PKEY *pkey = NULL;
	FILE *f;
	int fd;

	if ((f = fopen(path, "r")) != NULL) {
		pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (pkey == NULL || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
			*cause = xprintf("%s: not an Ed25519 private key in PEM", path);
			EVP_PKEY_free(pkey);
			return NULL;
		}
	} else if (errno != ENOENT || !create) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		return NULL;
	} else {
		/* First use: a new key, readable by the daemon's user only. */
		if ((pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
			*cause = xstrdup("cannot generate an Ed25519 key");
			return NULL;
		}
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0 ||
		    (f = fdopen(fd, "w")) == NULL) {
			*cause = xprintf("%s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			EVP_PKEY_free(pkey);
			return NULL;
		}
		if (PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
		    fflush(f) != 0 || fsync(fileno(f)) != 0) {
			*cause = xprintf("%s: cannot write the key", path);
			fclose(f);
			unlink(path);
			EVP_PKEY_free(pkey);
			return NULL;
		}
		fclose(f);
	}
	k = xcalloc(1, sizeof *k);
	k->pkey = pkey;
	if (key_id(pkey, k->id) != 0) {
		*cause = xprintf("%s: cannot read the public key", path);
		checkpoint_key_free(k);
		return NULL;
	}
	return k;
}

void
checkpoint_key_free(struct checkpoint_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* What is signed: everything of the line before " sig=". */
static char *
signed_text(long long seq, const char *hash, const char *time, const char *id)
{
	return xprintf(PREFIX "seq=%lld hash=%s time=%s key=%s", seq, hash, time, id);
}

char *
checkpoint_line(const struct checkpoint_key *k, long long seq, const char *hash,
    const char *time)
{
	unsigned char sig[SIG_LEN];
	char b64[2 * SIG_LEN], *text, *line;
	size_t len = sizeof sig;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	text = signed_text(seq, hash, time, k->id);
	if (md == NULL || EVP_DigestSignInit(md, NULL, NULL, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(md, sig, &len, (const unsigned char *)text, strlen(text)) != 1) {
		EVP_MD_CTX_free(md);
		free(text);
		return NULL;
	}
	EVP_MD_CTX_free(md);
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)len);
	line = xprintf("%s sig=%s", text, b64);
	free(text);
	return line;
}

int
checkpoint_parse(const struct checkpoint_key *k, const char *line, long long *seq,
    char hash[65], char **cause)
{
	char h[65], time[40], id[17], b64[100], *text;
	/* As much as the decoder may write for b64: 3 bytes for every 4 characters. */
	unsigned char sig[sizeof b64 / 4 * 3];
	EVP_MD_CTX *md;
	int n, len, ok;

	if (strncmp(line, PREFIX, strlen(PREFIX)) != 0 ||
	    sscanf(line + strlen(PREFIX), "seq=%lld hash=%64[0-9a-f] time=%39s key=%16[0-9a-f] "
	    "sig=%99s%n", seq, h, time, id, b64, &n) != 5 ||
	    line[strlen(PREFIX) + (size_t)n] != '\0' || strlen(h) != 64) {
		*cause = xstrdup("not a checkpoint line");
		return CHECKPOINT_MALFORMED;
	}
	if (strcmp(id, k->id) != 0) {
		*cause = xprintf("signed with another key (%s, not this daemon's %s)", id, k->id);
		return CHECKPOINT_OTHER_KEY;
	}
	len = EVP_DecodeBlock(sig, (const unsigned char *)b64, (int)strlen(b64));
	/* Base64 of 64 bytes ends in "==": the decoder counts those two as bytes. */
	if (len != SIG_LEN + 2) {
		*cause = xstrdup("the signature is not 64 bytes");
		return CHECKPOINT_BAD_SIGNATURE;
	}
	text = signed_text(*seq, h, time, id);
	md = EVP_MD_CTX_new();
	ok = md != NULL && EVP_DigestVerifyInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestVerify(md, sig, SIG_LEN, (const unsigned char *)text, strlen(text)) == 1;
	EVP_MD_CTX_free(md);
	free(text);
	if (!ok) {
		*cause = xstrdup("the signature does not match: the line was altered or signed "
		    "with another key");
		return CHECKPOINT_BAD_SIGNATURE;
	}
	memcpy(hash, h, 65);
	return CHECKPOINT_OK;
}

/* The hash of entry seq, or of the newest entry when seq is 0; 0 if there is none. */
static int
entry_hash(sqlite3 *db, long long *seq, char hash[65])
{
	sqlite3_stmt *st;
	int found;

	if (*seq > 0) {
		st = store_prepare(db, "SELECT seq, hash FROM audit WHERE seq = ?");
		sqlite3_bind_int64(st, 1, *seq);
	} else
		st = store_prepare(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
	if ((found = sqlite3_step(st) == SQLITE_ROW)) {
		*seq = sqlite3_column_int64(st, 0);
		snprintf(hash, 65, "%s", store_text(st, 1));
	}
	sqlite3_finalize(st);
	return found;
}

long long
checkpoint_head(sqlite3 *db)
{
	long long seq = 0;
	char hash[65];

	return entry_hash(db, &seq, hash) ? seq : 0;
}

int
checkpoint_append(const struct config *cfg, sqlite3 *db, char **line, char **cause)
{
	struct checkpoint_key *k;
	long long seq = 0;
	char hash[65] = "0000000000000000000000000000000000000000000000000000000000000000",
	    now[32], *text;
	int fd, rc = -1;

	if (cfg->checkpoint_file == NULL || *cfg->checkpoint_file == '\0') {
		*cause = xstrdup("no checkpoint file: set [audit] checkpoint_file (outside the data "
		    "dir)");
		return -1;
	}
	if ((k = checkpoint_key_load(cfg->checkpoint_key, 1, cause)) == NULL)
		return -1;
	entry_hash(db, &seq, hash);
	audit_now(now, sizeof now);
	if ((*line = checkpoint_line(k, seq, hash, now)) == NULL) {
		*cause = xstrdup("cannot sign the checkpoint");
		checkpoint_key_free(k);
		return -1;
	}
	checkpoint_key_free(k);
	text = xprintf("%s\n", *line);
	/* The file is outside the data dir: never through a symlink, never someone else's. */
	if ((fd = private_append(cfg->checkpoint_file, 0600, cause)) < 0)
		;
	else if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) != 0)
		*cause = xprintf("%s: %s", cfg->checkpoint_file, strerror(errno));
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	free(text);
	if (rc == 0 && cfg->checkpoint_syslog)
		syslog(LOG_AUTHPRIV | LOG_INFO, "%s", *line);
	if (rc != 0) {
		free(*line);
		*line = NULL;
	}
	return rc;
}

int
checkpoint_verify(const char *key, sqlite3 *db, const char *file, long long *count,
    long long *newest, long long *bad, char **why)
{
	struct checkpoint_key *k;
	FILE *f;
	char *line = NULL, *cause = NULL, hash[65], have[65];
	size_t cap = 0;
	ssize_t n;
	long long seq, at, lineno = 0, last;
	int rc = 0;

	*count = *newest = *bad = 0;
	if ((k = checkpoint_key_load(key, 0, why)) == NULL)
		return -1;
	if ((f = fopen(file, "r")) == NULL) {
		*why = xprintf("%s: %s", file, strerror(errno));
		checkpoint_key_free(k);
		return -1;
	}
	last = checkpoint_head(db);
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (*line == '\0')
			continue;
		if (checkpoint_parse(k, line, &seq, hash, &cause) != CHECKPOINT_OK) {
			*why = xprintf("%s:%lld: %s", file, lineno, cause);
			rc = 1;
		} else if (seq > last) {
			*bad = last + 1;
			*why = xprintf("the log ends at entry %lld, but %s:%lld vouches for entry "
			    "%lld: its tail was cut off", last, file, lineno, seq);
			rc = 1;
		} else if (at = seq, seq > 0 && (!entry_hash(db, &at, have) ||
		    strcmp(have, hash) != 0)) {
			*bad = seq;
			*why = xprintf("entry %lld is not the one %s:%lld signed: the log was "
			    "rewritten", seq, file, lineno);
			rc = 1;
		} else {
			(*count)++;
			if (seq > *newest)
				*newest = seq;
		}
		free(cause);
		cause = NULL;
	}
	free(line);
	fclose(f);
	checkpoint_key_free(k);
	return rc;
}
