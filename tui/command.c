/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "backend/client.h"
#include "backend/xmalloc.h"
#include "tui/cmdline.h"
#include "tui/command.h"
#include "tui/console.h"
#include "tui/display.h"
#include "tui/help.h"
#include "tui/view.h"

static void
open_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (!console_failed(r))
		console_note("opened incident %.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(r, "incident"), "id")));
}

/* :open SEV TITLE; the title keeps its blanks, so it comes from the rest of the line. */
static int
command_open(const char *arg, const char *rest)
{
	cJSON *req;
	char *end;
	long sev;

	(void)arg;
	sev = strtol(rest, &end, 10);
	while (*end == ' ')
		end++;
	if (sev < 1 || sev > 4 || *end == '\0') {
		console_error(":open needs a severity 1-4 and a title, e.g. :open 2 Checkout broken");
		return -1;
	}
	req = client_request("incident.open");
	cJSON_AddNumberToObject(req, "severity", (double)sev);
	cJSON_AddStringToObject(req, "title", end);
	console_request(req, open_reply, NULL);
	return 0;
}

static int
command_quit(const char *arg, const char *rest)
{
	(void)arg, (void)rest;
	console_quit();
	return 0;
}

static int
command_help(const char *arg, const char *rest)
{
	(void)arg, (void)rest;
	help_show(HELP_COMMANDS);
	return 0;
}

/* :incident N, :run N: shows N, a positive number, or says what the command needs. */
static int
command_show(const char *name, const char *arg, void (*show)(long long))
{
	long long n = atoll(arg);

	if (n <= 0) {
		console_error(":%s needs a number, e.g. :%s 12", name, name);
		return -1;
	}
	show(n);
	return 0;
}

static int
command_incident(const char *arg, const char *rest)
{
	(void)rest;
	return command_show("incident", arg, view_incidents_show);
}

static int
command_run_show(const char *arg, const char *rest)
{
	(void)rest;
	return command_show("run", arg, view_playbooks_run);
}

static void
sim_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (!console_failed(r))
		console_note("simulator switched to profile %s",
		    cJSON_GetStringValue(cJSON_GetObjectItem(r, "profile")));
}

static int
command_sim(const char *arg, const char *rest)
{
	cJSON *req = client_request("sim.profile");

	(void)rest;
	cJSON_AddStringToObject(req, "profile", arg);
	console_request(req, sim_reply, NULL);
	return 0;
}

static void
cover_reply(void *arg, const cJSON *r)
{
	(void)arg;
	if (!console_failed(r))
		console_note("on-call override %.0f set", cJSON_GetNumberValue(
		    cJSON_GetObjectItem(r, "override")));
}

/*
 * :cover L1 dave 2026-12-24 18:00 2026-12-27 08:00 — a date and a time each (the level's
 * zone), or two ISO 8601 times; the daemon checks them as for `leitstand oncall override`.
 */
static int
command_cover(const char *arg, const char *rest)
{
	char level[8], user[65], w[4][40], *from, *until;
	int n;
	cJSON *req;

	(void)arg;
	n = sscanf(rest, "%7s %64s %39s %39s %39s %39s", level, user, w[0], w[1], w[2], w[3]);
	if ((n != 4 && n != 6) || (level[0] != 'L' && level[0] != 'l') || level[1] < '1' ||
	    level[1] > '3' || level[2] != '\0') {
		console_error(":cover needs a level, a user and two times, e.g. :cover L1 dave "
		    "2026-12-24 18:00 2026-12-27 08:00");
		return -1;
	}
	from = n == 6 ? xprintf("%s %s", w[0], w[1]) : xstrdup(w[0]);
	until = n == 6 ? xprintf("%s %s", w[2], w[3]) : xstrdup(w[1]);
	req = client_request("oncall.override.add");
	cJSON_AddNumberToObject(req, "level", level[1] - '0');
	cJSON_AddStringToObject(req, "user", user);
	cJSON_AddStringToObject(req, "from", from);
	cJSON_AddStringToObject(req, "until", until);
	console_request(req, cover_reply, NULL);
	free(from);
	free(until);
	return 0;
}

