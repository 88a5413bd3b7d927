#!/bin/bash
# GDPR erase in careless or malicious hands: two real admin users try subjects that name
# nobody (":", "{", ",", blanks, a JSON fragment) through the CLI and the raw protocol, and a
# common word that matches most of a table. Each is refused, nothing is erased, a viewer stays
# served, the store's integrity and the audit chain hold; an erase forced through anyway
# leaves its trace: the forcing admin in the audit log and erased details counted by verify.
. "$(dirname "$0")/../lib/lib.sh"
need_root

careless=lec$$ mallory=lem$$ vic=lev$$ group=leg$$
test_users "$group" "$careless" "$mallory" "$vic"
chmod 755 "$T"
write_config <<EOF2
group = $group
[roles]
admin = $careless, $mallory
viewer = $vic
EOF2
chmod 644 "$CFG"
start_daemon
DB=$T/data/leitstand.db

note "an ordinary night: a person in a few records, one word in most incidents"
ls_ incident open --severity 2 --title "Anna Schmidt cannot log in" >/dev/null
ls_ incident note 1 "Called Anna Schmidt back" >/dev/null
for i in $(seq 14); do
	ls_ incident open --severity 4 --title "Checkout slow in shop $i" >/dev/null
	ls_ incident note "$((i + 1))" "checked the checkout queue: {\"shop\": $i}" >/dev/null
done
stored() {
	sqlite3 "$DB" "SELECT id, title, description FROM incident ORDER BY id;
		SELECT id, actor, text, data FROM timeline ORDER BY id;
		SELECT seq, details FROM audit WHERE action != 'gdpr.erase' ORDER BY seq;
		SELECT count(*) FROM audit WHERE details IS NULL"
}
before=$(stored)

note "subjects that name nobody are refused, with --force and without, for both admins"
for who in "$careless" "$mallory"; do
	for s in ":" '":"' "{" "}" "," '","' '"' " " "" '{"":[]}' "[]" "::::" "a:" " b " \
		"%%%" "__" "x'" '"a"'; do
		rc=0
		OUT=$(as "$who" gdpr erase --subject "$s" --force 2>&1) || rc=$?
		[ "$rc" -eq 1 ] || fail "$who erased \"$s\": exit $rc: $OUT"
		assert_contains "$OUT" "the subject needs at least 3 letters or digits"
	done
done
assert_eq "$(stored)" "$before" "a refused subject changed something"

note "the raw protocol gets the same refusals, and bad argument types are refused"
runuser -u "$mallory" -- python3 - "$SOCK" >"$T/raw.out" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
reqs = [
    {"op": "gdpr.erase", "subject": ":", "force": True},
    {"op": "gdpr.erase", "subject": "\u00a0\u2026\u3000\u00a0", "force": True},
    {"op": "gdpr.erase", "subject": "ab\u0000cdef", "force": True},
    {"op": "gdpr.erase", "subject": 123},
    {"op": "gdpr.erase", "subject": "checkout", "force": "yes"},
    {"op": "gdpr.erase", "subject": "checkout"},
    {"op": "gdpr.erase", "subject": "x" * 300},
    {"op": "gdpr.export", "subject": "{"},
]
f = s.makefile("rb")
for i, r in enumerate(reqs, 1):
    r["id"] = i
    s.sendall(json.dumps(r).encode() + b"\n")
    reply = json.loads(f.readline())
    print(json.dumps(reply))
PY
python3 - "$T/raw.out" <<'PY'
import json, sys
replies = [json.loads(l) for l in open(sys.argv[1])]
assert len(replies) == 8, replies
for r in replies:
    assert r["ok"] is False and r["error"]["code"] == "invalid_argument", r
msgs = [r["error"]["message"] for r in replies]
for i in (0, 1, 2, 7):
    assert "at least 3 letters or digits" in msgs[i], msgs[i]
assert "must be a string" in msgs[3], msgs[3]
assert "must be true or false" in msgs[4], msgs[4]
assert "is this a person?" in msgs[5] and "of 15 incidents" in msgs[5], msgs[5]
assert "longer than 256 bytes" in msgs[6], msgs[6]
PY
assert_eq "$(stored)" "$before" "a refused request changed something"

note "a common word is refused without --force; a dry run shows how much of the store it is"
expect_exit 1 as "$careless" gdpr erase --subject "checkout"
assert_contains "$OUT" "the subject matches 14 of 15 incidents (93 %), more than [privacy] erase_max_share (5 %): is this a person?"
out=$(as "$careless" gdpr erase --subject "Checkout" --dry-run)
assert_contains "$out" "dry run, nothing changed"
assert_contains "$out" "in 14 of 15 incidents (93 %)"
# Bound as a parameter: SQL in a subject is only text that nothing stored holds.
out=$(as "$mallory" gdpr erase --subject "x') OR 1=1 --")
assert_contains "$out" "nothing stored mentions the subject"
assert_eq "$(stored)" "$before" "a refusal or a dry run changed something"

note "a viewer may not erase at all, and stays served"
expect_exit 1 as "$vic" gdpr erase --subject "Anna Schmidt"
assert_contains "$OUT" "gdpr.erase needs role admin"
assert_contains "$(as "$vic" incident show 1)" "Anna Schmidt cannot log in"

note "nothing lost: integrity, the chain, no erased details"
assert_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" "ok"
as "$vic" audit verify >"$T/verify" 2>"$T/warnings" || fail "audit verify: $(cat "$T/verify")"
assert_contains "$(cat "$T/verify")" "chain intact"
assert_not_contains "$(cat "$T/verify")" "erased"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE details_removed IS NOT NULL")" "0"

note "the person is erased by the careless admin; a forced erase by mallory leaves its trace"
out=$(as "$careless" gdpr erase --subject "Anna Schmidt")
assert_contains "$out" "incident.title           1"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM incident WHERE title LIKE '%Anna%'")" "0"
out=$(as "$mallory" gdpr erase --subject "checkout" --force)
assert_contains "$out" "incident.title           14"
entry=$(ls_ audit list --limit 1 --json)
assert_eq "$(echo "$entry" | json_get entries.0.actor)" "$mallory"
assert_eq "$(echo "$entry" | json_get entries.0.action)" "gdpr.erase"
assert_contains "$(echo "$entry" | json_get entries.0.details)" '"force":true'
erased=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE details_removed = 'erased'")
[ "$erased" -ge 15 ] || fail "only $erased audit entries marked erased"
out=$(as "$vic" audit verify 2>/dev/null)
assert_contains "$out" "chain intact"
assert_contains "$out" "details gone from $erased entries: $erased erased (GDPR);"
assert_eq "$(sqlite3 "$DB" 'PRAGMA integrity_check')" "ok"
as "$vic" status >/dev/null
