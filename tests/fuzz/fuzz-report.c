/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: the Markdown reports people read in mail and chat, built from what
 * operators and upstreams wrote (notes, titles, alert text). The first byte picks the report
 * (postmortem, handover, playbook run record), the rest is its JSON. Whatever the JSON holds,
 * a report is UTF-8 without control characters but line breaks, C1 or bidi controls.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/report.h"
#include "backend/run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether s is UTF-8 without what may not be shown: C0 but newline, DEL, C1 and the bidi
   and zero-width controls report.c drops. */
static int
clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c;
	size_t n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		n = *p >= 0xc2 && *p <= 0xdf ? 2 : *p >= 0xe0 && *p <= 0xef ? 3 :
		    *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;
		if (n == 0)
			return 0;
		c = *p & (0xff >> (n + 1));
		for (i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
		    (c >= 0xd800 && c <= 0xdfff) || (c >= 0x80 && c <= 0x9f) || c == 0x061c ||
		    c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069) || c == 0xfeff)
			return 0;
		p += n;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const time_t now = 1795000000;
	cJSON *o;
	char *md;
	int which;

	if (size == 0)
		return 0;
	which = data[0] % 3;
	o = cJSON_ParseWithLength((const char *)data + 1, size - 1);
	if (which == 0)
		md = report_postmortem(o, now);
	else if (which == 1)
		md = report_handover(o, now - 8 * 3600, now);
	else
		md = run_markdown(o);
	if (md == NULL || !clean(md))
		abort();
	free(md);
	cJSON_Delete(o);
	return 0;
}
