#!/bin/bash
# A prompt remote that accepts the connection and never answers, or answers a little and
# then stalls: the push fails after prompts.push_timeout with that error (status, prompt
# list, audit), is tried again, and succeeds once the remote is git's real daemon; SIGTERM
# stops the daemon promptly with a stalled push in flight, and nothing is lost. The remote's
# credentials are in neither the push process's arguments nor status or the audit log.
# And the CLI: a fake daemon that accepts and never replies ends `leitstand status` with an
# error after the reply timeout instead of hanging.
. "$(dirname "$0")/../lib/lib.sh"

command -v git >/dev/null || { echo "SKIP: no git"; exit 77; }

git init -q --bare "$T/git/prompts.git"
start_git_daemon
REAL=$GIT_URL/prompts.git
REPO=$T/data/prompts.git

# start_stall NAME MODE: a stalling remote (tests/lib/stall-remote.py); sets PORT.
start_stall() {
	python3 "$TESTS/lib/stall-remote.py" "$T/$1.port" "$T/$1.log" "$2" 2>>"$T/$1.err" &
	PIDS+=("$!")
	wait_for "[ -s '$T/$1.port' ]" 30
	PORT=$(cat "$T/$1.port")
}
# tries NAME [upload-pack]: how many pushes (or fetches) reached the stalling remote NAME.
tries() {
	grep -c "${2:-receive-pack}" "$T/$1.log" 2>/dev/null || true
}
config() {
	write_config <<EOF2
[prompts]
remote = $1
push_retry = 5s
push_timeout = $2
EOF2
}
push_field() {
	ls_ status --json | json_get "prompt_push.$1"
}
remote_whole() {
	[ "$(git ls-remote "$1" 'refs/heads/production' 'refs/tags/release/*' | grep -v '\^{}$' |
		sort)" = "$(git --git-dir="$REPO" for-each-ref --format='%(objectname)	%(refname)' \
		refs/heads/production refs/tags/release/ | sort)" ]
}

start_stall silent silent
SILENT=git://127.0.0.1:$PORT/prompts.git
start_stall trickle trickle
TRICKLE=git://127.0.0.1:$PORT/prompts.git
start_stall http silent
# Credentials in the URL, as an https remote with a token would have them.
HTTP=http://leitstand:s3cr3t-t0ken@127.0.0.1:$PORT/prompts.git
HTTP_SHOWN=http://leitstand:[redacted]@127.0.0.1:$PORT/prompts.git

note "a remote that accepts and never answers: the push fails after push_timeout"
config "$SILENT" 2s
start_daemon
wait_for "push_field error | grep -q 'no answer from the remote within 2s'" 30
assert_eq "$(push_field remote)" "$SILENT"
out=$(ls_ status)
assert_contains "$out" "prompt push to $SILENT failed"
assert_contains "$out" "push_timeout"
assert_contains "$(ls_ prompt list)" "no answer from the remote within 2s"

note "it is tried again after push_retry, and the daemon answers meanwhile"
wait_for "[ \$(tries silent) -ge 2 ]" 40
wait_for "ls_ audit list --action prompt.push.failed | grep -q 'no answer from the remote'" 10

note "a remote that answers a little and then stalls: the same"
config "$TRICKLE" 2s
ls_ config reload >/dev/null
wait_for "[ \"\$(push_field remote)\" = '$TRICKLE' ] &&
	push_field error | grep -q 'no answer from the remote within 2s'" 40
[ "$(tries trickle)" -ge 1 ] || fail "the trickling remote saw no push"

note "the remote switched to git's real daemon: the next push makes it whole"
config "$REAL" 2s
ls_ config reload >/dev/null
wait_for "remote_whole '$REAL'" 40
wait_for "[ \"\$(push_field pending)\" = 0 ] && ! ls_ status --json | grep -q '\"error\"'" 20
assert_not_contains "$(ls_ status)" "prompt push"

