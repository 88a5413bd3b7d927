/* SPDX-License-Identifier: ISC */
/* The sim's chat completions endpoint: requests checked as the OpenAI API does, answers, streams. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backend/buf.h"
#include "backend/sim-model.h"
#include "backend/sim-release.h"
#include "backend/sim-server.h"
#include "backend/sim.h"
#include "backend/utf8.h"
#include "backend/xmalloc.h"

#define MAX_SLEEP	2.0		/* seconds a request really waits at most */
#define MAX_MODEL	128		/* bytes of a model name */
#define ID_LEN		(9 + 29)	/* "chatcmpl-" and 29 letters or digits */
#define STREAM_BLOCK	4096		/* bytes MHD asks a stream for at most */
#define FIRST_TOKEN	0.3		/* share of a streamed answer's time before its first
					   chunk */

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

static void
chat_init(struct chat *ch)
{
	memset(ch, 0, sizeof *ch);
	buf_init(&ch->question);
	buf_init(&ch->system);
}

static void
chat_free(struct chat *ch)
{
	buf_free(&ch->question);
	buf_free(&ch->system);
}

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
	answer[utf8_prefix(answer, len, keep)] = '\0';
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
		o = sim_error_object(msg, "requests", "rate_limit_exceeded");
		free(msg);
		return sim_reply_json(c, MHD_HTTP_TOO_MANY_REQUESTS, o, "Retry-After", "1");
	case SIM_ERR_503:
		return sim_reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "The engine is currently "
		    "overloaded, please try again later.", "server_error", NULL);
	case SIM_ERR_TIMEOUT:
		return sim_reply_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "Request timed out (simulated; "
		    "recorded as a 30 s timeout).", "server_error", NULL);
	default:
		return sim_reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "The server had an error "
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
	chat_init(&ch);
	if (chat_parse(req, &ch, cause) == 0) {
		answer = sim_model_answer(m, ch.model, ch.system.len > 0 ? ch.system.data : "",
		    ch.question.len > 0 ? ch.question.data : "");
		truncate_answer(answer, ch.max_tokens);
	}
	chat_free(&ch);
	cJSON_Delete(req);
	return answer;
}

enum MHD_Result
sim_route_chat(struct sim *s, struct MHD_Connection *c, const char *body, size_t len)
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
		return sim_reply_invalid(c, "We could not parse the JSON body of your request. "
		    "(HINT: This likely means you aren't using your HTTP library correctly.)",
		    NULL);
	chat_init(&ch);
	if (chat_parse(req, &ch, &cause) != 0) {
		rc = sim_reply_invalid(c, cause, ch.param);
		free(cause);
		chat_free(&ch);
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
		    r.system != NULL ? r.system : s->system != NULL ? s->system : "",
		    ch.question.len > 0 ? ch.question.data : "");
	memcpy(id, "chatcmpl-", 9);
	for (i = 9; i < sizeof id - 1; i++)
		id[i] = alnum[sim_model_random(s->model) % (sizeof alnum - 1)];
	id[i] = '\0';
	pthread_mutex_unlock(&s->lock);

	/* A stream that fails does so before it starts, with the same reply as without. */
	if (ch.stream && r.error == SIM_OK) {
		rc = reply_stream(s, c, &ch, &r, id, answer);
		chat_free(&ch);
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
		rc = sim_reply_json(c, MHD_HTTP_OK, o, NULL, NULL);
	}
	free(answer);
	chat_free(&ch);
	cJSON_Delete(req);
	return rc;
}
