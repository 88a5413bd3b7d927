#!/bin/bash
# Refusal floods: a viewer and a user with no role pipeline thousands of forbidden requests.
# Each connection's first refusal is audited at once, the rest as one "denied xN" entry; a
# connection that is only refused gets an error line and is closed; the victim stays served
# and the audit chain and the store stay intact.
. "$(dirname "$0")/../lib/lib.sh"
need_root

alice=lra$$ mallory=lrm$$ trudy=lrt$$ group=lrg$$
test_users "$group" "$alice" "$mallory" "$trudy"
chmod 755 "$T"
write_config <<EOF2
group = $group
[roles]
default = none
admin = $alice
viewer = $mallory
EOF2
chmod 644 "$CFG"
start_daemon

rows() {
	sqlite3 "$T/data/leitstand.db" "SELECT count(*) FROM audit"
}

# flood USER COUNT OP...: one connection sends COUNT requests at once, cycling through the
# ops, then reads until the daemon closes it; prints the error codes seen, one per line.
flood() {
	runuser -u "$1" -- python3 - "$SOCK" "${@:2}" <<'PY'
import json, socket, sys
path, count, ops = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
s = socket.socket(socket.AF_UNIX)
s.connect(path)
s.settimeout(30)
lines = b"".join(json.dumps({"id": i, "op": ops[i % len(ops)]}).encode() + b"\n"
                 for i in range(count))
try:
    s.sendall(lines)
except (BrokenPipeError, ConnectionResetError):
    pass
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except ConnectionResetError:
    pass
for line in data.splitlines():
    m = json.loads(line)
    print(m["error"]["code"] if "error" in m else "ok")
    if m.get("error", {}).get("code") == "too_many_refusals":
        print(m["error"]["message"], file=sys.stderr)
PY
}

before=$(rows)
note "a viewer pipelines 5000 forbidden requests: 20 refused, an error line, closed"
out=$(flood "$mallory" 5000 audit.export purge config.reload gdpr.erase 2>"$T/err")
assert_eq "$(echo "$out" | grep -c '^forbidden$')" 20
assert_eq "$(echo "$out" | tail -n 1)" "too_many_refusals"
assert_contains "$(cat "$T/err")" "20 requests in a row were refused; closing the connection"
note "two audit entries: the first refusal, and the other 19 as one"
assert_eq "$(rows)" "$((before + 2))"
last=$(sqlite3 "$T/data/leitstand.db" "SELECT actor, action, object FROM audit ORDER BY seq DESC LIMIT 2")
assert_eq "$last" "$mallory|denied|purge, config.reload, gdpr.erase, audit.export x19
$mallory|denied|audit.export"
assert_contains "$(sqlite3 "$T/data/leitstand.db" "SELECT details FROM audit ORDER BY seq DESC LIMIT 1")" '"count":19'

note "a user with no role: the same"
before=$(rows)
out=$(flood "$trudy" 3000 status 2>"$T/err")
assert_eq "$(echo "$out" | grep -c '^forbidden$')" 20
assert_eq "$(echo "$out" | tail -n 1)" "too_many_refusals"
assert_eq "$(rows)" "$((before + 2))"

note "ten floods at once: two entries each, alice served meanwhile"
before=$(rows)
fpids=()
for i in $(seq 10); do
	flood "$mallory" 2000 purge >"$T/flood.$i" 2>/dev/null &
	fpids+=($!)
done
assert_contains "$(as "$alice" status)" "role      admin"
as "$alice" incident open --severity 3 --title "during the flood" >/dev/null
for p in "${fpids[@]}"; do wait "$p"; done
for i in $(seq 10); do assert_eq "$(tail -n 1 "$T/flood.$i")" "too_many_refusals"; done
assert_eq "$(rows)" "$((before + 21))" "10 x 2 refusal entries + alice's incident"

note "allowed requests in between: never dropped, refusals still aggregated"
before=$(rows)
out=$(runuser -u "$mallory" -- python3 - "$SOCK" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
codes = []
for i in range(200):
    op = "purge" if i % 2 else "status"
    s.sendall(json.dumps({"id": i, "op": op}).encode() + b"\n")
    m = json.loads(f.readline())
    codes.append(m["error"]["code"] if "error" in m else "ok")
print(codes.count("ok"), codes.count("forbidden"))
PY
)
assert_eq "$out" "100 100"
assert_eq "$(rows)" "$((before + 2))"
last=$(sqlite3 "$T/data/leitstand.db" "SELECT object FROM audit ORDER BY seq DESC LIMIT 1")
assert_eq "$last" "purge x99"

note "a window still open when the daemon stops is written: nothing lost"
before=$(rows)
runuser -u "$mallory" -- python3 - "$SOCK" <<'PY' >"$T/held.out" &
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
for i in range(5):
    s.sendall(json.dumps({"id": i, "op": "purge"}).encode() + b"\n")
    f.readline()
print("refused", flush=True)
f.readline()  # until the daemon closes it
PY
hold=$!
# Each reply comes after its audit entry (if any) is committed.
wait_for "grep -q refused '$T/held.out'"
assert_eq "$(rows)" "$((before + 1))" "the first refusal at once, the rest waits for the window"
stop_daemon
wait "$hold" || true
assert_eq "$(rows)" "$((before + 2))"
assert_eq "$(sqlite3 "$T/data/leitstand.db" "SELECT object FROM audit ORDER BY seq DESC LIMIT 1")" "purge x4"

note "nothing lost or altered"
start_daemon
assert_contains "$(ls_ audit verify)" "intact"
assert_eq "$(sqlite3 "$T/data/leitstand.db" 'PRAGMA integrity_check')" "ok"
assert_contains "$(as "$alice" incident list)" "during the flood"
echo PASS
