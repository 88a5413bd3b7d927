#!/bin/bash
# A viewer floods the daemon with what costs it most: audit verifications (a thread and a
# database connection each, once) and charts from Prometheus (once sharing the polls' HTTP
# pool). The daemon keeps its fixed pool of threads and bounded memory, answers busy or
# rate_limited, and the admin's dashboard keeps every KPI known against the real Prometheus
# scraping the real sim. A task limit at start leaves the pool smaller or stops the daemon
# with a clear message.
. "$(dirname "$0")/../lib/lib.sh"

need_root
mallory=ltm$$
alice=lta$$
group=ltg$$
test_users "$group" "$mallory" "$alice"
chmod 755 "$T"

start_sim --rate-scale 4
start_prometheus
# The query KPIs (the sim gives them data within seconds) polled every second; the cost and
# feedback ones stay out: the sim's scripted requests carry no feedback.
kpis() {
	printf '[prometheus]\nurl = %s\ninterval = 1s\n' "$PROM_URL"
	for k in cost_per_request spend_today spend_month forecast feedback; do
		printf '[kpi.%s]\nenabled = no\n' "$k"
	done
}
write_config <<EOF2
group = $group
$(printf '[roles]\nviewer = %s\nadmin = %s\n' "$mallory" "$alice")
$(kpis)
EOF2
chmod 644 "$CFG"
start_daemon || { cat "$T/daemon.log"; exit 1; }
pid=$DAEMON_PID

# Every KPI in alice's view is known; prints the ones that are not.
unknown_kpis() {
	as "$alice" kpi --json | python3 -c 'import json,sys
d = json.load(sys.stdin)
print(" ".join("%s(%s)" % (k["name"], k.get("error")) for k in d["kpis"] if k["state"] == "unknown"))'
}
wait_for '[ -z "$(unknown_kpis)" ]' 60
workers=$(as "$alice" status --json | json_get workers)
[ "$workers" -ge 6 ] || fail "a pool of $workers workers: every kind has one"
note "the pool's $workers workers run from the start: $(grep Threads "/proc/$pid/status")"

