/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/audit.h"
#include "backend/authz.h"
#include "backend/automation.h"
#include "backend/config.h"
#include "backend/daemon.h"
#include "backend/drift.h"
#include "backend/escalation.h"
#include "backend/events.h"
#include "backend/job.h"
#include "backend/kpi-history.h"
#include "backend/library.h"
#include "backend/log.h"
#include "backend/loop.h"
#include "backend/ops.h"
#include "backend/poller.h"
#include "backend/private.h"
#include "backend/prompts.h"
#include "backend/ratelimit.h"
#include "backend/redact.h"
#include "backend/rollout.h"
#include "backend/server.h"
#include "backend/store.h"
#include "backend/xmalloc.h"

static void
daemon_ready(struct daemon *d, const char *msg)
{
	size_t len = strlen(msg);

	if (d->ready_fd < 0)
		return;
	if (write(d->ready_fd, msg, len) != (ssize_t)len) {
		/* Whoever started us has gone; nothing to tell. */
	}
	close(d->ready_fd);
	d->ready_fd = -1;
}

/* (Re)loads the playbook library; playbooks with lint errors are left out and logged. */
static void
daemon_library(struct daemon *d)
{
	library_free(d->library);
	free(d->library_problems);
	d->library = library_load(d->cfg->playbook_dir, &d->library_problems);
	if (d->library_problems != NULL)
		log_debug("playbooks left out:\n%s", d->library_problems);
}

static void
daemon_kpi_event(void *arg, cJSON *ev)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "event"));

	if (name != NULL && strcmp(name, "kpi.state") == 0)
		automation_kpi(arg, ev);
	else if (name != NULL && strcmp(name, "kpi") == 0) {
		automation_kpi_poll(arg, ev);
		drift_poll(arg);
	}
	events_publish(TOPIC_KPI, ev);
}

/* The poller, with the sparklines the last one left in the store. */
static void
daemon_poller_start(struct daemon *d)
{
	struct kpi *kpis;
	size_t n;

	d->poller = poller_create(d->loop, d->cfg, daemon_kpi_event, d);
	kpis = poller_kpis(d->poller, &n);
	kpi_history_restore(d->db, kpis, n, time(NULL));
}

static void
daemon_poller_stop(struct daemon *d)
{
	struct kpi *kpis;
	char *cause = NULL;
	size_t n;

	if (d->poller == NULL)
		return;
	kpis = poller_kpis(d->poller, &n);
	if (kpi_history_keep(d->db, kpis, n, &cause) != 0) {
		log_debug("the KPI history is not kept: %s", cause);
		free(cause);
	}
	poller_free(d->poller);
	d->poller = NULL;
}

char *
daemon_redact(struct daemon *d, const char *text)
{
	return redact(d->redactor, text, NULL);
}

int
daemon_reload(struct daemon *d, char **cause)
{
	struct config fresh, *old = d->cfg;

	if (config_load(&fresh, old->file, cause) != 0)
		return -1;
	if (config_check_daemon(&fresh, cause) != 0) {
		config_free(&fresh);
		return -1;
	}
	/* The poller points into the KPI definitions: it starts again with the new ones. */
	daemon_poller_stop(d);
	/* The running daemon keeps its socket, data dir and limits. */
	free(fresh.socket);
	free(fresh.group);
	free(fresh.data_dir);
	free(fresh.prompt_repo);
	fresh.socket = old->socket;
	fresh.group = old->group;
	fresh.data_dir = old->data_dir;
	fresh.prompt_repo = old->prompt_repo;
	fresh.max_line = old->max_line;
	fresh.max_queue = old->max_queue;
	old->socket = old->group = old->data_dir = old->prompt_repo = NULL;
	config_free(old);
	*old = fresh;
	daemon_poller_start(d);
	daemon_library(d);
	automation_restart(d);
	/* prompts.remote may name another remote now: it gets every release it lacks. */
	prompts_signing(d);
	prompts_push(d);
	server_reidentify(d->srv);
	return 0;
}

