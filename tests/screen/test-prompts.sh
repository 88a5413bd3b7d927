#!/bin/bash
# The Prompts view in tmux: an engineer proposes in $EDITOR and runs the evals, an approver
# sees it live, reads the coloured diff, approves and rolls back; both consoles follow.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create two test users"; exit 77; }
alice=lta$$
bob=ltb$$
group=ltg$$
groupadd "$group"
useradd -M -N -g "$group" -s /bin/sh "$alice"
useradd -M -N -g "$group" -s /bin/sh "$bob"
trap 'rc=$?; cleanup || rc=1; userdel "$alice"; userdel "$bob"; groupdel "$group"; exit $rc' EXIT
chmod 755 "$T"
# The editor adds a line to the copy of the prompt it is given, as a person would, and one
# with escape sequences pasted from somewhere.
printf '#!/bin/sh\necho "- Close every answer by thanking the customer." >>"$1"\nprintf "%%s\\n" "- Be kind.\033[2J\033]0;pwned\007" >>"$1"\n' >"$T/editor"
chmod 755 "$T/editor"

start_sim
write_config <<EOF2
group = $group
[roles]
engineer = $alice
approver = $bob
[sim]
url = $SIM_URL
EOF2
chmod 644 "$CFG"
start_daemon

as() {
	local user=$1 name=$2
	tmux_ -f /dev/null new-session -d -s "$name" -c "$T" -x 100 -y 30 \
		runuser -u "$user" -- env -i PATH="$PATH" HOME="$T" TERM=xterm-256color \
		LANG=C.UTF-8 EDITOR="$T/editor" "$LEITSTAND" -c "$CFG"
	TMUX_SESSIONS+=("$name")
}

note "two consoles on the Prompts view: the live release, no proposals"
as "$alice" a
as "$bob" b
for s in a b; do
	wait_screen "$s" "connected"
	keys "$s" 4
	wait_screen "$s" "support  live: release/support/1  model gpt-4o-2024-08-06"
	wait_screen "$s" "No proposals."
done

note "alice proposes in her editor and describes the change"
keys a P
wait_screen a "Describe the change to system.md"
keys a "Thank the customer" Enter
wait_screen a "proposal 1 made"
wait_screen a "#1    draft"
wait_screen b "#1    draft      -       $alice"
wait_screen b "Thank the customer"

note "alice runs the evals; bob's console shows the result"
keys a e
wait_screen a "#1    evaluated  100%    $alice"
wait_screen b "#1    evaluated  100%    $alice"

note "bob opens the proposal: eval beside production, the diff coloured"
keys b Enter
wait_screen b "eval done: 100% of 5 cases passed (gate 90%)"
wait_screen b "+- Close every answer by thanking the customer."
screen_ b -e | grep -F -- "+- Close every answer" | grep -q $'\e\\[32m' ||
	fail "the added line is not green: $(screen_ b -e | grep -F -- '+- Close')"
screen_ b -e | grep -F -- "+++ b/assistants/support/system.md" | grep -q $'\e\\[1m' ||
	fail "the file header is not bold"
wait_screen b '+- Be kind.^[[2J^[]0;pwned^G'
[ "$(tmux_ display-message -p -t b '#{pane_title}')" != pwned ] || fail "the prompt set the title"
assert_contains "$(git --git-dir="$T/data/prompts.git" show proposals/1:assistants/support/system.md)" \
	$'- Be kind.\e[2J\e]0;pwned\a'

note "alice may not approve; bob approves after confirming"
keys a a
wait_screen a "Release #1 (eval 100%) to production?"
keys a Enter
wait_screen a "prompt.approve needs role approver"
keys b a
wait_screen b "Release #1 (eval 100%) to production? Enter releases, Esc cancels:"
keys b Enter
wait_screen b "released release/support/2"
keys b Escape
wait_screen b "#1    approved"
wait_screen a "live: release/support/2"

note "bob rolls back to the release before; the history shows it"
keys b b
wait_screen b "Roll back: the release to restore"
keys b Enter
wait_screen b "released release/support/3"
wait_screen a "live: release/support/3"
keys b H
wait_screen b "Releases, newest first"
wait_screen b "release/support/3"
screen_ b | grep -q "release/support/3 .* $bob  .*  roll back to release/support/1" ||
	fail "no rollback row: $(screen_ b)"
assert_eq "$(git --git-dir="$T/data/prompts.git" rev-parse production:assistants/support)" \
	"$(git --git-dir="$T/data/prompts.git" rev-parse release/support/1:assistants/support)"

note "the audit log names each user"
out=$(ls_ audit list --json)
for want in "prompt.propose $alice" "prompt.eval $alice" "prompt.approve $bob" "prompt.rollback $bob"; do
	echo "$out" | python3 -c 'import json,sys
want = sys.argv[1].split()
sys.exit(0 if any(e["action"] == want[0] and e["actor"] == want[1]
    for e in json.load(sys.stdin)["entries"]) else 1)' "$want" || fail "no audit entry: $want"
done
