#!/bin/bash
# The audit chain against edits made behind the daemon's back with the sqlite3 CLI.
. "$(dirname "$0")/../lib/lib.sh"

write_config </dev/null
start_daemon
for i in $(seq 6); do ls_ config reload >/dev/null; done
DB=$T/data/leitstand.db

note "an untouched chain verifies"
out=$(ls_ audit verify)
assert_eq "$out" "audit log OK: 7 entries, chain intact" "6 reloads after the seeded prompt repository's import"
assert_eq "$(ls_ audit verify --json | json_get intact)" "true"
note "an intact chain is not overstated: without checkpoints a cut tail would not show"
ls_ audit verify 2>&1 >/dev/null | grep -q "^leitstand: warning: no checkpoint vouches for the chain: none are made" ||
	fail "no warning without checkpoints"
assert_contains "$(ls_ audit verify --json | json_get warnings.0)" "[audit] checkpoint_file is not set"

note "an edited row is found"
sqlite3 "$DB" "UPDATE audit SET actor = 'mallory' WHERE seq = 4"
expect_exit 3 ls_ audit verify
assert_contains "$OUT" "audit log BROKEN at entry 4"
assert_eq "$(ls_ audit verify --json 2>/dev/null | json_get first_bad || true)" "4"
sqlite3 "$DB" "UPDATE audit SET actor = '$(id -un)' WHERE seq = 4"
ls_ audit verify >/dev/null

note "edited details are found; removed details are not an error, but named by why"
sqlite3 "$DB" "UPDATE audit SET details = '{\"x\":1}' WHERE seq = 2"
expect_exit 3 ls_ audit verify
assert_contains "$OUT" "entry 2: details do not match their hash"
sqlite3 "$DB" "UPDATE audit SET details = NULL WHERE seq = 2"
out=$(ls_ audit verify 2>"$T/warnings")
assert_contains "$out" "audit log OK: 7 entries, chain intact"
assert_contains "$out" "details gone from 1 entry: 1 without a recorded reason;"
assert_contains "$(cat "$T/warnings")" "warning: 1 entry lost its details with neither an erasure nor a purge marking it"
sqlite3 "$DB" "UPDATE audit SET details = NULL, details_removed = 'expired' WHERE seq = 3;
	UPDATE audit SET details = NULL, details_removed = 'erased' WHERE seq = 6"
out=$(ls_ audit verify 2>"$T/warnings")
assert_contains "$out" "details gone from 3 entries: 1 erased (GDPR), 1 expired (retention), 1 without a recorded reason;"
assert_eq "$(ls_ audit verify --json | json_get details_erased)" "1"
! sqlite3 "$DB" "UPDATE audit SET details_removed = 'lost' WHERE seq = 2" 2>"$T/err" ||
	fail "a reason other than erased or expired was stored"
assert_contains "$(cat "$T/err")" "CHECK constraint failed"

note "reordered rows are found"
sqlite3 "$DB" "UPDATE audit SET seq = 100 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 5;
	UPDATE audit SET seq = 5 WHERE seq = 100"
expect_exit 3 ls_ audit verify
assert_contains "$OUT" "BROKEN at entry 3"
sqlite3 "$DB" "UPDATE audit SET seq = 100 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 5;
	UPDATE audit SET seq = 5 WHERE seq = 100"
ls_ audit verify >/dev/null

note "a deleted row is found"
sqlite3 "$DB" "DELETE FROM audit WHERE seq = 5"
expect_exit 3 ls_ audit verify
assert_contains "$OUT" "entry 5 is missing"

note "export keeps raw bytes and pages through everything"
out=$(ls_ audit export --format json)
assert_eq "$(echo "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" "6"
out=$(ls_ audit export --since 2000-01-01T00:00:00Z --until 2000-01-02T00:00:00Z)
assert_eq "$(echo "$out" | tr -d '[:space:]')" "[]"
