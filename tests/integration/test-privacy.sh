#!/bin/bash
# Data protection: retention purges per class (and the audit chain still verifies), data-subject
# export and erasure through the real daemon, nothing of the subject left in the database
# files, and docs/data-map.md kept true against the live schema.
. "$(dirname "$0")/../lib/lib.sh"
REPO=$(cd "$TESTS/.." && pwd)

write_config <<EOF2
[retention]
audit_details = 3s
eval_transcripts = 0
EOF2
start_daemon
DB=$T/data/leitstand.db

note "notes and step notes; the old ones are backdated behind the daemon's back"
ls_ incident open --severity 2 --title "Anna Schmidt cannot log in" \
	--description "Reported by anna.schmidt@example.com" >/dev/null
ls_ incident note 1 "Called Anna Schmidt back, she will retry" >/dev/null
ls_ incident note 1 "fresh note about ANNA SCHMIDT" >/dev/null
ls_ playbook run api-errors --incident 1 >/dev/null
ls_ run note 1 1 "asked anna schmidt for a screenshot" >/dev/null
ls_ run step 1 1 skipped "Anna Schmidt was offline" >/dev/null
ls_ incident open --severity 4 --title "Unrelated: widget colour" >/dev/null
sqlite3 "$DB" "UPDATE timeline SET ts = ts - 400 * 86400 WHERE id = (SELECT min(id) FROM timeline
	WHERE kind = 'note'); UPDATE run_note SET at = at - 400 * 86400;
	UPDATE run_step SET at = at - 400 * 86400"
assert_contains "$(ls_ incident show 1)" "Reported by [email]"
# Two notices of incident 1: one of 100 days ago, one of now.
for age in 8640000 0; do
	sqlite3 "$DB" "INSERT INTO page (incident_id, key, event, user, channel, state, title,
		error, detail, created_at) VALUES (1, 'k$age', 'opened', 'root', 'email', 'failed',
		'Anna Schmidt cannot log in', '550 anna.schmidt@example.com: no such user',
		'550 5.1.1 <anna.schmidt@example.com>', strftime('%s', 'now') - $age)"
done
sleep 4	# audit_details = 3s: every entry so far is past it

note "only an admin purges"
write_config <<EOF2
[retention]
audit_details = 3s
eval_transcripts = 0
[roles]
owner = engineer
EOF2
kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'role      engineer'"
expect_exit 1 ls_ purge --dry-run
assert_contains "$OUT" "purge needs role admin"
expect_exit 1 ls_ gdpr export --subject "Anna Schmidt"
assert_contains "$OUT" "gdpr.export needs role admin"
write_config <<EOF2
[retention]
audit_details = 3s
eval_transcripts = 0
EOF2
kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'role      admin'"

