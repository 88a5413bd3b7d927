/* SPDX-License-Identifier: ISC */
/*
 * Escalation to people: who is paged when — the on-call of each level of the severity's
 * policy ([escalation]) as the acknowledge timers escalate an incident, and whoever
 * [triggers] names for an event — each notice once per incident, event, level and round,
 * every try on the incident's timeline, retries with back-off, stopped by an
 * acknowledgement.
 */
#ifndef ESCALATION_H
#define ESCALATION_H

struct daemon;

/* Listens to incident, prompt and KPI events and starts the retry timer. */
void	escalation_start(struct daemon *);
/* After the jobs have drained: no more pages. */
void	escalation_stop(struct daemon *);

#endif
