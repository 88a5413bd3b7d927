#!/bin/bash
# leitstand sim: the simulated assistant over real HTTP, its metrics, profiles and CLI.
. "$(dirname "$0")/../lib/lib.sh"

# HTTP through python3 (curl is not on every machine): http METHOD PATH [BODY]
# prints the status, then the headers as "name: value" lines, a blank line and the body.
cat >"$T/fetch.py" <<'PY'
import sys, urllib.request, urllib.error
method, url = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
req = urllib.request.Request(url, data=data, method=method)
if data is not None:
    req.add_header("Content-Type", "application/json")
try:
    r = urllib.request.urlopen(req, timeout=10)
except urllib.error.HTTPError as e:
    r = e
print(r.status)
for k, v in r.headers.items():
    print("%s: %s" % (k.lower(), v))
print()
sys.stdout.write(r.read().decode())
PY
http() {
	python3 "$T/fetch.py" "$1" "$URL$2" "${@:3}"
}
status_of() {
	head -n 1
}
body_of() {
	sed '1,/^$/d'
}
# The metrics text; grep it without -q, which would break the pipe under pipefail.
scrape() {
	http GET /metrics | body_of
}

# sim_start NAME ARGS...: `sim serve ARGS` with output in $T/NAME.{out,err}; sets SIM_URL, SIM_PID.
sim_start() {
	local name=$1
	shift
	"$LEITSTAND" sim serve "$@" >"$T/$name.out" 2>"$T/$name.err" &
	SIM_PID=$!
	PIDS+=("$SIM_PID")
	wait_for "grep -q '^listening on ' '$T/$name.out'"
	SIM_URL=$(sed -n 's/^listening on //p' "$T/$name.out")
}
# sim_stop NAME PID: SIGTERM; it must exit 0 without a sanitizer report.
sim_stop() {
	kill -TERM "$2"
	wait "$2" || fail "sim $1 exited with $?: $(cat "$T/$1.err")"
	! grep -q "Sanitizer\|runtime error" "$T/$1.err" || fail "sim $1: $(cat "$T/$1.err")"
}

# A streamed chat completion, read event by event as it arrives: sse BODY-FILE prints JSON
# {status, headers, events (the data of each event), times (arrival, seconds), bad (lines
# that are not "data: ..."), body (of a reply that is not a stream)}.
cat >"$T/sse.py" <<'PY'
import http.client, json, sys, time, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
conn.request("POST", "/v1/chat/completions", body=open(sys.argv[2], "rb").read(),
             headers={"Content-Type": "application/json"})
t0 = time.monotonic()
r = conn.getresponse()
out = {"status": r.status, "headers": {k.lower(): v for k, v in r.getheaders()},
       "events": [], "times": [], "bad": [], "body": ""}
if out["headers"].get("content-type", "").startswith("text/event-stream"):
    data = []
    while True:
        line = r.readline()
        if not line:
            break
        line = line.decode().rstrip("\n")
        if line == "":
            if data:
                out["events"].append("\n".join(data))
                out["times"].append(time.monotonic() - t0)
            data = []
        elif line.startswith("data: "):
            data.append(line[6:])
        else:
            out["bad"].append(line)
    if data:
        out["bad"].append("unterminated event: " + "\n".join(data))
else:
    out["body"] = r.read().decode()
json.dump(out, sys.stdout)
PY
sse() {
	python3 "$T/sse.py" "$URL" "$1"
}

# Checks a stream against what the same request without "stream" answered:
# check_stream STREAM-JSON PLAIN-REPLY-JSON FINISH INCLUDE-USAGE(0|1) [CUT-TO-BYTES]
check_stream() {
	python3 - "$@" <<'PY' || fail "stream $1: $(cat "$1")"
import json, sys
st, plain = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
finish, usage = sys.argv[3], sys.argv[4] == "1"
assert st["status"] == 200, st["status"]
assert st["headers"]["content-type"].startswith("text/event-stream"), st["headers"]
assert not st["bad"], st["bad"]
ev = st["events"]
assert ev[-1] == "[DONE]" and ev.count("[DONE]") == 1, ev[-3:]
chunks = [json.loads(e) for e in ev[:-1]]
ids = {c["id"] for c in chunks}
assert len(ids) == 1 and ids.pop().startswith("chatcmpl-"), chunks[0]
for c in chunks:
    assert c["object"] == "chat.completion.chunk", c
    assert c["model"] == plain["model"], (c["model"], plain["model"])
    assert isinstance(c["created"], int) and c["system_fingerprint"], c
    assert ("usage" in c) == usage, c
if usage:
    last = chunks.pop()
    assert last["choices"] == [], last
    assert last["usage"] == plain["usage"], (last["usage"], plain["usage"])
    assert all(c["usage"] is None for c in chunks), chunks
for c in chunks:
    assert len(c["choices"]) == 1 and c["choices"][0]["index"] == 0, c
    assert c["choices"][0]["logprobs"] is None, c
first, body, end = chunks[0], chunks[1:-1], chunks[-1]
assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}, first
assert first["choices"][0]["finish_reason"] is None, first
assert len(body) >= 2, body
for c in body:
    assert list(c["choices"][0]["delta"]) == ["content"], c
    assert c["choices"][0]["finish_reason"] is None, c