note "a dry run counts per class and changes nothing"
out=$(ls_ purge --dry-run)
assert_contains "$out" "incident_notes       older than 365d: 1 would go"
assert_contains "$out" "playbook_notes       older than 365d: 2 would go"
assert_contains "$out" "eval_transcripts     kept for ever"
assert_contains "$out" "notification_details older than 90d: 3 would go"
n=$(ls_ purge --dry-run --json | python3 -c 'import json,sys
print([c for c in json.load(sys.stdin)["classes"] if c["class"] == "audit_details"][0]["count"])')
[ "$n" -ge 5 ] || fail "expected the old audit details to count, got $n"
assert_contains "$(ls_ incident show 1)" "Called Anna Schmidt back"

note "the purge removes exactly what is past its period; the chain still verifies"
out=$(ls_ purge)
assert_contains "$out" "incident_notes       older than 365d: 1 removed"
assert_contains "$out" "playbook_notes       older than 365d: 2 removed"
assert_contains "$out" "notification_details older than 90d: 3 removed"
assert_eq "$(sqlite3 "$DB" "SELECT key, title, error IS NULL, detail IS NULL FROM page ORDER BY key")" \
	"k0|Anna Schmidt cannot log in|0|0
k8640000|[removed after the retention period]|1|1"
echo "$out" | grep -q "audit_details        older than 3s: [1-9][0-9]* removed" ||
	fail "no audit details removed: $out"
show=$(ls_ incident show 1)
assert_not_contains "$show" "Called Anna Schmidt back"
assert_contains "$show" "note           root: [removed after the retention period]"
assert_contains "$show" "fresh note about ANNA SCHMIDT"
assert_eq "$(sqlite3 "$DB" "SELECT text FROM run_note")" "[removed after the retention period]"
assert_eq "$(sqlite3 "$DB" "SELECT note FROM run_step")" "[removed after the retention period]"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE details LIKE '%Anna%'")" "0"
ls_ audit verify >/dev/null
entry=$(ls_ audit list --limit 1 --json)
assert_eq "$(echo "$entry" | json_get entries.0.action)" "purge"
assert_contains "$(echo "$entry" | json_get entries.0.details)" '"class":"playbook_notes"'
assert_contains "$(ls_ purge --dry-run)" "playbook_notes       older than 365d: 0 would go"

note "a subject must name somebody: blanks, punctuation or under 3 letters are refused, forced or not"
stored() {
	sqlite3 "$DB" "SELECT title, description FROM incident; SELECT text, data FROM timeline;
		SELECT text FROM run_note; SELECT count(*) FROM audit WHERE details_removed = 'erased'"
}
before=$(stored)
expect_exit 1 ls_ gdpr export --subject " a "
assert_contains "$OUT" "at least 3 letters or digits"
for s in ":" '":"' "{" "," "" "   " "a.b" '{"":[],}' "@@@@@" "a b"; do
	expect_exit 1 ls_ gdpr erase --subject "$s" --force
	assert_contains "$OUT" "the subject needs at least 3 letters or digits"
done
expect_exit 1 ls_ gdpr erase --subject ":" --dry-run
assert_eq "$(stored)" "$before" "a refused erase changes nothing"
expect_exit 2 ls_ gdpr erase
assert_contains "$OUT" "--subject is required"
expect_exit 2 ls_ gdpr export --subject "Anna Schmidt" --force

note "export: every record that mentions the subject, whatever its case"
ls_ gdpr export --subject "anna schmidt" >"$T/export.json"
python3 - "$T/export.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["incident", "page", "timeline"], sorted(d)
# The notice of now; the old one's title went with notification_details.
assert [p["key"] for p in d["page"]] == ["k0"], d["page"]
assert [i["title"] for i in d["incident"]] == ["Anna Schmidt cannot log in"], d["incident"]
texts = " | ".join(t["text"] for t in d["timeline"])
for want in ("fresh note about ANNA SCHMIDT", "Anna Schmidt was offline", "SEV2 opened"):
    assert want in texts, (want, texts)
assert "widget colour" not in json.dumps(d)
PY

note "erase: the subject is replaced wherever stored, the audit log keeps no copy of it"
ls_ incident note 2 "Anna Schmidt asked about the widget too" >/dev/null
out=$(ls_ gdpr erase --subject "Anna Schmidt")
assert_contains "$out" "incident.title           1"
assert_contains "$out" "timeline.text            5"
assert_contains "$out" "page.title               1"
assert_contains "$out" "audit.details            1"
assert_eq "$(ls_ gdpr export --subject "anna schmidt" | tr -d '[:space:]')" "{}"
assert_contains "$(ls_ incident show 1)" "[erased] cannot log in"
assert_contains "$(ls_ incident show 2)" "Unrelated: widget colour"
ls_ audit verify >/dev/null
audit=$(ls_ audit list --limit 2 --json)
assert_eq "$(echo "$audit" | json_get entries.1.action)" "gdpr.erase"
assert_contains "$(echo "$audit" | json_get entries.1.object)" "subject sha256:"
assert_not_contains "$audit" "Anna"
# Not in the database, its write-ahead log or shared memory: overwritten, not just unlinked.
for f in "$T"/data/leitstand.db*; do
	! grep -aqi "anna schmidt" "$f" || fail "$f still holds the subject"
done

note "audit verify tells erased details from expired ones, and says that no checkpoint vouches"
ls_ audit verify >"$T/verify" 2>"$T/warnings"
erased=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE details_removed = 'erased'")
expired=$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE details_removed = 'expired'")
[ "$erased" -ge 1 ] && [ "$expired" -ge 5 ] || fail "erased $erased, expired $expired"
assert_contains "$(cat "$T/verify")" "audit log OK"
assert_contains "$(cat "$T/verify")" "details gone from $((erased + expired)) entries: $erased erased (GDPR), $expired expired (retention);"
assert_contains "$(cat "$T/warnings")" "warning: no checkpoint vouches for the chain"
v=$(ls_ audit verify --json)
assert_eq "$(echo "$v" | json_get details_erased)" "$erased"
assert_eq "$(echo "$v" | json_get details_expired)" "$expired"
assert_eq "$(echo "$v" | json_get details_unmarked)" "0"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE details IS NULL")" "$((erased + expired))"
assert_contains "$(ls_ audit export --format json)" '"details_removed":"erased"'

note "a subject in more than [privacy] erase_max_share of a table: refused, a dry run shows why, --force erases"
for i in $(seq 12); do
	ls_ incident open --severity 4 --title "Checkout slow in shop $i" >/dev/null
	ls_ incident open --severity 4 --title "Payment page blank in shop $i" >/dev/null
done
before=$(stored)
expect_exit 1 ls_ gdpr erase --subject "checkout"
assert_contains "$OUT" "the subject matches 12 of 26 incidents (46 %), more than [privacy] erase_max_share (5 %): is this a person?"
assert_contains "$OUT" "repeat with --force"
out=$(ls_ gdpr erase --subject "checkout" --dry-run)
assert_contains "$out" "dry run, nothing changed; an erase would change:"
assert_contains "$out" "incident.title           12"
assert_contains "$out" "in 12 of 26 incidents (46 %)"
assert_eq "$(stored)" "$before" "neither the refusal nor the dry run changed anything"
assert_eq "$(ls_ audit list --limit 1 --json | json_get entries.0.object)" \
	"subject sha256:$(printf checkout | sha256sum | cut -c1-16) (dry run)"
out=$(ls_ gdpr erase --subject "checkout" --force)
assert_contains "$out" "incident.title           12"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM incident WHERE title LIKE '%checkout%'")" "0"
assert_contains "$(ls_ audit list --limit 1 --json | json_get entries.0.details)" '"force":true'
write_config <<EOF2
[retention]
audit_details = 3s
eval_transcripts = 0
[privacy]
erase_max_share = 50
EOF2
ls_ config reload >/dev/null
out=$(ls_ gdpr erase --subject "payment page")
assert_contains "$out" "incident.title           12"
assert_contains "$out" "in 12 of 26 incidents (46 %)"
assert_contains "$(ls_ incident show 26)" "[erased] blank in shop 12"
ls_ audit verify >/dev/null 2>&1

note "docs/data-map.md has a row for every column of the live schema, and no other"
map=$REPO/docs/data-map.md
for table in $(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
	for col in $(sqlite3 "$DB" "SELECT name FROM pragma_table_xinfo('$table')"); do
		grep -q "^| \`$table\.$col\` | \(yes\|no\) |" "$map" ||
			fail "docs/data-map.md has no row for $table.$col"
		echo "$table.$col" >>"$T/live"
	done
done
sed -n 's/^| `\([a-z_]*\.[a-z_]*\)` | .*/\1/p' "$map" | sort >"$T/mapped"
assert_eq "$(sort "$T/live" | comm -13 - "$T/mapped")" "" "rows for columns that do not exist"

note "the columns marked personal are the ones gdpr export and erase search"
sed -n 's/^| `\([a-z_]*\.[a-z_]*\)` | yes |.*/\1/p' "$map" | sort >"$T/personal.doc"
grep -o '{ "[a-z_]*", "[a-z_]*" }' "$REPO/backend/gdpr.c" |
	sed 's/{ "\([a-z_]*\)", "\([a-z_]*\)" }/\1.\2/' | sort >"$T/personal.code"
assert_eq "$(diff "$T/personal.doc" "$T/personal.code")" "" "data map vs backend/gdpr.c"
