/* SPDX-License-Identifier: ISC */
/* `leitstand sim --profile | --status`: talks to a running sim over HTTP. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backend/http.h"
#include "backend/sanitize.h"
#include "backend/sim-model.h"
#include "backend/sim.h"
#include "backend/xmalloc.h"

#define CLIENT_TIMEOUT	5L		/* seconds, for sim --profile and --status */

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
int
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
			return sim_bad_option(argv);
		}
	}
	if (sim_extra_argument(argc, argv) != 0)
		return SIM_EXIT_USAGE;
	if (profile == NULL && !status) {
		sim_error("give serve, --profile NAME or --status");
		return SIM_EXIT_USAGE;
	}
	if (profile != NULL && sim_profile_find(profile) == -1)
		return sim_unknown_profile(profile);
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
