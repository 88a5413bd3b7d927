/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/clock.h"
#include "backend/daemon.h"
#include "backend/json.h"
#include "backend/prompts.h"
#include "backend/proposal.h"
#include "backend/release.h"
#include "backend/repo.h"
#include "backend/trailer.h"
#include "backend/xmalloc.h"

#define MAX_EXTRA	8

int
prompts_release(struct daemon *d, const cJSON *p, const char *approver, const char *override,
    const struct trailer *extra, size_t nextra, struct prompts_released *out, char **cause)
{
	const cJSON *e = cJSON_GetObjectItem(p, "eval");
	const char *a = json_str(p, "assistant", "");
	struct repo *repo;
	struct release_row r;
	struct trailer tr[5 + MAX_EXTRA];
	char *msg, *text, prop[32];
	const char *why;
	long long id = (long long)json_num_or(p, "id", 0), n;
	double pass;
	size_t i;
	int rc;

	memset(out, 0, sizeof *out);
	if ((repo = prompts_repo(&why)) == NULL) {
		*cause = xstrdup(why);
		return REPO_ERROR;
	}
	pass = e != NULL && strcmp(json_str(e, "status", ""), "done") == 0 ?
	    json_num_or(e, "pass_rate", NAN) : NAN;
	n = release_next(d->db, a);
	out->tag = release_tag(a, n);
	release_eval_text(out->eval, sizeof out->eval, pass, e != NULL ?
	    (int)json_num_or(e, "passed", 0) : 0, e != NULL ? (int)json_num_or(e, "cases", 0) : 0);
	snprintf(prop, sizeof prop, "%lld", id);
	tr[0] = (struct trailer){ "Proposal", prop };
	tr[1] = (struct trailer){ "Author", json_str(p, "author", "") };
	tr[2] = (struct trailer){ "Approved-by", approver };
	tr[3] = (struct trailer){ "Eval", out->eval };
	tr[4] = (struct trailer){ "Gate-override", override };
	for (i = 0; i < nextra && i < MAX_EXTRA; i++)
		tr[5 + i] = extra[i];
	text = xprintf("Release %lld of %s: %s", n, a, json_str(p, "description", ""));
	msg = trailer_message(text, tr, 5 + i);
	free(text);
	text = xprintf("proposals/%lld", id);
	rc = repo_release(repo, text, out->tag, msg, approver, out->commit, cause);
	free(text);
	free(msg);
	if (rc != REPO_OK)
		goto fail;
	memset(&r, 0, sizeof r);
	r.assistant = a;
	r.n = n;
	r.tag = out->tag;
	r.commit = out->commit;
	r.created_at = clock_now();
	r.author = json_str(p, "author", "");
	r.approver = approver;
	r.proposal = id;
	r.description = json_str(p, "description", "");
	r.pass_rate = isnan(pass) ? -1 : pass;
	r.override = override;
	if (release_add(d->db, &r, cause) != 0 || proposal_decide(d->db, id, "approved",
	    approver, r.created_at, override, out->tag, cause) != 0) {
		rc = REPO_ERROR;
		goto fail;
	}
	return REPO_OK;
fail:
	free(out->tag);
	out->tag = NULL;
	return rc;
}
