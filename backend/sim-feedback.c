/* SPDX-License-Identifier: ISC */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backend/buf.h"
#include "backend/sim-feedback.h"
#include "backend/xmalloc.h"

struct sim_conv {
	unsigned long long	 seq;		/* the id is "c-SEQ" */
	time_t			 time;
	char			*release;	/* NULL: served without releases */
	char			*model;
	const char		*question;	/* from the table below */
	char			*answer;
};

struct sim_feedback_ring {
	char			*assistant;
	struct sim_conv		 conv[SIM_FEEDBACK_RING];
	size_t			 next;		/* where the next one goes */
	unsigned long long	 seq;		/* conversations recorded */
	uint64_t		 pick;		/* a generator of its own: the model's sequence of
						   numbers stays what a seed makes it */
};

/*
 * What customers ask a support assistant. Some carry personal data, as real questions do:
 * the feed passes them on as the deployment has them, and the daemon redacts them.
 */
static const char *const questions[] = {
	"How do I get a refund for order 48213?",
	"I was charged twice this month, my e-mail is anna.schmidt@example.com - please help.",
	"Where can I change the delivery address of my order?",
	"My card 4111 1111 1111 1111 was declined, why?",
	"Can you call me back on +49 30 1234567 about my contract?",
	"How do I cancel my subscription?",
	"Give me my invoice as JSON please.",
	"The app keeps logging me out, what can I do?",
	"Please send the password reset link to jonas.weber@example.org, it never arrived.",
	"Which payment methods do you accept?",
};

struct sim_feedback_ring *
sim_feedback_create(const char *assistant)
{
	struct sim_feedback_ring *f = xcalloc(1, sizeof *f);

	f->assistant = xstrdup(assistant);
	f->pick = 0x9e3779b97f4a7c15ULL;
	return f;
}

static void
conv_clear(struct sim_conv *c)
{
	free(c->release);
	free(c->model);
	free(c->answer);
	memset(c, 0, sizeof *c);
}

void
sim_feedback_free(struct sim_feedback_ring *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < SIM_FEEDBACK_RING; i++)
		conv_clear(&f->conv[i]);
	free(f->assistant);
	free(f);
}

void
sim_feedback_record(void *arg, const struct sim_model *m, const struct sim_request *r)
{
	struct sim *s = arg;
	struct sim_feedback_ring *f = s->feedback;
	struct sim_conv *c;
	const char *release = sim_model_request_release(m, r);

	if (f == NULL)
		return;
	c = &f->conv[f->next];
	f->next = (f->next + 1) % SIM_FEEDBACK_RING;
	conv_clear(c);
	/* xorshift64 */
	f->pick ^= f->pick << 13;
	f->pick ^= f->pick >> 7;
	f->pick ^= f->pick << 17;
	c->seq = ++f->seq;
	c->time = time(NULL);
	c->release = release != NULL ? xstrdup(release) : NULL;
	c->model = xstrdup(r->response_model != NULL ? r->response_model : "");
	c->question = questions[f->pick % (sizeof questions / sizeof questions[0])];
	/* A request that failed was rated for the failure: what the customer saw. */
	c->answer = r->error == SIM_OK ? sim_model_answer(m, r->request_model,
	    r->system != NULL ? r->system : s->system != NULL ? s->system : "", c->question) :
	    xprintf("Sorry, something went wrong (%s). Please try again later.",
	    sim_error_name(r->error));
}

enum MHD_Result
sim_feedback_route(struct sim *s, struct MHD_Connection *conn)
{
	struct sim_feedback_ring *f = s->feedback;
	const char *since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	unsigned long long after = 0, known;
	struct sim_conv *c;
	struct buf b;
	cJSON *o;
	char *line, *end, id[32];
	size_t i, n;

	buf_init(&b);
	buf_addstr(&b, "");
	pthread_mutex_lock(&s->lock);
	n = f->seq < SIM_FEEDBACK_RING ? (size_t)f->seq : SIM_FEEDBACK_RING;
	known = f->seq - n;
	/* An id the ring no longer holds (or never did): all of it. */
	if (since != NULL && strncmp(since, "c-", 2) == 0) {
		after = strtoull(since + 2, &end, 10);
		if (*end != '\0' || after < known || after > f->seq)
			after = 0;
	}
	for (i = 0; i < n; i++) {
		c = &f->conv[(f->next + SIM_FEEDBACK_RING - n + i) % SIM_FEEDBACK_RING];
		if (c->seq <= after)
			continue;
		snprintf(id, sizeof id, "c-%llu", c->seq);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddNumberToObject(o, "time", (double)c->time);
		cJSON_AddStringToObject(o, "assistant", f->assistant);
		if (c->release != NULL)
			cJSON_AddStringToObject(o, "release", c->release);
		cJSON_AddStringToObject(o, "model", c->model);
		cJSON_AddStringToObject(o, "rating", "negative");
		cJSON_AddStringToObject(o, "question", c->question);
		cJSON_AddStringToObject(o, "answer", c->answer);
		if ((line = cJSON_PrintUnformatted(o)) == NULL)
			fatal("out of memory");
		buf_printf(&b, "%s\n", line);
		cJSON_free(line);
		cJSON_Delete(o);
	}
	pthread_mutex_unlock(&s->lock);
	return sim_reply(conn, MHD_HTTP_OK, "application/x-ndjson", buf_take(&b), NULL, NULL);
}
