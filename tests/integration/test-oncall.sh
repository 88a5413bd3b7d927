#!/bin/bash
# On-call schedules: config check of [oncall.Lx], who is on call (DST-safe, overrides applied),
# overrides added, listed and removed with audit entries and refusals, the status warning for a
# level with nobody, the handover's table, and the iCalendar export parsed by ical.js.
. "$(dirname "$0")/../lib/lib.sh"

[ -d "$TESTS/peers/node_modules/ical.js" ] || fail "tests/peers/node_modules is missing: run make deps"
me=$(id -un)
# Accounts every Debian system has: participants must be local users.
for u in daemon bin sys; do getent passwd "$u" >/dev/null || fail "no local user $u"; done

# Unix seconds of a wall time in a zone, by Python's own tz code (not ours).
at() {
	python3 -c 'import sys, datetime, zoneinfo
print(int(datetime.datetime.fromisoformat(sys.argv[2]).replace(
    tzinfo=zoneinfo.ZoneInfo(sys.argv[1])).timestamp()))' "$1" "$2"
}

note "config check: every bad [oncall.Lx] input is an error at its file:line"
check_bad() {
	local want=$1
	cat >"$T/bad.ini"
	expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
	assert_contains "$OUT" "$want"
}
check_bad "bad.ini:1: oncall.L1: needs participants" <<'EOF2'
[oncall.L1]
handoff = 09:00
EOF2
check_bad 'bad.ini:2: oncall.L1.participants: unknown user "no-such-user-here": no local account' <<'EOF2'
[oncall.L1]
participants = daemon, no-such-user-here
EOF2
check_bad 'bad.ini:2: oncall.L2.participants: @ops: participants are users, not groups' <<'EOF2'
[oncall.L2]
participants = @ops
EOF2
check_bad 'bad.ini:3: oncall.L1.timezone: "Europe/Atlantis": no such zone' <<'EOF2'
[oncall.L1]
participants = daemon
timezone = Europe/Atlantis
EOF2
check_bad 'bad.ini:3: oncall.L1.timezone: "../../../etc/passwd": zone name must not contain ..' <<'EOF2'
[oncall.L1]
participants = daemon
timezone = ../../../etc/passwd
EOF2
check_bad 'bad.ini:3: oncall.L1.timezone: "/etc/localtime": zone name must not start with /' <<'EOF2'
[oncall.L1]
participants = daemon
timezone = /etc/localtime
EOF2
check_bad 'bad.ini:3: oncall.L3.handoff: "9:00" is not a time of day HH:MM' <<'EOF2'
[oncall.L3]
participants = daemon
handoff = 9:00
EOF2
check_bad 'bad.ini:2: oncall.L1.handoff: "24:00" is not a time of day' <<'EOF2'
[oncall.L1]
handoff = 24:00
participants = daemon
EOF2
check_bad 'bad.ini:3: oncall.L1.length: "fortnightly" is not daily, weekly or a number of days from 1 to 366' <<'EOF2'
[oncall.L1]
participants = daemon
length = fortnightly
EOF2
check_bad 'bad.ini:3: oncall.L1.length: "367" is not daily' <<'EOF2'
[oncall.L1]
participants = daemon
length = 367
EOF2
check_bad 'bad.ini:3: oncall.L1.start: "2026-02-29" is not a date YYYY-MM-DD' <<'EOF2'
[oncall.L1]
participants = daemon
start = 2026-02-29
EOF2
check_bad 'bad.ini:3: oncall.L1.rota: unknown key' <<'EOF2'
[oncall.L1]
participants = daemon
rota = daemon
EOF2
check_bad 'bad.ini:1: section [oncall.L4]: the escalation levels are L1, L2 and L3' <<'EOF2'
[oncall.L4]
participants = daemon
EOF2

note "a good schedule passes"
write_config <<'EOF2'
[oncall.L1]
participants = daemon, bin, sys
handoff = 09:00
length = weekly
timezone = Europe/Berlin
start = 2026-01-05

[oncall.L2]
participants = sys, daemon
handoff = 02:30
length = daily
timezone = America/New_York
EOF2
assert_contains "$(ls_ config check "$CFG")" ": ok"
# The daemon's "now": 2026-12-01 00:00 UTC.
export LEITSTAND_TEST_TIME_NOW=1796083200
start_daemon

