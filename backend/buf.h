/* SPDX-License-Identifier: ISC */
/* Growable byte buffer, always NUL-terminated after its data. */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addch(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
/* Removes the first n bytes. */
void	 buf_drain(struct buf *, size_t);
/* Hands the data to the caller (who frees it) and leaves the buffer empty. */
char	*buf_take(struct buf *);

#endif
