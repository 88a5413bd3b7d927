/* SPDX-License-Identifier: ISC */
/*
 * Conversations with negative feedback, as a deployment reports them (README "Negative
 * feedback feed"): the feed's JSON lines parsed, redacted and made safe for a terminal, and
 * the eval case an operator writes from one. Pure: no network, no screen.
 */
#ifndef FEEDBACK_H
#define FEEDBACK_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct redactor;

#define FEEDBACK_MAX_BODY	(1024 * 1024)	/* bytes of a feed's reply */
#define FEEDBACK_MAX_CONV	200		/* conversations kept: the newest */
#define FEEDBACK_MAX_TEXT	8192		/* bytes of a question or an answer kept */
#define FEEDBACK_MAX_ID		128		/* bytes of a conversation's id */

/* What a parse of a feed found besides the conversations. */
struct feedback_stats {
	int		 lines;		/* lines that were not blank */
	int		 skipped;	/* of those, not a conversation */
	int		 ignored;	/* of those, a conversation rated other than negative */
	int		 dropped;	/* conversations beyond FEEDBACK_MAX_CONV, oldest first */
	char		*problem;	/* the first skipped line's problem ("line 3: not JSON"),
					   or NULL; the caller frees it */
};

/*
 * Parses a feed's reply: a JSON array of conversations, newest last, each
 * {"id", "time", "assistant", "release", "model", "question", "answer"} with every text
 * redacted (r; NULL: the built-in detectors), control characters and escape sequences shown
 * as caret notation, invalid UTF-8 replaced, cut to FEEDBACK_MAX_TEXT. assistant, when not
 * NULL, keeps only that assistant's. Never fails: what is not a conversation is counted.
 */
cJSON	*feedback_parse(const char *body, size_t len, const struct redactor *r,
	    const char *assistant, struct feedback_stats *);
/* Frees what the stats hold. */
void	 feedback_stats_clear(struct feedback_stats *);
/* The part of an answer a not_contains assertion quotes: its longest sentence without a
   redaction placeholder, cut at a word to at most 60 bytes (a new string). */
char	*feedback_excerpt(const char *answer);
/* The text $EDITOR opens for a conversation (one of feedback_parse's): a comment header
   that says how to edit it, the bad answer as comments, and the case on one line. */
char	*feedback_case_text(const cJSON *conversation);
/*
 * Takes the edited text back: the one case line (comments and blank lines dropped)
 * appended to evals (production's evals.jsonl). The new evals.jsonl, or NULL with *cause
 * when the text is unchanged (equal to prefilled), holds no case or more than one, or the
 * case or the file with it does not parse.
 */
char	*feedback_case_take(const char *edited, const char *prefilled, const char *evals,
	    char **cause);

#endif
