/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/alerts.h"
#include "backend/audit.h"
#include "backend/automation.h"
#include "backend/oncall.h"
#include "backend/checkpoint.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/events.h"
#include "backend/format.h"
#include "backend/http.h"
#include "backend/job.h"
#include "backend/json.h"
#include "backend/kpi-incident.h"
#include "backend/incident.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/proto.h"
#include "backend/retention.h"
#include "backend/xmalloc.h"

#define ACTOR	"leitstand"
#define ROLE	"daemon"
#define PURGE_FIRST_MS	(60 * 1000L)
#define PURGE_EVERY_MS	(24 * 3600 * 1000L)

/* Incidents changed in one transaction, announced once it is committed. */
struct changes {
	struct daemon	*d;
	int		(*work)(struct changes *, void *);
	void		*arg;
	long long	*ids;
	char		**actions;
	size_t		 n;
	int		 failed;
	char		*cause;
};

/* Alertmanager: one read at a time, and whether the last one failed. */
static struct {
	struct loop_timer	*timer;
	int			 busy;		/* a read is in flight */
	char			*error;		/* why the last read failed, or NULL */
} am;

static void
changes_add(struct changes *c, long long id, const char *action, const char *text)
{
	cJSON *d = cJSON_CreateObject();
	char *object = xprintf("incident %lld", id), *details, *op;

	cJSON_AddStringToObject(d, "reason", text);
	details = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	op = xprintf("incident.%s", action);
	if (!c->failed && audit_append(c->d->db, ACTOR, ROLE, op, object, details,
	    &c->cause) < 0)
		c->failed = 1;
	c->ids = xreallocarray(c->ids, c->n + 1, sizeof *c->ids);
	c->actions = xreallocarray(c->actions, c->n + 1, sizeof *c->actions);
	c->ids[c->n] = id;
	c->actions[c->n++] = xstrdup(action);
	cJSON_free(details);
	free(object);
	free(op);
}

static void
changes_tick_cb(void *arg, long long id, const char *action, const char *text)
{
	changes_add(arg, id, action, text);
}

static int
changes_work(sqlite3 *db, void *arg, struct audit_tx *tx, char **cause)
{
	struct changes *c = arg;

	(void)db;
	(void)tx;
	(void)cause;	/* c->cause */
	return c->work(c, c->arg) != 0 || c->failed ? -1 : 0;
}

/* Runs work in one transaction, with an entry for each incident it changes (changes_add),
   and tells every console what changed once it is committed. Returns 0 or -1 (logged). */
static int
changes_run(struct daemon *d, const char *what, int (*work)(struct changes *, void *),
    void *arg)
{
	struct audit_tx tx = { .action = NULL };
	struct changes c;
	cJSON *ev;
	size_t i;
	int rc;

	memset(&c, 0, sizeof c);
	c.d = d;
	c.work = work;
	c.arg = arg;
	rc = audit_tx(d->db, &tx, changes_work, &c, &c.cause);
	if (rc == AUDIT_TX_BEGIN)
		log_debug("automation: %s", c.cause);
	else if (rc != AUDIT_TX_OK)
		log_debug("%s: %s", what, c.cause);
	else {
		for (i = 0; i < c.n; i++) {
			ev = proto_event("incident");
			cJSON_AddStringToObject(ev, "action", c.actions[i]);
			cJSON_AddStringToObject(ev, "actor", ACTOR);
			cJSON_AddItemToObject(ev, "incident", incident_get(d->db, &d->policy,
			    c.ids[i], time(NULL), 0));
			events_publish(TOPIC_INCIDENT, ev);
		}
	}
	for (i = 0; i < c.n; i++)
		free(c.actions[i]);
	free(c.actions);
	free(c.ids);
	free(c.cause);
	return rc == AUDIT_TX_OK ? 0 : -1;
}

/* A change the daemon makes to one incident on its own. */
struct record {
	long long	 id;
	const char	*action, *kind, *text, *data;
	int		(*write)(sqlite3 *, void *, char **);
	void		*arg;
};

static int
record_work(struct changes *c, void *arg)
{
	struct record *r = arg;
	sqlite3 *db = c->d->db;

	if ((r->write != NULL && r->write(db, r->arg, &c->cause) != 0) ||
	    incident_timeline(db, r->id, time(NULL), ACTOR, r->kind, r->text, r->data,
	    &c->cause) != 0)
		return -1;
	changes_add(c, r->id, r->action, r->text);
	return 0;
}

