/* SPDX-License-Identifier: ISC */
/*
 * Evaluations of a prompt proposal: the cases of an evals.jsonl file, each sent to an
 * OpenAI-compatible chat endpoint one or more times and its answers checked by assertions.
 *
 * One case a line; blank lines and lines starting with # are skipped:
 *
 *	{"id": "refund", "input": "How do I get a refund?", "repeat": 3, "min_pass": 2,
 *	 "assert": [{"contains": "Settings"}, {"max_chars": 600}]}
 *
 * repeat is 1 to 20 (default 1), min_pass 1 to repeat (default repeat). Assertions:
 * contains, not_contains, regex (POSIX extended), max_chars (UTF-8 characters),
 * json_valid (true), equals (after trimming whitespace). Problems name the line and, for
 * an assertion, its index from 0: "evals.jsonl:3: assert[1]: unknown assertion ...".
 */
#ifndef EVAL_H
#define EVAL_H

#include <stdatomic.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct redactor;

/* Runs of a case at most. */
#define EVAL_MAX_REPEAT	20

struct eval_target {
	const char	*url;		/* full URL of the chat completions endpoint */
	const char	*token;		/* bearer token or NULL */
	const char	*model;		/* from model.ini */
	double		 temperature;	/* < 0: not sent */
	long		 max_tokens;	/* <= 0: not sent */
	const char	*system;	/* the system prompt (system.md) */
	int		 concurrency;	/* parallel requests, >= 1 */
	long		 timeout_ms;	/* per request */
	int		 max_tries;	/* tries per request on 429/5xx/timeouts/connection errors */
	double		 price_in, price_out;	/* per million tokens; < 0: unknown, cost left out */
	const struct redactor *redactor; /* for stored answers; NULL: the built-in detectors */
	atomic_int	*stop;		/* non-zero: start no more runs or tries (or NULL) */
};

/* Parses evals.jsonl text: a JSON array of validated cases (repeat and min_pass filled in,
   line added), or NULL with every problem in *cause, one a line (at most 100). */
cJSON	*eval_parse(const char *text, size_t len, char **cause);
/* Checks one assertion object against an answer: 1 passes, 0 fails with *why (new string). */
int	 eval_assert(const cJSON *assertion, const char *answer, char **why);
/*
 * Runs every case (repeat times each) against the target with `concurrency` threads; *done
 * counts finished runs (for progress; may be NULL), total runs = sum of repeat. Returns the
 * result object, never NULL:
 *
 *	{"cases": [{"id", "runs", "passed", "pass", "latency_ms", "prompt_tokens",
 *	    "completion_tokens", "cost", "answer", "why"}, ...],
 *	 "total", "passed", "pass_rate", "runs", "errors", "prompt_tokens",
 *	 "completion_tokens", "cost", "cost_per_answer", "latency_ms"}
 *
 * latency_ms is the median over runs that got an answer (absent without one); cost is
 * absent when a price is unknown; answer is the first one, redacted and cut to 2000 bytes;
 * why is the first failure (an assertion, or the error a run ended in).
 */
cJSON	*eval_run(const struct eval_target *, const cJSON *cases, atomic_int *done);
/* Number of runs (sum of repeat) of parsed cases. */
int	 eval_total_runs(const cJSON *cases);

#endif
