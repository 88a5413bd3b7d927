/* SPDX-License-Identifier: ISC */

/*
 * ttybench - measure a full-screen terminal program through a pty: how soon
 * it paints, the bytes it writes while idle, what one key costs in bytes and
 * time, and its peak RSS.  A C port of ../shared/tools/ttymeasure.py, same
 * method and defaults; paced keys only, no CPU figures.
 *
 * usage: ttybench [--size COLSxROWS] [--keys SPEC] [--idle SECONDS]
 *            [--settle-quiet MS] [--settle-timeout MS] [--key-quiet MS]
 *            [--key-timeout MS] [--quit-keys SPEC] [--env K=V]...
 *            [--repeat N] -- COMMAND [ARG...]
 *
 * Defaults: 80x24, no keys, idle 10 s, settle-quiet 200, settle-timeout
 * 20000, key-quiet 150, key-timeout 1000, quit-keys q, repeat 1.  The program
 * gets PATH, HOME, USER, LOGNAME and SHELL from us, TERM=xterm-256color,
 * LANG=C.UTF-8 and the --env additions.  SPEC is NAME[*COUNT],...; NAME is a
 * character, ^X, \xHH, up down left right (sent per DECCKM, ESC[?1h/l in the
 * output), pgup pgdn home end enter esc tab space bs comma.  DSR ESC[6n and
 * ESC[?6n, DA1, DA2 and ESC[18t are answered like a terminal would.
 *
 * Prints ONE flat JSON line: cmd, size, key_spec, runs, error, quit_via,
 * first_byte_ms, first_text_ms (first glyph outside escapes), settle_ms (last
 * byte before settle-quiet of silence; settle-timeout if it never went quiet),
 * settled, startup_bytes, idle_s, idle_bytes, idle_bytes_per_s,
 * idle_bursts_per_s (bursts split by 50 ms gaps), idle_bytes_per_burst,
 * keys_n, keys_no_output (silent for key-timeout), keys_bytes_total,
 * keys_bytes_median, keys_bytes_p90, keys_first_ms_median,
 * keys_quiet_ms_{median,p90,mean,max} (key to last byte, before key-quiet of
 * silence), peak_rss_mib (VmHWM just before quitting), total_bytes,
 * app_cursor_mode, queries_answered, exit_status (-N: killed by signal N);
 * null when not measured.  Before each key: 20 ms pause, then pending output
 * is read until quiet.  Quit: quit-keys, 2 s grace, then SIGTERM and 1 s
 * later SIGKILL to the process group and session; quit_via is keys, exited,
 * sigterm or sigkill.  SIGINT, SIGTERM or SIGHUP kill the program first.
 * With --repeat N>1 (1 s apart) each numeric field is the median over the
 * runs that have it, a boolean is true only if true in every run, quit_via
 * is "mixed" unless all agree, error is the first run's.  Exit status 1 if a
 * run had an error, 2 on usage errors.
 */

#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FIRST_TIMEOUT	10.0	/* s to wait for the first byte */
#define KEY_DELAY	0.02	/* s pause before each key */
#define QUIT_TIMEOUT	2.0	/* s grace after the quit keys */
#define BURST_GAP	0.05	/* s of silence between idle bursts */
#define REPEAT_PAUSE	1.0	/* s between runs */
#define READ_SIZE	65536
#define TAIL_SIZE	8
#define KEY_MAX		64

/* F(id, JSON name, is boolean) */
#define FIELDS								\
	F(FIRST_BYTE, "first_byte_ms", 0) F(FIRST_TEXT, "first_text_ms", 0) \
	F(SETTLE, "settle_ms", 0) F(SETTLED, "settled", 1)		\
	F(STARTUP_BYTES, "startup_bytes", 0) F(IDLE_S, "idle_s", 0)	\
	F(IDLE_BYTES, "idle_bytes", 0) F(IDLE_BPS, "idle_bytes_per_s", 0) \
	F(IDLE_BURSTS, "idle_bursts_per_s", 0)				\
	F(IDLE_PER_BURST, "idle_bytes_per_burst", 0)			\
	F(KEYS_N, "keys_n", 0) F(KEYS_SILENT, "keys_no_output", 0)	\
	F(KEYS_BYTES, "keys_bytes_total", 0)				\
	F(KEYS_BYTES_MED, "keys_bytes_median", 0)			\
	F(KEYS_BYTES_P90, "keys_bytes_p90", 0)				\
	F(KEYS_FIRST_MED, "keys_first_ms_median", 0)			\
	F(KEYS_QUIET_MED, "keys_quiet_ms_median", 0)			\
	F(KEYS_QUIET_P90, "keys_quiet_ms_p90", 0)			\
	F(KEYS_QUIET_MEAN, "keys_quiet_ms_mean", 0)			\
	F(KEYS_QUIET_MAX, "keys_quiet_ms_max", 0)			\
	F(PEAK_RSS, "peak_rss_mib", 0) F(TOTAL_BYTES, "total_bytes", 0) \
	F(APP_CURSOR, "app_cursor_mode", 1)				\
	F(QUERIES, "queries_answered", 0) F(EXIT_STATUS, "exit_status", 0)

