#!/bin/bash
# Vendor drift against a real third-party peer: an assistant on the official `openai` npm
# client, instrumented with OpenTelemetry, asks for the model the live release pins; when the
# provider (the sim, switched to its regression profile) answers with another snapshot, the
# peer's own gen_ai_response_model says so, and the daemon shows it and opens an incident.
. "$(dirname "$0")/../lib/lib.sh"

start_sim --rate-scale 0
start_peer --rate 10/s --model gpt-4o-2024-08-06
SCRAPE_TARGET=$PEER_URL start_prometheus
write_config <<EOF2
[prometheus]
url = $PROM_URL
interval = 1s
[prompts]
drift_severity = 3
EOF2
start_daemon
answering() {
	ls_ prompt list --json | python3 -c 'import json, sys
a = json.load(sys.stdin)["assistants"][0].get("answering")
print("none" if a is None else "%s %s %.2f" % (str(a["drift"]).lower(), a["answering"][0]["model"], a["answering"][0]["share"]))'
}

note "the pinned snapshot answers: no drift"
wait_for '[ "$(answering)" = "false gpt-4o-2024-08-06 1.00" ]' 60
[ "$(ls_ incident list --json | json_get total)" = 0 ] || fail "an incident without drift"

note "the provider answers the pinned model with another snapshot: drift, and an incident"
"$LEITSTAND" sim --profile regression --url "$SIM_URL" >/dev/null
wait_for 'answering | grep -q "^true "' 90
wait_for '[ "$(ls_ incident list --json | json_get total)" = 1 ]' 20
title=$(ls_ incident list --json | json_get incidents.0.title)
assert_contains "$title" "Vendor drift: support is answered by gpt-4o-2024-11-20"
assert_contains "$title" "not the pinned gpt-4o-2024-08-06"
assert_eq "$(ls_ incident list --json | json_get incidents.0.severity)" 3

note "the Prompts view says so"
console p 100x30 TERM=xterm-256color LANG=C.UTF-8
wait_screen p "connected"
keys p 4
wait_screen p "vendor drift: answered by gpt-4o-2024-11-20"

note "drift_severity = 0: shown, but no incident"
ls_ incident resolve 1 drift seen >/dev/null
sed -i 's/^drift_severity = 3/drift_severity = 0/' "$CFG"
ls_ config reload >/dev/null
sleep 15
[ "$(ls_ incident list --json | json_get total)" = 1 ] || fail "an incident with drift_severity = 0"
