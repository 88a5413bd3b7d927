/* SPDX-License-Identifier: ISC */
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
#include "backend/http.h"
#include "backend/mhd-dl.h"
#include "backend/sanitize.h"
#include "backend/sim-model.h"
#include "backend/sim-release.h"
#include "backend/sim.h"
#include "backend/xmalloc.h"

#define EXIT_USAGE	2
#define MAX_BODY	(1024 * 1024)	/* request bodies, and replies the client reads */
#define MAX_DRAIN	(16 * 1024 * 1024) /* a body too large is read this far for its 413 */
#define MAX_SLEEP	2.0		/* seconds a request really waits at most */
#define TICK		0.1		/* seconds between background traffic steps */
#define MAX_MODEL	128		/* bytes of a model name */
#define CLIENT_TIMEOUT	5L		/* seconds, for sim --profile and --status */
#define DEFAULT_LISTEN	"127.0.0.1:0"
#define ID_LEN		(9 + 29)	/* "chatcmpl-" and 29 letters or digits */
#define STREAM_BLOCK	4096		/* bytes MHD asks a stream for at most */
#define FIRST_TOKEN	0.3		/* share of a streamed answer's time before its first
					   chunk */
#define DEFAULT_ASSISTANT "support"
#define DEFAULT_INTERVAL 2.0		/* seconds between fetches of the prompt repository */
#define DEFAULT_FETCH_TIMEOUT 30	/* seconds a fetch may take before it is stopped */

/* The running simulator; lock guards model and stopping. */
struct sim {
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;		/* broadcast when stopping */
	int		 stopping;
	struct sim_model *model;
	char		*system;	/* the release's system prompt; NULL without one */
	double		 rate_scale;
	enum sim_dialect dialect;	/* of /metrics */
	struct sim_release *release;	/* --prompts; NULL without */
};

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
static enum MHD_Result	route_chat(struct sim *, struct MHD_Connection *, const char *,
			    size_t);
static enum MHD_Result	route_profile_post(struct sim *, struct MHD_Connection *,
			    const char *, size_t);

static const struct sim_route {
	const char	*path;
	sim_get_fn	 get;
	sim_post_fn	 post;
	const char	*allow;
} routes[] = {
	{ "/metrics", route_metrics, NULL, "GET, HEAD" },
	{ "/v1/chat/completions", NULL, route_chat, "POST" },
	{ "/sim/profile", route_profile_get, route_profile_post, "GET, HEAD, POST" },
	{ "/sim/status", route_status, NULL, "GET, HEAD" },
};

static void
sim_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("leitstand sim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int status, const char *type, char *data,
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
static enum MHD_Result
reply_json(struct MHD_Connection *c, unsigned int status, cJSON *o, const char *header,
    const char *value)
{
	char *s;

	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		fatal("out of memory");
	return reply(c, status, "application/json", s, header, value);
}

/* An error the way the OpenAI API sends it, naming the request field it is about; param and
   code NULL are JSON null. */
static cJSON *
error_param_object(const char *message, const char *type, const char *param, const char *code)
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
static cJSON *
error_object(const char *message, const char *type, const char *code)
{
	return error_param_object(message, type, NULL, code);
}

static enum MHD_Result
reply_error(struct MHD_Connection *c, unsigned int status, const char *message,
    const char *type, const char *code)
{
	return reply_json(c, status, error_object(message, type, code), NULL, NULL);
}

static enum MHD_Result
reply_invalid(struct MHD_Connection *c, const char *message, const char *param)
{
	return reply_json(c, MHD_HTTP_BAD_REQUEST, error_param_object(message,
	    "invalid_request_error", param, NULL), NULL, NULL);
}

/* Waits until secs after start (CLOCK_MONOTONIC); -1 if the simulator stops first. */
static int
sim_wait(struct sim *s, const struct timespec *start, double secs)
{
	struct timespec ts = *start;
	long ns;
	int stopping;

	if (secs < 0)
		secs = 0;
	ns = ts.tv_nsec + (long)((secs - (double)(long)secs) * 1e9);
	ts.tv_sec += (time_t)secs + ns / 1000000000L;
	ts.tv_nsec = ns % 1000000000L;
	pthread_mutex_lock(&s->lock);
	while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->lock, &ts) != ETIMEDOUT)
		;
	stopping = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return stopping ? -1 : 0;
}