#define F(id, name, boolean) F_##id,
enum field { FIELDS NFIELDS };
#undef F
#define F(id, name, boolean) { name, boolean },
static const struct {
	const char	*name;
	int		 boolean;
} fields[NFIELDS] = { FIELDS };
#undef F

/* Key names from a SPEC; they point into copy. */
struct keys {
	char		 *copy, **name;
	size_t		  n;
};

struct options {
	int		 cols, rows, nenv;
	const char	*key_spec, **env;
	struct keys	 keys;
	char		 quit[256];
	size_t		 quitlen;
	double		 idle, settle_quiet, settle_timeout;
	double		 key_quiet, key_timeout, repeat;
	char		**argv;
};

struct result {
	double		 f[NFIELDS];	/* NAN is null */
	const char	*quit_via;
	char		 error[160];
};

struct tty {
	pid_t		 pid;
	int		 fd, rows, cols;
	double		 t0, first_text;
	int		 exited, reaped, status, app_cursor, queries;
	int		 gstate, glyph;
	size_t		 total, taillen;
	unsigned char	 tail[TAIL_SIZE];
};

/* What one tty_read_until_quiet saw; first < 0 if there was no output. */
struct burst {
	size_t		 n;
	double		 first, last;
	int		 quiet;
};

static volatile sig_atomic_t live_pid;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static struct timespec
to_timespec(double s)
{
	struct timespec	ts;

	if (s < 0)
		s = 0;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	return (ts);
}

