/* SPDX-License-Identifier: ISC */
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/cli.h"
#include "backend/config.h"
#include "backend/demo.h"
#include "backend/demo-team.h"
#include "backend/loop.h"
#include "backend/path.h"
#include "backend/private.h"
#include "backend/xmalloc.h"

#define DEMO_WAIT_MS	20000
#define PROMETHEUS	"/usr/bin/prometheus"

struct demo {
	char	*dir;		/* runtime files: configs, logs, the temporary TSDB */
	char	*ini;
	pid_t	 sim;
	pid_t	 prometheus;
	char	*sim_url;
	char	*prom_url;
};

/* Starts a child that dies with us; stdout to out (or the log), stderr to the log. */
static pid_t
demo_spawn(char *const argv[], int out, const char *log)
{
	pid_t pid;
	int fd;

	if ((pid = fork()) != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600)) >= 0) {
		dup2(out >= 0 ? out : fd, 1);
		dup2(fd, 2);
	}
	if ((fd = open("/dev/null", O_RDONLY)) >= 0)
		dup2(fd, 0);
	execv(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void
demo_stop(pid_t pid)
{
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Starts `leitstand sim serve` and reads the address it listens on. It serves the live
 * release of the demo daemon's prompt repository, fetched through git as a deployment would
 * (the daemon creates the repository when it starts; until then the sim says so and retries):
 * approving or rolling back in the console moves the dashboard.
 */
static int
demo_sim(struct demo *d, const struct config *cfg, char **cause)
{
	char *argv[] = { (char *)"/proc/self/exe", (char *)"sim", (char *)"serve",
	    (char *)"--prompts", cfg->prompt_repo, NULL };
	char *log = xprintf("%s/sim.log", d->dir), line[256];
	struct pollfd pfd;
	size_t got = 0;
	ssize_t n;
	int p[2];

	if (pipe2(p, O_CLOEXEC) != 0)
		fatal("pipe: %s", strerror(errno));
	d->sim = demo_spawn(argv, p[1], log);
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	while (got < sizeof line - 1 && memchr(line, '\n', got) == NULL &&
	    poll(&pfd, 1, DEMO_WAIT_MS) == 1 &&
	    (n = read(p[0], line + got, sizeof line - 1 - got)) > 0)
		got += (size_t)n;
	close(p[0]);
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "listening on ", 13) != 0) {
		*cause = xprintf("the simulator did not start; see %s", log);
		free(log);
		return -1;
	}
	free(log);
	d->sim_url = xstrdup(line + 13);
	return 0;
}

/* A loopback port nobody listens on now (the kernel's pick). */
static int
demo_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* Is Prometheus on the loopback port ready? A plain HTTP/1.0 request: the console process
   does not load libcurl. */
static int
demo_ready(int port)
{
	static const char req[] = "GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	struct sockaddr_in sa;
	struct timeval tv = { 0, 500000 };
	char reply[32];
	ssize_t n;
	int fd, ok = 0;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1) &&
	    (n = read(fd, reply, sizeof reply - 1)) > 0) {
		reply[n] = '\0';
		ok = strncmp(reply, "HTTP/1.", 7) == 0 && strncmp(reply + 8, " 200", 4) == 0;
	}
	close(fd);
	return ok;
}

/* Starts Prometheus scraping the sim every second, with a TSDB of its own. */
static int
demo_prometheus(struct demo *d, char **cause)
{
	char *yml = xprintf("%s/prometheus.yml", d->dir), *tsdb = xprintf("%s/tsdb", d->dir);
	char *log = xprintf("%s/prometheus.log", d->dir), *cfgarg, *tsdbarg, *listen;
	const char *target = strstr(d->sim_url, "//") + 2;
	long long deadline = loop_now_ms() + DEMO_WAIT_MS;
	char *text;
	int port = demo_free_port(), rc = -1;

	if (access(PROMETHEUS, X_OK) != 0) {
		*cause = xstrdup("the demo needs Prometheus: apt-get install prometheus "
		    "(make run does it when run as root)");
		goto out;
	}
	text = xprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
	    "scrape_configs:\n  - job_name: assistant\n    static_configs:\n"
	    "      - targets: ['%s']\n", target);
	if (private_replace(yml, text, cause) != 0) {
		free(text);
		goto out;
	}
	free(text);
	cfgarg = xprintf("--config.file=%s", yml);
	tsdbarg = xprintf("--storage.tsdb.path=%s", tsdb);
	listen = xprintf("--web.listen-address=127.0.0.1:%d", port);
	{
		char *argv[] = { (char *)PROMETHEUS, cfgarg, tsdbarg, listen,
		    (char *)"--storage.tsdb.retention.time=1d", NULL };
		d->prometheus = demo_spawn(argv, -1, log);
	}
	free(cfgarg);
	free(tsdbarg);
	free(listen);
	d->prom_url = xprintf("http://127.0.0.1:%d", port);
	while (!demo_ready(port)) {
		if (waitpid(d->prometheus, NULL, WNOHANG) == d->prometheus) {
			d->prometheus = 0;
			*cause = xprintf("Prometheus exited at start; see %s", log);
			goto out;
		}
		if (loop_now_ms() > deadline) {
			*cause = xprintf("Prometheus was not ready within %d s; see %s",
			    DEMO_WAIT_MS / 1000, log);
			goto out;
		}
		usleep(100000);
	}
	rc = 0;