/* Waits up to secs, less if the simulator stops. */
static void
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
	return reply(c, MHD_HTTP_OK, sim_dialect_content_type(s->dialect), text, NULL, NULL);
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
	return reply_json(c, MHD_HTTP_OK, o, NULL, NULL);
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
	return reply_json(c, MHD_HTTP_OK, o, NULL, NULL);
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
		return reply_invalid(c, "expected a JSON object {\"profile\": NAME}", "profile");
	}
	pthread_mutex_lock(&s->lock);
	rc = sim_model_set_profile(s->model, name->valuestring, &cause);
	pthread_mutex_unlock(&s->lock);
	if (rc != 0) {
		o = error_object(cause, "invalid_request_error", NULL);
		cJSON_AddItemToObject(o, "profiles", profile_names());
		free(cause);
		cJSON_Delete(req);
		return reply_json(c, MHD_HTTP_BAD_REQUEST, o, NULL, NULL);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "profile", name->valuestring);
	cJSON_Delete(req);
	return reply_json(c, MHD_HTTP_OK, o, NULL, NULL);
}

/* What a chat request asks for, pointing into its JSON. */
struct chat {
	const char	*model;
	struct buf	 question;	/* the last user message */
	struct buf	 system;	/* the system (or developer) messages */
	unsigned long	 prompt_tokens;
	long		 max_tokens;	/* -1: no limit */
	int		 stream;	/* answer in server-sent events */
	int		 include_usage;	/* stream_options.include_usage */
	const char	*param;		/* the field a parse error is about, or NULL */
};

static int
valid_model(const char *m)
{
	size_t n = strlen(m), i;

	if (n == 0 || n > MAX_MODEL)
		return 0;
	for (i = 0; i < n; i++) {
		if (!(m[i] >= 'a' && m[i] <= 'z') && !(m[i] >= 'A' && m[i] <= 'Z') &&
		    !(m[i] >= '0' && m[i] <= '9') && strchr("._:/-", m[i]) == NULL)
			return 0;
	}
	return 1;
}

/* Text of a message's content: a string or an array of text parts. */
static int
content_text(const cJSON *content, struct buf *out)
{
	const cJSON *part, *type, *text;

	if (cJSON_IsString(content)) {
		buf_addstr(out, content->valuestring);
		return 0;
	}
	if (!cJSON_IsArray(content))
		return -1;
	cJSON_ArrayForEach(part, content) {
		type = cJSON_GetObjectItemCaseSensitive(part, "type");
		text = cJSON_GetObjectItemCaseSensitive(part, "text");
		if (!cJSON_IsString(type) || strcmp(type->valuestring, "text") != 0 ||
		    !cJSON_IsString(text))
			return -1;
		if (out->len > 0)
			buf_addch(out, '\n');
		buf_addstr(out, text->valuestring);
	}
	return 0;
}

/* A key the error message may name: short, printable ASCII. */
static int
nameable(const char *key)
{
	size_t n = strlen(key), i;

	for (i = 0; i < n; i++) {
		if (key[i] <= ' ' || key[i] > '~')
			return 0;
	}
	return n > 0 && n <= 64;
}

/* stream and stream_options, as the OpenAI API checks them. */
static int
stream_parse(const cJSON *req, struct chat *ch, char **cause)
{
	const cJSON *v, *opts, *o;

	v = cJSON_GetObjectItemCaseSensitive(req, "stream");
	ch->param = "stream";
	if (v != NULL && !cJSON_IsNull(v) && !cJSON_IsBool(v)) {
		*cause = xstrdup("stream: expected true or false");
		return -1;
	}
	ch->stream = cJSON_IsTrue(v);

	opts = cJSON_GetObjectItemCaseSensitive(req, "stream_options");
	ch->param = "stream_options";
	if (opts == NULL || cJSON_IsNull(opts))
		return 0;
	if (!ch->stream) {
		*cause = xstrdup("stream_options: only allowed when stream is true");
		return -1;
	}
	if (!cJSON_IsObject(opts)) {
		*cause = xstrdup("stream_options: expected an object like "
		    "{\"include_usage\": true}");
		return -1;
	}
	cJSON_ArrayForEach(o, opts) {
		if (strcmp(o->string, "include_usage") == 0 ||
		    strcmp(o->string, "include_obfuscation") == 0) {
			if (!cJSON_IsBool(o) && !cJSON_IsNull(o)) {
				*cause = xprintf("stream_options.%s: expected true or false",
				    o->string);
				return -1;
			}
			if (strcmp(o->string, "include_usage") == 0)
				ch->include_usage = cJSON_IsTrue(o);
		} else if (nameable(o->string)) {
			*cause = xprintf("stream_options.%s: unknown option; expected "
			    "include_usage", o->string);
			return -1;
		} else {
			*cause = xstrdup("stream_options: unknown option; expected include_usage");
			return -1;
		}
	}
	return 0;
}

