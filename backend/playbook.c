/* SPDX-License-Identifier: ISC */
/*
 * Playbook parser. The front matter is read line by line (playbook-front.c)
 * and ```check blocks are parsed in playbook-check.c; the rest of the file
 * goes to md4c, whose callbacks here build the JSON:
 *
 *	{"id", "title", "version", "lang", "level", "applies_to": [...],
 *	 "owner", "file", "intro": [blocks],
 *	 "steps": [{"title", "line", "blocks": [...],
 *		    "skip_if_checks_pass", "checklist", "checks"}]}
 *
 * with blocks {"type": "para"|"heading"|"list"|"checklist"|"check"|"sh"|
 * "code"|"quote", ...}. Inline text keeps code spans, emphasis and strong
 * emphasis as `code`, *em* and **strong**, for the console to style; a
 * literal backslash, star or backtick outside code gets a backslash before
 * it. Lists and quotes are flattened to text; code blocks and tables always
 * become blocks of their own, splitting a list or quote they sit in.
 *
 * md4c reports no positions, but the text it hands over points into the
 * input: the parser keeps a cursor just past the last byte seen and finds
 * what has no text (an empty "##", a fence without info string, a closing
 * fence) by looking at the lines after it. Nothing here recurses, so the
 * depth of the document does not matter.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <md4c.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/buf.h"
#include "backend/playbook-parse.h"
#include "backend/playbook.h"
#include "backend/problems.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

/* Problems kept per file; the rest are counted in one last line. */
#define PB_MAX_ERRORS	1000
/* List levels shown as indentation; deeper items are shown at this level. */
#define PB_MAX_NEST	16
/*
 * md4c 0.4.8 reads a little past the end of some documents (an inline link
 * at the very end, for one): it gets a copy ending in a newline and zeros.
 */
#define PB_PAD		64

/* Records a problem at a line. */
void
pb_error(struct pb_parse *p, size_t line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	problems_add(&p->problems, p->file, line, "%s", msg);
	free(msg);
}

/* Lines end at \n, \r\n or a lone \r, as md4c sees them. */
static void
pb_lines(struct pb_parse *p)
{
	size_t	i, cap = 64;

	p->lines = xreallocarray(NULL, cap, sizeof *p->lines);
	p->lines[0] = 0;
	p->nlines = 1;
	for (i = 0; i < p->len; i++) {
		if (p->text[i] != '\n' && p->text[i] != '\r')
			continue;
		if (p->text[i] == '\r' && i + 1 < p->len && p->text[i + 1] == '\n')
			i++;
		if (i + 1 == p->len)
			break;
		if (p->nlines == cap) {
			cap *= 2;
			p->lines = xreallocarray(p->lines, cap, sizeof *p->lines);
		}
		p->lines[p->nlines++] = (uint32_t)(i + 1);
	}
}

/* Returns the line (from 1) holding an offset. */
static size_t
pb_line(struct pb_parse *p, size_t off)
{
	size_t	lo = 0, hi = p->nlines;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1;
}

/* Sets *s and *e to a line's text without its line ending. */
void
pb_line_span(struct pb_parse *p, size_t line, const char **s, const char **e)
{
	size_t	start = p->lines[line - 1], end;

	end = line < p->nlines ? p->lines[line] : p->len;
	while (end > start && (p->text[end - 1] == '\n' || p->text[end - 1] == '\r'))
		end--;
	*s = p->text + start;
	*e = p->text + end;
}

size_t
pb_line_start(struct pb_parse *p, size_t line)
{
	if (line > p->nlines)
		return p->len;
	return p->lines[line - 1];
}

/* Returns the offset of a pointer into the file, or (size_t)-1 if md4c made it up. */
static size_t
pb_offset(struct pb_parse *p, const char *s)
{
	uintptr_t	a = (uintptr_t)s, base = (uintptr_t)p->text;

	if (s == NULL || a < base || a > base + p->mdlen)
		return (size_t)-1;
	return a - base;
}

static void
pb_seen(struct pb_parse *p, const char *s, size_t n)
{
	size_t	off = pb_offset(p, s);

	if (off != (size_t)-1 && off + n > p->cursor && off + n <= p->len)
		p->cursor = off + n;
}

