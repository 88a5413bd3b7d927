#!/bin/bash
# Ticket export against a loopback receiver that checks what Jira would check; postmortem and
# handover reports.
. "$(dirname "$0")/../lib/lib.sh"

echo jira >"$T/mode"
python3 "$TESTS/lib/ticket-receiver.py" "$T/port" "$T/requests" "$T/mode" &
PIDS+=($!)
wait_for "[ -s '$T/port' ]"
URL=http://127.0.0.1:$(cat "$T/port")
write_config <<EOF2
[ticket]
kind = jira
url = $URL
project = OPS
issue_type = Incident
user = bot@example.com
token = s3cret-token
timeout = 5s
retries = 3
EOF2
chmod 600 "$CFG"
start_daemon
ls_ incident open --severity 2 --title "Checkout answers in English" \
	--description "German customers get English answers" >/dev/null
ls_ incident note 1 "rolled back prompt release 41" >/dev/null

note "export to Jira: the key lands on the incident and its timeline"
out=$(ls_ incident ticket 1)
assert_eq "$out" "ticket OPS-1 $URL/browse/OPS-1"
assert_eq "$(ls_ incident show 1 --json | json_get incident.ticket_key)" "OPS-1"
assert_contains "$(ls_ incident show 1)" "ticket OPS-1 created: $URL/browse/OPS-1"
python3 - "$T/requests" <<'PY'
import base64, json, sys
req = json.loads(open(sys.argv[1]).readlines()[-1])
assert req["path"] == "/rest/api/2/issue", req["path"]
headers = {k.lower(): v for k, v in req["headers"].items()}
assert headers["authorization"] == "Basic " + base64.b64encode(b"bot@example.com:s3cret-token").decode()
body = json.loads(req["body"])
f = body["fields"]
assert f["project"]["key"] == "OPS" and f["issuetype"]["name"] == "Incident", f
assert f["summary"] == "[SEV2] Checkout answers in English", f["summary"]
assert "rolled back prompt release 41" in f["description"], f["description"]
PY
note "a second export is refused: it has its ticket"
expect_exit 1 ls_ incident ticket 1
assert_contains "$OUT" "incident 1 is exported already as OPS-1"

note "a failure that may pass is retried in the background until it does"
ls_ incident open --severity 1 --title "Assistant down" >/dev/null
echo 500 >"$T/mode"
expect_exit 1 ls_ incident ticket 2
assert_contains "$OUT" "HTTP 500"
assert_contains "$OUT" "trying again in 5s"
echo jira >"$T/mode"
wait_for '[ "$(ls_ incident show 2 --json | json_get incident.ticket_key)" = OPS-2 ]' 20
out=$(ls_ incident show 2)
assert_contains "$out" "ticket export failed: Jira at $URL: HTTP 500"
assert_contains "$out" "ticket OPS-2 created"

note "a failure that will not pass is reported once, not retried"
ls_ incident open --severity 3 --title "Typo" >/dev/null
echo 400 >"$T/mode"
expect_exit 1 ls_ incident ticket 3
assert_contains "$OUT" "HTTP 400"
assert_not_contains "$OUT" "trying again"
echo jira >"$T/mode"
sleep 6
assert_eq "$(ls_ incident show 3 --json | json_get incident.ticket_key)" "None"

note "the token is in no reply, timeline, audit entry or log"
! sqlite3 "$T/data/leitstand.db" ".dump" | grep -q "s3cret" || fail "token stored"
! grep -q "s3cret" "$T/daemon.log" || fail "token logged"

note "operators may not export"
sed -i 's/^\[ticket\]/[roles]\nowner = operator\n[ticket]/' "$CFG"
kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'role      operator'"
expect_exit 1 ls_ incident ticket 3
assert_contains "$OUT" "incident.ticket needs role engineer"

note "postmortem and handover, as Markdown"
ls_ incident ack 1 >/dev/null
out=$(ls_ incident report 1)
assert_contains "$out" "# Postmortem: incident #1 Checkout answers in English"
assert_contains "$out" "OPS-1"
assert_contains "$out" "rolled back prompt release 41"
out=$(ls_ handover --since 1h)
assert_contains "$out" "# Shift handover"
assert_contains "$out" "SEV1"
assert_contains "$out" "Assistant down"
expect_exit 2 ls_ handover --since soon