static int
chat_parse(const cJSON *req, struct chat *ch, char **cause)
{
	static const char *roles[] = { "system", "developer", "user", "assistant", "tool" };
	const cJSON *v, *msgs, *m, *role, *content;
	struct buf text;
	size_t i, n = 0;

	if (!cJSON_IsObject(req)) {
		*cause = xstrdup("the request body must be a JSON object");
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(req, "model");
	ch->param = "model";
	if (!cJSON_IsString(v)) {
		*cause = xstrdup("you must provide a model parameter");
		return -1;
	}
	if (!valid_model(v->valuestring)) {
		*cause = xstrdup("invalid model ID");
		return -1;
	}
	ch->model = v->valuestring;

	msgs = cJSON_GetObjectItemCaseSensitive(req, "messages");
	ch->param = "messages";
	if (!cJSON_IsArray(msgs) || cJSON_GetArraySize(msgs) == 0) {
		*cause = xstrdup("'messages' must be a non-empty array");
		return -1;
	}
	buf_init(&text);
	ch->prompt_tokens = 3;
	cJSON_ArrayForEach(m, msgs) {
		role = cJSON_GetObjectItemCaseSensitive(m, "role");
		content = cJSON_GetObjectItemCaseSensitive(m, "content");
		for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
			if (cJSON_IsString(role) && strcmp(role->valuestring, roles[i]) == 0)
				break;
		}
		if (i == sizeof roles / sizeof roles[0]) {
			*cause = xprintf("messages[%zu].role: expected one of system, developer, "
			    "user, assistant, tool", n);
			buf_free(&text);
			return -1;
		}
		buf_reset(&text);
		if (!(cJSON_IsNull(content) && strcmp(role->valuestring, "assistant") == 0) &&
		    content_text(content, &text) != 0) {
			*cause = xprintf("messages[%zu].content: expected a string or an array "
			    "of text parts", n);
			buf_free(&text);
			return -1;
		}
		ch->prompt_tokens += 4 + sim_token_count(text.len > 0 ? text.data : "");
		if (strcmp(role->valuestring, "user") == 0) {
			buf_reset(&ch->question);
			buf_add(&ch->question, text.data, text.len);
		} else if (strcmp(role->valuestring, "system") == 0 ||
		    strcmp(role->valuestring, "developer") == 0) {
			if (ch->system.len > 0)
				buf_addch(&ch->system, '\n');
			buf_add(&ch->system, text.data, text.len);
		}
		n++;
	}
	buf_free(&text);

	v = cJSON_GetObjectItemCaseSensitive(req, "temperature");
	ch->param = "temperature";
	if (v != NULL && !cJSON_IsNull(v) &&
	    (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 2))) {
		*cause = xstrdup("temperature: expected a number from 0 to 2");
		return -1;
	}
	ch->max_tokens = -1;
	v = cJSON_GetObjectItemCaseSensitive(req, "max_tokens");
	ch->param = "max_tokens";
	if (v != NULL && !cJSON_IsNull(v)) {
		if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= 1e6) ||
		    v->valuedouble != (double)(long)v->valuedouble) {
			*cause = xstrdup("max_tokens: expected an integer from 1 to 1000000");
			return -1;
		}
		ch->max_tokens = (long)v->valuedouble;
	}
	return stream_parse(req, ch, cause);
}

/* Cuts an answer to max tokens at a UTF-8 character boundary; returns 1 if it did. */
static int
truncate_answer(char *answer, long max_tokens)
{
	size_t len = strlen(answer), keep;

	if (max_tokens < 0 || sim_token_count(answer) <= (unsigned long)max_tokens)
		return 0;
	keep = (size_t)max_tokens * 4;
	if (keep >= len)
		return 0;
	while (keep > 0 && ((unsigned char)answer[keep] & 0xc0) == 0x80)
		keep--;
	answer[keep] = '\0';
	return 1;
}

static enum MHD_Result
reply_failure(struct MHD_Connection *c, enum sim_error e, const char *model)
{
	char *msg;
	cJSON *o;

	switch (e) {
	case SIM_ERR_429:
		msg = xprintf("Rate limit reached for %s in organization org-leitstand-sim on "
		    "requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again "
		    "in 1s.", model);
		o = error_object(msg, "requests", "rate_limit_exceeded");
		free(msg);
		return reply_json(c, MHD_HTTP_TOO_MANY_REQUESTS, o, "Retry-After", "1");
	case SIM_ERR_503:
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "The engine is currently "
		    "overloaded, please try again later.", "server_error", NULL);
	case SIM_ERR_TIMEOUT:
		return reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "Request timed out (simulated; "
		    "recorded as a 30 s timeout).", "server_error", NULL);
	default:
		return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "The server had an error "
		    "while processing your request. Sorry about that!", "server_error", NULL);
	}
}

