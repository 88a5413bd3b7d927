/* SPDX-License-Identifier: ISC */
/* The SQLite store: opening, pragmas, migrations, transactions, the data dir lock. */
#ifndef STORE_H
#define STORE_H

#include <sqlite3.h>

#include <cjson/cJSON.h>

/* Creates the data dir if needed and takes its lock; returns the lock fd or -1. */
int	 store_lock(const char *, char **);
/* Opens DIR/leitstand.db (migrating it when writable); NULL and *cause on error. */
sqlite3	*store_open(const char *, int readonly, char **);
void	 store_close(sqlite3 *);
/* BEGIN IMMEDIATE: takes the write lock now, so the busy timeout applies. */
int	 store_begin(sqlite3 *, char **);
int	 store_commit(sqlite3 *, char **);
void	 store_rollback(sqlite3 *);
/* Schema version of the open database. */
int	 store_version(sqlite3 *);
/* Prepares a statement or aborts: the SQL is ours, so failure is a bug. */
sqlite3_stmt *store_prepare(sqlite3 *, const char *);
/*
 * Steps a statement: 1 for a row, 0 when done, -1 with *cause (the database's
 * message) on any error. Every write steps through here, so a failed write
 * cannot pass unnoticed: the compiler refuses a call whose result is dropped.
 */
int	 store_step(sqlite3_stmt *, char **) __attribute__((warn_unused_result));
/* Steps a write to its end and finalizes it; -1 and *cause ("what: message") on error. */
int	 store_write(sqlite3_stmt *, const char *what, char **) __attribute__((warn_unused_result));
/* Text of column i, or "" for NULL. */
const char *store_text(sqlite3_stmt *, int);
/* The current row as an object keyed by column name; NULL columns are left out. */
cJSON	*store_row_json(sqlite3_stmt *);

#endif
