/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/automation.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/escalation.h"
#include "backend/events.h"
#include "backend/incident.h"
#include "backend/json.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/notify.h"
#include "backend/oncall.h"
#include "backend/proposal.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

#define RETRY_TICK_MS	5000
#define QUIET_RECHECK	60

static struct {
	struct daemon		*d;
	struct loop_timer	*timer;
	int			*kpi_pending;	/* per KPI of the last snapshot: crit pending */
	char			**kpi_names;
	size_t			 nkpis;
} esc;

/* What is paged: an incident's event at a level and round, or a proposal. */
struct alert {
	const char	*event;
	long long	 incident;
	long long	 proposal;
	int		 severity, level, round;
	const char	*title;
	const char	*status;
	char		 key[96];	/* the same notice is sent once per user and channel */
};

/* One try of one page on its way. */
struct attempt {
	long long	 page;
	long long	 incident;
	int		 tries;
	char		*user;
	enum notify_channel channel;
};

/* ---- who ---- */

struct people {
	char	**v;
	size_t	  n;
};

static void
people_add(struct people *p, const char *user)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->v[i], user) == 0)
			return;
	}
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	p->v[p->n++] = xstrdup(user);
}

static void
people_free(struct people *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* A @group's members: listed ones and those whose primary group it is. */
static void
people_group(struct people *p, const char *group)
{
	struct group *gr = getgrnam(group);
	struct passwd *pw;
	char **m;

	if (gr == NULL)
		return;
	for (m = gr->gr_mem; *m != NULL; m++)
		people_add(p, *m);
	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (pw->pw_gid == gr->gr_gid)
			people_add(p, pw->pw_name);
	}
	endpwent();
}

static void
people_names(struct people *p, const struct namelist *names)
{
	size_t i;

	for (i = 0; i < names->n; i++) {
		if (names->v[i][0] == '@')
			people_group(p, names->v[i] + 1);
		else
			people_add(p, names->v[i]);
	}
}

/* The on-call of a level now; nobody: 0. */
static int
people_oncall(struct people *p, int level, time_t now)
{
	struct daemon *d = esc.d;
	struct oncall oc;
	struct oncall_shift shift;
	char *cause = NULL;
	int found = 0;

	if (oncall_load(&oc, d->cfg, d->db, now, &cause) != 0) {
		log_debug("escalation: %s", cause);
		free(cause);
		return 0;
	}
	if (oncall_who(&oc, level, now, &shift) == 1 && shift.user != NULL) {
		people_add(p, shift.user);
		found = 1;
	}
	oncall_clear(&oc);
	return found;
}

/* ---- the incident's timeline ---- */

static void
timeline(long long incident, const char *text)
{
	if (incident > 0)
		automation_record(esc.d, incident, "notify", "notify", text, NULL, NULL, NULL);
}

/* ---- sending ---- */

static void	attempt_send(long long page);

/* The exact command that acknowledges, from wherever one is logged in. */
static char *
ack_command(long long incident)
{
	char *host = notify_host(esc.d->cfg), *cmd;

	cmd = xprintf("ssh %s leitstand incident ack %lld", host, incident);
	free(host);
	return cmd;
}

static char *
summary(const char *event, long long incident, int severity, int level, const char *title)
{
	if (incident == 0)
		return xprintf("Proposal waits for an approver: %s", title);
	if (strcmp(event, "opened") == 0)
		return xprintf("SEV%d #%lld opened: %s", severity, incident, title);
	if (strcmp(event, "escalated") == 0)
		return xprintf("SEV%d #%lld escalated to L%d: %s", severity, incident, level, title);
	if (strcmp(event, "retriggered") == 0)
		return xprintf("SEV%d #%lld back to triggered: %s", severity, incident, title);
	if (strcmp(event, "kpi_pending") == 0)
		return xprintf("%s", title);
	return xprintf("SEV%d #%lld not acknowledged (L%d): %s", severity, incident, level,
	    title);
}