static cJSON *
completion(const char *id, const char *model, const char *answer, const char *finish,
    unsigned long prompt, unsigned long completion_tokens)
{
	cJSON *o, *choices, *choice, *msg, *usage;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "object", "chat.completion");
	cJSON_AddNumberToObject(o, "created", (double)time(NULL));
	cJSON_AddStringToObject(o, "model", model);
	choices = cJSON_AddArrayToObject(o, "choices");
	choice = cJSON_CreateObject();
	cJSON_AddItemToArray(choices, choice);
	cJSON_AddNumberToObject(choice, "index", 0);
	msg = cJSON_AddObjectToObject(choice, "message");
	cJSON_AddStringToObject(msg, "role", "assistant");
	cJSON_AddStringToObject(msg, "content", answer);
	cJSON_AddNullToObject(choice, "logprobs");
	cJSON_AddStringToObject(choice, "finish_reason", finish);
	usage = cJSON_AddObjectToObject(o, "usage");
	cJSON_AddNumberToObject(usage, "prompt_tokens", (double)prompt);
	cJSON_AddNumberToObject(usage, "completion_tokens", (double)completion_tokens);
	cJSON_AddNumberToObject(usage, "total_tokens", (double)(prompt + completion_tokens));
	cJSON_AddStringToObject(o, "system_fingerprint", "fp_leitstand_sim");
	return o;
}

/*
 * A streamed answer (stream: true): server-sent events as the OpenAI API sends them. MHD's
 * content reader takes them one at a time, each after waiting for its moment of the
 * simulated duration; the wait holds only this connection's thread (one per connection),
 * as the wait before a whole answer does. Owned by its MHD response.
 */
struct sim_stream {
	struct sim	*sim;
	struct sim_request r;		/* the models point to the copies below */
	char		*request_model;
	char		*response_model;
	char		 id[ID_LEN + 1];
	double		 created;
	char		*answer;
	size_t		 off;		/* in answer, of the next piece */
	size_t		 pieces;	/* the answer's content chunks */
	size_t		 sent;
	const char	*finish;	/* "stop" or "length" */
	int		 include_usage;
	enum {
		STREAM_ROLE,
		STREAM_CONTENT,
		STREAM_FINISH,
		STREAM_USAGE,
		STREAM_DONE,
		STREAM_END
	}		 state;
	struct timespec	 start;
	double		 secs;		/* real time the whole answer takes */
	struct buf	 out;		/* the event being handed out */
	size_t		 out_off;
	int		 recorded;
};

/* Length of the piece of text at s: leading white space and one word, as a token stream
   splits an answer. */
static size_t
stream_piece(const char *s)
{
	size_t n = 0;

	while (s[n] == ' ' || s[n] == '\n' || s[n] == '\t')
		n++;
	while (s[n] != '\0' && s[n] != ' ' && s[n] != '\n' && s[n] != '\t')
		n++;
	return n;
}

static void
stream_record(struct sim_stream *st)
{
	struct sim *s = st->sim;

	st->recorded = 1;
	pthread_mutex_lock(&s->lock);
	sim_model_record(s->model, &st->r);
	pthread_mutex_unlock(&s->lock);
}

/* One chat.completion.chunk: with a choice (delta not NULL) or the usage (delta NULL). */
static void
stream_chunk(struct sim_stream *st, cJSON *delta, const char *finish)
{
	cJSON *o, *choices, *choice, *usage;
	char *text;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", st->id);
	cJSON_AddStringToObject(o, "object", "chat.completion.chunk");
	cJSON_AddNumberToObject(o, "created", st->created);
	cJSON_AddStringToObject(o, "model", st->response_model);
	cJSON_AddStringToObject(o, "system_fingerprint", "fp_leitstand_sim");
	choices = cJSON_AddArrayToObject(o, "choices");
	if (delta != NULL) {
		choice = cJSON_CreateObject();
		cJSON_AddItemToArray(choices, choice);
		cJSON_AddNumberToObject(choice, "index", 0);
		cJSON_AddItemToObject(choice, "delta", delta);
		cJSON_AddNullToObject(choice, "logprobs");
		if (finish != NULL)
			cJSON_AddStringToObject(choice, "finish_reason", finish);
		else
			cJSON_AddNullToObject(choice, "finish_reason");
		if (st->include_usage)
			cJSON_AddNullToObject(o, "usage");
	} else {
		usage = cJSON_AddObjectToObject(o, "usage");
		cJSON_AddNumberToObject(usage, "prompt_tokens", (double)st->r.input_tokens);
		cJSON_AddNumberToObject(usage, "completion_tokens", (double)st->r.output_tokens);
		cJSON_AddNumberToObject(usage, "total_tokens",
		    (double)(st->r.input_tokens + st->r.output_tokens));
	}
	if ((text = cJSON_PrintUnformatted(o)) == NULL)
		fatal("out of memory");
	cJSON_Delete(o);
	buf_addstr(&st->out, "data: ");
	buf_addstr(&st->out, text);
	buf_addstr(&st->out, "\n\n");
	free(text);
}