note "oncall --at: who, since, until and next per level; L3 has nobody"
out=$(ls_ oncall --at 2026-12-24T09:00:00Z --json)
# Week 50 since 2026-01-05: the third participant; L2 day 353: the second.
assert_eq "$(json_get levels.0.user <<<"$out")" "sys"
assert_eq "$(json_get levels.0.since <<<"$out")" "$(at Europe/Berlin 2026-12-21T09:00)"
assert_eq "$(json_get levels.0.until <<<"$out")" "$(at Europe/Berlin 2026-12-28T09:00)"
assert_eq "$(json_get levels.0.next.user <<<"$out")" "daemon"
assert_eq "$(json_get levels.1.user <<<"$out")" "daemon"
assert_eq "$(json_get levels.1.since <<<"$out")" "$(at America/New_York 2026-12-24T02:30)"
assert_eq "$(json_get levels.1.next.user <<<"$out")" "sys"
assert_eq "$(json_get levels.2.user <<<"$out")" "None"
assert_eq "$(json_get levels.2.configured <<<"$out")" "false"
out=$(ls_ oncall --at 2026-12-24T09:00:00Z)
assert_contains "$out" "L1  sys  until 2026-12-28 09:00 CET; next: daemon"
assert_contains "$out" "L3  nobody  (no [oncall.L3])"

note "the daily 02:30 hand-off on New York's spring-forward day happens at 03:00 EDT"
gap=$(at America/New_York 2026-03-08T03:00)
assert_eq "$gap" "$(at UTC 2026-03-08T07:00)"
out=$(ls_ oncall --at 2026-03-08T06:59:59Z --json)
assert_eq "$(json_get levels.1.user <<<"$out")" "daemon"
assert_eq "$(json_get levels.1.until <<<"$out")" "$gap"
out=$(ls_ oncall --at 2026-03-08T07:00:00Z --json)
assert_eq "$(json_get levels.1.user <<<"$out")" "sys"
assert_eq "$(json_get levels.1.since <<<"$out")" "$gap"
note "a weekly shift across Berlin's autumn change is 169 hours"
out=$(ls_ oncall --at 2026-10-20T12:00:00Z --json)
assert_eq $(( $(json_get levels.0.until <<<"$out") - $(json_get levels.0.since <<<"$out") )) $((169 * 3600))

note "the status warns that L3 has nobody; the handover lists who is on call"
assert_contains "$(ls_ status --json | json_get warnings)" "on call: nobody for L3"
out=$(ls_ handover)
assert_contains "$out" "## On call"
assert_contains "$out" "| L3 | nobody | - | - |"

note "override add: in the level's zone or ISO 8601; audited"
out=$(ls_ oncall override add L1 bin --from "2026-12-24 18:00" --until "2026-12-27T08:00:00+01:00" --for sys --json)
assert_eq "$(json_get override <<<"$out")" "1"
assert_eq "$(json_get starts_at <<<"$out")" "$(at Europe/Berlin 2026-12-24T18:00)"
assert_eq "$(json_get ends_at <<<"$out")" "$(at Europe/Berlin 2026-12-27T08:00)"
out=$(ls_ oncall --at 2026-12-25T00:00:00Z --json)
assert_eq "$(json_get levels.0.user <<<"$out")" "bin"
assert_eq "$(json_get levels.0.override <<<"$out")" "1"
assert_eq "$(json_get levels.0.for <<<"$out")" "sys"
assert_eq "$(json_get levels.0.until <<<"$out")" "$(at Europe/Berlin 2026-12-27T08:00)"
assert_eq "$(json_get levels.0.next.user <<<"$out")" "sys"
# The rotation's shift is cut short where the override begins.
out=$(ls_ oncall --at 2026-12-24T12:00:00Z --json)
assert_eq "$(json_get levels.0.user <<<"$out")" "sys"
assert_eq "$(json_get levels.0.until <<<"$out")" "$(at Europe/Berlin 2026-12-24T18:00)"
assert_eq "$(json_get levels.0.next.user <<<"$out")" "bin"
assert_contains "$(ls_ oncall --at 2026-12-25T00:00:00Z)" "L1  bin (override 1, for sys)"
out=$(ls_ audit list --action oncall.override.add --json)
assert_eq "$(json_get entries.0.actor <<<"$out")" "$me"
assert_eq "$(json_get entries.0.object <<<"$out")" "oncall L1 override 1"
assert_contains "$(json_get entries.0.details <<<"$out")" '"user":"bin"'
# Another level's override at the same time is no overlap.
ls_ oncall override add 2 daemon --from "2026-12-24 18:00" --until "2026-12-26 00:00" >/dev/null

