#!/bin/bash
# The CLI against a real daemon: status, config check, usage errors.
. "$(dirname "$0")/../lib/lib.sh"

write_config </dev/null
note "status without a daemon says so and starts none"
expect_exit 1 ls_ status
assert_contains "$OUT" "no daemon at $SOCK"
[ ! -e "$SOCK" ] || fail "status started a daemon"

start_daemon
note "status, human and JSON"
out=$(ls_ status)
assert_contains "$out" "data dir  $T/data"
assert_contains "$out" "user      $(id -un)"
assert_contains "$out" "role      admin"
json=$(ls_ status --json)
assert_eq "$(echo "$json" | json_get socket)" "$SOCK"
assert_eq "$(echo "$json" | json_get role)" "admin"
assert_eq "$(echo "$json" | json_get clients)" "1"
assert_eq "$(echo "$json" | json_get pid)" "$DAEMON_PID"

note "usage errors exit 2"
expect_exit 2 ls_ no-such-command
assert_contains "$OUT" 'unknown command "no-such-command"'
expect_exit 2 ls_ status --bogus
assert_contains "$OUT" "usage: leitstand status"
expect_exit 2 ls_ audit list --limit 0
assert_contains "$OUT" "--limit"

note "the command line checks what the daemon checks, with one exit code and one message style"
# The op table's limit of prompt.list is 1..500: the CLI once let 800 through to a refusal.
expect_exit 2 ls_ prompt list --limit 800
assert_contains "$OUT" "leitstand: prompt list: --limit: 800 is not a number from 1 to 500"
assert_contains "$OUT" "usage: leitstand prompt list [--limit N] [--json]"
expect_exit 2 ls_ incident list --limit 5000
assert_contains "$OUT" "leitstand: incident list: --limit: 5000 is not a number from 1 to 1000"
expect_exit 2 ls_ prompt history --limit many
assert_contains "$OUT" "leitstand: prompt history: --limit: many is not a number from 1 to 1000"
expect_exit 2 ls_ incident show
assert_contains "$OUT" "leitstand: incident show: ID is required"
expect_exit 2 ls_ incident show 1 2
assert_contains "$OUT" "leitstand: incident show: too many arguments"
expect_exit 2 ls_ incident snooze 1 --minutes 0 coffee
assert_contains "$OUT" "--minutes: 0 is not a number from 1 to 10080"
expect_exit 2 ls_ incident snooze 1 --minutes abc coffee
assert_contains "$OUT" "--minutes: abc is not a number from 1 to 10080"
expect_exit 2 ls_ incident snooze 1 --minutes 5x coffee
assert_contains "$OUT" "--minutes: 5x is not a number"
note "an empty required string is refused: by the CLI, and by the daemon"
expect_exit 2 ls_ playbook run ""
assert_contains "$OUT" "leitstand: playbook run: ID must not be empty"
expect_exit 2 ls_ incident note 1 ""
assert_contains "$OUT" "leitstand: incident note: TEXT must not be empty"
raw() {
	python3 - "$SOCK" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
r = json.loads(s.makefile("rb").readline())
print(r["error"]["code"] + ": " + r["error"]["message"] if "error" in r else "ok")
PY
}
assert_eq "$(raw '{"id": 1, "op": "run.start", "playbook": ""}')" \
	'invalid_argument: run.start: "playbook" must not be empty'
assert_eq "$(raw '{"id": 1, "op": "prompt.list", "limit": 800}')" \
	'invalid_argument: prompt.list: "limit" must be an integer from 1 to 500'
assert_eq "$(raw '{"id": 1, "op": "kpi.list", "watch": true}')" \
	'invalid_argument: kpi.list: unknown argument "watch"'

note "free text is redacted before the op sees it; what a search looks for is not"
id=$(ls_ incident open --title "Call anna.schmidt@example.com" --severity 3 \
	--description "from bob@example.org" | awk '{ print $3 }')
ls_ incident note "$id" mail carol@example.net >/dev/null
out=$(ls_ incident show "$id")
assert_contains "$out" "Call [email]"
assert_contains "$out" "from [email]"
assert_contains "$out" "mail [email]"
assert_not_contains "$out" "example."
assert_eq "$(ls_ incident list --search anna.schmidt@example.com --json | json_get total)" "0"
assert_eq "$(ls_ incident list --search "Call [email]" --json | json_get total)" "1"

note "an argument that needs more than its op is refused by the dispatcher, naming it and the role"
stop_daemon
write_config <<'EOF2'
[roles]
owner = approver
EOF2
start_daemon
echo x >"$T/checkpoints"
expect_exit 1 ls_ audit verify --checkpoints "$T/checkpoints"
assert_contains "$OUT" "leitstand: forbidden: audit.verify: \"checkpoints\" needs role admin; $(id -un) is approver"
expect_exit 1 ls_ prompt approve 1 --override "launch day"
assert_contains "$OUT" "leitstand: forbidden: prompt.approve: \"override\" needs role admin; $(id -un) is approver"
assert_contains "$(ls_ audit verify)" "audit log OK"
stop_daemon
write_config </dev/null
start_daemon

note "config check: ok, and every error with file:line"
out=$("$LEITSTAND" config check "$CFG")
assert_eq "$out" "$CFG: ok"
cat >"$T/bad.ini" <<'INI'
; a comment