static void
sleep_s(double s)
{
	struct timespec	ts = to_timespec(s);

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
on_signal(int sig)
{
	pid_t	pid = live_pid;

	if (pid > 0) {
		killpg(pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	_exit(128 + sig);
}

/* Bytes for key NAME into out (KEY_MAX + 4 bytes); arrows follow DECCKM. */
static size_t
key_bytes(const char *name, int app_cursor, char *out)
{
	static const char *named[][2] = {
		{ "pgup", "\033[5~" }, { "pageup", "\033[5~" },
		{ "pgdn", "\033[6~" }, { "pagedown", "\033[6~" },
		{ "home", "\033[H" }, { "end", "\033[F" }, { "enter", "\r" },
		{ "esc", "\033" }, { "tab", "\t" }, { "space", " " },
		{ "bs", "\177" }, { "comma", "," }
	};
	static const char *arrows[] = { "up", "down", "right", "left" };
	size_t	i, len = strlen(name);

	for (i = 0; i < sizeof arrows / sizeof arrows[0]; i++) {
		if (strcasecmp(name, arrows[i]) == 0)
			return (sprintf(out, "\033%c%c", app_cursor ? 'O' : '[',
			    (int)('A' + i)));
	}
	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strcasecmp(name, named[i][0]) == 0)
			return (strlen(strcpy(out, named[i][1])));
	}
	if (len == 2 && name[0] == '^')
		out[0] = toupper((unsigned char)name[1]) & 0x1f;
	else if (len == 4 && name[0] == '\\' && name[1] == 'x')
		out[0] = (char)strtol(name + 2, NULL, 16);
	else
		return (strlen(strcpy(out, name)));
	return (1);
}

/* Split SPEC into key names, each repeated COUNT times. */
static void
keys_parse(const char *spec, struct keys *k)
{
	char	*item, *star, *end;
	long	 count;

	memset(k, 0, sizeof *k);
	if (spec == NULL || (k->copy = strdup(spec)) == NULL)
		return;
	item = strtok(k->copy, ",");
	for (; item != NULL; item = strtok(NULL, ",")) {
		count = 1;
		if ((star = strrchr(item + 1, '*')) != NULL) {
			*star = '\0';
			count = strtol(star + 1, &end, 10);
			if (*end != '\0' || count < 0 || count > 1000000)
				errx(2, "%s: bad key count", spec);
		}
		if (strlen(item) >= KEY_MAX)
			errx(2, "%s: key name too long", item);
		k->name = reallocarray(k->name, k->n + count + 1,
		    sizeof *k->name);
		if (k->name == NULL)
			err(1, "reallocarray");
		while (count-- > 0)
			k->name[k->n++] = item;
	}
}

static void
keys_free(struct keys *k)
{
	free(k->name);
	free(k->copy);
}

/* Look for the first printable glyph outside any escape sequence. */
static void
tty_glyph(struct tty *t, const unsigned char *p, size_t len, double when)
{
	enum { GROUND, ESC, ESC_INT, CSI, STR, STR_ESC };
	int	s = t->gstate;
	size_t	i;

	for (i = 0; i < len && !t->glyph; i++) {
		unsigned char	b = p[i];

		if (s == GROUND && b == 0x1b)
			s = ESC;
		else if (s == GROUND && b > 0x20 && b != 0x7f) {
			t->glyph = 1;
			t->first_text = when;
		} else if (s == ESC && b == '[')
			s = CSI;
		else if (s == ESC && b != 0 && strchr("]PX^_", b) != NULL)
			s = STR;
		else if (s == ESC)
			s = (b >= 0x20 && b <= 0x2f) ? ESC_INT : GROUND;
		else if (s == ESC_INT && (b < 0x20 || b > 0x2f))
			s = GROUND;
		else if (s == CSI && b >= 0x40 && b <= 0x7e)
			s = GROUND;
		else if (s == STR && (b == 0x07 || b == 0x1b))
			s = (b == 0x07) ? GROUND : STR_ESC;
		else if (s == STR_ESC)
			s = (b == '\\') ? GROUND : STR;
	}
	t->gstate = s;
}

static void
tty_write(struct tty *t, const char *p, size_t len)
{
	if (write(t->fd, p, len) == -1)
		return;	/* the program is gone; tty_pump notices */
}

/*
 * Track DECCKM and answer terminal queries.  The last TAIL_SIZE bytes of the
 * previous read are kept so a sequence split across reads is still found;
 * only matches that end in the new data count.
 */
static void
tty_on_data(struct tty *t, const unsigned char *data, size_t len, double when)
{
	static const char *queries[][2] = {
		{ "\033[6n", "\033[1;1R" }, { "\033[?6n", "\033[?1;1;1R" },
		{ "\033[>c", "\033[>41;380;0c" },
		{ "\033[>0c", "\033[>41;380;0c" },
		{ "\033[c", "\033[?64;1;2;6;22c" },
		{ "\033[0c", "\033[?64;1;2;6;22c" },
		{ "\033[18t", NULL }	/* window size, filled in below */
	};
	static unsigned char	 buf[TAIL_SIZE + READ_SIZE];
	unsigned char		*p, *end;
	size_t			 cut = t->taillen, i, plen, n;
	char			 reply[64];

	t->total += len;
	tty_glyph(t, data, len, when);
	memcpy(buf, t->tail, cut);
	memcpy(buf + cut, data, len);
	end = buf + cut + len;

	for (p = buf; (p = memmem(p, end - p, "\033[?1", 4)) != NULL; p++) {
		if (p + 5 > end)
			break;
		if ((size_t)(p + 5 - buf) > cut && (p[4] == 'h' || p[4] == 'l'))
			t->app_cursor = (p[4] == 'h');
	}
	for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		plen = strlen(queries[i][0]);
		for (p = buf; (p = memmem(p, end - p, queries[i][0], plen)) !=
		    NULL; p++) {
			if ((size_t)(p + plen - buf) <= cut)
				continue;
			if (queries[i][1] != NULL)
				n = strlen(strcpy(reply, queries[i][1]));
			else {
				n = snprintf(reply, sizeof reply,
				    "\033[8;%d;%dt", t->rows, t->cols);
			}
			tty_write(t, reply, n);
			t->queries++;
		}
	}
	n = cut + len < TAIL_SIZE ? cut + len : TAIL_SIZE;
	memcpy(t->tail, end - n, n);
	t->taillen = n;
}

