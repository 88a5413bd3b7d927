/* SPDX-License-Identifier: ISC */
/*
 * flood SOCKET flood SECONDS KPI: three connections that keep 500 requests each in flight,
 * kpi.range of KPI and audit.verify in turn, for SECONDS; prints the replies by code as JSON.
 * flood SOCKET probe SECONDS: one status request every 10 ms for SECONDS, each waited for;
 * prints the round trips' p50, p99 and maximum (ms) as JSON.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define CONNS		3
#define WINDOW		500
#define MAX_SAMPLES	100000

struct conn {
	int	 fd;
	char	 buf[1 << 16];
	size_t	 len;
	long	 out;		/* requests not answered yet */
	long	 next;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
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
send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			perror("write");
			exit(1);
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Reads what is there; calls fn for every whole line. 0 at end of file. */
static int
read_lines(struct conn *c, void (*fn)(struct conn *, const char *, size_t))
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
	char *nl, *p;

	if (n <= 0)
		return n < 0 && errno == EINTR;
	c->len += (size_t)n;
	p = c->buf;
	while ((nl = memchr(p, '\n', c->len - (size_t)(p - c->buf))) != NULL) {
		fn(c, p, (size_t)(nl - p));
		p = nl + 1;
	}
	c->len -= (size_t)(p - c->buf);
	memmove(c->buf, p, c->len);
	return 1;
}

static cJSON	*codes;

static void
count_reply(struct conn *c, const char *line, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(line, len), *n;
	const char *code = "ok";

	if (m == NULL || cJSON_GetObjectItem(m, "event") != NULL) {
		cJSON_Delete(m);
		return;
	}
	c->out--;
	if (cJSON_IsFalse(cJSON_GetObjectItem(m, "ok")))
		code = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "error"),
		    "code"));
	if (code == NULL)
		code = "?";
	if ((n = cJSON_GetObjectItem(codes, code)) == NULL)
		cJSON_AddNumberToObject(codes, code, 1);
	else
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	cJSON_Delete(m);
}

static void
flood(const char *path, double secs, const char *kpi)
{
	static struct conn c[CONNS];
	struct pollfd pfd[CONNS];
	char line[256], *batch;
	size_t blen;
	double end = now_ms() + secs * 1e3;
	int i, k, open = CONNS;

	codes = cJSON_CreateObject();
	batch = malloc(WINDOW * sizeof line);
	for (i = 0; i < CONNS; i++)
		c[i].fd = dial(path);
	while (open > 0) {
		for (i = 0; i < CONNS; i++) {
			if (c[i].fd < 0 || now_ms() >= end || c[i].out > WINDOW / 2)
				continue;
			blen = 0;
			for (k = 0; k < WINDOW / 2; k++, c[i].out++, c[i].next++) {
				if (c[i].next % 2 == 0)
					snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"kpi.range\","
					    "\"name\":\"%s\",\"seconds\":3600}\n", c[i].next, kpi);
				else
					snprintf(line, sizeof line, "{\"id\":%ld,\"op\":"
					    "\"audit.verify\"}\n", c[i].next);
				memcpy(batch + blen, line, strlen(line));
				blen += strlen(line);
			}
			send_all(c[i].fd, batch, blen);
		}
		for (i = 0; i < CONNS; i++) {
			pfd[i].fd = c[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, CONNS, 100) < 0 && errno != EINTR) {
			perror("poll");
			exit(1);
		}
		for (i = 0; i < CONNS; i++) {
			if (c[i].fd < 0)
				continue;
			if (((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    !read_lines(&c[i], count_reply)) || (now_ms() >= end && c[i].out == 0)) {
				close(c[i].fd);
				c[i].fd = -1;
				open--;
			}
		}
		/* Replies still out long after the end: the daemon lost them. */
		if (now_ms() > end + 30e3)
			break;
	}
	for (i = 0; i < CONNS; i++) {
		if (c[i].out > 0)
			cJSON_AddNumberToObject(codes, "unanswered", (double)c[i].out);
	}
	free(batch);
}

static double	*rtt;
static long	 nrtt;
static int	 answered;

static void
probe_reply(struct conn *c, const char *line, size_t len)
{
	(void)c;
	(void)line;
	(void)len;
	answered = 1;
}

static int
by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
tenths(double ms)
{
	return (double)(long)(ms * 10 + 0.5) / 10;
}

static void
probe(const char *path, double secs)
{
	static struct conn c;
	struct pollfd pfd;
	double end = now_ms() + secs * 1e3, t0, next;
	char line[64];
	long id = 1;

	rtt = calloc(MAX_SAMPLES, sizeof *rtt);
	c.fd = dial(path);
	while ((next = now_ms()) < end && nrtt < MAX_SAMPLES) {
		snprintf(line, sizeof line, "{\"id\":%ld,\"op\":\"status\"}\n", id++);
		t0 = now_ms();
		send_all(c.fd, line, strlen(line));
		answered = 0;
		while (!answered) {
			pfd.fd = c.fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
				perror("poll");
				exit(1);
			}
			if (!read_lines(&c, probe_reply)) {
				fprintf(stderr, "probe: the daemon closed the connection\n");
				exit(1);
			}
		}
		rtt[nrtt++] = now_ms() - t0;
		while (now_ms() < next + 10)
			usleep(1000);
	}
	qsort(rtt, (size_t)nrtt, sizeof *rtt, by_value);
	codes = cJSON_CreateObject();
	cJSON_AddNumberToObject(codes, "n", (double)nrtt);
	cJSON_AddNumberToObject(codes, "p50_ms", tenths(nrtt ? rtt[nrtt / 2] : 0));
	cJSON_AddNumberToObject(codes, "p99_ms", tenths(nrtt ? rtt[nrtt * 99 / 100] : 0));
	cJSON_AddNumberToObject(codes, "max_ms", tenths(nrtt ? rtt[nrtt - 1] : 0));
	free(rtt);
}

int
main(int argc, char **argv)
{
	char *out;
	double secs;

	if (argc < 4 || (secs = atof(argv[3])) <= 0 ||
	    (strcmp(argv[2], "flood") == 0 && argc != 5) ||
	    (strcmp(argv[2], "probe") == 0 && argc != 4) ||
	    (strcmp(argv[2], "flood") != 0 && strcmp(argv[2], "probe") != 0)) {
		fprintf(stderr, "usage: flood SOCKET flood SECONDS KPI | flood SOCKET probe "
		    "SECONDS\n");
		return 2;
	}
	if (strcmp(argv[2], "flood") == 0)
		flood(argv[1], secs, argv[4]);
	else
		probe(argv[1], secs);
	out = cJSON_PrintUnformatted(codes);
	printf("%s\n", out);
	free(out);
	cJSON_Delete(codes);
	return 0;
}
