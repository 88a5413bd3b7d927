#!/bin/bash
# Notification channels: config check of [notify] and [user.NAME]; Slack, Teams and generic
# webhooks against a loopback receiver, byte for byte; the command hook (stdin, environment,
# timeout, megabytes, exit status); e-mail through a real Postfix on loopback ports (plain,
# STARTTLS with a self-signed CA, refused authentication, a server down or stalling).
. "$(dirname "$0")/../lib/lib.sh"
. "$TESTS/lib/mta.sh"

me=$(id -un)
for u in daemon bin; do getent passwd "$u" >/dev/null || fail "no local user $u"; done

note "config check: every bad [notify] and [user.NAME] input is an error at its file:line"
check_bad() {
	local want=$1
	cat >"$T/bad.ini"
	chmod 600 "$T/bad.ini"
	expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
	assert_contains "$OUT" "$want"
}
check_bad 'bad.ini:2: user.daemon.email: "daemon@example.com Bcc: x@example.net": not an address' <<'EOF2'
[user.daemon]
email = daemon@example.com Bcc: x@example.net
EOF2
# A carriage return inside the value: header injection, refused as a control character.
printf '[user.daemon]\nemail = daemon@example.com\rBcc: x@example.net\n' >"$T/bad.ini"
expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
assert_contains "$OUT" "bad.ini:2: user.daemon.email: control characters are not allowed"
check_bad 'bad.ini:2: user.daemon.email: "daemon": not an address local@domain' <<'EOF2'
[user.daemon]
email = daemon
EOF2
check_bad 'bad.ini:3: notify.from: "leitstand@localhost": not an address local@domain' <<'EOF2'
[notify]
smtp_url = smtp://127.0.0.1:25
from = leitstand@localhost
EOF2
check_bad 'bad.ini:2: notify.host: "ops host; rm": not a host name' <<'EOF2'
[notify]
host = ops host; rm
EOF2
check_bad 'bad.ini:2: user.daemon.slack: must start with http:// or https://' <<'EOF2'
[user.daemon]
slack = ftp://hooks.example.com/T0/B0/secretpath
EOF2
check_bad 'bad.ini:2: user.daemon.webhook: credentials in the URL (user:password@) are refused' <<'EOF2'
[user.daemon]
webhook = https://bot:pw@hooks.example.com/x
EOF2
assert_not_contains "$OUT" "bot:pw"
check_bad 'bad.ini:1: section [user.no-such-user-here]: unknown user: no local account' <<'EOF2'
[user.no-such-user-here]
email = x@example.com
EOF2
check_bad 'bad.ini:5: user.daemon.channels: unknown channel "pager": the channels are' <<'EOF2'
[notify]
smtp_url = smtp://127.0.0.1:25
[user.daemon]
email = daemon@example.com
channels = email, pager
EOF2
check_bad 'bad.ini:1: user.daemon: channel slack is not configured for the user (set slack)' <<'EOF2'
[user.daemon]
email = daemon@example.com
channels = slack
EOF2
check_bad 'bad.ini:2: user.daemon.quiet_hours: "22:00-25:00" is not HH:MM-HH:MM' <<'EOF2'
[user.daemon]
quiet_hours = 22:00-25:00
EOF2
check_bad 'bad.ini:2: user.daemon.timezone: "Europe/Atlantis"' <<'EOF2'
[user.daemon]
timezone = Europe/Atlantis
EOF2
check_bad 'bad.ini:2: notify.command: "sms-send" is not an absolute path' <<'EOF2'
[notify]
command = sms-send --to
EOF2
check_bad 'bad.ini:2: notify.command: /etc/passwd: not executable' <<'EOF2'
[notify]
command = /etc/passwd
EOF2
check_bad 'bad.ini:2: notify.command: /no/such/hook: no such file' <<'EOF2'
[notify]
command = /no/such/hook
EOF2
check_bad 'bad.ini:2: notify.smtp_url: "http://mail.example.com": must start with smtp://' <<'EOF2'
[notify]
smtp_url = http://mail.example.com
EOF2
check_bad 'bad.ini:1: user.daemon: command = yes needs a [notify] command' <<'EOF2'
[user.daemon]
command = yes
EOF2
# A webhook URL written into a file others can read is refused: its path is the secret.
printf '[user.daemon]\nslack = https://hooks.example.com/T0/B0/secretpath\n' >"$T/bad.ini"
chmod 644 "$T/bad.ini"
expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
assert_contains "$OUT" "holds a secret (slack) but is readable by group or others"