/* Reap the program if it has exited; return 1 if it is gone. */
static int
tty_reap(struct tty *t, int block)
{
	pid_t	r;
	int	ws;

	if (t->reaped)
		return (1);
	while ((r = waitpid(t->pid, &ws, block ? 0 : WNOHANG)) == -1 &&
	    errno == EINTR)
		;
	if (r == 0)
		return (0);
	if (r != -1 && WIFEXITED(ws))
		t->status = WEXITSTATUS(ws);
	else
		t->status = (r != -1 && WIFSIGNALED(ws)) ? -WTERMSIG(ws) : -1;
	t->reaped = 1;
	live_pid = 0;
	return (1);
}

/* Wait up to timeout s for output and read one chunk; *when is its time. */
static size_t
tty_pump(struct tty *t, double timeout, double *when)
{
	static unsigned char	data[READ_SIZE];
	struct pollfd		pfd = { .fd = t->fd, .events = POLLIN };
	struct timespec		ts = to_timespec(timeout);
	ssize_t			n;

	if (t->exited) {
		sleep_s(timeout);
		return (0);
	}
	if (ppoll(&pfd, 1, &ts, NULL) <= 0)
		return (0);
	*when = now();
	n = read(t->fd, data, sizeof data);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return (0);
	if (n <= 0) {	/* EIO: nobody holds the slave side any more */
		tty_reap(t, 0);
		t->exited = 1;
		return (0);
	}
	tty_on_data(t, data, n, *when);
	return (n);
}

/*
 * Wait up to first_timeout s for a first byte, then read until quiet s pass
 * without output (quiet=1) or max_total s since the call (quiet=0).
 */
static struct burst
tty_read_until_quiet(struct tty *t, double quiet, double first_timeout,
    double max_total)
{
	struct burst	b = { 0, -1, -1, 1 };
	double		start = now(), tn, wait, when = 0;
	size_t		n;

	for (;;) {
		tn = now();
		if (b.first >= 0 && tn - start >= max_total) {
			b.quiet = 0;
			return (b);
		}
		wait = b.first < 0 ? first_timeout - (tn - start) :
		    quiet - (tn - b.last);
		if (max_total - (tn - start) < wait)
			wait = max_total - (tn - start);
		if (wait <= 0)
			return (b);
		if ((n = tty_pump(t, wait, &when)) > 0) {
			b.n += n;
			if (b.first < 0)
				b.first = when;
			b.last = when;
		} else if (t->exited)
			return (b);
	}
}

/* Read for duration s; return the bytes and count the bursts. */
static size_t
tty_read_window(struct tty *t, double duration, size_t *bursts)
{
	double	end = now() + duration, prev = -1, when = 0;
	size_t	n, total = 0;

	*bursts = 0;
	while (end - now() > 0) {
		if ((n = tty_pump(t, end - now(), &when)) == 0)
			continue;
		if (prev < 0 || when - prev >= BURST_GAP)
			(*bursts)++;
		prev = when;
		total += n;
	}
	return (total);
}

/* Send sig to the process group and to every process of the session. */
static void
kill_session(pid_t sid, int sig)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[64], buf[512], *p;
	FILE		*f;
	long		 pid;
	int		 s;

	killpg(sid, sig);
	if ((d = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if ((pid = strtol(de->d_name, &p, 10)) <= 0 || *p != '\0')
			continue;
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %*d %*d %d", &s) == 1 && s == sid)
			kill((pid_t)pid, sig);
		fclose(f);
	}
	closedir(d);
}

/* End the program: quit keys, then SIGTERM, then SIGKILL; return how. */
static const char *
tty_finish(struct tty *t, const char *quit, size_t quitlen)
{
	static const char	*how[] = { "keys", "sigterm", "sigkill" };
	const char		*via = NULL;
	double			 end, when;
	int			 i;

	if (tty_reap(t, 0))
		via = "exited";
	for (i = quitlen > 0 ? 0 : 1; via == NULL && i < 3; i++) {
		if (i == 0)
			tty_write(t, quit, quitlen);
		else
			kill_session(t->pid, i == 1 ? SIGTERM : SIGKILL);
		end = now() + (i == 0 ? QUIT_TIMEOUT : 1.0);
		while (via == NULL && now() < end) {
			tty_pump(t, 0.02, &when);
			if (tty_reap(t, 0))
				via = how[i];
		}
	}
	if (via == NULL) {
		tty_reap(t, 1);
		via = "sigkill";
	}
	kill_session(t->pid, SIGKILL);	/* helpers that ignored the hangup */
	close(t->fd);
	return (via);
}

