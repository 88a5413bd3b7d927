#!/bin/bash
# The store under pressure: 20 writers at once get no "database is locked"; a full disk makes
# writes fail with a clear error while reads go on, and service returns when space is freed;
# SIGKILL at random points of a stream of writes loses nothing that was answered ok, and the
# audit chain, SQLite and the prompt repository stay sound.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a tmpfs and a second user"; exit 77; }
eng=lte$$
group=ltg$$
groupadd "$group"
useradd -M -N -g "$group" -s /bin/sh "$eng"
trap 'rc=$?; cleanup || rc=1; userdel "$eng"; groupdel "$group"; exit $rc' EXIT
chmod 755 "$T"
# The config with the data dir in $1 (the default one, or one on a small disk).
config() {
	printf '[daemon]\nsocket = %s\ndata_dir = %s\ngroup = %s\n[roles]\nengineer = %s\n' \
	    "$SOCK" "$1" "$group" "$eng" >"$CFG"
	chmod 644 "$CFG"
}
config "$T/data"
start_daemon
ls_ incident open --severity 3 --title "durability" >/dev/null

note "20 processes write at once: every write succeeds"
for w in $(seq 20); do
	( for i in $(seq 10); do
		ls_ incident note 1 "writer $w note $i" >/dev/null 2>>"$T/writers.err" ||
			echo "writer $w note $i failed" >>"$T/writers.err"
	done ) &
	writers+=($!)
done
for p in "${writers[@]}"; do wait "$p"; done
assert_eq "$(cat "$T/writers.err" 2>/dev/null)" ""
assert_eq "$(sqlite3 "$T/data/leitstand.db" "SELECT count(*) FROM timeline WHERE kind = 'note'")" "200"
ls_ audit verify >/dev/null

note "a full disk: writes fail saying so, reads go on, and it recovers when space is freed"
if mkdir -p "$T/small" && mount -t tmpfs -o size=3m tmpfs "$T/small" 2>/dev/null; then
	stop_daemon
	cp -a "$T/data" "$T/small/data"
	config "$T/small/data"
	start_daemon
	# Leave a few KiB free.
	dd if=/dev/zero of="$T/small/filler" bs=4k count=10000 2>/dev/null || true
	rm -f "$T/small/filler.2"
	for i in $(seq 200); do
		ls_ incident note 1 "$(head -c 3000 /dev/zero | tr '\0' x) $i" >/dev/null 2>"$T/full.err" ||
			break
	done
	assert_contains "$(cat "$T/full.err")" "disk is full"
	out=$(ls_ incident list)
	assert_contains "$out" "durability"
	ls_ status >/dev/null
	rm -f "$T/small/filler"
	ls_ incident note 1 "after the disk had room again" >/dev/null
	assert_contains "$(ls_ incident show 1)" "after the disk had room again"
	ls_ audit verify >/dev/null
	stop_daemon
	umount "$T/small" || umount -l "$T/small"
	config "$T/data"
	start_daemon
else
	echo "SKIP: cannot mount a tmpfs here (needs root): no disk-full check"
fi

note "SIGKILL at random points of a stream of writes loses nothing answered ok"
ls_ playbook run api-errors --incident 1 >/dev/null
# Writes one after another, printing what was answered ok. A write the kill cuts off fails,
# and that is expected: only the loop's own steps must not (its status says whether they did).
stream() {
	local i out n
	for i in $(seq 1 400); do
		case $((i % 3)) in
		0) if ls_ incident note 1 "stream note $i" >/dev/null 2>&1; then echo "note $i"; fi ;;
		1) if ls_ run note 1 1 "stream step note $i" >/dev/null 2>&1; then echo "run $i"; fi ;;
		2) # An engineer proposes on top of production, root approves at once.
		   mkdir -p "$T/p$i"
		   ls_ prompt cat system.md >"$T/p$i/system.md" 2>/dev/null || continue
		   echo "- change $i" >>"$T/p$i/system.md"
		   chmod -R a+rX "$T/p$i"
		   out=$(runuser -u "$eng" -- "$LEITSTAND" -c "$CFG" prompt propose \
		       -m "stream change $i" "$T/p$i/system.md" 2>/dev/null) || continue
		   n=$(echo "$out" | sed -n 's/^proposal \([0-9]*\):.*/\1/p')
		   [ -n "$n" ] || { echo "stream: no proposal number in: $out" >&2; return 1; }
		   echo "proposal $n"
		   if ls_ prompt approve "$n" --override "crash test" >/dev/null 2>&1; then
			echo "approval $n"
		   fi ;;
		esac
	done
}
stream >"$T/acked" &
streamer=$!
kills=0
while kill -0 "$streamer" 2>/dev/null; do
	sleep "0.$((RANDOM % 5 + 2))"
	kill -KILL "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	kills=$((kills + 1))
	start_daemon
done
rc=0
wait "$streamer" || rc=$?
[ "$rc" -eq 0 ] || fail "the stream of writes stopped with exit $rc after $(wc -l <"$T/acked") answers"
[ "$kills" -ge 3 ] || fail "the daemon was killed only $kills times"
acked=$(wc -l <"$T/acked")
[ "$acked" -gt 30 ] || fail "only $acked writes were answered"
show=$(ls_ incident show 1)
runs=$(ls_ run show 1 --json)
while read -r kind i; do
	case $kind in
	note) assert_contains "$show" "stream note $i" ;;
	run) assert_contains "$runs" "stream step note $i" ;;
	proposal) ls_ prompt show "$i" >/dev/null || fail "proposal $i is lost" ;;
	approval) ls_ prompt show "$i" --json >"$T/approved.$i" || fail "proposal $i is lost" ;;
	esac
done <"$T/acked"
grep -q "^approval" "$T/acked" || fail "no approval was answered ok"
# The releases of the approved proposals, read in one go (a python3 per proposal is slow).
python3 - "$T"/approved.* >"$T/releases" <<'PY'
import json, sys
for f in sys.argv[1:]:
    print(f.rsplit(".", 1)[1], json.load(open(f))["proposal"].get("release") or "")
PY
while read -r i tag; do
	[ -n "$tag" ] || fail "approved proposal $i has no release"
	git --git-dir="$T/data/prompts.git" merge-base --is-ancestor "$tag" production ||
		fail "release $tag of proposal $i is not in production"
done <"$T/releases"
ls_ audit verify >/dev/null
assert_eq "$(sqlite3 "$T/data/leitstand.db" "PRAGMA integrity_check")" "ok"
LC_ALL=C git --git-dir="$T/data/prompts.git" fsck --strict 2>&1 | grep -v "^dangling" >"$T/fsck" || true
assert_eq "$(cat "$T/fsck")" ""
for ref in $(git --git-dir="$T/data/prompts.git" for-each-ref --format='%(refname)' refs/heads/proposals); do
	git --git-dir="$T/data/prompts.git" cat-file -e "$ref^{tree}" || fail "$ref points at nothing"
done

note "a lock file a killed daemon left in the repository does not block the next writer"
next=$(( $(sqlite3 "$T/data/leitstand.db" "SELECT max(id) FROM proposal") + 1 ))
mkdir -p "$T/last"
ls_ prompt cat system.md >"$T/last/system.md"
echo "- after the crash" >>"$T/last/system.md"
chmod -R a+rX "$T/last"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
touch "$T/data/prompts.git/refs/heads/proposals/$next.lock" "$T/data/prompts.git/packed-refs.lock"
start_daemon
assert_contains "$(runuser -u "$eng" -- "$LEITSTAND" -c "$CFG" prompt propose -m "after the crash" \
	"$T/last/system.md" 2>&1)" "proposal $next:"
