#!/bin/bash
# Canary rollouts in the Prompts view, in tmux: the approver starts a canary with C (asked to
# confirm) and watches its step, the time to the next decision and, after the first analysis
# against the real Prometheus scraping the sim, each check's verdict; Z pauses and resumes, X
# aborts, A promotes, each asking for a reason; an engineer's Z is refused, and so is an empty
# reason; ? lists the keys. One daemon, one sim, one Prometheus for all of it.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create two test users"; exit 77; }
alice=lsa$$
bob=lsb$$
group=lsg$$
test_users "$group" "$alice" "$bob"
chmod 755 "$T"

start_git_daemon
git init -q --bare "$T/git/prompts.git"
start_sim --prompts "$GIT_URL/prompts.git" --prompts-interval 1s --rate-scale 40 --seed 11
start_prometheus
write_config <<EOF2
group = $group
[roles]
engineer = $alice
approver = $bob
[sim]
url = $SIM_URL
[prometheus]
url = $PROM_URL
interval = 2s
[prompts]
gate = 0
remote = $GIT_URL/prompts.git
push_retry = 5s
[rollout]
steps = 10, 50, 100
interval = 10s
threshold = 3
min_requests = 20
error_rate = max 3, worse 100%
rate_limited =
latency_p95 = worse 30%
feedback = worse 30%
cost_per_request =
EOF2
chmod 644 "$CFG"
start_daemon
st() {
	curl -s "$SIM_URL/sim/status" | json_get "prompts.$1"
}
status() {
	ls_ prompt rollout status --json | json_get "rollouts.0.$1"
}
wait_for '[ "$(st release)" = 1 ]' 20

propose() { # propose TEXT: a proposal of alice's adding a line to system.md, evaluated
	local id
	ls_ prompt cat system.md >"$T/system.md"
	echo "- $1" >>"$T/system.md"
	chmod 644 "$T/system.md"
	id=$(runuser -u "$alice" -- "$LEITSTAND" -c "$CFG" prompt propose --json -m "$1" \
		"$T/system.md" | json_get proposal)
	runuser -u "$alice" -- "$LEITSTAND" -c "$CFG" prompt eval "$id" >/dev/null
	echo "$id"
}
first=$(propose "Close every answer by thanking the customer.")

console_as() { # console_as USER SESSION
	tmux_ -f /dev/null new-session -d -s "$2" -c "$T" -x 110 -y 36 \
		runuser -u "$1" -- env -i PATH="$PATH" HOME="$T" TERM=xterm-256color \
		LANG=C.UTF-8 "$LEITSTAND" -c "$CFG"
	TMUX_SESSIONS+=("$2")
}
console_as "$alice" a
console_as "$bob" b
for s in a b; do
	wait_screen "$s" "connected"
	keys "$s" 4
	wait_screen "$s" "support  live: release/support/1"
	wait_screen "$s" "#$first    evaluated"
done

note "? lists the canary keys"
keys b '?'
wait_screen b "Keys in Prompts"
help_has() { # help_has KEY TEXT: a line of the help, scrolled on until it shows
	local i
	for i in 1 2 3; do
		screen_ b | grep -Eq "^ +$1 +$2" && return 0
		keys b Space
		sleep 0.3
	done
	fail "help does not list $1: $(screen_ b)"
}
help_has C "release the selected proposal as a canary"
help_has Z "pause the live canary, or go on with a paused one"
help_has A "release the live canary now"
help_has X "abort the live canary"
keys b Escape

note "no canary yet: Z says so"
keys b Z
wait_screen b "no canary is live: C releases the selected proposal as one"

note "C asks to confirm, Esc cancels; Enter starts the canary at 10 %"
keys b C
wait_screen b "Release #$first as a canary in [rollout] steps? Enter starts it, Esc cancels"
keys b Escape
sleep 0.5
assert_eq "$(ls_ prompt rollout status --json | json_get rollouts)" "[]"
keys b C
wait_screen b "Release #$first as a canary in [rollout] steps?"
keys b Enter
wait_screen b "canary rollout 1 started at 10 %"
wait_screen b "canary #$first at 10 % (step 1 of 3), running, next decision in"
wait_screen b "no analysis yet"
wait_screen a "canary #$first at 10 % (step 1 of 3), running, next decision in"
assert_eq "$(status state)" running

