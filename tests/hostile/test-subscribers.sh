#!/bin/bash
# Silent subscribers: a viewer opens 100 connections that subscribe to every topic and never
# read while alice writes. The output held for all clients stays within daemon.max_queue_total:
# the subscribers that read nothing are disconnected (logged), the daemon's memory stays
# bounded, alice is served, and nothing she wrote is lost.
. "$(dirname "$0")/../lib/lib.sh"
need_root

alice=lsa$$ mallory=lsm$$ group=lsg$$
test_users "$group" "$alice" "$mallory"
chmod 755 "$T"
# 8 MiB for all clients together, so a few thousand events are enough to reach it.
write_config <<EOF2
group = $group
max_queue = 4194304
max_queue_total = 8388608
max_clients_per_user = 200
[roles]
admin = $alice
viewer = $mallory
EOF2
chmod 644 "$CFG"
mkdir -p "$T/log"
# A sanitizer build would keep freed memory in quarantine: here it gives it back at once.
(cd "$T/log" && ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0 \
	exec "$LEITSTAND" -v -c "$CFG" serve) >"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
wait_for "ls_ status"
as "$alice" incident open --severity 3 --title "busy night" >/dev/null
rss() {
	awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$DAEMON_PID/status"
}
rss0=$(rss)

note "100 subscribers that never read (a small receive buffer each)"
runuser -u "$mallory" -- python3 - "$SOCK" 100 "$T/stop" >"$T/silent.out" <<'PY' &
import os, select, socket, sys, time
path, n, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(path)
    s.sendall(b'{"id":1,"op":"subscribe"}\n')
    socks.append(s)
print("subscribed", flush=True)
p = select.poll()
for s in socks:
    p.register(s, select.POLLRDHUP)
dropped = set()
while not os.path.exists(stop):
    for fd, ev in p.poll(100):
        dropped.add(fd)
        p.unregister(fd)
print("dropped", len(dropped), flush=True)
PY
silent=$!
wait_for "grep -q subscribed '$T/silent.out'"
wait_for "[ \"\$(ls_ status --json | json_get clients)\" = 101 ]"

note "alice writes 1500 notes (each an incident and an audit event to 100 subscribers)"
as "$alice" incident note 1 "first" >/dev/null
runuser -u "$alice" -- python3 - "$SOCK" 1500 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
for i in range(int(sys.argv[2])):
    s.sendall(json.dumps({"id": i, "op": "incident.note", "incident": 1,
                          "text": "note %d %s" % (i, "x" * 200)}).encode() + b"\n")
    m = json.loads(f.readline())
    assert m.get("ok"), m
PY
assert_contains "$(as "$alice" status)" "role      admin"

note "the subscribers that did not read were disconnected, with the reason logged"
clients=$(ls_ status --json | json_get clients)
[ "$clients" -lt 60 ] || fail "$clients clients still connected: silent subscribers were kept"
grep -q "over daemon.max_queue_total; this one held" "$T"/log/leitstand-server-*.log ||
	fail "no reason logged: $(tail -5 "$T"/log/leitstand-server-*.log)"
: >"$T/stop"
wait "$silent"
dropped=$(sed -n 's/^dropped //p' "$T/silent.out")
[ "$dropped" -ge 40 ] || fail "mallory saw only $dropped connections closed"

note "the daemon's memory stayed bounded (8 MiB for all; each queue alone may hold 4 MiB)"
peak=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$DAEMON_PID/status")
[ "$peak" -lt $((rss0 + 40)) ] || fail "peak RSS $peak MiB, from $rss0 MiB before the flood"

note "nothing alice wrote is lost; mallory, reading, is served again"
assert_eq "$(sqlite3 "$T/data/leitstand.db" "SELECT count(*) FROM timeline WHERE incident_id = 1 AND kind = 'note'")" 1501
assert_contains "$(as "$mallory" status)" "role      viewer"
assert_contains "$(ls_ audit verify)" "intact"
assert_eq "$(sqlite3 "$T/data/leitstand.db" 'PRAGMA integrity_check')" "ok"
echo PASS
