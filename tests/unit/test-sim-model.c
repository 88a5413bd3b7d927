/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/sim-model.h"

#define DUR	"gen_ai_client_operation_duration_seconds"
#define TOK	"gen_ai_client_token_usage"
#define BASE	"gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"openai\"," \
		"gen_ai_request_model=\"gpt-4o-2024-08-06\"," \
		"gen_ai_response_model=\"gpt-4o-2024-08-06\""

/* One sample line of the exposition format, split up. */
struct sample {
	char	 name[128];
	char	 labels[512];	/* as written, between the braces */
	char	 key[1024];	/* name{labels} */
	double	 value;
};

struct samples {
	struct sample	*v;
	size_t		 n;
};

static int
name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	    (!first && c >= '0' && c <= '9');
}

/* Parses `name{label="value",...} value`; returns 0 if the line is well formed. */
static int
parse_sample(const char *line, struct sample *s)
{
	const char *p = line, *start;
	char *end;
	size_t n;

	memset(s, 0, sizeof *s);
	if (!name_char(*p, 1))
		return -1;
	while (name_char(*p, 0))
		p++;
	if ((n = (size_t)(p - line)) >= sizeof s->name)
		return -1;
	memcpy(s->name, line, n);
	if (*p == '{') {
		start = ++p;
		while (*p != '}') {
			if (!name_char(*p, 1) || *p == ':')
				return -1;
			while (name_char(*p, 0) && *p != ':')
				p++;
			if (*p++ != '=' || *p++ != '"')
				return -1;
			while (*p != '"') {
				if (*p == '\0' || *p == '\n')
					return -1;
				if (*p == '\\') {
					p++;
					if (*p != '\\' && *p != '"' && *p != 'n')
						return -1;
				}
				p++;
			}
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return -1;
		}
		if ((n = (size_t)(p - start)) >= sizeof s->labels)
			return -1;
		memcpy(s->labels, start, n);
		p++;
	}
	if (*p++ != ' ')
		return -1;
	s->value = strtod(p, &end);
	if (end == p || *end != '\0')
		return -1;
	snprintf(s->key, sizeof s->key, "%s{%s}", s->name, s->labels);
	return 0;
}

/* Checks every line of a scrape and collects the samples. */
static void
parse_text(const char *text, struct samples *out)
{
	char *copy, *line, *save = NULL, type[32], name[128];

	out->v = NULL;
	out->n = 0;
	copy = strdup(text);
	assert_non_null(copy);
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(line, "# TYPE %127s %31s", name, type), 2);
			assert_true(strcmp(type, "histogram") == 0 ||
			    strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0);
			continue;
		}
		out->v = realloc(out->v, (out->n + 1) * sizeof *out->v);
		assert_non_null(out->v);
		if (parse_sample(line, &out->v[out->n]) != 0)
			fail_msg("not a sample line: %s", line);
		out->n++;
	}
	free(copy);
}

static const struct sample *
find_key(const struct samples *ss, const char *key)
{
	size_t i;

	for (i = 0; i < ss->n; i++) {
		if (strcmp(ss->v[i].key, key) == 0)
			return &ss->v[i];
	}
	return NULL;
}

static void
ticks(struct sim_model *m, int n)
{
	int i;

	for (i = 0; i < n; i++)
		sim_model_tick(m, 0.1, 1);
}

static void
test_determinism(void **state)
{
	struct sim_model *a, *b, *c;
	char *ta, *tb, *tc;

	(void)state;
	a = sim_model_create(42);
	b = sim_model_create(42);
	c = sim_model_create(43);
	ticks(a, 100);
	ticks(b, 100);
	ticks(c, 100);
	assert_int_equal(sim_model_set_profile(a, "outage", NULL), 0);
	assert_int_equal(sim_model_set_profile(b, "outage", NULL), 0);
	ticks(a, 50);
	ticks(b, 50);
	ta = sim_model_metrics(a);
	tb = sim_model_metrics(b);
	tc = sim_model_metrics(c);
	assert_string_equal(ta, tb);
	assert_string_not_equal(ta, tc);
	free(ta);
	free(tb);
	free(tc);
	sim_model_free(a);
	sim_model_free(b);
	sim_model_free(c);
}

