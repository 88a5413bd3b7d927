#!/bin/bash
# Escalation to people, with the command hook as the channel (the MTA and webhook channels
# have their own test): a SEV1 nobody acknowledges pages L1's on-call, then L2's after the
# acknowledge target, says so when L3 has nobody, pages the chain again, and stops at the
# acknowledgement; every try on the timeline, each notice once (a restart pages nobody twice).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS/lib/mta.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create the on-call users"; exit 77; }
l1=lte1$$
l2=lte2$$
lead=lte3$$
leads=lteg$$
groupadd "$leads"
useradd -M -N -s /bin/sh "$l1"
useradd -M -N -s /bin/sh "$l2"
useradd -M -N -s /bin/sh -G "$leads" "$lead"
trap 'rc=$?; cleanup || rc=1; userdel "$l1"; userdel "$l2"; userdel "$lead"; groupdel "$leads"; exit $rc' EXIT

note "config check: a bad policy or trigger is an error"
check_bad() {
	local want=$1
	cat >"$T/bad.ini"
	expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
	assert_contains "$OUT" "$want"
}
check_bad 'escalation.sev1: "L1, L4" is not a list of levels L1, L2, L3' <<'EOF2'
[escalation]
sev1 = L1, L4
EOF2
check_bad "triggers: no-such-user-here: no such user" <<'EOF2'
[triggers]
opened = no-such-user-here
EOF2
check_bad "triggers: @no-such-group-here: no such group" <<'EOF2'
[triggers]
proposal = @no-such-group-here
EOF2
check_bad "escalation.fallback: nobody-here: no such user" <<'EOF2'
[escalation]
fallback = nobody-here
EOF2

# The hook: each notice's JSON, one line per notice, in a file per recipient.
cat >"$T/hook" <<EOF2
#!/bin/sh
python3 -c 'import json, sys
n = json.load(sys.stdin)
open("$T/inbox-" + n["user"], "a").write(json.dumps(n) + "\n")'
EOF2
chmod 755 "$T/hook"
write_config <<EOF2
[incidents]
ack_sev1 = 3s
timer_interval = 1s
[escalation]
sev1 = L1, L2, L3
repeat = 1
retries = 2
retry_wait = 1s
[oncall.L1]
participants = $l1
[oncall.L2]
participants = $l2
[triggers]
opened = @$leads, L1
[notify]
command = $T/hook
[user.$l1]
command = yes
[user.$l2]
command = yes
[user.$lead]
command = yes
EOF2
start_daemon
inbox() { cat "$T/inbox-$1" 2>/dev/null | wc -l; }
field() { tail -n 1 "$T/inbox-$1" | json_get "$2"; }

note "a SEV1 opens: L1's on-call is paged at once, with the command that acknowledges"
ls_ incident open --severity 1 --title "Checkout answers fail" >/dev/null
wait_for '[ "$(inbox $l1)" = 1 ]' 10
assert_eq "$(field $l1 event)" "opened"
assert_eq "$(field $l1 incident)" "1"
assert_contains "$(field $l1 ack_command)" "leitstand incident ack 1"
assert_contains "$(field $l1 summary)" "SEV1 #1"
[ "$(inbox $l2)" = 0 ] || fail "L2 paged before the acknowledge target"
note "[triggers] opened: the @group's members are told too; L1, named twice, once"
wait_for '[ "$(inbox $lead)" = 1 ]' 10
assert_eq "$(field $lead event)" "opened"
sleep 1
[ "$(inbox $l1)" = 1 ] || fail "L1 told twice of one opening"

note "nobody acknowledges: L2's on-call after the target; L3 has nobody, and the timeline says so"
wait_for '[ "$(inbox $l2)" = 1 ]' 10
assert_eq "$(field $l2 event)" "escalated"
assert_eq "$(field $l2 level)" "2"
wait_for 'ls_ incident show 1 | grep -q "nobody paged at L3"' 10
out=$(ls_ incident show 1)
assert_contains "$out" "command to $l1: delivered"
assert_contains "$out" "command to $l2: delivered"