/* The first line that may hold a block starting after the cursor. */
static size_t
pb_search_from(struct pb_parse *p)
{
	size_t	line = pb_line(p, p->cursor);

	if (p->cursor > p->lines[line - 1])
		line++;
	return line;
}

static int
pb_blank(const char *s, const char *e)
{
	for (; s < e; s++) {
		if (*s != ' ' && *s != '\t')
			return 0;
	}
	return 1;
}

void
pb_trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* Skips container prefixes: blanks, '>' and, if markers is set, list markers. */
static const char *
pb_strip(const char *s, const char *e, int markers)
{
	const char	*d;

	for (;;) {
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s < e && *s == '>') {
			s++;
			continue;
		}
		if (!markers)
			return s;
		if (e - s >= 2 && (*s == '-' || *s == '+' || *s == '*') &&
		    (s[1] == ' ' || s[1] == '\t')) {
			s += 2;
			continue;
		}
		for (d = s; d < e && d - s < 9 && isdigit((unsigned char)*d); d++)
			/* nothing */;
		if (d > s && e - d >= 2 && (*d == '.' || *d == ')') &&
		    (d[1] == ' ' || d[1] == '\t')) {
			s = d + 2;
			continue;
		}
		return s;
	}
}

static size_t
pb_run(const char *s, const char *e, char c)
{
	size_t	n = 0;

	while (s + n < e && s[n] == c)
		n++;
	return n;
}

/* Finds the line of an opening fence at or after the cursor; 0 if none. */
static size_t
pb_find_fence(struct pb_parse *p, char c)
{
	const char	*s, *e;
	size_t		 line, from = pb_search_from(p), *fail;

	fail = &p->nofence[c == '~'];
	if (*fail != 0 && from >= *fail)
		return 0;
	for (line = from; line <= p->nlines; line++) {
		pb_line_span(p, line, &s, &e);
		s = pb_strip(s, e, 1);
		if (pb_run(s, e, c) >= 3)
			return line;
	}
	*fail = from;
	return 0;
}

/* Finds the line of an ATX "##" heading at or after the cursor; 0 if none. */
static size_t
pb_find_heading(struct pb_parse *p)
{
	const char	*s, *e, *t;
	size_t		 line, from = pb_search_from(p);

	if (p->nohead != 0 && from >= p->nohead)
		return 0;
	for (line = from; line <= p->nlines; line++) {
		pb_line_span(p, line, &s, &e);
		for (t = s; t < e && t - s < 3 && *t == ' '; t++)
			/* nothing */;
		if (e - t >= 2 && t[0] == '#' && t[1] == '#' &&
		    (e - t == 2 || t[2] == ' ' || t[2] == '\t'))
			return line;
	}
	p->nohead = from;
	return 0;
}

/* Appends the UTF-8 encoding of a code point (U+FFFD for what is not one). */
static void
pb_utf8(struct buf *b, unsigned long cp)
{
	char	u[4];
	size_t	n = 0;

	/* utf8_encode refuses surrogates; NUL is never text here. */
	if (cp != 0 && cp <= 0x10ffff)
		n = utf8_encode((uint32_t)cp, u);
	if (n == 0)
		buf_addstr(b, UTF8_FFFD);
	else
		buf_add(b, u, n);
}

