#!/bin/bash
# The store under pressure: 20 writers at once get no "database is locked"; a full disk makes
# writes fail with a clear error while reads go on, and service returns when space is freed;
# SIGKILL at random points of a stream of writes loses nothing that was answered ok, and the
# audit chain, SQLite and the prompt repository stay sound.
. "$(dirname "$0")/../lib/lib.sh"

write_config </dev/null
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
	sed -i "s|^data_dir = .*|data_dir = $T/small/data|" "$CFG"
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
	sed -i "s|^data_dir = .*|data_dir = $T/data|" "$CFG"
	start_daemon
else
	echo "SKIP: cannot mount a tmpfs here (needs root): no disk-full check"
fi

note "SIGKILL at random points of a stream of writes loses nothing answered ok"
ls_ playbook run api-errors --incident 1 >/dev/null
ls_ prompt cat system.md >"$T/system.md"
stream() {
	local i
	for i in $(seq 1 600); do
		case $((i % 3)) in
		0) ls_ incident note 1 "stream note $i" >/dev/null 2>&1 && echo "note $i" ;;
		1) ls_ run note 1 1 "stream step note $i" >/dev/null 2>&1 && echo "run $i" ;;
		2) cp "$T/system.md" "$T/s$i.md"; mkdir -p "$T/p$i"; echo "- change $i" >>"$T/s$i.md"
		   mv "$T/s$i.md" "$T/p$i/system.md"
		   ls_ prompt propose -m "stream change $i" "$T/p$i/system.md" >/dev/null 2>&1 &&
			echo "proposal $i" ;;
		esac
	done
}
stream >"$T/acked" &
streamer=$!
kills=0
# The stream's next command starts a daemon again (as tmux does) after each kill.
while kill -0 "$streamer" 2>/dev/null; do
	sleep "0.$((RANDOM % 4 + 1))"
	pid=$(head -n 1 "$T/data/daemon.lock" 2>/dev/null || true)
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
done
wait "$streamer"
[ "$kills" -ge 3 ] || fail "the daemon was killed only $kills times"
wait_for "ls_ incident list" 20
acked=$(wc -l <"$T/acked")
[ "$acked" -gt 30 ] || fail "only $acked writes were answered"
show=$(ls_ incident show 1)
runs=$(ls_ run show 1 --json)
props=$(ls_ prompt list --json --limit 500)
while read -r kind i; do
	case $kind in
	note) assert_contains "$show" "stream note $i" ;;
	run) assert_contains "$runs" "stream step note $i" ;;
	proposal) assert_contains "$props" "stream change $i" ;;
	esac
done <"$T/acked"
ls_ audit verify >/dev/null
assert_eq "$(sqlite3 "$T/data/leitstand.db" "PRAGMA integrity_check")" "ok"
git --git-dir="$T/data/prompts.git" fsck --strict 2>&1 | grep -v "^dangling" >"$T/fsck" || true
assert_eq "$(cat "$T/fsck")" ""
for ref in $(git --git-dir="$T/data/prompts.git" for-each-ref --format='%(refname)' refs/heads/proposals); do
	git --git-dir="$T/data/prompts.git" cat-file -e "$ref^{tree}" || fail "$ref points at nothing"
done

note "a lock file a killed daemon left in the repository does not block the next writer"
next=$(( $(ls_ prompt list --json --limit 500 | json_get proposals.0.id) + 1 ))
pid=$(head -n 1 "$T/data/daemon.lock")
kill -KILL "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
touch "$T/data/prompts.git/refs/heads/proposals/$next.lock" "$T/data/prompts.git/packed-refs.lock"
echo "- after the crash" >>"$T/system.md"
mkdir -p "$T/last" && cp "$T/system.md" "$T/last/system.md"
assert_contains "$(ls_ prompt propose -m "after the crash" "$T/last/system.md" 2>&1)" "proposal $next:"
