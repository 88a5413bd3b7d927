/* SPDX-License-Identifier: ISC */
/*
 * The `:` commands: one table drives dispatch, the help screen, Tab completion of names,
 * read-only mode and the README list (`leitstand keys`).
 */
#ifndef COMMAND_H
#define COMMAND_H

#include <stdio.h>

struct command {
	const char	*name;
	const char	*alias;		/* another name, or NULL */
	const char	*args;		/* what follows the name, for help; NULL: nothing */
	int		 need_args;	/* without them the name may still be a view's */
	const char	*help;
	const char	*changes;	/* what it changes, refused on a read-only console;
					   NULL: it only reads */
	/* arg: the first word after the name (NULL if none); rest: all of the line after
	   the name. Returns -1 after reporting a mistake. */
	int		(*exec)(const char *arg, const char *rest);
};

extern const struct command	command_table[];
extern const int		command_count;

/* Runs a `:` command line; returns -1 (and reports) when it is unknown or wrong. */
int	command_run(const char *);
/* Opens the `:` line with initial text; Enter runs it, Tab completes the command name. */
void	command_prompt(const char *initial);
/* The line with its command name completed (a new string), or NULL if nothing fits. */
char	*command_complete(const char *);
/* Prints the command table as Markdown (README and `leitstand keys`). */
void	command_print(FILE *);
/* The "args" of a command as shown in help and docs: ":open SEV TITLE". */
void	command_usage(const struct command *, char *, size_t);

#endif
