#!/bin/bash
# Secrets: a canary token configured for every upstream (Prometheus, tickets, the staging
# endpoint), each failing in its own way, never shows up in the debug log, the audit log,
# protocol replies, `leitstand status`, the config listing or the output of a crashed daemon.
. "$(dirname "$0")/../lib/lib.sh"

CANARY=lt-canary-9f8e7d6c5b4a
HEADER_CANARY=lt-header-canary-1a2b3c
export PROM_TOKEN=$CANARY TICKET_TOKEN=$CANARY STAGING_TOKEN=$CANARY HOOK_HEADER=$HEADER_CANARY

note "a ticket header's value is a secret to the config check: literal means chmod 600"
printf '[ticket]\nkind = webhook\nurl = http://127.0.0.1:1/hook\nheaders = X-Team: ops; Authorization: Basic %s\n' \
	"$HEADER_CANARY" >"$T/headers.ini"
chmod 640 "$T/headers.ini"
expect_exit 1 "$LEITSTAND" config check "$T/headers.ini"
assert_contains "$OUT" "$T/headers.ini: holds a secret (headers) but is readable by group or others (mode 640); chmod 600 it, or use headers = Name: env:NAME"
assert_not_contains "$OUT" "$HEADER_CANARY"
chmod 600 "$T/headers.ini"
"$LEITSTAND" config check "$T/headers.ini" >/dev/null
printf '[ticket]\nheaders = X-Api-Key: env:HOOK_HEADER; X-Other: env:LEITSTAND_UNSET_HEADER\n' >"$T/henv.ini"
chmod 644 "$T/henv.ini"
expect_exit 1 "$LEITSTAND" config check "$T/henv.ini"
assert_contains "$OUT" "ticket.headers: header X-Other: environment variable LEITSTAND_UNSET_HEADER is not set"
assert_not_contains "$OUT" "holds a secret"
LEITSTAND_UNSET_HEADER=x "$LEITSTAND" config check "$T/henv.ini" >/dev/null
printf '[ticket]\nheaders = Authorization %s\n' "$HEADER_CANARY" >"$T/hbad.ini"
chmod 600 "$T/hbad.ini"
expect_exit 1 "$LEITSTAND" config check "$T/hbad.ini"
assert_contains "$OUT" "ticket.headers: header 1 is not Name: value"
assert_not_contains "$OUT" "$HEADER_CANARY"
# A server that answers 401 and echoes the Authorization header back, as broken proxies do.
python3 -c 'import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        if n: self.rfile.read(n)
        body = ("{\"error\": {\"message\": \"bad key " + str(self.headers.get("Authorization")) +
                " " + str(self.headers.get("X-Api-Key")) +
                "\", \"code\": \"invalid_api_key\"}}").encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = reply
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_port))
s.serve_forever()' "$T/port" &
PIDS+=($!)
wait_for "[ -s '$T/port' ]"
URL=http://127.0.0.1:$(cat "$T/port")
write_config <<EOF2
[prometheus]
url = $URL
token = env:PROM_TOKEN
interval = 1s
[ticket]
kind = webhook
url = $URL/hook
token = env:TICKET_TOKEN
headers = X-Api-Key: env:HOOK_HEADER
retries = 0
[prompts]
staging_url = $URL/v1/chat/completions
staging_token = env:STAGING_TOKEN
eval_tries = 1
EOF2
mkdir -p "$T/log"
(cd "$T/log" && exec "$LEITSTAND" -v -c "$CFG" serve) >"$T/daemon.log" 2>&1 &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
wait_for "ls_ status"

note "every upstream fails with the token in hand"
# grep reads it all: with -q it would stop early and the CLI would die of SIGPIPE (pipefail).
wait_for "ls_ kpi --json | grep 'HTTP 401' >/dev/null" 30
ls_ incident open --severity 3 --title "canary test" >/dev/null
expect_exit 1 ls_ incident ticket 1
ls_ prompt cat system.md >"$T/system.md"
echo "- canary" >>"$T/system.md"
ls_ prompt propose -m "canary" "$T/system.md" >/dev/null
out=$(ls_ prompt eval 1)
assert_contains "$out" "HTTP 401"

note "the token is nowhere: replies, status, config, audit, debug log"
{
	ls_ kpi --json
	ls_ status --json
	ls_ config keys
	ls_ incident show 1 --json
	ls_ prompt show 1 --json
	ls_ audit export --format json
	ls_ audit list --json
} >"$T/outputs" 2>&1
assert_contains "$(cat "$T/outputs")" "[redacted]"
assert_contains "$(ls_ incident show 1)" "bad key Bearer [redacted] [redacted]"
for c in "$CANARY" "$HEADER_CANARY"; do
	! grep -q "$c" "$T/outputs" || fail "canary in replies: $(grep -m3 "$c" "$T/outputs")"
	ls "$T"/log/leitstand-server-*.log >/dev/null || fail "no debug log"
	! grep -q "$c" "$T"/log/*.log || fail "canary in the debug log"
	! grep -aq "$c" "$T"/data/leitstand.db* || fail "canary in the database"
done

note "a crashing daemon prints nothing of it either"
kill -SEGV "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
! grep -q "$CANARY\|$HEADER_CANARY" "$T/daemon.log" "$T"/log/*.log || fail "canary in the crash output"
# The crash was ours: a sanitizer build's report of it is not a finding.
: >"$T/daemon.log"