assert end["choices"][0]["delta"] == {} and end["choices"][0]["finish_reason"] == finish, end
content = "".join(c["choices"][0]["delta"]["content"] for c in body)
want = plain["choices"][0]["message"]["content"]
if len(sys.argv) > 5:
    want = want.encode()[:int(sys.argv[5])].decode()
assert content == want, (content, want)
# paced: the events do not all arrive at once
assert st["times"][-1] - st["times"][0] > 0.005, st["times"]
PY
}

note "serve on a free loopback port"
"$LEITSTAND" sim serve --seed 42 --rate-scale 4 >"$T/sim.out" 2>"$T/sim.err" &
SIM_PID=$!
PIDS+=("$SIM_PID")
wait_for "grep -q '^listening on http://127.0.0.1:[0-9]*$' '$T/sim.out'"
URL=$(sed -n 's/^listening on //p' "$T/sim.out")
[ "$(wc -l <"$T/sim.out")" -eq 1 ] || fail "more than one line on stdout: $(cat "$T/sim.out")"
port=${URL##*:}
[ "$port" -gt 0 ] || fail "no port in $URL"

note "/metrics: exposition format 0.0.4 with every family"
wait_for "scrape | grep '^gen_ai_client_token_usage_count{'"
out=$(http GET /metrics)
assert_eq "$(echo "$out" | status_of)" "200"
assert_contains "$out" "content-type: text/plain; version=0.0.4"
metrics=$(echo "$out" | body_of)
for family in gen_ai_client_operation_duration_seconds:histogram \
    gen_ai_client_token_usage:histogram assistant_feedback_total:counter \
    leitstand_sim_profile:gauge; do
	assert_contains "$metrics" "# HELP ${family%:*} "
	assert_contains "$metrics" "# TYPE ${family%:*} ${family#*:}"
done
assert_contains "$metrics" 'gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o-mini-2024-07-18",gen_ai_response_model="gpt-4o-mini-2024-07-18",le="0.01"}'
assert_contains "$metrics" 'le="81.92"'
assert_contains "$metrics" 'le="+Inf"'
assert_contains "$metrics" 'gen_ai_token_type="input",le="67108864"'
assert_contains "$metrics" 'gen_ai_token_type="output"'
assert_contains "$metrics" 'assistant_feedback_total{rating="positive"}'
assert_contains "$metrics" 'assistant_feedback_total{rating="negative"}'
assert_contains "$metrics" 'leitstand_sim_profile{profile="normal"} 1'
if command -v promtool >/dev/null; then
	echo "$metrics" | promtool check metrics >"$T/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(cat "$T/promtool.out")"
fi
echo "$metrics" >"$T/scrape1"

note "a chat completion, OpenAI-shaped, with usage"
# Retries until the profile's small error share lets one through.
chat='{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a support bot."},{"role":"user","content":"How do I get a refund for order 12345?"}],"temperature":0.2}'
wait_for "http POST /v1/chat/completions '$chat' >'$T/chat' && [ \"\$(status_of <'$T/chat')\" = 200 ]" 30
reply=$(body_of <"$T/chat")
assert_contains "$(cat "$T/chat")" "content-type: application/json"
assert_eq "$(echo "$reply" | json_get object)" "chat.completion"
assert_eq "$(echo "$reply" | json_get model)" "gpt-4o-mini-2024-07-18"
assert_eq "$(echo "$reply" | json_get choices.0.message.role)" "assistant"
assert_eq "$(echo "$reply" | json_get choices.0.finish_reason)" "stop"
content=$(echo "$reply" | json_get choices.0.message.content)
assert_contains "$content" "refund"
assert_contains "$content" "12345"
case $(echo "$reply" | json_get id) in chatcmpl-?*) ;; *) fail "id: $reply" ;; esac
echo "$reply" | python3 -c 'import json,sys; u=json.load(sys.stdin)["usage"]
assert u["prompt_tokens"] > 0 and u["completion_tokens"] > 0, u
assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"], u' ||
	fail "usage: $reply"
