/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/xmalloc.h"
#include "tui/display.h"
#include "tui/widget-pane.h"
#include "tui/wrap.h"

struct pane_text {
	struct wrap	 wrap;
	int		*spans;		/* Markdown spans open at each row's start, or NULL */
};

void
pane_begin(struct pane *p, int y, int h, int top)
{
	p->y = y;
	p->h = h;
	p->top = top;
	p->row = 0;
	p->next = 0;
}

void
pane_forget(struct pane *p)
{
	int i;

	for (i = 0; i < p->n; i++)
		wrap_forget(&p->texts[i].wrap);
}

void
pane_free(struct pane *p)
{
	int i;

	for (i = 0; i < p->n; i++) {
		wrap_free(&p->texts[i].wrap);
		free(p->texts[i].spans);
	}
	free(p->texts);
	memset(p, 0, sizeof *p);
}

/* Markdown inline spans open at the end of a row, carried to the next. */
enum { SPAN_CODE = 1, SPAN_STRONG = 2 };

/* Draws one row of inline text (`code`, *em*, **strong**, \-escapes) at screen row y (< 0:
   only follows the spans), x, in w columns; spans NULL: plain text. */
static void
put_inline(int y, int x, int w, enum style base, const char *s, size_t len, int *spans)
{
	size_t i, from = 0, n;
	int used = 0;
	enum style st;

	if (spans == NULL) {
		if (y >= 0)
			draw_textn(y, x, w, base, s, len);
		return;
	}
	for (i = 0; i <= len; i++) {
		int code = *spans & SPAN_CODE, marker = i < len && (s[i] == '`' ||
		    (!code && s[i] == '*'));

		if (i < len && !code && s[i] == '\\' && i + 1 < len) {
			/* The backslash is not drawn; the character after it is plain text. */
			if (y >= 0 && used < w && i > from)
				used += draw_textn(y, x + used, w - used, base != STYLE_NORMAL ? base :
				    *spans & SPAN_STRONG ? STYLE_STRONG : base, s + from, i - from);
			from = ++i;
			continue;
		}
		if (i < len && !marker)
			continue;
		st = base != STYLE_NORMAL ? base : code ? STYLE_CODE :
		    *spans & SPAN_STRONG ? STYLE_STRONG : base;
		n = i - from;
		if (n > 0 && y >= 0 && used < w)
			used += draw_textn(y, x + used, w - used, st, s + from, n);
		if (i < len)
			*spans ^= s[i] == '`' ? SPAN_CODE : SPAN_STRONG;
		if (i + 1 < len && s[i] == '*' && s[i + 1] == '*')
			i++;
		from = i + 1;
	}
}

/* The length of the placeholder <NAME> (capitals, digits, _ : -) at s, else 0. */
static size_t
placeholder_len(const char *s, size_t len)
{
	size_t n = 1;

	if (len < 3 || s[0] != '<' || !(s[1] >= 'A' && s[1] <= 'Z'))
		return 0;
	while (n < len && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
	    strchr("_:-", s[n]) != NULL))
		n++;
	return n < len && s[n] == '>' ? n + 1 : 0;
}

/* One row of a command: placeholders nobody filled in (<RELEASE>) in the warn style. */
static void
put_placeholders(int y, int x, int w, enum style base, const char *s, size_t len)
{
	size_t i, from = 0, n;
	int used = 0;

	for (i = 0; i < len && used < w; i++) {
		if ((n = placeholder_len(s + i, len - i)) == 0)
			continue;
		used += draw_textn(y, x + used, w - used, base, s + from, i - from);
		used += draw_textn(y, x + used, w - used, STYLE_WARN, s + i, n);
		from = i + n;
		i += n - 1;
	}
	if (used < w)
		draw_textn(y, x + used, w - used, base, s + from, len - from);
}

int
pane_has_placeholder(const char *s)
{
	for (; (s = strchr(s, '<')) != NULL; s++) {
		if (placeholder_len(s, strlen(s)) > 0)
			return 1;
	}
	return 0;
}

/* The next text's layout at this width: kept from the last draw if it is the same text,
   else made. */
static struct pane_text *
pane_layout(struct pane *p, const char *text, int width, int wrap_flags, int flags)
{
	struct pane_text *t;
	int i, spans = 0, markup = (flags & PANE_MARKUP) != 0;

	if (p->next == p->n) {
		p->texts = xreallocarray(p->texts, (size_t)p->n + 1, sizeof *p->texts);
		memset(&p->texts[p->n++], 0, sizeof *p->texts);
	}
	t = &p->texts[p->next++];
	if ((flags & PANE_FRESH) || (t->spans != NULL) != markup)
		wrap_forget(&t->wrap);
	if (display_ascii())
		wrap_flags |= WRAP_ASCII;
	if (t->wrap.text == text && t->wrap.width == width && t->wrap.flags == wrap_flags &&
	    t->wrap.n > 0)
		return t;
	wrap_layout(&t->wrap, text, strlen(text), width, wrap_flags);
	free(t->spans);
	t->spans = NULL;
	if (markup) {
		t->spans = xreallocarray(NULL, (size_t)t->wrap.n, sizeof *t->spans);
		for (i = 0; i < t->wrap.n; i++) {
			t->spans[i] = spans;
			put_inline(-1, 0, 0, STYLE_NORMAL, text + t->wrap.rows[i].off,
			    t->wrap.rows[i].len, &spans);
		}
	}
	return t;
}

void
pane_text(struct pane *p, int x, int w, enum style st, const char *prefix, const char *text,
    int flags)
{
	int indent = draw_width(prefix), room = w - indent, i, spans;
	struct pane_text *t = pane_layout(p, text, room, flags & PANE_WORDS ? WRAP_WORDS : 0,
	    flags);
	const struct wrap_row *r;

	if (p->row >= p->top && p->row < p->top + p->h)
		draw_text(p->y + p->row - p->top, x, indent, st, prefix);
	for (i = p->top > p->row ? p->top - p->row : 0; i < t->wrap.n &&
	    p->row + i < p->top + p->h; i++) {
		r = &t->wrap.rows[i];
		spans = t->spans != NULL ? t->spans[i] : 0;
		if (flags & PANE_PLACEHOLDERS)
			put_placeholders(p->y + p->row + i - p->top, x + indent, room, st,
			    text + r->off, r->len);
		else
			put_inline(p->y + p->row + i - p->top, x + indent, room, st, text + r->off, r->len,
		    t->spans != NULL ? &spans : NULL);
	}
	p->row += t->wrap.n;
}

void
pane_lines(struct pane *p, int x, int w, enum style st, const char *prefix, const char *text,
    int flags)
{
	int indent = draw_width(prefix), i;
	struct pane_text *t = pane_layout(p, text, w - indent, WRAP_CUT, flags & PANE_FRESH);
	const struct wrap_row *r;

	for (i = p->top > p->row ? p->top - p->row : 0; i < t->wrap.n &&
	    p->row + i < p->top + p->h; i++) {
		r = &t->wrap.rows[i];
		draw_text(p->y + p->row + i - p->top, x, w, st, i == 0 ? prefix : "  ");
		draw_textn(p->y + p->row + i - p->top, x + (i == 0 ? indent : 2),
		    w - (i == 0 ? indent : 2), st, text + r->off, r->len);
	}
	p->row += t->wrap.n;
}
