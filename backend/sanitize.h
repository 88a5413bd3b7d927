/* SPDX-License-Identifier: ISC */
/*
 * The one sanitiser every external string passes before it reaches the
 * terminal or a log line. Output of sanitize() is valid UTF-8 (or pure
 * printable ASCII with SANITIZE_ASCII) and never holds a C0 or C1 control,
 * DEL, a bidi control or an invisible character:
 *
 *	invalid UTF-8		U+FFFD per maximal subpart (ASCII mode: ?)
 *	TAB			one space
 *	U+0000-001F, U+007F	caret notation: ^@ ^[ ^M ^?
 *	U+0080-009F		\x9b
 *	bidi, invisible,
 *	wcwidth() < 0		<U+202E>
 *	other non-ASCII		copied (ASCII mode: ?)
 *
 * Widths come from wcwidth(), so the caller must have set a UTF-8 LC_CTYPE
 * (in any other locale every non-ASCII character becomes a placeholder).
 */
#ifndef SANITIZE_H
#define SANITIZE_H

#include <stddef.h>
#include <stdint.h>

#define SANITIZE_ASCII 0x1	/* terminal is not UTF-8: output pure printable ASCII */

/* Returns a newly allocated display-safe copy of len bytes, at most max_cols wide. */
char	*sanitize(const char *, size_t, int, int, int *);
/* Returns the bytes of one character (at least 1) and its display width in *width. */
size_t	 sanitize_char(const char *, size_t, int, int *);
/*
 * The one character policy for text leaving the daemon (screen, reports,
 * tickets): 1 for a character that reorders or hides text (bidi controls,
 * zero-width and format characters, tags), so that it reads differently than
 * it is. The screen shows it as <U+XXXX>; reports and tickets drop it.
 */
int	 sanitize_hidden(uint32_t);
/* Returns a newly allocated copy with bytes outside printable ASCII as \xNN. */
char	*sanitize_log(const char *, size_t);

#endif