/* Seconds after the start at which the next event is due. */
static double
stream_due(const struct sim_stream *st)
{
	switch (st->state) {
	case STREAM_ROLE:
		return st->secs * FIRST_TOKEN;
	case STREAM_CONTENT:
		return st->secs * (FIRST_TOKEN + (1 - FIRST_TOKEN) * (double)(st->sent + 1) /
		    (double)st->pieces);
	default:
		return st->secs;
	}
}

/* Puts the next event into st->out and moves on. */
static void
stream_next(struct sim_stream *st)
{
	cJSON *delta;
	char *piece;
	size_t n;

	switch (st->state) {
	case STREAM_ROLE:
		delta = cJSON_CreateObject();
		cJSON_AddStringToObject(delta, "role", "assistant");
		cJSON_AddStringToObject(delta, "content", "");
		stream_chunk(st, delta, NULL);
		st->state = st->pieces > 0 ? STREAM_CONTENT : STREAM_FINISH;
		break;
	case STREAM_CONTENT:
		n = stream_piece(st->answer + st->off);
		piece = xstrndup(st->answer + st->off, n);
		st->off += n;
		delta = cJSON_CreateObject();
		cJSON_AddStringToObject(delta, "content", piece);
		free(piece);
		stream_chunk(st, delta, NULL);
		if (++st->sent == st->pieces)
			st->state = STREAM_FINISH;
		break;
	case STREAM_FINISH:
		stream_chunk(st, cJSON_CreateObject(), st->finish);
		st->state = st->include_usage ? STREAM_USAGE : STREAM_DONE;
		break;
	case STREAM_USAGE:
		stream_chunk(st, NULL, NULL);
		st->state = STREAM_DONE;
		break;
	case STREAM_DONE:
		/* Counted before the last bytes leave: a scrape after [DONE] sees it. */
		stream_record(st);
		buf_addstr(&st->out, "data: [DONE]\n\n");
		st->state = STREAM_END;
		break;
	case STREAM_END:
		break;
	}
}

/* MHD's content reader: the rest of the current event, else the next one when it is due. */
static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sim_stream *st = cls;
	size_t n;

	(void)pos;
	if (st->out_off == st->out.len) {
		buf_reset(&st->out);
		st->out_off = 0;
		if (st->state == STREAM_END)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (sim_wait(st->sim, &st->start, stream_due(st)) != 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		stream_next(st);
	}
	n = st->out.len - st->out_off;
	if (n > max)
		n = max;
	memcpy(buf, st->out.data + st->out_off, n);
	st->out_off += n;
	return (ssize_t)n;
}

/* MHD is done with the stream: a client that left early still counts as one request. */
static void
stream_free(void *cls)
{
	struct sim_stream *st = cls;

	if (!st->recorded)
		stream_record(st);
	buf_free(&st->out);
	free(st->answer);
	free(st->request_model);
	free(st->response_model);
	free(st);
}

