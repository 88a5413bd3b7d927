#!/bin/bash
# leitstand sim serve --prompts: the simulator serves the live prompt release the way a
# deployment would. Its own libgit2 clone of the daemon's git:// remote, fetched every second:
# the seed's release 1 and its model on /metrics under leitstand_prompt_release="1"; a release
# pinning the worse model is served within seconds and moves the feedback and error shares;
# a rollback serves the original model again; a remote that is down or a release that is
# broken keeps the last good release served and says why; `leitstand prompt kpis` through a
# real Prometheus compares release 2 with release 1.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create a second test user"; exit 77; }
command -v git >/dev/null || { echo "SKIP: no git"; exit 0; }
alice=lts$$
group=ltsg$$
test_users "$group" "$alice"
chmod 755 "$T"

git init -q --bare "$T/git/prompts.git"
start_git_daemon
REMOTE=$GIT_URL/prompts.git

status() {
	python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/sim/status", timeout=5).read().decode())' \
		"$SIM_URL"
}
scrape() {
	python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/metrics", timeout=5).read().decode())' \
		"$SIM_URL"
}
# (grep -q on a pipe would end it early: a broken pipe under pipefail.)
# A field of the sim's status: prompts.release, releases.2.requests, ...
st() {
	status | json_get "$1"
}
# share A B: A / (A + B) of a release's counters in the status, as a percentage.
share() {
	status | python3 -c 'import json, sys
r = json.load(sys.stdin)["releases"][sys.argv[1]]
a, b = r[sys.argv[2]], r[sys.argv[3]]
print(int(100 * a / (a + b)))' "$@"
}

note "usage: --assistant and --prompts-interval need --prompts; bad values are refused"
expect_exit 2 "$LEITSTAND" sim serve --assistant support
assert_contains "$OUT" "--assistant needs --prompts"
expect_exit 2 "$LEITSTAND" sim serve --prompts "$REMOTE" --prompts-interval 2x
assert_contains "$OUT" "--prompts-interval: 2x is not a duration"
expect_exit 2 "$LEITSTAND" sim serve --prompts "$REMOTE" --assistant ../x
assert_contains "$OUT" "is not an assistant name"

note "before the daemon pushed anything the sim serves no release and says why"
mkdir -m 700 "$T/tmp"
# 400 requests a second: the 2000 per release the shares below are taken from in 5 s.
TMPDIR=$T/tmp start_sim --prompts "$REMOTE" --prompts-interval 1s --rate-scale 80 --seed 7
clone=$(ls -d "$T"/tmp/leitstand-sim.*)
assert_eq "$(stat -c %a "$clone")" "700"
assert_eq "$(st prompts.fetch_ok)" "false"
assert_contains "$(st prompts.last_error)" "no production branch"
assert_eq "$(st prompts.release)" "None"
assert_contains "$(scrape)" "leitstand_sim_prompts_fetch_ok 0"
assert_contains "$(scrape)" 'leitstand_prompt_release="unreleased"'
start_prometheus

write_config <<EOF2
group = $group
[roles]
engineer = $alice
[sim]
url = $SIM_URL
[prometheus]
url = $PROM_URL
interval = 1s
[prompts]
remote = $REMOTE
push_retry = 5s
EOF2
chmod 644 "$CFG"
start_daemon
REPO=$T/data/prompts.git
g() {
	git --git-dir="$REPO" "$@"
}

note "the daemon pushes the seed: the sim serves release 1 with the seed's model"
wait_for "[ \"\$(st prompts.release)\" = 1 ]" 20
assert_eq "$(st prompts.fetch_ok)" "true"
assert_eq "$(st prompts.tag)" "release/support/1"
assert_eq "$(st prompts.commit)" "$(g rev-parse production)"
assert_eq "$(st prompts.model)" "gpt-4o-2024-08-06"
assert_eq "$(st prompts.last_error)" "None"
[ "$(st prompts.last_ok)" -ge "$(($(date +%s) - 30))" ] || fail "last_ok: $(status)"
out=$(scrape)
assert_contains "$out" 'leitstand_sim_prompts_release{release="1",model="gpt-4o-2024-08-06"} 1'
assert_contains "$out" "leitstand_sim_prompts_fetch_ok 1"
grep -q '^gen_ai_client_operation_duration_seconds_count{.*gen_ai_request_model="gpt-4o-2024-08-06",gen_ai_response_model="gpt-4o-2024-08-06",leitstand_prompt_release="1"} [1-9]' <<<"$out" ||
	fail "no release 1 series: $out"
