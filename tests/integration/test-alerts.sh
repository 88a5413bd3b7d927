#!/bin/bash
# Alerts from the real Alertmanager open and update incidents, one per group.
. "$(dirname "$0")/../lib/lib.sh"

start_alertmanager
write_config <<EOF2
[alertmanager]
url = $AM_URL
interval = 1s
EOF2
start_daemon
incidents() {
	ls_ incident list --json | python3 -c 'import json,sys
print(" ".join("%s:%d:%s" % (i["title"], i["severity"], i["status"])
               for i in json.load(sys.stdin)["incidents"] if i["source"] == "alertmanager"))'
}

note "a firing alert opens an incident: severity from its label, summary as title"
post_alert HighErrorRate checkout critical "Error rate above 5 % (ops@example.com)"
wait_for '[ -n "$(incidents)" ]'
assert_eq "$(incidents)" "HighErrorRate: Error rate above 5 % ([email]):1:triggered"
out=$(ls_ incident show 1 --json)
assert_contains "$out" '"runbook_url":'
assert_contains "$out" "firing HighErrorRate: Error rate above 5 % ([email])"

note "alerts of the same group share one incident; another group opens another"
post_alert HighErrorRate checkout critical "Error rate above 5 %"
python3 - "$AM_URL" <<'PY'
import datetime, json, sys, urllib.request
now = datetime.datetime.now(datetime.timezone.utc).isoformat()
alerts = [{"labels": {"alertname": "HighErrorRate", "service": "checkout", "severity": "critical",
                      "instance": "pod-2"}, "annotations": {"summary": "second pod"}, "startsAt": now},
          {"labels": {"alertname": "SlowAnswers", "service": "faq", "severity": "warning"},
           "annotations": {"description": "p95 over 8 s"}, "startsAt": now}]
req = urllib.request.Request(sys.argv[1] + "/api/v2/alerts", data=json.dumps(alerts).encode(),
                             headers={"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(req, timeout=5)
PY
wait_for '[ "$(ls_ incident list --json | json_get total)" = 2 ]'
sleep 2
assert_eq "$(ls_ incident list --json | json_get total)" "2"
assert_contains "$(incidents)" "SlowAnswers:3:triggered"
assert_eq "$(sqlite3 "$T/data/leitstand.db" "SELECT count(*) FROM alert WHERE incident_id = 1 AND firing = 1")" "2"

note "resolving one alert of a group leaves the incident as it is while the other fires"
post_alert HighErrorRate checkout critical "Error rate above 5 %" resolved
wait_for "ls_ incident show 1 | grep -q 'resolved HighErrorRate'"
assert_eq "$(ls_ incident show 1 --json | json_get incident.recovered)" "false"
assert_eq "$(ls_ incident show 1 --json | json_get incident.status)" "triggered"

note "Alertmanager down: the status says so, nothing is lost, it catches up when back"
stop_alertmanager
wait_for "ls_ status --json | grep 'alertmanager $AM_URL' >/dev/null"
assert_eq "$(ls_ incident list --json | json_get total)" "2"
start_alertmanager
wait_for "! ls_ status --json | grep 'alertmanager $AM_URL' >/dev/null"
# A restarted Alertmanager forgot its alerts: the daemon records them as resolved, and the
# first group, now without firing alerts, is marked recovered.
wait_for '[ "$(ls_ incident show 1 --json | json_get incident.recovered)" = true ]'
assert_contains "$(ls_ incident show 1)" "all alerts of the group resolved: resolve?"
post_alert SlowAnswers faq warning "p95 over 8 s again"
wait_for "ls_ incident show 2 | grep -q 'firing SlowAnswers: p95 over 8 s again'"
assert_eq "$(ls_ incident list --json | json_get total)" "2"

note "every change by the Alertmanager ingest is audited"
assert_contains "$(ls_ audit list --actor leitstand --json)" '"incident.open"'
ls_ audit verify >/dev/null
