#!/bin/bash
# What no real Prometheus produces, from a loopback fixture: every failure mode gives a precise
# state, never a crash and never a stale number shown as live.
. "$(dirname "$0")/../lib/lib.sh"

echo ok >"$T/mode"
python3 "$TESTS/lib/prom-fixture.py" "$T/port" "$T/mode" &
PIDS+=($!)
wait_for "[ -s '$T/port' ]"
URL=http://127.0.0.1:$(cat "$T/port")
write_config <<EOF2
[prometheus]
url = $URL
interval = 1s
timeout = 2s
[kpi.errors]
for = 0s
[kpi.requests]
enabled = no
[kpi.cost_per_request]
enabled = no
[kpi.spend_today]
enabled = no
[kpi.spend_month]
enabled = no
[kpi.forecast]
enabled = no
EOF2
start_daemon
wait_for '[ "$(kpi_field value errors)" = 1.5 ]' 15

# mode MODE: switch the fixture and wait until the KPI's error says what is expected.
expect_error() {
	echo "$1" >"$T/mode"
	wait_for "kpi_field error errors | grep -qF -- '$2'" 15
	assert_eq "$(kpi_field state errors)" "unknown"
	kill -0 "$DAEMON_PID" || fail "daemon died on $1"
}

note "malformed JSON"
expect_error malformed "$URL: invalid reply: "
note "a 200 with status error"
expect_error error200 "Prometheus: execution: query processing would load too many samples"
note "a 400 with Prometheus's error text (escape sequences kept out of the console by the sanitiser)"
expect_error badquery "Prometheus: bad_data: parse error at char 5"
note "a proxy's 502 with an HTML body is an upstream error, not a JSON parse failure"
expect_error html502 "$URL: upstream error: HTTP 502: <html>"
note "an empty result"
expect_error empty "no data: the query returned nothing"
note "NaN is unknown and never satisfies a threshold"
expect_error nan "the value is NaN"
note "several series where one is needed"
expect_error many "the query returned 3 series"
note "a reply far larger than any KPI"
expect_error huge "$URL: reply larger than 16 MiB"
note "a hung connection times out"
expect_error hang "$URL: no answer within 2s"
note "status shows the age; the value is not presented as live"
wait_for '[ "$(kpi_field age errors)" -ge 3 ]' 15
out=$(ls_ kpi)
assert_contains "$out" "old)"

note "warnings mark the value partial"
echo warnings >"$T/mode"
wait_for '[ "$(kpi_field value errors)" = 2.0 ] || [ "$(kpi_field value errors)" = 2 ]' 15
assert_contains "$(kpi_field note errors)" "partial: partial response: store 3 unreachable"
note "+Inf is a value beyond every threshold"
echo inf >"$T/mode"
wait_for '[ "$(kpi_field state errors)" = crit ]' 15
echo ok >"$T/mode"
wait_for '[ "$(kpi_field state errors)" = ok ]' 15
