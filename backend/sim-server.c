/* SPDX-License-Identifier: ISC */
/* `leitstand sim serve`: the HTTP server, its routes except the chat, the background traffic. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backend/buf.h"
#include "backend/clock.h"
#include "backend/mhd-dl.h"
#include "backend/sim-model.h"
#include "backend/sim-feedback.h"
#include "backend/sim-release.h"
#include "backend/sim-server.h"
#include "backend/sim.h"
#include "backend/sshsig.h"
#include "backend/xmalloc.h"

#define MAX_BODY	(1024 * 1024)	/* request bodies, and replies the client reads */
#define MAX_DRAIN	(16 * 1024 * 1024) /* a body too large is read this far for its 413 */
#define TICK		0.1		/* seconds between background traffic steps */
#define DEFAULT_LISTEN	"127.0.0.1:0"
#define DEFAULT_ASSISTANT "support"
#define DEFAULT_INTERVAL 2.0		/* seconds between fetches of the prompt repository */
#define DEFAULT_FETCH_TIMEOUT 30	/* seconds a fetch may take before it is stopped */

/* A request body being received. */
struct sim_conn {
	const struct sim_route *route;
	struct buf	 body;
	int		 too_large;
	size_t		 dropped;	/* bytes of a body too large, read and dropped */
};

typedef enum MHD_Result (*sim_get_fn)(struct sim *, struct MHD_Connection *);
typedef enum MHD_Result (*sim_post_fn)(struct sim *, struct MHD_Connection *, const char *,
    size_t);

static enum MHD_Result	route_metrics(struct sim *, struct MHD_Connection *);
static enum MHD_Result	route_profile_get(struct sim *, struct MHD_Connection *);
static enum MHD_Result	route_status(struct sim *, struct MHD_Connection *);
static enum MHD_Result	route_profile_post(struct sim *, struct MHD_Connection *,
			    const char *, size_t);

static const struct sim_route {
	const char	*path;
	sim_get_fn	 get;
	sim_post_fn	 post;
	const char	*allow;
} routes[] = {
	{ "/metrics", route_metrics, NULL, "GET, HEAD" },
	{ "/v1/chat/completions", NULL, sim_route_chat, "POST" },
	{ "/sim/profile", route_profile_get, route_profile_post, "GET, HEAD, POST" },
	{ "/sim/status", route_status, NULL, "GET, HEAD" },
	{ "/sim/feedback", sim_feedback_route, NULL, "GET, HEAD" },
};

enum MHD_Result
sim_reply(struct MHD_Connection *c, unsigned int status, const char *type, char *data,
    const char *header, const char *value)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	/* data comes from malloc (xmalloc or cJSON), so MHD's free() is right. */
	r = MHD_create_response_from_buffer(strlen(data), data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (header != NULL)
		MHD_add_response_header(r, header, value);
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* Sends a JSON document and deletes it. */
enum MHD_Result
sim_reply_json(struct MHD_Connection *c, unsigned int status, cJSON *o, const char *header,
    const char *value)
{
	char *s;

	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		fatal("out of memory");
	return sim_reply(c, status, "application/json", s, header, value);
}

/* An error the way the OpenAI API sends it, naming the request field it is about; param and
   code NULL are JSON null. */
cJSON *
sim_error_param(const char *message, const char *type, const char *param, const char *code)
{
	cJSON *o, *e;

	o = cJSON_CreateObject();
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddStringToObject(e, "type", type);
	if (param != NULL)
		cJSON_AddStringToObject(e, "param", param);
	else
		cJSON_AddNullToObject(e, "param");
	if (code != NULL)
		cJSON_AddStringToObject(e, "code", code);
	else
		cJSON_AddNullToObject(e, "code");
	return o;
}

/* An error the way the OpenAI API sends it; code NULL is JSON null. */
cJSON *
sim_error_object(const char *message, const char *type, const char *code)
{
	return sim_error_param(message, type, NULL, code);
}

enum MHD_Result
sim_reply_error(struct MHD_Connection *c, unsigned int status, const char *message,
    const char *type, const char *code)
{
	return sim_reply_json(c, status, sim_error_object(message, type, code), NULL, NULL);
}

enum MHD_Result
sim_reply_invalid(struct MHD_Connection *c, const char *message, const char *param)
{
	return sim_reply_json(c, MHD_HTTP_BAD_REQUEST, sim_error_param(message,
	    "invalid_request_error", param, NULL), NULL, NULL);
}

/* Waits until secs after start (CLOCK_MONOTONIC); -1 if the simulator stops first. */
int
sim_wait(struct sim *s, const struct timespec *start, double secs)
{
	struct timespec ts = *start;
	int stopping;

	clock_add(&ts, secs < 0 ? 0 : secs);
	pthread_mutex_lock(&s->lock);
	while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &ts) != ETIMEDOUT)
		;
	stopping = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return stopping ? -1 : 0;
}

