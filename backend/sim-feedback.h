/* SPDX-License-Identifier: ISC */
/*
 * The simulator's negative feedback feed (README "Negative feedback feed"): the last
 * conversations its traffic rated negative, each a question from a built-in list of support
 * questions with the answer the model gives it, served at GET /sim/feedback as JSON lines.
 */
#ifndef SIM_FEEDBACK_H
#define SIM_FEEDBACK_H

#include "backend/sim-server.h"

#define SIM_FEEDBACK_RING	200	/* conversations kept, the newest */

struct sim_feedback_ring;

/* An empty ring for the assistant's conversations. */
struct sim_feedback_ring *sim_feedback_create(const char *assistant);
void		 sim_feedback_free(struct sim_feedback_ring *);
/* sim_model's negative-feedback callback; arg is the struct sim (its lock held). */
void		 sim_feedback_record(void *arg, const struct sim_model *,
		    const struct sim_request *);
/* GET /sim/feedback[?since=ID]: the ring, oldest first, as application/x-ndjson. */
enum MHD_Result	 sim_feedback_route(struct sim *, struct MHD_Connection *);

#endif
