/* SPDX-License-Identifier: ISC */
#include <langinfo.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/cli.h"
#include "backend/client.h"
#include "backend/json.h"
#include "backend/sanitize.h"
#include "backend/xmalloc.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;
	char *msg, *safe;
	const char *line, *nl;
	int ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	/* Errors quote what a daemon, a server or a file said: escape sequences in it must not
	   reach the terminal. Line by line, so a list of problems stays a list. */
	fputs("leitstand: ", stderr);
	for (line = msg; ; line = nl + 1) {
		nl = strchr(line, '\n');
		safe = sanitize(line, nl != NULL ? (size_t)(nl - line) : strlen(line), -1,
		    ascii ? SANITIZE_ASCII : 0, NULL);
		fputs(safe, stderr);
		fputc('\n', stderr);
		free(safe);
		if (nl == NULL)
			break;
	}
	free(msg);
}

int
cli_connect(struct cli *cli, int start)
{
	char *cause = NULL;

	if (cli->client != NULL)
		return 0;
	cli->client = client_open(&cli->cfg, cli->options, start, &cause);
	if (cli->client == NULL) {
		cli_error("%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* The number in a rate_limited error's retry_after (seconds), or -1. */
static double
cli_retry_after(const cJSON *reply)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(reply, "error");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "retry_after");

	if (strcmp(client_error_code(reply), "rate_limited") != 0 || !cJSON_IsNumber(r) ||
	    r->valuedouble < 0 || r->valuedouble > 3600)
		return -1;
	return r->valuedouble;
}

/*
 * client_call, except that a script asking for queries faster than [daemon] query_rate
 * waits the time the daemon names and asks again, within the reply timeout (secs, 0: none),
 * instead of failing half-way.
 */
static cJSON *
cli_call_paced(struct cli *cli, cJSON *req, long long secs, char **cause)
{
	double waited = 0, wait;
	cJSON *again, *reply;

	for (;;) {
		again = cJSON_Duplicate(req, 1);
		if ((reply = client_call(cli->client, req, cause)) == NULL ||
		    (wait = cli_retry_after(reply)) < 0 ||
		    (secs > 0 && waited + wait > (double)secs)) {
			cJSON_Delete(again);
			return reply;
		}
		cJSON_Delete(reply);
		req = again;
		usleep((useconds_t)(wait * 1e6));
		waited += wait;
	}
}

/* With --json, a failure is also an object on stdout, so a script reads one format. */
static void
cli_json_error(const struct cli *cli, const char *code, const char *message)
{
	cJSON *o, *e;
	char *text;

	if (!cli->json)
		return;
	o = cJSON_CreateObject();
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	text = cJSON_Print(o);
	puts(text);
	cJSON_free(text);
	cJSON_Delete(o);
}

cJSON *
cli_call(struct cli *cli, cJSON *req)
{
	char *cause = NULL;
	cJSON *reply;
	const char *err;
	long long secs = cli->timeout >= 0 ? cli->timeout : cli->long_reply ? 0 :
	    cli->cfg.reply_timeout;

	cli->client->reply_ms = secs > INT_MAX / 1000 ? INT_MAX : (int)(secs * 1000);
	if ((reply = cli_call_paced(cli, req, secs, &cause)) == NULL) {
		if (cli->client->timed_out) {
			free(cause);
			cause = xprintf("no reply from the daemon at %s in %lld s: it may be stuck "
			    "or overloaded (its log says more); --timeout SECS waits longer",
			    cli->cfg.socket, secs);
		}
		cli_error("%s", cause);
		cli_json_error(cli, cli->client->timed_out ? "timeout" : "unavailable", cause);
		free(cause);
		return NULL;
	}
	if ((err = client_error(reply)) != NULL) {
		if (strcmp(client_error_code(reply), "forbidden") == 0)
			cli_error("forbidden: %s", err);
		else
			cli_error("%s", err);
		cli_json_error(cli, client_error_code(reply), err);
		cJSON_Delete(reply);
		return NULL;
	}
	return reply;
}

void
cli_print_markdown(const cJSON *reply)
{
	fputs(json_str(reply, "markdown", ""), stdout);
}

void
cli_put(const char *s)
{
	static int tty = -1, ascii;
	char *safe;

	if (tty == -1) {
		tty = isatty(STDOUT_FILENO);
		ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
	}
	if (!tty) {
		fputs(s, stdout);
		return;
	}
	safe = sanitize(s, strlen(s), -1, ascii ? SANITIZE_ASCII : 0, NULL);
	fputs(safe, stdout);
	free(safe);
}

void
cli_print_json(cJSON *reply)
{
	char *s, *line, *next;

	cJSON_DeleteItemFromObject(reply, "id");
	cJSON_DeleteItemFromObject(reply, "ok");
	s = cJSON_Print(reply);
	/* cJSON escapes C0 controls but not C1 or bidi characters: sanitise per line on a tty. */
	for (line = s; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		cli_put(line);
		putchar('\n');
	}
	cJSON_free(s);
}
