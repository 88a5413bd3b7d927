/* SPDX-License-Identifier: ISC */
/*
 * Playbooks: CommonMark runbooks with a front matter block, one step per
 * "## " heading, checklists, live checks (```check) and commands to copy
 * (```sh). The parser turns a file into a cJSON object (see playbook.c for
 * its shape) or reports every problem as "FILE:LINE: message" lines.
 *
 * Text is kept as the file's bytes (not sanitised): pass it through
 * sanitize() before it reaches the screen or a log line.
 */
#ifndef PLAYBOOK_H
#define PLAYBOOK_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Largest playbook accepted, in bytes. */
#define PLAYBOOK_MAX	(1024 * 1024)

/* Comparison operators of a condition. */
enum { PB_LT, PB_LE, PB_GT, PB_GE, PB_EQ, PB_NE };

/* A parsed "expect:" line: "value OP NUMBER [and value OP NUMBER]". */
struct pb_condition {
	int	 n;		/* 1 or 2 comparisons, all must hold */
	int	 op[2];		/* PB_LT, PB_LE, PB_GT, PB_GE, PB_EQ, PB_NE */
	double	 value[2];
};

/* Parses an expect: text; 0, or -1 with *why. */
int	 pb_condition_parse(const char *, struct pb_condition *, char **why);
/* 1 if v satisfies the condition (NaN never does). */
int	 pb_condition_eval(const struct pb_condition *, double v);
/* Parses a playbook file's text. Returns a cJSON object, or NULL with every problem in *errors ("FILE:LINE: msg" per line). file is used in messages only. */
cJSON	*playbook_parse(const char *text, size_t len, const char *file, char **errors);
/* Reads and parses a file (refusing > 1 MiB); NULL with *errors. */
cJSON	*playbook_load(const char *path, char **errors);

#endif
