/* SPDX-License-Identifier: ISC */
/* fill DATA_DIR audit|incidents N: writes N audit entries or incidents directly, for
   benchmarks. The data dir must not be in use by a daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/audit.h"
#include "backend/incident.h"
#include "backend/store.h"

int
main(int argc, char **argv)
{
	struct incident_policy p = { { 300, 900, 3600, 14400 }, { 14400, 28800, 259200,
	    604800 }, 1800 };
	struct incident_new n;
	sqlite3 *db;
	char *cause = NULL, text[64];
	time_t now = time(NULL);
	long count, i;
	int incidents, existing;

	if (argc != 4 || (count = strtol(argv[3], NULL, 10)) <= 0 ||
	    (strcmp(argv[2], "audit") != 0 && strcmp(argv[2], "incidents") != 0)) {
		fprintf(stderr, "usage: fill DATA_DIR audit|incidents N\n");
		return 2;
	}
	incidents = strcmp(argv[2], "incidents") == 0;
	if (store_lock(argv[1], &cause) < 0 || (db = store_open(argv[1], 0, &cause)) == NULL) {
		fprintf(stderr, "fill: %s\n", cause);
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (i % 10000 == 0 && (i > 0 ? store_commit(db, &cause) : 0) == 0 &&
		    store_begin(db, &cause) != 0)
			break;
		if (incidents) {
			snprintf(text, sizeof text, "Benchmark incident %ld", i + 1);
			memset(&n, 0, sizeof n);
			n.title = text;
			n.severity = (int)(i % 4) + 1;
			n.source = "manual";
			if (incident_open(db, &p, &n, "bench", now - (count - i), &existing,
			    &cause) < 0)
				break;
		} else {
			snprintf(text, sizeof text, "entry %ld", i + 1);
			if (audit_append(db, "bench", "operator", "bench.fill", text,
			    "{\"bench\":true}", &cause) < 0)
				break;
		}
	}
	if (cause == NULL && store_commit(db, &cause) == 0) {
		store_close(db);
		return 0;
	}
	fprintf(stderr, "fill: %s\n", cause);
	return 1;
}
