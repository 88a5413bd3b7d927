#!/bin/bash
# Connections: a viewer opens 1100 idle connections. Past daemon.max_clients_per_user each
# gets one "busy" line and is closed (logged once, not per attempt); the daemon does not spin;
# alice stays served. A daemon whose open-files limit runs out turns clients away and pauses
# accepting instead of spinning, and serves everyone again once descriptors are free.
. "$(dirname "$0")/../lib/lib.sh"
need_root

alice=lca$$ mallory=lcm$$ group=lcg$$
test_users "$group" "$alice" "$mallory"
chmod 755 "$T"
write_config <<EOF2
group = $group
[roles]
admin = $alice
viewer = $mallory
EOF2
chmod 644 "$CFG"
mkdir -p "$T/log"

# start_verbose [PREFIX...]: the daemon with a debug log in $T/log, under an optional wrapper.
start_verbose() {
	rm -f "$T"/log/*
	(cd "$T/log" && exec "$@" "$LEITSTAND" -v -c "$CFG" serve) >"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	PIDS+=("$DAEMON_PID")
	wait_for "ls_ status"
}
# CPU time of the daemon (user + system) in clock ticks.
cpu() {
	awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"
}
ticks=$(getconf CLK_TCK)

# mallory N: opens N connections and asks each for status; prints "held N busy N" and keeps
# the held ones open until $T/stop exists; with churn, meanwhile opens and closes more.
mallory() {
	runuser -u "$mallory" -- python3 - "$SOCK" "$1" "$T/stop" "${2:-}" <<'PY'
import json, os, resource, socket, sys, time
path, n, stop, churn = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)  # blocking: waits while the daemon's backlog is full
    s.settimeout(60)
    socks.append(s)
def answer(s):
    try:
        s.sendall(b'{"id":1,"op":"status"}\n')
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        line = s.makefile("rb").readline()
    except ConnectionResetError:
        return "reset"
    return json.loads(line)["error"]["code"] if b'"error"' in line else "ok"
codes = [answer(s) for s in socks]
held = [s for s, c in zip(socks, codes) if c == "ok"]
print("held %d busy %d" % (len(held), codes.count("busy")), flush=True)
while not os.path.exists(stop):
    if churn:
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.settimeout(60)
        answer(s)
        s.close()
    else:
        time.sleep(0.1)
PY
}

start_verbose
note "mallory opens 1100 connections: 64 held (max_clients_per_user), 1036 turned away"
rm -f "$T/stop"
mallory 1100 >"$T/mallory.out" &
mpid=$!
wait_for "grep -q held '$T/mallory.out'" 120
assert_eq "$(cat "$T/mallory.out")" "held 64 busy 1036"
assert_eq "$(ls_ status --json | json_get clients)" 65
note "alice is served; the daemon idles (CPU time over 3 s, not latency)"
assert_contains "$(as "$alice" status)" "role      admin"
as "$alice" incident open --severity 3 --title "still here" >/dev/null
c0=$(cpu)
sleep 3
c1=$(cpu)
[ $((c1 - c0)) -lt $((ticks / 2)) ] || fail "the daemon used $((c1 - c0)) ticks of CPU in 3 s with idle clients"
note "turned away clients are logged once per user and minute, not per attempt"
assert_eq "$(grep -c "($mallory) turned away" "$T"/log/leitstand-server-*.log)" 1
: >"$T/stop"
wait "$mpid"
wait_for "[ \"\$(ls_ status --json | json_get clients)\" = 1 ]"
assert_contains "$(as "$mallory" status)" "role      viewer"
stop_daemon

note "a daemon with 24 open files: clients turned away when they run out, no spinning"
write_config <<EOF2
group = $group
max_clients_per_user = 1000
[roles]
admin = $alice
viewer = $mallory
EOF2
start_verbose prlimit --nofile=24:24
rm -f "$T/stop"
mallory 40 churn >"$T/mallory.out" &
mpid=$!
wait_for "grep -q held '$T/mallory.out'" 60
read -r _ held _ busy <"$T/mallory.out"
assert_eq "$((held + busy))" 40 "every connection held or turned away with a line"
[ "$busy" -gt 0 ] && [ "$held" -le 12 ] || fail "held $held, busy $busy"
grep -q "accept: Too many open files" "$T"/log/leitstand-server-*.log || fail "not logged"
note "while mallory keeps connecting, the daemon does not spin; alice is told why"
c0=$(cpu)
sleep 3
c1=$(cpu)
[ $((c1 - c0)) -lt $((ticks / 2)) ] || fail "the daemon used $((c1 - c0)) ticks of CPU in 3 s out of descriptors"
expect_exit 1 as "$alice" status
assert_contains "$OUT" "try again"  # out of descriptors, or at the limit they allow
note "once mallory has gone, everyone is served again"
: >"$T/stop"
wait "$mpid"
wait_for "as '$alice' status"
assert_contains "$(as "$alice" incident list)" "still here"
assert_contains "$(ls_ audit verify)" "intact"
assert_eq "$(sqlite3 "$T/data/leitstand.db" 'PRAGMA integrity_check')" "ok"
stop_daemon
echo PASS