out:
	free(yml);
	free(tsdb);
	free(log);
	return rc;
}

/* The team's daemon listens where the demo users reach it, and knows their roles. */
static int
demo_write_ini(struct demo *d, const struct config *cfg, int team, char **cause)
{
	char *text, *roles = team ? demo_team_roles() : xstrdup("");
	int rc;

	d->ini = xprintf("%s/leitstand.ini", d->dir);
	text = xprintf("; Written by leitstand --demo for this session.\n"
	    "[daemon]\nsocket = %s\ndata_dir = %s\n%s"
	    "[assistant]\nname = Demo Assistant\nenvironment = simulated\n"
	    "[prometheus]\nurl = %s\ninterval = 2s\nhistory = 10m\n"
	    "[sim]\nurl = %s\n"
	    "[prompts]\nrepo = %s\n%s", team ? DEMO_TEAM_SOCKET : cfg->socket, cfg->data_dir,
	    team ? "group = " DEMO_TEAM_GROUP "\n" : "", d->prom_url, d->sim_url,
	    cfg->prompt_repo, roles);
	rc = private_replace(d->ini, text, cause);
	free(text);
	free(roles);
	return rc;
}

/*
 * The pid of the daemon that holds the demo's data dir, or 0 if none does. Never a pid a
 * reply named: only the lock file in our own private data dir, still locked (so its writer
 * lives), naming a process of ours.
 */
static pid_t
demo_daemon_pid(const struct config *cfg)
{
	char *cause = NULL, *lock, buf[32], proc[64];
	struct stat st;
	ssize_t n;
	pid_t pid = 0;
	int fd;

	if (private_dir("data dir", cfg->data_dir, 0700, 0, &cause) != 0) {
		free(cause);
		return 0;
	}
	lock = xprintf("%s/daemon.lock", cfg->data_dir);
	fd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(lock);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK &&
	    (n = pread(fd, buf, sizeof buf - 1, 0)) > 0) {
		buf[n] = '\0';
		pid = (pid_t)strtol(buf, NULL, 10);
		snprintf(proc, sizeof proc, "/proc/%ld", (long)pid);
		if (pid <= 1 || stat(proc, &st) != 0 || st.st_uid != geteuid())
			pid = 0;
	}
	close(fd);
	return pid;
}

/* Stops a daemon we did not start as a child: by its pid, and waits until it is gone. */
static void
demo_stop_daemon(pid_t pid)
{
	int i;

	if (pid <= 0 || kill(pid, SIGTERM) != 0)
		return;
	for (i = 0; i < 100 && kill(pid, 0) == 0; i++)
		usleep(50000);
}

/* Runs the console on the demo's config: the daemon it starts, or the one running. */
static int
demo_console(struct cli *cli, const char *ini, int (*console)(struct cli *, int, char **),
    char **cause)
{
	char **old_options;
	int rc;

	/* The console's daemon reads the demo's config; so does every command of this run. */
	config_free(&cli->cfg);
	if (config_load(&cli->cfg, ini, cause) != 0)
		return 1;
	free(cli->config_file);
	cli->config_file = xstrdup(ini);
	old_options = cli->options;
	cli->options = xcalloc(3, sizeof *cli->options);
	cli->options[0] = (char *)"-c";
	cli->options[1] = (char *)ini;
	rc = console(cli, 0, NULL);
	free(cli->options);
	cli->options = old_options;
	return rc;
}

/*
 * One demo per user: the first takes demo.lock exclusively while it starts, then holds it
 * shared. A second run finds it taken, waits for the shared lock (the demo is up and its
 * config written) and joins with another console; quitting that one leaves the demo running.
 */