/* Appends an entity ("&amp;", "&#65;"): numeric and common named ones decoded, others as written. */
static void
pb_entity(struct buf *b, const char *s, size_t n)
{
	static const struct {
		const char	*name;
		unsigned long	 cp;
	} named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "nbsp", 0xa0 }, { "copy", 0xa9 },
		{ "reg", 0xae }, { "deg", 0xb0 }, { "times", 0xd7 },
		{ "ndash", 0x2013 }, { "mdash", 0x2014 }, { "hellip", 0x2026 },
		{ "larr", 0x2190 }, { "rarr", 0x2192 }, { "euro", 0x20ac },
	};
	unsigned long	cp = 0;
	size_t		i, k;
	int		base = 10;

	if (n < 3 || s[0] != '&' || s[n - 1] != ';')
		goto raw;
	if (s[1] == '#') {
		i = 2;
		if (i < n - 1 && (s[i] == 'x' || s[i] == 'X')) {
			base = 16;
			i++;
		}
		if (i == n - 1 || n - 1 - i > 7)
			goto raw;
		for (; i < n - 1; i++) {
			if (!isxdigit((unsigned char)s[i]))
				goto raw;
			if (base == 10 && !isdigit((unsigned char)s[i]))
				goto raw;
			cp = cp * base + (unsigned long)(isdigit((unsigned char)s[i]) ?
			    s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
		}
		pb_utf8(b, cp);
		return;
	}
	for (k = 0; k < sizeof named / sizeof named[0]; k++) {
		if (strlen(named[k].name) == n - 2 &&
		    memcmp(named[k].name, s + 1, n - 2) == 0) {
			pb_utf8(b, named[k].cp);
			return;
		}
	}
raw:
	buf_add(b, s, n);
}

/* Returns an md4c attribute (a link target) as a string. */
static char *
pb_attribute(struct pb_parse *p, const MD_ATTRIBUTE *a)
{
	struct buf	b;
	size_t		i, start, end;

	buf_init(&b);
	buf_addstr(&b, "");
	/* Nothing md4c builds is longer than the document. */
	if (a->text == NULL || a->size == 0 || a->size > p->mdlen)
		return buf_take(&b);
	if (a->substr_offsets == NULL || a->substr_types == NULL) {
		buf_add(&b, a->text, a->size);
		return buf_take(&b);
	}
	for (i = 0; a->substr_offsets[i] < a->size; i++) {
		start = a->substr_offsets[i];
		end = a->substr_offsets[i + 1];
		if (end > a->size || end < start)
			break;
		switch (a->substr_types[i]) {
		case MD_TEXT_ENTITY:
			pb_entity(&b, a->text + start, end - start);
			break;
		case MD_TEXT_NULLCHAR:
			buf_addstr(&b, UTF8_FFFD);
			break;
		default:
			buf_add(&b, a->text + start, end - start);
			break;
		}
	}
	return buf_take(&b);
}

/* Returns a trimmed copy of a buffer's text. */
static char *
pb_trimmed(struct buf *b)
{
	const char	*s, *e;

	if (b->data == NULL)
		return xstrdup("");
	s = b->data;
	e = b->data + b->len;
	pb_trim(&s, &e);
	return xstrndup(s, e - s);
}

/*
 * Adds a block to the section. Once there is a problem the playbook will not
 * load, so nothing more is built: memory stays small for broken files.
 */
void
pb_block(struct pb_parse *p, cJSON *block)
{
	if (p->problems.n > 0 || p->section == NULL)
		cJSON_Delete(block);
	else
		cJSON_AddItemToArray(p->section, block);
}

cJSON *
pb_block_new(const char *type)
{
	cJSON	*block;

	block = cJSON_CreateObject();
	cJSON_AddStringToObject(block, "type", type);
	return block;
}

/* Adds a list item, starting a new list block when its kind changes. */
static void
pb_item(struct pb_parse *p, int task, int checked, int indent, const char *text)
{
	struct buf	 b;
	cJSON		*block, *item;
	int		 i;

	if (p->problems.n > 0 || p->section == NULL) {
		p->nchecklist += task;
		p->list = NULL;
		return;
	}
	if (p->list == NULL || p->list_task != task) {
		block = pb_block_new(task ? "checklist" : "list");
		p->list = cJSON_AddArrayToObject(block, "items");
		p->list_task = task;
		pb_block(p, block);
	}
	buf_init(&b);
	for (i = 0; i < indent; i++)
		buf_addstr(&b, "  ");
	buf_addstr(&b, text);
	if (task) {
		item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "text", b.data);
		cJSON_AddNumberToObject(item, "index", p->nchecklist++);
		cJSON_AddBoolToObject(item, "checked", checked);
		cJSON_AddItemToArray(p->list, item);
	} else
		cJSON_AddItemToArray(p->list, cJSON_CreateString(b.data));
	buf_free(&b);
}