/* Starts the server-sent events of an answer drawn as r; takes answer. */
static enum MHD_Result
reply_stream(struct sim *s, struct MHD_Connection *c, const struct chat *ch,
    const struct sim_request *r, const char *id, char *answer)
{
	struct sim_stream *st;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	size_t off, n;

	st = xcalloc(1, sizeof *st);
	st->sim = s;
	st->r = *r;
	st->request_model = xstrdup(r->request_model);
	st->response_model = xstrdup(r->response_model);
	st->r.request_model = st->request_model;
	st->r.response_model = st->response_model;
	snprintf(st->id, sizeof st->id, "%s", id);
	st->created = (double)time(NULL);
	st->answer = answer;
	st->finish = truncate_answer(answer, ch->max_tokens) ? "length" : "stop";
	st->r.input_tokens = ch->prompt_tokens;
	st->r.output_tokens = sim_token_count(answer);
	st->include_usage = ch->include_usage;
	for (off = 0; (n = stream_piece(answer + off)) > 0; off += n)
		st->pieces++;
	st->state = STREAM_ROLE;
	clock_gettime(CLOCK_MONOTONIC, &st->start);
	st->secs = r->duration < MAX_SLEEP ? r->duration : MAX_SLEEP;
	buf_init(&st->out);

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_read,
	    st, stream_free);
	if (resp == NULL) {
		stream_free(st);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/event-stream; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

char *
sim_chat_answer(const struct sim_model *m, const char *body, size_t len, char **cause)
{
	struct chat ch;
	cJSON *req;
	char *answer = NULL;

	if ((req = cJSON_ParseWithLength(body, len)) == NULL) {
		*cause = xstrdup("not JSON");
		return NULL;
	}
	memset(&ch, 0, sizeof ch);
	buf_init(&ch.question);
	buf_init(&ch.system);
	if (chat_parse(req, &ch, cause) == 0) {
		answer = sim_model_answer(m, ch.model, ch.system.len > 0 ? ch.system.data : "",
		    ch.question.len > 0 ? ch.question.data : "");
		truncate_answer(answer, ch.max_tokens);
	}
	buf_free(&ch.question);
	buf_free(&ch.system);
	cJSON_Delete(req);
	return answer;
}

static enum MHD_Result
route_chat(struct sim *s, struct MHD_Connection *c, const char *body, size_t len)
{
	static const char alnum[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	struct sim_request r;
	struct chat ch;
	cJSON *req, *o;
	char *cause = NULL, *answer = NULL, id[ID_LEN + 1];
	const char *finish = "stop";
	enum MHD_Result rc;
	size_t i;

	if ((req = cJSON_ParseWithLength(body, len)) == NULL)
		return reply_invalid(c, "We could not parse the JSON body of your request. "
		    "(HINT: This likely means you aren't using your HTTP library correctly.)",
		    NULL);
	memset(&ch, 0, sizeof ch);
	buf_init(&ch.question);
	buf_init(&ch.system);
	if (chat_parse(req, &ch, &cause) != 0) {
		rc = reply_invalid(c, cause, ch.param);
		free(cause);
		buf_free(&ch.question);
		buf_free(&ch.system);
		cJSON_Delete(req);
		return rc;
	}

	pthread_mutex_lock(&s->lock);
	sim_model_draw(s->model, ch.model, &r);
	r.feedback = 0;		/* nobody rates a scripted request */
	/*
	 * The release's system prompt is the deployment's; a caller that brings its own (an
	 * eval of a proposal) is answered under that one, with the model it asked for.
	 */
	if (r.error == SIM_OK)
		answer = sim_model_answer(s->model, ch.model, ch.system.len > 0 ? ch.system.data :
		    s->system != NULL ? s->system : "", ch.question.len > 0 ? ch.question.data : "");
	memcpy(id, "chatcmpl-", 9);
	for (i = 9; i < sizeof id - 1; i++)
		id[i] = alnum[sim_model_random(s->model) % (sizeof alnum - 1)];
	id[i] = '\0';
	pthread_mutex_unlock(&s->lock);

	/* A stream that fails does so before it starts, with the same reply as without. */
	if (ch.stream && r.error == SIM_OK) {
		rc = reply_stream(s, c, &ch, &r, id, answer);
		buf_free(&ch.question);
		buf_free(&ch.system);
		cJSON_Delete(req);
		return rc;
	}

	sim_sleep(s, r.duration < MAX_SLEEP ? r.duration : MAX_SLEEP);

	if (r.error == SIM_OK) {
		if (truncate_answer(answer, ch.max_tokens))
			finish = "length";
		r.input_tokens = ch.prompt_tokens;
		r.output_tokens = sim_token_count(answer);
	}
	pthread_mutex_lock(&s->lock);
	sim_model_record(s->model, &r);
	pthread_mutex_unlock(&s->lock);

	if (r.error != SIM_OK)
		rc = reply_failure(c, r.error, ch.model);
	else {
		o = completion(id, r.response_model, answer, finish, r.input_tokens,
		    r.output_tokens);
		rc = reply_json(c, MHD_HTTP_OK, o, NULL, NULL);
	}
	free(answer);
	buf_free(&ch.question);
	buf_free(&ch.system);
	cJSON_Delete(req);
	return rc;
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
			return reply_error(c, MHD_HTTP_NOT_FOUND, "no such endpoint; try "
			    "/v1/chat/completions, /metrics, /sim/profile or /sim/status",
			    "invalid_request_error", NULL);
		get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		if (get && rt->get != NULL)
			return rt->get(s, c);
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0 || rt->post == NULL) {
			return reply_json(c, MHD_HTTP_METHOD_NOT_ALLOWED,
			    error_object("method not allowed", "invalid_request_error", NULL),
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
			return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body larger "
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
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body larger than 1 MiB",
		    "invalid_request_error", NULL);
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
		next.tv_nsec += (long)(TICK * 1e9);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
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

static int
bad_option(char **argv)
{
	sim_error("unknown option or missing value: %s", argv[optind - 1]);
	return EXIT_USAGE;
}

static int
unknown_profile(const char *name)
{
	char *list = sim_profile_list();

	sim_error("unknown profile \"%s\" (profiles: %s)", name, list);
	free(list);
	return EXIT_USAGE;
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
	free(s->system);
	s->system = xstrdup(info->system);
	pthread_mutex_unlock(&s->lock);
}

/* leitstand sim serve: runs until SIGTERM or SIGINT. */
static int
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
		{ NULL, 0, NULL, 0 }
	};
	const char *listen_spec = DEFAULT_LISTEN, *profile = "normal", *prompts = NULL;
	const char *assistant = NULL, *interval_arg = NULL, *timeout_arg = NULL;
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
				return EXIT_USAGE;
			}
			break;
		case 'r':
			errno = 0;
			scale = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !isfinite(scale) ||
			    scale < 0 || scale > 1000) {
				sim_error("--rate-scale: %s is not a number from 0 to 1000",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'm':
			if ((di = sim_dialect_find(optarg)) == -1) {
				list = sim_dialect_list();
				sim_error("--metrics-dialect: unknown dialect \"%s\" (dialects: %s)",
				    optarg, list);
				free(list);
				return EXIT_USAGE;
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
		default:
			return bad_option(argv);
		}
	}
	if (optind != argc) {
		sim_error("unexpected argument: %s", argv[optind]);
		return EXIT_USAGE;
	}
	if (sim_profile_find(profile) == -1)
		return unknown_profile(profile);
	if (prompts == NULL && (assistant != NULL || interval_arg != NULL ||
	    timeout_arg != NULL)) {
		sim_error("--%s needs --prompts URL|PATH", assistant != NULL ? "assistant" :
		    interval_arg != NULL ? "prompts-interval" : "prompts-timeout");
		return EXIT_USAGE;
	}
	if (prompts != NULL && *prompts == '\0') {
		sim_error("--prompts: give the prompt repository's URL or path");
		return EXIT_USAGE;
	}
	if (assistant == NULL)
		assistant = DEFAULT_ASSISTANT;
	if (!sim_release_valid_assistant(assistant)) {
		sim_error("--assistant: \"%s\" is not an assistant name (letters, digits, . _ -)",
		    assistant);
		return EXIT_USAGE;
	}
	if (interval_arg != NULL && (interval = interval_parse(interval_arg)) < 0) {
		sim_error("--prompts-interval: %s is not a duration from 100ms to 1h (e.g. 2s, "
		    "500ms, 1m)", interval_arg);
		return EXIT_USAGE;
	}
	/* Whole seconds: the fetch's limit is counted, and reported, in seconds. */
	if (timeout_arg != NULL && ((timeout = interval_parse(timeout_arg)) < 1 ||
	    timeout != floor(timeout))) {
		sim_error("--prompts-timeout: %s is not a whole number of seconds from 1s to 1h "
		    "(e.g. 5s, 2m)", timeout_arg);
		return EXIT_USAGE;
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
	/* The first fetch happens here: a reachable remote is served from the first request. */
	if (prompts != NULL) {
		if ((s.release = sim_release_start(prompts, assistant, interval,
		    (long long)timeout, release_changed, &s, &cause)) == NULL) {
			sim_error("--prompts %s: %s", prompts, cause);
			free(cause);
			close(fd);
			sim_model_free(s.model);
			pthread_cond_destroy(&s.wake);
			pthread_mutex_destroy(&s.lock);
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
		sim_release_stop(s.release);
		sim_model_free(s.model);
		free(s.system);
		pthread_cond_destroy(&s.wake);
		pthread_mutex_destroy(&s.lock);
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

	sim_release_stop(s.release);
	sim_model_free(s.model);
	free(s.system);
	pthread_cond_destroy(&s.wake);
	pthread_mutex_destroy(&s.lock);
	free(where);
	return 0;
}

/* The URL without trailing slashes, to append paths to. */
static char *
base_url(const char *url)
{
	char *base = xstrdup(url);
	size_t n;

	for (n = strlen(base); n > 0 && base[n - 1] == '/'; n--)
		base[n - 1] = '\0';
	return base;
}

/* Calls url + path; returns the JSON reply of a 200, or NULL with *cause (without the URL). */
static cJSON *
call(const char *url, const char *path, const char *body, char **cause)
{
	struct http_request rq;
	struct http_reply rp;
	cJSON *r = NULL, *e;
	char *base, *full;
	long status;

	base = base_url(url);
	full = xprintf("%s%s", base, path);
	free(base);
	memset(&rq, 0, sizeof rq);
	rq.url = full;
	rq.body = body;
	rq.timeout_ms = CLIENT_TIMEOUT * 1000L;
	if (http_do(&rq, &rp, cause) != 0) {
		free(full);
		return NULL;
	}
	status = rp.status;
	r = rp.body.len > 0 ? cJSON_ParseWithLength(rp.body.data, rp.body.len) : NULL;
	if (status != 200 || r == NULL) {
		e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "error"),
		    "message");
		if (cJSON_IsString(e))
			*cause = xprintf("HTTP %ld: %s", status, e->valuestring);
		else if (status == 200)
			*cause = xprintf("%s: the reply is not JSON; is this a leitstand sim?",
			    path);
		else
			*cause = xprintf("%s: HTTP %ld; is this a leitstand sim?", path, status);
		cJSON_Delete(r);
		r = NULL;
	}
	http_reply_free(&rp);
	free(full);
	return r;
}

/* Switches a running sim to a profile over HTTP; 0, or -1 and *cause. */
int
sim_set_profile(const char *url, const char *profile, char **cause)
{
	cJSON *req, *r;
	char *body;

	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "profile", profile);
	if ((body = cJSON_PrintUnformatted(req)) == NULL)
		fatal("out of memory");
	cJSON_Delete(req);
	r = call(url, "/sim/profile", body, cause);
	free(body);
	if (r == NULL)
		return -1;
	cJSON_Delete(r);
	return 0;
}