note "after the first analysis: its decision and each check with its verdict"
for _ in $(seq 600); do
	screen_ b | grep -q "last analysis: " &&
		screen_ b | grep -Eq "^ +error_rate +(pass|fail) " && break
	sleep 0.1
done
screen_ b | grep -Eq "^ +error_rate +(pass|fail) " || fail "no analysis shown: $(screen_ b)"
screen_ b | grep -Eq "^ +latency_p95 +(pass|fail) " || fail "no latency_p95 check: $(screen_ b)"
screen_ b | grep -Eq "^ +feedback +(pass|fail) " || fail "no feedback check: $(screen_ b)"
decision=$(status analysis.decision)
wait_screen b "last analysis: $decision: "

note "an engineer's Z is refused; nothing changes"
keys a Z
wait_screen a "Pause the canary of support; reason (Enter pauses, Esc cancels):"
keys a "just because" Enter
wait_screen a "prompt.rollout.pause needs role approver"
assert_eq "$(status state)" running

note "an empty reason is refused"
keys b Z
wait_screen b "Pause the canary of support; reason (Enter pauses, Esc cancels):"
keys b Enter
wait_screen b "pause: say why"
assert_eq "$(status state)" running

note "Z with a reason pauses, Z again resumes"
keys b Z
wait_screen b "Pause the canary of support; reason"
keys b "waiting for the release notes" Enter
wait_screen b "), paused, "
wait_screen b "Z resume, A promote, X abort"
wait_screen a "), paused, "
assert_eq "$(status state)" paused
assert_eq "$(status reason)" "waiting for the release notes"
keys b Z
wait_screen b "Resume the canary of support; reason (Enter resumes, Esc cancels):"
keys b "notes are out" Enter
wait_screen b "), running, next decision in"
assert_eq "$(status state)" running

note "X with a reason aborts: the view says so, the proposal is rejected"
keys b X
wait_screen b "Abort the canary of support; reason (Enter aborts, Esc cancels):"
keys b "not convinced" Enter
wait_screen b "canary #$first aborted by $bob: not convinced"
wait_screen a "canary #$first aborted by $bob: not convinced"
assert_eq "$(status state)" aborted
assert_eq "$(ls_ prompt show "$first" --json | json_get proposal.state)" rejected
wait_for '! curl -s "$SIM_URL/sim/status" | grep -q "\"canary\":"' 20

note "a new canary, promoted with A and a reason: released"
second=$(propose "Greet the customer by name.")
wait_screen b "#$second    evaluated"
# The newest proposal is selected at the top.
keys b g
keys b C
wait_screen b "Release #$second as a canary in [rollout] steps?"
keys b Enter
wait_screen b "canary #$second at 10 % (step 1 of 3), running, next decision in"
keys b A
wait_screen b "Promote the canary of support; reason (Enter promotes, Esc cancels):"
keys b "good enough at 10 %" Enter
wait_screen b "released release/support/2"
wait_screen b "canary #$second promoted by $bob: good enough at 10 %"
wait_screen b "live: release/support/2"
wait_screen a "live: release/support/2"
assert_eq "$(status state)" promoted
assert_eq "$(status release)" release/support/2
assert_eq "$(ls_ prompt show "$second" --json | json_get proposal.state)" approved
wait_for '[ "$(st release)" = 2 ]' 20

note "a reason with escape sequences, given on the command line, is shown inert"
third=$(propose "Keep answers short.")
runuser -u "$bob" -- "$LEITSTAND" -c "$CFG" prompt approve "$third" --canary >/dev/null
wait_screen b "canary #$third at 10 % (step 1 of 3), running"
runuser -u "$bob" -- "$LEITSTAND" -c "$CFG" prompt rollout abort \
	--reason $'no\e[2J\e]0;pwned\a' >/dev/null
wait_screen b "canary #$third aborted by $bob: no^[[2J^[]0;pwned^G"
[ "$(tmux_ display-message -p -t b '#{pane_title}')" != pwned ] || fail "the reason set the title"
echo PASS