wait_for "scrape | grep -F 'gen_ai_request_model=\"gpt-4o-mini\",gen_ai_response_model=\"gpt-4o-mini-2024-07-18\",gen_ai_token_type=\"input\"'"

note "a question for JSON gets JSON"
json_chat='{"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"Reply in JSON: where is my parcel?"}],"max_tokens":500}'
wait_for "http POST /v1/chat/completions '$json_chat' >'$T/chat' && [ \"\$(status_of <'$T/chat')\" = 200 ]" 30
body_of <"$T/chat" | json_get choices.0.message.content | json_get topics.0 >"$T/topic" ||
	fail "not JSON: $(cat "$T/chat")"
assert_eq "$(cat "$T/topic")" "parcel"

note "stream: the same answer as server-sent events, role first, [DONE] last"
echo "$reply" >"$T/plain.json"	# the first chat completion's
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["stream"]=True; print(json.dumps(d))' \
    "$chat" >"$T/stream-req"
wait_for "sse '$T/stream-req' >'$T/stream.json' && [ \"\$(json_get status <'$T/stream.json')\" = 200 ]" 30
check_stream "$T/stream.json" "$T/plain.json" stop 0

note "stream_options.include_usage: usage null on every chunk, then a usage chunk"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["stream"]=True
d["stream_options"]={"include_usage":True}; print(json.dumps(d))' "$chat" >"$T/stream-req"
wait_for "sse '$T/stream-req' >'$T/stream.json' && [ \"\$(json_get status <'$T/stream.json')\" = 200 ]" 30
check_stream "$T/stream.json" "$T/plain.json" stop 1

note "stream with max_tokens 5: cut to 20 bytes, finish_reason length, 5 completion tokens"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["max_tokens"]=5; print(json.dumps(d))' \
    "$chat" >"$T/cut-req"
wait_for "http POST /v1/chat/completions \"\$(cat '$T/cut-req')\" >'$T/cut' && [ \"\$(status_of <'$T/cut')\" = 200 ]" 30
body_of <"$T/cut" >"$T/cut.json"
assert_eq "$(json_get choices.0.finish_reason <"$T/cut.json")" "length"
assert_eq "$(json_get usage.completion_tokens <"$T/cut.json")" "5"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["stream"]=True
d["stream_options"]={"include_usage":True}; print(json.dumps(d))' "$T/cut-req" >"$T/stream-req"
wait_for "sse '$T/stream-req' >'$T/stream.json' && [ \"\$(json_get status <'$T/stream.json')\" = 200 ]" 30
check_stream "$T/stream.json" "$T/cut.json" length 1 20

note "a streamed request counts in /metrics like any other: duration, tokens, models"
printf '%s' '{"model":"stream-probe","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Is my invoice 4711 paid?"}]}' >"$T/probe-req"
wait_for "sse '$T/probe-req' >'$T/probe.json' && [ \"\$(json_get status <'$T/probe.json')\" = 200 ]" 30
python3 - "$T/probe.json" "$(scrape)" <<'PY' || fail "streamed request not counted: $(scrape | grep stream-probe)"
import json, sys
st = json.load(open(sys.argv[1]))
usage = json.loads(st["events"][-2])["usage"]
series = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="stream-probe",gen_ai_response_model="stream-probe"'
values = {}
for line in sys.argv[2].splitlines():
    if not line.startswith("#") and line.strip():
        k, v = line.rsplit(" ", 1)
        values[k] = float(v)
assert values["gen_ai_client_operation_duration_seconds_count{%s}" % series] == 1, values
assert values['gen_ai_client_token_usage_sum{%s,gen_ai_token_type="input"}' % series] == usage["prompt_tokens"]
assert values['gen_ai_client_token_usage_sum{%s,gen_ai_token_type="output"}' % series] == usage["completion_tokens"]
PY

note "stream and stream_options are checked: 400 naming the field"
for bad in '"stream":"yes"' '"stream":1' '"stream_options":{"include_usage":true}' \
    '"stream":true,"stream_options":"usage"' '"stream":true,"stream_options":[true]' \
    '"stream":true,"stream_options":{"include_usage":"yes"}' \
    '"stream":true,"stream_options":{"include_usage":true,"nope":1}'; do
	out=$(http POST /v1/chat/completions "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],$bad}")
	assert_eq "$(echo "$out" | status_of)" "400" "$bad"
	assert_contains "$out" "content-type: application/json"
	# One python3 checks the error's type, param and message: a process is slow on a busy machine.
	echo "$out" | body_of | python3 -c 'import json, sys
e = json.load(sys.stdin)["error"]
assert e["type"] == "invalid_request_error", e
assert e["param"] in ("stream", "stream_options") and e["param"] in e["message"], e' ||
		fail "$bad: $out"