/* leitstand sim --profile NAME | --status [--url URL] */
static int
sim_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "status", no_argument, NULL, 's' },
		{ "url", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = NULL, *url = NULL;
	cJSON *r;
	char *s, *cause = NULL;
	int ch, status = 0, rc = 0;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			profile = optarg;
			break;
		case 's':
			status = 1;
			break;
		case 'u':
			url = optarg;
			break;
		default:
			return bad_option(argv);
		}
	}
	if (optind != argc) {
		sim_error("unexpected argument: %s", argv[optind]);
		return EXIT_USAGE;
	}
	if (profile == NULL && !status) {
		sim_error("give serve, --profile NAME or --status");
		return EXIT_USAGE;
	}
	if (profile != NULL && sim_profile_find(profile) == -1)
		return unknown_profile(profile);
	if (url == NULL)
		url = getenv("LEITSTAND_SIM_URL");
	if (url == NULL || *url == '\0') {
		sim_error("no sim URL: give --url or set LEITSTAND_SIM_URL");
		return 1;
	}

	if (profile != NULL) {
		if (sim_set_profile(url, profile, &cause) != 0)
			rc = 1;
		else
			printf("profile: %s\n", profile);
	}
	if (rc == 0 && status) {
		if ((r = call(url, "/sim/status", NULL, &cause)) == NULL)
			rc = 1;
		else {
			if ((s = cJSON_Print(r)) == NULL)
				fatal("out of memory");
			printf("%s\n", s);
			free(s);
			cJSON_Delete(r);
		}
	}
	if (cause != NULL) {
		/* The reply's message is outside text: escaped before the terminal. */
		s = sanitize_log(cause, strlen(cause));
		sim_error("%s: %s", url, s);
		free(s);
		free(cause);
	}
	return rc;
}