static void
pb_txt_reset(struct pb_parse *p)
{
	buf_reset(&p->txt);
	p->txt_line = 0;
}

/* Ends the text of a list item: a task item always shows, a plain one if not empty. */
static void
pb_flush_item(struct pb_parse *p)
{
	char	*text;

	text = pb_trimmed(&p->txt);
	if (*text != '\0' || p->item_task)
		pb_item(p, p->item_task, p->item_checked, p->item_indent, text);
	free(text);
	p->item_task = p->item_checked = 0;
	pb_txt_reset(p);
}

static void
pb_flush_quote(struct pb_parse *p)
{
	cJSON	*block;
	char	*text;

	text = pb_trimmed(&p->txt);
	if (*text != '\0') {
		block = pb_block_new("quote");
		cJSON_AddStringToObject(block, "text", text);
		pb_block(p, block);
	}
	free(text);
	pb_txt_reset(p);
}

/* Ends the list item or quote text before a code block or table inside it. */
static void
pb_flush_container(struct pb_parse *p)
{
	if (p->top == MD_BLOCK_UL || p->top == MD_BLOCK_OL)
		pb_flush_item(p);
	else if (p->top == MD_BLOCK_QUOTE)
		pb_flush_quote(p);
	p->list = NULL;
}

static void
pb_step_end(struct pb_parse *p)
{
	if (p->step == NULL)
		return;
	cJSON_AddBoolToObject(p->step, "skip_if_checks_pass", p->skip);
	cJSON_AddNumberToObject(p->step, "checklist", p->nchecklist);
	cJSON_AddNumberToObject(p->step, "checks", p->nchecks);
}

static void
pb_step_start(struct pb_parse *p, const char *title, size_t line)
{
	cJSON	*steps;

	pb_step_end(p);
	p->nsteps++;
	p->step = NULL;
	p->section = NULL;
	if (p->problems.n == 0) {
		steps = cJSON_GetObjectItemCaseSensitive(p->root, "steps");
		p->step = cJSON_CreateObject();
		cJSON_AddStringToObject(p->step, "title", title);
		cJSON_AddNumberToObject(p->step, "line", (double)line);
		p->section = cJSON_AddArrayToObject(p->step, "blocks");
		cJSON_AddItemToArray(steps, p->step);
	}
	p->nchecklist = p->nchecks = p->skip = 0;
	p->list = NULL;
}

/* The line of the current text, or of the next "##" heading, or after the cursor. */
static size_t
pb_heading_line(struct pb_parse *p)
{
	size_t	line;

	if (p->txt_line != 0)
		return p->txt_line;
	if ((line = pb_find_heading(p)) != 0) {
		if (pb_line_start(p, line + 1) > p->cursor)
			p->cursor = pb_line_start(p, line + 1);
		return line;
	}
	line = pb_search_from(p);
	return line > p->nlines ? p->nlines : line;
}

static void
pb_heading_end(struct pb_parse *p)
{
	cJSON	*block;
	char	*text;
	size_t	 line;

	text = pb_trimmed(&p->txt);
	if (p->heading == 2) {
		line = pb_heading_line(p);
		if (*text == '\0')
			pb_error(p, line, "a step without a title: write it after the '##'");
		pb_step_start(p, text, line);
	} else if (*text != '\0') {
		block = pb_block_new("heading");
		cJSON_AddNumberToObject(block, "level", p->heading);
		cJSON_AddStringToObject(block, "text", text);
		pb_block(p, block);
	}
	free(text);
	p->heading = 0;
	pb_txt_reset(p);
}