static int
demo_join(struct cli *cli, struct demo *d, int lock,
    int (*console)(struct cli *, int, char **))
{
	long long deadline = loop_now_ms() + DEMO_WAIT_MS;
	char *cause = NULL;
	int rc;

	while (flock(lock, LOCK_SH | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK || loop_now_ms() > deadline) {
			cli_error("demo: another demo of yours is starting and did not finish "
			    "within %d s", DEMO_WAIT_MS / 1000);
			return 1;
		}
		usleep(100000);
	}
	d->ini = xprintf("%s/leitstand.ini", d->dir);
	fprintf(stderr, "leitstand demo: your demo is running already; this console joins it "
	    "(quitting it leaves the demo running)\n");
	rc = demo_console(cli, d->ini, console, &cause);
	if (rc == 0 && demo_daemon_pid(&cli->cfg) == 0)
		fprintf(stderr, "leitstand demo: the demo has stopped\n");
	if (cause != NULL) {
		cli_error("demo: %s", cause);
		free(cause);
	}
	return rc;
}

int
demo_main(struct cli *cli, int (*console)(struct cli *, int, char **))
{
	struct demo d;
	struct demo_team team;
	char *cause = NULL, *run, *lockfile, *log;
	pid_t daemon;
	int rc = 1, lock;

	memset(&d, 0, sizeof d);
	memset(&team, 0, sizeof team);
	if (cli->demo_team && demo_team_check(&cause) != 0) {
		cli_error("demo: %s", cause);
		free(cause);
		return 1;
	}
	/* Configs and logs go in a directory of ours that no one else can write or plant
	   symlinks in; the demo's socket directory is the same kind. */
	run = path_dir(cli->cfg.socket);
	d.dir = xprintf("%s/demo", run);
	if (private_mkdir("socket directory", run, 0700, &cause) != 0 ||
	    private_mkdir("demo directory", d.dir, 0700, &cause) != 0) {
		cli_error("demo: %s; or set XDG_RUNTIME_DIR to a directory of your own", cause);
		free(cause);
		free(run);
		free(d.dir);
		return 1;
	}
	free(run);
	lockfile = xprintf("%s/demo.lock", d.dir);
	lock = open(lockfile, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(lockfile);
	if (lock < 0) {
		cli_error("demo: %s/demo.lock: %s", d.dir, strerror(errno));
		free(d.dir);
		return 1;
	}
	if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			rc = demo_join(cli, &d, lock, console);
		else
			cli_error("demo: %s/demo.lock: %s", d.dir, strerror(errno));
		close(lock);
		free(d.dir);
		free(d.ini);
		return rc;
	}
	/* A demo daemon left running without its demo (its sim and Prometheus are gone) is
	   replaced. */
	demo_stop_daemon(demo_daemon_pid(&cli->cfg));

	log = xprintf("%s/team.log", d.dir);
	if (cli->demo_team && demo_team_users(&team, log, &cause) != 0)
		goto out;
	fprintf(stderr, "leitstand demo: starting the simulator and Prometheus...\n");
	if (demo_sim(&d, &cli->cfg, &cause) != 0 || demo_prometheus(&d, &cause) != 0 ||
	    demo_write_ini(&d, &cli->cfg, cli->demo_team, &cause) != 0)
		goto out;
	if (cli->demo_team) {
		/* Both consoles are the demo users'; this process waits, then cleans up. */
		config_free(&cli->cfg);
		if ((rc = config_load(&cli->cfg, d.ini, &cause)) == 0)
			rc = demo_team_run(d.ini, log, &cause) != 0;
		if ((daemon = demo_daemon_pid(&cli->cfg)) > 0)
			demo_stop_daemon(daemon);
		goto out;
	}

	/* Up: a second demo run may join now. */
	flock(lock, LOCK_SH);
	cli->quit_asks = "Quit the demo? It stops its simulator, Prometheus and daemon (Enter "
	    "quits, Esc stays): ";
	rc = demo_console(cli, d.ini, console, &cause);
	if ((daemon = demo_daemon_pid(&cli->cfg)) > 0)
		demo_stop_daemon(daemon);
out:
	if (cause != NULL) {
		cli_error("demo: %s", cause);
		free(cause);
	}
	demo_stop(d.prometheus);
	demo_stop(d.sim);
	demo_team_end(&team, log);
	free(log);
	close(lock);
	free(d.dir);
	free(d.ini);
	free(d.sim_url);
	free(d.prom_url);
	return rc;
}
