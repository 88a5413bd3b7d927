#!/bin/bash
# A real third-party peer: an assistant backend on the official `openai` npm client, instrumented
# with @opentelemetry/instrumentation-openai and exported with @opentelemetry/exporter-prometheus
# (tests/peers), sends chat completions to the sim. The real Prometheus and VictoriaMetrics scrape
# only the app, never the sim: what they store is what an OpenTelemetry-instrumented assistant
# really emits (tests/peers/README.md describes it), asserted here over the HTTP query API.
. "$(dirname "$0")/../lib/lib.sh"

# PromQL over the HTTP API, in one python3 per call (each start costs).
#   promql URL QUERY: the sum of all values of the result, "none" when it is empty.
#   expect URL: checks each line of stdin, "MODE :: QUERY :: WANT", and prints every miss:
#     some / none            the result has series / has none
#     labels                 the label names of all series, sorted, space-separated
#     values:LABEL           the sorted distinct values of LABEL
#     sorted-values:LABEL    the same, sorted as numbers (le)
#     range                  WANT is "LO HI": LO < the sum of all values <= HI
cat >"$T/promql.py" <<'PY'
import json, sys, urllib.parse, urllib.request

def query(url, q):
    with urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode({"query": q}),
                                timeout=10) as r:
        d = json.load(r)
    if d.get("status") != "success":
        raise SystemExit("query failed: %s: %s" % (q, d))
    res = d["data"]["result"]
    if d["data"]["resultType"] == "scalar":
        res = [{"metric": {}, "value": res}]
    return res

def total(res):
    return sum(float(s["value"][1]) for s in res) if res else None

url = sys.argv[1]
if len(sys.argv) > 2:
    t = total(query(url, sys.argv[2]))
    print("none" if t is None else t)
    sys.exit(0)
misses = 0
for line in sys.stdin:
    if not line.strip():
        continue
    mode, q, want = (f.strip() for f in line.split("::"))
    res = query(url, q)
    if mode == "some":
        got, ok = "%d series" % len(res), len(res) > 0
    elif mode == "none":
        got, ok = "%d series" % len(res), len(res) == 0
    elif mode == "labels":
        got = " ".join(sorted({k for s in res for k in s["metric"]}))
        ok = got == want
    elif mode.startswith("values:") or mode.startswith("sorted-values:"):
        vals = {s["metric"].get(mode.split(":")[1], "") for s in res}
        got = " ".join(sorted(vals, key=float) if mode.startswith("sorted") else sorted(vals))
        ok = got == want
    elif mode == "range":
        lo, hi = map(float, want.split())
        t = total(res)
        got, ok = str(t), t is not None and lo < t <= hi
    else:
        raise SystemExit("unknown mode " + mode)
    if not ok:
        misses += 1
        print("  %s %s: expected %s, got %s" % (mode, q, want or "", got))
sys.exit(1 if misses else 0)
PY
promql() {
	python3 "$T/promql.py" "$@"
}
# Fails unless the query has a result on the backend: has URL QUERY
has() {
	[ "$(promql "$1" "$2")" != none ]
}
expect() {
	python3 "$T/promql.py" "$1" >"$T/misses" || fail "$2: $(cat "$T/misses")"
}

note "the sim; the app sending chat completions to it; Prometheus and VictoriaMetrics scraping the app"
start_sim --seed 11
# Does this sim stream? (It answered streamed requests with 400 before it learnt to.)
sim_streams=$(python3 - "$SIM_URL" <<'PY'
import json, sys, urllib.error, urllib.request
body = {"model": "gpt-4o-mini", "stream": True,
        "messages": [{"role": "user", "content": "Where is my order?"}]}
req = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", json.dumps(body).encode(),
                             {"Content-Type": "application/json"})
try:
    urllib.request.urlopen(req, timeout=10).read()
    print("yes")
except urllib.error.HTTPError as e:
    print("no" if e.code == 400 and b"stream" in e.read() else "yes")
