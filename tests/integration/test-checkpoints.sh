#!/bin/bash
# Audit checkpoints: the chain head signed with an Ed25519 key outside the database, appended
# to a file outside the data dir; verify against them finds what the chain alone cannot: a
# cut-off tail, a log rewritten from scratch, and lines signed with another key or altered.
. "$(dirname "$0")/../lib/lib.sh"

mkdir -p "$T/cp"
CP=$T/cp/checkpoints
write_config <<EOF2
[audit]
checkpoint_file = $CP
checkpoint_interval = 1s
EOF2
start_daemon
for i in 1 2 3; do ls_ config reload >/dev/null; done

note "the daemon signs the head when it moves; the key is made on first use, 0600"
wait_for "[ -s '$CP' ]"
[ "$(stat -c %a "$T/data/audit.key")" = 600 ] || fail "key mode $(stat -c %a "$T/data/audit.key")"
head -1 "$CP" | grep -q '^leitstand-checkpoint v1 seq=[0-9]* hash=[0-9a-f]\{64\} time=[0-9T:.Z-]* key=[0-9a-f]\{16\} sig=[A-Za-z0-9+/=]*$' ||
	fail "checkpoint line: $(head -1 "$CP")"
lines=$(wc -l <"$CP")
sleep 2
assert_eq "$(wc -l <"$CP")" "$lines" "no new checkpoint while the head stays"
out=$(ls_ audit checkpoint)
assert_contains "$out" "leitstand-checkpoint v1 seq=4 "
for i in 1 2 3 4 5 6; do ls_ config reload >/dev/null; done
ls_ audit checkpoint >/dev/null
out=$(ls_ audit verify --checkpoints "$CP")
assert_contains "$out" "chain intact; $(wc -l <"$CP") checkpoints vouch for it"

note "verify says what no checkpoint vouches for: the entries after the last one, or all"
head -n 1 "$CP" >"$T/first"
first=$(sed 's/.* seq=\([0-9]*\) .*/\1/' "$T/first")
ls_ config reload >/dev/null
total=$(sqlite3 "$T/data/leitstand.db" "SELECT max(seq) FROM audit")
out=$(ls_ audit verify --checkpoints "$T/first" 2>"$T/warnings")
assert_contains "$out" "audit log OK: $total entries, chain intact; 1 checkpoint vouch for it"
assert_contains "$(cat "$T/warnings")" "warning: entries $((first + 1)) to $total are newer than the last checkpoint (entry $first): nothing vouches for them yet"
assert_eq "$(ls_ audit verify --checkpoints "$T/first" --json | json_get checkpoint_newest)" "$first"
: >"$T/empty"
out=$(ls_ audit verify --checkpoints "$T/empty" 2>"$T/warnings")
assert_contains "$out" "chain intact; 0 checkpoints vouch for it"
assert_contains "$(cat "$T/warnings")" "warning: $T/empty holds no checkpoint: nothing vouches for the chain"
out=$(ls_ audit verify 2>"$T/warnings")
assert_contains "$(cat "$T/warnings")" "warning: not checked against the checkpoints"
# The daemon signs the head within a second of its moving: then all of it is vouched for.
wait_for "ls_ audit verify --checkpoints '$CP' 2>&1 | grep -q 'chain intact' &&
	! ls_ audit verify --checkpoints '$CP' 2>&1 | grep -q warning" 20

note "a line altered or signed with another key is found"
# The first hex digit of the first line's hash, changed whatever it was.
sed '1s/hash=0/hash=X/; 1s/hash=[1-9a-f]/hash=0/; 1s/hash=X/hash=1/' "$CP" >"$T/altered"
! cmp -s "$CP" "$T/altered" || fail "the line was not altered"
expect_exit 3 ls_ audit verify --checkpoints "$T/altered"
assert_contains "$OUT" "altered:1: the signature does not match"
CFG2=$T/other.ini
printf '[daemon]\nsocket = %s/run2/s.sock\ndata_dir = %s/data2\n[audit]\ncheckpoint_file = %s/cp/other\n' \
	"$T" "$T" "$T" >"$CFG2"
"$LEITSTAND" -c "$CFG2" serve >"$T/daemon2.log" 2>&1 &
OTHER=$!
PIDS+=("$OTHER")
wait_for "'$LEITSTAND' -c '$CFG2' status"
for i in $(seq 20); do "$LEITSTAND" -c "$CFG2" config reload >/dev/null; done
"$LEITSTAND" -c "$CFG2" audit checkpoint >/dev/null
{ cat "$CP"; cat "$T/cp/other"; } >"$T/mixed"
expect_exit 3 ls_ audit verify --checkpoints "$T/mixed"
assert_contains "$OUT" "mixed:$(( $(wc -l <"$CP") + 1 )): signed with another key"
expect_exit 1 ls_ audit verify --checkpoints "$T/none"
assert_contains "$OUT" "No such file"

note "a cut-off tail: the chain alone still verifies, the checkpoints do not"
stop_daemon
cp "$T/data/leitstand.db" "$T/saved.db"
sqlite3 "$T/data/leitstand.db" "DELETE FROM audit WHERE seq > 8"
start_daemon
assert_contains "$(ls_ audit verify)" "audit log OK"
expect_exit 3 ls_ audit verify --checkpoints "$CP"
assert_contains "$OUT" "audit log BROKEN: the log ends at entry 8, but"
assert_contains "$OUT" "its tail was cut off"

note "a log rewritten from scratch (another daemon's valid chain) does not match"
stop_daemon
kill -TERM "$OTHER"
wait "$OTHER" || true
cp "$T/data2/leitstand.db" "$T/data/leitstand.db"
rm -f "$T/data/leitstand.db-wal" "$T/data/leitstand.db-shm"
start_daemon
assert_contains "$(ls_ audit verify)" "audit log OK"
expect_exit 3 ls_ audit verify --checkpoints "$CP"
assert_contains "$OUT" "is not the one $CP:1 signed: the log was rewritten"

note "the original log verifies again; checking checkpoints needs admin"
stop_daemon
cp "$T/saved.db" "$T/data/leitstand.db"
rm -f "$T/data/leitstand.db-wal" "$T/data/leitstand.db-shm"
write_config <<EOF2
[audit]
checkpoint_file = $T/data/checkpoints
[roles]
owner = operator
EOF2
start_daemon
assert_contains "$(ls_ audit verify)" "audit log OK"
expect_exit 1 ls_ audit verify --checkpoints "$CP"
assert_contains "$OUT" "audit.verify: \"checkpoints\" needs role admin"
assert_contains "$(ls_ status)" "checkpoint_file is inside the data dir"