static void
pb_para_end(struct pb_parse *p)
{
	cJSON		*block;
	const char	*s, *e;
	char		*text;
	size_t		 line;

	text = pb_trimmed(&p->txt);
	line = p->txt_line != 0 ? p->txt_line : pb_line(p, p->cursor);
	if (strncmp(text, "skip_if:", 8) == 0) {
		s = text + 8;
		e = s + strlen(s);
		pb_trim(&s, &e);
		if (p->nsteps == 0)
			pb_error(p, line, "skip_if before the first step: move it under a '## ' heading");
		else if ((size_t)(e - s) != 11 || memcmp(s, "checks_pass", 11) != 0) {
			pb_error(p, line, "skip_if: unknown condition '%.*s' (only checks_pass)",
			    (int)((size_t)(e - s) > PB_QUOTE ? PB_QUOTE : (size_t)(e - s)), s);
		} else
			p->skip = 1;
	} else if (*text != '\0') {
		block = pb_block_new("para");
		cJSON_AddStringToObject(block, "text", text);
		pb_block(p, block);
	}
	free(text);
	pb_txt_reset(p);
}

static void
pb_code_start(struct pb_parse *p, const MD_BLOCK_CODE_DETAIL *d)
{
	size_t	off;

	pb_flush_container(p);
	p->code = 1;
	p->code_nl = 0;
	p->fence = d->fence_char;
	p->fence_found = 0;
	buf_reset(&p->cbuf);
	free(p->lang);
	p->lang = NULL;
	if (d->lang.text != NULL && d->lang.size > 0 && d->lang.size <= p->mdlen)
		p->lang = xstrndup(d->lang.text, d->lang.size);
	if (p->fence == 0)
		return;
	off = pb_offset(p, d->info.text);
	if (off != (size_t)-1 && d->info.size > 0) {
		p->code_line = pb_line(p, off);
		p->fence_found = 1;
	} else if ((p->code_line = pb_find_fence(p, p->fence)) != 0)
		p->fence_found = 1;
	else
		p->code_line = pb_search_from(p);
	if (p->code_line > p->nlines)
		p->code_line = p->nlines;
	if (p->fence_found && pb_line_start(p, p->code_line + 1) > p->cursor)
		p->cursor = pb_line_start(p, p->code_line + 1);
}

/* Reports a fence that md4c ran to the end of its container. */
static void
pb_code_closed(struct pb_parse *p)
{
	const char	*s, *e;
	size_t		 open, close, n;

	if (!p->fence_found)
		return;
	pb_line_span(p, p->code_line, &s, &e);
	s = pb_strip(s, e, 1);
	if ((n = pb_run(s, e, p->fence)) < 3)
		n = 3;
	open = p->code_line;
	close = open + 1 + p->code_nl;
	if (close <= p->nlines) {
		pb_line_span(p, close, &s, &e);
		s = pb_strip(s, e, 0);
		if (pb_run(s, e, p->fence) >= n && pb_blank(s + pb_run(s, e, p->fence), e)) {
			if (pb_line_start(p, close + 1) > p->cursor)
				p->cursor = pb_line_start(p, close + 1);
			return;
		}
	}
	pb_error(p, open, "code fence not closed: add a line '%.*s' after the block",
	    (int)n, p->fence == '~' ? "~~~~~~~~~~~~~~~~" : "````````````````");
}

static void
pb_code_end(struct pb_parse *p)
{
	cJSON	*block;
	char	*text;

	if (p->fence != 0)
		pb_code_closed(p);
	if (p->cbuf.len > 0 && p->cbuf.data[p->cbuf.len - 1] == '\n')
		p->cbuf.len--;
	buf_addstr(&p->cbuf, "");
	text = p->cbuf.data;
	if (p->lang != NULL && p->fence != 0 && strcmp(p->lang, "check") == 0)
		pb_check(p, text);
	else {
		block = pb_block_new(p->lang != NULL && p->fence != 0 &&
		    strcmp(p->lang, "sh") == 0 ? "sh" : "code");
		cJSON_AddStringToObject(block, "text", text);
		pb_block(p, block);
	}
	buf_reset(&p->cbuf);
	free(p->lang);
	p->lang = NULL;
	p->code = 0;
}