/* Counters and histograms never go down, across profile switches too. */
static void
test_monotonic(void **state)
{
	struct sim_model *m;
	struct samples before, after;
	const struct sample *s;
	char *text;
	size_t i, p, grown = 0;

	(void)state;
	m = sim_model_create(7);
	ticks(m, 50);
	text = sim_model_metrics(m);
	parse_text(text, &before);
	free(text);
	for (p = 0; p < sim_profile_count(); p++) {
		assert_int_equal(sim_model_set_profile(m, sim_profile_name(p), NULL), 0);
		ticks(m, 20);
	}
	text = sim_model_metrics(m);
	parse_text(text, &after);
	free(text);
	for (i = 0; i < before.n; i++) {
		if (strcmp(before.v[i].name, "leitstand_sim_profile") == 0)
			continue;
		if ((s = find_key(&after, before.v[i].key)) == NULL)
			fail_msg("series gone after a profile switch: %s", before.v[i].key);
		assert_true(s->value >= before.v[i].value);
		if (s->value > before.v[i].value)
			grown++;
	}
	assert_true(grown > 0);
	free(before.v);
	free(after.v);
	sim_model_free(m);
}

/* Strips ",le=..." so bucket lines and _count share a key. */
static void
series_of(const struct sample *s, const char *suffix, char *out, size_t len)
{
	char labels[512], *le;
	size_t base = strlen(s->name) - strlen(suffix);

	snprintf(labels, sizeof labels, "%s", s->labels);
	if ((le = strstr(labels, ",le=\"")) != NULL)
		*le = '\0';
	snprintf(out, len, "%.*s{%s}", (int)base, s->name, labels);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void
test_buckets(void **state)
{
	struct sim_model *m;
	struct samples ss;
	const struct sample *s, *prev = NULL;
	char *text, key[1024], prev_key[1024] = "", count_key[1024];
	size_t i, checked = 0;

	(void)state;
	m = sim_model_create(11);
	ticks(m, 100);
	assert_int_equal(sim_model_set_profile(m, "outage", NULL), 0);
	ticks(m, 100);
	text = sim_model_metrics(m);
	parse_text(text, &ss);
	free(text);
	for (i = 0; i < ss.n; i++) {
		s = &ss.v[i];
		if (!ends_with(s->name, "_bucket"))
			continue;
		series_of(s, "_bucket", key, sizeof key);
		if (strcmp(key, prev_key) == 0)
			assert_true(s->value >= prev->value);
		else	/* a new series starts at the lowest bound */
			assert_true(strstr(s->labels, "le=\"0.01\"") != NULL ||
			    strstr(s->labels, "le=\"1\"") != NULL);
		if (strstr(s->labels, "le=\"+Inf\"") != NULL) {
			/* key is NAME{labels}: NAME_count{labels} is the same series */
			snprintf(count_key, sizeof count_key, "%.*s_count%s",
			    (int)(strchr(key, '{') - key), key, strchr(key, '{'));
			assert_non_null(find_key(&ss, count_key));
			assert_true(find_key(&ss, count_key)->value == s->value);
			checked++;
		}
		snprintf(prev_key, sizeof prev_key, "%s", key);
		prev = s;
	}
	/* two models, answered and four errors for duration, two token types */
	assert_true(checked >= 8);
	free(ss.v);
	sim_model_free(m);
}

static void
test_error_label(void **state)
{
	struct sim_model *m;
	struct sim_request r;
	struct samples ss;
	const struct sample *s;
	char *text, *p;
	size_t i, errors = 0;

	(void)state;
	m = sim_model_create(3);
	memset(&r, 0, sizeof r);
	r.request_model = r.response_model = "gpt-4o-2024-08-06";
	r.duration = 0.5;
	r.input_tokens = 100;
	r.output_tokens = 20;
	sim_model_record(m, &r);
	r.error = SIM_ERR_429;
	r.duration = 0.05;
	sim_model_record(m, &r);
	text = sim_model_metrics(m);
	parse_text(text, &ss);
	s = find_key(&ss, DUR "_count{" BASE "}");
	assert_non_null(s);
	assert_true(s->value == 1);
	s = find_key(&ss, DUR "_count{" BASE ",error_type=\"429\"}");
	assert_non_null(s);
	assert_true(s->value == 1);
	/* the failed request recorded no tokens */
	s = find_key(&ss, TOK "_count{" BASE ",gen_ai_token_type=\"input\"}");
	assert_non_null(s);
	assert_true(s->value == 1);
	assert_null(strstr(text, "error_type=\"\""));
	free(text);
	free(ss.v);

	/* Lots of traffic: error_type only with a known value, never on tokens. */
	assert_int_equal(sim_model_set_profile(m, "outage", NULL), 0);
	ticks(m, 200);
	assert_int_equal(sim_model_set_profile(m, "storm", NULL), 0);
	ticks(m, 200);
	text = sim_model_metrics(m);
	parse_text(text, &ss);
	for (i = 0; i < ss.n; i++) {
		if ((p = strstr(ss.v[i].labels, "error_type=")) == NULL)
			continue;
		assert_true(strncmp(ss.v[i].name, DUR, strlen(DUR)) == 0);
		assert_true(strncmp(p, "error_type=\"429\"", 16) == 0 ||
		    strncmp(p, "error_type=\"500\"", 16) == 0 ||
		    strncmp(p, "error_type=\"503\"", 16) == 0 ||
		    strncmp(p, "error_type=\"timeout\"", 20) == 0);
		errors++;
	}
	assert_true(errors > 0);
	free(text);
	free(ss.v);
	sim_model_free(m);
}

/* Share of requests in a profile that end in the given errors (mask of 1 << error). */
static double
error_share(const char *profile, unsigned mask, int n)
{
	struct sim_model *m;
	struct sim_request r;
	int i, hits = 0;

	m = sim_model_create(12345);
	assert_int_equal(sim_model_set_profile(m, profile, NULL), 0);
	for (i = 0; i < n; i++) {
		sim_model_draw(m, NULL, &r);
		if (mask & (1u << r.error))
			hits++;
		if (r.error == SIM_ERR_TIMEOUT)
			assert_true(r.duration >= 29 && r.duration <= 31);
		if (r.error != SIM_OK)
			assert_int_equal(r.input_tokens + r.output_tokens, 0);
	}
	sim_model_free(m);
	return (double)hits / n;
}

static void
test_profile_shares(void **state)
{
	unsigned all = (1u << SIM_ERR_429) | (1u << SIM_ERR_500) | (1u << SIM_ERR_503) |
	    (1u << SIM_ERR_TIMEOUT);
	double share;

	(void)state;
	share = error_share("storm", 1u << SIM_ERR_429, 10000);
	assert_true(share >= 0.25 && share <= 0.35);
	share = error_share("outage", all, 10000);
	assert_true(share >= 0.50 && share <= 0.70);
	share = error_share("outage", 1u << SIM_ERR_TIMEOUT, 10000);
	assert_true(share > 0.05 && share < 0.15);
	share = error_share("normal", all, 10000);
	assert_true(share < 0.02);
	share = error_share("normal", 1u << SIM_ERR_429, 10000);
	assert_true(share < 0.01);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
test_latency_and_tokens(void **state)
{
	struct sim_model *m;
	struct sim_request r;
	double d[10000], in = 0, out = 0, cost_out = 0, big = 0;
	int i, n = 0;

	(void)state;
	m = sim_model_create(99);
	while (n < 10000) {
		sim_model_draw(m, NULL, &r);
		if (r.error != SIM_OK)
			continue;
		d[n++] = r.duration;
		in += (double)r.input_tokens;
		out += (double)r.output_tokens;
	}
	qsort(d, 10000, sizeof d[0], cmp_double);
	assert_true(d[4999] > 0.8 && d[4999] < 1.0);
	assert_true(d[9499] > 1.8 && d[9499] < 2.2);
	assert_true(in / n > 500 && in / n < 750);
	assert_true(out / n > 200 && out / n < 320);

	assert_int_equal(sim_model_set_profile(m, "cost", NULL), 0);
	for (i = n = 0; i < 10000; i++) {
		sim_model_draw(m, NULL, &r);
		if (strcmp(r.request_model, "gpt-4o-2024-08-06") == 0)
			big++;
		if (r.error == SIM_OK) {
			cost_out += (double)r.output_tokens;
			n++;
		}
	}
	assert_true(big / 10000 > 0.75 && big / 10000 < 0.85);
	assert_true(cost_out / n > 4 * (out / 10000));
	sim_model_free(m);
}

static void
test_models(void **state)
{
	struct sim_model *m;
	struct sim_request r;
	int i, small = 0;

	(void)state;
	m = sim_model_create(5);
	for (i = 0; i < 10000; i++) {
		sim_model_draw(m, NULL, &r);
		assert_string_equal(r.request_model, r.response_model);
		if (strcmp(r.request_model, "gpt-4o-mini-2024-07-18") == 0)
			small++;
		else
			assert_string_equal(r.request_model, "gpt-4o-2024-08-06");
	}
	assert_true(small > 6700 && small < 7300);
	assert_string_equal(sim_model_response_model(m, "gpt-4o"), "gpt-4o-2024-08-06");
	assert_string_equal(sim_model_response_model(m, "gpt-4o-mini"), "gpt-4o-mini-2024-07-18");
	assert_string_equal(sim_model_response_model(m, "my-model"), "my-model");
	sim_model_draw(m, "ft:gpt-4o-mini:acme::x1", &r);
	assert_string_equal(r.request_model, "ft:gpt-4o-mini:acme::x1");

	assert_int_equal(sim_model_set_profile(m, "regression", NULL), 0);
	assert_string_equal(sim_model_response_model(m, "gpt-4o-2024-08-06"), "gpt-4o-2024-11-20");
	assert_string_equal(sim_model_response_model(m, "gpt-4o"), "gpt-4o-2024-11-20");
	sim_model_free(m);
}

static double
feedback_positive(const char *profile)
{
	struct sim_model *m;
	cJSON *st, *fb;
	double pos, neg;

	m = sim_model_create(77);
	assert_int_equal(sim_model_set_profile(m, profile, NULL), 0);
	sim_model_tick(m, 1000, 5);
	st = sim_model_status(m);
	fb = cJSON_GetObjectItem(st, "feedback");
	pos = cJSON_GetObjectItem(fb, "positive")->valuedouble;
	neg = cJSON_GetObjectItem(fb, "negative")->valuedouble;
	cJSON_Delete(st);
	sim_model_free(m);
	assert_true(pos + neg > 1000);
	return pos / (pos + neg);
}

static void
test_feedback(void **state)
{
	double share;

	(void)state;
	share = feedback_positive("normal");
	assert_true(share > 0.80 && share < 0.90);
	share = feedback_positive("regression");
	assert_true(share > 0.35 && share < 0.45);
	assert_true(feedback_positive("outage") < 0.6);
}

static void
test_profile_switch(void **state)
{
	struct sim_model *m;
	cJSON *a, *b;
	char *cause = NULL, *list;
	size_t i;

	(void)state;
	assert_int_equal(sim_profile_count(), 6);
	list = sim_profile_list();
	assert_string_equal(list, "normal, peak, storm, outage, regression, cost");
	free(list);
	for (i = 0; i < sim_profile_count(); i++) {
		assert_int_equal(sim_profile_find(sim_profile_name(i)), (int)i);
		assert_non_null(sim_profile_help(i));
	}
	assert_int_equal(sim_profile_find("Normal"), -1);

	m = sim_model_create(1);
	assert_string_equal(sim_model_profile(m), "normal");
	ticks(m, 30);
	a = sim_model_status(m);
	assert_int_equal(sim_model_set_profile(m, "peak", &cause), 0);
	b = sim_model_status(m);
	assert_string_equal(cJSON_GetObjectItem(b, "profile")->valuestring, "peak");
	assert_true(cJSON_GetObjectItem(a, "requests")->valuedouble > 0);
	assert_true(cJSON_GetObjectItem(a, "requests")->valuedouble ==
	    cJSON_GetObjectItem(b, "requests")->valuedouble);
	cJSON_Delete(a);
	cJSON_Delete(b);

	assert_int_equal(sim_model_set_profile(m, "bogus", &cause), -1);
	assert_non_null(strstr(cause, "bogus"));
	assert_non_null(strstr(cause, "normal, peak, storm, outage, regression, cost"));
	free(cause);
	assert_string_equal(sim_model_profile(m), "peak");
	sim_model_free(m);
}

static void
test_text_format(void **state)
{
	struct sim_model *m;
	struct sim_request r;
	struct samples ss;
	char *text;

	(void)state;
	m = sim_model_create(8);
	text = sim_model_metrics(m);
	/* Every family is declared even before any traffic. */
	assert_non_null(strstr(text, "# TYPE " DUR " histogram\n"));
	assert_non_null(strstr(text, "# TYPE " TOK " histogram\n"));
	assert_non_null(strstr(text, "# TYPE assistant_feedback_total counter\n"));
	assert_non_null(strstr(text, "# TYPE leitstand_sim_profile gauge\n"));
	assert_non_null(strstr(text, "assistant_feedback_total{rating=\"positive\"} 0\n"));
	assert_non_null(strstr(text, "leitstand_sim_profile{profile=\"normal\"} 1\n"));
	parse_text(text, &ss);
	free(ss.v);
	free(text);

	memset(&r, 0, sizeof r);
	r.request_model = "we\"ird\\model\nx\xff";
	r.response_model = "fine";
	r.duration = 100;
	r.input_tokens = 1;
	r.output_tokens = 100000000;
	sim_model_record(m, &r);
	ticks(m, 20);
	assert_int_equal(sim_model_set_profile(m, "regression", NULL), 0);
	text = sim_model_metrics(m);
	parse_text(text, &ss);
	assert_true(ss.n > 50);
	assert_non_null(strstr(text,
	    "gen_ai_request_model=\"we\\\"ird\\\\model\\nx\xef\xbf\xbd\""));
	assert_non_null(strstr(text, "le=\"+Inf\"} 1\n"));
	assert_non_null(strstr(text, "leitstand_sim_profile{profile=\"regression\"} 1\n"));
	assert_null(strstr(text, "leitstand_sim_profile{profile=\"normal\"}"));
	free(ss.v);
	free(text);
	sim_model_free(m);
}

/* Past the series limit, new models are folded into "other" instead of growing forever. */
static void
test_series_limit(void **state)
{
	struct sim_model *m;
	struct sim_request r;
	char name[32], *text, *p;
	int i, n;

	(void)state;
	m = sim_model_create(2);
	memset(&r, 0, sizeof r);
	r.duration = 1;
	r.request_model = r.response_model = name;
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "model-%d", i);
		sim_model_record(m, &r);
	}
	text = sim_model_metrics(m);
	assert_non_null(strstr(text, "gen_ai_request_model=\"other\""));
	assert_null(strstr(text, "model-999"));
	for (n = 0, p = text; (p = strstr(p, DUR "_count{")) != NULL; p++)
		n++;
	assert_int_equal(n, 64);
	free(text);
	sim_model_free(m);
}