grep -q '^gen_ai_client_token_usage_sum{.*gen_ai_token_type="input",leitstand_prompt_release="1"} ' <<<"$out" ||
	fail "no release 1 tokens: $out"
grep -q '^assistant_feedback_total{leitstand_prompt_release="1",rating="positive"} ' <<<"$out" ||
	fail "no release 1 feedback: $out"
# Every GenAI series is labelled; release 1 pins one model, so no gpt-4o-mini traffic.
[ -z "$(echo "$out" | grep '^gen_ai_' | grep -v 'leitstand_prompt_release="')" ] ||
	fail "unlabelled series: $out"
[ -z "$(echo "$out" | grep 'leitstand_prompt_release="1"' | grep mini)" ] ||
	fail "release 1 served another model: $out"

note "a chat call without a system prompt gets the release's; one with its own keeps it"
cat >"$T/chat.py" <<'PY'
import json, sys, urllib.request
msgs = ([{"role": "system", "content": sys.argv[3]}] if len(sys.argv) > 3 else []) + \
	[{"role": "user", "content": "Where is my parcel 12345?"}]
req = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", method="POST",
	data=json.dumps({"model": sys.argv[2], "messages": msgs}).encode(),
	headers={"Content-Type": "application/json"})
for _ in range(20):
	try:
		print(json.load(urllib.request.urlopen(req, timeout=10))["choices"][0]["message"]["content"])
		break
	except urllib.error.HTTPError:
		pass	# a simulated failure: ask again
PY
out=$(python3 "$T/chat.py" "$SIM_URL" gpt-4o-2024-08-06)
assert_contains "$out" "parcel"
assert_not_contains "$out" '{"answer"'
out=$(python3 "$T/chat.py" "$SIM_URL" gpt-4o-2024-08-06 "Always answer as a JSON object.")
assert_contains "$out" '{"answer"'

# Release 1 has been served a while: Prometheus holds its samples for the comparison.
wait_for "[ \"\$(st releases.1.requests)\" -ge 2000 ]" 30

note "a release pinning gpt-4o-2024-05-13 (the sim's regression): served within seconds"
ls_ prompt cat model.ini | sed 's/^id = .*/id = gpt-4o-2024-05-13/' >"$T/model.ini"
chmod -R a+rX "$T"
id=$(as "$alice" prompt propose -m "Pin the May snapshot" "$T/model.ini" |
	sed -n 's/^proposal \([0-9]*\):.*/\1/p')
# Evals send the proposal's model: the sim answers them as that model does, and the gate
# catches it; an admin overrides it here to see what production would do.
out=$(as "$alice" prompt eval "$id")
assert_contains "$out" "FAIL"
assert_contains "$(ls_ prompt approve "$id" --override "see the regression live")" \
	"release/support/2"
wait_for "[ \"\$(st prompts.release)\" = 2 ]" 15
assert_eq "$(st prompts.model)" "gpt-4o-2024-05-13"
assert_eq "$(st prompts.commit)" "$(g rev-parse production)"
assert_contains "$(scrape)" 'leitstand_sim_prompts_release{release="2",model="gpt-4o-2024-05-13"} 1'

note "release 2's counters are series of their own, release 1's stay"
wait_for "[ \"\$(st releases.2.requests)\" -ge 2000 ] && [ \"\$(( \$(st releases.2.positive) + \$(st releases.2.negative) ))\" -ge 200 ]" 40
out=$(scrape)
grep -q '^gen_ai_client_operation_duration_seconds_count{.*gen_ai_request_model="gpt-4o-2024-05-13",gen_ai_response_model="gpt-4o-2024-05-13",leitstand_prompt_release="2"} [1-9]' <<<"$out" ||
	fail "no release 2 series: $out"
grep -q '^gen_ai_client_operation_duration_seconds_count{.*gen_ai_request_model="gpt-4o-2024-08-06",.*leitstand_prompt_release="1"} [1-9]' <<<"$out" ||
	fail "release 1's series went: $out"
grep -q '^assistant_feedback_total{leitstand_prompt_release="2",rating="negative"} [1-9]' <<<"$out" ||
	fail "no release 2 feedback: $out"
before=$(share 1 positive negative)
after=$(share 2 positive negative)
[ "$before" -ge 70 ] && [ "$after" -le 60 ] && [ $((before - after)) -ge 20 ] ||
	fail "positive feedback: release 1 $before %, release 2 $after %"
