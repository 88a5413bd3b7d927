#!/bin/bash
# Machine numbers under a German locale (decimal comma), and a locale that is not installed.
. "$(dirname "$0")/../lib/lib.sh"

locale -a | grep -qix 'de_DE.utf8' || fail "the de_DE.UTF-8 locale is missing (make deps makes it)"
export LC_ALL=de_DE.UTF-8

note "the built-in config's prices and thresholds (2.50, 99.5) read as numbers"
write_config </dev/null
ls_ config check >/dev/null || fail "config check under de_DE: $(ls_ config check 2>&1)"
note "a decimal comma is refused with where and why"
printf '[kpi.errors]\nwarn = 2,5\n' >>"$CFG"
expect_exit 1 ls_ config check
assert_contains "$OUT" "leitstand.ini:5: kpi.errors.warn: \"2,5\" is not a number (the decimal separator is a point)"

note "the simulator's Prometheus text and the KPIs' JSON carry decimal points"
start_sim --rate-scale 4
sim_metrics() { python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "$SIM_URL/metrics"; }
# The histograms have samples once the sim has served its first requests.
wait_for "sim_metrics | grep -q '^gen_ai_client_operation_duration_seconds_bucket'" 30
metrics=$(sim_metrics)
grep -q '^gen_ai_client_operation_duration_seconds_bucket{.*le="0.01"' <<<"$metrics" \
	|| fail "no le=\"0.01\" bucket: $(head -20 <<<"$metrics")"
! grep -q '[0-9],[0-9]' <<<"$metrics" || fail "a decimal comma in /metrics"
start_prometheus
write_config <<EOF2
[prometheus]
url = $PROM_URL
interval = 1s
EOF2
start_daemon
wait_for '[ "$(kpi_field state latency_p50)" = ok ]' 30
ls_ kpi --json | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "kpi --json is not JSON"
ls_ kpi | grep -q '[0-9]\.[0-9]' || fail "no decimal point in: $(ls_ kpi)"
! ls_ kpi | grep -q '[0-9],[0-9]' || fail "a decimal comma in: $(ls_ kpi)"
id=$(ls_ incident open --title "Komma 2,5 und Punkt 2.5" --severity 3 | sed "s/opened incident //")
assert_contains "$(ls_ incident show "$id")" "Komma 2,5 und Punkt 2.5"

note "a locale that is not installed is named once, and UTF-8 still works"
expect_exit 0 env LC_ALL= LANG=xx_YY.UTF-8 "$LEITSTAND" -c "$CFG" status
assert_contains "$OUT" "the locale LANG=xx_YY.UTF-8 is not installed: using C.UTF-8"
[ "$(grep -c "not installed" <<<"$OUT")" -eq 1 ] || fail "said more than once: $OUT"
expect_exit 0 env LC_ALL=xx_YY "$LEITSTAND" -c "$CFG" status
assert_contains "$OUT" "the locale LC_ALL=xx_YY is not installed: text is shown in ASCII"