done
out=$(http POST /v1/chat/completions '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true,"nope":1}}')
assert_contains "$out" "stream_options.nope: unknown option"
out=$(http POST /v1/chat/completions '{"model":"gpt-4o","stream":true,"messages":[]}')
assert_eq "$(echo "$out" | status_of)" "400"
assert_eq "$(echo "$out" | body_of | json_get error.param)" "messages"

note "bad requests: malformed JSON 400, no model 400, wrong method 405, unknown path 404, 1 MiB 413"
out=$(http POST /v1/chat/completions '{"model": "gpt-4o", "messages": [')
assert_eq "$(echo "$out" | status_of)" "400"
assert_eq "$(echo "$out" | body_of | json_get error.type)" "invalid_request_error"
out=$(http POST /v1/chat/completions '{"messages":[{"role":"user","content":"hi"}]}')
assert_eq "$(echo "$out" | status_of)" "400"
assert_contains "$out" "model"
out=$(http GET /v1/chat/completions)
assert_eq "$(echo "$out" | status_of)" "405"
assert_contains "$out" "allow: POST"
assert_eq "$(http POST /metrics '{}' | status_of)" "405"
assert_eq "$(http GET /v1/models | status_of)" "404"
python3 - "$URL" <<'PY' || fail "1 MiB body not refused with 413"
import sys, urllib.request, urllib.error
big = b'{"model":"gpt-4o","messages":[{"role":"user","content":"' + b"x" * (1 << 20) + b'"}]}'
try:
    urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/v1/chat/completions", data=big), timeout=10)
    sys.exit(1)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 413 else 1)
PY

note "the CLI: switch the profile, read the status"
expect_exit 1 env -u LEITSTAND_SIM_URL "$LEITSTAND" sim --profile storm
assert_contains "$OUT" "leitstand sim: no sim URL: give --url or set LEITSTAND_SIM_URL"
expect_exit 2 "$LEITSTAND" sim --profile stormy --url "$URL"
assert_contains "$OUT" 'unknown profile "stormy"'
expect_exit 2 "$LEITSTAND" sim --bogus
expect_exit 2 "$LEITSTAND" sim
expect_exit 1 "$LEITSTAND" sim --status --url "http://127.0.0.1:1"
assert_contains "$OUT" "leitstand sim: "
out=$("$LEITSTAND" sim --profile storm --url "$URL")
assert_eq "$out" "profile: storm"
assert_eq "$(http GET /sim/profile | body_of | json_get profile)" "storm"
assert_eq "$(http GET /sim/profile | body_of | json_get profiles.5)" "cost"
status=$(LEITSTAND_SIM_URL="$URL/" "$LEITSTAND" sim --status)
assert_eq "$(echo "$status" | json_get profile)" "storm"
[ "$(echo "$status" | json_get requests)" -gt 0 ] || fail "no requests counted: $status"
out=$(http POST /sim/profile '{"profile":"nope"}')
assert_eq "$(echo "$out" | status_of)" "400"
assert_contains "$out" "normal, peak, storm, outage, regression, cost"
assert_contains "$(http GET /metrics)" 'leitstand_sim_profile{profile="storm"} 1'

note "storm: a good share of 50 requests get 429 with Retry-After"
python3 - "$URL" >"$T/storm" <<'PY'
import json, sys, urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor
body = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "Where is my invoice?"}]}).encode()
def one(_):
    req = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        r = urllib.request.urlopen(req, timeout=10)
        json.load(r)["usage"]
        return "ok"
    except urllib.error.HTTPError as e:
        err = json.load(e)["error"]
        if e.code == 429:
            assert e.headers["Retry-After"] == "1", e.headers
            assert err["code"] == "rate_limit_exceeded" and err["type"] == "requests", err
            return "429"
        assert e.code in (500, 503), e.code
        return "5xx"
with ThreadPoolExecutor(50) as pool:
    results = list(pool.map(one, range(50)))
print(results.count("429"), results.count("ok"), results.count("5xx"))
PY
read -r n429 nok _ <"$T/storm"
[ "$n429" -ge 5 ] && [ "$n429" -le 35 ] || fail "429s in storm: $(cat "$T/storm")"
[ "$nok" -ge 10 ] || fail "answers in storm: $(cat "$T/storm")"
wait_for "scrape | grep -F 'gen_ai_request_model=\"gpt-4o\",gen_ai_response_model=\"gpt-4o-2024-08-06\",error_type=\"429\"'"

note "storm, streamed: 429s come before any stream, as JSON with Retry-After; /metrics answers meanwhile"
python3 - "$URL" >"$T/storm-stream" <<'PY'
import http.client, json, sys, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor
u = urllib.parse.urlsplit(sys.argv[1])
body = json.dumps({"model": "gpt-4o", "stream": True, "stream_options": {"include_usage": True},
                   "messages": [{"role": "user", "content": "Where is my invoice?"}]})
