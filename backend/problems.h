/* SPDX-License-Identifier: ISC */
/*
 * A list of problems found in files, reported as one "FILE:LINE: msg" line
 * each (config files, playbooks, the playbook library). Past its limit it
 * counts instead of keeping, and ends the list with one line that says so.
 */
#ifndef PROBLEMS_H
#define PROBLEMS_H

#include <stddef.h>

struct problem {
	char	*file;		/* NULL: the message says where itself */
	size_t	 line;		/* 0: the file as a whole */
	size_t	 seq;		/* order of finding, for a stable sort */
	char	*msg;
};

struct problems {
	struct problem	*v;
	size_t		 n;
	size_t		 max;		/* kept at most; 0: no limit */
	size_t		 dropped;
	char		*dropped_file;	/* where the first one not kept was */
	size_t		 dropped_line;
};

void	problems_init(struct problems *, size_t max);
/* Adds a problem at file:line; line breaks in the message become spaces. */
void	problems_add(struct problems *, const char *file, size_t line, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
/* Returns the problems as lines (in line order if by_line) and empties the list; NULL if none. */
char	*problems_take(struct problems *, int by_line);
void	problems_free(struct problems *);

#endif
