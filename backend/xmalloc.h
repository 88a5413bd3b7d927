/* SPDX-License-Identifier: ISC */
/* Allocation wrappers that never return NULL: out of memory is fatal. */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>
#include <stdarg.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int   xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));
int   xvasprintf(char **, const char *, va_list) __attribute__((format(printf, 2, 0)));
/* Returns a newly allocated formatted string. */
char *xprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Prints "leitstand: message" to stderr and exits; for states that cannot happen. */
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
