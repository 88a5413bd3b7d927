#!/bin/bash
# Ticket export against a loopback receiver that checks what Jira would check; postmortem and
# handover reports.
. "$(dirname "$0")/../lib/lib.sh"

# A header value from the environment, with what JSON escapes in it; the daemon reads it.
export HOOK_KEY='hk-7/"q"-secret'
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

note "webhook headers are sent, and an error reply that echoes them stores none of them"
write_config <<EOF2
[ticket]
kind = webhook
url = $URL/hook
token = s3cret-token
headers = X-Api-Key: env:HOOK_KEY; X-Team: night-shift-42
retries = 0
EOF2
ls_ config reload >/dev/null
echo echo >"$T/mode"
expect_exit 1 ls_ incident ticket 3
assert_contains "$OUT" "webhook at $URL: HTTP 400: "
assert_contains "$OUT" '"X-Api-Key": "[redacted]", "X-Team": "[redacted]"'
assert_not_contains "$OUT" "hk-7"
python3 - "$T/requests" <<'PY'
import json, os, sys
req = json.loads(open(sys.argv[1]).readlines()[-1])
h = {k.lower(): v for k, v in req["headers"].items()}
assert h["x-api-key"] == os.environ["HOOK_KEY"] and h["x-team"] == "night-shift-42", h
PY
echo echokey >"$T/mode"
ls_ incident open --severity 4 --title "Echoed key" >/dev/null
out=$(ls_ incident ticket 4)
assert_contains "$out" "[redacted]"
{
	echo "$OUT"
	echo "$out"
	ls_ incident show 3
	ls_ incident show 4 --json
	ls_ audit export --format json
	sqlite3 "$T/data/leitstand.db" .dump
	cat "$T/daemon.log" "$T"/data/leitstand.db*
} >"$T/stored" 2>&1
assert_contains "$(ls_ incident show 3)" "ticket export failed: webhook at $URL: HTTP 400: "
for v in hk-7 night-shift-42 s3cret; do
	! grep -aq -- "$v" "$T/stored" || fail "$v stored or shown: $(grep -a -m2 -- "$v" "$T/stored")"
done
echo jira >"$T/mode"

note "a requester that hangs up before the export ends: the ticket lands, its reply is dropped"
id=$(ls_ incident open --severity 2 --title "Requester hangs up" | sed "s/opened incident //")
echo "slow webhook" >"$T/mode"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"id\":1,\"op\":\"incident.ticket\",\"incident\":%d}\n" % int(sys.argv[2])); s.close()' "$SOCK" "$id"
wait_for "ls_ incident show $id | grep -q 'ticket WH-[0-9]* created'" 20
ls_ status >/dev/null
echo jira >"$T/mode"

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

note "the daemon stops cleanly: nothing of the dropped reply is left (ASan checks for leaks)"
stop_daemon
