#!/bin/bash
# Incidents through the real daemon and CLI: lifecycle, roles, redaction, timers, events.
. "$(dirname "$0")/../lib/lib.sh"

me=$(id -un)
# config_as ROLE [ACK_TIMEOUT]: a 3s return to triggered only where it is tested, so a slow
# machine never sends an incident back in the middle of the role checks.
config_as() {
	write_config <<EOF2
[roles]
owner = $1
[incidents]
ack_sev1 = 2s
ack_sev2 = 1h
ack_timeout = ${2:-1h}
timer_interval = 1s
EOF2
}
config_as operator
start_daemon
field() { ls_ incident show "$1" --json | json_get "incident.$2"; }

note "open: personal data in title and description is redacted before it is stored"
out=$(ls_ incident open --severity 2 --title "Bot quotes customer max.mustermann@example.de" \
	--description "Kunde +49 171 1234567 zahlt von DE89 3704 0044 0532 0130 00")
assert_eq "$out" "opened incident 1"
assert_eq "$(field 1 title)" "Bot quotes customer [email]"
assert_eq "$(field 1 description)" "Kunde [phone] zahlt von [iban]"
! sqlite3 "$T/data/leitstand.db" "SELECT * FROM incident; SELECT * FROM timeline;
	SELECT * FROM audit" | grep -q "mustermann\|171 1234567\|3704 0044" || fail "personal data stored"
assert_eq "$(field 1 status)" "triggered"
assert_eq "$(field 1 level)" "1"

note "an operator acknowledges and notes; may not resolve or escalate"
ls_ incident ack 1 >/dev/null
assert_eq "$(field 1 status)" "acknowledged"
assert_eq "$(field 1 assignee)" "$me"
ls_ incident note 1 "called back on 0171/1234567" >/dev/null
assert_contains "$(ls_ incident show 1)" "note           $me: called back on [phone]"
expect_exit 1 ls_ incident resolve 1
assert_contains "$OUT" "forbidden: incident.resolve needs role engineer; $me is operator"
expect_exit 1 ls_ incident escalate 1
assert_contains "$OUT" "incident.escalate needs role engineer"
note "state rules: no second acknowledgement, unknown incidents"
expect_exit 1 ls_ incident ack 1
assert_contains "$OUT" "incident 1 is acknowledged: only a triggered incident can be acknowledged"
expect_exit 1 ls_ incident ack 99
assert_contains "$OUT" "no incident 99"
expect_exit 2 ls_ incident open --title x --severity 7

note "an engineer escalates (and watches), mitigates, resolves; reopen"
config_as engineer
ls_ config reload >/dev/null 2>&1 || kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'role      engineer'"
ls_ incident escalate 1 "needs the platform team" >/dev/null
assert_eq "$(field 1 level)" "2"
assert_eq "$(sqlite3 "$T/data/leitstand.db" "SELECT user FROM watch WHERE incident_id = 1")" "$me"
ls_ incident mitigate 1 "traffic moved to the fallback model" >/dev/null
ls_ incident resolve 1 "rolled back the prompt" >/dev/null
assert_eq "$(field 1 status)" "resolved"
# What was written with mitigate, resolve and reopen stays on the timeline and in the postmortem.
shown=$(ls_ incident show 1)
assert_contains "$shown" "mitigated by $me: traffic moved to the fallback model"
assert_contains "$shown" "resolved by $me: rolled back the prompt"
assert_contains "$(ls_ incident report 1)" "resolved by $me: rolled back the prompt"
[ "$(field 1 mttr)" -ge 0 ] || fail "no MTTR"
expect_exit 1 ls_ incident note 99 x
ls_ incident reopen 1 "the errors are back" >/dev/null
assert_eq "$(field 1 status)" "triggered"
assert_contains "$(ls_ incident show 1)" "reopened by $me: the errors are back"

note "severity: set with a reason (engineer), SEV3, sev3 and 3 alike; the ack target follows"
ls_ incident reopen 1 >/dev/null 2>&1 || true
ls_ incident severity 1 SEV1 "checkout is down for everyone" >/dev/null
assert_eq "$(field 1 severity)" "1"
assert_contains "$(ls_ incident show 1)" "severity SEV2 to SEV1 by $me: checkout is down for everyone"
ls_ incident severity 1 sev3 >/dev/null
assert_eq "$(field 1 severity)" "3"
expect_exit 1 ls_ incident severity 1 3
assert_contains "$OUT" "incident 1 is SEV3 already"
expect_exit 2 ls_ incident severity 1 SEV9
assert_contains "$OUT" "is not a number from 1 to 4"
assert_eq "$(ls_ audit list --action incident.severity --json | json_get entries.0.object)" "incident 1"
assert_contains "$(ls_ incident list --severity SEV3 --json | json_get total)" "1"
expect_exit 2 ls_ incident open --title "Typo in the greeting" --severity SEV5
assert_contains "$OUT" "--severity: 5 is not a number from 1 to 4"

note "a subcommand missing or unknown lists the ones there are; --json errors are JSON"
expect_exit 2 ls_ incident
assert_contains "$OUT" "incident needs a subcommand, one of:"
assert_contains "$OUT" "leitstand incident severity ID SEV [REASON...] [--json]"
expect_exit 2 ls_ incident bogus
assert_contains "$OUT" "incident: no subcommand \"bogus\"; one of:"
out=$(ls_ incident show 999 --json 2>/dev/null || true)
assert_eq "$(json_get error.code <<<"$out")" "not_found"
assert_eq "$(json_get error.message <<<"$out")" "no incident 999"