static void
sim_usage(void)
{
	size_t i;
	int d;

	printf("usage: leitstand sim %s\n\n"
	    "  serve          run the simulated assistant until SIGTERM or SIGINT:\n"
	    "                 POST /v1/chat/completions (also \"stream\": true), GET /metrics\n"
	    "  --metrics-dialect D\n"
	    "                 how /metrics spells the GenAI metrics (serve; default collector)\n"
	    "  --prompts URL|PATH\n"
	    "                 serve the live prompt release of this repository (serve): fetch\n"
	    "                 production and the release tags, pin model.ini's model, label\n"
	    "                 the metrics leitstand_prompt_release=\"N\"\n"
	    "  --assistant NAME\n"
	    "                 whose release (default support)\n"
	    "  --prompts-interval D\n"
	    "                 between fetches (default 2s)\n"
	    "  --prompts-timeout D\n"
	    "                 how long a fetch may take before it is stopped (default 30s)\n"
	    "  --profile NAME switch the traffic profile (of a running sim unless serving)\n"
	    "  --status       print the running sim's settings and counters as JSON\n"
	    "  --url URL      the running sim (else $LEITSTAND_SIM_URL)\n\n"
	    "profiles:\n", SIM_USAGE);
	for (i = 0; i < sim_profile_count(); i++)
		printf("  %-11s %s\n", sim_profile_name(i), sim_profile_help(i));
	printf("\nmetrics dialects:\n");
	for (d = 0; d < SIM_NDIALECTS; d++)
		printf("  %-11s %s\n", sim_dialect_name(d), sim_dialect_help(d));
}

/* leitstand sim: serve, or talk to a running sim. */
int
sim_main(int argc, char **argv)
{
	int i, saved_opterr = opterr, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			sim_usage();
			return 0;
		}
	}
	opterr = 0;
	optind = 0;
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		rc = sim_serve(argc - 1, argv + 1);
	else
		rc = sim_client(argc, argv);
	opterr = saved_opterr;
	return rc;
}
