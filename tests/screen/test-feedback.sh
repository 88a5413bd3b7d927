#!/bin/bash
# Bad answers to eval cases in the console: F in the Prompts view lists the conversations the
# simulator rated negative, redacted; Enter writes an eval case from one in $EDITOR, and the
# case is proposed with production's evals.jsonl; an editor that changes nothing, or breaks
# the case, proposes nothing.
. "$(dirname "$0")/../lib/lib.sh"

start_sim --profile regression --rate-scale 5
write_config <<EOF2
[sim]
url = $SIM_URL
EOF2
start_daemon
wait_for "curl -sf '$SIM_URL/sim/feedback' | grep -q '@example'" 30

# The editors: one leaves the file as it is, one breaks the case, one edits it as a person
# would (a second assertion, three runs of which two must pass) and leaves the comments.
printf '#!/bin/sh\nexit 0\n' >"$T/unchanged"
printf '#!/bin/sh\nsed -i "\\$ s/\\"assert\\"/\\"asert\\"/" "$1"\n' >"$T/broken"
printf '#!/bin/sh\nsed -i "\\$ s/\\"assert\\":\\[/\\"repeat\\":3,\\"min_pass\\":2,\\"assert\\":[{\\"max_chars\\":600},/" "$1"\n' >"$T/edit"
chmod 755 "$T/unchanged" "$T/broken" "$T/edit"
# The editor the console runs is whichever this link points to now.
ln -s "$T/unchanged" "$T/editor"

console c 100x30 TERM=xterm-256color LANG=C.UTF-8 EDITOR="$T/editor"
wait_screen c "connected"
keys c 4
wait_screen c "live: release/support/1"
wait_screen c "No proposals."

note "F lists the conversations rated negative, redacted, the selected one below"
keys c F
wait_screen c "Conversations rated negative, newest first"
wait_screen c "from $SIM_URL/sim/feedback"
wait_screen c " c-"
wait_screen c "Q: "
wait_screen c "A: "
# A question with an address is on the screen only redacted.
for _ in $(seq 40); do
	screen_ c | grep -qF "[email]" && break
	keys c j
	sleep 0.05
done
screen_ c | grep -qF "[email]" || fail "no redacted address on the screen: $(screen_ c)"
! screen_ c | grep -qF "@example" || fail "an address on the screen: $(screen_ c)"
keys c g

note "an editor that changes nothing: nothing is proposed"
keys c Enter
wait_screen c "the case is unchanged: nothing was proposed"
note "an editor that breaks the case: nothing is proposed, the problem is named"
ln -sf "$T/broken" "$T/editor"
keys c Enter
wait_screen c 'the case: unknown key "asert"'
[ "$(ls_ prompt list --json | json_get proposals | tr -d '[] \n')" = "" ] ||
	fail "a proposal was made: $(ls_ prompt list)"

note "an editor that edits the case: proposed with production's evals.jsonl and the case"
ln -sf "$T/edit" "$T/editor"
keys c Enter
wait_screen c "proposal 1 made with the eval case"
prod=$(ls_ prompt cat evals.jsonl)
evals=$(ls_ prompt cat evals.jsonl --rev 1)
assert_eq "$(echo "$evals" | head -n "$(echo "$prod" | wc -l)")" "$prod"
assert_eq "$(echo "$evals" | wc -l)" "$(( $(echo "$prod" | wc -l) + 1 ))"
case=$(echo "$evals" | tail -n 1)
echo "$case" | python3 -c 'import json,sys; c=json.load(sys.stdin)
assert c["id"].startswith("feedback-c-"), c
assert c["repeat"] == 3 and c["min_pass"] == 2, c
assert c["assert"][0] == {"max_chars": 600}, c
assert list(c["assert"][1]) == ["not_contains"] and c["assert"][1]["not_contains"], c
assert "@" not in c["input"], c'
show=$(ls_ prompt show 1)
assert_contains "$show" "Eval case from conversation c-"
assert_contains "$show" "rated negative"
assert_eq "$(ls_ prompt show 1 --json | json_get proposal.files)" "evals.jsonl"

note "Esc goes back to the proposals"
keys c Escape
wait_screen c "#1    draft"

note "a read-only console lists them and proposes nothing"
console r 100x30 TERM=xterm-256color LANG=C.UTF-8 EDITOR="$T/editor" -- --readonly
wait_screen r "connected"
keys r 4
wait_screen r "#1    draft"
keys r F
wait_screen r "Conversations rated negative, newest first"
wait_screen r "Q: "
keys r Enter
wait_screen r "read-only console: no eval case is proposed"
assert_eq "$(ls_ prompt list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["proposals"]))')" 1