def one(i):
    if i % 5 == 0:
        # scrapes between the streams: the streams hold no thread another request needs
        with urllib.request.urlopen(sys.argv[1] + "/metrics", timeout=5) as r:
            assert r.status == 200 and b"gen_ai_client_token_usage" in r.read()
        return "scrape"
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    ctype, data = r.getheader("Content-Type"), r.read().decode()
    if r.status == 200:
        assert ctype.startswith("text/event-stream"), ctype
        assert data.endswith("data: [DONE]\n\n"), data[-200:]
        return "stream"
    assert ctype == "application/json", ctype
    err = json.loads(data)["error"]
    if r.status == 429:
        assert r.getheader("Retry-After") == "1", r.getheaders()
        assert err["code"] == "rate_limit_exceeded" and err["type"] == "requests", err
        return "429"
    assert r.status in (500, 503) and err["type"] == "server_error", (r.status, err)
    return "5xx"
with ThreadPoolExecutor(60) as pool:
    results = list(pool.map(one, range(60)))
print(results.count("429"), results.count("stream"), results.count("scrape"))
PY
read -r n429 nstream nscrape <"$T/storm-stream"
[ "$n429" -ge 3 ] && [ "$nstream" -ge 10 ] && [ "$nscrape" -eq 12 ] ||
	fail "streams in storm: $(cat "$T/storm-stream")"

note "counters never decrease between scrapes, and grow"
scrape >"$T/scrape2"
python3 - "$T/scrape1" "$T/scrape2" <<'PY' || fail "a counter went down"
import sys
def load(path):
    d = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        key, value = line.rsplit(" ", 1)
        d[key] = float(value)
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
grown = 0
for k, v in a.items():
    if k.startswith("leitstand_sim_profile"):
        continue
    assert k in b, "gone: " + k
    assert b[k] >= v, "%s: %s then %s" % (k, v, b[k])
    grown += b[k] > v
assert grown > 0, "nothing grew"
PY

note "SIGTERM stops it with exit 0"
kill -TERM "$SIM_PID"
wait "$SIM_PID" || fail "sim exited with $? on SIGTERM: $(cat "$T/sim.err")"
! grep -q "Sanitizer" "$T/sim.err" || fail "sim: $(cat "$T/sim.err")"
expect_exit 1 "$LEITSTAND" sim --status --url "$URL"

note "a second sim: --listen on a port in use fails with exit 1; SIGINT stops it"
"$LEITSTAND" sim serve --listen 127.0.0.1:0 --rate-scale 0 --profile outage >"$T/sim2.out" 2>&1 &
SIM2_PID=$!
PIDS+=("$SIM2_PID")
wait_for "grep -q '^listening on http://127.0.0.1:' '$T/sim2.out'"
url2=$(sed -n 's/^listening on //p' "$T/sim2.out")
expect_exit 1 "$LEITSTAND" sim serve --listen "${url2#http://}"
assert_contains "$OUT" "leitstand sim: cannot listen on ${url2#http://}"
expect_exit 2 "$LEITSTAND" sim serve --rate-scale lots
expect_exit 2 "$LEITSTAND" sim serve --profile nope
URL=$url2
assert_contains "$(http GET /metrics)" 'leitstand_sim_profile{profile="outage"} 1'

note "outage, streamed: 500, 503 and the timeout's 504 come as JSON before any stream"
printf '%s' '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Why is my parcel late?"}]}' >"$T/outage-req"
python3 - "$T/sse.py" "$URL" "$T/outage-req" >"$T/outage" <<'PY'
import json, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
def one(_):
    st = json.loads(subprocess.run(["python3"] + sys.argv[1:], capture_output=True,
                                   check=True).stdout)
    if st["status"] == 200:
        assert st["events"][-1] == "[DONE]" and not st["bad"], st
        return "stream"
    assert st["headers"]["content-type"] == "application/json" and not st["events"], st
    err = json.loads(st["body"])["error"]
    assert st["status"] in (500, 503, 504) and err["type"] == "server_error", st
    return str(st["status"])
with ThreadPoolExecutor(40) as pool:
    results = list(pool.map(one, range(40)))
print(sum(r != "stream" for r in results), results.count("stream"))
PY
read -r nerr nok <"$T/outage"
[ "$nerr" -ge 10 ] && [ "$nok" -ge 3 ] || fail "streams in outage: $(cat "$T/outage")"
kill -INT "$SIM2_PID"
wait "$SIM2_PID" || fail "sim exited with $? on SIGINT: $(cat "$T/sim2.out")"
! grep -q "Sanitizer\|runtime error" "$T/sim2.out" || fail "sim: $(cat "$T/sim2.out")"

