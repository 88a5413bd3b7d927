#!/bin/bash
# A playbook run through the real console in tmux: start it from the library, record steps,
# leave mid-way, close the console, reopen it, resume where the run stopped, finish, export.
. "$(dirname "$0")/../lib/lib.sh"

write_config </dev/null
start_daemon

note "the console's language comes from LANG; the CLI's too"
assert_contains "$(LANG=de_DE.UTF-8 ls_ playbook list)" "Fehler der Modell-API"
assert_contains "$(LANG=fr_FR.UTF-8 ls_ playbook list)" "Model provider API errors"

note "start api-errors from the library"
console a 100x30 TERM=xterm-256color LANG=C.UTF-8
wait_screen a "connected"
keys a 3
wait_screen a "Model provider API errors"
keys a Enter
wait_screen a "Start playbook (Enter starts, Esc cancels): api-errors"
keys a Enter
wait_screen a "step 1 of 6"
wait_screen a "1. Confirm the errors and set the severity"
wait_screen a ">[ ] Acknowledge the incident (a) so the timer stops."
# No metrics source in this config: the checks say so instead of a value.
wait_screen a "no metrics source: set [prometheus] url"

note "placeholders nobody could fill (no incident bound: <ID>; the share <N>) stand out, and are said"
wait_screen a "replace the highlighted <...> with your values before running it"
screen_ a -e | grep -F "leitstand incident note" | grep -qF $'\e[93m<N>' ||
	fail "placeholder <N> not highlighted: $(screen_ a -e | grep -F 'incident note' | cat -v)"
screen_ a -e | grep -F "leitstand incident note" | grep -qF $'\e[93m<HH:MM>' ||
	fail "placeholder <HH:MM> not highlighted"

note "tick an item, mark step 1 done, skip step 2 with a reason"
keys a x
wait_screen a ">[x] Acknowledge the incident"
keys a Down x
wait_screen a ">[x] More than 25 %"
keys a d
wait_screen a "step 2 of 6"
# A long command wraps instead of being cut at the width: its end is on the screen.
wait_screen a "ration_duration_seconds_count[5m]))'"
keys a s
wait_screen a "Skip step 2; reason (needed):"
# An empty reason keeps the prompt: what is typed next is the reason, not keys.
keys a Enter
sleep 0.5
wait_screen a "Skip step 2; reason (needed):"
keys a "single model only" Enter
wait_screen a "step 3 of 6"
keys a Left
wait_screen a "skipped by root: single model only"
keys a Right
note "skip a step with a reason once more, as before"
keys a Left
keys a s
wait_screen a "Skip step 2; reason (needed):"
keys a "only 429s" Enter
wait_screen a "step 3 of 6"
keys a Left
wait_screen a "skipped by root"
keys a Right

note "leave mid-way: the run stays open in the library; close the console"
keys a q
wait_screen a "2/6"
wait_screen a "root skipped step 2"
keys a q
for _ in $(seq 50); do tmux_ has-session -t a 2>/dev/null || break; sleep 0.1; done
tmux_ has-session -t a 2>/dev/null && fail "the console did not quit"
assert_contains "$(ls_ run list)" "run    1  api-errors           2/6   open"

note "reopen and resume at step 3"
console b 100x30 TERM=xterm-256color LANG=C.UTF-8
wait_screen b "connected"
keys b 3
wait_screen b "run 1"
for _ in $(seq 10); do keys b Down; done
keys b Enter
wait_screen b "step 3 of 6"
wait_screen b "3. Check the provider and our own side"

note "a note, a failed step, then done to the end: the summary"
keys b n
wait_screen b "Note on step 3:"
keys b "status page green" Enter
wait_for "ls_ run show 1 --json | grep 'status page green' >/dev/null"
keys b f
wait_screen b "Step 3 failed; note (needed):"
keys b "probe timed out" Enter
wait_screen b "step 4 of 6"
keys b d
wait_screen b "step 5 of 6"
keys b d
wait_screen b "step 6 of 6"
keys b d
wait_screen b "4 done, 1 skipped, 1 failed"
wait_screen b " 3. failed  Check the provider and our own side"
wait_screen b "probe timed out"
wait_screen b "note by root: status page green"
keys b w
wait_screen b "wrote $T/run-1.md"
assert_contains "$(cat "$T/run-1.md")" "**failed** by root"
assert_contains "$(ls_ run show 1)" "finished"

note "escape sequences in a note reach the screen defused"
ls_ playbook run latency-spike >/dev/null
ls_ run note 2 1 $'\e[2J\e]0;pwned\a evil' >/dev/null
ls_ run step 2 1 done >/dev/null
keys b ":run 2" Enter
wait_screen b "step 2 of 6"
keys b Left
wait_screen b "done by root"
wait_screen b 'root: ^[[2J^[]0;pwned^G evil'
[ "$(tmux_ display-message -p -t b '#{pane_title}')" != pwned ] || fail "the note set the title"
keys b q
keys b q
stop_daemon