/* Waits up to secs, less if the simulator stops. */
void
sim_sleep(struct sim *s, double secs)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	sim_wait(s, &now, secs);
}

static enum MHD_Result
route_metrics(struct sim *s, struct MHD_Connection *c)
{
	char *text;

	struct buf b;

	pthread_mutex_lock(&s->lock);
	text = sim_model_metrics_dialect(s->model, s->dialect);
	pthread_mutex_unlock(&s->lock);
	if (s->release != NULL) {
		buf_init(&b);
		buf_addstr(&b, text);
		free(text);
		sim_release_metrics(s->release, &b);
		text = buf_take(&b);
	}
	return sim_reply(c, MHD_HTTP_OK, sim_dialect_content_type(s->dialect), text, NULL, NULL);
}

static cJSON *
profile_names(void)
{
	cJSON *a;
	size_t i;

	a = cJSON_CreateArray();
	for (i = 0; i < sim_profile_count(); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(sim_profile_name(i)));
	return a;
}

static enum MHD_Result
route_profile_get(struct sim *s, struct MHD_Connection *c)
{
	cJSON *o;

	o = cJSON_CreateObject();
	pthread_mutex_lock(&s->lock);
	cJSON_AddStringToObject(o, "profile", sim_model_profile(s->model));
	pthread_mutex_unlock(&s->lock);
	cJSON_AddItemToObject(o, "profiles", profile_names());
	return sim_reply_json(c, MHD_HTTP_OK, o, NULL, NULL);
}

static enum MHD_Result
route_status(struct sim *s, struct MHD_Connection *c)
{
	cJSON *o;

	pthread_mutex_lock(&s->lock);
	o = sim_model_status(s->model);
	pthread_mutex_unlock(&s->lock);
	cJSON_AddNumberToObject(o, "rate_scale", s->rate_scale);
	cJSON_AddStringToObject(o, "metrics_dialect", sim_dialect_name(s->dialect));
	if (s->release != NULL)
		cJSON_AddItemToObject(o, "prompts", sim_release_status(s->release));
	return sim_reply_json(c, MHD_HTTP_OK, o, NULL, NULL);
}

