#!/bin/bash
# The built-in demo (make run) in tmux: a second run joins the first as another console and
# leaves it running when it quits; a walk through an outage: storm, one incident for it,
# resolve with a note, and the postmortem that keeps the note.
. "$(dirname "$0")/../lib/lib.sh"

[ -x /usr/bin/prometheus ] || { echo "SKIP: the demo needs /usr/bin/prometheus"; exit 77; }
mkdir -m 700 "$T/run"
demo() {
	local name=$1
	tmux_ -f /dev/null new-session -d -s "$name" -c "$T" -x 100 -y 30 \
		env -i PATH="$PATH" HOME="$T" XDG_RUNTIME_DIR="$T/run" TERM=xterm-256color \
		LANG=C.UTF-8 "$LEITSTAND" --demo
	TMUX_SESSIONS+=("$name")
}

note "make run: the demo starts the sim, Prometheus and a daemon, and opens the console"
demo a
wait_screen a "Demo Assistant"
wait_for "screen_ a | grep -q '✓ OK'" 60

note "a second make run joins the running demo instead of taking it over"
demo b
wait_screen b "Demo Assistant"
wait_for "screen_ b | grep -q '✓ OK'" 30
[ "$(ls "$T/run/leitstand/demo"/*.log 2>/dev/null | wc -l)" -ge 1 ] || fail "no demo logs"
keys b q
wait_for "! tmux_ has-session -t b 2>/dev/null" 10
sleep 2
screen_ a | grep -q "● connected" || fail "the first demo lost its daemon when the second quit"

note "an outage: one SEV1 incident for the errors and the availability it takes down"
keys a : "sim outage" Enter
wait_screen a "simulator switched to profile outage"
wait_for "screen_ a | grep -q 'NEW SEV1 #1'" 90
keys a 2
wait_screen a "ASSIGNEE"
keys a Enter
wait_screen a "#1 Error rate is crit"

note "p starts the suggested playbook: the prompt and the library's selection agree"
keys a 3
wait_screen a "PLAYBOOK"
keys a j j
keys a 2
wait_screen a "#1 Error rate is crit"
keys a p
wait_screen a "Start a playbook for incident 1"
suggested=$(screen_ a | tail -1 | sed 's/.*Esc cancels): //; s/ *$//')
[ -n "$suggested" ] || fail "no playbook suggested"
selected=$(screen_ a -e | grep -F "$suggested" | grep -c $'\e\[106m' || true)
[ "$selected" -ge 1 ] || { screen_ a -e | cat -v | grep -F "$suggested"; fail "$suggested is not the selected row"; }

note "the run: done while both checks fail asks first; the progress bar shows what happened"
keys a Enter
wait_screen a "step 1 of"
wait_for "[ \$(screen_ a | grep -c 'FAIL\$') -ge 2 ]" 30
keys a d
wait_screen a "2 of the step's checks fail; mark step 1 done anyway?"
keys a Escape
wait_screen a "step 1 of"
keys a s "the provider is down" Enter
wait_screen a "step 2 of"
screen_ a | grep "step 2 of" | grep -q "▲·" || fail "no skipped step in the bar: $(screen_ a | grep 'step 2 of')"
screen_ a -e | grep "step 2 of" | grep -q $'\e\[93m▲' || fail "the skipped step is not yellow"
keys a q
keys a 2
wait_screen a "#1 Error rate is crit"

note "S sets the severity with a reason; a bad one keeps the prompt"
keys a S
wait_screen a "Severity of #1"
keys a Enter
wait_screen a "Severity of #1"
keys a "SEV2 checkout works again" Enter
wait_screen a "severity SEV1 to SEV2 by $(id -un): checkout works again"

note "resolve with a closing note; the postmortem keeps it"
keys a r "rolled back the release" Enter
wait_screen a "resolved by $(id -un): rolled back the release"
keys a w
wait_for "[ -s '$T/incident-1-postmortem.md' ]" 10
grep -q "resolved by $(id -un): rolled back the release" "$T/incident-1-postmortem.md" ||
	fail "the postmortem lacks the closing note"

note "quitting the demo asks first; a long prompt gives way to what is typed"
keys a q
wait_screen a "Quit the demo?"
keys a "typed-text-stays-in-view"
screen_ a | tail -1 | grep -q "typed-text-stays-in-view" || fail "the typed text is hidden: $(screen_ a | tail -1)"
keys a Escape
sleep 1
tmux_ has-session -t a 2>/dev/null || fail "Esc quit the demo"
note "quitting the first demo stops its sim, Prometheus and daemon"
keys a q Enter
wait_for "! tmux_ has-session -t a 2>/dev/null" 10
wait_for "! pgrep -f -- '$T/' >/dev/null" 15