# The GenAI metrics of one dialect, parsed from either syntax (bare or Prometheus 3's quoted
# names) and held to what that dialect must look like: dialect.py DIALECT < METRICS-TEXT
cat >"$T/dialect.py" <<'PY'
import re, sys
CLASSES = {"RateLimitError", "InternalServerError", "APIConnectionTimeoutError"}
LEGACY = dict(req="gen_ai_request_model", resp="gen_ai_response_model", op="gen_ai_operation_name",
              prov="gen_ai_provider_name", tt="gen_ai_token_type", err="error_type")
SPEC = {
    "collector": dict(LEGACY, dur="gen_ai_client_operation_duration_seconds",
                      tok="gen_ai_client_token_usage", errors={"429", "500", "503", "timeout"}),
    "sdk": dict(LEGACY, dur="gen_ai_client_operation_duration", tok="gen_ai_client_token_usage",
                errors=CLASSES, js=True),
    "utf8": dict(dur="gen_ai.client.operation.duration_seconds", tok="gen_ai.client.token.usage",
                 req="gen_ai.request.model", resp="gen_ai.response.model", op="gen_ai.operation.name",
                 prov="gen_ai.provider.name", tt="gen_ai.token.type", err="error.type",
                 errors=CLASSES, quoted=True),
}
d = SPEC[sys.argv[1]]
text = sys.stdin.read()
BARE = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
QUOTED = r'"(?:[^"\\\n]|\\.)*"'
def name(tok):
    return re.sub(r"\\(.)", r"\1", tok[1:-1]) if tok.startswith('"') else tok
samples, meta, quoted_lines = {}, {}, 0
for line in text.splitlines():
    if not line.strip():
        continue
    m = re.fullmatch(r"# (HELP|TYPE|UNIT) (%s|%s) (.*)" % (BARE, QUOTED), line)
    if m:
        meta.setdefault(name(m.group(2)), {})[m.group(1)] = m.group(3)
        continue
    assert not line.startswith("#"), line
    m = re.fullmatch(r"(?:(%s)\{|\{(%s),?)(.*)\} (\S+)" % (BARE, QUOTED), line)
    assert m, "not a sample line: " + line
    metric = m.group(1) or name(m.group(2))
    quoted_lines += m.group(2) is not None
    labels, rest = {}, m.group(3)
    while rest:
        lm = re.match(r"(%s|%s)=\"((?:[^\"\\\n]|\\.)*)\",?" % (BARE.replace(":", ""), QUOTED), rest)
        assert lm, "bad labels: " + line
        assert name(lm.group(1)) not in labels, "label twice: " + line
        labels[name(lm.group(1))] = lm.group(2)
        rest = rest[lm.end():]
    key = (metric, tuple(sorted(labels.items())))
    assert key not in samples, "series twice: " + line
    samples[key] = float(m.group(4))
hist = {f + s for f in (d["dur"], d["tok"]) for s in ("_bucket", "_sum", "_count")}
allowed = hist | {"assistant_feedback_total", "leitstand_sim_profile"} | ({"target_info"} if d.get("js") else set())
names = {k[0] for k in samples}
assert names <= allowed, "foreign names: %s" % (names - allowed)
assert hist <= names, "missing: %s" % (hist - names)
for f in (d["dur"], d["tok"]):
    assert meta[f]["TYPE"] == "histogram", meta.get(f)
    assert ("UNIT" in meta[f]) == bool(d.get("js")), meta[f]
assert meta["assistant_feedback_total"]["TYPE"] == "counter"
for rating in ("positive", "negative"):
    assert ("assistant_feedback_total", (("rating", rating),)) in samples, rating
errors, types = set(), set()
base = {d["op"], d["prov"], d["req"], d["resp"]} | ({"otel_scope_name", "otel_scope_version"} if d.get("js") else set())
for (metric, labels), value in samples.items():
    if metric not in hist:
        continue
    ls = dict(labels)
    extra = set(ls) - base - {"le"}
    if metric.startswith(d["dur"]):
        assert extra <= {d["err"]}, (metric, ls)
        if d["err"] in ls:
            errors.add(ls[d["err"]])
    else:
        assert extra == {d["tt"]}, (metric, ls)
        types.add(ls[d["tt"]])
    assert base <= set(ls), (metric, ls)
    assert ls[d["op"]] == "chat" and ls[d["prov"]] == "openai", ls
    if d.get("js"):
        assert ls["otel_scope_name"] == "@opentelemetry/instrumentation-openai", ls
    if metric.endswith("_bucket"):
        # cumulative buckets; +Inf is the count
        family = metric[:-len("_bucket")]
        rest = tuple(kv for kv in labels if kv[0] != "le")
        bounds = sorted((float(v2), v) for (m2, l2), v in samples.items() if m2 == metric
                        and tuple(kv for kv in l2 if kv[0] != "le") == rest for k2, v2 in l2 if k2 == "le")
        assert all(a[1] <= b[1] for a, b in zip(bounds, bounds[1:])), bounds
        assert samples[(family + "_count", rest)] == bounds[-1][1], (family, rest)
