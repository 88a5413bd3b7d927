/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/problems.h"
#include "backend/xmalloc.h"

void
problems_init(struct problems *p, size_t max)
{
	memset(p, 0, sizeof *p);
	p->max = max;
}

void
problems_add(struct problems *p, const char *file, size_t line, const char *fmt, ...)
{
	struct problem	*e;
	va_list		 ap;
	char		*c;

	if (p->max > 0 && p->n == p->max) {
		if (p->dropped++ == 0) {
			p->dropped_file = file != NULL ? xstrdup(file) : NULL;
			p->dropped_line = line;
		} else if (file != NULL && p->dropped_file != NULL &&
		    strcmp(file, p->dropped_file) == 0 && line < p->dropped_line)
			p->dropped_line = line;
		return;
	}
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	e = &p->v[p->n];
	e->file = file != NULL ? xstrdup(file) : NULL;
	e->line = line;
	e->seq = p->n++;
	va_start(ap, fmt);
	xvasprintf(&e->msg, fmt, ap);
	va_end(ap);
	/* Quoted text may hold line breaks: one problem stays one line. */
	for (c = e->msg; *c != '\0'; c++) {
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	}
}

static int
problems_cmp(const void *a, const void *b)
{
	const struct problem	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Appends "FILE:LINE: ", "FILE: " or nothing, as much as is known. */
static void
problems_where(struct buf *b, const char *file, size_t line)
{
	if (file == NULL)
		return;
	if (line > 0)
		buf_printf(b, "%s:%zu: ", file, line);
	else
		buf_printf(b, "%s: ", file);
}

char *
problems_take(struct problems *p, int by_line)
{
	struct buf	b;
	size_t		i, max = p->max;

	if (p->n == 0 && p->dropped == 0)
		return NULL;
	if (by_line)
		qsort(p->v, p->n, sizeof *p->v, problems_cmp);
	buf_init(&b);
	for (i = 0; i < p->n; i++) {
		if (i > 0)
			buf_addch(&b, '\n');
		problems_where(&b, p->v[i].file, p->v[i].line);
		buf_addstr(&b, p->v[i].msg);
	}
	if (p->dropped > 0) {
		buf_addch(&b, '\n');
		problems_where(&b, p->dropped_file, p->dropped_line);
		buf_printf(&b, "too many problems, %zu more not shown", p->dropped);
	}
	problems_free(p);
	problems_init(p, max);
	return buf_take(&b);
}

void
problems_free(struct problems *p)
{
	size_t	i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].file);
		free(p->v[i].msg);
	}
	free(p->v);
	free(p->dropped_file);
	memset(p, 0, sizeof *p);
}