int
automation_record(struct daemon *d, long long id, const char *action, const char *kind,
    const char *text, const char *data, int (*write)(sqlite3 *, void *, char **), void *arg)
{
	struct record r = { id, action, kind, text, data, write, arg };

	return changes_run(d, action, record_work, &r);
}

/* An incident the daemon finds itself: opened once per fingerprint, or recovered. */
struct finding {
	const struct incident_new	*n;
	const char			*fingerprint, *text;
};

static int
finding_work(struct changes *c, void *arg)
{
	struct finding *f = arg;
	sqlite3 *db = c->d->db;
	time_t now = time(NULL);
	long long id;
	int existing;

	if (f->n == NULL) {
		if ((id = incident_recovered(db, f->fingerprint, f->text, now, &c->cause)) < 0)
			return -1;
		if (id > 0)
			changes_add(c, id, "recovered", f->text);
		return 0;
	}
	if ((id = incident_open(db, &c->d->policy, f->n, ACTOR, now, &existing,
	    &c->cause)) < 0)
		return -1;
	if (!existing)
		changes_add(c, id, "open", f->text);
	return 0;
}

int
automation_finding(struct daemon *d, const struct incident_new *n, const char *fingerprint,
    const char *text)
{
	struct finding f = { n, fingerprint, text };

	return changes_run(d, "finding", finding_work, &f);
}

static int
tick_work(struct changes *c, void *arg)
{
	(void)arg;
	return incident_tick(c->d->db, &c->d->policy, time(NULL), changes_tick_cb, c,
	    &c->cause);
}

static void
automation_tick(void *arg)
{
	changes_run(arg, "incident timers", tick_work, NULL);
}

/* A read of Alertmanager's alerts, on a job thread. */
struct am_read {
	struct daemon		*d;
	char			*url;
	long			 timeout_ms;
	struct http_reply	 reply;
	int			 rc;
	char			*cause;
};

static void
am_work(void *arg)
{
	struct am_read *r = arg;
	struct http_request rq;

	memset(&rq, 0, sizeof rq);
	rq.url = r->url;
	rq.timeout_ms = r->timeout_ms;
	rq.max_body = 64 * 1024 * 1024;
	r->rc = http_do(&rq, &r->reply, &r->cause);
}

/* Tells the consoles when Alertmanager goes away or comes back. */
static void
am_state(char *error)
{
	int changed = (error == NULL) != (am.error == NULL) ||
	    (error != NULL && strcmp(error, am.error) != 0);

	free(am.error);
	am.error = error;
	if (changed) {
		log_debug("alertmanager: %s", error != NULL ? error : "reachable");
		events_publish(TOPIC_STATUS, proto_event("status"));
	}
}

const char *
automation_am_error(void)
{
	return am.error;
}

static int
am_apply(struct changes *c, void *arg)
{
	struct daemon *d = c->d;

	return alerts_apply(d->db, d->cfg, &d->policy, d->redactor, arg, time(NULL),
	    changes_tick_cb, c, &c->cause);
}

static void
am_done(void *arg)
{
	struct am_read *r = arg;
	struct daemon *s = r->d;
	struct am_alerts list;
	char *cause = NULL, *error = NULL;

	am.busy = 0;
	memset(&list, 0, sizeof list);
	if (r->rc != 0)
		error = xprintf("alertmanager %s: %s", s->cfg->am_url, r->cause);
	else if (r->reply.status != 200)
		error = xprintf("alertmanager %s: HTTP %ld", s->cfg->am_url, r->reply.status);
	else if (am_parse(r->reply.body.data != NULL ? r->reply.body.data : "",
	    r->reply.body.len, &list, &cause) != 0)
		error = xprintf("alertmanager %s: invalid reply: %s", s->cfg->am_url, cause);
	else
		changes_run(s, "alerts", am_apply, &list);
	am_state(error);
	am_alerts_free(&list);
	http_reply_free(&r->reply);
	free(cause);
	free(r->cause);
	free(r->url);
	free(r);
}