/* SIGHUP: reload as the daemon's own user, audited like the op. */
static void
daemon_sighup(int signo, void *arg)
{
	struct daemon *d = arg;
	struct identity self;
	struct audit_tx tx = { .role = "daemon", .action = "config.reload" };
	char *cause = NULL;
	cJSON *details;

	(void)signo;
	if (daemon_reload(d, &cause) != 0) {
		log_debug("SIGHUP: config not reloaded: %s", cause);
		free(cause);
		return;
	}
	if (authz_identify(d->cfg, geteuid(), getegid(), &self, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	details = cJSON_CreateObject();
	cJSON_AddStringToObject(details, "signal", "SIGHUP");
	tx.actor = self.user;
	tx.object = d->cfg->file != NULL ? d->cfg->file : "(built-in)";
	tx.details = details;
	if (audit_tx(d->db, &tx, NULL, NULL, &cause) != AUDIT_TX_OK) {
		log_debug("SIGHUP: audit failed: %s", cause);
		free(cause);
	}
	cJSON_Delete(details);
	identity_clear(&self);
}

static void
daemon_signal(int signo, void *arg)
{
	struct daemon *d = arg;

	log_debug("signal %d: shutting down", signo);
	loop_stop(d->loop);
}

static void
daemon_shutdown(struct daemon *d)
{
	/* Jobs in flight finish and reply before the store closes; evals end early. */
	prompts_cancel();
	job_drain();
	escalation_stop(d);
	op_ticket_cancel_retries();
	rollout_stop(d);
	prompts_stop();
	automation_stop(d);
	drift_stop();
	daemon_poller_stop(d);
	job_pool_stop();
	server_free(d->srv);
	store_close(d->db);
	ratelimit_clear();
	redactor_free(d->redactor);
	library_free(d->library);
	free(d->library_problems);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	loop_free(d->loop);
}

int
daemon_main(struct config *cfg, int ready_fd)
{
	struct daemon d;
	char *cause = NULL, *msg;

	memset(&d, 0, sizeof d);
	d.cfg = cfg;
	d.ready_fd = ready_fd;
	d.lock_fd = -1;
	d.started = time(NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Nothing the daemon creates is for other users; the socket's modes are explicit. */
	umask(077);

	/* The store and the releases are only as safe as the directories that hold them. */
	if (config_check_daemon(cfg, &cause) != 0 ||
	    private_mkdir("data dir", cfg->data_dir, 0700, &cause) != 0 ||
	    private_tree("prompt repository", cfg->prompt_repo, &cause) != 0)
		goto fail;
	if ((d.lock_fd = store_lock(cfg->data_dir, &cause)) < 0)
		goto fail;
	if ((d.db = store_open(cfg->data_dir, 0, &cause)) == NULL)
		goto fail;
	if ((d.redactor = redactor_create(NULL, NULL, 0, 0, &cause)) == NULL)
		goto fail;
	if ((d.srv = server_create(&d, &cause)) == NULL)
		goto fail;

	d.loop = loop_create();
	/* Every worker thread the daemon will have, now: none is started per request. */
	if (job_pool_start(d.loop, &cause) != 0) {
		server_free(d.srv);
		d.srv = NULL;
		loop_free(d.loop);
		goto fail;
	}
	server_start(d.srv);
	loop_signal(d.loop, SIGTERM, daemon_signal, &d);
	loop_signal(d.loop, SIGINT, daemon_signal, &d);
	loop_signal(d.loop, SIGHUP, daemon_sighup, &d);
	daemon_poller_start(&d);
	daemon_library(&d);
	automation_start(&d);
	escalation_start(&d);
	prompts_start(&d);
	rollout_start(&d);
	log_debug("listening on %s, data dir %s", cfg->socket, cfg->data_dir);
	daemon_ready(&d, "ok\n");

	loop_run(d.loop);
	daemon_shutdown(&d);
	return 0;

fail:
	msg = xprintf("%s\n", cause);
	if (d.ready_fd >= 0)
		daemon_ready(&d, msg);
	else
		fprintf(stderr, "leitstand serve: %s", msg);
	free(msg);
	free(cause);
	redactor_free(d.redactor);
	store_close(d.db);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	return 1;
}
