#!/bin/bash
# Golden screens of the views in their interesting states, not only the empty ones: the
# incident list with incidents of every severity and status, an incident's detail with its
# timeline, a playbook run's step, an audit entry. What changes between runs (clock, dates,
# ages, the user) is masked; GENERATE=1 writes the files again.
. "$(dirname "$0")/../lib/lib.sh"

write_config </dev/null
start_daemon
ls_ incident open --severity 1 --title "Checkout answers fail for every customer" >/dev/null
ls_ incident open --severity 2 --title "Latency p95 above 8 s" >/dev/null
ls_ incident open --severity 3 --title "Feedback below 75 %" >/dev/null
ls_ incident open --severity 4 --title "Typo in the greeting" >/dev/null
ls_ incident ack 2 >/dev/null
ls_ incident mitigate 3 rolled back the prompt >/dev/null
ls_ incident resolve 4 fixed in release 7 >/dev/null
ls_ incident note 1 "Vendor status page says degraded since 09:10." >/dev/null

normalise() {
	python3 -c 'import re, sys
user = sys.argv[1]
for line in sys.stdin:
    line = re.sub(r"[0-9]{2}:[0-9]{2} ?$", "HH:MM", line.rstrip("\n"))
    line = re.sub(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z", "YYYY-MM-DDTHH:MM:SS.mmmZ", line)
    line = re.sub(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(:[0-9]{2})?", "YYYY-MM-DD HH:MM", line)
    # Ages and timers keep their width: 59m left is 99m left.
    line = re.sub(r"\b([0-9]+)([smhd])\b", lambda m: "9" * len(m.group(1)) + m.group(2), line)
    line = re.sub(r"\b%s\b" % re.escape(user), "USER", line)
    print(line)' "$(id -un)"
}

console g 100x30 TERM=xterm-256color LANG=C.UTF-8
wait_screen g "connected"
note "the incident list: every severity and status, resolved last"
keys g 2
wait_screen g "Typo in the greeting"
golden incidents-100x30 g
note "an incident's detail with its timeline"
keys g Enter
wait_screen g "Vendor status page says degraded"
golden incident-detail-100x30 g
keys g Escape
note "a playbook run's first step"
keys g 3
wait_screen g "Model provider API errors"
keys g Enter
wait_screen g "Start playbook"
keys g Enter
wait_screen g "step 1 of 6"
golden run-step-100x30 g
keys g q
note "an audit entry opened whole"
keys g 5
wait_screen g "incident.note"
keys g g Enter
wait_screen g "Esc back to the list"
golden audit-entry-100x30 g