note "at L3 the chain is paged again once (repeat = 1), then no more"
wait_for '[ "$(inbox $l1)" = 2 ]' 10
assert_eq "$(field $l1 event)" "ack_overdue"
wait_for 'ls_ incident show 1 | grep -q "paging the chain again (1 of 1)"' 5
sleep 5
[ "$(inbox $l1)" = 2 ] || fail "paged more than repeat allows: $(inbox $l1)"

note "a restart pages nobody twice"
stop_daemon
start_daemon
sleep 3
[ "$(inbox $l1)" = 2 ] && [ "$(inbox $l2)" = 2 ] ||
	fail "a restart paged again: $(inbox $l1) and $(inbox $l2)"

note "an acknowledgement stops the escalation of a second incident"
ls_ incident open --severity 1 --title "Second outage" >/dev/null
wait_for '[ "$(inbox $l1)" = 3 ]' 10
ls_ incident ack 2 >/dev/null
sleep 6
[ "$(inbox $l2)" = 2 ] || fail "L2 paged for an acknowledged incident"

note "a hook that fails for now (exit 75) is retried, each try on the timeline, then given up"
cat >"$T/hook" <<'EOF2'
#!/bin/sh
echo "gateway unreachable" >&2
exit 75
EOF2
ls_ incident open --severity 1 --title "Third outage" >/dev/null
wait_for 'ls_ incident show 3 | grep -q "command to '$l1': failed (no further try)"' 20
out=$(ls_ incident show 3)
assert_contains "$out" "command to $l1: failed (try 1 of 3; next in 1s)"
assert_contains "$out" "command to $l1: failed (try 2 of 3; next in 2s)"
ls_ incident ack 3 >/dev/null

note "every try is in the store; a SEV4 pages nobody (the policy lists no level)"
ls_ incident open --severity 4 --title "Typo" >/dev/null
sleep 2
[ "$(sqlite3 "$T/data/leitstand.db" "SELECT count(*) FROM page WHERE incident_id = 4")" = 0 ] ||
	fail "a SEV4 was paged"

note "e-mail through a real Postfix: L1's mailbox, then L2's after the target, none after the ack"
MTA_MAILBOXES="$l1 $l2" start_mta
cat >>"$CFG" <<EOF2
[notify]
smtp_url = smtp://127.0.0.1:$MTA_PORT
from = leitstand@ops.example.com
host = ops.example.com
[user.$l1]
email = $l1@example.com
channels = email
[user.$l2]
email = $l2@example.com
channels = email
EOF2
# The earlier [notify] and [user.*] keys stay; the later ones win.
ls_ config reload >/dev/null
id=$(ls_ incident open --severity 1 --title "Checkout is down" --json | json_get incident.id)
wait_for '[ -n "$(mta_mail $l1)" ]' 20
subject=$(python3 -c 'import email, email.header, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(str(email.header.make_header(email.header.decode_header(m["Subject"]))))' "$(mta_mail $l1 | tail -1)")
assert_contains "$subject" "[SEV1] #$id Checkout is down"
assert_contains "$(cat "$(mta_mail $l1 | tail -1)")" "ssh ops.example.com leitstand incident ack $id"
[ -z "$(mta_mail $l2)" ] || fail "L2 mailed before the acknowledge target"
wait_for '[ -n "$(mta_mail $l2)" ]' 20
ls_ incident ack "$id" >/dev/null
sleep 8
[ "$(mta_mail $l1 | wc -l)" = 1 ] && [ "$(mta_mail $l2 | wc -l)" = 1 ] ||
	fail "mailed after the acknowledgement: $(mta_mail $l1 | wc -l), $(mta_mail $l2 | wc -l)"
assert_contains "$(ls_ incident show "$id")" "email to $l1: delivered — 250"

note "the mail server down: the try fails and is retried, shown; the incident keeps its course"
stop_mta
id=$(ls_ incident open --severity 1 --title "Payments fail" --json | json_get incident.id)
wait_for 'ls_ incident show '$id' | grep -q "email to '$l1': failed (try 1 of 3"' 20
wait_for '[ "$(ls_ incident show '$id' --json | json_get incident.level)" = 2 ]' 20
