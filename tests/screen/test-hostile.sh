#!/bin/bash
# Hostile text end to end: escape sequences, OSC 52 clipboard writes, 8-bit CSI, carriage
# returns, right-to-left overrides and invalid UTF-8 arrive through the real APIs (an alert in
# the real Alertmanager, a note over the protocol, a playbook file) and reach the terminal
# defused: the pane holds no escape sequence but the console's own colours, its title is
# untouched; the JSON exports keep the bytes as they came.
. "$(dirname "$0")/../lib/lib.sh"

# ESC[2J (clear), OSC 0 (title), OSC 52 (clipboard), 8-bit CSI, CR, RLO, invalid UTF-8.
EVIL=$'A\e[2J\e]0;pwned\a\e]52;c;ZXZpbA==\a\xc2\x9b31mB OK\rFAIL \xe2\x80\xaeexe.txt \xff\xfe Z'
# Playbooks must be UTF-8 (lint leaves others out): the same without the invalid bytes.
EVIL_UTF8=${EVIL/$'\xff\xfe '/}
# and a front matter line ends at a CR.
EVIL_LINE=${EVIL_UTF8/$'\r'/}

start_alertmanager
mkdir -p "$T/pb/en" "$T/pb/de"
cp "$TESTS"/../playbooks/de/*.md "$T/pb/de/"
cp "$TESTS"/../playbooks/en/*.md "$T/pb/en/"
{
	printf -- '---\nid: hostile\ntitle: Hostile %s\nversion: 1\nlang: en\napplies_to: tag:hostile\n---\n' "$EVIL_LINE"
	printf '## Step %s\n\nText %s\n\n- [ ] item %s\n' "$EVIL_UTF8" "$EVIL_UTF8" "$EVIL_UTF8"
} >"$T/pb/en/hostile.md"
write_config <<EOF2
[alertmanager]
url = $AM_URL
interval = 1s
[playbooks]
dir = $T/pb
EOF2
start_daemon

note "the hostile text goes in through an alert, a note and a playbook"
python3 - "$AM_URL" "$EVIL" <<'PY'
import datetime, json, sys, urllib.request
url, evil = sys.argv[1], sys.argv[2].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
now = datetime.datetime.now(datetime.timezone.utc)
alert = {"labels": {"alertname": "Hostile", "service": "chat", "severity": "critical"},
         "annotations": {"summary": evil, "description": evil},
         "startsAt": (now - datetime.timedelta(minutes=1)).isoformat()}
req = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps([alert]).encode(),
                             headers={"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(req, timeout=5)
PY
wait_for "ls_ incident show 1" 15
ls_ incident note 1 "$EVIL" >/dev/null
ls_ playbook list | grep -q "^hostile " || fail "the hostile playbook is not in the library: $(ls_ playbook list)"

# Every escape sequence in the pane must be an SGR colour of the console's own.
clean() {
	local s=$1
	tmux_ capture-pane -e -p -t "$s" >"$T/pane"
	if grep -aP '\e(?!\[[0-9;]*m)' "$T/pane" >/dev/null; then
		grep -aP '\e(?!\[[0-9;]*m)' "$T/pane" | cat -v >&2
		fail "a foreign escape sequence reached the $s screen"
	fi
	grep -aq $'\xc2\x9b\|\xe2\x80\xae\|\r' "$T/pane" && fail "a C1 control, bidi override or CR on screen"
	[ "$(tmux_ display-message -p -t "$s" '#{pane_title}')" != pwned ] || fail "the title changed"
}

note "incidents list and detail, UTF-8 and ASCII terminals"
console a 120x30 TERM=xterm-256color LANG=C.UTF-8
console c 120x30 TERM=xterm-256color LANG=C
for s in a c; do
	wait_screen "$s" "connected"
	keys "$s" 2
	wait_screen "$s" "Hostile: A"
	clean "$s"
	keys "$s" Enter
	wait_screen "$s" "firing Hostile"
	clean "$s"
done
wait_screen a '^[[2J^[]0;pwned^G'

note "the playbook view and its runner, the handover"
keys a Escape 3
wait_screen a "Hostile A"
clean a
ls_ playbook run hostile >/dev/null
keys a ":run 1" Enter
wait_screen a "step 1 of 1"
clean a
keys a q 6
wait_screen a "Shift handover"
clean a

note "the exports keep the bytes as they came (escaped as JSON escapes them)"
assert_contains "$(ls_ incident show 1 --json)" '\u001b]0;pwned\u0007'
assert_contains "$(ls_ audit export --format json)" '\u001b]52;c;ZXZpbA=='