# flood OP ARGS REQUESTS CONNECTIONS ROUNDS: mallory pipelines the requests over the
# connections, ROUNDS times (0: until $T/stop exists), reading every reply; prints the
# replies' codes as JSON.
cat >"$T/flood.py" <<'PY'
import collections, json, os, socket, sys, threading
path, op, args, n, nconn, rounds = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
codes = collections.Counter()
retry = []
done = 0
while done < rounds or (rounds == 0 and not os.path.exists(sys.argv[7])):
    done += 1
    conns = []
    for c in range(nconn):
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        lines = b"".join(json.dumps(dict(args, id=i, op=op)).encode() + b"\n"
                         for i in range(n // nconn))
        threading.Thread(target=s.sendall, args=(lines,), daemon=True).start()
        conns.append((s, s.makefile("rb"), n // nconn))
    for s, f, k in conns:
        for _ in range(k):
            r = json.loads(f.readline())
            code = "ok" if r["ok"] else r["error"]["code"]
            codes[code] += 1
            if code == "rate_limited":
                retry.append(r["error"]["retry_after"])
        s.close()
print(json.dumps({"codes": codes, "retry_max": max(retry) if retry else None}))
PY
chmod 644 "$T/flood.py"

# watch FLOOD_PID [LOOKS]: while the flood runs, the daemon's threads and memory and alice's
# KPIs (after LOOKS looks, the flood is told to stop); sets MAX_THREADS, MAX_RSS (KiB), CHECKS
# and UNKNOWN (what alice saw unknown, if anything).
watch_flood() {
	local fpid=$1 looks=${2:-0} t r u
	MAX_THREADS=0 MAX_RSS=0 CHECKS=0 UNKNOWN=
	rm -f "$T/stop"
	while kill -0 "$fpid" 2>/dev/null; do
		[ "$looks" -gt 0 ] && [ "$CHECKS" -ge "$looks" ] && touch "$T/stop"
		t=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
		r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
		[ "$t" -gt "$MAX_THREADS" ] && MAX_THREADS=$t
		[ "$r" -gt "$MAX_RSS" ] && MAX_RSS=$r
		u=$(unknown_kpis)
		[ -n "$u" ] && UNKNOWN="$UNKNOWN $u"
		CHECKS=$((CHECKS + 1))
	done
}

flood() {
	runuser -u "$mallory" -- python3 "$T/flood.py" "$SOCK" "$@" "$T/stop" >"$T/flood.out" 2>"$T/flood.err" &
	local fpid=$!
	watch_flood "$fpid" "${LOOKS:-0}"
	wait "$fpid" || fail "the flood failed: $(cat "$T/flood.err")"
	FLOOD=$(cat "$T/flood.out")
	note "$* -> $FLOOD; threads <= $MAX_THREADS, VmRSS <= $((MAX_RSS / 1024)) MiB," \
		"$CHECKS looks at alice's KPIs"
}
codes() {
	echo "$FLOOD" | python3 -c 'import json,sys; d=json.load(sys.stdin)["codes"]
print(" ".join("%s=%d" % kv for kv in sorted(d.items())))'
}
code() {
	echo "$FLOOD" | python3 -c 'import json,sys; print(json.load(sys.stdin)["codes"].get(sys.argv[1], 0))' "$1"
}
check_bounded() {
	[ "$MAX_THREADS" -le $((workers + 4)) ] ||
		fail "the daemon ran $MAX_THREADS threads; its pool has $workers"
	# AddressSanitizer keeps freed memory in quarantine: its RSS says nothing here.
	[ "$MAX_RSS" -le $((rss_start + 64 * 1024)) ] || [ -n "$asan" ] ||
		fail "VmRSS grew from $((rss_start / 1024)) to $((MAX_RSS / 1024)) MiB"
	[ -z "$UNKNOWN" ] || fail "alice saw KPIs unknown during the flood:$UNKNOWN"
	kill -0 "$pid" || fail "the daemon died: $(cat "$T/daemon.log")"
}
rss_start=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
asan=$(grep -ao -m1 __asan_init "$LEITSTAND" || true)

note "3000 pipelined audit.verify on one connection: a few run, the rest busy or rate_limited"
flood audit.verify '{}' 3000 1 1
assert_eq "$(($(code ok) + $(code busy) + $(code rate_limited)))" 3000
[ "$(code ok)" -ge 1 ] && [ "$(code ok)" -le 20 ] || fail "ran $(code ok) verifications: $(codes)"
[ "$(code rate_limited)" -ge 2900 ] || fail "not rate-limited: $(codes)"
echo "$FLOOD" | grep -q '"retry_max": [0-9]' || fail "rate_limited without retry_after: $FLOOD"
check_bounded

# Ten fresh connections would pass 20 each; mallory's own bucket has 40 at most.
note "reconnecting does not start afresh: the user's bucket counts across connections"
flood audit.verify '{}' 300 10 1
[ "$(code rate_limited)" -ge 200 ] || fail "new connections started afresh: $(codes)"

note "3000 pipelined kpi.range over 3 connections: rate_limited, the polls unharmed"
flood kpi.range '{"name": "requests", "seconds": 604800, "width": 2000}' 3000 3 1
assert_eq "$(($(code ok) + $(code busy) + $(code rate_limited)))" 3000
[ "$(code rate_limited)" -ge 2900 ] || fail "not rate-limited: $(codes)"
check_bounded

# Without the rate limit the work queues themselves must hold: Prometheus queries for
# clients wait in their own queue, verifications in theirs.
note "with the rate limit lifted, rounds of 3000 kpi.range: busy, and every KPI stays known"
write_config <<EOF2
group = $group
query_rate = 10000
query_burst = 100000
$(printf '[roles]\nviewer = %s\nadmin = %s\n' "$mallory" "$alice")
$(kpis)
EOF2
as "$alice" config reload >/dev/null
wait_for '[ -z "$(unknown_kpis)" ]' 30
cycles=$(as "$alice" kpi --json | json_get source.cycles)
LOOKS=8 flood kpi.range '{"name": "requests", "seconds": 604800, "width": 2000}' 3000 3 0
rounds=$(($(code ok) + $(code busy) + $(code unavailable)))
[ $((rounds % 3000)) -eq 0 ] && [ "$rounds" -ge 3000 ] || fail "replies missing: $(codes)"
[ "$(code busy)" -ge $((rounds / 2)) ] || fail "the queue for clients' queries did not hold: $(codes)"
[ "$(code ok)" -ge 10 ] || fail "no chart was answered: $(codes)"
check_bounded
# A fast machine ends the flood within a poll cycle or two: the polls must go on after it.
wait_for "[ \"\$(as $alice kpi --json | json_get source.cycles)\" -gt $((cycles + 2)) ]" 30 ||
	fail "the polls stopped during the flood"

note "and 3000 audit.verify: at most the pool's verify workers and queue run, the rest busy"
flood audit.verify '{}' 3000 1 1
assert_eq "$(($(code ok) + $(code busy)))" 3000
# How many finish while the rest arrive depends on the machine; most cannot.
[ "$(code busy)" -ge 1500 ] || fail "the verify queue did not hold: $(codes)"
check_bounded

note "alice stays served: status, a chart, an intact audit log, an intact database"
as "$alice" status >/dev/null
wait_for "as $alice kpi --json >/dev/null"
out=$(as "$alice" audit verify)
assert_contains "$out" "chain intact"
assert_eq "$(sqlite3 "$T/data/leitstand.db" 'PRAGMA integrity_check')" "ok"
stop_daemon

# A daemon under a task limit (RLIMIT_NPROC for its user): one worker per kind is enough to
# start (eight kinds); fewer than that, and it says so and leaves no socket behind.
note "a task limit: the pool starts smaller, or the daemon refuses to start, never aborts"
mkdir -p "$T/m"
chown "$mallory" "$T/m"
cat >"$T/m/leitstand.ini" <<EOF2
[daemon]
socket = $T/m/run/leitstand.sock
data_dir = $T/m/data
EOF2
chmod 644 "$T/m/leitstand.ini"
runuser -u "$mallory" -- prlimit --nproc=10 "$LEITSTAND" -c "$T/m/leitstand.ini" serve \
	>"$T/m/log" 2>&1 &
mpid=$!
PIDS+=("$mpid")
wait_for "runuser -u $mallory -- $LEITSTAND -c $T/m/leitstand.ini status" 20
st=$(runuser -u "$mallory" -- "$LEITSTAND" -c "$T/m/leitstand.ini" status --json)
small=$(echo "$st" | json_get workers)
[ "$small" -ge 8 ] && [ "$small" -lt "$workers" ] || fail "under the limit: $small workers"
out=$(runuser -u "$mallory" -- "$LEITSTAND" -c "$T/m/leitstand.ini" audit verify)
assert_contains "$out" "chain intact"
# runuser passes the daemon's exit status on.
kill -TERM "$(echo "$st" | json_get pid)"
wait "$mpid" || fail "the small daemon exited with $?: $(cat "$T/m/log")"
rc=0
runuser -u "$mallory" -- prlimit --nproc=3 "$LEITSTAND" -c "$T/m/leitstand.ini" serve \
	>"$T/m/log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] || fail "under a limit of 3 tasks: exit $rc"
assert_contains "$(cat "$T/m/log")" "cannot start a worker thread for"
assert_contains "$(cat "$T/m/log")" "ulimit -u"
[ ! -e "$T/m/run/leitstand.sock" ] || fail "a daemon that did not start left its socket"
