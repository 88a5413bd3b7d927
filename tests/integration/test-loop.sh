#!/bin/bash
# The loop the console exists for, end to end with the simulator as the deployment: a release
# pinning a worse model is approved, the sim serves it within seconds, its feedback KPI turns
# crit and an incident opens by itself; a rollback brings the KPI back and the incident says
# it recovered. The Prompts view's figures compare the two releases through Prometheus.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create a second test user"; exit 77; }
alice=ltl$$
group=ltlg$$
test_users "$group" "$alice"
chmod 755 "$T"

git init -q --bare "$T/remote.git"
start_sim --prompts "$T/remote.git" --prompts-interval 1s --rate-scale 40 --seed 3 \
	--metrics-dialect sdk
start_prometheus
# Short windows and `for`, so the loop takes seconds; the queries are the built-in ones'.
write_config <<EOF2
group = $group
[roles]
engineer = $alice
[prometheus]
url = $PROM_URL
interval = 1s
; A fresh Prometheus has no GenAI names yet: look the sdk spelling up again after 10 s, not 15.
discover_interval = 10s
[prompts]
remote = $T/remote.git
push_retry = 5s
[kpi.feedback]
query = 100 * (sum(rate(assistant_feedback_total{rating="positive"}[10s])) or vector(0)) / sum(rate(assistant_feedback_total[10s]))
for = 3s
[incidents]
timer_interval = 1s
[cost]
; The sim's traffic at 40 times its rate would break a budget: not this test's point.
monthly_budget =
EOF2
chmod 644 "$CFG"
start_daemon
sim_release() {
	python3 -c 'import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/sim/status", timeout=5))
print(d["prompts"]["release"])' "$SIM_URL"
}

note "release 1 live: the sim serves it, feedback is ok"
wait_for '[ "$(sim_release)" = 1 ]' 20
wait_for '[ "$(kpi_field state feedback)" = ok ]' 60
# The sdk spelling found (a fresh Prometheus had nothing at the daemon's start).
wait_for '[ -n "$(kpi_field value requests)" ]' 60
assert_eq "$(ls_ incident list --json | json_get total)" 0

note "an engineer proposes the worse model; approved (gate overridden), the sim serves it"
ls_ prompt cat model.ini | sed 's/^id = .*/id = gpt-4o-2024-05-13/' >"$T/model.ini"
chmod a+r "$T/model.ini"
id=$(as "$alice" prompt propose -m "Pin the May snapshot" "$T/model.ini" |
	sed -n 's/^proposal \([0-9]*\):.*/\1/p')
ls_ prompt approve "$id" --override "training: the regression live" >/dev/null
wait_for '[ "$(sim_release)" = 2 ]' 20

note "its feedback turns crit and an incident opens by itself"
wait_for '[ "$(kpi_field state feedback)" = crit ]' 90
feedback_incident() {
	ls_ incident list --search "Positive feedback" --json | json_get incidents.0.id
}
wait_for feedback_incident 30
inc=$(feedback_incident)
assert_contains "$(ls_ incident show "$inc")" "Positive feedback is crit"

note "the Prompts view's figures: release 2 live, worse than release 1 before it"
kpis_ready() {
	ls_ prompt kpis --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
l, p = d["live"], d.get("previous") or {}
sys.exit(not (l["release"] == 2 and p.get("release") == 1 and l.get("feedback") is not None
	and p.get("feedback") is not None and l["feedback"] + 15 < p["feedback"]
	and l.get("requests") and l.get("cost_per_request") is not None))'
}
wait_for kpis_ready 60
note "prompt kpis for an assistant that has no release: a clear error, the name defused"
expect_exit 1 ls_ prompt kpis --assistant $'nosuch\e[2J'
assert_contains "$OUT" 'assistant "nosuch^[[2J" has no release'
expect_exit 2 ls_ prompt kpis extra
console p 120x30 TERM=xterm-256color LANG=C.UTF-8
wait_screen p "Dashboard"
keys p 4
wait_screen p "live   2 ("
wait_screen p "before 1 ("
line=$(screen_ p | grep "live   2 (")
assert_contains "$line" "req, errors "
assert_contains "$line" "feedback "
assert_contains "$line" "EUR/req"

note "a rollback: the sim serves release 1's model again, feedback recovers, the incident says so"
ls_ prompt rollback >/dev/null
wait_for '[ "$(sim_release)" = 3 ]' 20
wait_for '[ "$(kpi_field state feedback)" = ok ]' 90
wait_for "ls_ incident show $inc | grep -q 'Positive feedback recovered'" 30
ls_ audit verify >/dev/null
