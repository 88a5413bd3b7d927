/* SPDX-License-Identifier: ISC */
/*
 * load SOCKET CLIENTS SECONDS: that many clients on the daemon's socket, each subscribed to
 * every event and sending a mix of requests (status, KPIs, incident list, a note on incident
 * 1, audit list) one after another for SECONDS; meanwhile a probe notes incident 2 five times
 * a second, and every client times the probe's events from the write to their arrival.
 * Prints one JSON object: requests, errors (by code), notes acknowledged, event latency.
 *
 * Hostile clients, for the daemon's limits (each prints one JSON object too):
 *   load --silent SOCKET N SECONDS   N clients subscribe to everything and never read; how
 *                                    many the daemon closed within SECONDS
 *   load --notes SOCKET COUNT        notes on incident 1, one after another (events to send)
 *   load --flood SOCKET SECONDS OP.. requests for the ops in turn (names, or whole JSON
 *                                    requests without "id") on 3 connections, each keeping
 *                                    up to 500 in flight; a connection the daemon closes is
 *                                    dialled again. The replies by code, and the requests
 *                                    still out when the daemon closed their connection
 *   load --probe SOCKET SECONDS      status every 10 ms, each waited for: p50, p99, max
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define MAX_CLIENTS	200
#define MAX_PROBES	4096
#define PROBE_MS	200
#define FLOOD_CONNS	3
#define FLOOD_WINDOW	500
#define STATUS_MS	10

struct client {
	int	 fd;
	char	 buf[1 << 20];
	size_t	 len;
	long	 out;		/* requests not answered yet */
	long	 next;		/* the next request of the mix */
	long	 probes_seen;
};

static double	 probe_sent[MAX_PROBES];
static long	 probes;
static double	*lat;
static long	 nlat, caplat;
static long	 requests, notes_acked, errors;
static cJSON	*error_codes;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
add_latency(double ms)
{
	if (nlat == caplat) {
		caplat = caplat ? 2 * caplat : 4096;
		lat = realloc(lat, (size_t)caplat * sizeof *lat);
	}
	lat[nlat++] = ms;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The latencies' p50, p99 and maximum (ms, two decimals), named PREFIXp50 and so on. */
static void
add_percentiles(cJSON *o, const char *prefix)
{
	char name[64];

	if (nlat == 0)
		return;
	qsort(lat, (size_t)nlat, sizeof *lat, by_value);
	snprintf(name, sizeof name, "%sp50", prefix);
	cJSON_AddNumberToObject(o, name, round(lat[nlat / 2] * 100) / 100);
	snprintf(name, sizeof name, "%sp99", prefix);
	cJSON_AddNumberToObject(o, name, round(lat[(long)floor(nlat * 0.99)] * 100) / 100);
	snprintf(name, sizeof name, "%smax", prefix);
	cJSON_AddNumberToObject(o, name, round(lat[nlat - 1] * 100) / 100);
}

static int
dial(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static void
send_line(int fd, const char *line)
{
	size_t len = strlen(line), off = 0;
	ssize_t n;

	while (off < len) {
		if ((n = write(fd, line + off, len - off)) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("write");
			exit(1);
		}
		off += (size_t)n;
	}
}

static void
send_next(struct client *c, long id)
{
	char line[256];

	switch (c->next++ % 5) {
	case 0:
		snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"status\"}\n", id);
		break;
	case 1:
		snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"kpi.list\"}\n", id);
		break;
	case 2:
		snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"incident.list\",\"limit\":20}\n",
		    id);
		break;
	case 3:
		snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"incident.note\",\"incident\":1,"
		    "\"text\":\"load %ld\"}\n", id, c->next);
		break;
	default:
		snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"audit.list\",\"limit\":20}\n", id);
	}
	send_line(c->fd, line);
	c->out++;
}

/* A reply's error code; NULL when it says ok. */
static const char *
reply_code(cJSON *m)
{
	const char *code;

	if (!cJSON_IsFalse(cJSON_GetObjectItem(m, "ok")))
		return NULL;
	code = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "error"), "code"));
	return code != NULL ? code : "?";
}

