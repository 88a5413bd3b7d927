#!/bin/bash
# The incidents view in tmux: the list, the detail, keys that act, and two consoles of two
# users seeing each other's changes as they happen.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create two test users"; exit 77; }
alice=lta$$
bob=ltb$$
group=ltg$$
groupadd "$group"
useradd -M -N -g "$group" -s /bin/sh "$alice"
useradd -M -N -g "$group" -s /bin/sh "$bob"
# The users go after their consoles have stopped.
trap 'rc=$?; cleanup || rc=1; userdel "$alice"; userdel "$bob"; groupdel "$group"; exit $rc' EXIT
chmod 755 "$T"
# An editor that writes a two-line note, as a person would.
printf '#!/bin/sh\nprintf "Vendor confirmed the outage.\\nNext update at 14:00, call +49 30 1234567.\\n" >"$1"\n' >"$T/editor"
chmod 755 "$T/editor"

write_config <<EOF2
group = $group
[roles]
operator = $alice, $bob
EOF2
chmod 644 "$CFG"
start_daemon
for i in $(seq 1 30); do
	ls_ incident open --severity $(( i % 4 + 1 )) --title "Customer reports $i" >/dev/null
done

as() {
	local user=$1 name=$2
	tmux_ -f /dev/null new-session -d -s "$name" -c "$T" -x 100 -y 30 \
		runuser -u "$user" -- env -i PATH="$PATH" HOME="$T" TERM=xterm-256color \
		LANG=C.UTF-8 EDITOR="$T/editor" "$LEITSTAND" -c "$CFG"
	TMUX_SESSIONS+=("$name")
}

note "two operators, two consoles, the incidents view"
as "$alice" a
as "$bob" b
for s in a b; do
	wait_screen "$s" "connected"
	keys "$s" 2
	wait_screen "$s" "SEV1 7  SEV2 8  SEV3 8  SEV4 7"
done
screen_ a | tail -1 | grep -q "$alice (operator)" || fail "alice is not an operator"

note "ages and timers count on without a key"
row() { screen_ b | grep "Customer reports 30\$" | head -1; }
before=$(row)
wait_for '[ "$(row)" != "$before" ]' 5

note "alice acknowledges the first incident; bob's list shows it"
first=$(screen_ a | sed -n '5p' | awk '{ print $1 }')
keys a a
wait_screen a "acknowledged $alice"
screen_ b | grep -q "^ *$first  SEV1 L1 acknowledged $alice" ||
	wait_for "screen_ b | grep -q '^ *$first  SEV1 L1 acknowledged $alice'" 5

note "the detail: timeline, a note with personal data redacted, escape back"
keys b Enter
wait_screen b "#$first Customer reports $first"
wait_screen b "acknowledged by $alice"
keys b n "customer called from +49 171 1234567" Enter
wait_screen b "$bob: customer called from [phone]"
note "a long note in \$EDITOR: the console steps aside and comes back"
keys b N
wait_screen b "$bob: Vendor confirmed the outage."
wait_screen b "Next update at 14:00, call [phone]."
keys b Escape
wait_screen b "ASSIGNEE"

note "operators may not resolve: the daemon says why"
keys a r "done" Enter
wait_screen a "incident.resolve needs role engineer"

note "a new SEV1 shows a banner on every console"
ls_ incident open --severity 1 --title "Assistant answers in the wrong language" >/dev/null
wait_screen a "NEW SEV1 #31: Assistant answers in the wrong language"
wait_screen b "NEW SEV1 #31"

note "the filter line: severity, status and words"
keys b / C-u "sev:1 status:triggered wrong" Enter
wait_screen b "1 listed"
wait_screen b "Assistant answers in the wrong language"

note ":open from the command line, and :incident N"
keys a : "open 4 Typo in the greeting" Enter
wait_screen a "opened incident 32"
keys a : "incident 32" Enter
wait_screen a "#32 Typo in the greeting"

note "resolved elsewhere: the detail says so, offers reopen, no longer resolve"
ls_ incident resolve 32 "greeting fixed" >/dev/null
wait_screen a "resolved by $(id -un): greeting fixed"
wait_screen a "u reopen  n note"
! screen_ a | grep -q "r resolve" || fail "a resolved incident still offers r resolve"

note "a resolved incident goes below the open ones at once, without R"
keys a Escape
wait_screen a "ASSIGNEE"
screen_ a | grep -q "^ *4  SEV1" || fail "incident 4 (SEV1) not near the top"
ls_ incident resolve 4 "duplicate of 31" >/dev/null
wait_for "! screen_ a | grep -q '^ *4  SEV1'" 10

note "an incident opened while a console shows only a detail is in its list afterwards"
as "$alice" c
wait_screen c "connected"
keys c : "incident 1" Enter
wait_screen c "#1 Customer reports 1"
ls_ incident open --severity 1 --title "Opened while c looked at a detail" >/dev/null
wait_screen c "NEW SEV1 #33"
keys c Escape
wait_screen c "Opened while c looked at a detail"

note "\$EDITOR is shell words, as git runs it: quotes in it work"
qeditor="sh -c 'printf \"%s\\n\" \"written by a quoted editor\" >\"\$0\"'"
tmux_ -f /dev/null new-session -d -s e -c "$T" -x 100 -y 30 \
	runuser -u "$alice" -- env -i PATH="$PATH" HOME="$T" TERM=xterm-256color \
	LANG=C.UTF-8 EDITOR="$qeditor" "$LEITSTAND" -c "$CFG"
TMUX_SESSIONS+=(e)
wait_screen e "connected"
keys e : "incident 1" Enter
wait_screen e "#1 Customer reports 1"
keys e N
wait_screen e "$alice: written by a quoted editor"
