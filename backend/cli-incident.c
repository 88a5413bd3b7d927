/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

const struct cli_hook cli_incident_hooks[] = {
	{ .op = "incident.list", .print = print_list },
	{ .op = "incident.show", .print = print_incident },
	{ .op = "incident.open", .print = print_opened },
	{ .op = "incident.ack", .print = print_acted },
	{ .op = "incident.take", .print = print_acted },
	{ .op = "incident.note", .print = print_acted },
	{ .op = "incident.snooze", .print = print_acted },
	{ .op = "incident.reopen", .print = print_acted },
	{ .op = "incident.escalate", .print = print_acted },
	{ .op = "incident.mitigate", .print = print_acted },
	{ .op = "incident.resolve", .print = print_acted },
	{ .op = "incident.severity", .print = print_acted },
	{ .op = "incident.ticket", .print = print_acted },
	{ .op = "incident.report", .print = cli_print_markdown },
	{ .op = "handover", .print = cli_print_markdown },
	{ .op = NULL }
};