static void
am_tick(void *arg)
{
	struct daemon *s = arg;
	struct am_read *r;
	char *cause = NULL;

	if (am.busy)
		return;
	r = xcalloc(1, sizeof *r);
	r->d = s;
	r->url = xprintf("%s%sapi/v2/alerts", s->cfg->am_url,
	    s->cfg->am_url[strlen(s->cfg->am_url) - 1] == '/' ? "" : "/");
	r->timeout_ms = (long)s->cfg->am_timeout * 1000;
	if (job_start(JOB_ALERTS, am_work, am_done, r, &cause) != 0) {
		/* Not while one runs (am_busy): only when the daemon stops. */
		log_debug("alertmanager: %s", cause);
		free(cause);
		free(r->url);
		free(r);
		return;
	}
	am.busy = 1;
}

/* The chain head signed every checkpoint_interval, when it moved since the last one. */
static void
checkpoint_tick(void *arg)
{
	struct daemon *s = arg;
	long long head = checkpoint_head(s->db);
	char *line = NULL, *cause = NULL;

	if (head == s->checkpoint_seq)
		return;
	if (checkpoint_append(s->cfg, s->db, &line, &cause) != 0) {
		log_debug("audit checkpoint: %s", cause);
		free(cause);
		return;
	}
	s->checkpoint_seq = head;
	free(line);
}

static int
purge_work(sqlite3 *db, void *arg, struct audit_tx *tx, char **cause)
{
	struct daemon *d = arg;
	cJSON *counts;

	if ((counts = retention_purge(db, d->cfg, time(NULL), 0, cause)) == NULL)
		return -1;
	tx->details = counts;
	return 0;
}

/* The daily purge, as the daemon: what is past its retention period goes, audited. */
static void
purge_tick(void *arg)
{
	struct daemon *d = arg;
	struct audit_tx tx = { .actor = ACTOR, .role = ROLE, .action = "purge",
	    .object = "retention" };
	char *cause = NULL;

	if (audit_tx(d->db, &tx, purge_work, d, &cause) != AUDIT_TX_OK) {
		log_debug("purge: %s", cause);
		free(cause);
	}
	cJSON_Delete(tx.details);
}

static void
purge_first(void *arg)
{
	struct daemon *s = arg;

	s->purge_timer = loop_timer_add(s->loop, PURGE_EVERY_MS, 1, purge_tick, s);
	purge_tick(s);
}

void
automation_start(struct daemon *s)
{
	int i;

	for (i = 0; i < 4; i++) {
		s->policy.ack_s[i] = (long)s->cfg->ack_s[i];
		s->policy.resolve_s[i] = (long)s->cfg->resolve_s[i];
	}
	s->policy.ack_timeout_s = (long)s->cfg->ack_timeout;
	/* Paging again is for people: only when someone can be on call. */
	s->policy.repeat = oncall_in_use(s->cfg) ? (int)s->cfg->escalation_repeat : 0;
	s->incident_timer = loop_timer_add(s->loop, s->cfg->timer_interval * 1000, 1,
	    automation_tick, s);
	if (s->cfg->am_url != NULL && *s->cfg->am_url != '\0') {
		am.timer = loop_timer_add(s->loop, s->cfg->am_interval * 1000, 1, am_tick, s);
		am_tick(s);
	}
	if (s->cfg->checkpoint_file != NULL && *s->cfg->checkpoint_file != '\0')
		s->checkpoint_timer = loop_timer_add(s->loop, s->cfg->checkpoint_interval * 1000, 1,
		    checkpoint_tick, s);
	/* Soon after start (a daemon restarted daily still purges), then once a day. */
	s->purge_timer = loop_timer_add(s->loop, PURGE_FIRST_MS, 0, purge_first, s);
}

static void
automation_timers_stop(struct daemon *s)
{
	loop_timer_remove(s->incident_timer);
	loop_timer_remove(am.timer);
	loop_timer_remove(s->purge_timer);
	loop_timer_remove(s->checkpoint_timer);
	s->incident_timer = am.timer = s->purge_timer = s->checkpoint_timer = NULL;
}

void
automation_restart(struct daemon *s)
{
	automation_timers_stop(s);
	automation_start(s);
}

void
automation_stop(struct daemon *s)
{
	automation_timers_stop(s);
	free(am.error);
	am.error = NULL;
	am.busy = 0;
}

