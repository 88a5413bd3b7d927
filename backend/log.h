/* SPDX-License-Identifier: ISC */
/* Per-process debug log (-v): one escaped line per message, never to the terminal. */
#ifndef LOG_H
#define LOG_H

/* Opens a new leitstand-NAME-PID.log in the current directory (-1, -2 ... when the name is
   taken; never an existing file or a symlink). */
void	log_open(const char *name);
void	log_close(void);
/* Writes one line; every byte outside printable ASCII is escaped. */
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
