#!/bin/bash
# Metric dialects a Debian server cannot produce, through a loopback Prometheus API: UTF-8
# names (Prometheus 3), a proxy that refuses label look-ups, thousands of error_type values,
# two spellings at once, look-alike names; and a user's own query that is never rewritten.
. "$(dirname "$0")/../lib/lib.sh"

echo utf8 >"$T/mode"
python3 "$TESTS/lib/dialect-fixture.py" "$T/port" "$T/mode" "$T/requests" &
PIDS+=($!)
wait_for "[ -s '$T/port' ]"
URL=http://127.0.0.1:$(cat "$T/port")
write_config <<EOF2
[prometheus]
url = $URL
interval = 1s
[kpi.own]
title = Own
unit =
query = sum(rate(gen_ai_client_operation_duration_count[1m]))
EOF2

# doctor FIELD...: a field of `leitstand kpi doctor --json` (python expression on d).
doctor() {
	ls_ kpi doctor --json >"$T/doctor.json" || fail "kpi doctor failed"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); k={x["name"]: x for x in d["kpis"]}; print(eval(sys.argv[2]))' "$T/doctor.json" "$1"
}

note "UTF-8 names: found by label look-ups, dotted labels, queries in quoted selector syntax"
start_daemon
wait_for '[ "$(kpi_field value requests)" = 2.5 ]' 15
assert_eq "$(doctor 'd["dialect"]["in_force"]')" utf8
assert_eq "$(doctor 'd["dialect"]["labels"]["error_type"]')" error.type
assert_contains "$(kpi_field query errors)" '{"gen_ai.client.operation.duration_seconds_count", "error.type"!=""}'
assert_contains "$(kpi_field query rate_limited)" '"error.type"=~"429|RateLimitError|rate_limit_exceeded"'
grep -q 'GET /api/v1/label/U__error_2e_type/values' "$T/requests" || fail "no escaped label look-up: $(cat "$T/requests")"
note "an error_type value in no class is named, with what to do"
assert_eq "$(doctor 'd["dialect"]["unclassed"]')" "['ContentFilterError']"
assert_contains "$(ls_ kpi doctor)" "error_type: RateLimitError (rate_limited)"
note "a query of the user's own is used as written, and the doctor says what the source holds"
assert_eq "$(kpi_field query own)" "sum(rate(gen_ai_client_operation_duration_count[1m]))"
assert_eq "$(doctor 'k["own"]["origin"]')" "as written"
assert_contains "$(doctor 'k["own"]["advice"]')" "the source has no series of gen_ai_client_operation_duration_count; its GenAI metrics are spelled the utf8 way"
assert_contains "$(kpi_field error own)" "leitstand kpi doctor says why"
stop_daemon

note "a proxy that refuses label look-ups: names and error values found by queries, and said so"
echo refuse >"$T/mode"
start_daemon
wait_for '[ "$(kpi_field value requests)" = 2.5 ]' 15
assert_eq "$(doctor 'd["dialect"]["in_force"]')" sdk
assert_contains "$(doctor 'd["dialect"]["discovery"]["how"]')" "queries (the label look-up was refused: $URL: upstream error: HTTP 403"
assert_eq "$(doctor '[e["value"] + ":" + e["class"] for e in d["dialect"]["discovery"]["errors"]]')" \
	"['RateLimitError:rate_limited', 'InternalServerError:server']"
stop_daemon

note "thousands of error_type values: bounded, and the total said"
echo many >"$T/mode"
start_daemon
wait_for '[ "$(kpi_field value requests)" = 2.5 ]' 15
assert_eq "$(doctor 'len(d["dialect"]["discovery"]["errors"])')" 1000
assert_eq "$(doctor 'd["dialect"]["discovery"]["errors_total"]')" 5000
stop_daemon

note "two spellings at once: the one with traffic wins, and the doctor says why"
echo mixed >"$T/mode"
start_daemon
wait_for '[ "$(kpi_field value requests)" = 2.5 ]' 15
assert_eq "$(doctor 'd["dialect"]["in_force"]')" sdk
assert_contains "$(doctor 'd["dialect"]["discovery"]["why"]')" "several spellings: sdk 3 req/s, collector 0 req/s in the last 5 minutes; sdk wins (the most requests)"
stop_daemon

note "names that only look like GenAI metrics are not taken: blank KPIs say what to check"
echo lookalike >"$T/mode"
start_daemon
wait_for '[ -n "$(kpi_field error requests)" ]' 15
assert_eq "$(doctor 'd["dialect"]["discovery"]["found"]')" False
assert_contains "$(doctor 'k["requests"]["advice"]')" "the source holds no OpenTelemetry GenAI metrics"
assert_contains "$(ls_ kpi doctor)" "found no GenAI metric in the last hour"

note "metrics that appear later (an assistant scraped for the first time) are found without a restart"
echo utf8 >"$T/mode"
wait_for '[ "$(kpi_field value requests)" = 2.5 ]' 60
assert_eq "$(doctor 'd["dialect"]["in_force"]')" utf8

note "a configured dialect is not looked up"
: >"$T/requests"
printf '[prometheus]\ndialect = sdk\n' >>"$CFG"
ls_ config reload >/dev/null
wait_for '[ "$(kpi_field query requests)" = "sum(rate(gen_ai_client_operation_duration_count[1m]))" ]'
! grep -q "GET " "$T/requests" || fail "looked up although configured: $(grep GET "$T/requests")"
assert_eq "$(doctor 'd["dialect"]["configured"]')" sdk
