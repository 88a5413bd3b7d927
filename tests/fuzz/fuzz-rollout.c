/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: the canary policy texts an approver (--steps) or a config file gives.
 * The input is two NUL-separated parts, steps and a check. Whatever they say, a text that
 * parses makes a policy that holds: weights rising from 1 to 100, bounds that are numbers
 * with min <= max, and the same policy back from its JSON; judging it never crashes.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/rollout-policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rollout_policy p, q;
	struct rollout_side c = { 100, 3, 1, 10, 4, 2.5, 0.01 },
	    prod = { 1000, 10, 5, 100, 80, 2.0, 0.01 };
	enum rollout_decision d;
	const char *nul = memchr(data, '\0', size);
	size_t n = nul != NULL ? (size_t)(nul - (const char *)data) : size, rest;
	char *steps = malloc(n + 1), *check, *cause = NULL;
	cJSON *j;
	int i;

	memcpy(steps, data, n);
	steps[n] = '\0';
	/* The check: what follows the first NUL, up to the next one. */
	rest = nul != NULL ? size - n - 1 : 0;
	check = malloc(rest + 1);
	memcpy(check, nul != NULL ? nul + 1 : "", rest);
	check[rest] = '\0';
	memset(&p, 0, sizeof p);
	if (rollout_steps_parse(steps, &p, &cause) == 0) {
		for (i = 0; i < p.nsteps; i++) {
			if (p.steps[i] < 1 || p.steps[i] > 100 || (i > 0 && p.steps[i] <= p.steps[i - 1]))
				abort();
		}
		if (p.nsteps < 1 || p.nsteps > ROLLOUT_MAX_STEPS || p.steps[p.nsteps - 1] != 100)
			abort();
	} else {
		free(cause);
		cause = NULL;
		p.nsteps = 1;
		p.steps[0] = 100;
	}
	p.interval = 60;
	p.threshold = 2;
	if (rollout_check_parse(check, &p.checks[RM_ERROR_RATE], &cause) == 0) {
		if (p.checks[RM_ERROR_RATE].on && !isnan(p.checks[RM_ERROR_RATE].min) &&
		    !isnan(p.checks[RM_ERROR_RATE].max) &&
		    p.checks[RM_ERROR_RATE].min > p.checks[RM_ERROR_RATE].max)
			abort();
		p.checks[RM_FEEDBACK] = p.checks[RM_ERROR_RATE];
		j = rollout_policy_json(&p);
		if (rollout_policy_from_json(j, &q, &cause) != 0 || q.nsteps != p.nsteps ||
		    q.checks[RM_ERROR_RATE].on != p.checks[RM_ERROR_RATE].on)
			abort();
		cJSON_Delete(j);
		cJSON_Delete(rollout_analyse(&p, &c, &prod, &d));
	}
	free(cause);
	free(steps);
	free(check);
	return 0;
}