static void
tty_spawn(struct tty *t, const struct options *o)
{
	struct winsize	 ws = { .ws_row = o->rows, .ws_col = o->cols };
	const char	*env[][2] = {
		{ "PATH", "/usr/local/bin:/usr/bin:/bin" },
		{ "HOME", "/root" }, { "USER", "root" },
		{ "LOGNAME", "root" }, { "SHELL", "/bin/sh" }
	};
	char		*k, *v;
	size_t		 i;

	for (i = 0; i < sizeof env / sizeof env[0]; i++) {
		v = getenv(i == 3 ? "USER" : env[i][0]);
		if (v != NULL)
			env[i][1] = v;
	}
	memset(t, 0, sizeof *t);
	t->rows = o->rows;
	t->cols = o->cols;
	t->t0 = now();
	if ((t->pid = forkpty(&t->fd, NULL, NULL, &ws)) == -1)
		err(1, "forkpty");
	if (t->pid != 0) {
		live_pid = t->pid;
		return;
	}
	clearenv();
	for (i = 0; i < sizeof env / sizeof env[0]; i++)
		setenv(env[i][0], env[i][1], 1);
	setenv("TERM", "xterm-256color", 1);
	setenv("LANG", "C.UTF-8", 1);
	for (i = 0; i < (size_t)o->nenv; i++) {
		k = strdup(o->env[i]);
		if ((v = strchr(k, '=')) != NULL)
			*v++ = '\0';
		setenv(k, v != NULL ? v : "", 1);
	}
	unsetenv("COLUMNS");
	unsetenv("LINES");
	execvp(o->argv[0], o->argv);
	dprintf(2, "exec %s failed: %s\r\n", o->argv[0], strerror(errno));
	_exit(127);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/* Percentile p of v[0..n), interpolated like ttymeasure.py; sorts v. */
static double
pct(double *v, size_t n, double p)
{
	double	k;
	size_t	lo, hi;

	if (n == 0)
		return (NAN);
	qsort(v, n, sizeof *v, cmp_double);
	k = (n - 1) * p / 100.0;
	lo = (size_t)k;
	hi = lo + 1 < n ? lo + 1 : n - 1;
	return (v[lo] + (v[hi] - v[lo]) * (k - lo));
}

static void
run_keys(struct tty *t, const struct options *o, struct result *r)
{
	struct pollfd	 pfd = { .fd = t->fd, .events = POLLIN };
	const struct keys *k = &o->keys;
	struct burst	 b;
	char		 seq[KEY_MAX + 4];
	double		*bytes, *first, *last, t_send, sum = 0;
	size_t		 i, n = 0, nlat = 0, total = 0;

	if (k->n == 0)
		return;
	bytes = calloc(k->n, sizeof *bytes);
	first = calloc(k->n, sizeof *first);
	last = calloc(k->n, sizeof *last);
	if (bytes == NULL || first == NULL || last == NULL)
		err(1, "calloc");
	for (i = 0; i < k->n && !tty_reap(t, 0); i++) {
		sleep_s(KEY_DELAY);
		if (!t->exited && poll(&pfd, 1, 0) > 0)	/* start from quiet */
			tty_read_until_quiet(t, o->key_quiet, o->key_timeout,
			    o->key_timeout);
		t_send = now();
		tty_write(t, seq, key_bytes(k->name[i], t->app_cursor, seq));
		b = tty_read_until_quiet(t, o->key_quiet, o->key_timeout,
		    o->key_timeout);
		total += b.n;
		bytes[n++] = b.n;
		if (b.first < 0)
			continue;
		first[nlat] = (b.first - t_send) * 1000;
		last[nlat] = (b.last - t_send) * 1000;
		sum += last[nlat++];
	}
	r->f[F_KEYS_N] = n;
	r->f[F_KEYS_SILENT] = n - nlat;
	r->f[F_KEYS_BYTES] = total;
	r->f[F_KEYS_BYTES_MED] = pct(bytes, n, 50);
	r->f[F_KEYS_BYTES_P90] = pct(bytes, n, 90);
	r->f[F_KEYS_FIRST_MED] = pct(first, nlat, 50);
	r->f[F_KEYS_QUIET_MED] = pct(last, nlat, 50);
	r->f[F_KEYS_QUIET_P90] = pct(last, nlat, 90);
	r->f[F_KEYS_QUIET_MEAN] = nlat > 0 ? sum / nlat : NAN;
	r->f[F_KEYS_QUIET_MAX] = nlat > 0 ? last[nlat - 1] : NAN; /* sorted */
	free(bytes);
	free(first);
	free(last);
}

/* VmHWM of pid in MiB, NAN if unknown. */
static double
peak_rss_mib(pid_t pid)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kib = -1;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (NAN);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = atol(line + 6);
	}
	fclose(f);
	return (kib > 0 ? kib / 1024.0 : NAN);
}