note "a loopback webhook receiver and a hook"
echo ok >"$T/mode"
python3 "$TESTS/lib/notify-receiver.py" "$T/port" "$T/requests" "$T/mode" &
PIDS+=($!)
wait_for "[ -s '$T/port' ]"
URL=http://127.0.0.1:$(cat "$T/port")
echo ok >"$T/hook-mode"
cat >"$T/hook" <<EOF2
#!/bin/sh
# Modes: ok, hang, flood, fail, tempfail.
cat >"$T/hook-stdin"
env >"$T/hook-env"
case \$(cat "$T/hook-mode") in
ok) echo "queued as sms-4711" ;;
hang) echo \$\$ >"$T/hook-pid"; sleep 30 & echo \$! >"$T/hook-child"; wait ;;
flood) head -c 5000000 /dev/zero | tr '\0' x ;;
fail) echo "gateway refused: no credit left" >&2; echo "second line" >&2; exit 3 ;;
tempfail) echo "gateway busy" >&2; exit 75 ;;
esac
EOF2
chmod 755 "$T/hook"
export SLACK_HOOK="$URL/slack/T0001/B0001/s3cretSlackPath"
# The daemon reads env:NAME secrets from its own environment, set before it starts.
export MTA_SECRET=$MTA_PASSWORD
notify_config() {
	write_config <<EOF2
[notify]
command = $T/hook
command_timeout = ${HOOK_TIMEOUT:-5s}
timeout = 3s
host = ops.example.com
${SMTP:-}
[user.$me]
slack = env:SLACK_HOOK
teams = $URL/teams
webhook = $URL/generic
phone = +49 170 1234567
command = yes
${EMAIL:-}
EOF2
	chmod 600 "$CFG"
}
notify_config
start_daemon

note "notify test: every channel of the user, in order, each with its result"
out=$(ls_ notify test "$me")
assert_eq "$out" "slack     sent: HTTP 200: ok
teams     sent: HTTP 200: ok
webhook   sent: HTTP 200: ok
command   sent: queued as sms-4711"
assert_eq "$(ls_ notify test "$me" --channel teams --json | json_get results.0.channel)" "teams"

note "the payloads, byte for byte, as README documents them"
python3 - "$T/requests" "$T/hook-stdin" "$me" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])][:3]
me = sys.argv[3]
# The channels are tried at once, on workers of their own: in any order.
paths = sorted(r["path"] for r in reqs)
assert paths == ["/generic", "/slack/T0001/B0001/s3cretSlackPath", "/teams"], paths
for r in reqs:
    assert r["method"] == "POST"
    assert r["headers"]["Content-Type"] == "application/json", r["headers"]
body = {r["path"].split("/")[1]: r["body"].encode("latin-1") for r in reqs}
generic = json.loads(body["generic"])
at = generic["at"]
summary = "A test sent by %s with leitstand notify test: this channel reaches you." % me
def dump(o):
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False).encode()
want = {"version": 1, "event": "test", "incident": None, "severity": None, "level": None,
        "title": "Test notification", "status": None, "summary": summary,
        "ack_command": None, "user": me, "at": at}
assert body["generic"] == dump(want), body["generic"]
assert len(at) == 20 and at.endswith("Z"), at
slack = {"text": "*[test] Test notification*\n" + summary +
         "\n_Nothing in this message gives access._"}
assert body["slack"] == dump(slack), body["slack"]
teams = {"type": "message", "attachments": [{
    "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
    "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard", "version": "1.4", "body": [
                    {"type": "TextBlock", "text": "[test] Test notification",
                     "weight": "Bolder", "size": "Medium", "wrap": True},
                    {"type": "TextBlock", "text": summary, "wrap": True},
                    {"type": "TextBlock", "text": "Nothing in this message gives access.",
                     "wrap": True}]}}]}
assert body["teams"] == dump(teams), body["teams"]
# The hook's stdin: the generic object plus channel and phone.
hook = open(sys.argv[2], "rb").read()
want.update({"channel": "command", "phone": "+49 170 1234567"})
want["at"] = json.loads(hook)["at"]
assert hook == dump(want), hook
PY
env=$(cat "$T/hook-env")
assert_contains "$env" "LEITSTAND_EVENT=test"
assert_contains "$env" "LEITSTAND_USER=$me"
assert_contains "$env" "LEITSTAND_PHONE=+49 170 1234567"
assert_contains "$env" "PATH=/usr/local/bin:/usr/bin:/bin"
# The daemon's environment holds secrets (env:NAME): the hook gets none of it.
assert_not_contains "$env" "SLACK_HOOK"
assert_not_contains "$env" "s3cret"

