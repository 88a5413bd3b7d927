# Shared helpers for integration and screen tests (bash). Source it first.
# Every test gets a private temp dir; every process it starts is stopped by PID on exit.
set -eu -o pipefail

LEITSTAND=${LEITSTAND:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/leitstand}
TESTS=${TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
T=$(mktemp -d /tmp/leitstand-test.XXXXXX)
CFG=$T/leitstand.ini
SOCK=$T/run/leitstand.sock
PIDS=()
TMUX_SESSIONS=()
TEST_USERS=()
TEST_GROUPS=()
# python3 resolved once, first on PATH: a version manager's shim (pyenv) runs shell scripts on
# every call, seconds each on a busy machine, and the tests call python3 hundreds of times.
mkdir "$T/bin"
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$T/bin/python3"
export PATH=$T/bin:$PATH

cleanup() {
	local pid s u g status=0
	for s in "${TMUX_SESSIONS[@]}"; do
		tmux -L "lt-$$" kill-session -t "$s" 2>/dev/null || true
	done
	[ ${#TMUX_SESSIONS[@]} -gt 0 ] && tmux -L "lt-$$" kill-server 2>/dev/null || true
	# A daemon a command started on its own is known by the pid in its data dir's lock.
	# (if that pid is still one of ours: its command line names this test's directory).
	for lock in "$T"/data*/daemon.lock; do
		pid=$(head -n 1 "$lock" 2>/dev/null) || continue
		tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$T" && PIDS+=("$pid")
	done
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	done
	# A daemon built with sanitizers reports at exit: that fails the test too.
	if grep -q "Sanitizer\|runtime error" "$T/daemon.log" 2>/dev/null; then
		echo "FAIL: the daemon's sanitizer report:" >&2
		cat "$T/daemon.log" >&2
		status=1
	fi
	[ -n "${KEEP_T:-}" ] || rm -rf "$T"
	for u in "${TEST_USERS[@]}"; do userdel "$u" 2>/dev/null || status=1; done
	for g in "${TEST_GROUPS[@]}"; do groupdel "$g" 2>/dev/null || status=1; done
	return "$status"
}
trap 'cleanup || exit 1' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# set -e ends a test at a command that fails unchecked; say which, or the log shows no reason.
# -E: also inside functions. A subshell's failure is reported where the test waits for it.
on_err() {
	local rc=$? i=1 line
	[ "${BASH_SUBSHELL:-0}" -eq 0 ] || exit "$rc"
	# The test's own line, not the helper in here it called.
	while [ "$i" -lt $((${#BASH_SOURCE[@]} - 1)) ] && [ "${BASH_SOURCE[i]}" = "${BASH_SOURCE[0]}" ]; do
		i=$((i + 1))
	done
	line=$(sed -n "${BASH_LINENO[i - 1]}{s/^[[:space:]]*//;p}" "${BASH_SOURCE[i]}" 2>/dev/null) || true
	echo "FAIL: ${BASH_SOURCE[i]##*/} line ${BASH_LINENO[i - 1]} exited $rc: ${line:-$BASH_COMMAND}" >&2
	exit "$rc"
}
set -E
trap on_err ERR

note() {
	echo "-- $*"
}

# Writes a config for this test's socket and data dir; more lines from stdin (before any
# section header they belong to [daemon]).
write_config() {
	{
		printf '[daemon]\nsocket = %s\ndata_dir = %s/data\n' "$SOCK" "$T"
		cat
	} >"$CFG"
}

ls_() {
	"$LEITSTAND" -c "$CFG" "$@"
}

# Polls a command until it succeeds, for at most $2 seconds (default 10).
wait_for() {
	local what=$1 secs=${2:-10} i
	for i in $(seq $((secs * 20))); do
		if eval "$what" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.05
	done
	fail "timed out after ${secs}s waiting for: $what"
}

# Starts the daemon in the foreground of a background job and waits until it answers (a
# loaded machine may take its time: only a daemon that never answers fails).
start_daemon() {
	"$LEITSTAND" -c "$CFG" serve "$@" >"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	PIDS+=("$DAEMON_PID")
	wait_for "ls_ status" 30
}

stop_daemon() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "daemon exited with $? on SIGTERM: $(cat "$T/daemon.log")"
	! grep -q "Sanitizer" "$T/daemon.log" || fail "daemon: $(cat "$T/daemon.log")"
}

daemon_pid_from_status() {
	ls_ status --json | sed -n 's/.*"pid":[[:space:]]*\([0-9]*\).*/\1/p'
}

assert_contains() {
	local haystack=$1 needle=$2
	case "$haystack" in
	*"$needle"*) ;;
	*) fail "expected to find \"$needle\" in: $haystack" ;;
	esac
}

assert_not_contains() {
	local haystack=$1 needle=$2
	case "$haystack" in
	*"$needle"*) fail "did not expect \"$needle\" in: $haystack" ;;
	esac
}

assert_eq() {
	[ "$1" = "$2" ] || fail "expected \"$2\", got \"$1\"${3:+ ($3)}"
}

# Runs a command that must fail with the given exit code; its output lands in $OUT.
expect_exit() {
	local want=$1 rc=0
	shift
	OUT=$("$@" 2>&1) || rc=$?
	[ "$rc" -eq "$want" ] || fail "expected exit $want from $*, got $rc: $OUT"
}

# A JSON field of a one-line or pretty JSON document (python3 for correctness).
json_get() {
	python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    d = d[int(k)] if isinstance(d, list) else d[k]
print(d if not isinstance(d, bool) else str(d).lower())' "$1"
}

# Console in tmux: a private tmux server per test, sessions stopped on exit.
tmux_() {
	tmux -L "lt-$$" "$@"
}

# Starts the console in a new session: console NAME COLSxROWS ENV... -- ARGS...
console() {
	local name=$1 size=$2 envs=() ; shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	tmux_ -f /dev/null new-session -d -s "$name" -c "$T" -x "${size%x*}" -y "${size#*x}" \
		env -i PATH="$PATH" HOME="$T" "${envs[@]}" "$LEITSTAND" -c "$CFG" "$@"
	TMUX_SESSIONS+=("$name")
}

screen_() {
	tmux_ capture-pane -p -t "$1" "${@:2}"
}

# Waits until the screen of a session shows the text.
wait_screen() {
	local name=$1 text=$2 i
	for i in $(seq 200); do
		if screen_ "$name" | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.05
	done
	screen_ "$name" >&2
	fail "screen of $name never showed: $text"
}

keys() {
	tmux_ send-keys -t "$@"
}

# Compares a session's screen, passed through the test's normalise function (which masks
# what changes between runs), with tests/screen/golden/NAME.txt; GENERATE=1 writes it.
golden() {
	local name=$1 file=$TESTS/screen/golden/$1.txt
	screen_ "$2" | normalise >"$T/$name.txt"
	if [ "${GENERATE:-0}" = 1 ]; then
		cp "$T/$name.txt" "$file"
	elif ! diff -u "$file" "$T/$name.txt"; then
		fail "screen $name differs from $file (GENERATE=1 regenerates)"
	fi
}

# A loopback port nobody listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts `leitstand sim serve`; sets SIM_URL and SIM_PID.
start_sim() {
	"$LEITSTAND" sim serve "$@" >"$T/sim.out" 2>"$T/sim.err" &
	SIM_PID=$!
	PIDS+=("$SIM_PID")
	wait_for "grep -q '^listening on ' '$T/sim.out'"
	SIM_URL=$(sed -n 's/^listening on //p' "$T/sim.out")
}

# Starts the real Prometheus scraping SCRAPE_TARGET (an http:// URL; the sim unless set) every
# second on PROM_PORT (a free port unless set), with a TSDB in the test dir; sets PROM_URL and
# PROM_PID. Keeps the TSDB across restarts.
start_prometheus() {
	local target=${SCRAPE_TARGET:-$SIM_URL}
	PROM_PORT=${PROM_PORT:-$(free_port)}
	mkdir -p "$T/prom"
	cat >"$T/prom/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: assistant
    static_configs:
      - targets: ['${target#http://}']
EOF2
	/usr/bin/prometheus --config.file="$T/prom/prometheus.yml" \
		--storage.tsdb.path="$T/prom/tsdb" --web.listen-address="127.0.0.1:$PROM_PORT" \
		>>"$T/prom/log" 2>&1 &
	PROM_PID=$!
	PIDS+=("$PROM_PID")
	PROM_URL=http://127.0.0.1:$PROM_PORT
	wait_for "python3 -c 'import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + \"/-/ready\", timeout=1)' '$PROM_URL'" 30
}

stop_prometheus() {
	kill -TERM "$PROM_PID"
	wait "$PROM_PID" || true
}

# Starts the third-party peer: an assistant backend on the official `openai` npm client,
# instrumented with @opentelemetry/instrumentation-openai (tests/peers, installed by make deps),
# sending chat completions to $SIM_URL; more arguments go to it (--rate 10/s, --stream-share X,
# --model A,B, --timeout SECONDS, --positive X). Its OpenTelemetry metrics are exported for
# Prometheus on a free loopback port: sets PEER_URL (scrape PEER_URL/metrics) and PEER_PID.
start_peer() {
	local port
	[ -d "$TESTS/peers/node_modules/@opentelemetry/instrumentation-openai" ] ||
		fail "tests/peers/node_modules is missing: run make deps"
	port=$(free_port)
	node "$TESTS/peers/otel-assistant.cjs" --base-url "$SIM_URL/v1" --metrics-port "$port" \
		"$@" >"$T/peer.out" 2>"$T/peer.err" &
	PEER_PID=$!
	PIDS+=("$PEER_PID")
	PEER_URL=http://127.0.0.1:$port
	wait_for "grep -q '^metrics on ' '$T/peer.out'" 30
	wait_for "python3 -c 'import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + \"/metrics\", timeout=1)' '$PEER_URL'" 10
}

# Starts VictoriaMetrics (Debian victoria-metrics, single node) on VM_PORT (a free port unless
# set), storage in the test dir, scraping SCRAPE_TARGET (the sim unless set) every second with
# its Prometheus-style -promscrape.config; sets VM_URL (its Prometheus query API is at
# VM_URL/api/v1/query) and VM_PID. Samples are visible to queries at once (-search.latencyOffset).
start_victoria() {
	local target=${SCRAPE_TARGET:-$SIM_URL}
	VM_PORT=${VM_PORT:-$(free_port)}
	mkdir -p "$T/vm"
	cat >"$T/vm/scrape.yml" <<EOF2
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: assistant
    static_configs:
      - targets: ['${target#http://}']
EOF2
	/usr/bin/victoria-metrics -httpListenAddr="127.0.0.1:$VM_PORT" \
		-storageDataPath="$T/vm/data" -retentionPeriod=1d \
		-promscrape.config="$T/vm/scrape.yml" -search.latencyOffset=0s \
		-search.disableCache -loggerLevel=WARN >>"$T/vm/log" 2>&1 &
	VM_PID=$!
	PIDS+=("$VM_PID")
	VM_URL=http://127.0.0.1:$VM_PORT
	wait_for "python3 -c 'import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + \"/health\", timeout=1)' '$VM_URL'" 30
}

stop_victoria() {
	kill -TERM "$VM_PID"
	wait "$VM_PID" || true
}

# kpi FIELD NAME: a field of one KPI from `leitstand kpi --json` (empty when missing or null).
kpi_field() {
	ls_ kpi --json | python3 -c 'import json,sys
d = json.load(sys.stdin)
k = [k for k in d["kpis"] if k["name"] == sys.argv[2]][0]
v = k.get(sys.argv[1])
print("" if v is None else v)' "$1" "$2"
}

# Starts the real Alertmanager (Debian prometheus-alertmanager) on AM_PORT (a free port unless
# set), storage in the test dir; sets AM_URL and AM_PID.
start_alertmanager() {
	AM_PORT=${AM_PORT:-$(free_port)}
	mkdir -p "$T/am"
	cat >"$T/am/alertmanager.yml" <<EOF2
route:
  receiver: none
  group_by: [alertname, service]
receivers:
  - name: none
EOF2
	/usr/bin/prometheus-alertmanager --config.file="$T/am/alertmanager.yml" \
		--storage.path="$T/am/data" --web.listen-address="127.0.0.1:$AM_PORT" \
		--cluster.listen-address= >>"$T/am/log" 2>&1 &
	AM_PID=$!
	PIDS+=("$AM_PID")
	AM_URL=http://127.0.0.1:$AM_PORT
	wait_for "python3 -c 'import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + \"/-/ready\", timeout=1)' '$AM_URL'" 30
}

stop_alertmanager() {
	kill -TERM "$AM_PID"
	wait "$AM_PID" || true
}

# Posts alerts to Alertmanager's API: post_alert NAME SERVICE SEVERITY SUMMARY [resolved]
post_alert() {
	python3 - "$AM_URL" "$@" <<'PY'
import datetime, json, sys, urllib.request
url, name, service, severity, summary = sys.argv[1:6]
now = datetime.datetime.now(datetime.timezone.utc)
alert = {"labels": {"alertname": name, "service": service, "severity": severity},
         "annotations": {"summary": summary, "runbook_url": "https://wiki.example/" + name},
         "startsAt": (now - datetime.timedelta(minutes=1)).isoformat()}
if len(sys.argv) > 6:
    alert["endsAt"] = now.isoformat()
req = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps([alert]).encode(),
                             headers={"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(req, timeout=5)
PY
}

# Ends a test group that needs root (to create other Unix users) with SKIP (exit 77) otherwise:
# run-suite prints it as SKIP with the reason, never as PASS.
need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root to create the other local users this group plays"
		exit 77
	fi
}

# test_users GROUP USER...: (root) a Unix group and users in it, removed again on exit.
test_users() {
	local group=$1 u
	shift
	groupadd "$group"
	TEST_GROUPS+=("$group")
	for u in "$@"; do
		useradd -M -N -g "$group" -s /bin/sh "$u"
		TEST_USERS+=("$u")
	done
}

# as USER ARGS...: the CLI as another user.
as() {
	local user=$1
	shift
	runuser -u "$user" -- "$LEITSTAND" -c "$CFG" "$@"
}

# Starts git's own daemon with pushes allowed, serving the bare repositories under $T/git on
# GIT_PORT (a free port the first time, the same port after stop_git_daemon); sets GIT_URL
# (git://127.0.0.1:PORT) and GIT_PID.
start_git_daemon() {
	mkdir -p "$T/git"
	GIT_PORT=${GIT_PORT:-$(free_port)}
	GIT_URL=git://127.0.0.1:$GIT_PORT
	git daemon --export-all --enable=receive-pack --base-path="$T/git" --listen=127.0.0.1 \
		--port="$GIT_PORT" --reuseaddr --informative-errors >>"$T/git-daemon.log" 2>&1 &
	GIT_PID=$!
	PIDS+=("$GIT_PID")
	wait_for "port_open $GIT_PORT" 10
}

stop_git_daemon() {
	kill -TERM "$GIT_PID"
	wait "$GIT_PID" || true
	# Its connection children have the listening socket closed; none may still answer.
	wait_for "! port_open $GIT_PORT" 10
}

# Whether something accepts connections on a loopback port.
port_open() {
	python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null
}