static void
one_run(const struct options *o, struct result *r)
{
	struct tty	 t;
	struct burst	 b;
	size_t		 n, nbytes, bursts;
	double		 t1, dt;
	int		 k;

	for (k = 0; k < NFIELDS; k++)
		r->f[k] = NAN;
	r->error[0] = '\0';
	tty_spawn(&t, o);
	b = tty_read_until_quiet(&t, o->settle_quiet, FIRST_TIMEOUT,
	    o->settle_timeout);
	r->f[F_SETTLED] = b.first >= 0 && b.quiet;
	if (b.first < 0)
		snprintf(r->error, sizeof r->error, "no output%s",
		    t.exited ? " (exited)" : "");
	else {
		r->f[F_FIRST_BYTE] = (b.first - t.t0) * 1000;
		if (t.glyph)
			r->f[F_FIRST_TEXT] = (t.first_text - t.t0) * 1000;
		r->f[F_SETTLE] = b.quiet ? (b.last - t.t0) * 1000 :
		    o->settle_timeout * 1000;
		r->f[F_STARTUP_BYTES] = b.n;
	}
	if (t.exited || tty_reap(&t, 0)) {
		r->quit_via = tty_finish(&t, NULL, 0);
		n = strlen(r->error);
		snprintf(r->error + n, sizeof r->error - n, "%sprogram exited "
		    "early, status=%d", n > 0 ? "; " : "", t.status);
		r->f[F_EXIT_STATUS] = t.status;
		return;
	}
	if (o->idle > 0) {
		t1 = now();
		nbytes = tty_read_window(&t, o->idle, &bursts);
		dt = now() - t1;
		r->f[F_IDLE_S] = dt;
		r->f[F_IDLE_BYTES] = nbytes;
		r->f[F_IDLE_BPS] = nbytes / dt;
		r->f[F_IDLE_BURSTS] = bursts / dt;
		r->f[F_IDLE_PER_BURST] = bursts > 0 ?
		    (double)nbytes / bursts : 0;
	}
	if (!tty_reap(&t, 0))
		run_keys(&t, o, r);
	r->f[F_PEAK_RSS] = peak_rss_mib(t.pid);
	r->f[F_TOTAL_BYTES] = t.total;
	r->f[F_APP_CURSOR] = t.app_cursor;
	r->f[F_QUERIES] = t.queries;
	r->quit_via = tty_finish(&t, o->quit, o->quitlen);
	r->f[F_EXIT_STATUS] = t.status;
}

/* Print like ttymeasure.py's r2(): 4 decimals below 1, else 2. */
static void
print_num(double x)
{
	char	buf[64], *p;

	if (isnan(x)) {
		fputs("null", stdout);
		return;
	}
	snprintf(buf, sizeof buf, "%.*f", (x > -1 && x < 1) ? 4 : 2, x);
	for (p = buf + strlen(buf) - 1; *p == '0'; p--)
		*p = '\0';
	if (*p == '.')
		*p = '\0';
	fputs(strcmp(buf, "-0") == 0 ? "0" : buf, stdout);
}

