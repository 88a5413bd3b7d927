/* SPDX-License-Identifier: ISC */
#include "backend/config.h"
#include "backend/options-table.h"

#define OFF(f) offsetof(struct config, f)

static const char *const role_choices[] = {
	"none", "viewer", "operator", "engineer", "approver", "admin", NULL
};

const struct option_def options_table[] = {
	{ "daemon", "socket", OPT_PATH, OFF(socket), NULL, 0, 0, NULL,
	  "Unix socket of the daemon; default $XDG_RUNTIME_DIR/leitstand/default.sock "
	  "(or /tmp/leitstand-UID/default.sock)" },
	{ "daemon", "group", OPT_STRING, OFF(group), "", 0, 0, NULL,
	  "Unix group allowed to connect (shared install: socket directory 0750, socket 0660); "
	  "empty: private to the daemon's user" },
	{ "daemon", "data_dir", OPT_PATH, OFF(data_dir), NULL, 0, 0, NULL,
	  "where the database lives; default $XDG_DATA_HOME/leitstand" },
	{ "daemon", "max_line", OPT_INT, OFF(max_line), "65536", 1024, 16 << 20, NULL,
	  "longest protocol line a client may send, in bytes" },
	{ "daemon", "max_queue", OPT_INT, OFF(max_queue), "16777216", 65536, 1LL << 30, NULL,
	  "output queued for a client that does not read before it is disconnected, in bytes" },

	{ "assistant", "name", OPT_STRING, OFF(name), "Virtual Assistant", 0, 0, NULL,
	  "name of the assistant, shown in the console header" },
	{ "assistant", "environment", OPT_STRING, OFF(environment), "production", 0, 0, NULL,
	  "environment shown next to the name" },

	{ "console", "readonly", OPT_NAMES, OFF(readonly), "", 0, 0, NULL,
	  "users and @groups whose console never offers state-changing keys" },

	{ "roles", "owner", OPT_CHOICE, OFF(owner_role), "admin", 0, 0, role_choices,
	  "role of the user the daemon runs as, unless listed below (a private daemon's owner)" },
	{ "roles", "default", OPT_CHOICE, OFF(default_role), "viewer", 0, 0, role_choices,
	  "role of other users not listed below; none refuses them" },
	{ "roles", "viewer", OPT_NAMES, OFF(members[ROLE_VIEWER]), "", 0, 0, NULL,
	  "users and @groups who may read everything except audit details" },
	{ "roles", "operator", OPT_NAMES, OFF(members[ROLE_OPERATOR]), "", 0, 0, NULL,
	  "+ open, acknowledge and note incidents, run playbooks (L1)" },
	{ "roles", "engineer", OPT_NAMES, OFF(members[ROLE_ENGINEER]), "", 0, 0, NULL,
	  "+ escalate, resolve, export tickets, propose prompt changes, run evals (L2)" },
	{ "roles", "approver", OPT_NAMES, OFF(members[ROLE_APPROVER]), "", 0, 0, NULL,
	  "+ approve or reject proposals and roll back releases, never their own (L3/lead)" },
	{ "roles", "admin", OPT_NAMES, OFF(members[ROLE_ADMIN]), "", 0, 0, NULL,
	  "+ purge, GDPR export and erase, audit export, eval gate override" },
};

const size_t options_count = sizeof options_table / sizeof options_table[0];