[daemon]
max_line = 12
colour = blue
[roles]
admin = alice
admin = bob
default = superuser
[nosuch]
x = 1
INI
expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
assert_contains "$OUT" "$T/bad.ini:4: daemon.max_line: \"12\" is not an integer from 1024 to 16777216"
assert_contains "$OUT" "$T/bad.ini:5: daemon.colour: unknown key"
assert_contains "$OUT" "$T/bad.ini:8: roles.admin: set twice"
assert_contains "$OUT" "$T/bad.ini:9: roles.default: \"superuser\" is not one of none, viewer"
assert_contains "$OUT" "$T/bad.ini:11: unknown section [nosuch]"
printf '[daemon\n' >"$T/syntax.ini"
expect_exit 1 "$LEITSTAND" config check "$T/syntax.ini"
assert_contains "$OUT" "$T/syntax.ini:1: syntax error"
expect_exit 1 "$LEITSTAND" config check "$T/missing.ini"
assert_contains "$OUT" "$T/missing.ini: No such file or directory"
note "KPI, price and duration errors name file, line and section"
cat >"$T/kpi.ini" <<'INI'
[prometheus]
interval = 5x
url = ftp://example
[kpi.latency_p95]
warn = 9
[kpi.mine]
query = up
[kpi.bad name]
title = x
[price.some-model]
input = 1
[kpi.availability]
sev1 = 99.5
[incidents]
correlate = 2d
INI
expect_exit 1 "$LEITSTAND" config check "$T/kpi.ini"
assert_contains "$OUT" "kpi.availability: sev1 99.5 is not beyond crit 99 for direction = below"
assert_contains "$OUT" "incidents.correlate: "
assert_contains "$OUT" "$T/kpi.ini:2: prometheus.interval: \"5x\" is not a duration from 1s to 3600s"
assert_contains "$OUT" "$T/kpi.ini:3: prometheus.url: must start with http:// or https://"
assert_contains "$OUT" "$T/kpi.ini:4: kpi.latency_p95: warn 9 is beyond crit 8"
assert_contains "$OUT" "kpi.latency_p95: warn 9 is beyond crit 8 for direction = above"
assert_contains "$OUT" "$T/kpi.ini:6: kpi.mine: needs a title"
assert_contains "$OUT" "$T/kpi.ini:8: section [kpi.bad name]: the name after the dot"
assert_contains "$OUT" "$T/kpi.ini:10: price.some-model: needs input and output prices"

note "a config holding a secret must not be readable by others; env:NAME keeps it out"
printf '[prometheus]\nurl = http://127.0.0.1:1\ntoken = s3cret\n' >"$T/secret.ini"
chmod 644 "$T/secret.ini"
expect_exit 1 "$LEITSTAND" config check "$T/secret.ini"
assert_contains "$OUT" "$T/secret.ini: holds a secret (token) but is readable by group or others (mode 644)"
assert_not_contains "$OUT" "s3cret"
chmod 600 "$T/secret.ini"
"$LEITSTAND" config check "$T/secret.ini" >/dev/null
printf '[prometheus]\ntoken = env:LEITSTAND_TEST_TOKEN\n' >"$T/env.ini"
chmod 644 "$T/env.ini"
expect_exit 1 "$LEITSTAND" config check "$T/env.ini"
assert_contains "$OUT" "prometheus.token: environment variable LEITSTAND_TEST_TOKEN is not set"
LEITSTAND_TEST_TOKEN=x "$LEITSTAND" config check "$T/env.ini" >/dev/null

note "a broken config stops the daemon from starting, with the reason"
expect_exit 1 "$LEITSTAND" -c "$T/bad.ini" serve
assert_contains "$OUT" "daemon.colour: unknown key"

note "the shipped default config is valid"
"$LEITSTAND" config check "$TESTS/../data/leitstand.ini" >/dev/null

stop_daemon
[ ! -e "$SOCK" ] || fail "SIGTERM left the socket behind"

note "an error a daemon sends is printed defused: no escape sequence reaches the terminal"
mkdir -m 700 "$T/fake"
python3 - "$T/fake/s.sock" "$T/fake/ready" <<'PY' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
open(sys.argv[2], "w").write("ready")
while True:
    c, _ = s.accept()
    for line in c.makefile("rb"):
        c.sendall((json.dumps({"id": json.loads(line).get("id", 1), "ok": False, "error": {
            "code": "forbidden", "message": "\x1b[2J\x1b]0;pwned\x07 \u009b31m \u202eevil\nnext\rline"}})
            + "\n").encode())
    c.close()
PY
PIDS+=($!)
wait_for "[ -s '$T/fake/ready' ]"
expect_exit 1 env LANG=C.UTF-8 "$LEITSTAND" -S "$T/fake/s.sock" status
! printf '%s' "$OUT" | LC_ALL=C grep -q $'[\x1b\x07\r]\|\xc2\x9b\|\xe2\x80\xae' || fail "raw controls in: $(printf '%s' "$OUT" | od -c | head)"
assert_contains "$OUT" "leitstand: forbidden: ^[[2J^[]0;pwned^G \\x9b31m <U+202E>evil"
assert_contains "$OUT" "next^Mline"

note "a script asking faster than daemon.query_rate waits its turn instead of failing"
write_config <<'EOF2'
query_rate = 1
query_burst = 1
EOF2
start_daemon
# The limit is on: of three verifications at once, the daemon refuses some.
codes=$(python3 - "$SOCK" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"".join(b'{"id":%d,"op":"audit.verify"}\n' % i for i in range(3)))
f = s.makefile("rb")
print(" ".join(sorted(json.loads(f.readline()).get("error", {}).get("code", "ok") for _ in range(3))))
PY
)
assert_contains "$codes" "rate_limited"
# The CLI, asked as fast, waits the retry_after it is told each time.
for i in 1 2 3 4 5; do
	ls_ audit verify >/dev/null 2>&1 || fail "audit verify $i failed under the rate limit"
done
stop_daemon
