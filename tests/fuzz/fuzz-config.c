/* SPDX-License-Identifier: ISC */
/* libFuzzer target: the config file reader; every error must name file and line. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char path[64], *cause = NULL;
	int fd;

	/* A file in memory: the reader gets a real path, nothing touches the disk. */
	if ((fd = memfd_create("fuzz.ini", 0)) < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (config_load(&cfg, path, &cause) == 0)
		config_free(&cfg);
	else if (cause == NULL || strncmp(cause, path, strlen(path)) != 0)
		abort();
	free(cause);
	close(fd);
	return 0;
}