static void
test_poisson(void **state)
{
	struct sim_model *m;
	double sum;
	int i;

	(void)state;
	m = sim_model_create(4);
	for (sum = 0, i = 0; i < 10000; i++)
		sum += (double)sim_model_poisson(m, 0.5);
	assert_true(sum / 10000 > 0.45 && sum / 10000 < 0.55);
	for (sum = 0, i = 0; i < 10000; i++)
		sum += (double)sim_model_poisson(m, 100);
	assert_true(sum / 10000 > 98 && sum / 10000 < 102);
	assert_int_equal(sim_model_poisson(m, 0), 0);
	assert_int_equal(sim_model_poisson(m, -1), 0);
	assert_int_equal(sim_model_tick(m, 0.1, 0), 0);
	sim_model_free(m);
}

static void
test_answers(void **state)
{
	static const char *topics[] = {
		"refund", "invoice", "password", "delivery", "subscription", "warranty",
		"voucher", "address", "account", "shipping", "cancellation", "payment",
		"discount", "login", "parcel", "coupon", "upgrade", "contract", "router",
		"printer", "laptop", "tariff", "roaming", "billing", "receipt", "exchange",
		"battery", "charger", "license", "newsletter", "membership", "booking",
		"ticket", "seat", "luggage", "insurance", "mortgage", "transfer", "pension",
		"premium",
	};
	struct sim_model *m;
	cJSON *j, *t;
	char *a, *b, q[128];
	size_t i, bad = 0;

	(void)state;
	m = sim_model_create(1);
	a = sim_model_answer(m, NULL, "", "How do I get a refund for order 12345?");
	assert_non_null(strstr(a, "refund"));
	assert_non_null(strstr(a, "order"));
	assert_non_null(strstr(a, "12345"));
	assert_null(strstr(a, "How"));
	b = sim_model_answer(m, NULL, "", "How do I get a refund for order 12345?");
	assert_string_equal(a, b);
	free(a);
	free(b);

	a = sim_model_answer(m, NULL, "", "Answer in JSON: where is my \"parcel\" with tracking 98765?");
	j = cJSON_Parse(a);
	assert_non_null(j);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "answer")));
	t = cJSON_GetObjectItem(j, "topics");
	assert_true(cJSON_IsArray(t));
	assert_string_equal(cJSON_GetArrayItem(t, 0)->valuestring, "parcel");
	assert_non_null(strstr(a, "98765"));
	cJSON_Delete(j);
	free(a);

	/* A system prompt that asks for JSON gets JSON for a plain question. */
	a = sim_model_answer(m, NULL, "Always answer as a JSON object.", "Where is my parcel?");
	j = cJSON_Parse(a);
	assert_non_null(j);
	cJSON_Delete(j);
	free(a);

	a = sim_model_answer(m, NULL, "", "");
	assert_non_null(strstr(a, "Thanks for your question."));
	free(a);
	a = sim_model_answer(m, NULL, "", "Wie kann ich meine Rechnung \xc3\xa4ndern? \xff\xfe");
	assert_non_null(strstr(a, "Rechnung"));
	assert_non_null(strstr(a, "\xc3\xa4ndern"));
	assert_null(strstr(a, "\xff"));
	free(a);

	/* In the regression about half the answers lose the terms or the JSON. */
	assert_int_equal(sim_model_set_profile(m, "regression", NULL), 0);
	for (i = 0; i < sizeof topics / sizeof topics[0]; i++) {
		snprintf(q, sizeof q, "Question about my %s, please reply as JSON", topics[i]);
		a = sim_model_answer(m, NULL, "", q);
		if ((j = cJSON_Parse(a)) == NULL)
			bad++;
		else
			assert_non_null(strstr(a, topics[i]));
		cJSON_Delete(j);
		free(a);
		snprintf(q, sizeof q, "Question about my %s", topics[i]);
		a = sim_model_answer(m, NULL, "", q);
		if (strstr(a, topics[i]) == NULL)
			bad++;
		free(a);
	}
	assert_true(bad >= 20 && bad <= 60);
	sim_model_free(m);

	assert_int_equal(sim_token_count(""), 1);
	assert_int_equal(sim_token_count("abcd"), 1);
	assert_int_equal(sim_token_count("abcdefgh!"), 3);
}