static void
print_str(const char *s)
{
	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void
print_result(const struct options *o, const struct result *runs, int n)
{
	double	 v[n];
	char	 cmd[1024] = "";
	size_t	 len;
	int	 i, k, m;

	for (i = 0; o->argv[i] != NULL; i++) {
		len = strlen(cmd);
		snprintf(cmd + len, sizeof cmd - len, "%s%s", i ? " " : "",
		    o->argv[i]);
	}
	printf("{\"cmd\":");
	print_str(cmd);
	printf(",\"size\":\"%dx%d\",\"key_spec\":", o->cols, o->rows);
	print_str(o->key_spec);
	printf(",\"runs\":%d,\"error\":", n);
	print_str(runs[0].error[0] != '\0' ? runs[0].error : NULL);
	for (i = 1; i < n; i++) {
		if (strcmp(runs[i].quit_via, runs[0].quit_via) != 0)
			break;
	}
	printf(",\"quit_via\":");
	print_str(i == n ? runs[0].quit_via : "mixed");
	for (k = 0; k < NFIELDS; k++) {
		for (i = m = 0; i < n; i++) {
			if (!isnan(runs[i].f[k]))
				v[m++] = runs[i].f[k];
		}
		printf(",\"%s\":", fields[k].name);
		if (m > 0 && fields[k].boolean)
			fputs(m == n && pct(v, m, 0) != 0 ? "true" : "false",
			    stdout);
		else
			print_num(pct(v, m, 50));
	}
	printf("}\n");
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: ttybench [--size COLSxROWS] [--keys SPEC] "
	    "[--idle SECONDS] [--settle-quiet MS]\n"
	    "           [--settle-timeout MS] [--key-quiet MS] "
	    "[--key-timeout MS] [--quit-keys SPEC]\n"
	    "           [--env K=V]... [--repeat N] -- COMMAND [ARG...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct options	 o = { .cols = 80, .rows = 24, .idle = 10,
			    .settle_quiet = 0.2, .settle_timeout = 20,
			    .key_quiet = 0.15, .key_timeout = 1, .repeat = 1 };
	const struct {
		const char	*name;
		double		*dst, scale, min;
	} nums[] = {
		{ "--idle", &o.idle, 1, 0 },
		{ "--settle-quiet", &o.settle_quiet, 1e-3, 1 },
		{ "--settle-timeout", &o.settle_timeout, 1e-3, 1 },
		{ "--key-quiet", &o.key_quiet, 1e-3, 1 },
		{ "--key-timeout", &o.key_timeout, 1e-3, 1 },
		{ "--repeat", &o.repeat, 1, 1 }
	};
	struct result	*runs;
	struct sigaction sa;
	struct keys	 quit;
	const char	*opt, *val, *quit_spec = "q";
	char		*end, seq[KEY_MAX + 4];
	size_t		 j, n;
	int		 i, bad = 0;

	if ((o.env = calloc(argc, sizeof *o.env)) == NULL)
		err(1, "calloc");
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp((opt = argv[i]), "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		val = argv[++i];
		for (j = 0; j < sizeof nums / sizeof nums[0]; j++) {
			if (strcmp(opt, nums[j].name) != 0)
				continue;
			*nums[j].dst = strtod(val, &end) * nums[j].scale;
			if (end == val || *end != '\0' ||
			    !(*nums[j].dst >= nums[j].min * nums[j].scale))
				errx(2, "%s: bad value '%s'", opt, val);
			break;
		}
		if (j < sizeof nums / sizeof nums[0])
			continue;
		if (strcmp(opt, "--size") == 0) {
			if (sscanf(val, "%dx%d", &o.cols, &o.rows) != 2 ||
			    o.cols < 1 || o.rows < 1)
				errx(2, "--size: bad value '%s'", val);
		} else if (strcmp(opt, "--keys") == 0)
			o.key_spec = val;
		else if (strcmp(opt, "--quit-keys") == 0)
			quit_spec = val;
		else if (strcmp(opt, "--env") == 0)
			o.env[o.nenv++] = val;
		else
			usage();
	}
	if (i >= argc)
		usage();
	o.argv = argv + i;
	keys_parse(o.key_spec, &o.keys);
	keys_parse(quit_spec, &quit);
	for (j = 0; j < quit.n; j++) {
		n = key_bytes(quit.name[j], 0, seq);
		if (o.quitlen + n > sizeof o.quit)
			errx(2, "--quit-keys: too long");
		memcpy(o.quit + o.quitlen, seq, n);
		o.quitlen += n;
	}
	keys_free(&quit);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if ((runs = calloc((size_t)o.repeat, sizeof *runs)) == NULL)
		err(1, "calloc");
	for (i = 0; i < (int)o.repeat; i++) {
		if (i > 0)
			sleep_s(REPEAT_PAUSE);
		one_run(&o, &runs[i]);
		bad |= runs[i].error[0] != '\0';
	}
	print_result(&o, runs, (int)o.repeat);
	free(runs);
	free(o.env);
	keys_free(&o.keys);
	return (bad);
}
