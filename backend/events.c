/* SPDX-License-Identifier: ISC */
#include <stddef.h>

#include "backend/events.h"

static events_cb	 sink, listener;
static void		*sink_arg, *listener_arg;

void
events_sink(events_cb cb, void *arg)
{
	sink = cb;
	sink_arg = arg;
}

void
events_listen(events_cb cb, void *arg)
{
	listener = cb;
	listener_arg = arg;
}

void
events_publish(enum topic topic, cJSON *ev)
{
	if (sink != NULL)
		sink(sink_arg, topic, ev);
	if (listener != NULL)
		listener(listener_arg, topic, ev);
	cJSON_Delete(ev);
}
