#!/bin/bash
# Socket placement and modes: private and shared installs, unsafe directories, auto-start.
. "$(dirname "$0")/../lib/lib.sh"

mode() { stat -c '%a %G' "$1"; }

note "private: directory 0700, socket 0600"
write_config </dev/null
start_daemon
assert_eq "$(mode "$T/run")" "700 $(id -gn)"
assert_eq "$(mode "$SOCK")" "600 $(id -gn)"
stop_daemon

note "shared: directory 0750 and socket 0660 for the configured group"
group=$(getent group | awk -F: -v me="$(id -gn)" '$1 != me { print $1; exit }')
rm -rf "$T/run"
write_config <<EOF2
group = $group
EOF2
start_daemon
assert_eq "$(mode "$T/run")" "750 $group"
assert_eq "$(mode "$SOCK")" "660 $group"
note "a shared install never starts a private daemon; it says what to check"
stop_daemon
expect_exit 1 ls_ audit list
assert_contains "$OUT" "is the leitstand service running?"
[ ! -e "$SOCK" ] || fail "a daemon was started for a shared install"

note "an unknown group is refused"
write_config <<EOF2
group = no-such-group-here
EOF2
expect_exit 1 ls_ serve
assert_contains "$OUT" 'daemon.group: no such group "no-such-group-here"'

note "a socket directory writable by others is refused"
write_config </dev/null
chmod 0777 "$T/run"
expect_exit 1 ls_ serve
assert_contains "$OUT" "socket directory $T/run is writable by group or others (mode 777)"
chmod 0700 "$T/run"

note "a socket path longer than sun_path is refused"
long=$T/$(printf 'x%.0s' $(seq 120))/s.sock
printf '[daemon]\nsocket = %s\ndata_dir = %s/data\n' "$long" "$T" >"$T/long.ini"
expect_exit 1 "$LEITSTAND" -c "$T/long.ini" serve
assert_contains "$OUT" "is longer than 107 bytes"

note "without a daemon, a command starts a private one (as tmux does)"
out=$(ls_ audit verify)
assert_eq "$out" "audit log OK: 1 entry, chain intact" "the prompt repository's import"
pid=$(daemon_pid_from_status)
PIDS+=("$pid")
[ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = 1 ] || [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] ||
	fail "auto-started daemon is not detached"
note "two commands racing to start one: both succeed, one daemon"
kill -TERM "$pid"
wait_for "! kill -0 $pid"
ls_ audit verify >/dev/null & a=$!
ls_ audit verify >/dev/null & b=$!
wait $a || fail "first racing client failed"
wait $b || fail "second racing client failed"
pid=$(daemon_pid_from_status)
PIDS+=("$pid")
assert_eq "$(pgrep -f -- "-c $CFG -S $SOCK serve" | wc -l)" "1"

note "a daemon that cannot start says why"
kill -TERM "$pid"
wait_for "! kill -0 $pid"
printf '[daemon]\nsocket = %s\ndata_dir = /proc/leitstand-cannot-be-here\n' "$SOCK" >"$T/bad-data.ini"
expect_exit 1 "$LEITSTAND" -c "$T/bad-data.ini" audit list
assert_contains "$OUT" "the daemon did not start: data dir /proc/leitstand-cannot-be-here"
