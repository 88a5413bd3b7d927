/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <string.h>

#include "backend/xmalloc.h"
#include "tui/actions.h"
#include "tui/command.h"
#include "tui/input.h"
#include "tui/tui.h"

#define MAX_KEYS 4

const struct action_info action_table[] = {
#define ACTION(id, scope, keys, help, writes) \
	{ ACTION_##id, SCOPE_##scope, keys, help, writes },
	ACTIONS
#undef ACTION
};

#define NACTIONS (sizeof action_table / sizeof action_table[0])

static int action_keys[NACTIONS][MAX_KEYS];

void
action_init(void)
{
	char names[64], *name, *save;
	size_t i;
	int n;

	for (i = 0; i < NACTIONS; i++) {
		snprintf(names, sizeof names, "%s", action_table[i].keys);
		n = 0;
		for (name = strtok_r(names, " ", &save); name != NULL;
		    name = strtok_r(NULL, " ", &save)) {
			if (n == MAX_KEYS || (action_keys[i][n] = input_key_by_name(name)) < 0)
				fatal("key table: bad key \"%s\"", name);
			n++;
		}
		while (n < MAX_KEYS)
			action_keys[i][n++] = -1;
	}
}

enum action
action_for_key(int key, unsigned scopes, int readonly)
{
	size_t i;
	int k;

	for (i = 0; i < NACTIONS; i++) {
		if (!(action_table[i].scope & scopes) || (readonly && action_table[i].writes))
			continue;
		for (k = 0; k < MAX_KEYS; k++) {
			if (action_keys[i][k] == key)
				return action_table[i].id;
		}
	}
	return ACTION_NONE;
}

void
tui_print_keys(FILE *f)
{
	static const char *const scope_names[] = { "everywhere", "lists", "dashboard", "incidents",
	    "playbook run", "prompts" };
	char names[64], *name, *save;
	size_t i;
	int s;

	fprintf(f, "| Keys | Where | Action |\n| --- | --- | --- |\n");
	for (i = 0; i < NACTIONS; i++) {
		for (s = 0; (1u << s) != action_table[i].scope; s++)
			;
		snprintf(names, sizeof names, "%s", action_table[i].keys);
		fputs("|", f);
		for (name = strtok_r(names, " ", &save); name != NULL;
		    name = strtok_r(NULL, " ", &save))
			fprintf(f, " `%s`", name);
		fprintf(f, " | %s | %s%s |\n", scope_names[s], action_table[i].help,
		    action_table[i].writes ? " (hidden when read-only)" : "");
	}
	command_print(f);
}