static int
pb_enter_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	static const MD_BLOCK_CODE_DETAIL no_detail;
	struct pb_parse		*p = arg;
	MD_BLOCK_LI_DETAIL	*li;
	MD_BLOCK_H_DETAIL	*h;
	int			 quoted;

	p->depth++;
	if (p->depth == 2) {
		p->top = type;
		p->list = NULL;
		pb_txt_reset(p);
	}
	quoted = p->depth > 2 && p->top == MD_BLOCK_QUOTE;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		if (p->lists > 0 && !quoted)
			pb_flush_item(p);
		p->lists++;
		break;
	case MD_BLOCK_LI:
		li = detail;
		if (quoted) {
			if (p->txt.len > 0)
				buf_addch(&p->txt, '\n');
			buf_addstr(&p->txt, "- ");
			p->quote_li = 1;
			break;
		}
		pb_flush_item(p);
		p->item_task = li->is_task;
		p->item_checked = li->is_task && (li->task_mark == 'x' || li->task_mark == 'X');
		p->item_indent = p->lists - 1 < PB_MAX_NEST - 1 ? p->lists - 1 : PB_MAX_NEST - 1;
		if (li->is_task &&
		    p->body + li->task_mark_offset + 1 > p->cursor &&
		    p->body + li->task_mark_offset < p->len)
			p->cursor = p->body + li->task_mark_offset + 1;
		break;
	case MD_BLOCK_H:
		h = detail;
		if (p->depth == 2) {
			p->heading = h->level;
			break;
		}
		/* FALLTHROUGH */
	case MD_BLOCK_P:
		if (p->depth == 2 || p->txt.len == 0)
			break;
		if (quoted && p->txt.data[p->txt.len - 1] != '\n' && !p->quote_li)
			buf_addch(&p->txt, '\n');
		else if (!quoted)
			buf_addch(&p->txt, ' ');
		break;
	case MD_BLOCK_CODE:
		pb_code_start(p, detail);
		break;
	case MD_BLOCK_HTML:		/* not with MD_FLAG_NOHTML; shown as code */
		pb_code_start(p, &no_detail);
		break;
	case MD_BLOCK_TABLE:
		pb_flush_container(p);
		p->table = 1;
		buf_reset(&p->cbuf);
		break;
	case MD_BLOCK_TR:
		if (p->cbuf.len > 0)
			buf_addch(&p->cbuf, '\n');
		p->cells = 0;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		if (p->cells++ > 0)
			buf_addstr(&p->cbuf, " | ");
		break;
	default:
		break;
	}
	return 0;
}

static int
pb_leave_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct pb_parse	*p = arg;
	cJSON		*block;
	int		 quoted;

	(void)detail;
	quoted = p->depth > 2 && p->top == MD_BLOCK_QUOTE;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		p->lists--;
		if (!quoted && p->lists > 0)
			p->item_indent = p->lists - 1 < PB_MAX_NEST - 1 ?
			    p->lists - 1 : PB_MAX_NEST - 1;
		if (p->depth == 2)
			p->list = NULL;
		break;
	case MD_BLOCK_LI:
		if (!quoted)
			pb_flush_item(p);
		break;
	case MD_BLOCK_QUOTE:
		if (p->depth == 2)
			pb_flush_quote(p);
		break;
	case MD_BLOCK_H:
		if (p->depth == 2)
			pb_heading_end(p);
		break;
	case MD_BLOCK_P:
		if (p->depth == 2)
			pb_para_end(p);
		break;
	case MD_BLOCK_CODE:
	case MD_BLOCK_HTML:
		if (p->code)
			pb_code_end(p);
		break;
	case MD_BLOCK_TABLE:
		block = pb_block_new("code");
		cJSON_AddStringToObject(block, "text", p->cbuf.data != NULL ? p->cbuf.data : "");
		pb_block(p, block);
		buf_reset(&p->cbuf);
		p->table = 0;
		break;
	default:
		break;
	}
	p->depth--;
	return 0;
}

static struct buf *
pb_sink(struct pb_parse *p)
{
	return p->code || p->table ? &p->cbuf : &p->txt;
}

