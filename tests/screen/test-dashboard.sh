#!/bin/bash
# The dashboard in tmux against the real sim and Prometheus: tiles at 80x24 and 200x60, a tile
# changing state after a profile switch, the KPI detail with its chart.
. "$(dirname "$0")/../lib/lib.sh"

start_sim --rate-scale 4
start_prometheus
write_config <<EOF2
[prometheus]
url = $PROM_URL
interval = 1s
insecure = yes
[sim]
url = $SIM_URL
[kpi.errors]
query = 100 * (sum(rate(gen_ai_client_operation_duration_seconds_count{error_type!=""}[10s])) or vector(0)) / sum(rate(gen_ai_client_operation_duration_seconds_count[10s]))
for = 2s
EOF2
start_daemon
wait_for '[ "$(kpi_field state errors)" = ok ]' 30

note "80x24 under a German locale: two tiles a row, states readable without colour"
console a 80x24 TERM=xterm-256color LANG=de_DE.UTF-8
wait_screen a "Overall"
wait_screen a "source: $PROM_URL (ok)"
wait_screen a "Error rate"
note "insecure = yes is a warning in the status line and on the source"
screen_ a | tail -1 | grep -q "prometheus.insecure: TLS" || fail "no insecure warning"
wait_screen a "TLS NOT VERIFIED"
screen_ a | grep -q "Requests .*✓ OK" || screen_ a | grep -q "✓ OK" || fail "no OK tile"
row=$(screen_ a | grep "Latency p50" | head -1)
assert_contains "$row" "Requests"
row=$(screen_ a | grep "Latency p95" | head -1)
assert_contains "$row" "Error rate"
wait_for "screen_ a | grep -q '[0-9]\.[0-9]* s '" 20
! screen_ a | grep -q '[0-9],[0-9]' || fail "a decimal comma on the dashboard"

note "a tile says the window its query averages over: tiles over other windows disagree a while"
screen_ a | grep -q "Error rate 10s " || fail "no window on the error tile: $(screen_ a | grep 'Error rate')"
screen_ a | grep -q "Availability 5m " || fail "no window on the availability tile"
screen_ a | grep -q "Requests 1m " || fail "no window on the requests tile"

note "tiles off screen are said, not hidden"
screen_ a | grep -q "[0-9]* of [0-9]* KPIs shown; more below (j)" || fail "no more-below line"
keys a G
wait_screen a "more above (k)"
keys a g
wait_screen a "more below (j)"

note "a locale that is not installed: the status line says so, UTF-8 stays"
console u 80x24 TERM=xterm-256color LANG=xx_YY.UTF-8
wait_screen u "the locale LANG=xx_YY.UTF-8 is not installed: using C.UTF-8"
wait_screen u "✓ OK"

note "200x60: five tiles a row"
console b 200x60 TERM=vt100 LANG=C
wait_screen b "Overall"
wait_screen b "Latency p50"
row=$(screen_ b | grep "Requests" | head -1)
for t in "Latency p50" "Latency p95" "Error rate" "Rate limited"; do
	assert_contains "$row" "$t"
done
screen_ b | grep -q "+ OK" || fail "no ASCII OK symbol"

note ":sim outage from the console turns the error tile crit"
keys a : "sim outage" Enter
wait_screen a "simulator switched to profile outage"
wait_for "screen_ a | grep 'Error rate' | grep -q 'CRIT'" 40
screen_ b | grep -q "X CRIT" || wait_screen b "X CRIT"

note "a breach waiting out its for looks like one: the level it heads for, with a ?"
# Availability keeps its built-in for of a minute: the outage holds it pending for a while.
wait_for "screen_ a | grep 'Availability' | grep -q 'CRIT?'" 30
screen_ a | grep -A3 'Availability' | grep -q 'crit in [0-9]*s unless it recovers' ||
	fail "no pending line under the tile"
note "warn and crit thresholds with the unit"
screen_ a | grep -q '▲>2.00 ✖>5.00 %' || fail "no thresholds with unit on the error tile"
note "crit is drawn in red on the terminal's own background, never as a red cell"
# A red background (41/101) would turn a sparkline's shape inside out.
rows=$(screen_ a -e | grep 'Error rate\|Availability' -A2)
grep -q $'\e\[[0-9;]*31m\|\e\[[0-9;]*91m' <<<"$rows" || fail "crit not red: $(cat -v <<<"$rows")"
! grep -q $'\e\[\(\([0-9;]*;\)\?\)\(41\|101\)m' <<<"$rows" || fail "red cells: $(cat -v <<<"$rows")"
note "[console] palette = light: no bright yellow or cyan, which vanish on white"
{ cat "$CFG"; printf '[console]\npalette = light\n'; } >"$T/light.ini"
console l 80x24 TERM=xterm-256color LANG=C.UTF-8 -- -c "$T/light.ini"
wait_screen l "Error rate"
wait_for "screen_ l | grep 'Error rate' | grep -q 'CRIT'" 40
! screen_ l -e | grep -q $'\e\[[0-9;]*\(93\|96\)m' || fail "bright yellow or cyan on a light palette"
screen_ l -e | grep -q $'\e\[[0-9;]*34m' || fail "titles not blue on a light palette"
! screen_ a -e | grep -q $'\e\[[0-9;]*34m' || fail "the dark palette changed"

note "Enter opens the KPI: query, thresholds, chart; t changes the range"
keys a j j j Enter
wait_screen a "PromQL: "
wait_screen a "1 h  min"
keys a t
wait_screen a "6 h  min"
note "a fresh installation: the chart says how little history there is; 5 m shows it"
wait_screen a " of data)"
keys a t t
wait_screen a "5 m  min"
keys a Escape
wait_screen a "Overall"

note "the mouse: a click on a tile selects it, a second click opens its chart"
keys a g
line=$(screen_ a | grep -n "Latency p95" | head -1)
y=${line%%:*}
x=$(( $(echo "${line#*:}" | grep -bo "Latency p95" | cut -d: -f1) + 3 ))
# Press and release, as a terminal sends; handled in order: the first click selects, so the
# second opens.
for i in 1 2; do
	tmux_ send-keys -t a -l $'\e'"[<0;$x;${y}M"
	tmux_ send-keys -t a -l $'\e'"[<0;$x;${y}m"
done
wait_screen a "PromQL: "
screen_ a | grep -q "Latency p95" || fail "the chart opened is not of the tile clicked"
keys a Escape
wait_screen a "Overall"

note "Prometheus gone: the header says so, values dimmed with their age"
stop_prometheus
wait_screen a "Connection refused"
wait_for "screen_ a | grep -q 'stale: '" 20