static const char *
retry_text(int tries, long long wait, char *buf, size_t len)
{
	if (wait <= 0)
		snprintf(buf, len, "no further try");
	else
		snprintf(buf, len, "try %d of %lld; next in %llds", tries,
		    esc.d->cfg->escalation_retries + 1, wait);
	return buf;
}

/* The result of a try: the page's state, and a line on the incident's timeline. */
static void
attempt_done(void *arg, const struct notify_result *r)
{
	struct attempt *a = arg;
	struct daemon *d = esc.d;
	sqlite3_stmt *st;
	long long wait = 0;
	time_t now = time(NULL);
	char *text, *cause = NULL, more[64];
	const char *ch = notify_channel_name(a->channel);

	if (d == NULL)
		goto out;
	if (!r->ok && r->transient && a->tries <= d->cfg->escalation_retries)
		wait = d->cfg->escalation_retry_wait << (a->tries - 1 < 10 ? a->tries - 1 : 10);
	st = store_prepare(d->db, "UPDATE page SET state = ?, tries = ?, error = ?, detail = ?, "
	    "next_at = ?, sent_at = CASE WHEN ? THEN ? ELSE sent_at END WHERE id = ?");
	sqlite3_bind_text(st, 1, r->ok ? "sent" : wait > 0 ? "retry" : "failed", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 2, a->tries);
	sqlite3_bind_text(st, 3, r->error, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->detail, -1, SQLITE_STATIC);
	if (wait > 0)
		sqlite3_bind_int64(st, 5, (long long)now + wait);
	sqlite3_bind_int(st, 6, r->ok);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, a->page);
	if (store_write(st, "page", &cause) != 0) {
		log_debug("escalation: %s", cause);
		free(cause);
	}
	if (r->ok)
		text = xprintf("%s to %s: delivered%s%s", ch, a->user, r->detail != NULL ?
		    " — " : "", r->detail != NULL ? r->detail : "");
	else
		text = xprintf("%s to %s: failed (%s): %s", ch, a->user,
		    retry_text(a->tries, wait, more, sizeof more), r->error != NULL ? r->error :
		    "unknown error");
	timeline(a->incident, text);
	free(text);
out:
	free(a->user);
	free(a);
}

/* Sends a page's notice (again): the row says what, to whom, by which channel. */
static void
attempt_send(long long page)
{
	struct daemon *d = esc.d;
	struct notice n;
	struct attempt *a;
	struct notify_result fail;
	sqlite3_stmt *st;
	char *cause = NULL, *sum, *ack = NULL, *event, *title, *status = NULL;
	int c, started;

	st = store_prepare(d->db, "SELECT p.incident_id, p.event, p.severity, p.level, p.user, "
	    "p.channel, p.tries, p.title, i.status FROM page p LEFT JOIN incident i ON "
	    "i.id = p.incident_id WHERE p.id = ?");
	sqlite3_bind_int64(st, 1, page);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return;
	}
	a = xcalloc(1, sizeof *a);
	a->page = page;
	a->incident = sqlite3_column_int64(st, 0);
	a->user = xstrdup(store_text(st, 4));
	a->tries = sqlite3_column_int(st, 6) + 1;
	for (c = 0; c < NOTIFY_CHANNELS && strcmp(notify_channel_name(c), store_text(st, 5)) != 0;
	    c++)
		;
	a->channel = (enum notify_channel)c;
	memset(&n, 0, sizeof n);
	n.event = event = xstrdup(store_text(st, 1));
	n.incident = a->incident;
	n.severity = sqlite3_column_int(st, 2);
	n.level = sqlite3_column_int(st, 3);
	n.title = title = xstrdup(store_text(st, 7));
	if (sqlite3_column_type(st, 8) != SQLITE_NULL)
		n.status = status = xstrdup(store_text(st, 8));
	sqlite3_finalize(st);
	n.user = a->user;
	n.at = time(NULL);
	n.summary = sum = summary(n.event, n.incident, n.severity, n.level, n.title);
	if (n.incident > 0)
		n.ack_command = ack = ack_command(n.incident);
	started = c < NOTIFY_CHANNELS && notify_send(d->cfg, a->channel, &n, attempt_done, a,
	    &cause) == 0;
	free(sum);
	free(ack);
	free(event);
	free(title);
	free(status);
	if (!started) {
		memset(&fail, 0, sizeof fail);
		fail.transient = c < NOTIFY_CHANNELS;
		fail.error = cause != NULL ? cause : (char *)"unknown channel";
		attempt_done(a, &fail);
		free(cause);
		return;
	}
	st = store_prepare(d->db, "UPDATE page SET state = 'sending' WHERE id = ?");
	sqlite3_bind_int64(st, 1, page);
	if (store_write(st, "page", &cause) != 0) {
		log_debug("escalation: %s", cause);
		free(cause);
	}
}