static enum MHD_Result
route_profile_post(struct sim *s, struct MHD_Connection *c, const char *body, size_t len)
{
	cJSON *req, *name, *o;
	char *cause = NULL;
	int rc;

	req = cJSON_ParseWithLength(body, len);
	name = cJSON_GetObjectItemCaseSensitive(req, "profile");
	if (!cJSON_IsString(name)) {
		cJSON_Delete(req);
		return sim_reply_invalid(c, "expected a JSON object {\"profile\": NAME}",
		    "profile");
	}
	pthread_mutex_lock(&s->lock);
	rc = sim_model_set_profile(s->model, name->valuestring, &cause);
	pthread_mutex_unlock(&s->lock);
	if (rc != 0) {
		o = sim_error_object(cause, "invalid_request_error", NULL);
		cJSON_AddItemToObject(o, "profiles", profile_names());
		free(cause);
		cJSON_Delete(req);
		return sim_reply_json(c, MHD_HTTP_BAD_REQUEST, o, NULL, NULL);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "profile", name->valuestring);
	cJSON_Delete(req);
	return sim_reply_json(c, MHD_HTTP_OK, o, NULL, NULL);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct sim *s = cls;
	struct sim_conn *conn = *con_cls;
	const struct sim_route *rt = NULL;
	const char *cl, *expect;
	unsigned long long length;
	size_t i;
	int get;

	(void)version;
	if (conn == NULL) {
		for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
			if (strcmp(routes[i].path, url) == 0)
				rt = &routes[i];
		}
		if (rt == NULL)
			return sim_reply_error(c, MHD_HTTP_NOT_FOUND, "no such endpoint; try "
			    "/v1/chat/completions, /metrics, /sim/profile, /sim/status or "
			    "/sim/feedback",
			    "invalid_request_error", NULL);
		get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		if (get && rt->get != NULL)
			return rt->get(s, c);
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0 || rt->post == NULL) {
			return sim_reply_json(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    sim_error_object("method not allowed", "invalid_request_error", NULL),
			    MHD_HTTP_HEADER_ALLOW, rt->allow);
		}
		/*
		 * Refusing before the body is read makes clients that do not wait for
		 * "100 Continue" lose the reply in a reset; a body up to MAX_DRAIN is
		 * read and dropped instead.
		 */
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_EXPECT);
		length = cl != NULL ? strtoull(cl, NULL, 10) : 0;
		if (length > MAX_BODY && (length > MAX_DRAIN || expect != NULL))
			return sim_reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body larger "
			    "than 1 MiB", "invalid_request_error", NULL);
		conn = xcalloc(1, sizeof *conn);
		conn->route = rt;
		conn->too_large = length > MAX_BODY;
		buf_init(&conn->body);
		*con_cls = conn;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!conn->too_large && conn->body.len + *upload_data_size > MAX_BODY) {
			conn->too_large = 1;
			buf_free(&conn->body);
		}
		if (!conn->too_large)
			buf_add(&conn->body, upload_data, *upload_data_size);
		else if ((conn->dropped += *upload_data_size) > MAX_DRAIN)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (conn->too_large)
		return sim_reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body larger than "
		    "1 MiB", "invalid_request_error", NULL);
	return conn->route->post(s, c, conn->body.data, conn->body.len);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode why)
{
	struct sim_conn *conn = *con_cls;

	(void)cls, (void)c, (void)why;
	if (conn == NULL)
		return;
	buf_free(&conn->body);
	free(conn);
	*con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("leitstand sim: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* Background traffic: one step every TICK seconds until the simulator stops. */
static void *
ticker(void *arg)
{
	struct sim *s = arg;
	struct timespec last, now, next;
	double elapsed;

	clock_gettime(CLOCK_MONOTONIC, &last);
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		next = last;
		clock_add(&next, TICK);
		while (!s->stopping &&
		    pthread_cond_timedwait(&s->wake, &s->lock, &next) != ETIMEDOUT)
			;
		if (s->stopping)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (double)(now.tv_sec - last.tv_sec) +
		    (double)(now.tv_nsec - last.tv_nsec) / 1e9;
		last = now;
		sim_model_tick(s->model, elapsed > 1 ? 1 : elapsed, s->rate_scale);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Binds and listens on HOST:PORT; writes the bound address to *where. */
static int
listen_on(const char *spec, char **where, char **cause)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char *host, *port, h[NI_MAXHOST], p[NI_MAXSERV];
	int fd = -1, on = 1, rc;

	host = xstrdup(spec);
	if ((port = strrchr(host, ':')) == NULL || port == host || port[1] == '\0' ||
	    strspn(port + 1, "0123456789") != strlen(port + 1) || strlen(port + 1) > 5 ||
	    atoi(port + 1) > 65535) {
		*cause = xprintf("--listen %s: expected HOST:PORT, like 127.0.0.1:8080", spec);
		free(host);
		return -1;
	}
	*port++ = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		*cause = xprintf("--listen %s: %s", spec, gai_strerror(rc));
		free(host);
		return -1;
	}
	free(host);
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (res->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		goto fail;
	freeaddrinfo(res);
	if ((rc = getnameinfo((struct sockaddr *)&ss, sl, h, sizeof h, p, sizeof p,
	    NI_NUMERICHOST | NI_NUMERICSERV)) != 0) {
		*cause = xprintf("--listen %s: %s", spec, gai_strerror(rc));
		close(fd);
		return -1;
	}
	*where = ss.ss_family == AF_INET6 ? xprintf("[%s]:%s", h, p) : xprintf("%s:%s", h, p);
	return fd;

fail:
	*cause = xprintf("cannot listen on %s: %s", spec, strerror(errno));
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return -1;
}

/* A duration of --prompts-interval: 2s, 500ms, 1m or plain seconds; -1 if it is none. */
static double
interval_parse(const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || !isfinite(v) || *arg == '-' || *arg == '+')
		return -1;
	if (strcmp(end, "ms") == 0)
		v /= 1000;
	else if (strcmp(end, "m") == 0)
		v *= 60;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return -1;
	return v >= 0.1 && v <= 3600 ? v : -1;
}

/* The fetcher found a release to serve: traffic and answers follow it from now on. */
static void
release_changed(void *arg, const struct sim_release_info *info)
{
	struct sim *s = arg;

	pthread_mutex_lock(&s->lock);
	sim_model_set_release(s->model, info->release, info->model, info->system,
	    info->max_tokens);
	sim_model_set_canary(s->model, info->canary, info->canary_weight, info->canary_model,
	    info->canary_system, info->canary_max_tokens);
	free(s->system);
	s->system = xstrdup(info->system);
	pthread_mutex_unlock(&s->lock);
}

/* Frees what sim_serve set up in s: the release's fetcher, the model, the lock. */
static void
sim_clear(struct sim *s)
{
	sim_release_stop(s->release);
	sim_model_free(s->model);
	sim_feedback_free(s->feedback);
	free(s->system);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
}

/* leitstand sim serve: runs until SIGTERM or SIGINT. */
int
sim_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "profile", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "rate-scale", required_argument, NULL, 'r' },
		{ "metrics-dialect", required_argument, NULL, 'm' },
		{ "prompts", required_argument, NULL, 'P' },
		{ "assistant", required_argument, NULL, 'a' },
		{ "prompts-interval", required_argument, NULL, 'i' },
		{ "prompts-timeout", required_argument, NULL, 't' },
		{ "allowed-signers", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	const char *listen_spec = DEFAULT_LISTEN, *profile = "normal", *prompts = NULL;
	const char *assistant = NULL, *interval_arg = NULL, *timeout_arg = NULL;
	const char *signers = NULL;
	double interval = DEFAULT_INTERVAL, timeout = DEFAULT_FETCH_TIMEOUT;
	enum sim_dialect dialect = SIM_DIALECT_COLLECTOR;
	struct sim s;
	struct MHD_Daemon *d;
	pthread_condattr_t ca;
	pthread_t tick;
	sigset_t set, old;
	uint64_t seed;
	char *end, *where = NULL, *cause = NULL, *list;
	double scale = 1;
	int ch, fd, sig, di;
	unsigned int flags;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			listen_spec = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || *optarg == '-') {
				sim_error("--seed: %s is not a number from 0 to 2^64-1", optarg);
				return SIM_EXIT_USAGE;
			}
			break;
		case 'r':
			errno = 0;
			scale = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !isfinite(scale) ||
			    scale < 0 || scale > 1000) {
				sim_error("--rate-scale: %s is not a number from 0 to 1000",
				    optarg);
				return SIM_EXIT_USAGE;
			}
			break;
		case 'm':
			if ((di = sim_dialect_find(optarg)) == -1) {
				list = sim_dialect_list();
				sim_error("--metrics-dialect: unknown dialect \"%s\" (dialects: %s)",
				    optarg, list);
				free(list);
				return SIM_EXIT_USAGE;
			}
			dialect = (enum sim_dialect)di;
			break;
		case 'P':
			prompts = optarg;
			break;
		case 'a':
			assistant = optarg;
			break;
		case 'i':
			interval_arg = optarg;
			break;
		case 't':
			timeout_arg = optarg;
			break;
		case 'S':
			signers = optarg;
			break;
		default:
			return sim_bad_option(argv);
		}
	}
	if (sim_extra_argument(argc, argv) != 0)
		return SIM_EXIT_USAGE;
	if (sim_profile_find(profile) == -1)
		return sim_unknown_profile(profile);
	if (prompts == NULL && (assistant != NULL || interval_arg != NULL ||
	    timeout_arg != NULL || signers != NULL)) {
		sim_error("--%s needs --prompts URL|PATH", assistant != NULL ? "assistant" :
		    interval_arg != NULL ? "prompts-interval" : timeout_arg != NULL ?
		    "prompts-timeout" : "allowed-signers");
		return SIM_EXIT_USAGE;
	}
	if (signers != NULL && *signers == '\0') {
		sim_error("--allowed-signers: give the allowed signers file");
		return SIM_EXIT_USAGE;
	}
	/* A file that would verify nothing is a mistake to say now, not a refusal later. */
	if (signers != NULL && sshsig_signers_check(signers, &cause) != 0) {
		sim_error("--allowed-signers: %s", cause);
		free(cause);
		return SIM_EXIT_USAGE;
	}
	if (prompts != NULL && *prompts == '\0') {
		sim_error("--prompts: give the prompt repository's URL or path");
		return SIM_EXIT_USAGE;
	}
	if (assistant == NULL)
		assistant = DEFAULT_ASSISTANT;
	if (!sim_release_valid_assistant(assistant)) {
		sim_error("--assistant: \"%s\" is not an assistant name (letters, digits, . _ -)",
		    assistant);
		return SIM_EXIT_USAGE;
	}
	if (interval_arg != NULL && (interval = interval_parse(interval_arg)) < 0) {
		sim_error("--prompts-interval: %s is not a duration from 100ms to 1h (e.g. 2s, "
		    "500ms, 1m)", interval_arg);
		return SIM_EXIT_USAGE;
	}
	/* Whole seconds: the fetch's limit is counted, and reported, in seconds. */
	if (timeout_arg != NULL && ((timeout = interval_parse(timeout_arg)) < 1 ||
	    timeout != floor(timeout))) {
		sim_error("--prompts-timeout: %s is not a whole number of seconds from 1s to 1h "
		    "(e.g. 5s, 2m)", timeout_arg);
		return SIM_EXIT_USAGE;
	}

	if (mhd_dl_load(&cause) != 0 || (fd = listen_on(listen_spec, &where, &cause)) == -1) {
		sim_error("%s", cause);
		free(cause);
		return 1;
	}

	memset(&s, 0, sizeof s);
	pthread_mutex_init(&s.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s.wake, &ca);
	pthread_condattr_destroy(&ca);
	s.rate_scale = scale;
	s.dialect = dialect;
	s.model = sim_model_create(seed);
	if (sim_model_set_profile(s.model, profile, &cause) != 0)
		fatal("%s", cause);
	s.feedback = sim_feedback_create(assistant);
	sim_model_on_negative(s.model, sim_feedback_record, &s);
	/* The first fetch happens here: a reachable remote is served from the first request. */
	if (prompts != NULL) {
		if ((s.release = sim_release_start(prompts, assistant, interval,
		    (long long)timeout, signers, release_changed, &s, &cause)) == NULL) {
			sim_error("--prompts %s: %s", prompts, cause);
			free(cause);
			close(fd);
			sim_clear(&s);
			free(where);
			return 1;
		}
		pthread_mutex_lock(&s.lock);
		if (sim_model_release(s.model) == NULL)
			sim_model_set_release(s.model, "unreleased", NULL, NULL, 0);
		pthread_mutex_unlock(&s.lock);
	}

	/* Threads inherit the mask: only this one takes the stop signals, in sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);

	flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	d = MHD_start_daemon(flags, 0, NULL, NULL, handler, &s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
	    MHD_OPTION_END);
	if (d == NULL) {
		sim_error("cannot start the HTTP server on %s", where);
		close(fd);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		sim_clear(&s);
		free(where);
		return 1;
	}
	if ((errno = pthread_create(&tick, NULL, ticker, &s)) != 0)
		fatal("pthread_create: %s", strerror(errno));

	printf("listening on http://%s\n", where);
	fflush(stdout);

	while (sigwait(&set, &sig) != 0)
		;

	pthread_mutex_lock(&s.lock);
	s.stopping = 1;
	pthread_cond_broadcast(&s.wake);
	pthread_mutex_unlock(&s.lock);
	pthread_join(tick, NULL);
	MHD_stop_daemon(d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	sim_clear(&s);
	free(where);
	return 0;
}