/* Shares of a release's background traffic: positive feedback, errors, median latency. */
struct release_shares {
	double	 positive;
	double	 errors;
	double	 p50;
};

static void
release_shares(const char *model, const char *system, int release, struct release_shares *out)
{
	static double d[20000];
	struct sim_model *m;
	struct sim_request r;
	double pos = 0, rated = 0, errors = 0;
	int i, n = 0;

	m = sim_model_create(31);
	if (release)
		sim_model_set_release(m, "1", model, system, 0);
	for (i = 0; i < 20000; i++) {
		sim_model_draw(m, release ? NULL : model, &r);
		assert_string_equal(r.request_model, model);
		if (r.error != SIM_OK)
			errors++;
		else
			d[n++] = r.duration;
		if (r.feedback != 0) {
			rated++;
			pos += r.feedback > 0;
		}
	}
	qsort(d, (size_t)n, sizeof d[0], cmp_double);
	out->positive = pos / rated;
	out->errors = errors / 20000;
	out->p50 = d[n / 2];
	sim_model_free(m);
}

static void
test_release_models(void **state)
{
	const char *prompt = "You are the support assistant. Answer in plain text.";
	struct release_shares base, worse, mini, empty, json, plain;

	(void)state;
	release_shares("gpt-4o-2024-08-06", prompt, 1, &base);
	release_shares("gpt-4o-2024-05-13", prompt, 1, &worse);
	release_shares("gpt-4o-mini-2024-07-18", prompt, 1, &mini);
	release_shares("gpt-4o-2024-08-06", "  \n", 1, &empty);
	release_shares("gpt-4o-2024-08-06", "Always answer as a JSON object.", 1, &json);
	release_shares("gpt-4o-2024-05-13", NULL, 0, &plain);

	assert_true(base.positive > 0.80 && base.positive < 0.90);
	assert_true(base.errors < 0.02);
	/* The regressed snapshot: about half the positive share, some more errors, slower. */
	assert_true(worse.positive > 0.35 && worse.positive < 0.50);
	assert_true(worse.errors > 0.03 && worse.errors < 0.06);
	assert_true(worse.p50 > base.p50 * 1.2);
	/* gpt-4o-mini: faster, about as well liked. */
	assert_true(mini.p50 < base.p50 * 0.7);
	assert_true(mini.positive > 0.75);
	/* A broken system prompt lowers the positive share. */
	assert_true(empty.positive < 0.55);
	assert_true(json.positive < 0.62);
	/* Without a release every model behaves alike, as before releases. */
	assert_true(plain.positive > 0.80 && plain.errors < 0.02);
}