note "viewers may not acknowledge"
config_as viewer
kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'role      viewer'"
expect_exit 1 ls_ incident ack 1
assert_contains "$OUT" "incident.ack needs role operator; $me is viewer"
ls_ incident list >/dev/null

note "every change is audited, in the order it happened"
actions=$(ls_ audit list --limit 20 --json | python3 -c 'import json,sys
print(" ".join(e["action"] for e in reversed(json.load(sys.stdin)["entries"])))')
assert_contains "$actions" "incident.open incident.ack incident.note denied denied denied"
assert_contains "$actions" "incident.escalate incident.mitigate incident.resolve"
assert_contains "$actions" "incident.reopen incident.severity incident.severity config.reload denied"
ls_ audit verify >/dev/null

note "timers: a SEV1 not acknowledged within 2s escalates by itself, audited"
config_as operator 3s
kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'role      operator'"
ls_ incident open --severity 1 --title "Assistant down" >/dev/null
wait_for '[ "$(field 2 level)" = 2 ]' 10
assert_contains "$(ls_ incident show 2)" "escalated to L2 by leitstand: not acknowledged within 2s"
wait_for '[ "$(field 2 level)" = 3 ]' 10
sleep 3
assert_eq "$(field 2 level)" "3" "no level above L3"
assert_eq "$(ls_ audit list --actor leitstand --json | json_get entries.0.action)" "incident.escalate"
note "an acknowledged incident with no activity returns to triggered"
ls_ incident ack 2 >/dev/null
wait_for '[ "$(field 2 status)" = triggered ]' 10
assert_contains "$(ls_ incident show 2)" "returned to triggered: no activity for 3s"
note "snooze silences the timers"
ls_ incident ack 2 >/dev/null
ls_ incident snooze 2 --minutes 5 waiting for the vendor >/dev/null
sleep 4
assert_eq "$(field 2 status)" "acknowledged"
assert_contains "$(ls_ incident show 2)" "snoozed for 5m by $me: waiting for the vendor"

note "lists: order, filters, keyset pages, counts"
for i in $(seq 3 40); do
	ls_ incident open --severity $(( i % 4 + 1 )) --title "load $i" >/dev/null
done
out=$(ls_ incident list --json --limit 5)
assert_eq "$(echo "$out" | json_get total)" "40"
assert_eq "$(echo "$out" | json_get incidents.0.severity)" "1"
assert_eq "$(echo "$out" | json_get counts.open.0)" "11"
python3 - "$SOCK" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rb")
def call(**req):
    s.sendall(json.dumps(req).encode() + b"\n")
    return json.loads(f.readline())
# Walking forward page by page visits every incident once, in order.
seen, after = [], None
while True:
    req = {"id": 1, "op": "incident.list", "limit": 7}
    if after: req["after"] = after
    r = call(**req)
    rows = r["incidents"]
    if not rows: break
    assert r["offset"] == len(seen), (r["offset"], len(seen))
    seen += rows
    after = rows[-1]["id"]
assert len(seen) == 40 and len({i["id"] for i in seen}) == 40
keys = [(i["severity"], i["opened_at"], i["id"]) for i in seen]
assert keys == sorted(keys), "not in severity order"
# The last page, and the page before it.
last = call(id=2, op="incident.list", limit=7, last=True)
assert [i["id"] for i in last["incidents"]] == [i["id"] for i in seen[-7:]], last
before = call(id=3, op="incident.list", limit=7, before=last["incidents"][0]["id"])
assert [i["id"] for i in before["incidents"]] == [i["id"] for i in seen[-14:-7]]
# By id, newest first; filters.
byid = call(id=4, op="incident.list", order="id", limit=3)
assert [i["id"] for i in byid["incidents"]] == [40, 39, 38], byid
sev1 = call(id=5, op="incident.list", severity=["1"], status=["triggered"], limit=100)
assert all(i["severity"] == 1 and i["status"] == "triggered" for i in sev1["incidents"])
found = call(id=6, op="incident.list", search="load 3")
assert {i["title"] for i in found["incidents"]} == {"load 3"} | {"load %d" % n for n in range(30, 40)}
bad = call(id=7, op="incident.list", status=["sleeping"])
assert bad["error"]["code"] == "invalid_argument", bad
PY

note "every console hears of every change"
python3 - "$SOCK" "$LEITSTAND" "$CFG" <<'PY'
import json, socket, subprocess, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
f = s.makefile("rb")
s.sendall(b'{"id":1,"op":"subscribe","topics":["incident"]}\n')
assert json.loads(f.readline())["ok"]
subprocess.run([sys.argv[2], "-c", sys.argv[3], "incident", "take", "5"], check=True,
               capture_output=True)
# The timers of the other incidents may speak first (an escalation): skip those.
ev = json.loads(f.readline())
while not (ev.get("action") == "take" and ev.get("incident", {}).get("id") == 5):
    ev = json.loads(f.readline())
assert ev["event"] == "incident" and ev["action"] == "take", ev
assert ev["incident"]["id"] == 5 and ev["incident"]["assignee"], ev
PY
