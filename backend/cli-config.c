/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/xmalloc.h"

/* leitstand config check [FILE]: validates without starting anything. */
int
cli_config_check(struct cli *cli, int argc, char **argv)
{
	struct config cfg;
	char *file, *cause = NULL;

	if (getopt(argc, argv, "") != -1 || argc - optind > 1)
		return EXIT_USAGE;
	file = argc - optind == 1 ? xstrdup(argv[optind]) : config_find(cli->config_file);
	if (file == NULL) {
		printf("no config file found; the built-in defaults apply\n");
		return 0;
	}
	if (config_load(&cfg, file, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		free(file);
		return 1;
	}
	/* Run as the daemon's user, it checks what the daemon will refuse to start with. */
	if (config_check_daemon(&cfg, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		config_free(&cfg);
		free(file);
		return 1;
	}
	printf("%s: ok\n", file);
	config_free(&cfg);
	free(file);
	return 0;
}

static void
print_reloaded(const cJSON *r)
{
	const cJSON *cfg = cJSON_GetObjectItem(r, "config");

	printf("reloaded ");
	cli_put(cJSON_IsString(cfg) ? cfg->valuestring : "?");
	printf("; [daemon] settings apply at the next restart\n");
}

/* leitstand config reload: the daemon re-reads its config file (admin; SIGHUP does the same);
   a daemon that is not running has nothing to re-read. */
const struct cli_hook cli_config_hooks[] = {
	{ .op = "config.reload", .print = print_reloaded, .flags = CLI_NOSTART },
	{ .op = NULL }
};