note "a webhook that redirects is not followed: a failure that names where it points"
n=$(wc -l <"$T/requests")
echo redirect >"$T/mode"
expect_exit 1 ls_ notify test "$me" --channel slack
assert_contains "$OUT" "slack: failed: slack webhook at $URL: HTTP 302 redirects to http://elsewhere.invalid/hook: not followed"
assert_eq "$(wc -l <"$T/requests")" "$((n + 1))"

note "500 and 429 may pass on another try, 400 will not; the secret path is never shown"
echo 500 >"$T/mode"
expect_exit 1 ls_ notify test "$me" --channel slack
assert_contains "$OUT" "slack: failed (may pass on another try): slack webhook at $URL: HTTP 500: internal error at [redacted]"
assert_not_contains "$OUT" "s3cretSlackPath"
echo 429 >"$T/mode"
expect_exit 1 ls_ notify test "$me" --channel webhook
assert_contains "$OUT" "webhook: failed (may pass on another try): webhook at $URL: HTTP 429"
echo 400 >"$T/mode"
expect_exit 1 ls_ notify test "$me" --channel teams
assert_contains "$OUT" "teams: failed: teams webhook at $URL: HTTP 400: invalid_payload"
assert_not_contains "$OUT" "another try"
echo hang >"$T/mode"
expect_exit 1 ls_ notify test "$me" --channel webhook
assert_contains "$OUT" "webhook: failed (may pass on another try): webhook at $URL: timeout: no answer within 3000 ms"
echo ok >"$T/mode"

note "the hook: a non-zero exit fails with its stderr's first line; 75 may pass"
echo fail >"$T/hook-mode"
expect_exit 1 ls_ notify test "$me" --channel command
assert_contains "$OUT" "command: failed: command hook $T/hook: exit status 3: gateway refused: no credit left"
assert_not_contains "$OUT" "second line"
echo tempfail >"$T/hook-mode"
expect_exit 1 ls_ notify test "$me" --channel command
assert_contains "$OUT" "command: failed (may pass on another try): command hook $T/hook: exit status 75: gateway busy"

note "a hook that prints megabytes is cut and killed; one that hangs is killed at the timeout"
echo flood >"$T/hook-mode"
expect_exit 1 ls_ notify test "$me" --channel command
assert_contains "$OUT" "command: failed: command hook $T/hook: printed more than 64 KiB: killed"
HOOK_TIMEOUT=1s notify_config
ls_ config reload >/dev/null
echo hang >"$T/hook-mode"
start=$(date +%s)
expect_exit 1 ls_ notify test "$me" --channel command
assert_contains "$OUT" "command hook $T/hook: killed after the timeout of 1 s"
[ $(($(date +%s) - start)) -lt 10 ] || fail "the hang took $(($(date +%s) - start))s"
# It is gone, and so is what it started (its process group).
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]; }
wait_for "gone $(cat "$T/hook-pid") && gone $(cat "$T/hook-child")" 5
echo ok >"$T/hook-mode"

note "notify test is an admin's, is audited, and refuses what it cannot do"
assert_contains "$(ls_ audit list --json)" '"notify.test"'
expect_exit 1 ls_ notify test daemon
assert_contains "$OUT" "no [user.daemon] section in the config"
expect_exit 1 ls_ notify test "$me" --channel email
assert_contains "$OUT" "email is not a channel of user $me"
expect_exit 1 ls_ notify test "$me" --channel pager
assert_contains "$OUT" 'unknown channel "pager"'
! grep -q "s3cretSlackPath" "$T/daemon.log" || fail "the webhook's secret path was logged"
! sqlite3 "$T/data/leitstand.db" ".dump" | grep -q "s3cretSlackPath" || fail "secret stored"

if [ "$(id -u)" -ne 0 ]; then
	note "SKIP the mail server part: it needs root to run Postfix"
	exit 0
fi

note "e-mail through a real Postfix: the notice reaches the mailbox"
start_mta
SMTP="smtp_url = smtp://127.0.0.1:$MTA_PORT
from = leitstand@ops.example.com" EMAIL="email = alice@example.com
channels = email, webhook" notify_config
ls_ config reload >/dev/null
out=$(ls_ notify test "$me" --channel email)
assert_contains "$out" "email     sent: 250 2.0.0 Ok: queued as"
wait_for '[ -n "$(mta_mail alice)" ]' 20
python3 - "$(mta_mail alice | tail -1)" "$me" <<'PY'
import email, email.header, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
assert m["From"] == "Leitstand <leitstand@ops.example.com>", m["From"]
assert m["To"] == "alice@example.com", m["To"]
assert str(m["Subject"]) == "[test] Test notification", m["Subject"]
assert m["Message-ID"].startswith("<leitstand.0.") and m["Message-ID"].endswith("@ops.example.com>"), m["Message-ID"]
assert m["Date"] is not None and m["Auto-Submitted"] == "auto-generated"
assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
assert m["Content-Transfer-Encoding"] == "quoted-printable"
body = m.get_content()
assert "A test sent by %s with leitstand notify test" % sys.argv[2] in body, body
assert "Event:    test" in body, body
assert "Nothing in this message gives access" in body, body
PY
note "the order of channels is the user's: email first"
out=$(ls_ notify test "$me")
assert_eq "$(echo "$out" | cut -c1-9 | tr -d ' ' | tr '\n' ' ')" "email webhook "

