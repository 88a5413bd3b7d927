/* SPDX-License-Identifier: ISC */
/*
 * Playbook runs: who did which step with what result, ticked checklist items and notes, saved
 * after every action, so a run survives a dropped session and a daemon restart and anyone
 * with the role can resume it. Functions work in the caller's transaction.
 */
#ifndef RUN_H
#define RUN_H

#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

/* Starts a run of a parsed playbook (kept with the run, with the file's hash), bound to an
   incident when incident > 0. Returns the run id or -1. */
long long	 run_start(sqlite3 *, const cJSON *playbook, const char *hash, long long incident,
		     const char *actor, time_t, char **cause);
/* Records a step's result: "done", "skipped" (needs a note: the reason) or "failed" (needs a
   note). Finishes the run once every step has a result (*finished is set). -1 with *code
   ("not_found", "conflict", "invalid_argument") and *cause. */
int		 run_step(sqlite3 *, long long run, int step, const char *result, const char *note,
		     const char *actor, time_t, int *finished, const char **code, char **cause);
/* Ticks or unticks checklist item `item` of a step. */
int		 run_tick(sqlite3 *, long long run, int step, int item, int ticked,
		     const char *actor, time_t, const char **code, char **cause);
/* Adds a note to a step. */
int		 run_note(sqlite3 *, long long run, int step, const char *text, const char *actor,
		     time_t, const char **code, char **cause);
/* A run with its playbook, results, ticks, notes, the first step without a result, and
   when finished a summary. current_hash (may be NULL): the library's hash of the playbook
   now, to tell whether the file changed since the run started. NULL if there is no run. */
cJSON		*run_get(sqlite3 *, long long run, const char *current_hash, time_t);
/* Runs, newest first: open ones only, or all; each with its progress and last action. */
cJSON		*run_list(sqlite3 *, int open_only, int limit);
/* The incident a run is bound to, 0 if none, -1 if there is no such run. */
long long	 run_incident(sqlite3 *, long long run);
/* A run (run_get's JSON) as a Markdown record: steps with results, notes, duration. */
char		*run_markdown(const cJSON *run);

#endif
