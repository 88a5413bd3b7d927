#!/bin/bash
# The wire protocol under abuse: malformed and oversized lines, slow readers, vanishing clients.
. "$(dirname "$0")/../lib/lib.sh"

# max_line small so oversized lines are cheap to make; max_queue small to catch slow readers.
write_config <<'EOF2'
max_line = 4096
max_queue = 65536
EOF2
start_daemon

note "1000 malformed and oversized lines: one error each, and the connection still answers"
python3 - "$SOCK" <<'PY'
import json, random, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
f = s.makefile("rb")
rnd = random.Random(7)
bad = [b"{", b"not json", b"[1,2]", b'"str"', b"42", b'{"op":7}', b'{"op":""}', b"{}",
       b'{"id":1,"op":"status"} trailing', b'{"id":2,"op":"nope"}', b"\x00\xff\xfe",
       b'{"id":3,"op":"status","x":1}', b'{"id":4,"op":"audit.list","limit":"9"}',
       b'{"id":5,"op":"audit.list","limit":1e99}', b"[" * 4000, b"\x1b]52;c;aGk=\x07"]
codes = {}
for i in range(1000):
    if i % 10 == 9:
        line = b"x" * rnd.randint(4097, 20000)        # over max_line
    elif i % 10 == 8:
        line = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 300))).replace(b"\n", b"")
    else:
        line = bad[i % len(bad)]
    s.sendall(line + b"\n")
    reply = f.readline()
    assert reply, "connection closed at line %d" % i
    msg = json.loads(reply)
    assert msg["ok"] is False, (i, line[:80], msg)
    codes[msg["error"]["code"]] = codes.get(msg["error"]["code"], 0) + 1
s.sendall(b'{"id":"last","op":"status"}\n')
msg = json.loads(f.readline())
assert msg["id"] == "last" and msg["ok"] is True, msg
assert set(codes) <= {"bad_request", "line_too_long", "unknown_op", "invalid_argument"}, codes
assert codes["line_too_long"] == 100, codes
print("ok", codes)
PY

note "pipelined requests are all answered, in order, however many"
python3 - "$SOCK" <<'PY'
import json, socket, sys, threading
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
N = 5000
def send():
    s.sendall(b"".join(b'{"id":%d,"op":"status"}\n' % i for i in range(N)))
t = threading.Thread(target=send); t.start()
f = s.makefile("rb")
for i in range(N):
    msg = json.loads(f.readline())
    assert msg["id"] == i and msg["ok"], msg
t.join()
PY

note "an oversized line arriving in pieces gets one error and the stream resyncs"
python3 - "$SOCK" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
for _ in range(10):
    s.sendall(b"y" * 3000)
s.sendall(b'\n{"id":9,"op":"status"}\n')
f = s.makefile("rb")
a = json.loads(f.readline()); b = json.loads(f.readline())
assert a["error"]["code"] == "line_too_long", a
assert b["id"] == 9 and b["ok"], b
PY

note "a subscriber that never reads is dropped once its queue is full; others are served"
python3 - "$SOCK" <<'PY'
import json, socket, sys
slow = socket.socket(socket.AF_UNIX); slow.connect(sys.argv[1])
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.sendall(b'{"id":1,"op":"subscribe","topics":["audit"]}\n')
fast = socket.socket(socket.AF_UNIX); fast.connect(sys.argv[1])
f = fast.makefile("rb")
def call(req):
    fast.sendall(json.dumps(req).encode() + b"\n")
    msg = json.loads(f.readline())
    assert msg["ok"], msg
    return msg
assert call({"op": "status"})["clients"] == 2
# Each reload is an audit entry, pushed as an event to the slow subscriber, until the
# socket buffers and the daemon's queue for it are full and the daemon lets it go.
for batch in range(60):
    for i in range(500):
        call({"op": "config.reload"})
    if call({"op": "status"})["clients"] == 1:
        break
else:
    raise SystemExit("daemon never dropped the subscriber that does not read")
print("dropped after", (batch + 1) * 500, "events")
PY

note "clients that vanish mid-request do not disturb the daemon"
for i in $(seq 20); do
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"{\"id\":1,\"op\":\"audit.verify\"}\n{\"id\":2,\"op\":\"sta"); s.close()' "$SOCK"
done
ls_ status >/dev/null
kill -0 "$DAEMON_PID"