PY
)
start_peer --rate 10/s --stream-share 0.2 --model gpt-4o-mini,gpt-4o
SCRAPE_TARGET=$PEER_URL start_prometheus
SCRAPE_TARGET=$PEER_URL start_victoria

# The labels the instrumentation puts on its histograms (plus job and instance from the scrape).
base="gen_ai_operation_name gen_ai_request_model gen_ai_system instance job otel_scope_name otel_scope_version server_address server_port"
sorted() {
	tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
ok_labels=$(echo "__name__ $base gen_ai_response_model" | sorted)
err_labels=$(echo "__name__ $base error_type" | sorted)
tok_labels=$(echo "__name__ $base gen_ai_response_model gen_ai_token_type" | sorted)
D=gen_ai_client_operation_duration
p95="histogram_quantile(0.95, sum by (le) (rate(${D}_bucket{error_type=\"\"}[30s])))"

for backend in prometheus victoria; do
	case $backend in
	prometheus) B=$PROM_URL ;;
	victoria) B=$VM_URL ;;
	esac
	note "$backend: the GenAI histograms and the feedback counter, named and labelled as exported"
	wait_for "has $B 'gen_ai_client_token_usage_count{gen_ai_token_type=\"output\"}' &&
		has $B 'assistant_feedback_total{rating=\"negative\"}' && has $B '$p95'" 60
	# No unit suffix: the OpenTelemetry JS Prometheus exporter keeps the instrument's name.
	# Answered requests carry gen_ai_response_model and no error_type; the request model is
	# the name the app sent, the response model the snapshot the API answered with.
	# The duration buckets are the instrumentation's (the semantic conventions' advice).
	# Token usage is one histogram, input and output by gen_ai_token_type.
	# The app's own counter gets the _total suffix the exporter adds to monotonic sums.
	# PromQL as a dashboard writes it works on this dialect: a p95 from the buckets.
	expect "$B" "$backend" <<EOF