/* One row per user and channel, unless the same notice was sent already; then sent now, or
   held for the user's quiet hours (SEV3 and SEV4 only). */
static void
page_user(const struct alert *al, const char *user, const char *why)
{
	struct daemon *d = esc.d;
	enum notify_channel order[NOTIFY_CHANNELS];
	sqlite3_stmt *st;
	time_t now = time(NULL);
	int c, i, nch = notify_user_order(d->cfg, user, order);
	int quiet = al->severity >= 3 && notify_quiet(d->cfg, user, now);
	char *text, *cause = NULL;
	long long id;

	if (nch == 0) {
		text = xprintf("%s (%s) has no channel to be reached by: add [user.%s]", user,
		    why, user);
		timeline(al->incident, text);
		free(text);
		return;
	}
	for (i = 0; i < nch; i++) {
		c = order[i];
		st = store_prepare(d->db, "INSERT OR IGNORE INTO page (incident_id, key, event, "
		    "severity, level, user, channel, state, next_at, title, created_at) VALUES "
		    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
		if (al->incident > 0)
			sqlite3_bind_int64(st, 1, al->incident);
		sqlite3_bind_text(st, 2, al->key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, al->event, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, al->severity);
		sqlite3_bind_int(st, 5, al->level);
		sqlite3_bind_text(st, 6, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, notify_channel_name(c), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, quiet ? "held" : "sending", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, (long long)now + QUIET_RECHECK);
		sqlite3_bind_text(st, 10, al->title, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 11, now);
		if (store_write(st, "page", &cause) != 0) {
			log_debug("escalation: %s", cause);
			free(cause);
			return;
		}
		if (sqlite3_changes(d->db) == 0)
			continue;	/* sent already: once per incident, event and step */
		id = sqlite3_last_insert_rowid(d->db);
		if (quiet) {
			text = xprintf("%s to %s (%s): held for their quiet hours", 
			    notify_channel_name(c), user, why);
			timeline(al->incident, text);
			free(text);
		} else
			attempt_send(id);
	}
}

/* Pages the on-call of a level, or the fallback when nobody is on call; says so when nobody
   at all can be paged. */
static void
page_level(const struct alert *al, int level)
{
	struct daemon *d = esc.d;
	struct people p = { NULL, 0 };
	char why[32], *text;
	size_t i;

	if (!people_oncall(&p, level, time(NULL))) {
		people_names(&p, &d->cfg->escalation_fallback);
		snprintf(why, sizeof why, "fallback for L%d", level);
		if (p.n == 0) {
			text = xprintf("nobody paged at L%d: nobody is on call and "
			    "escalation.fallback is empty", level);
			timeline(al->incident, text);
			free(text);
		}
	} else
		snprintf(why, sizeof why, "L%d on call", level);
	for (i = 0; i < p.n; i++)
		page_user(al, p.v[i], why);
	people_free(&p);
}

/* Everyone a [triggers] key names: levels' on-call, users, groups. */
static void
page_trigger(struct alert *al, enum trigger t)
{
	const struct namelist *names = &esc.d->cfg->trigger[t];
	struct people p = { NULL, 0 };
	size_t i;

	if (names->n == 0 || (al->incident > 0 &&
	    al->severity > esc.d->cfg->trigger_severity))
		return;
	for (i = 0; i < names->n; i++) {
		if (names->v[i][0] == 'L' && names->v[i][1] >= '1' && names->v[i][1] <= '3' &&
		    names->v[i][2] == '\0')
			people_oncall(&p, names->v[i][1] - '0', time(NULL));
		else if (names->v[i][0] == '@')
			people_group(&p, names->v[i] + 1);
		else
			people_add(&p, names->v[i]);
	}
	for (i = 0; i < p.n; i++)
		page_user(al, p.v[i], "triggers");
	people_free(&p);
}

/* ---- what happened ---- */

/* The chain pages a level for a severity; never while no schedule is configured (an
   installation without [oncall.Lx] has nobody to page, and says nothing about it). */
static int
policy_has(int severity, int level)
{
	return oncall_in_use(esc.d->cfg) && severity >= 1 && severity <= 4 &&
	    (esc.d->cfg->escalation_mask[severity - 1] & (1u << level)) != 0;
}

static void
alert_key(struct alert *al, const char *event, long long salt)
{
	snprintf(al->key, sizeof al->key, "incident %lld %s L%d round %d %lld", al->incident,
	    event, al->level, al->round, salt);
	al->event = event;
}

static void
incident_changed(const cJSON *ev)
{
	const cJSON *inc = cJSON_GetObjectItem(ev, "incident");
	const char *action = json_str(ev, "action", ""), *actor = json_str(ev, "actor", "");
	struct alert al;
	int l;

	memset(&al, 0, sizeof al);
	al.incident = (long long)json_num(inc, "id");
	al.severity = (int)json_num(inc, "severity");
	al.level = (int)json_num(inc, "level");
	al.round = (int)json_num(inc, "page_round");
	al.title = json_str(inc, "title", "");
	al.status = json_str(inc, "status", "");
	if (al.incident <= 0 || strcmp(al.status, "triggered") != 0)
		return;
	if (strcmp(action, "open") == 0) {
		alert_key(&al, "opened", 0);
		if (policy_has(al.severity, al.level))
			page_level(&al, al.level);
		page_trigger(&al, TRIGGER_OPENED);
	} else if (strcmp(action, "escalate") == 0) {
		alert_key(&al, "escalated", 0);
		if (policy_has(al.severity, al.level))
			page_level(&al, al.level);
		page_trigger(&al, TRIGGER_ESCALATED);
		if (strcmp(actor, "leitstand") == 0) {
			alert_key(&al, "ack_overdue", 0);
			page_trigger(&al, TRIGGER_ACK_OVERDUE);
		}
	} else if (strcmp(action, "repage") == 0) {
		for (l = 1; l <= 3; l++) {
			al.level = l;
			alert_key(&al, "ack_overdue", 0);
			if (policy_has(al.severity, l))
				page_level(&al, l);
		}
		page_trigger(&al, TRIGGER_ACK_OVERDUE);
	} else if (strcmp(action, "unack") == 0 || strcmp(action, "reopen") == 0) {
		/* It may come back more than once: each return is its own notice. */
		alert_key(&al, "retriggered", (long long)json_num(inc, "activity_at"));
		if (policy_has(al.severity, al.level))
			page_level(&al, al.level);
		page_trigger(&al, TRIGGER_RETRIGGERED);
	}
}

/* An eval that passed the gate: the proposal waits for a second pair of eyes. */
static void
proposal_ready(const cJSON *ev)
{
	struct alert al;
	cJSON *p;
	const cJSON *e;

	memset(&al, 0, sizeof al);
	al.proposal = (long long)json_num(ev, "proposal");
	if ((p = proposal_get(esc.d->db, al.proposal, 0)) == NULL)
		return;
	e = cJSON_GetObjectItem(p, "eval");
	if (strcmp(json_str(p, "state", ""), "evaluated") == 0 &&
	    json_num(e, "pass_rate") * 100 >= (double)esc.d->cfg->eval_gate) {
		al.title = json_str(p, "description", "");
		snprintf(al.key, sizeof al.key, "proposal %lld evaluated %lld", al.proposal,
		    (long long)json_num(e, "id"));
		al.event = "proposal";
		page_trigger(&al, TRIGGER_PROPOSAL);
	}
	cJSON_Delete(p);
}

/* A canary the daemon rolled back by itself: whoever [triggers] rollout names is told. */
static void
canary_rolled_back(const cJSON *ev)
{
	struct alert al;
	char title[160];

	memset(&al, 0, sizeof al);
	al.proposal = (long long)json_num(ev, "proposal");
	snprintf(title, sizeof title, "The canary of %s (proposal %lld) was rolled back: its "
	    "checks failed", json_str(ev, "assistant", ""), al.proposal);
	al.title = title;
	snprintf(al.key, sizeof al.key, "rollout %lld rolled back",
	    (long long)json_num(ev, "rollout"));
	al.event = "rollout";
	page_trigger(&al, TRIGGER_ROLLOUT);
}

/* A KPI whose crit breach starts waiting out its `for`: told once per breach. */
static void
kpi_snapshot(const cJSON *ev)
{
	const cJSON *k;
	struct alert al;
	char title[256];
	size_t i, n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(ev, "kpis"));
	int *pending = xcalloc(n + 1, sizeof *pending), was;
	char **names = xcalloc(n + 1, sizeof *names);

	i = 0;
	cJSON_ArrayForEach(k, cJSON_GetObjectItem(ev, "kpis")) {
		names[i] = xstrdup(json_str(k, "name", ""));
		pending[i] = strcmp(json_str(k, "pending", ""), "crit") == 0;
		was = i < esc.nkpis && strcmp(esc.kpi_names[i], names[i]) == 0 &&
		    esc.kpi_pending[i];
		if (pending[i] && !was) {
			memset(&al, 0, sizeof al);
			snprintf(title, sizeof title, "%s heads for crit (%s %s) unless it "
			    "recovers", json_str(k, "title", names[i]), json_str(k, "shown", ""),
			    json_str(k, "unit", ""));
			al.title = title;
			snprintf(al.key, sizeof al.key, "kpi %s pending %lld", names[i],
			    (long long)time(NULL));
			al.event = "kpi_pending";
			page_trigger(&al, TRIGGER_KPI_PENDING);
		}
		i++;
	}
	for (i = 0; i < esc.nkpis; i++)
		free(esc.kpi_names[i]);
	free(esc.kpi_names);
	free(esc.kpi_pending);
	esc.kpi_names = names;
	esc.kpi_pending = pending;
	esc.nkpis = n;
}