assert errors == d["errors"], "error values %s, want %s" % (errors, d["errors"])
assert types == {"input", "output"}, types
if d.get("js"):
    ti = [dict(l) for (m2, l) in samples if m2 == "target_info"]
    assert len(ti) == 1 and ti[0]["telemetry_sdk_language"] == "nodejs", ti
    assert meta["target_info"]["TYPE"] == "gauge"
if d.get("quoted"):
    assert quoted_lines == sum(1 for k in samples if k[0] in hist), "GenAI lines not quoted"
    assert "gen_ai_" not in text and "error_type" not in text, "legacy names in utf8"
else:
    assert quoted_lines == 0 and '"gen_ai.' not in text
print("%d series, error values: %s" % (len(samples), ", ".join(sorted(errors))))
PY

note "--metrics-dialect: each dialect's names, labels and error values, the others' absent"
expect_exit 2 "$LEITSTAND" sim serve --metrics-dialect prometheus
assert_contains "$OUT" 'unknown dialect "prometheus" (dialects: collector, sdk, utf8)'
for dialect in collector sdk utf8; do
	case $dialect in
	collector) err='error_type="'; ctype="text/plain; version=0.0.4; charset=utf-8"
		timeout=timeout; ratelimit=429 ;;
	sdk) err='error_type="'; ctype="text/plain"
		timeout=APIConnectionTimeoutError; ratelimit=RateLimitError ;;
	utf8) err='"error.type"="'; ctype="text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8"
		timeout=APIConnectionTimeoutError; ratelimit=RateLimitError ;;
	esac
	sim_start "sim-$dialect" --metrics-dialect "$dialect" --profile outage --rate-scale 20
	URL=$SIM_URL
	assert_eq "$(http GET /sim/status | body_of | json_get metrics_dialect)" "$dialect"
	assert_eq "$("$LEITSTAND" sim --status --url "$URL" | json_get metrics_dialect)" "$dialect"
	wait_for "scrape | grep -F '$err$timeout\"'"
	"$LEITSTAND" sim --profile storm --url "$URL" >/dev/null
	wait_for "scrape | grep -F '$err$ratelimit\"'"
	out=$(http GET /metrics)
	assert_contains "$out" "content-type: $ctype
"
	echo "$out" | body_of >"$T/metrics-$dialect"
	python3 "$T/dialect.py" "$dialect" <"$T/metrics-$dialect" >"$T/dialect.out" ||
		fail "$dialect: $(cat "$T/dialect.out")"
	note "$dialect: $(cat "$T/dialect.out")"
	if [ "$dialect" != utf8 ] && command -v promtool >/dev/null; then
		promtool check metrics <"$T/metrics-$dialect" >"$T/promtool.out" 2>&1 ||
			fail "promtool check metrics, $dialect: $(cat "$T/promtool.out")"
	fi
	sim_stop "sim-$dialect" "$SIM_PID"
done
# The dialects name the same counters: only the spelling differs.
assert_contains "$(cat "$T/metrics-sdk")" '# UNIT gen_ai_client_operation_duration s'
assert_contains "$(cat "$T/metrics-sdk")" 'otel_scope_version="0.21.0"'
assert_contains "$(cat "$T/metrics-utf8")" '# TYPE "gen_ai.client.operation.duration_seconds" histogram'
assert_contains "$(cat "$T/metrics-utf8")" '{"gen_ai.client.token.usage_bucket","gen_ai.operation.name"="chat",'
assert_contains "$(cat "$T/metrics-utf8")" ',"error.type"="InternalServerError",le="+Inf"} '

note "the real Prometheus scrapes the sdk and the collector dialect side by side"
sim_start sim-collector --metrics-dialect collector --profile storm --rate-scale 5
collector_url=$SIM_URL collector_pid=$SIM_PID
sim_start sim-sdk --metrics-dialect sdk --profile storm --rate-scale 5
sdk_url=$SIM_URL sdk_pid=$SIM_PID
start_prometheus
# start_prometheus scrapes SIM_URL (the sdk sim); the collector sim joins on a reload.
cat >"$T/prom/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: assistant
    static_configs:
      - targets: ['${sdk_url#http://}', '${collector_url#http://}']
