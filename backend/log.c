/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/log.h"
#include "backend/private.h"
#include "backend/sanitize.h"
#include "backend/xmalloc.h"

static FILE *log_file;

void
log_open(const char *name)
{
	char *path, *used = NULL, *cause = NULL;
	int fd;

	log_close();
	/* In the working directory, which may be shared: a new file, never a planted one. */
	path = xprintf("leitstand-%s-%ld.log", name, (long)getpid());
	if ((fd = private_create(path, 0600, &used, &cause)) < 0) {
		fprintf(stderr, "leitstand: no log: %s\n", cause);
		free(cause);
	} else if ((log_file = fdopen(fd, "a")) == NULL)
		close(fd);
	else {
		setvbuf(log_file, NULL, _IOLBF, 0);
		if (strcmp(used, path) != 0)
			fprintf(stderr, "leitstand: %s exists; logging to %s\n", path, used);
	}
	free(used);
	free(path);
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

void
log_debug(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;
	char *msg, *safe;
	int n;

	if (log_file == NULL)
		return;
	va_start(ap, fmt);
	n = xvasprintf(&msg, fmt, ap);
	va_end(ap);
	safe = sanitize_log(msg, (size_t)n);
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(log_file, "%lld.%06ld %s\n", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, safe);
	free(safe);
	free(msg);
}