static int
pb_enter_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct pb_parse		*p = arg;
	const MD_ATTRIBUTE	*a;

	switch (type) {
	case MD_SPAN_CODE:
		buf_addch(pb_sink(p), '`');
		break;
	case MD_SPAN_EM:
		buf_addch(pb_sink(p), '*');
		break;
	case MD_SPAN_STRONG:
		buf_addstr(pb_sink(p), "**");
		break;
	case MD_SPAN_A:
	case MD_SPAN_IMG:
		if (type == MD_SPAN_A)
			a = &((MD_SPAN_A_DETAIL *)detail)->href;
		else
			a = &((MD_SPAN_IMG_DETAIL *)detail)->src;
		if (p->nhrefs < PB_MAX_HREFS) {
			p->hrefs[p->nhrefs].href = pb_attribute(p, a);
			p->hrefs[p->nhrefs].start = pb_sink(p)->len;
		}
		p->nhrefs++;
		break;
	default:
		break;
	}
	return 0;
}

static int
pb_leave_span(MD_SPANTYPE type, void *detail, void *arg)
{
	struct pb_parse	*p = arg;
	struct pb_href	*h;
	struct buf	*b = pb_sink(p);
	size_t		 n;

	(void)detail;
	switch (type) {
	case MD_SPAN_CODE:
		buf_addch(b, '`');
		break;
	case MD_SPAN_EM:
		buf_addch(b, '*');
		break;
	case MD_SPAN_STRONG:
		buf_addstr(b, "**");
		break;
	case MD_SPAN_A:
	case MD_SPAN_IMG:
		if (p->nhrefs == 0)
			break;
		if (--p->nhrefs >= PB_MAX_HREFS)
			break;
		h = &p->hrefs[p->nhrefs];
		if (h->start > b->len)
			h->start = b->len;
		n = strlen(h->href);
		if (n > 0 && (b->len - h->start != n ||
		    memcmp(b->data + h->start, h->href, n) != 0))
			buf_printf(b, " (%s)", h->href);
		free(h->href);
		h->href = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static int
pb_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *arg)
{
	struct pb_parse	*p = arg;
	struct buf	*b = pb_sink(p);
	size_t		 off, i;

	p->quote_li = 0;
	off = pb_offset(p, text);
	if (off != (size_t)-1 && size > p->mdlen - off)
		size = (MD_SIZE)(p->mdlen - off);
	else if (off == (size_t)-1 && size > PB_PAD)
		return 0;	/* md4c's own strings are short: a bogus size */
	if (off != (size_t)-1) {
		pb_seen(p, text, size);
		if (b == &p->txt && p->txt_line == 0)
			p->txt_line = pb_line(p, off);
	}
	switch (type) {
	case MD_TEXT_NULLCHAR:
		buf_addstr(b, UTF8_FFFD);
		break;
	case MD_TEXT_BR:
		buf_addch(b, '\n');
		break;
	case MD_TEXT_SOFTBR:
		buf_addch(b, ' ');
		break;
	case MD_TEXT_ENTITY:
		pb_entity(b, text, size);
		break;
	default:
		if (p->code) {
			for (i = 0; i < size; i++) {
				if (text[i] == '\n')
					p->code_nl++;
			}
		}
		if (type == MD_TEXT_NORMAL && b == &p->txt) {
			/* Literal markers escaped, so that they differ from the spans'. */
			for (i = 0; i < size; i++) {
				if (text[i] == '\\' || text[i] == '*' || text[i] == '`')
					buf_addch(b, '\\');
				buf_addch(b, text[i]);
			}
		} else
			buf_add(b, text, size);
		break;
	}
	return 0;
}

/* Reports NUL bytes and invalid UTF-8, once per line each. */
static void
pb_encoding(struct pb_parse *p)
{
	const unsigned char	*s = (const unsigned char *)p->text;
	size_t			 i = 0, line = 1, nul_line = 0, bad_line = 0, n;

	while (i < p->len) {
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == p->len || s[i + 1] != '\n'))) {
			line++;
			i++;
			continue;
		}
		if (s[i] == '\0') {
			if (nul_line != line)
				pb_error(p, line, "NUL byte: a playbook is UTF-8 text");
			nul_line = line;
			i++;
			continue;
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_char_len(p->text + i, p->len - i)) == 0)
			goto bad;
		i += n;
		continue;
	bad:
		if (bad_line != line)
			pb_error(p, line, "invalid UTF-8: save the file as UTF-8");
		bad_line = line;
		i++;
	}
}