EOF2
kill -HUP "$PROM_PID"
# prom_query EXPR: the result vector as JSON [[labels, value], ...]
prom_query() {
	python3 - "$PROM_URL" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
q = urllib.parse.urlencode({"query": sys.argv[2]})
d = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/query?" + q, timeout=5))
assert d["status"] == "success", d
print(json.dumps([[r["metric"], float(r["value"][1])] for r in d["data"]["result"]]))
PY
}
prom_value() {
	prom_query "$1" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r[0][1] if r else "")'
}
wait_for "[ \"\$(prom_value 'count(up == 1)')\" = 2.0 ]" 30
python3 - "$PROM_URL" <<'PY' || fail "a scrape failed"
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v1/targets", timeout=5))
for t in d["data"]["activeTargets"]:
    assert t["health"] == "up" and t["lastError"] == "", t
PY
sdk_instance=${sdk_url#http://}
collector_instance=${collector_url#http://}
wait_for "[ -n \"\$(prom_value 'sum(gen_ai_client_operation_duration_count{error_type=\"RateLimitError\",otel_scope_name=\"@opentelemetry/instrumentation-openai\",instance=\"$sdk_instance\"})')\" ]" 30
wait_for "[ -n \"\$(prom_value 'sum(gen_ai_client_operation_duration_seconds_count{error_type=\"429\",instance=\"$collector_instance\"})')\" ]" 30
assert_eq "$(prom_value 'count(target_info{telemetry_sdk_language="nodejs"})')" "1.0"
assert_eq "$(prom_value 'count(count by (instance) (gen_ai_client_token_usage_count{gen_ai_token_type="output"}))')" "2.0"
assert_eq "$(prom_value "count(gen_ai_client_operation_duration_seconds_count{instance=\"$sdk_instance\"})")" ""
assert_eq "$(prom_value "count(gen_ai_client_operation_duration_count{instance=\"$collector_instance\"})")" ""
# Both dialects give the same kind of answer to the same question: the p95 latency.
for metric in gen_ai_client_operation_duration gen_ai_client_operation_duration_seconds; do
	q="histogram_quantile(0.95, sum by (le) (rate(${metric}_bucket{error_type=\"\"}[5s])))"
	wait_for "prom_value '$q' | grep -Eq '^[0-9.]+(e[-+]?[0-9]+)?$'" 30
	p95=$(prom_value "$q")
	python3 -c 'import sys; assert 0.3 < float(sys.argv[1]) < 10.24, sys.argv[1]' "$p95" ||
		fail "$metric p95: $p95"
done
stop_prometheus
sim_stop sim-collector "$collector_pid"
sim_stop sim-sdk "$sdk_pid"

note "the official Python client (python3-openai): plain, streamed, and its error class"
if python3 -c 'import openai' 2>/dev/null; then
	sim_start sim-python --profile normal --rate-scale 0
	python3 - "$SIM_URL" <<'PY' || fail "python3-openai against the sim"
import json, sys, urllib.request
import openai
url = sys.argv[1]
client = openai.OpenAI(base_url=url + "/v1", api_key="sim", max_retries=5)
msgs = [{"role": "user", "content": "How do I get a refund for order 12345?"}]
r = client.chat.completions.create(model="gpt-4o-mini", messages=msgs)
assert r.object == "chat.completion" and r.model == "gpt-4o-mini-2024-07-18", r
text = r.choices[0].message.content
assert "12345" in text and r.choices[0].finish_reason == "stop", r
parts, usage, finish, n = [], None, None, 0
for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=msgs, stream=True,
                                            stream_options={"include_usage": True}):
    n += 1
    if chunk.choices:
        parts.append(chunk.choices[0].delta.content or "")
        finish = chunk.choices[0].finish_reason or finish
    if chunk.usage:
        usage = chunk.usage
assert n > 3 and "".join(parts) == text and finish == "stop", (n, parts, finish)
assert (usage.prompt_tokens, usage.completion_tokens) == (r.usage.prompt_tokens, r.usage.completion_tokens)
req = urllib.request.Request(url + "/sim/profile", data=json.dumps({"profile": "storm"}).encode(),
                             headers={"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(req, timeout=5).read()
once = client.with_options(max_retries=0)
for _ in range(200):
    try:
        for _ in once.chat.completions.create(model="gpt-4o", messages=msgs, stream=True):
            pass
    except openai.RateLimitError as e:
        assert e.status_code == 429, e
        break
else:
    raise AssertionError("no RateLimitError in 200 streamed requests in a storm")
PY
	sim_stop sim-python "$SIM_PID"
else
	note "skipped: python3-openai is not installed (Debian 12 has no such package)"
fi
