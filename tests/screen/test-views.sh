#!/bin/bash
# The real console in tmux: five views at 80x24 and 200x60, colour and none, UTF-8 and ASCII.
. "$(dirname "$0")/../lib/lib.sh"

# A hostile config file name lands in the audit log through the real API (config.reload's
# object is the daemon's config file).
CFG=$T/$'evil\e]0;pwned\a\e[2J\xc2\x9b31m\u202e.ini'
write_config </dev/null
start_daemon
ls_ config reload >/dev/null

# Masks what changes between runs (clock, user) so screens compare with golden files.
normalise() {
	sed -E 's/[0-9]{2}:[0-9]{2} ?$/HH:MM/; s/^ [^ ]+ \((admin|viewer)\)/ USER (\1)/'
}


check_views() {
	local s=$1 size=$2 gold=$3
	wait_screen "$s" "connected"
	wait_screen "$s" "No metrics configured."
	[ "$gold" = 1 ] && golden "dashboard-$size" "$s"
	keys "$s" 2; wait_screen "$s" "No incidents. + opens one."
	keys "$s" 3; wait_screen "$s" "Model provider API errors"
	keys "$s" 4; wait_screen "$s" "live: release/support/1"
	keys "$s" 5; wait_screen "$s" "config.reload"
	wait_screen "$s" "ACTION"
	keys "$s" '?'; wait_screen "$s" "any other key closes)"
	[ "$gold" = 1 ] && golden "help-$size" "$s"
	# The help scrolls: what does not fit is reached with j and Space, k goes back.
	if screen_ "$s" | grep -q "j or Space for more"; then
		keys "$s" j; wait_screen "$s" "(k up, "
		keys "$s" Space Space Space Space Space
		wait_screen "$s" "list these commands and the keys"
		keys "$s" k; wait_screen "$s" "any other key closes)"
	fi
	keys "$s" Escape
	keys "$s" 6; wait_screen "$s" "Shift handover"
	# Rendered, not raw: headings without their #, list items as the runner shows them.
	! screen_ "$s" | grep -q "^ #" || fail "raw Markdown headings in the handover"
	screen_ "$s" | grep -q "^ - Open incidents: 0" || fail "no rendered list item"
	keys "$s" Tab; wait_screen "$s" "No metrics configured."
	local rows=${size#*x}
	[ "$(screen_ "$s" | wc -l)" -eq "$rows" ] || fail "screen is not $rows rows"
	screen_ "$s" | sed -n 2p | grep -q "1 Dashboard  2 Incidents  3 Playbooks  4 Prompts  5 Audit  6 Handover" ||
		fail "tab line missing"
	screen_ "$s" | tail -1 | grep -q "? help  q quit" || fail "status line missing"
}

note "80x24, 256 colours, UTF-8"
console a 80x24 TERM=xterm-256color LANG=C.UTF-8
check_views a 80x24 1
screen_ a -e | grep -q $'\e\\[38;5;' || fail "no 256-colour output"
screen_ a | head -1 | grep -q "Virtual Assistant · production" || fail "UTF-8 header"

note "hostile text in the audit view is shown escaped, never interpreted"
keys a 5; wait_screen a "config.reload"
out=$(screen_ a -e)
assert_not_contains "$out" $'\e]0;'
assert_not_contains "$out" $'\e[2J'
assert_not_contains "$out" $'\xc2\x9b'
assert_not_contains "$out" $'\u202e'
assert_contains "$(screen_ a)" "evil^[]0;pwned^G^[[2J"
note "Enter opens an audit entry whole, defused too; Esc goes back"
keys a g Enter
wait_screen a "Audit entry "
wait_screen a "action  config.reload"
wait_screen a "Esc back to the list"
out=$(screen_ a -e)
assert_not_contains "$out" $'\e]0;'
assert_contains "$(screen_ a)" "evil^[]0;pwned^G^[[2J"
keys a Escape
wait_screen a "ACTOR"

note "200x60, 8 colours, UTF-8"
console b 200x60 TERM=xterm LANG=C.UTF-8
check_views b 200x60 0
screen_ b -e | grep -q $'\e\\[3[0-7]m\|\e\\[4[0-7]m' || fail "no 8-colour output"
! screen_ b -e | grep -q $'\e\\[38;5;' || fail "256-colour codes on an 8-colour terminal"

note "80x24, vt100 (no colour), LANG=C (ASCII)"
console c 80x24 TERM=vt100 LANG=C
check_views c 80x24 0
! screen_ c -e | grep -q $'\e\\[3[0-7]m\\|\e\\[4[0-7]m\\|38;5;' || fail "colour codes on vt100"
screen_ c | head -1 | grep -q "Virtual Assistant - production" || fail "ASCII header"
! screen_ c | LC_ALL=C grep -q $'[\x80-\xff]' || fail "non-ASCII bytes in LANG=C"

note "200x60, no colour, read-only"
console d 200x60 TERM=vt100 LANG=C.UTF-8 -- --readonly
check_views d 200x60 0
screen_ d | tail -1 | grep -q "read-only" || fail "read-only not shown"
keys d : "sim outage" Enter
wait_screen d "read-only console: :sim changes the simulator"
keys d : help Enter; wait_screen d "Commands on the : line ("
wait_screen d ":incident N"
assert_not_contains "$(screen_ d)" ":sim PROFILE"
assert_not_contains "$(screen_ d)" ":open SEV TITLE"
keys d Escape

note "resize: the layout follows the window"
tmux_ resize-window -t a -x 100 -y 30
wait_screen a "$(printf '%*s' 0 '')? help  q quit"
[ "$(screen_ a | wc -l)" -eq 30 ] || fail "not 30 rows after resize"
screen_ a | tail -1 | grep -q "? help  q quit" || fail "status line after resize"

note ": command line and / filter"
keys a : audit Enter; wait_screen a "ACTION"
keys a / pwned Enter; wait_screen a "filter: pwned"
wait_screen a "config.reload"
keys a / C-u nothing-matches Enter; wait_screen a "No audit entries match the filter."
keys a 1 5; wait_screen a "filter: nothing-matches"
keys a : bogus Enter; wait_screen a 'unknown command "bogus"'

note ":help lists the commands of the table, Tab completes their names"
keys a : help Enter; wait_screen a "Commands on the : line ("
wait_screen a ":open SEV TITLE"
wait_screen a ":quit, :q"
keys a Escape
keys a : han Tab; wait_screen a ":handover"
[ "$(screen_ a | tail -1 | sed 's/ *$//')" = ":handover" ] || fail "one match completes"
assert_eq "$(tmux_ display-message -p -t a '#{cursor_x}')" 10	# and a blank after it
keys a Enter; wait_screen a "Shift handover"
keys a : in Tab; wait_screen a ":incident"
[ "$(screen_ a | tail -1 | sed 's/ *$//')" = ":incident" ] || fail "two matches complete to what they share"
assert_eq "$(tmux_ display-message -p -t a '#{cursor_x}')" 9	# and no blank
keys a s Enter; wait_screen a "No incidents. + opens one."
keys a : incident Space x Enter; wait_screen a ":incident needs a number"
note "a message keeps who you are in view and goes by itself"
screen_ a | tail -1 | grep -q "$(id -un) (admin) .*:incident needs a number" ||
	fail "the message hides user and role: $(screen_ a | tail -1)"
wait_for "! screen_ a | grep -q ':incident needs a number'" 30
screen_ a | tail -1 | grep -q "? help  q quit" || fail "status line not back"

note "the daemon goes away: the console stays, says so, and reconnects"
stop_daemon
wait_screen a "DISCONNECTED"
start_daemon
wait_screen a "connected"
keys a 5 / C-u Enter; wait_screen a "config.reload"

note "q quits and leaves the terminal clean"
for s in a b c d; do keys "$s" q; done
for i in $(seq 100); do
	[ -z "$(tmux_ list-sessions 2>/dev/null)" ] && break
	sleep 0.05
done
[ -z "$(tmux_ list-sessions 2>/dev/null)" ] || fail "console did not quit on q"
TMUX_SESSIONS=()