static void
pb_free(struct pb_parse *p)
{
	size_t	i;

	problems_free(&p->problems);
	free(p->lines);
	free(p->text);
	for (i = 0; i < p->nhrefs && i < PB_MAX_HREFS; i++)
		free(p->hrefs[i].href);
	buf_free(&p->txt);
	buf_free(&p->cbuf);
	free(p->lang);
	cJSON_Delete(p->root);
}

/* Parses a playbook's text into JSON, or returns NULL with every problem. */
cJSON *
playbook_parse(const char *text, size_t len, const char *file, char **errors)
{
	struct pb_parse	 p;
	MD_PARSER	 md;
	cJSON		*root;
	char		*errs;
	int		 closed;

	if (errors != NULL)
		*errors = NULL;
	if (file == NULL)
		file = "-";
	if (text == NULL)
		len = 0;
	if (len > PLAYBOOK_MAX) {
		if (errors != NULL) {
			*errors = xprintf("%s:1: file too large (%zu bytes; the limit is "
			    "1 MiB)", file, len);
		}
		return NULL;
	}
	memset(&p, 0, sizeof p);
	p.len = len;
	p.text = xcalloc(1, len + 1 + PB_PAD);
	if (len > 0)
		memcpy(p.text, text, len);
	p.mdlen = len;
	if (len > 0 && text[len - 1] != '\n' && text[len - 1] != '\r')
		p.text[p.mdlen++] = '\n';
	p.file = file;
	problems_init(&p.problems, PB_MAX_ERRORS);
	buf_init(&p.txt);
	buf_init(&p.cbuf);
	pb_lines(&p);
	pb_encoding(&p);
	closed = pb_front_matter(&p) == 0;
	cJSON_AddStringToObject(p.root, "file", file);
	p.section = cJSON_AddArrayToObject(p.root, "intro");
	cJSON_AddArrayToObject(p.root, "steps");

	memset(&md, 0, sizeof md);
	md.flags = MD_FLAG_TASKLISTS | MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH |
	    MD_FLAG_NOHTML;
	md.enter_block = pb_enter_block;
	md.leave_block = pb_leave_block;
	md.enter_span = pb_enter_span;
	md.leave_span = pb_leave_span;
	md.text = pb_text;
	if (p.cursor < p.body)
		p.cursor = p.body;
	if (p.body < p.len &&
	    md_parse(p.text + p.body, (MD_SIZE)(p.mdlen - p.body), &md, &p) != 0)
		pb_error(&p, pb_line(&p, p.body), "markdown parser failed (out of memory?)");
	pb_step_end(&p);
	if (p.nsteps == 0 && closed) {
		pb_error(&p, p.body < p.len ? pb_line(&p, p.body) : p.nlines,
		    "no steps: start each step with a '## ' heading");
	}

	errs = problems_take(&p.problems, 1);
	root = p.root;
	if (errs != NULL) {
		if (errors != NULL)
			*errors = errs;
		else
			free(errs);
		root = NULL;
	} else
		p.root = NULL;
	pb_free(&p);
	return root;
}

/* Reads a playbook file (at most PLAYBOOK_MAX bytes) and parses it. */
cJSON *
playbook_load(const char *path, char **errors)
{
	struct stat	 st;
	cJSON		*root;
	char		*data;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	*errors = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*errors = xprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*errors = xprintf("%s: %s", path, S_ISREG(st.st_mode) ?
		    strerror(errno) : "not a regular file");
		close(fd);
		return NULL;
	}
	if (st.st_size > PLAYBOOK_MAX) {
		*errors = xprintf("%s:1: file too large (%lld bytes; the limit is 1 MiB)",
		    path, (long long)st.st_size);
		close(fd);
		return NULL;
	}
	data = xmalloc(PLAYBOOK_MAX + 1);
	while (len < PLAYBOOK_MAX + 1) {
		n = read(fd, data + len, PLAYBOOK_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*errors = xprintf("%s: %s", path, strerror(errno));
			free(data);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	root = playbook_parse(data, len, path, errors);
	free(data);
	return root;
}
