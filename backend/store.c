/* SPDX-License-Identifier: ISC */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/path.h"
#include "backend/schema.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

int
store_lock(const char *dir, char **cause)
{
	char *path, pid[32];
	ssize_t n;
	int fd;

	if (path_mkdirs(dir, 0700) != 0) {
		*cause = xprintf("data dir %s: %s", dir, strerror(errno));
		return -1;
	}
	path = xprintf("%s/daemon.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*cause = xprintf("%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = pread(fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		*cause = xprintf("data dir %s is in use by another leitstand daemon (pid %s); "
		    "stop it or choose another data_dir", dir, *pid ? pid : "unknown");
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		*cause = xprintf("data dir %s: cannot write lock file: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
store_exec(sqlite3 *db, const char *sql, char **cause)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		*cause = xprintf("database: %s", err != NULL ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int
store_version(sqlite3 *db)
{
	sqlite3_stmt *st = store_prepare(db, "PRAGMA user_version");
	int v = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
store_migrate(sqlite3 *db, const char *path, char **cause)
{
	char *sql;
	int v;
	size_t i;

	if (store_begin(db, cause) != 0)
		return -1;
	v = store_version(db);
	if (v > (int)schema_count) {
		*cause = xprintf("%s has schema version %d but this leitstand knows only %zu; "
		    "use a newer leitstand", path, v, schema_count);
		store_rollback(db);
		return -1;
	}
	for (i = (size_t)v; i < schema_count; i++) {
		if (store_exec(db, schema_migrations[i], cause) != 0) {
			store_rollback(db);
			return -1;
		}
	}
	sql = xprintf("PRAGMA user_version = %zu", schema_count);
	if (store_exec(db, sql, cause) != 0) {
		free(sql);
		store_rollback(db);
		return -1;
	}
	free(sql);
	return store_commit(db, cause);
}

sqlite3 *
store_open(const char *dir, int readonly, char **cause)
{
	sqlite3 *db = NULL;
	char *path;
	int flags;

	path = xprintf("%s/leitstand.db", dir);
	flags = SQLITE_OPEN_NOMUTEX | (readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		*cause = xprintf("%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 5000);
	/* secure_delete: what retention and erasure remove is overwritten, not left in free
	   pages of the file. */
	if (store_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; "
	    "PRAGMA secure_delete = ON;", cause) != 0)
		goto fail;
	if (!readonly) {
		if (store_exec(db, "PRAGMA journal_mode = WAL;", cause) != 0 ||
		    store_migrate(db, path, cause) != 0)
			goto fail;
	}
	free(path);
	return db;
fail:
	sqlite3_close(db);
	free(path);
	return NULL;
}

void
store_close(sqlite3 *db)
{
	if (db != NULL && sqlite3_close(db) != SQLITE_OK)
		fatal("database: close with statements still open");
}

int
store_begin(sqlite3 *db, char **cause)
{
	return store_exec(db, "BEGIN IMMEDIATE", cause);
}

int
store_commit(sqlite3 *db, char **cause)
{
	if (store_exec(db, "COMMIT", cause) != 0) {
		store_rollback(db);
		return -1;
	}
	return 0;
}

void
store_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3_stmt *
store_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fatal("database: %s: %s", sql, sqlite3_errmsg(db));
	return st;
}

int
store_step(sqlite3_stmt *st, char **cause)
{
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		return 1;
	case SQLITE_DONE:
		return 0;
	default:
		*cause = xprintf("database: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
		return -1;
	}
}

int
store_write(sqlite3_stmt *st, const char *what, char **cause)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		*cause = xprintf("%s: %s", what, sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

const char *
store_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

cJSON *
store_row_json(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject();
	const char *name;
	int i;

	for (i = 0; i < sqlite3_column_count(st); i++) {
		name = sqlite3_column_name(st, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			cJSON_AddNumberToObject(o, name, (double)sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			cJSON_AddNumberToObject(o, name, sqlite3_column_double(st, i));
			break;
		case SQLITE_NULL:
			break;
		default:
			cJSON_AddStringToObject(o, name, store_text(st, i));
		}
	}
	return o;
}