/* The definition of a KPI by name, or NULL. */
static const struct kpi_def *
kpi_def_of(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nkpis; i++) {
		if (strcmp(cfg->kpis[i].name, name) == 0)
			return &cfg->kpis[i];
	}
	return NULL;
}

/* A KPI that went crit, or back to ok. */
struct kpi_change {
	const char	*name, *title, *to;
	double		 value;
	char		*data, *text, *impact, shown[64];
};

static int
kpi_work(struct changes *c, void *arg)
{
	struct kpi_change *k = arg;
	struct daemon *d = c->d;
	const struct kpi_def *def;
	struct kpi_breach b;
	const char *what;
	long long id;
	int all;

	if (strcmp(k->to, "crit") == 0) {
		memset(&b, 0, sizeof b);
		b.name = k->name;
		b.title = k->title;
		b.shown = k->shown;
		b.snapshot = k->data;
		b.severity = (int)d->cfg->kpi_severity;
		if ((def = kpi_def_of(d->cfg, k->name)) != NULL)
			b.severity = kpi_breach_severity(def, k->value, b.severity, &k->impact);
		b.impact = k->impact;
		k->text = xprintf("%s is crit (%s)", k->title, k->shown);
		if ((id = kpi_incident_crit(d->db, &d->policy, &b, (long)d->cfg->correlate,
		    time(NULL), &what, &c->cause)) < 0)
			return -1;
		changes_add(c, id, what, k->text);
	} else {
		k->text = xprintf("%s recovered (%s)", k->title, k->shown);
		if ((id = kpi_incident_ok(d->db, k->name, k->text, k->data, time(NULL), &all,
		    &c->cause)) < 0)
			return -1;
		if (id > 0)
			changes_add(c, id, all ? "recovered" : "kpi", k->text);
	}
	return 0;
}

void
automation_kpi(struct daemon *d, const cJSON *ev)
{
	const char *from = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "from"));
	struct kpi_change k;

	memset(&k, 0, sizeof k);
	k.name = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "name"));
	k.title = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "title"));
	k.to = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "to"));
	k.value = cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "value"));
	if (k.name == NULL || k.title == NULL || from == NULL || k.to == NULL)
		return;
	/* Crit opens; only ok recovers (crit -> warn is still a breach; no news is no news). */
	if (strcmp(k.to, "crit") != 0 && strcmp(k.to, "ok") != 0)
		return;
	if (strcmp(k.to, "ok") == 0 && strcmp(from, "unknown") == 0)
		return;
	k.data = cJSON_PrintUnformatted(ev);
	format_value(k.shown, sizeof k.shown, k.value,
	    (int)cJSON_GetNumberValue(cJSON_GetObjectItem(ev, "precision")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(ev, "unit")));
	changes_run(d, "KPI incident", kpi_work, &k);
	free(k.impact);
	free(k.text);
	free(k.data);
}

/* A crit KPI beyond an impact rule: its incident's severity rises. */
struct kpi_worse {
	const struct kpi_def	*def;
	int			 severity;
	const char		*impact;
};

static int
kpi_worse_work(struct changes *c, void *arg)
{
	struct kpi_worse *w = arg;
	long long id;

	if ((id = kpi_incident_worse(c->d->db, &c->d->policy, w->def->name, w->severity,
	    w->impact, time(NULL), &c->cause)) < 0)
		return -1;
	if (id > 0)
		changes_add(c, id, "severity", w->impact);
	return 0;
}

void
automation_kpi_poll(struct daemon *d, const cJSON *snapshot)
{
	const cJSON *k;
	struct kpi_worse w;
	char *impact;

	cJSON_ArrayForEach(k, cJSON_GetObjectItem(snapshot, "kpis")) {
		if (strcmp(json_str(k, "state", ""), "crit") != 0 ||
		    (w.def = kpi_def_of(d->cfg, json_str(k, "name", ""))) == NULL)
			continue;
		w.severity = kpi_breach_severity(w.def, json_num(k, "value"),
		    (int)d->cfg->kpi_severity, &impact);
		if (impact == NULL)
			continue;
		w.impact = impact;
		changes_run(d, "KPI impact", kpi_worse_work, &w);
		free(impact);
	}
}