e1=$(status | python3 -c 'import json,sys; r = json.load(sys.stdin)["releases"]["1"]; print(1000 * r["errors"] // r["requests"])')
e2=$(status | python3 -c 'import json,sys; r = json.load(sys.stdin)["releases"]["2"]; print(1000 * r["errors"] // r["requests"])')
[ "$e2" -ge 20 ] && [ "$e2" -ge $((2 * e1)) ] ||
	fail "errors per mille: release 1 $e1, release 2 $e2"

note "leitstand prompt kpis through Prometheus: release 2 live, release 1 before it"
kpis_ready() {
	ls_ prompt kpis --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
l, p = d["live"], d["previous"]
ok = l["release"] == 2 and p["release"] == 1 and l.get("requests") and p.get("requests")
sys.exit(0 if ok else 1)'
}
wait_for kpis_ready 60
js=$(ls_ prompt kpis --json)
assert_eq "$(echo "$js" | json_get label)" "leitstand_prompt_release"
echo "$js" | python3 -c 'import json, sys
d = json.load(sys.stdin)
l, p = d["live"], d["previous"]
assert l["feedback"] is not None and p["feedback"] is not None, d
assert l["feedback"] < p["feedback"], d
assert l["cost_per_request"] is not None and p["cost_per_request"] is not None, d' ||
	fail "prompt kpis: $js"

note "roll back: release 3 serves the original model"
assert_contains "$(ls_ prompt rollback)" "release/support/3 restores release/support/1"
wait_for "[ \"\$(st prompts.release)\" = 3 ]" 15
assert_eq "$(st prompts.model)" "gpt-4o-2024-08-06"
wait_for "scrape | grep -c '^gen_ai_client_operation_duration_seconds_count{.*gen_ai_request_model=\"gpt-4o-2024-08-06\",.*leitstand_prompt_release=\"3\"} [1-9]'" 10

note "the remote is down: fetch_ok 0, release 3 still served, the status says why"
stop_git_daemon
wait_for "[ \"\$(st prompts.fetch_ok)\" = false ]" 10
assert_eq "$(st prompts.release)" "3"
assert_eq "$(st prompts.model)" "gpt-4o-2024-08-06"
assert_contains "$(st prompts.last_error)" "port $GIT_PORT"
assert_contains "$(scrape)" "leitstand_sim_prompts_fetch_ok 0"
assert_contains "$(scrape)" 'leitstand_sim_prompts_release{release="3",model="gpt-4o-2024-08-06"} 1'
n=$(st releases.3.requests)
wait_for "[ \"\$(st releases.3.requests)\" -gt $n ]" 10

note "the remote is back: fetch_ok 1"
start_git_daemon
wait_for "[ \"\$(st prompts.fetch_ok)\" = true ]" 10
assert_eq "$(st prompts.last_error)" "None"
assert_contains "$(scrape)" "leitstand_sim_prompts_fetch_ok 1"

note "a broken release on the remote: the last good one stays served, the error names it"
git clone -q --branch production "$REMOTE" "$T/work"
printf '[model]\ntemperature = 0.2\n' >"$T/work/assistants/support/model.ini"
git -C "$T/work" -c user.name=t -c user.email=t@example.org commit -qam "No model pinned"
git -C "$T/work" -c user.name=t -c user.email=t@example.org tag -a release/support/4 -m "Release 4"
git -C "$T/work" push -q origin production release/support/4
wait_for "st prompts.last_error | grep -c 'release/support/4: model.ini'" 10
assert_eq "$(st prompts.fetch_ok)" "false"
assert_eq "$(st prompts.release)" "3"
git -C "$T/work" rm -q assistants/support/system.md
git -C "$T/work" checkout -q release/support/3 -- assistants/support/model.ini
git -C "$T/work" -c user.name=t -c user.email=t@example.org commit -qm "No system prompt"
git -C "$T/work" push -q origin production
wait_for "st prompts.last_error | grep -c 'no assistants/support/system.md'" 10
assert_eq "$(st prompts.release)" "3"

note "stopped, the sim removes its clone"
kill -TERM "$SIM_PID"
wait "$SIM_PID" || fail "sim exited with $?: $(cat "$T/sim.err")"
! grep -q "Sanitizer\|runtime error" "$T/sim.err" || fail "sim: $(cat "$T/sim.err")"
[ ! -e "$clone" ] || fail "the clone $clone is still there"
stop_daemon
