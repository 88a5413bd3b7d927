/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/automation.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/drift.h"
#include "backend/events.h"
#include "backend/incident.h"
#include "backend/json.h"
#include "backend/log.h"
#include "backend/metrics.h"
#include "backend/poller.h"
#include "backend/prom.h"
#include "backend/prompts.h"
#include "backend/proto.h"
#include "backend/repo.h"
#include "backend/xmalloc.h"

/* A look at most this often (a query through the shared poller budget). */
#define DRIFT_EVERY	10
/* Answers by another model below this share are noise (a retry, a canary elsewhere). */
#define DRIFT_SHARE	0.05

struct answering {
	char	*model;
	double	 share;
};

struct assistant_drift {
	char			*name;
	char			*pinned;
	struct answering	*answering;	/* of the pinned model's requests, largest first */
	size_t			 n;
	int			 drift;		/* another model answers DRIFT_SHARE or more */
	size_t			 other;		/* the largest of the others, if drift */
	time_t			 since;
};

static struct {
	struct daemon		*d;
	time_t			 last;
	int			 busy;
	struct assistant_drift	*v;
	size_t			 n;
} dr;

static void
assistant_clear(struct assistant_drift *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->answering[i].model);
	free(a->answering);
	a->answering = NULL;
	a->n = 0;
}

static struct assistant_drift *
assistant_of(const char *name)
{
	size_t i;

	for (i = 0; i < dr.n; i++) {
		if (strcmp(dr.v[i].name, name) == 0)
			return &dr.v[i];
	}
	dr.v = xreallocarray(dr.v, dr.n + 1, sizeof *dr.v);
	memset(&dr.v[dr.n], 0, sizeof *dr.v);
	dr.v[dr.n].name = xstrdup(name);
	return &dr.v[dr.n++];
}

/* Each assistant's pinned model, from production's model.ini. */
static void
pinned_models(void)
{
	struct repo *repo;
	struct model_ini m;
	struct assistant_drift *a;
	const cJSON *n;
	cJSON *names;
	const char *why;
	char *text, *cause = NULL;
	size_t len;

	if ((repo = prompts_repo(&why)) == NULL ||
	    (names = repo_assistants(repo, &cause)) == NULL) {
		free(cause);
		return;
	}
	cJSON_ArrayForEach(n, names) {
		text = repo_read(repo, "production", n->valuestring, "model.ini", &len, &cause);
		if (text != NULL && model_ini_parse(text, &m, &cause) == 0) {
			a = assistant_of(n->valuestring);
			free(a->pinned);
			a->pinned = xstrdup(m.id);
			model_ini_free(&m);
		}
		free(text);
		free(cause);
		cause = NULL;
	}
	cJSON_Delete(names);
}

static int
answering_cmp(const void *x, const void *y)
{
	const struct answering *a = x, *b = y;

	return a->share < b->share ? 1 : a->share > b->share ? -1 : strcmp(a->model, b->model);
}

/* The incident of an assistant's drift: opened when it starts, recovered when it ends. */
static void
drift_incident(struct assistant_drift *a)
{
	struct daemon *d = dr.d;
	struct incident_new n;
	char *fingerprint = xprintf("drift:%s", a->name), *title;

	if (d->cfg->drift_severity == 0) {
		free(fingerprint);
		return;
	}
	if (a->drift) {
		title = xprintf("Vendor drift: %s is answered by %s (%.0f %%), not the pinned %s",
		    a->name, a->answering[a->other].model, 100 * a->answering[a->other].share,
		    a->pinned);
		memset(&n, 0, sizeof n);
		n.title = title;
		n.description = "The provider answers the pinned model with another one (a model "
		    "behind an alias changed): quality, cost and compliance may change without a "
		    "release. Compare the Prompts view's figures; pin what answers, or ask the "
		    "provider.";
		n.severity = (int)d->cfg->drift_severity;
		n.source = "kpi";
		n.fingerprint = fingerprint;
		automation_finding(d, &n, fingerprint, title);
		free(title);
	} else
		automation_finding(d, NULL, fingerprint, "answered by the pinned model again");
	free(fingerprint);
}

/* A dated snapshot ("gpt-4o-2024-08-06"), not an alias ("gpt-4o"). */
static int
dated(const char *m)
{
	size_t n = strlen(m), i;
	const char *shape = "-dddd-dd-dd";

	if (n < 11)
		return 0;
	for (i = 0; i < 11; i++) {
		if (shape[i] == 'd' ? (m[n - 11 + i] < '0' || m[n - 11 + i] > '9') :
		    m[n - 11 + i] != '-')
			return 0;
	}
	return 1;
}

