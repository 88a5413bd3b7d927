/* SPDX-License-Identifier: ISC */
/* `leitstand sim`: its usage and the choice between serving and talking to a running sim. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/sim-model.h"
#include "backend/sim.h"

void
sim_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("leitstand sim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int
sim_bad_option(char **argv)
{
	sim_error("unknown option or missing value: %s", argv[optind - 1]);
	return SIM_EXIT_USAGE;
}

/* Reports an argument left after the options: SIM_EXIT_USAGE, or 0 if there is none. */
int
sim_extra_argument(int argc, char **argv)
{
	if (optind == argc)
		return 0;
	sim_error("unexpected argument: %s", argv[optind]);
	return SIM_EXIT_USAGE;
}

int
sim_unknown_profile(const char *name)
{
	char *list = sim_profile_list();

	sim_error("unknown profile \"%s\" (profiles: %s)", name, list);
	free(list);
	return SIM_EXIT_USAGE;
}

static void
sim_usage(void)
{
	size_t i;
	int d;

	printf("usage: leitstand sim %s\n\n"
	    "  serve          run the simulated assistant until SIGTERM or SIGINT:\n"
	    "                 POST /v1/chat/completions (also \"stream\": true), GET /metrics\n"
	    "  --metrics-dialect D\n"
	    "                 how /metrics spells the GenAI metrics (serve; default collector)\n"
	    "  --prompts URL|PATH\n"
	    "                 serve the live prompt release of this repository (serve): fetch\n"
	    "                 production and the release tags, pin model.ini's model, label\n"
	    "                 the metrics leitstand_prompt_release=\"N\"\n"
	    "  --assistant NAME\n"
	    "                 whose release (default support)\n"
	    "  --prompts-interval D\n"
	    "                 between fetches (default 2s)\n"
	    "  --prompts-timeout D\n"
	    "                 how long a fetch may take before it is stopped (default 30s)\n"
	    "  --allowed-signers FILE\n"
	    "                 serve only releases whose tag's SSH signature verifies against\n"
	    "                 this git allowed signers file (as git verify-tag does); keep\n"
	    "                 serving the last good release otherwise (serve)\n"
	    "  --profile NAME switch the traffic profile (of a running sim unless serving)\n"
	    "  --status       print the running sim's settings and counters as JSON\n"
	    "  --url URL      the running sim (else $LEITSTAND_SIM_URL)\n\n"
	    "profiles:\n", SIM_USAGE);
	for (i = 0; i < sim_profile_count(); i++)
		printf("  %-11s %s\n", sim_profile_name(i), sim_profile_help(i));
	printf("\nmetrics dialects:\n");
	for (d = 0; d < SIM_NDIALECTS; d++)
		printf("  %-11s %s\n", sim_dialect_name(d), sim_dialect_help(d));
}

/* leitstand sim: serve, or talk to a running sim. */
int
sim_main(int argc, char **argv)
{
	int i, saved_opterr = opterr, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			sim_usage();
			return 0;
		}
	}
	opterr = 0;
	optind = 0;
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		rc = sim_serve(argc - 1, argv + 1);
	else
		rc = sim_client(argc, argv);
	opterr = saved_opterr;
	return rc;
}
