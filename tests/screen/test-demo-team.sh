#!/bin/bash
# leitstand --demo --team (as root): two demo users with roles, their consoles side by side in
# one tmux window; the engineer proposes, the approver releases, nobody approves their own;
# quitting removes the users again.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: --team adds users: needs root"; exit 77; }
[ -x /usr/bin/prometheus ] || { echo "SKIP: the demo needs /usr/bin/prometheus"; exit 77; }
for u in demo-engineer demo-approver; do
	! id "$u" >/dev/null 2>&1 || { echo "SKIP: a user $u exists already"; exit 77; }
done
mkdir -m 700 "$T/run"
chmod 755 "$T"
# The engineer's editor: a tighter system prompt, as a person would write it.
printf '#!/bin/sh\nprintf "Answer in at most three sentences.\\n" >>"$1"\n' >"$T/editor"
chmod 755 "$T/editor"

note "as another user, --team is refused with the reason"
out=$(runuser -u nobody -- "$LEITSTAND" --demo --team 2>&1 </dev/null) && fail "--team ran as nobody"
assert_contains "$out" "run it as root"

team() {
	tmux_ -f /dev/null new-session -d -s "$1" -c "$T" -x 200 -y 45 \
		env -i PATH="$PATH" HOME="$T" XDG_RUNTIME_DIR="$T/run" TERM=xterm-256color \
		LANG=C.UTF-8 EDITOR="$T/editor" "$LEITSTAND" --demo --team
	TMUX_SESSIONS+=("$1")
}
left() { screen_ a | cut -c1-100; }
right() { screen_ a | cut -c102-; }

note "two consoles side by side, each its user with its role"
team a
wait_for "left | grep -q 'demo-engineer (engineer)'" 60
wait_for "right | grep -q 'demo-approver (approver)'" 10
id demo-engineer >/dev/null || fail "no demo engineer"
[ "$(stat -c %a:%G /run/leitstand-demo)" = 750:leitstand-demo ] ||
	fail "the daemon's directory is not the group's: $(stat -c %a:%G /run/leitstand-demo)"

note "the engineer proposes a change in the left console"
keys a 4
wait_for "left | grep -q 'live: release/support/1'" 20
keys a P
wait_for "left | grep -q 'Describe the change'" 20
keys a "shorter answers" Enter
wait_for "left | grep -q 'shorter answers'" 20

note "the approver sees it in the right console and may approve; the engineer may not"
keys a C-b o
keys a 4
wait_for "right | grep -q 'shorter answers'" 20
out=$(runuser -u demo-engineer -- "$LEITSTAND" -S /run/leitstand-demo/demo.sock prompt approve 1 2>&1) &&
	fail "the engineer approved: $out"
assert_contains "$out" "needs role approver"
author=$(runuser -u demo-approver -- "$LEITSTAND" -S /run/leitstand-demo/demo.sock prompt list --json |
	json_get proposals.0.author)
[ "$author" = demo-engineer ] || fail "the proposal's author is $author"

note "the engineer runs the eval, the approver releases it from the right console"
keys a C-b o
keys a e
wait_for "left | grep -q 'evaluated.*shorter answers'" 120
keys a C-b o
wait_for "right | grep -q 'evaluated.*shorter answers'" 20
keys a a
wait_for "right | grep -q 'to production? Enter releases'" 10
keys a Enter
wait_for "right | grep -q 'live: release/support/2'" 30
wait_for "left | grep -q 'live: release/support/2'" 30
approver=$(runuser -u demo-approver -- "$LEITSTAND" -S /run/leitstand-demo/demo.sock prompt list --json |
	json_get assistants.0.release.approver)
[ "$approver" = demo-approver ] || fail "release 2 was made by $approver"

note "another local user outside the group cannot reach the demo's daemon"
out=$(runuser -u nobody -- "$LEITSTAND" -S /run/leitstand-demo/demo.sock status 2>&1) &&
	fail "nobody reached the team's daemon: $out"

note "q in both consoles ends the demo: users, daemon and directory are gone"
keys a q
keys a C-b o
keys a q
wait_for "! tmux_ has-session -t a 2>/dev/null" 30
! id demo-engineer >/dev/null 2>&1 || fail "demo-engineer was not removed"
! id demo-approver >/dev/null 2>&1 || fail "demo-approver was not removed"
[ ! -e /run/leitstand-demo ] || fail "/run/leitstand-demo was left behind"