/* Shares of the response models among the requests for each pinned model. */
static void
drift_done(void *arg, struct metrics_result *res)
{
	struct assistant_drift *a;
	const struct prom_series *s;
	const char *req, *resp;
	char *req_label, *resp_label, *cause = NULL;
	cJSON *ev;
	double total, v;
	size_t i, k;
	int was, changed = 0;

	(void)arg;
	dr.busy = 0;
	if (dr.d == NULL || res->status != METRICS_OK || res->resp.type != PROM_VECTOR)
		return;
	req_label = poller_label(dr.d->poller, "${request_model}");
	resp_label = poller_label(dr.d->poller, "${response_model}");
	for (i = 0; i < dr.n; i++) {
		a = &dr.v[i];
		if (a->pinned == NULL)
			continue;
		was = a->drift;
		assistant_clear(a);
		total = 0;
		for (k = 0; k < res->resp.nseries; k++) {
			s = &res->resp.series[k];
			req = prom_label(s, req_label);
			resp = prom_label(s, resp_label);
			v = s->nsamples > 0 ? s->samples[0].v : 0;
			if (req == NULL || resp == NULL || strcmp(req, a->pinned) != 0 || !(v > 0))
				continue;
			a->answering = xreallocarray(a->answering, a->n + 1, sizeof *a->answering);
			a->answering[a->n].model = xstrdup(resp);
			a->answering[a->n++].share = v;
			total += v;
		}
		for (k = 0; k < a->n; k++)
			a->answering[k].share /= total;
		qsort(a->answering, a->n, sizeof *a->answering, answering_cmp);
		/* Drift: another model answers a share of the requests for the pinned one. */
		a->drift = 0;
		for (k = a->n; k > 0; k--) {
			if (strcmp(a->answering[k - 1].model, a->pinned) != 0 &&
			    a->answering[k - 1].share >= DRIFT_SHARE) {
				a->drift = 1;
				a->other = k - 1;
			}
		}
		/* An alias pinned: the snapshot behind it is shown, not called drift. */
		if (!dated(a->pinned))
			a->drift = 0;
		if (a->drift != was) {
			a->since = time(NULL);
			changed = 1;
			drift_incident(a);
		}
	}
	free(req_label);
	free(resp_label);
	free(cause);
	if (changed) {
		ev = proto_event("prompt");
		cJSON_AddStringToObject(ev, "action", "drift");
		events_publish(TOPIC_PROMPT, ev);
	}
}

void
drift_poll(struct daemon *d)
{
	char *q, *cause = NULL;
	time_t now = time(NULL);

	dr.d = d;
	if (dr.busy || now - dr.last < DRIFT_EVERY)
		return;
	dr.last = now;
	pinned_models();
	if (dr.n == 0)
		return;
	if ((q = poller_expand(d->poller, "sum by (${request_model}, ${response_model}) "
	    "(rate(${ops_count}[5m]))", &cause)) == NULL ||
	    poller_query_at(d->poller, q, 0, drift_done, NULL, &cause) != 0) {
		log_debug("drift: %s", cause);
		free(cause);
		free(q);
		return;
	}
	dr.busy = 1;
	free(q);
}

cJSON *
drift_json(const char *assistant)
{
	const struct assistant_drift *a = NULL;
	cJSON *o, *list, *m;
	size_t i;

	for (i = 0; i < dr.n; i++) {
		if (strcmp(dr.v[i].name, assistant) == 0)
			a = &dr.v[i];
	}
	if (a == NULL || a->n == 0)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "drift", a->drift);
	if (a->drift) {
		cJSON_AddStringToObject(o, "model", a->answering[a->other].model);
		cJSON_AddNumberToObject(o, "share", a->answering[a->other].share);
	}
	if (a->since > 0)
		cJSON_AddNumberToObject(o, "since", (double)a->since);
	list = cJSON_AddArrayToObject(o, "answering");
	for (i = 0; i < a->n; i++) {
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "model", a->answering[i].model);
		cJSON_AddNumberToObject(m, "share", a->answering[i].share);
		cJSON_AddItemToArray(list, m);
	}
	return o;
}

void
drift_stop(void)
{
	size_t i;

	for (i = 0; i < dr.n; i++) {
		assistant_clear(&dr.v[i]);
		free(dr.v[i].name);
		free(dr.v[i].pinned);
	}
	free(dr.v);
	memset(&dr, 0, sizeof dr);
}
