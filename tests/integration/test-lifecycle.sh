#!/bin/bash
# Daemon life: SIGKILL and restart without loss, stale sockets, the data dir lock, SIGTERM.
. "$(dirname "$0")/../lib/lib.sh"

write_config </dev/null
start_daemon
for i in $(seq 20); do ls_ config reload >/dev/null; done

note "SIGKILL leaves a stale socket; a new daemon replaces it and loses nothing"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
[ -S "$SOCK" ] || fail "expected a stale socket after SIGKILL"
expect_exit 1 ls_ status
start_daemon
assert_eq "$(ls_ audit verify)" "audit log OK: 21 entries, chain intact" "20 writes and the prompt repository's import"
assert_eq "$(sqlite3 "$T/data/leitstand.db" 'PRAGMA journal_mode')" "wal"

note "a second daemon on the same data dir refuses, with the owner's pid"
sed "s|^socket = .*|socket = $T/run/other.sock|" "$CFG" >"$T/other.ini"
expect_exit 1 "$LEITSTAND" -c "$T/other.ini" serve
assert_contains "$OUT" "data dir $T/data is in use by another leitstand daemon (pid $DAEMON_PID)"

note "a second daemon on the same socket refuses"
sed "s|^data_dir = .*|data_dir = $T/data2|" "$CFG" >"$T/other.ini"
expect_exit 1 "$LEITSTAND" -c "$T/other.ini" serve
assert_contains "$OUT" "a daemon is already listening on $SOCK"

note "a file in the socket's place is never removed"
stop_daemon
: >"$SOCK"
expect_exit 1 "$LEITSTAND" -c "$CFG" serve
assert_contains "$OUT" "exists and is not a socket"
rm -f "$SOCK"

note "SIGTERM while a client is connected: reply delivered, socket removed, store closed"
start_daemon
python3 - "$SOCK" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b'{"id":1,"op":"subscribe"}\n')
s.recv(4096)
time.sleep(30)
PY
PIDS+=($!)
wait_for "ls_ status --json | grep '\"clients\":[[:space:]]*2' >/dev/null"
stop_daemon
[ ! -e "$SOCK" ] || fail "socket left behind"
sqlite3 "$T/data/leitstand.db" "PRAGMA integrity_check" | grep -qx ok

note "the schema version is recorded"
[ "$(sqlite3 "$T/data/leitstand.db" "PRAGMA user_version")" -ge 1 ] || fail "no schema version"
sqlite3 "$T/data/leitstand.db" "PRAGMA user_version = 99"
expect_exit 1 "$LEITSTAND" -c "$CFG" serve
assert_contains "$OUT" "has schema version 99 but this leitstand knows only"
