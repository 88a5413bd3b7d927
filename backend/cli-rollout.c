/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backend/cli.h"
#include "backend/json.h"

static void
put_value(const cJSON *o, const char *key, const char *name)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	if (!cJSON_IsNumber(v))
		printf(" %12s", "-");
	else if (strcmp(name, "cost_per_request") == 0)
		printf(" %12.4g", v->valuedouble);
	else if (strcmp(name, "latency_p95") == 0)
		printf(" %10.2f s", v->valuedouble);
	else
		printf(" %10.1f %%", v->valuedouble);
}

void
cli_print_comparison(const cJSON *c)
{
	const cJSON *m;

	printf("A/B at %.0f %% over %.0f s: %.0f canary and %.0f production requests\n",
	    json_num_or(c, "weight", 0), json_num_or(c, "window", 0),
	    json_num_or(c, "canary_requests", 0), json_num_or(c, "production_requests", 0));
	printf("  %-17s %12s %12s %12s  %s\n", "", "canary", "production", "difference",
	    "beyond noise");
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(c, "metrics")) {
		printf("  %-17s", json_str(m, "name", ""));
		put_value(m, "canary", json_str(m, "name", ""));
		put_value(m, "production", json_str(m, "name", ""));
		put_value(m, "difference", json_str(m, "name", ""));
		if (cJSON_GetObjectItem(m, "significant") == NULL)
			printf("  (no test)\n");
		else if (cJSON_IsNumber(cJSON_GetObjectItem(m, "z")))
			printf("  %s (z = %.2f)\n", cJSON_IsTrue(cJSON_GetObjectItem(m,
			    "significant")) ? "yes" : "no", json_num(m, "z"));
		else
			printf("  no (no data)\n");
	}
	printf("  ");
	cli_put(json_str(c, "test", ""));
	putchar('\n');
}

static void
print_rollout(const cJSON *r)
{
	const cJSON *an = cJSON_GetObjectItem(r, "analysis"), *c;
	const char *state = json_str(r, "state", "");
	double next = json_num_or(r, "next_at", 0) - json_num_or(r, "now", 0);

	cli_put(json_str(r, "assistant", ""));
	printf(": canary of proposal %.0f, %s", json_num_or(r, "proposal_id", 0), state);
	if (strcmp(state, "running") == 0 || strcmp(state, "paused") == 0) {
		printf(" at %.0f %% (step %.0f of %.0f), %.0f of %.0f failed analyses",
		    json_num_or(r, "weight", 0), json_num_or(r, "step", 0) + 1,
		    json_num_or(r, "steps_total", 0), json_num_or(r, "failures", 0),
		    json_num_or(r, "threshold", 0));
		if (strcmp(state, "running") == 0)
			printf(", next decision in %.0f s", next > 0 ? next : 0);
		if (cJSON_GetObjectItem(r, "compare_until") != NULL)
			printf(", A/B window until %.0f s from now",
			    json_num_or(r, "compare_until", 0) - json_num_or(r, "now", 0));
	} else {
		printf(" by ");
		cli_put(json_str(r, "ended_by", ""));
		if (cJSON_GetObjectItem(r, "release") != NULL) {
			printf(" as ");
			cli_put(json_str(r, "release", ""));
		}
		if (cJSON_GetObjectItem(r, "reason") != NULL) {
			printf(": ");
			cli_put(json_str(r, "reason", ""));
		}
	}
	printf("\n  approved by ");
	cli_put(json_str(r, "approver", ""));
	printf("; release label ");
	cli_put(json_str(r, "label", ""));
	putchar('\n');
	if (cJSON_IsObject(an)) {
		printf("  last analysis: %s: ", json_str(an, "decision", ""));
		cli_put(json_str(an, "why", ""));
		putchar('\n');
		if (cJSON_GetArraySize(cJSON_GetObjectItem(an, "checks")) > 0)
			printf("  %-17s %12s %12s  %s\n", "check", "canary", "production",
			    "verdict");
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(an, "checks")) {
			printf("  %-17s", json_str(c, "name", ""));
			put_value(c, "canary", json_str(c, "name", ""));
			put_value(c, "production", json_str(c, "name", ""));
			printf("  %s: ", json_str(c, "verdict", ""));
			cli_put(json_str(c, "why", ""));
			putchar('\n');
		}
	}
	if (cJSON_IsObject(cJSON_GetObjectItem(r, "comparison")))
		cli_print_comparison(cJSON_GetObjectItem(r, "comparison"));
}

static void
print_status(const cJSON *r)
{
	const cJSON *ro;

	if (cJSON_GetArraySize(cJSON_GetObjectItem(r, "rollouts")) == 0)
		printf("no canary rollouts\n");
	cJSON_ArrayForEach(ro, cJSON_GetObjectItem(r, "rollouts"))
		print_rollout(ro);
}

static void
print_done(const cJSON *r)
{
	if (cJSON_GetObjectItem(r, "release") != NULL) {
		printf("released as ");
		cli_put(json_str(r, "release", ""));
		putchar('\n');
	} else if (cJSON_GetObjectItem(r, "until") != NULL)
		printf("held for the A/B window\n");
	else
		printf("done\n");
}

const struct cli_hook cli_rollout_hooks[] = {
	{ .op = "prompt.rollout.status", .print = print_status },
	{ .op = "prompt.rollout.pause", .print = print_done },
	{ .op = "prompt.rollout.resume", .print = print_done },
	{ .op = "prompt.rollout.promote", .print = print_done },
	{ .op = "prompt.rollout.abort", .print = print_done },
	{ .op = "prompt.rollout.compare", .print = print_done },
	{ .op = NULL }
};
