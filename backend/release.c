/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "backend/release.h"
#include "backend/xmalloc.h"

static int
blank(const char *s)
{
	return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

int
release_gate_passed(double pass_rate, long long gate)
{
	/* The epsilon keeps 19 of 20 at a gate of 95 from failing on rounding. */
	return !isnan(pass_rate) && pass_rate * 100 + 1e-9 >= (double)gate;
}

int
release_approve_check(const struct release_approval *a, int *overridden, const char **code,
    char **cause)
{
	*overridden = 0;
	if (strcmp(a->author, a->approver) == 0) {
		*code = "forbidden";
		*cause = xprintf("four eyes: %s proposed %lld and may not approve it; another "
		    "approver must", a->approver, a->proposal);
		return -1;
	}
	if (release_gate_passed(a->pass_rate, a->gate))
		return 0;
	if (a->override == NULL) {
		*code = "gate";
		if (isnan(a->pass_rate))
			*cause = xprintf("proposal %lld has no finished eval: run leitstand prompt "
			    "eval %lld", a->proposal, a->proposal);
		else
			*cause = xprintf("proposal %lld passed %.0f%% of its eval cases, below the "
			    "gate of %lld%%; an admin may approve with a stated override",
			    a->proposal, a->pass_rate * 100, a->gate);
		return -1;
	}
	if (!authz_allowed(a->role, PERM_ADMIN)) {
		*code = "forbidden";
		*cause = xprintf("overriding the eval gate needs role admin; %s is %s",
		    a->approver, role_name(a->role));
		return -1;
	}
	if (blank(a->override)) {
		*code = "invalid_argument";
		*cause = xprintf("an override needs a reason");
		return -1;
	}
	*overridden = 1;
	return 0;
}

int
release_reject_check(const char *reason, char **cause)
{
	if (!blank(reason))
		return 0;
	*cause = xprintf("say why the proposal is rejected");
	return -1;
}

void
release_eval_text(char *buf, size_t len, double pass_rate, int passed, int cases)
{
	if (isnan(pass_rate))
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%.0f%% (%d of %d cases)", pass_rate * 100, passed, cases);
}

char *
release_tag(const char *assistant, long long n)
{
	return xprintf("release/%s/%lld", assistant, n);
}

long long
release_number_after(long long latest)
{
	return latest > 0 ? latest + 1 : 1;
}

int
release_tag_of(const char *tag, const char *assistant)
{
	size_t n = strlen(assistant);

	return tag != NULL && strncmp(tag, "release/", 8) == 0 &&
	    strncmp(tag + 8, assistant, n) == 0 && tag[8 + n] == '/';
}

int
release_rollback_check(const char *assistant, const char *target, const char *cur,
    const char *old, char **cause)
{
	if (strcmp(cur, old) != 0)
		return 0;
	*cause = xprintf("production of %s equals %s already", assistant, target);
	return -1;
}