static void
test_release_labels(void **state)
{
	struct sim_model *m;
	struct samples ss;
	cJSON *st, *rel;
	char *text;
	int d;

	(void)state;
	m = sim_model_create(3);
	sim_model_set_release(m, "1", "gpt-4o-2024-08-06", "Be brief.", 400);
	assert_string_equal(sim_model_release(m), "1");
	text = sim_model_metrics(m);
	/* Declared with the release before any traffic. */
	assert_non_null(strstr(text,
	    "assistant_feedback_total{leitstand_prompt_release=\"1\",rating=\"positive\"} 0\n"));
	assert_null(strstr(text, "assistant_feedback_total{rating="));
	free(text);
	sim_model_tick(m, 100, 1);
	sim_model_set_release(m, "2", "gpt-4o-2024-05-13", "Be brief.", 400);
	sim_model_tick(m, 100, 1);
	text = sim_model_metrics(m);
	parse_text(text, &ss);
	assert_non_null(strstr(text, DUR "_count{" BASE ",leitstand_prompt_release=\"1\"} "));
	assert_non_null(strstr(text, DUR "_count{gen_ai_operation_name=\"chat\","
	    "gen_ai_provider_name=\"openai\",gen_ai_request_model=\"gpt-4o-2024-05-13\","
	    "gen_ai_response_model=\"gpt-4o-2024-05-13\",leitstand_prompt_release=\"2\"} "));
	assert_non_null(strstr(text, "assistant_feedback_total{leitstand_prompt_release=\"1\","));
	assert_non_null(strstr(text, "assistant_feedback_total{leitstand_prompt_release=\"2\","));
	assert_null(strstr(text, "gpt-4o-mini"));
	free(ss.v);
	free(text);
	/* Every dialect carries the label. */
	for (d = 0; d < SIM_NDIALECTS; d++) {
		text = sim_model_metrics_dialect(m, (enum sim_dialect)d);
		assert_non_null(strstr(text, "leitstand_prompt_release=\"2\""));
		free(text);
	}
	st = sim_model_status(m);
	assert_string_equal(cJSON_GetObjectItem(st, "release")->valuestring, "2");
	rel = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "releases"), "1");
	assert_true(cJSON_GetObjectItem(rel, "requests")->valuedouble > 300);
	cJSON_Delete(st);
	sim_model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_error_label),
		cmocka_unit_test(test_profile_shares),
		cmocka_unit_test(test_latency_and_tokens),
		cmocka_unit_test(test_models),
		cmocka_unit_test(test_release_models),
		cmocka_unit_test(test_release_labels),
		cmocka_unit_test(test_feedback),
		cmocka_unit_test(test_profile_switch),
		cmocka_unit_test(test_text_format),
		cmocka_unit_test(test_series_limit),
		cmocka_unit_test(test_poisson),
		cmocka_unit_test(test_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