note "SIGTERM with a push stalled in flight: the daemon and its push process end promptly"
config "$HTTP" 10m
ls_ config reload >/dev/null
wait_for "[ \$(tries http) -ge 1 ]" 30
assert_eq "$(push_field running)" "true"
assert_eq "$(push_field remote)" "$HTTP_SHOWN"
child=$(pgrep -P "$DAEMON_PID")
[ -n "$child" ] || fail "no push process under the daemon"
cmdline=$(tr '\0' ' ' <"/proc/$child/cmdline")
assert_eq "$cmdline" "leitstand _repo-sync "
assert_not_contains "$(ps -ww -o args= -p "$child")" "s3cr3t"
kill -TERM "$DAEMON_PID"
wait_for "! kill -0 $DAEMON_PID" 15
rc=0
wait "$DAEMON_PID" || rc=$?
assert_eq "$rc" 0 "the daemon's exit status on SIGTERM"
wait_for "! kill -0 $child" 5
! grep -q "Sanitizer" "$T/daemon.log" || fail "daemon: $(cat "$T/daemon.log")"

note "nothing lost: the repository, the store and the audit chain"
git --git-dir="$REPO" fsck --strict
git --git-dir="$T/git/prompts.git" fsck --strict
assert_eq "$(sqlite3 "$T/data/leitstand.db" "PRAGMA integrity_check")" "ok"
config "$REAL" 30s
start_daemon
ls_ audit verify >/dev/null
out=$(ls_ audit list --action prompt.push.failed --limit 100)
assert_contains "$out" "no answer from the remote"
assert_not_contains "$(ls_ audit export)" "s3cr3t"
assert_contains "$(ls_ audit export)" "$HTTP_SHOWN"
wait_for "remote_whole '$REAL'" 30
stop_daemon

note "the simulator's fetch from a stalling remote: stopped after its limit, SIGTERM ends it"
mkdir -m 700 "$T/tmp"
TMPDIR=$T/tmp "$LEITSTAND" sim serve --prompts "$SILENT" --prompts-interval 1s \
	--prompts-timeout 2s >"$T/sim.out" 2>"$T/sim.err" &
SIM_PID=$!
PIDS+=("$SIM_PID")
# The first fetch comes before it listens: up to the fetch's limit.
wait_for "grep -q '^listening on ' '$T/sim.out'" 30
SIM_URL=$(sed -n 's/^listening on //p' "$T/sim.out")
sim_st() {
	python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1] + "/sim/status", timeout=5).read().decode())' \
		"$SIM_URL" | json_get "prompts.$1"
}
assert_eq "$(sim_st fetch_ok)" "false"
assert_contains "$(sim_st last_error)" "no answer from the remote within 2s"
n=$(tries silent upload-pack)
wait_for "[ \$(tries silent upload-pack) -gt $n ]" 20
# SIGTERM while a fetch is in flight: its process is there, and ends with the sim.
wait_for "pgrep -P $SIM_PID" 20
child=$(pgrep -P "$SIM_PID")
kill -TERM "$SIM_PID"
wait_for "! kill -0 $SIM_PID" 15
wait_for "! kill -0 $child" 5
rc=0
wait "$SIM_PID" || rc=$?
assert_eq "$rc" 0 "the sim's exit status on SIGTERM: $(cat "$T/sim.err")"
! grep -q "Sanitizer\|runtime error" "$T/sim.err" || fail "sim: $(cat "$T/sim.err")"
[ -z "$(ls "$T/tmp")" ] || fail "the sim left its clone: $(ls "$T/tmp")"

note "the CLI: a daemon that accepts and never replies ends in an error, not a hang"
mkdir -m 700 "$T/fake"
python3 - "$T/fake/fake.sock" 2>>"$T/fake.err" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
held = []
while True:
    held.append(s.accept()[0])
PY
PIDS+=("$!")
wait_for "[ -S '$T/fake/fake.sock' ]" 30
expect_exit 1 ls_ -S "$T/fake/fake.sock" --timeout 2 status
assert_contains "$OUT" "no reply from the daemon at $T/fake/fake.sock in 2 s"
# daemon.reply_timeout does the same without --timeout.
printf 'reply_timeout = 1s\n' | write_config
expect_exit 1 ls_ -S "$T/fake/fake.sock" kpi
assert_contains "$OUT" "no reply from the daemon at $T/fake/fake.sock in 1 s"
expect_exit 2 ls_ --timeout soon status
assert_contains "$OUT" "--timeout soon"
echo PASS