static void
escalation_event(void *arg, enum topic topic, const cJSON *ev)
{
	const char *name = json_str(ev, "event", "");

	(void)arg;
	if (esc.d == NULL)
		return;
	if (topic == TOPIC_INCIDENT && strcmp(name, "incident") == 0)
		incident_changed(ev);
	else if (topic == TOPIC_PROMPT && strcmp(json_str(ev, "action", ""), "evaluated") == 0)
		proposal_ready(ev);
	else if (topic == TOPIC_PROMPT &&
	    strcmp(json_str(ev, "action", ""), "canary_rolled_back") == 0)
		canary_rolled_back(ev);
	else if (topic == TOPIC_KPI && strcmp(name, "kpi") == 0 &&
	    esc.d->cfg->trigger[TRIGGER_KPI_PENDING].n > 0)
		kpi_snapshot(ev);
}

/* ---- retries ---- */

/* Pages due again: retried, or cancelled once the incident is no longer triggered (an
   acknowledgement stops the escalation); held ones once the quiet hours are over. */
static void
escalation_tick(void *arg)
{
	struct daemon *d = esc.d;
	sqlite3_stmt *st;
	long long *ids = NULL, *incidents = NULL;
	char **users = NULL, *text, *cause = NULL;
	int *stop = NULL, *quiet = NULL;
	size_t n = 0, i;
	time_t now = time(NULL);

	(void)arg;
	st = store_prepare(d->db, "SELECT p.id, p.incident_id, p.user, p.channel, "
	    "coalesce(i.status, 'triggered') != 'triggered' AND p.incident_id IS NOT NULL, "
	    "p.state = 'held' AND p.severity >= 3 FROM page p LEFT JOIN incident i ON "
	    "i.id = p.incident_id WHERE p.state IN ('retry', 'held') AND p.next_at <= ?");
	sqlite3_bind_int64(st, 1, now);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		incidents = xreallocarray(incidents, n + 1, sizeof *incidents);
		users = xreallocarray(users, n + 1, sizeof *users);
		stop = xreallocarray(stop, n + 1, sizeof *stop);
		quiet = xreallocarray(quiet, n + 1, sizeof *quiet);
		ids[n] = sqlite3_column_int64(st, 0);
		incidents[n] = sqlite3_column_int64(st, 1);
		users[n] = xprintf("%s to %s", store_text(st, 3), store_text(st, 2));
		stop[n] = sqlite3_column_int(st, 4);
		quiet[n++] = sqlite3_column_int(st, 5) && notify_quiet(d->cfg,
		    (const char *)sqlite3_column_text(st, 2), now);
	}
	sqlite3_finalize(st);
	for (i = 0; i < n; i++) {
		if (quiet[i] && !stop[i]) {
			st = store_prepare(d->db, "UPDATE page SET next_at = ? WHERE id = ?");
			sqlite3_bind_int64(st, 1, (long long)now + QUIET_RECHECK);
			sqlite3_bind_int64(st, 2, ids[i]);
		} else if (stop[i]) {
			st = store_prepare(d->db, "UPDATE page SET state = 'cancelled', "
			    "next_at = NULL WHERE id = ?");
			sqlite3_bind_int64(st, 1, ids[i]);
		} else {
			attempt_send(ids[i]);
			st = NULL;
		}
		if (st != NULL && store_write(st, "page", &cause) != 0) {
			log_debug("escalation: %s", cause);
			free(cause);
			cause = NULL;
		} else if (st != NULL && stop[i]) {
			text = xprintf("%s: not tried again, the incident is no longer triggered",
			    users[i]);
			timeline(incidents[i], text);
			free(text);
		}
		free(users[i]);
	}
	free(ids);
	free(incidents);
	free(users);
	free(stop);
	free(quiet);
}

void
escalation_start(struct daemon *d)
{
	sqlite3_stmt *st;
	char *cause = NULL;

	esc.d = d;
	/* A try in flight when the daemon stopped: its outcome is unknown, so it is tried
	   again (the person may get it twice, never not at all). */
	st = store_prepare(d->db, "UPDATE page SET state = 'retry', next_at = 0 WHERE "
	    "state = 'sending'");
	if (store_write(st, "page", &cause) != 0) {
		log_debug("escalation: %s", cause);
		free(cause);
	}
	events_listen(escalation_event, NULL);
	esc.timer = loop_timer_add(d->loop, RETRY_TICK_MS, 1, escalation_tick, NULL);
}

void
escalation_stop(struct daemon *d)
{
	size_t i;

	(void)d;
	events_listen(NULL, NULL);
	loop_timer_remove(esc.timer);
	esc.timer = NULL;
	for (i = 0; i < esc.nkpis; i++)
		free(esc.kpi_names[i]);
	free(esc.kpi_names);
	free(esc.kpi_pending);
	esc.kpi_names = NULL;
	esc.kpi_pending = NULL;
	esc.nkpis = 0;
	esc.d = NULL;
}
