/* SPDX-License-Identifier: ISC */
/*
 * Vendor drift: the model that answers (the response model label) is not the one the live
 * release pins in model.ini — the provider changed the model behind a name. Looked at from
 * the KPI polls, shown in the Prompts view, and an incident when [prompts] drift_severity
 * says so.
 */
#ifndef DRIFT_H
#define DRIFT_H

#include <cjson/cJSON.h>

struct daemon;

/* After a poll: one query of the response models' shares, at most every 10 s. */
void	 drift_poll(struct daemon *);
/* An assistant's answering models {drift, model, share (the other model, when drift),
   since, answering: [{model, share}]}, or NULL before anything is known. */
cJSON	*drift_json(const char *assistant);
void	 drift_stop(void);

#endif