const struct command command_table[] = {
	{ .name = "open", .args = "SEV TITLE", .help = "open an incident of severity 1-4",
	  .changes = "incidents", .exec = command_open },
	{ .name = "incident", .args = "N", .need_args = 1,
	  .help = "show incident N (without N: the incident list)", .exec = command_incident },
	{ .name = "run", .args = "N", .need_args = 1, .help = "show playbook run N",
	  .exec = command_run_show },
	{ .name = "sim", .args = "PROFILE", .need_args = 1,
	  .help = "switch the simulator to a profile (normal, outage, ...)",
	  .changes = "the simulator",
	  .exec = command_sim },
	{ .name = "cover", .args = "L1-L3 USER FROM UNTIL", .need_args = 1,
	  .help = "USER covers the on-call level from FROM until UNTIL (2026-12-24 18:00)",
	  .changes = "the on-call schedule", .exec = command_cover },
	{ .name = "help", .help = "list these commands and the keys", .exec = command_help },
	{ .name = "quit", .alias = "q", .help = "quit the console (the daemon keeps running)",
	  .exec = command_quit },
};

const int command_count = (int)(sizeof command_table / sizeof command_table[0]);

static const struct command *
command_find(const char *name)
{
	const struct command *c;
	int i;

	for (i = 0; i < command_count; i++) {
		c = &command_table[i];
		if (strcmp(c->name, name) == 0 || (c->alias != NULL && strcmp(c->alias, name) == 0))
			return c;
	}
	return NULL;
}

int
command_run(const char *line)
{
	const struct command *c;
	char *copy = xstrdup(line), *name, *arg, *save;
	const char *rest;
	int v, rc = 0;

	name = strtok_r(copy, " \t", &save);
	arg = strtok_r(NULL, " \t", &save);
	c = name != NULL ? command_find(name) : NULL;
	if (name == NULL)
		;
	else if (c != NULL && c->changes != NULL && console_state()->readonly) {
		console_error("read-only console: :%s changes %s", c->name, c->changes);
		rc = -1;
	} else if (c != NULL && (!c->need_args || arg != NULL)) {
		rest = line + strspn(line, " \t") + strlen(name);
		rc = c->exec(arg, rest);
	} else if (arg == NULL && (v = view_find(name)) >= 0)
		view_show(v);	/* a view by number or name, or a prefix of one */
	else {
		console_error("unknown command \"%s\"; try :help", name);
		rc = -1;
	}
	free(copy);
	return rc;
}

static void
command_done(const char *text)
{
	if (text != NULL)
		command_run(text);
}

void
command_prompt(const char *initial)
{
	cmdline_open_complete(":", initial, command_done, command_complete);
}

/* Adds name to the candidates when it starts with word: *common keeps what all share. */
static void
complete_add(const char *word, const char *name, char **common, int *n)
{
	size_t i;

	if (strncmp(name, word, strlen(word)) != 0)
		return;
	if ((*n)++ == 0) {
		*common = xstrdup(name);
		return;
	}
	for (i = 0; (*common)[i] != '\0' && (*common)[i] == name[i]; i++)
		;
	(*common)[i] = '\0';
}

char *
command_complete(const char *line)
{
	const struct command *c;
	char *common = NULL, *out;
	const char *word = line + strspn(line, " \t");
	int i, n = 0, readonly = console_state()->readonly;

	if (word[strcspn(word, " \t")] != '\0')
		return NULL;	/* past the name: nothing to complete */
	for (i = 0; i < command_count; i++) {
		c = &command_table[i];
		if (!(readonly && c->changes != NULL))
			complete_add(word, c->name, &common, &n);
	}
	for (i = 0; i < view_count(); i++)
		complete_add(word, view_at(i)->name, &common, &n);
	if (n == 0)
		return NULL;
	/* One candidate: the name and a blank for what follows. */
	xasprintf(&out, "%.*s%s%s", (int)(word - line), line, common, n == 1 ? " " : "");
	free(common);
	if (n > 1 && strlen(out) == strlen(line))
		display_bell();	/* several, and no more in common */
	return out;
}

void
command_usage(const struct command *c, char *s, size_t len)
{
	snprintf(s, len, ":%s%s%s%s%s", c->name, c->args != NULL ? " " : "",
	    c->args != NULL ? c->args : "", c->alias != NULL ? ", :" : "",
	    c->alias != NULL ? c->alias : "");
}

void
command_print(FILE *f)
{
	const struct command *c;
	char usage[64];
	int i;

	fprintf(f, "\n| Command | Action |\n| --- | --- |\n");
	fprintf(f, "| `:1` ... `:%d`, `:NAME` | the view of that number or name (", view_count());
	for (i = 0; i < view_count(); i++)
		fprintf(f, "%s%s", i > 0 ? ", " : "", view_at(i)->name);
	fprintf(f, "; a prefix will do) |\n");
	for (i = 0; i < command_count; i++) {
		c = &command_table[i];
		command_usage(c, usage, sizeof usage);
		fprintf(f, "| `%s` | %s%s |\n", usage, c->help,
		    c->changes != NULL ? " (refused when read-only)" : "");
	}
}
