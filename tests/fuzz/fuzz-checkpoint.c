/* SPDX-License-Identifier: ISC */
/* libFuzzer target: one line of an audit checkpoints file (a file outside the data dir that
   others may be able to write), checked against a fixed test key. OpenSSL is not built with
   the sanitizers: what it writes into our buffers (the signature's base64 decoding) goes
   unchecked here, so crash-sig-96-chars stays in the corpus as a reminder. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend/checkpoint.h"

/* A key for this target only: the seeds in corpus/checkpoint are signed with it. */
static const char test_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIL+e7Osu1MIb241z2es8mdZMKlBjZA926+zmfcQ9R11e\n"
    "-----END PRIVATE KEY-----\n";

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The key, read once from a file in memory. */
static struct checkpoint_key *
key(void)
{
	static struct checkpoint_key *k;
	char path[64], *cause = NULL;
	int fd;

	if (k != NULL)
		return k;
	if ((fd = memfd_create("checkpoint.key", 0)) < 0 ||
	    write(fd, test_key, sizeof test_key - 1) != (ssize_t)sizeof test_key - 1)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if ((k = checkpoint_key_load(path, 0, &cause)) == NULL)
		abort();
	close(fd);
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), *cause = NULL, hash[65];
	long long seq;
	int rc;

	if (line == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	rc = checkpoint_parse(key(), line, &seq, hash, &cause);
	/* A line vouches with a 64-digit hash, or is refused with a reason. */
	if (rc == CHECKPOINT_OK) {
		if (cause != NULL || strlen(hash) != 64 ||
		    strspn(hash, "0123456789abcdef") != 64)
			abort();
	} else if (cause == NULL || *cause == '\0')
		abort();
	free(cause);
	free(line);
	return 0;
}