static void
count_code(cJSON *codes, const char *code)
{
	cJSON *n = cJSON_GetObjectItem(codes, code);

	if (n == NULL)
		cJSON_AddNumberToObject(codes, code, 1);
	else
		cJSON_SetNumberValue(n, n->valuedouble + 1);
}

/* Reads what is there and calls fn for every whole line; 0 when the daemon closed. */
static int
read_client(struct client *c, void (*fn)(struct client *, const char *, size_t))
{
	ssize_t got = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
	char *nl;

	if (got < 0 && errno == EINTR)
		return 1;
	if (got <= 0)
		return 0;
	c->len += (size_t)got;
	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		fn(c, c->buf, (size_t)(nl - c->buf));
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len);
	}
	return 1;
}

static void
on_message(struct client *c, const char *line, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(line, len), *inc;
	const char *code;
	double t = now_ms();

	if (m == NULL)
		return;
	if (cJSON_GetObjectItem(m, "event") != NULL) {
		inc = cJSON_GetObjectItem(m, "incident");
		if (inc != NULL && cJSON_GetNumberValue(cJSON_GetObjectItem(inc, "id")) == 2 &&
		    c->probes_seen < probes) {
			add_latency(t - probe_sent[c->probes_seen++]);
		}
	} else {
		requests++;
		c->out--;
		if ((code = reply_code(m)) != NULL) {
			errors++;
			count_code(error_codes, code);
		} else if (strstr(line, "\"incident\"") != NULL && c->next % 5 == 4)
			notes_acked++;
	}
	cJSON_Delete(m);
}

static int
outstanding(const struct client *cl, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (cl[i].out > 0)
			return 1;
	}
	return 0;
}

static void
print_object(cJSON *o)
{
	char *out = cJSON_PrintUnformatted(o);

	puts(out);
	free(out);
	cJSON_Delete(o);
}

/* Reads one line (up to 1 MiB) into buf; returns its length or -1 at the end. */
static ssize_t
read_line(int fd, char *buf, size_t size, size_t *have)
{
	char *nl;
	ssize_t n;
	size_t len;

	for (;;) {
		if ((nl = memchr(buf, '\n', *have)) != NULL) {
			len = (size_t)(nl - buf);
			*nl = '\0';
			return (ssize_t)len;
		}
		if (*have == size)
			return -1;
		if ((n = read(fd, buf + *have, size - *have)) <= 0)
			return -1;
		*have += (size_t)n;
	}
}

static void
drop_line(char *buf, size_t *have, ssize_t len)
{
	*have -= (size_t)len + 1;
	memmove(buf, buf + len + 1, *have);
}

