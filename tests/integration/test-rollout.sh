#!/bin/bash
# Canary rollouts against the real Prometheus and the sim as the deployment: the sim reads
# refs/heads/canary/support and its rollout.ini from the daemon's repository, serves the
# weight from it and labels those metrics with the canary's release; Prometheus scrapes it;
# the daemon judges canary against production each interval. A good candidate is promoted
# through its steps; a worse model is rolled back at its first step with an incident, an
# audit entry and a notice; approver-only actions; a daemon killed mid-rollout goes on where
# it was; Prometheus down holds the rollout; an A/B window is written to the proposal.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create two test users"; exit 77; }
alice=lra$$
bob=lrb$$
group=lrg$$
test_users "$group" "$alice" "$bob"
chmod 755 "$T"

# The deployment: the sim serving what the daemon pushes to a real `git daemon`, with
# traffic, scraped by Prometheus; evals run against it too.
REPO=$T/data/prompts.git
start_git_daemon
git init -q --bare "$T/git/prompts.git"
start_sim --prompts "$GIT_URL/prompts.git" --prompts-interval 1s --rate-scale 40 --seed 11
start_prometheus
write_config <<EOF2
group = $group
[roles]
engineer = $alice
approver = $bob
[sim]
url = $SIM_URL
[prometheus]
url = $PROM_URL
interval = 2s
[prompts]
gate = 0
remote = $GIT_URL/prompts.git
push_retry = 5s
[rollout]
steps = 20, 100
interval = 10s
threshold = 2
min_requests = 20
error_rate = max 3, worse 100%
rate_limited =
latency_p95 = worse 30%
feedback = worse 30%
cost_per_request =
; support's own steps; the rest is [rollout]'s
[rollout.support]
steps = 10, 50, 100
[triggers]
rollout = $bob
[notify]
command = $T/hook
[user.$bob]
command = yes
EOF2
printf '#!/bin/sh\ncat >>"%s/inbox"; echo >>"%s/inbox"\n' "$T" "$T" >"$T/hook"
chmod 755 "$T/hook"
chmod 644 "$CFG"
start_daemon
g() {
	git --git-dir="$REPO" "$@"
}
remote() {
	git --git-dir="$T/git/prompts.git" "$@"
}
st() {
	curl -s "$SIM_URL/sim/status" | json_get "prompts.$1"
}
status() {
	ls_ prompt rollout status --json | json_get "rollouts.0.$1"
}
wait_for '[ "$(st release)" = 1 ]' 20

propose() { # propose NAME FILE... as alice, evaluated; prints its number
	local id
	id=$(as "$alice" prompt propose --json -m "$1" "${@:2}" | json_get proposal)
	as "$alice" prompt eval "$id" >/dev/null
	echo "$id"
}
mkdir -p "$T/good" "$T/bad"
ls_ prompt cat system.md >"$T/good/system.md"
echo "- Close every answer by thanking the customer." >>"$T/good/system.md"
ls_ prompt cat model.ini | sed 's/^id = .*/id = gpt-4o-2024-05-13/' >"$T/bad/model.ini"
good=$(propose "Thank the customer" "$T/good/system.md")
bad=$(propose "Older snapshot, cheaper" "$T/bad/model.ini")

note "approver only: an engineer may not release a canary, nor touch a rollout"
expect_exit 1 as "$alice" prompt approve "$good" --canary
assert_contains "$OUT" "needs role approver"
note "bad policies are refused, nothing is written"
printf '[rollout.support]\nsteps = 50, 10\n[rollout.a/b]\nsteps = 100\n' >"$T/bad.ini"
expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
assert_contains "$OUT" 'rollout.support.steps "50, 10": expected rising weights'
assert_contains "$OUT" "section [rollout.a/b]: not an assistant's name"
expect_exit 1 as "$bob" prompt approve "$good" --canary --steps 50,10,100
assert_contains "$OUT" "rising weights in percent ending at 100"
expect_exit 1 as "$bob" prompt approve "$good" --canary --interval 2s
assert_contains "$OUT" "a duration of 10s to 1d"
! g rev-parse -q --verify refs/heads/canary/support >/dev/null || fail "a refused canary left a branch"

note "bob releases the bad model as a canary: the branch, rollout.ini, the sim serves 10 %"
out=$(as "$bob" prompt approve "$bad" --canary --threshold 1)
assert_contains "$out" "canary rollout 1 at 10 %"
assert_contains "$(g show canary/support:assistants/support/rollout.ini)" "weight = 10"
assert_contains "$(g show canary/support:assistants/support/rollout.ini)" "release = canary-$bad"
assert_eq "$(g show canary/support:assistants/support/model.ini | sed -n 's/^id = //p')" "gpt-4o-2024-05-13"
assert_eq "$(g rev-parse production)" "$(g rev-parse release/support/1^{commit})"
wait_for '[ "$(st canary.weight)" = 10 ]' 20
assert_eq "$(st canary.release)" "canary-$bad"
assert_eq "$(remote rev-parse canary/support)" "$(g rev-parse canary/support)"
note "while it is live, production does not move under it"
expect_exit 1 as "$bob" prompt approve "$good"
assert_contains "$OUT" "a canary of support (proposal $bad) is live"
expect_exit 1 as "$bob" prompt reject "$bad" no
assert_contains "$OUT" "is live as a canary"
expect_exit 1 as "$alice" prompt rollout pause --reason x
assert_contains "$OUT" "needs role approver"

