/* SPDX-License-Identifier: ISC */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/buf.h"
#include "backend/cli.h"
#include "backend/client.h"
#include "backend/format.h"
#include "backend/json.h"
#include "backend/xmalloc.h"

/* "3m left", "12m over" for a timer in seconds. */
static void
timer_text(char *buf, size_t len, double left)
{
	char age[16];

	format_age(age, sizeof age, (long)(left < 0 ? -left : left));
	snprintf(buf, len, "%s %s", age, left < 0 ? "over" : "left");
}

static void
print_row(const cJSON *i)
{
	char age[16], line[256], timer[32] = "";

	format_age(age, sizeof age, (long)json_num(i, "age"));
	if (cJSON_IsNumber(cJSON_GetObjectItem(i, "ack_left")))
		timer_text(timer, sizeof timer, json_num(i, "ack_left"));
	snprintf(line, sizeof line, "%6.0f  SEV%.0f  L%.0f  %-12s  %-10s  %5s  %-12s  ",
	    json_num(i, "id"), json_num(i, "severity"), json_num(i, "level"), json_str(i, "status", "?"),
	    json_str(i, "assignee", "-"), age, timer);
	cli_put(line);
	cli_put(json_str(i, "title", ""));
	putchar('\n');
}

/* Splits "a,b,c" into a JSON array of strings. */
static cJSON *
split(const char *s)
{
	cJSON *a = cJSON_CreateArray();
	char *copy = xstrdup(s), *p, *save;

	for (p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
		cJSON_AddItemToArray(a, cJSON_CreateString(p));
	free(copy);
	return a;
}

/* leitstand incident list [--status S,..] [--severity N,..] [--level N] [--assignee U]
   [--search TEXT] [--order severity|id] [--limit N] [--json] */

static void
print_list(const cJSON *r)
{
	const cJSON *c = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "counts"), "open"), *i;

	printf("open: SEV1 %.0f  SEV2 %.0f  SEV3 %.0f  SEV4 %.0f   overdue acks: %.0f   "
	    "listed %d of %.0f\n", cJSON_GetNumberValue(cJSON_GetArrayItem(c, 0)),
	    cJSON_GetNumberValue(cJSON_GetArrayItem(c, 1)),
	    cJSON_GetNumberValue(cJSON_GetArrayItem(c, 2)),
	    cJSON_GetNumberValue(cJSON_GetArrayItem(c, 3)),
	    json_num(cJSON_GetObjectItem(r, "counts"), "overdue"),
	    cJSON_GetArraySize(cJSON_GetObjectItem(r, "incidents")), json_num(r, "total"));
	cJSON_ArrayForEach(i, cJSON_GetObjectItem(r, "incidents"))
		print_row(i);
}

int
cli_incident_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "severity", required_argument, NULL, 'S' },
		{ "level", required_argument, NULL, 'l' },
		{ "assignee", required_argument, NULL, 'a' },
		{ "search", required_argument, NULL, '/' },
		{ "order", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	cJSON *req = client_request("incident.list");
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			cJSON_AddItemToObject(req, "status", split(optarg));
			break;
		case 'S':
			cJSON_AddItemToObject(req, "severity", split(optarg));
			break;
		case 'l':
			cJSON_AddNumberToObject(req, "level", atoi(optarg));
			break;
		case 'a':
			cJSON_AddStringToObject(req, "assignee", optarg);
			break;
		case '/':
			cJSON_AddStringToObject(req, "search", optarg);
			break;
		case 'o':
			cJSON_AddStringToObject(req, "order", optarg);
			break;
		case 'n':
			cJSON_AddNumberToObject(req, "limit", atoi(optarg));
			break;
		case 'j':
			cli->json = 1;
			break;
		default:
			cJSON_Delete(req);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cJSON_Delete(req);
		return EXIT_USAGE;
	}
	return cli_run(cli, req, print_list);
}

static void
print_incident(const cJSON *r)
{
	const cJSON *i = cJSON_GetObjectItem(r, "incident"), *e;
	char when[32], timer[32];
	time_t t;

	printf("incident %.0f: ", json_num(i, "id"));
	cli_put(json_str(i, "title", ""));
	printf("\nSEV%.0f  L%.0f  %s  source %s  assignee ", json_num(i, "severity"), json_num(i, "level"),
	    json_str(i, "status", "?"), json_str(i, "source", "?"));
	cli_put(json_str(i, "assignee", "-"));
	putchar('\n');
	if (cJSON_IsNumber(cJSON_GetObjectItem(i, "ack_left"))) {
		timer_text(timer, sizeof timer, json_num(i, "ack_left"));
		printf("acknowledge: %s\n", timer);
	}
	if (cJSON_IsNumber(cJSON_GetObjectItem(i, "resolve_left"))) {
		timer_text(timer, sizeof timer, json_num(i, "resolve_left"));
		printf("resolve: %s\n", timer);
	}
	if (cJSON_IsNumber(cJSON_GetObjectItem(i, "mtta")))
		printf("MTTA %.0fs", json_num(i, "mtta"));
	if (cJSON_IsNumber(cJSON_GetObjectItem(i, "mttr")))
		printf("  MTTR %.0fs", json_num(i, "mttr"));
	if (cJSON_IsNumber(cJSON_GetObjectItem(i, "mtta")))
		putchar('\n');
	if (*json_str(i, "description", "") != '\0') {
		cli_put(json_str(i, "description", ""));
		putchar('\n');
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(i, "timeline")) {
		t = (time_t)json_num(e, "ts");
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&t));
		printf("  %s  %-14s ", when, json_str(e, "kind", ""));
		cli_put(json_str(e, "actor", ""));
		printf(": ");
		cli_put(json_str(e, "text", ""));
		putchar('\n');
	}
}