note "overrides that overlap, end before they start, or name unknown users are refused"
expect_exit 1 ls_ oncall override add L1 daemon --from "2026-12-26 00:00" --until "2026-12-30 00:00"
assert_contains "$OUT" "overlaps override 1 of L1 (bin from 2026-12-24 18:00 CET to 2026-12-27 08:00 CET)"
expect_exit 1 ls_ oncall override add L1 daemon --from "2026-12-20 00:00" --until "2026-12-31 00:00"
assert_contains "$OUT" "overlaps override 1"
expect_exit 1 ls_ oncall override add L1 daemon --from "2027-01-02 10:00" --until "2027-01-02 10:00"
assert_contains "$OUT" "until must be after from"
expect_exit 1 ls_ oncall override add L1 daemon --from "2027-01-03 10:00" --until "2027-01-02 10:00"
assert_contains "$OUT" "until must be after from"
expect_exit 1 ls_ oncall override add L1 no-such-user-here --from "2027-01-02 10:00" --until "2027-01-03 10:00"
assert_contains "$OUT" 'user: unknown user "no-such-user-here": no local account'
expect_exit 1 ls_ oncall override add L1 daemon --for nobody-at-all --from "2027-01-02 10:00" --until "2027-01-03 10:00"
assert_contains "$OUT" 'for: unknown user "nobody-at-all"'
expect_exit 1 ls_ oncall override add L1 "$(printf 'dae\nmon')" --from "2027-01-02 10:00" --until "2027-01-03 10:00"
assert_contains "$OUT" "user: a user name holds only letters, digits"
for bad in "tomorrow" "2026-02-30 10:00" "2027-01-02 25:00" "2027-01-02" "2027-01-02T10:00+99:00"; do
	expect_exit 1 ls_ oncall override add L1 daemon --from "$bad" --until "2027-01-03 10:00"
	assert_contains "$OUT" "from"
done
expect_exit 2 ls_ oncall override add L1 daemon --from "" --until "2027-01-03 10:00"
assert_contains "$OUT" "--from must not be empty"
expect_exit 2 ls_ oncall override add L1 daemon --from "$(printf '2%.0s' $(seq 100))" --until "2027-01-03 10:00"
expect_exit 2 ls_ oncall override add L4 daemon --from "2027-01-02 10:00" --until "2027-01-03 10:00"
expect_exit 2 ls_ oncall override add L1 daemon --from "2027-01-02 10:00"
expect_exit 2 ls_ oncall override
assert_contains "$OUT" "oncall override needs a subcommand, one of:"
expect_exit 2 ls_ oncall overide add
assert_contains "$OUT" 'oncall: no subcommand "overide"; one of:'
expect_exit 1 ls_ oncall --at "next tuesday"
assert_contains "$OUT" "is not a time like 2026-12-24 18:00"

note "override list and remove; remove is audited"
out=$(ls_ oncall override list --json)
assert_eq "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["overrides"]))' <<<"$out")" "2"
out=$(ls_ oncall override list --level L2 --json)
assert_eq "$(json_get overrides.0.user <<<"$out")" "daemon"
assert_contains "$(ls_ oncall override list)" "bin for sys (by $me)"
assert_contains "$(ls_ oncall override remove 2)" "override 2 removed"
expect_exit 1 ls_ oncall override remove 2
assert_contains "$OUT" "no on-call override 2"
out=$(ls_ audit list --action oncall.override.remove --json)
assert_eq "$(json_get entries.0.object <<<"$out")" "oncall L2 override 2"
assert_contains "$(json_get entries.0.details <<<"$out")" '"user":"daemon"'
assert_eq "$(ls_ audit verify --json | json_get intact)" "true"

note "export: an iCalendar ical.js reads, shifts in UTC, the override applied"
name='Support-Bot; EU, "Nord" \ mit einem Namen, der lang genug ist, um gefaltet zu werden: äöü äöü'
write_config <<EOF2
[assistant]
name = $name

[oncall.L1]
participants = daemon, bin, sys
timezone = Europe/Berlin