note "the worse model fails its checks at the first step: rolled back by the daemon"
wait_for '[ "$(status state)" = rolled_back ]' 90
assert_eq "$(status weight)" 10
assert_eq "$(status ended_by)" leitstand
assert_contains "$(status reason)" "1 failed analyses at 10 %"
assert_eq "$(status analysis.decision)" fail
! g rev-parse -q --verify refs/heads/canary/support >/dev/null || fail "the canary branch stayed"
assert_eq "$(g rev-parse production)" "$(g rev-parse release/support/1^{commit})"
assert_eq "$(ls_ prompt show "$bad" --json | json_get proposal.state)" rejected
assert_contains "$(ls_ prompt show "$bad" --json | json_get proposal.reason)" "canary rolled back"
wait_for '! curl -s "$SIM_URL/sim/status" | grep -q "\"canary\":"' 20
! remote rev-parse -q --verify refs/heads/canary/support >/dev/null || fail "the remote kept the canary"
note "an incident with the failed checks, the audit as the daemon, the approver told"
# (The default KPIs open incidents of their own at this traffic: the canary's is found by title.)
canary_incident() {
	ls_ incident list --json | python3 -c 'import json, sys
print(next(i["id"] for i in json.load(sys.stdin)["incidents"] if i["title"].startswith("Canary of support rolled back: proposal '"$bad"' failed its checks")))'
}
wait_for canary_incident 10
assert_contains "$(ls_ incident show "$(canary_incident)" --json | json_get incident.description)" ": fail ("
audit=$(ls_ audit list --action prompt.rollout.rollback --json)
assert_eq "$(echo "$audit" | json_get entries.0.actor)" leitstand
wait_for 'grep -q "canary of support (proposal '"$bad"') was rolled back" "$T/inbox"' 20

note "the good candidate, with a pause by the approver on the way"
out=$(as "$bob" prompt approve "$good" --canary)
wait_for '[ "$(st canary.weight)" = 10 ]' 20
out=$(as "$bob" prompt rollout pause --reason "lunch")
assert_eq "$(status state)" paused
expect_exit 1 as "$bob" prompt rollout pause --reason again
assert_contains "$OUT" "paused already"
as "$bob" prompt rollout resume --reason "back" >/dev/null
assert_eq "$(status state)" running

note "Prometheus down during an interval: the rollout holds, nothing counts"
stop_prometheus
wait_for '[ "$(status analysis.decision)" = hold ] && [ -n "$(status analysis.error)" ]' 40
assert_eq "$(status step)" 0
assert_eq "$(status failures)" 0
start_prometheus

note "the daemon killed mid-rollout goes on where it was"
wait_for '[ "$(status step)" = 1 ]' 90
assert_eq "$(status weight)" 50
wait_for '[ "$(st canary.weight)" = 50 ]' 20
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" || true
start_daemon
assert_eq "$(status step)" 1
assert_eq "$(status state)" running

note "promoted at 100 %: an ordinary release tag with the analysis in its trailers"
wait_for '[ "$(status state)" = promoted ]' 120
assert_eq "$(status release)" release/support/2
msg=$(g cat-file tag release/support/2)
assert_contains "$msg" "Approved-by: $bob"
assert_contains "$msg" "Canary: 10 % -> 50 %"
assert_contains "$msg" "Canary-analysis: error_rate pass"
assert_contains "$msg" "Promoted-by: leitstand"
assert_eq "$(g rev-parse production^{tree})" "$(g rev-parse release/support/2^{tree})"
! g rev-parse -q --verify refs/heads/canary/support >/dev/null || fail "the canary branch stayed"
g fsck --strict >/dev/null 2>&1
wait_for '[ "$(st release)" = 2 ]' 20
assert_eq "$(ls_ prompt show "$good" --json | json_get proposal.state)" approved

note "A/B: held for a window, the table written to the proposal; the author may abort, not promote"
mkdir "$T/ab"
cp "$T/good/system.md" "$T/ab/system.md"
echo "- Keep answers short." >>"$T/ab/system.md"
# Proposed by root (an admin), approved by bob: its author may hold it back, not push it on.
ab=$(ls_ prompt propose --json -m "Shorter answers" "$T/ab/system.md" | json_get proposal)
ls_ prompt eval "$ab" >/dev/null
as "$bob" prompt approve "$ab" --canary --interval 1h >/dev/null
expect_exit 1 ls_ prompt rollout promote --reason "mine"
assert_contains "$OUT" "four eyes: root proposed $ab and may not promote its canary"
expect_exit 1 as "$bob" prompt rollout compare --window 10s --reason x
assert_contains "$OUT" "a duration of 30s to 7d"
as "$bob" prompt rollout compare --window 30s --reason "compare shares" >/dev/null
wait_for '[ "$(ls_ prompt show "$ab" --json | json_get proposal.comparison.window)" -ge 30 ]' 70
out=$(ls_ prompt show "$ab")
assert_contains "$out" "A/B at 10 %"
assert_contains "$out" "two-proportion z-test"
assert_contains "$out" "error_rate"
assert_eq "$(status state)" running
ls_ prompt rollout abort --reason "not needed" >/dev/null
assert_eq "$(status state)" aborted
assert_eq "$(ls_ prompt show "$ab" --json | json_get proposal.state)" rejected
! g rev-parse -q --verify refs/heads/canary/support >/dev/null || fail "the canary branch stayed"
assert_eq "$(ls_ audit list --action prompt.rollout.abort --json | json_get entries.0.actor)" root
echo PASS
