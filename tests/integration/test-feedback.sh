#!/bin/bash
# The negative feedback feed: the simulator's conversations listed redacted by the real
# daemon over loopback HTTP, and from a fixture what the simulator never sends (lines that
# do not parse, a 500, a hung socket, a huge or binary body, escape sequences, a redirect).
. "$(dirname "$0")/../lib/lib.sh"

note "the simulator under the regression profile rates answers negative; its feed has them"
start_sim --profile regression --rate-scale 5
wait_for "curl -sf '$SIM_URL/sim/feedback' | grep -q 'As an AI language model'" 30
feed=$(curl -sf -D "$T/headers" "$SIM_URL/sim/feedback")
assert_contains "$(cat "$T/headers")" "Content-Type: application/x-ndjson"
# Raw, the feed carries what customers wrote: the daemon is what redacts it.
wait_for "curl -sf '$SIM_URL/sim/feedback' | grep -q '@example'" 30
first=$(echo "$feed" | head -n 1 | json_get id)
last=$(echo "$feed" | tail -n 1 | json_get id)
since=$(curl -sf "$SIM_URL/sim/feedback?since=$first")
assert_not_contains "$(echo "$since" | head -n 1)" "\"id\":\"$first\""
assert_contains "$since" "\"id\":\"$last\""

write_config <<EOF2
[sim]
url = $SIM_URL
EOF2
start_daemon

note "prompt feedback --json: the conversations, redacted, newest last"
wait_for "ls_ prompt feedback --json | grep -q '\\[email\\]'" 30
out=$(ls_ prompt feedback --json)
assert_not_contains "$out" "@example"
assert_not_contains "$out" "4111 1111"
assert_contains "$out" '"url":'
n=$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); c=d["conversations"]
assert all(k in x for x in c for k in ("id", "question", "answer", "assistant", "model")), c
assert all(x["assistant"] == "support" for x in c)
assert all(x["question"] for x in c)
assert d["skipped"] == 0
print(len(c))')
[ "$n" -ge 1 ] && [ "$n" -le 200 ] || fail "$n conversations"
assert_contains "$out" "As an AI language model"
note "the human form"
out=$(ls_ prompt feedback)
assert_contains "$out" "conversation(s) rated negative from $SIM_URL/sim/feedback"
assert_contains "$out" "  Q: "
assert_contains "$out" "  A: "
note "--assistant another: none of the sim's"
assert_contains "$(ls_ prompt feedback --assistant billing)" "0 conversation(s) rated negative"

note "the feed down: a clear error, exit 1"
kill -TERM "$SIM_PID"
wait "$SIM_PID" || true
expect_exit 1 ls_ prompt feedback
assert_contains "$OUT" "feedback feed at $SIM_URL/sim/feedback: "
assert_contains "$OUT" "refused"

note "what the simulator never sends, from a fixture"
echo mixed >"$T/mode"
python3 "$TESTS/lib/feedback-fixture.py" "$T/port" "$T/mode" "$T/requests" &
PIDS+=($!)
wait_for "[ -s '$T/port' ]"
URL=http://127.0.0.1:$(cat "$T/port")/feed
cat >>"$CFG" <<EOF2
[prompts]
feedback_url = $URL?key=s3cr3t-query
feedback_token = s3cr3t-token
feedback_timeout = 2s
EOF2
chmod 600 "$CFG"
ls_ config reload >/dev/null

note "lines that do not parse are skipped and counted; unknown fields ignored; positive ones left out"
out=$(ls_ prompt feedback --json)
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); c=d["conversations"]
ids = [x["id"] for x in c]
assert ids == ["f-1", "f-2", "f-4", "f-5"], ids
assert d["skipped"] == 3, d
assert d["ignored"] == 1, d
assert d["problem"].startswith("line 2: not JSON"), d["problem"]
assert "extra" not in c[1] and "unknown_field" not in c[1], c[1]
assert c[0]["release"] == "3" and c[3]["release"] == "7", c
assert c[0]["time"] == 1764680001, c[0]
assert c[0]["question"] == "Where is my parcel? Mail me at [email]", c[0]
a = c[2]["answer"]
assert "\x1b" not in a and "\x07" not in a and "\u202e" not in a, repr(a)
assert "^[[2J" in a and "<U+202E>" in a, repr(a)
assert "[phone]" in a and "[card]" in a and "4111" not in a, repr(a)
assert c[3]["question"] == "multi\nline\nquestion", repr(c[3]["question"])
assert c[3]["answer"] == "first line\nsecond line", repr(c[3]["answer"])'
assert_not_contains "$out" $'\e'
out=$(ls_ prompt feedback)
assert_contains "$out" "3 line(s) skipped (line 2: not JSON"
assert_not_contains "$out" $'\e'

