/* SPDX-License-Identifier: ISC */
/* The simulator's state and the HTTP replies its server and its chat endpoint share. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backend/mhd-dl.h"
#include "backend/sim-model.h"

/* The running simulator; lock guards model and stopping. */
struct sim {
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;		/* broadcast when stopping */
	int		 stopping;
	struct sim_model *model;
	char		*system;	/* the release's system prompt; NULL without one */
	double		 rate_scale;
	enum sim_dialect dialect;	/* of /metrics */
	struct sim_release *release;	/* --prompts; NULL without */
	struct sim_feedback_ring *feedback; /* conversations rated negative (sim-feedback.c) */
};

/* Sends data (from malloc; MHD frees it) with its type and one more header if not NULL. */
enum MHD_Result	sim_reply(struct MHD_Connection *, unsigned int, const char *type, char *data,
		    const char *header, const char *value);
/* Sends a JSON document and deletes it. */
enum MHD_Result	sim_reply_json(struct MHD_Connection *, unsigned int, cJSON *, const char *header,
		    const char *value);
/* An error the way the OpenAI API sends it, naming the request field it is about; param and
   code NULL are JSON null. */
cJSON		*sim_error_param(const char *message, const char *type, const char *param,
		    const char *code);
/* An error the way the OpenAI API sends it; code NULL is JSON null. */
cJSON		*sim_error_object(const char *message, const char *type, const char *code);
enum MHD_Result	sim_reply_error(struct MHD_Connection *, unsigned int, const char *message,
		    const char *type, const char *code);
/* A 400 about one request field. */
enum MHD_Result	sim_reply_invalid(struct MHD_Connection *, const char *message, const char *param);
/* Waits until secs after start (CLOCK_MONOTONIC); -1 if the simulator stops first. */
int		 sim_wait(struct sim *, const struct timespec *start, double secs);
/* Waits up to secs, less if the simulator stops. */
void		 sim_sleep(struct sim *, double secs);
/* POST /v1/chat/completions. */
enum MHD_Result	sim_route_chat(struct sim *, struct MHD_Connection *, const char *, size_t);

#endif
