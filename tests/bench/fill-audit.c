/* SPDX-License-Identifier: ISC */
/* fill-audit DATA_DIR N: appends N chained audit entries directly, for benchmarks. */
#include <stdio.h>
#include <stdlib.h>

#include "backend/audit.h"
#include "backend/store.h"

int
main(int argc, char **argv)
{
	sqlite3 *db;
	char *cause = NULL, object[32];
	long n, i;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: fill-audit DATA_DIR N\n");
		return 2;
	}
	if (store_lock(argv[1], &cause) < 0 || (db = store_open(argv[1], 0, &cause)) == NULL) {
		fprintf(stderr, "fill-audit: %s\n", cause);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (i % 10000 == 0 && (i > 0 ? store_commit(db, &cause) : 0) == 0 &&
		    store_begin(db, &cause) != 0)
			break;
		snprintf(object, sizeof object, "entry %ld", i + 1);
		if (audit_append(db, "bench", "operator", "bench.fill", object,
		    "{\"bench\":true}", &cause) < 0)
			break;
	}
	if (cause == NULL && store_commit(db, &cause) == 0) {
		store_close(db);
		return 0;
	}
	fprintf(stderr, "fill-audit: %s\n", cause);
	return 1;
}