note "since=ID goes to the feed, escaped, in the URL's query; the token as a bearer"
: >"$T/requests"
ls_ prompt feedback --since 'f-4&x' >/dev/null
assert_eq "$(cat "$T/requests")" "/feed?key=s3cr3t-query&since=f-4%26x Bearer s3cr3t-token"
note "neither the query nor the token is shown"
out=$(ls_ prompt feedback --json)
assert_contains "$out" "\"url\":	\"$URL\""
assert_not_contains "$out" "s3cr3t"

note "a 500: the status and the start of the body, escape sequences neutralised"
echo 500 >"$T/mode"
expect_exit 1 ls_ prompt feedback
assert_contains "$OUT" "feedback feed at $URL: HTTP 500: upstream ^[[31mexploded^[[0m second line"
assert_not_contains "$OUT" $'\e'

note "a hung socket: stopped at feedback_timeout"
echo hang >"$T/mode"
expect_exit 1 ls_ prompt feedback
assert_contains "$OUT" "timeout: no answer within 2000 ms"

note "a body over 1 MiB: refused"
echo huge >"$T/mode"
expect_exit 1 ls_ prompt feedback
assert_contains "$OUT" "reply larger than 1 MiB"

note "more than 200 conversations: the newest 200"
echo many >"$T/mode"
out=$(ls_ prompt feedback --json)
echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); c=d["conversations"]
assert len(c) == 200 and c[0]["id"] == "f-101" and c[-1]["id"] == "f-300", (len(c), c[0]["id"])
assert d["dropped"] == 100, d'

note "a redirect is not followed"
echo redirect >"$T/mode"
: >"$T/requests"
expect_exit 1 ls_ prompt feedback
assert_contains "$OUT" "HTTP 302, a redirect to http://127.0.0.1:1/elsewhere: not followed"
assert_eq "$(wc -l <"$T/requests")" 1

note "a binary body and an HTML page: no line is a conversation"
echo binary >"$T/mode"
expect_exit 1 ls_ prompt feedback
assert_contains "$OUT" "no line is a conversation"
echo garbage >"$T/mode"
expect_exit 1 ls_ prompt feedback
assert_contains "$OUT" "no line is a conversation (1 skipped; line 1: not JSON"
note "an empty feed is no error"
echo empty >"$T/mode"
assert_contains "$(ls_ prompt feedback)" "0 conversation(s) rated negative"
kill -0 "$DAEMON_PID" || fail "the daemon died"

note "config check: http(s) only, no credentials in the URL"
printf '[prompts]\nfeedback_url = ftp://example.org/feed\n' >"$T/bad.ini"
expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
assert_contains "$OUT" "bad.ini:2: prompts.feedback_url: must start with http:// or https://"
printf '[prompts]\nfeedback_url = https://user:s3cr3t@example.org/feed\n' >"$T/bad.ini"
expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
assert_contains "$OUT" "bad.ini:2: prompts.feedback_url: credentials in the URL"
assert_not_contains "$OUT" "s3cr3t"

note "customer text: a viewer or an operator may not read it, an engineer may"
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$T"
	test_users "ltfg$$" "ltfv$$" "ltfo$$" "ltfe$$"
	stop_daemon
	write_config <<EOF2
group = ltfg$$
[prompts]
feedback_url = $URL
[roles]
viewer = ltfv$$
operator = ltfo$$
engineer = ltfe$$
EOF2
	chmod 644 "$CFG"
	start_daemon
	echo mixed >"$T/mode"
	for u in "ltfv$$" "ltfo$$"; do
		rc=0
		OUT=$(as "$u" prompt feedback 2>&1) || rc=$?
		[ "$rc" -ne 0 ] || fail "$u read the feed: $OUT"
		assert_contains "$OUT" "prompt.feedback needs role engineer"
	done
	assert_contains "$(as "ltfe$$" prompt feedback)" "4 conversation(s) rated negative"
else
	note "SKIP: the roles part needs root to create users"
fi