static int
silent_main(const char *path, int n, int secs)
{
	struct pollfd *pfd = calloc((size_t)n, sizeof *pfd);
	int i, size = 4096, closed = 0;
	double end = now_ms() + secs * 1e3;
	cJSON *o;

	for (i = 0; i < n; i++) {
		pfd[i].fd = dial(path);
		/* A small receive buffer: what is not read waits in the daemon. */
		setsockopt(pfd[i].fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
		send_line(pfd[i].fd, "{\"id\":1,\"op\":\"subscribe\"}\n");
		pfd[i].events = POLLRDHUP;
	}
	while (closed < n && now_ms() < end) {
		if (poll(pfd, (nfds_t)n, 100) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (pfd[i].fd >= 0 && (pfd[i].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				closed++;
			}
		}
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "subscribers", n);
	cJSON_AddNumberToObject(o, "closed_by_daemon", closed);
	print_object(o);
	free(pfd);
	return 0;
}

static int
notes_main(const char *path, long count)
{
	static char buf[1 << 20];
	char line[512];
	size_t have = 0;
	ssize_t len;
	long i, ok = 0;
	int fd = dial(path);
	cJSON *o;

	for (i = 0; i < count; i++) {
		snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"incident.note\",\"incident\":1,"
		    "\"text\":\"note %ld: the subscribers do not read\"}\n", i, i);
		send_line(fd, line);
		if ((len = read_line(fd, buf, sizeof buf, &have)) < 0)
			break;
		ok += strstr(buf, "\"ok\":true") != NULL;
		drop_line(buf, &have, len);
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "notes", (double)ok);
	print_object(o);
	return 0;
}

/* The requests one flood connection sends at once. */
struct buf_line {
	char	*p;
	size_t	 len, cap;
};

/* Adds one flood request: an op name, or a JSON request of its own (without "id"). */
static void
flood_request(struct buf_line *b, const char *op, long id)
{
	char tmp[4096];
	int n;

	if (op[0] == '{')
		n = snprintf(tmp, sizeof tmp, "{\"id\":%ld,%s\n", id, op + 1);
	else
		n = snprintf(tmp, sizeof tmp, "{\"id\":%ld,\"op\":\"%s\"}\n", id, op);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return;
	if (b->len + (size_t)n > b->cap) {
		b->cap = (b->len + (size_t)n) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, tmp, (size_t)n);
	b->len += (size_t)n;
}

static cJSON	*replies;

static void
count_reply(struct client *c, const char *line, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(line, len);
	const char *code;

	if (m != NULL && cJSON_GetObjectItem(m, "event") == NULL) {
		c->out--;
		code = reply_code(m);
		count_code(replies, code != NULL ? code : "ok");
	}
	cJSON_Delete(m);
}

/* The daemon closed c: what was out on it stays unanswered for good. */
static void
hang_up(struct client *c, long *dropped)
{
	*dropped += c->out;
	close(c->fd);
	c->fd = -1;
}

static int
flood_main(const char *path, int secs, char **ops, int nops)
{
	static struct client c[FLOOD_CONNS];
	struct pollfd pfd[FLOOD_CONNS];
	struct buf_line b = { NULL, 0, 0 };
	double end = now_ms() + secs * 1e3;
	long id = 0, sent = 0, conns = 0, dropped = 0, out = 0;
	size_t off;
	ssize_t n;
	int i, k;
	cJSON *o;

	replies = cJSON_CreateObject();
	for (i = 0; i < FLOOD_CONNS; i++)
		c[i].fd = -1;
	/* Then the replies still out, for a while: the daemon may be slow, it must not lose any. */
	while (now_ms() < end || (out > 0 && now_ms() < end + 30e3)) {
		for (i = 0; i < FLOOD_CONNS && now_ms() < end; i++) {
			if (c[i].fd < 0) {
				c[i].fd = dial(path);
				c[i].len = 0;
				c[i].out = 0;
				conns++;
			}
			/* Half the window at a time: the daemon always has the next ones. */
			if (c[i].out > FLOOD_WINDOW / 2)
				continue;
			for (b.len = 0, k = 0; k < FLOOD_WINDOW / 2; k++, id++)
				flood_request(&b, ops[id % nops], id);
			c[i].out += FLOOD_WINDOW / 2;
			sent += FLOOD_WINDOW / 2;
			for (off = 0; off < b.len; off += (size_t)n) {
				if ((n = send(c[i].fd, b.p + off, b.len - off, MSG_NOSIGNAL)) <= 0)
					break;
			}
			if (off < b.len) {
				/* Closed: the replies it sent before are still to be read. */
				while (read_client(&c[i], count_reply))
					;
				hang_up(&c[i], &dropped);
			}
		}
		for (i = 0; i < FLOOD_CONNS; i++) {
			pfd[i].fd = c[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, FLOOD_CONNS, 100) < 0 && errno != EINTR)
			break;
		for (i = 0, out = 0; i < FLOOD_CONNS; i++) {
			if (c[i].fd >= 0 && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !read_client(&c[i], count_reply))
				hang_up(&c[i], &dropped);
			out += c[i].fd >= 0 ? c[i].out : 0;
		}
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "requests_sent", (double)sent);
	cJSON_AddNumberToObject(o, "connections", (double)conns);
	cJSON_AddItemToObject(o, "replies", replies);
	cJSON_AddNumberToObject(o, "dropped_with_connection", (double)dropped);
	cJSON_AddNumberToObject(o, "unanswered", (double)out);
	print_object(o);
	free(b.p);
	return 0;
}

static int
probe_main(const char *path, int secs)
{
	static char buf[1 << 20];
	double end = now_ms() + secs * 1e3, t;
	char line[128];
	size_t have = 0;
	ssize_t len;
	long id = 0;
	int fd = dial(path);
	cJSON *o;

	while ((t = now_ms()) < end) {
		snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"status\"}\n", id++);
		send_line(fd, line);
		if ((len = read_line(fd, buf, sizeof buf, &have)) < 0) {
			fprintf(stderr, "probe: the daemon closed the connection\n");
			return 1;
		}
		drop_line(buf, &have, len);
		add_latency(now_ms() - t);
		/* Paced, so that the probe itself is no load. */
		while (now_ms() < t + STATUS_MS)
			usleep(1000);
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "requests", (double)nlat);
	add_percentiles(o, "ms_");
	print_object(o);
	free(lat);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct client cl[MAX_CLIENTS];
	struct pollfd pfd[MAX_CLIENTS + 1];
	int n, secs, i, probe_fd;
	double end, next_probe;
	char line[256], *out;
	long id = 1;
	cJSON *o;

	if (argc == 5 && strcmp(argv[1], "--silent") == 0 && atoi(argv[3]) > 0)
		return silent_main(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "--notes") == 0)
		return notes_main(argv[2], atol(argv[3]));
	if (argc >= 5 && strcmp(argv[1], "--flood") == 0)
		return flood_main(argv[2], atoi(argv[3]), argv + 4, argc - 4);
	if (argc == 4 && strcmp(argv[1], "--probe") == 0)
		return probe_main(argv[2], atoi(argv[3]));
	if (argc != 4 || (n = atoi(argv[2])) < 1 || n > MAX_CLIENTS || (secs = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: load SOCKET CLIENTS SECONDS\n"
		    "       load --silent SOCKET N SECONDS | --notes SOCKET COUNT |\n"
		    "       load --flood SOCKET SECONDS OP... | --probe SOCKET SECONDS\n");
		return 2;
	}
	error_codes = cJSON_CreateObject();
	for (i = 0; i < n; i++) {
		cl[i].fd = dial(argv[1]);
		send_line(cl[i].fd, "{\"id\":0,\"op\":\"subscribe\"}\n");
		cl[i].out = 1;
	}
	probe_fd = dial(argv[1]);
	end = now_ms() + secs * 1e3;
	next_probe = now_ms();
	/* Then no new requests until the ones out are answered: every note is counted. */
	while (now_ms() < end || (outstanding(cl, n) && now_ms() < end + 10e3)) {
		if (now_ms() < end && now_ms() >= next_probe && probes < MAX_PROBES) {
			snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"incident.note\","
			    "\"incident\":2,\"text\":\"probe %ld\"}\n", id++, probes);
			probe_sent[probes++] = now_ms();
			send_line(probe_fd, line);
			next_probe += PROBE_MS;
		}
		for (i = 0; i < n; i++) {
			if (cl[i].out == 0 && now_ms() < end)
				send_next(&cl[i], id++);
			pfd[i].fd = cl[i].fd;
			pfd[i].events = POLLIN;
		}
		pfd[n].fd = probe_fd;
		pfd[n].events = POLLIN;
		if (poll(pfd, (nfds_t)n + 1, PROBE_MS / 4) < 0 && errno != EINTR)
			break;
		if (pfd[n].revents & POLLIN) {
			/* The probe's replies only pace it; drain them. */
			if (read(probe_fd, line, sizeof line) <= 0)
				break;
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (!read_client(&cl[i], on_message)) {
				fprintf(stderr, "client %d: the daemon closed the connection\n", i);
				return 1;
			}
		}
	}
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "clients", n);
	cJSON_AddNumberToObject(o, "seconds", secs);
	cJSON_AddNumberToObject(o, "requests", (double)requests);
	cJSON_AddNumberToObject(o, "requests_per_s", (double)requests / secs);
	cJSON_AddNumberToObject(o, "errors", (double)errors);
	cJSON_AddNumberToObject(o, "notes_acked", (double)notes_acked);
	cJSON_AddItemToObject(o, "error_codes", error_codes);
	cJSON_AddNumberToObject(o, "probes", (double)probes);
	cJSON_AddNumberToObject(o, "events_timed", (double)nlat);
	add_percentiles(o, "event_ms_");
	out = cJSON_PrintUnformatted(o);
	puts(out);
	free(out);
	cJSON_Delete(o);
	free(lat);
	return 0;
}
