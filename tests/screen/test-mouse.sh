#!/bin/bash
# The mouse in tmux: a click on a tab shows its view, on a row selects it, on the selected row
# opens it; the wheel scrolls; [console] mouse = no leaves the mouse to the terminal.
. "$(dirname "$0")/../lib/lib.sh"

write_config </dev/null
start_daemon
for i in $(seq 1 40); do
	ls_ incident open --severity 3 --title "Customer reports $i" >/dev/null
done

# xterm's SGR mouse report (1-based column and row): press, then release.
click() {
	tmux_ send-keys -t "$1" -l $'\e'"[<0;$2;$3M"
	tmux_ send-keys -t "$1" -l $'\e'"[<0;$2;$3m"
}
wheel() {
	tmux_ send-keys -t "$1" -l $'\e'"[<$(( $2 == 1 ? 64 : 65 ));10;10M"
}

console m 80x24 TERM=xterm-256color LANG=C.UTF-8
wait_screen m "connected"
note "a click on the tab of Incidents"
tab_x=$(( $(screen_ m | sed -n 2p | grep -bo " 2 Incidents" | cut -d: -f1) + 3 ))
click m "$tab_x" 2
wait_screen m "Customer reports 1"
screen_ m | sed -n 4p | grep -q "ID" || fail "incidents list not shown after a click on its tab"

note "a click on the third row selects it; a second click opens it"
first=$(screen_ m | sed -n 5p | grep -oE "Customer reports [0-9]+")
third=$(screen_ m | sed -n 7p | grep -oE "Customer reports [0-9]+")
[ -n "$third" ] || { screen_ m >&2; fail "no third row"; }
click m 30 7
wait_for "screen_ m -e | sed -n 7p | grep -qF \$'\\e['"
id=$(screen_ m | sed -n 7p | awk '{ print $1 }')
click m 30 7
wait_screen m "#$id $third"
wait_screen m "opened (manual)"
keys m Escape
wait_screen m "$first"

note "the wheel moves the selection three rows per notch"
wheel m 0; wheel m 0; wheel m 0; wheel m 0; wheel m 0; wheel m 0; wheel m 0
top_row() { screen_ m | sed -n 5p | awk '{ print $1 }'; }
wait_for '[ "$(top_row)" -gt 1 ]'
wheel m 1; wheel m 1; wheel m 1; wheel m 1; wheel m 1; wheel m 1; wheel m 1; wheel m 1
wait_for '[ "$(top_row)" = 1 ]'

note "the terminal was asked for clicks; with mouse = no it is not, and keeps the mouse"
mouse_flag() { tmux_ display -p -t "$1" '#{mouse_any_flag}#{mouse_standard_flag}'; }
[ "$(mouse_flag m)" != 00 ] || fail "the console did not ask for mouse reports"
cat >>"$CFG" <<EOF2
[console]
mouse = no
EOF2
console n 80x24 TERM=xterm-256color LANG=C.UTF-8
wait_screen n "connected"
[ "$(mouse_flag n)" = 00 ] || fail "mouse = no, yet the console asked for mouse reports"