[oncall.L2]
participants = sys, daemon
handoff = 02:30
length = daily
timezone = America/New_York
EOF2
kill -HUP "$DAEMON_PID"
wait_for "ls_ status --json | grep -q 'Support-Bot'"
assert_eq "$(ls_ oncall export --from 2026-12-21T00:00:00Z --weeks 1 --out "$T/oncall.ics")" "$T/oncall.ics: 12 events"
node "$TESTS/peers/ical-events.cjs" "$T/oncall.ics" >"$T/events.jsonl"
python3 - "$T/oncall.ics" "$T/events.jsonl" "$name" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
lines = raw.split(b"\r\n")
assert lines[-1] == b"", "the file ends with CRLF"
assert b"\n" not in raw.replace(b"\r\n", b""), "a bare LF"
for l in lines:
    assert len(l) <= 75, "a line over 75 octets: %r" % l
    l.decode("utf-8")	# no fold splits a character
head, *events = [json.loads(l) for l in open(sys.argv[2])]
assert head == {"version": "2.0", "prodid": "-//Leitstand//On call//EN"}, head
got = [(e["summary"], e["start"], e["end"]) for e in events]
want = [
    ("On call L1: bin", "2026-12-14T08:00:00.000Z", "2026-12-21T08:00:00.000Z"),
    ("On call L1: sys", "2026-12-21T08:00:00.000Z", "2026-12-24T17:00:00.000Z"),
    ("On call L1: bin", "2026-12-24T17:00:00.000Z", "2026-12-27T07:00:00.000Z"),
    ("On call L1: sys", "2026-12-27T07:00:00.000Z", "2026-12-28T08:00:00.000Z"),
]
assert got[:4] == want, got[:4]
l2 = [g for g in got if g[0].startswith("On call L2")]
assert len(l2) == 8 and all(g[0] in ("On call L2: sys", "On call L2: daemon") for g in l2), l2
assert l2[0][1] == "2026-12-20T07:30:00.000Z" and l2[-1][2] == "2026-12-28T07:30:00.000Z", l2
assert all(e["utc"] for e in events)
assert events[2]["description"] == "Override 1 for sys", events[2]
uids = [e["uid"] for e in events]
assert len(set(uids)) == len(uids)
assert uids[1].startswith("oncall-L1-20261221T080000Z@support-bot--eu---nord"), uids[1]
assert all(e["dtstamp"] == "2026-12-01T00:00:00Z" for e in events)
cal = raw.decode().replace("\r\n ", "")
assert "X-WR-CALNAME:On call: Support-Bot\\; EU\\, \"Nord\" \\\\ mit einem Namen\\, der" in cal, cal
PY
# The UIDs stay the same on the next export: calendars update instead of doubling.
ls_ oncall export --from 2026-12-22T00:00:00Z --weeks 1 --out "$T/again.ics" >/dev/null
assert_eq "$(grep -c 'UID:oncall-L1-20261221T080000Z@' "$T/again.ics")" "1"
assert_contains "$(ls_ oncall export --weeks 1 | head -n 1)" "BEGIN:VCALENDAR"
expect_exit 2 ls_ oncall export --weeks 0
expect_exit 2 ls_ oncall export --weeks 53
expect_exit 1 ls_ oncall export --out "$T/no/such/dir/x.ics"
assert_contains "$OUT" "No such file or directory"

note "the console: the status line warns that L3 has nobody; the Handover view shows who is on call"
console c 120x40 TERM=xterm-256color LANG=C.UTF-8
wait_screen c "on call: nobody for L3"
keys c 6
wait_screen c "On call"
wait_screen c "| L3 | nobody | - | - |"
screen_ c | grep -q "| L1 | [a-z]* | 2026-" || fail "no L1 row in the handover: $(screen_ c)"
note "an override from the console: :cover"
keys c : "cover L9 daemon" Enter
wait_screen c ":cover needs a level, a user and two times"
keys c : "cover L2 daemon 2027-02-01 10:00 2027-02-02 10:00" Enter
wait_screen c "on-call override"
ls_ oncall override list --all | grep -q "daemon" || fail "the console's override is not stored"

note "a viewer may read the schedule but not add or remove overrides"
cat >>"$CFG" <<'EOF2'

[roles]
owner = viewer
EOF2
kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'role      viewer'"
ls_ oncall >/dev/null
ls_ oncall override list >/dev/null
expect_exit 1 ls_ oncall override add L1 daemon --from "2027-01-02 10:00" --until "2027-01-03 10:00"
assert_contains "$OUT" "oncall.override.add needs role engineer; $me is viewer"
expect_exit 1 ls_ oncall override remove 1
assert_contains "$OUT" "oncall.override.remove needs role engineer"
assert_eq "$(ls_ oncall override list --json | json_get overrides.0.id)" "1"
