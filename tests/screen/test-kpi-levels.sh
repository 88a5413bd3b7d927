#!/bin/bash
# A KPI driven through its levels by a gauge the real Prometheus scrapes: crit opens an
# incident; crit -> warn is still a breach (no "recovered"); only ok recovers. A flat zero
# draws its sparkline along the bottom, not half full.
. "$(dirname "$0")/../lib/lib.sh"

mkdir -p "$T/gauge"
gauge() { printf 'leitstand_test_value %s\n' "$1" >"$T/gauge/metrics.new" && mv "$T/gauge/metrics.new" "$T/gauge/metrics"; }
gauge 0
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$T/gauge" "$port" >/dev/null 2>&1 &
PIDS+=($!)
SCRAPE_TARGET=http://127.0.0.1:$port start_prometheus
write_config <<EOF2
[prometheus]
url = $PROM_URL
interval = 1s
history = 1m
[kpi.gauge]
title = Gauge
query = max(leitstand_test_value)
unit = %
warn = 2
crit = 5
for = 4s
[triggers]
kpi_pending = $(id -un)
[notify]
command = $T/hook
[user.$(id -un)]
command = yes
EOF2
printf '#!/bin/sh\ncat >>"%s/inbox"; echo >>"%s/inbox"\n' "$T" "$T" >"$T/hook"
chmod 755 "$T/hook"
start_daemon
wait_for '[ "$(kpi_field state gauge)" = ok ]' 30

note "a flat zero: the sparkline lies along the bottom"
console a 200x50 TERM=xterm-256color LANG=C.UTF-8
wait_screen a "Gauge"
sleep 4
spark=$(screen_ a | grep -A2 "Gauge" | tail -1 | grep -o "[▁▂▃▄▅▆▇█]*" | tail -1)
[ -n "$spark" ] || fail "no sparkline under the gauge tile"
[ -z "$(printf '%s' "$spark" | tr -d '▁')" ] || fail "a flat zero is not drawn at the bottom: '$spark'"

note "crit opens an incident; while it waits out its for, [triggers] kpi_pending is told"
gauge 9
wait_for 'grep -q "Gauge heads for crit" "$T/inbox"' 30
grep -q '"event":"kpi_pending"' "$T/inbox" || fail "no kpi_pending notice: $(cat "$T/inbox")"
wait_for '[ "$(kpi_field state gauge)" = crit ]' 30
wait_for '[ "$(ls_ incident list --json | json_get total)" = 1 ]' 10

note "crit -> warn: still a breach, not recovered"
gauge 3
wait_for '[ "$(kpi_field state gauge)" = warn ]' 30
sleep 2
! ls_ incident show 1 | grep -q "recovered" || fail "crit -> warn was called a recovery: $(ls_ incident show 1)"

note "warn -> ok: recovered"
gauge 0
wait_for '[ "$(kpi_field state gauge)" = ok ]' 30
wait_for 'ls_ incident show 1 | grep -q "recovered"' 10