/* leitstand incident show ID [--json] */
int
cli_incident_show(struct cli *cli, int argc, char **argv)
{
	cJSON *req;

	if (cli_json_opts(cli, argc, argv) != 0)
		return EXIT_USAGE;
	if (optind != argc - 1 || atoll(argv[optind]) <= 0)
		return EXIT_USAGE;
	req = client_request("incident.show");
	cJSON_AddNumberToObject(req, "incident", (double)atoll(argv[optind]));
	return cli_run(cli, req, print_incident);
}


static void
print_opened(const cJSON *r)
{
	printf("opened incident %.0f\n", json_num(cJSON_GetObjectItem(r, "incident"), "id"));
}

/* After an action: the ticket it made, or the incident as it is now. */
static void
print_acted(const cJSON *r)
{
	if (cJSON_GetObjectItem(r, "ticket_key") != NULL) {
		printf("ticket ");
		cli_put(json_str(r, "ticket_key", ""));
		putchar(' ');
		cli_put(json_str(r, "ticket_url", ""));
		putchar('\n');
	} else
		print_row(cJSON_GetObjectItem(r, "incident"));
}

/* leitstand incident open --title TEXT --severity 1-4 [--description TEXT] [--json] */
int
cli_incident_open(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "severity", required_argument, NULL, 's' },
		{ "description", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	cJSON *req = client_request("incident.open");
	char *end;
	long sev;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			cJSON_AddStringToObject(req, "title", optarg);
			break;
		case 's':
			sev = strtol(optarg, &end, 10);
			if (*end != '\0' || sev < 1 || sev > 4) {
				cli_error("--severity: %s is not 1, 2, 3 or 4", optarg);
				cJSON_Delete(req);
				return EXIT_USAGE;
			}
			cJSON_AddNumberToObject(req, "severity", (double)sev);
			break;
		case 'd':
			cJSON_AddStringToObject(req, "description", optarg);
			break;
		case 'j':
			cli->json = 1;
			break;
		default:
			cJSON_Delete(req);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || cJSON_GetObjectItem(req, "title") == NULL ||
	    cJSON_GetObjectItem(req, "severity") == NULL) {
		cJSON_Delete(req);
		return EXIT_USAGE;
	}
	return cli_run(cli, req, print_opened);
}

/*
 * leitstand incident ack|take|note|snooze|reopen|escalate|mitigate|resolve ID [TEXT...]
 * [--minutes N] [--json]: TEXT is the note, the reason, or the snooze reason.
 */
int
cli_incident_act(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "minutes", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	cJSON *req;
	struct buf text;
	char *op;
	long minutes = 0;
	int ch, i;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'm')
			minutes = atol(optarg);
		else if (ch == 'j')
			cli->json = 1;
		else
			return EXIT_USAGE;
	}
	if (optind >= argc || atoll(argv[optind]) <= 0)
		return EXIT_USAGE;
	op = xprintf("incident.%s", argv[0]);
	req = client_request(op);
	cJSON_AddNumberToObject(req, "incident", (double)atoll(argv[optind]));
	buf_init(&text);
	for (i = optind + 1; i < argc; i++)
		buf_printf(&text, "%s%s", i > optind + 1 ? " " : "", argv[i]);
	if (text.len > 0)
		cJSON_AddStringToObject(req, "text", text.data);
	if (minutes > 0)
		cJSON_AddNumberToObject(req, "minutes", (double)minutes);
	buf_free(&text);
	free(op);
	return cli_run(cli, req, print_acted);
}

/* leitstand incident report ID [--json]: the postmortem as Markdown. */
int
cli_incident_report(struct cli *cli, int argc, char **argv)
{
	cJSON *req;

	if (cli_json_opts(cli, argc, argv) != 0)
		return EXIT_USAGE;
	if (optind != argc - 1 || atoll(argv[optind]) <= 0)
		return EXIT_USAGE;
	req = client_request("incident.report");
	cJSON_AddNumberToObject(req, "incident", (double)atoll(argv[optind]));
	return cli_run(cli, req, cli_print_markdown);
}

/* leitstand handover [--since DURATION] [--json]: the shift's handover as Markdown. */
int
cli_handover(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	long since = 8 * 3600, unit;
	char *end;
	cJSON *req;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			since = strtol(optarg, &end, 10);
			unit = *end == 'd' ? 86400 : *end == 'h' ? 3600 : *end == 'm' ? 60 : 1;
			if (since <= 0 || (*end != '\0' && (strchr("dhms", *end) == NULL ||
			    end[1] != '\0'))) {
				cli_error("--since: %s is not a duration like 8h, 90m or 2d", optarg);
				return EXIT_USAGE;
			}
			since *= unit;
			break;
		case 'j':
			cli->json = 1;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return EXIT_USAGE;
	req = client_request("handover");
	cJSON_AddNumberToObject(req, "since", (double)(time(NULL) - since));
	return cli_run(cli, req, cli_print_markdown);
}
