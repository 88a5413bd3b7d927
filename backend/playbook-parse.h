/* SPDX-License-Identifier: ISC */
/* The playbook parser's state and the helpers its files share (document, front matter, checks). */
#ifndef PLAYBOOK_PARSE_H
#define PLAYBOOK_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <md4c.h>

#include "backend/buf.h"
#include "backend/problems.h"

/* Nested links and images whose target is remembered. */
#define PB_MAX_HREFS	16
/* Bytes of a user's text quoted in a message. */
#define PB_QUOTE	48

struct pb_href {
	char	*href;
	size_t	 start;		/* length of the sink when the link opened */
};

struct pb_parse {
	char		*text;		/* a padded copy of the whole file */
	size_t		 len;		/* of the file */
	size_t		 mdlen;		/* handed to md4c: len and maybe a newline */
	const char	*file;
	uint32_t	*lines;		/* offset of the start of each line */
	size_t		 nlines;
	size_t		 body;		/* offset of what follows the front matter */

	struct problems	 problems;

	cJSON		*root;
	cJSON		*section;	/* blocks of the intro or of the current step */
	cJSON		*step;		/* NULL in the intro or once broken */
	size_t		 nsteps;
	int		 nchecklist;	/* of the current section */
	int		 nchecks;
	int		 skip;
	cJSON		*list;		/* items of the list block being filled, or NULL */
	int		 list_task;

	size_t		 cursor;	/* just past the last position known */
	size_t		 nofence[2];	/* a fence search from here failed (` and ~) */
	size_t		 nohead;	/* a heading search from here failed */

	int		 depth;		/* of md4c blocks, the document is 1 */
	MD_BLOCKTYPE	 top;		/* the block at depth 2 */
	int		 lists;		/* open lists */
	unsigned	 heading;	/* level of the top-level heading being read */

	struct buf	 txt;		/* paragraph, heading, list item or quote */
	size_t		 txt_line;	/* line of its first byte, 0 if not known */
	int		 item_task;
	int		 item_checked;
	int		 item_indent;
	int		 quote_li;	/* a "- " just went into a quote */

	int		 code;		/* in a code block */
	char		 fence;		/* its fence character, 0 if indented */
	char		*lang;
	size_t		 code_line;	/* line of the opening fence */
	size_t		 code_nl;	/* lines of content */
	int		 fence_found;
	int		 table;		/* in a table */
	int		 cells;
	struct buf	 cbuf;		/* code or table text */

	struct pb_href	 hrefs[PB_MAX_HREFS];
	size_t		 nhrefs;
};

/* Records a problem at a line. */
void	pb_error(struct pb_parse *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Sets *s and *e to a line's text without its line ending. */
void	pb_line_span(struct pb_parse *, size_t, const char **, const char **);
/* The offset where a line starts; the length of the file past the last line. */
size_t	pb_line_start(struct pb_parse *, size_t);
/* Moves *s and *e inwards past white space. */
void	pb_trim(const char **, const char **);
/* Adds a block to the current section (or drops it once the file has a problem). */
void	pb_block(struct pb_parse *, cJSON *);
cJSON	*pb_block_new(const char *);

/* Reads the front matter; sets p->body and p->root. Returns -1 if it is not closed. */
int	pb_front_matter(struct pb_parse *);
/* Parses the lines of a ```check block into a block. */
void	pb_check(struct pb_parse *, const char *);

#endif