none :: {__name__=~"${D}_seconds.*"} ::
some :: ${D}_bucket ::
some :: ${D}_sum ::
some :: ${D}_count ::
some :: gen_ai_client_token_usage_bucket{le="67108864"} ::
some :: gen_ai_client_token_usage_sum ::
labels :: ${D}_count{error_type=""} :: $ok_labels
values:gen_ai_operation_name :: ${D}_count :: chat
values:gen_ai_system :: ${D}_count :: openai
values:gen_ai_request_model :: ${D}_count :: gpt-4o gpt-4o-mini
values:gen_ai_response_model :: ${D}_count{error_type=""} :: gpt-4o-2024-08-06 gpt-4o-mini-2024-07-18
values:otel_scope_name :: ${D}_count :: @opentelemetry/instrumentation-openai
values:server_address :: ${D}_count :: 127.0.0.1
values:server_port :: ${D}_count :: ${SIM_URL##*:}
sorted-values:le :: ${D}_bucket{error_type=""} :: 0.01 0.02 0.04 0.08 0.16 0.32 0.64 1.28 2.56 5.12 10.24 20.48 40.96 81.92 +Inf
labels :: gen_ai_client_token_usage_count :: $tok_labels
values:gen_ai_token_type :: gen_ai_client_token_usage_count :: input output
values:rating :: assistant_feedback_total :: negative positive
labels :: assistant_feedback_total :: __name__ instance job otel_scope_name rating
range :: $p95 :: 0.1 10.24
EOF

	# A refused stream is a 400: the openai client's BadRequestError, by its class name.
	# Failed requests carry error_type and no gen_ai_response_model.
	if [ "$sim_streams" = no ]; then
		wait_for "has $B '${D}_count{error_type=\"BadRequestError\"}'" 30
		expect "$B" "$backend" <<EOF
labels :: ${D}_count{error_type!=""} :: $err_labels
EOF
	else
		# Streamed answers (stream_options.include_usage) have their token usage recorded, as
		# answers without streaming do: one output-token record per answered request (the
		# tokens are recorded just before the duration, so never fewer).
		expect "$B" "$backend" <<EOF
range :: sum(gen_ai_client_token_usage_count{gen_ai_token_type="output"}) / sum(${D}_count{error_type=""}) :: 0.999 1.1
EOF
	fi
done

# The daemon on each backend: the dialect is found, and every default KPI has a value.
# kpis_ok: exits 0 when every KPI of `leitstand kpi --json` has a value, printing the blank ones.
kpis_blank() {
	ls_ kpi --json | python3 -c 'import json,sys
d = json.load(sys.stdin)
print(" ".join(k["name"] for k in d["kpis"] if k.get("value") is None))'
}
daemon_on() {
	write_config <<EOF2
[prometheus]
url = $1
interval = 1s
EOF2
	start_daemon
}
for B in "$PROM_URL" "$VM_URL"; do
	note "the daemon on $B: the sdk dialect found, every default KPI with a value"
	daemon_on "$B"
	wait_for '[ -z "$(kpis_blank)" ]' 90
	ls_ kpi doctor --json >"$T/doctor.json"
	assert_eq "$(json_get dialect.in_force <"$T/doctor.json")" sdk
	assert_eq "$(json_get dialect.discovery.found <"$T/doctor.json")" true
	assert_contains "$(kpi_field query errors)" 'gen_ai_client_operation_duration_count{error_type!=""}'
	# Priced by the snapshot that answered: nothing unpriced.
	assert_eq "$(kpi_field note cost_per_request)" ""
	# A shipped playbook's check, written with placeholders, has a value on this dialect.
	run=$(ls_ playbook run rate-limits --json | json_get run)
	assert_contains "$(ls_ run check "$run" 1 --json | json_get checks.0.query)" '${ops_count}'
	wait_for '[ "$(ls_ run check "$run" 1 --json | json_get checks.0.value)" != None ]' 30
	stop_daemon
done

note "storm: HTTP 429 shows as error_type=\"RateLimitError\""
limited="sum(${D}_count{error_type=\"RateLimitError\"})"
before_prom=$(promql "$PROM_URL" "$limited")
before_vm=$(promql "$VM_URL" "$limited")
"$LEITSTAND" sim --profile storm --url "$SIM_URL" >/dev/null
grown() {
	python3 -c 'import sys; b = 0 if sys.argv[1] == "none" else float(sys.argv[1])
a = 0 if sys.argv[2] == "none" else float(sys.argv[2]); sys.exit(not a >= b + 10)' "$@"
}
wait_for "grown $before_prom \"\$(promql $PROM_URL '$limited')\"" 60
wait_for "grown $before_vm \"\$(promql $VM_URL '$limited')\"" 60
for B in "$PROM_URL" "$VM_URL"; do
	# Never the HTTP status: the instrumentation records the client's error class.
	# A rate-limited share as a dashboard would compute it.
	expect "$B" "storm on $B" <<EOF
labels :: ${D}_count{error_type="RateLimitError"} :: $err_labels
none :: ${D}_count{error_type=~"[0-9]+|timeout"} ::
range :: sum(rate(${D}_count{error_type="RateLimitError"}[30s])) / sum(rate(${D}_count[30s])) :: 0 1
EOF
done

note "storm and outage move the rate-limited and availability KPIs, on both backends"
for B in "$PROM_URL" "$VM_URL"; do
	daemon_on "$B"
	wait_for 'python3 -c "import sys; sys.exit(not float(sys.argv[1]) > 5)" "$(kpi_field value rate_limited)"' 60
	stop_daemon
done
"$LEITSTAND" sim --profile outage --url "$SIM_URL" >/dev/null
for B in "$PROM_URL" "$VM_URL"; do
	daemon_on "$B"
	wait_for 'python3 -c "import sys; sys.exit(not float(sys.argv[1]) < 99)" "$(kpi_field value availability)"' 90
	stop_daemon
done
"$LEITSTAND" sim --profile normal --url "$SIM_URL" >/dev/null

note "the app stops cleanly on SIGTERM"
kill -TERM "$PEER_PID"
rc=0
wait "$PEER_PID" || rc=$?
assert_eq "$rc" 0 "exit status of the app on SIGTERM: $(cat "$T/peer.err")"
