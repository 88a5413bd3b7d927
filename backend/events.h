/* SPDX-License-Identifier: ISC */
/* Events by topic: modules publish what changed without knowing who listens; the socket
   server registers as the sink that passes them on to subscribed clients. */
#ifndef EVENTS_H
#define EVENTS_H

#include <cjson/cJSON.h>

/* Event topics a client can subscribe to. */
enum topic {
	TOPIC_AUDIT	= 0x1,
	TOPIC_STATUS	= 0x2,
	TOPIC_KPI	= 0x4,
	TOPIC_INCIDENT	= 0x8,
	TOPIC_PROMPT	= 0x10,
	TOPIC_ALL	= 0x1f
};

/* Receives every event published (not its own: events_publish frees it after). */
typedef void (*events_cb)(void *arg, enum topic, const cJSON *);

/* Sets the one sink (NULL: events are dropped). */
void	events_sink(events_cb, void *arg);
/* Sets the one listener inside the daemon (escalation), which gets every event after the
   sink (NULL: none). */
void	events_listen(events_cb, void *arg);
/* Hands an event to the sink and the listener, and frees it. */
void	events_publish(enum topic, cJSON *);

#endif