note "STARTTLS with a self-signed certificate and smtp_ca, with SMTP AUTH"
SMTP="smtp_url = smtp://localhost:$MTA_TLS_PORT
smtp_starttls = always
smtp_user = $MTA_USER
smtp_password = env:MTA_SECRET
smtp_ca = $MTA_CA
from = leitstand@ops.example.com" EMAIL="email = bob@example.com" notify_config
ls_ config reload >/dev/null
out=$(ls_ notify test "$me" --channel email)
assert_contains "$out" "email     sent: 250 2.0.0 Ok: queued as"
wait_for '[ -n "$(mta_mail bob)" ]' 20
assert_contains "$(cat "$T/mta/maillog")" "sasl_method=PLAIN, sasl_username=$MTA_USER"

note "smtps:// (TLS from the start) with smtp_ca and SMTP AUTH"
SMTP="smtp_url = smtps://localhost:$MTA_SMTPS_PORT
smtp_user = $MTA_USER
smtp_password = env:MTA_SECRET
smtp_ca = $MTA_CA
from = leitstand@ops.example.com" EMAIL="email = carol@example.com" notify_config
ls_ config reload >/dev/null
out=$(ls_ notify test "$me" --channel email)
assert_contains "$out" "email     sent: 250 2.0.0 Ok: queued as"
wait_for '[ -n "$(mta_mail carol)" ]' 20

note "a certificate not from smtp_ca is refused, for good"
SMTP="smtp_url = smtp://localhost:$MTA_TLS_PORT
smtp_starttls = always
smtp_user = $MTA_USER
smtp_password = env:MTA_SECRET
from = leitstand@ops.example.com" EMAIL="email = bob@example.com" notify_config
ls_ config reload >/dev/null
expect_exit 1 ls_ notify test "$me" --channel email
assert_contains "$OUT" "email: failed: SMTP at smtp://localhost:$MTA_TLS_PORT: TLS:"
assert_not_contains "$OUT" "another try"

note "authentication refused: a clear failure another try will not fix, without the password"
SMTP="smtp_url = smtp://localhost:$MTA_TLS_PORT
smtp_starttls = always
smtp_user = $MTA_USER
smtp_password = wrong-password-4711
smtp_ca = $MTA_CA
from = leitstand@ops.example.com" EMAIL="email = bob@example.com" notify_config
ls_ config reload >/dev/null
expect_exit 1 ls_ notify test "$me" --channel email
assert_contains "$OUT" "email: failed: SMTP at smtp://localhost:$MTA_TLS_PORT: authentication refused (check [notify] smtp_user and smtp_password): 535 5.7.8"
assert_not_contains "$OUT" "wrong-password-4711"

note "the mail server down: a failure that may pass"
stop_mta
SMTP="smtp_url = smtp://127.0.0.1:$MTA_PORT" EMAIL="email = alice@example.com" notify_config
ls_ config reload >/dev/null
expect_exit 1 ls_ notify test "$me" --channel email
assert_contains "$OUT" "email: failed (may pass on another try): SMTP at smtp://127.0.0.1:$MTA_PORT: Connection refused"

note "a mail server that accepts and never answers: the try times out, and may pass"
python3 "$TESTS/lib/stall-remote.py" "$T/stall-port" "$T/stall-log" silent &
PIDS+=($!)
wait_for "[ -s '$T/stall-port' ]"
SMTP="smtp_url = smtp://127.0.0.1:$(cat "$T/stall-port")" EMAIL="email = alice@example.com" notify_config
ls_ config reload >/dev/null
start=$(date +%s)
expect_exit 1 ls_ notify test "$me" --channel email
assert_contains "$OUT" "email: failed (may pass on another try): SMTP at smtp://127.0.0.1:$(cat "$T/stall-port"): timeout: no answer within 3000 ms"
[ $(($(date +%s) - start)) -lt 10 ] || fail "the stall took $(($(date +%s) - start))s"

stop_daemon
