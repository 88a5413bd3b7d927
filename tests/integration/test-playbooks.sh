#!/bin/bash
# Playbooks: lint, the library, runs saved in SQLite across a SIGKILL, live checks against the
# real Prometheus scraping the real sim, runs bound to an incident.
. "$(dirname "$0")/../lib/lib.sh"
REPO=$(cd "$TESTS/.." && pwd)

note "the shipped library lints clean; English and German have the same ids"
out=$(ls_ playbook lint "$REPO"/playbooks/en/*.md "$REPO"/playbooks/de/*.md)
assert_eq "$out" "20 playbooks: ok"
assert_eq "$(cd "$REPO/playbooks/en" && ls)" "$(cd "$REPO/playbooks/de" && ls)"
for f in "$REPO"/playbooks/en/*.md; do
	grep -q '^```check' "$f" || [ "$(basename "$f")" = gdpr-request.md ] ||
		fail "$f has no live check"
done

note "lint: every problem with file:line, the exit code says so"
mkdir -p "$T/pb/en" "$T/pb/de" "$T/bad"
printf '## no front matter\n' >"$T/bad/none.md"
cat >"$T/bad/broken.md" <<'EOF2'
---
id: broken
title: Broken
version: 1
lang: en
colour: blue
---
##
```check
expect: value < 1
```

## Step two
```check
query: up
expect: value <> 1
```
```sh
never closed
EOF2
printf -- '---\nid: x\ntitle: X\nversion: 1\nlang: en\n---\n## s\n\xff\xfe\n' >"$T/bad/binary.md"
expect_exit 1 ls_ playbook lint "$T/bad/none.md" "$T/bad/broken.md" "$T/bad/binary.md" /nonexistent.md
assert_contains "$OUT" "$T/bad/none.md:1: "
assert_contains "$OUT" "$T/bad/broken.md:6: unknown key 'colour'"
assert_contains "$OUT" "$T/bad/broken.md:8: "
assert_contains "$OUT" "$T/bad/broken.md:9: "
assert_contains "$OUT" "$T/bad/broken.md:16: "
assert_contains "$OUT" "$T/bad/broken.md:18: "
assert_contains "$OUT" "$T/bad/binary.md:8: "
assert_contains "$OUT" "/nonexistent.md: No such file or directory"
head -c 2000000 /dev/urandom >"$T/bad/huge.md"
expect_exit 1 ls_ playbook lint "$T/bad/huge.md"
assert_contains "$OUT" "file too large"
cp "$REPO/playbooks/en/api-errors.md" "$T/bad/copy.md"
expect_exit 1 ls_ playbook lint "$REPO/playbooks/en/api-errors.md" "$T/bad/copy.md"
assert_contains "$OUT" "$T/bad/copy.md:1: duplicate id 'api-errors'"

note "a library of its own: checks against the real Prometheus of the sim"
cat >"$T/pb/en/probe.md" <<'EOF2'
---
id: probe
title: Probe the assistant
version: 1
lang: en
level: L1
applies_to: kpi:requests, tag:probe
---
Intro text.

## Traffic flows
skip_if: checks_pass

- [ ] Look at the **Requests** tile
- [ ] Compare with `yesterday`

```check
query: sum(rate(gen_ai_client_operation_duration_seconds_count[10s]))
expect: value > 0
```

```check
query: sum(rate(gen_ai_client_operation_duration_seconds_count[10s]))
expect: value < 0
```

```check
query: sum(rate(gen_ai_client_operation_duration_seconds_count[10s]
expect: value > 0
```

## Write it down
```sh
leitstand incident note <ID> "traffic ok"
promtool query instant <PROMETHEUS_URL> 'up{job="<JOB>"}'
```

## Close
Done.
EOF2
sed -e 's/^lang: en/lang: de/' -e 's/^title: .*/title: Assistent prüfen/' \
	"$T/pb/en/probe.md" >"$T/pb/de/probe.md"
cp "$T/bad/broken.md" "$T/pb/en/broken.md"
sed 's/^lang: en/lang: de/' "$T/pb/en/probe.md" >"$T/pb/en/wrong-lang.md"

start_sim --rate-scale 4
start_prometheus
write_config <<EOF2
[prometheus]
url = $PROM_URL
interval = 1s
[console]
lang = en
[playbooks]
dir = $T/pb
EOF2
start_daemon

out=$(ls_ playbook list)
assert_contains "$out" "probe              en L1   3 steps  Probe the assistant"
assert_contains "$out" "left out of the library:"
assert_contains "$out" "$T/pb/en/broken.md:6: unknown key 'colour'"
assert_contains "$out" "$T/pb/en/wrong-lang.md:1: lang is de, but the file is in the en directory"
assert_contains "$(ls_ playbook list --lang de)" "Assistent prüfen"
assert_contains "$(ls_ playbook list --lang fr 2>&1 || true)" "lang"

note "a run: checks evaluate against Prometheus (pass, fail, a PromQL error)"
assert_eq "$(ls_ playbook run probe)" "run 1 started"
wait_for '[ "$(ls_ run check 1 1 | head -n 1 | cut -c1-4)" = PASS ]' 30
out=$(ls_ run check 1 1)
assert_contains "$(sed -n 2p <<<"$out")" "FAIL "
assert_contains "$(sed -n 3p <<<"$out")" "ERROR "
assert_contains "$(ls_ run check 1 1 --json | json_get checks.0.pass)" "true"

note "bad input: clear errors, nothing recorded"
expect_exit 1 ls_ run step 1 1 maybe
assert_contains "$OUT" "done, skipped or failed"
expect_exit 1 ls_ run step 1 1 skipped
assert_contains "$OUT" "needs a note"
expect_exit 1 ls_ run step 1 9 done
expect_exit 1 ls_ run step 99 1 done
assert_contains "$OUT" "no run 99"
expect_exit 1 ls_ playbook run nonexistent
expect_exit 1 ls_ playbook run probe --incident 999
expect_exit 2 ls_ run tick 1 1 5000
assert_contains "$OUT" "ITEM: 5000 is not a number from 1 to 1001"
expect_exit 1 ls_ run tick 1 1 99
assert_contains "$OUT" "step 1 of run 1 has checklist items 1 to"
expect_exit 2 ls_ run tick 1 1 0
assert_contains "$OUT" "ITEM: 0 is not a number from 1 to 1001"
assert_eq "$(ls_ run show 1 --json | json_get run.results)" "[]"

note "every acknowledged action survives a SIGKILL and a restart exactly"
ls_ run tick 1 1 2 >/dev/null
ls_ run note 1 1 $'tried \e[31mred\e[0m and mail alice@example.com' >/dev/null
ls_ run step 1 1 done "traffic flows" >/dev/null
ls_ run step 1 2 skipped "no incident yet" >/dev/null
snapshot() {
	ls_ run show 1 --json | python3 -c 'import json,sys
r = json.load(sys.stdin)["run"]
del r["summary"]["seconds"]
print(json.dumps(r, sort_keys=True))'
}
before=$(snapshot)
assert_contains "$before" '"current": 2'
assert_not_contains "$before" $'\e'
assert_not_contains "$before" "alice@example.com"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
start_daemon
assert_eq "$(snapshot)" "$before"
assert_contains "$(ls_ run list)" "run    1  probe                2/3   open"
assert_contains "$(ls_ run list)" "last: root skipped step 2"

note "an edited playbook does not change the run in progress"
sed -i 's/^## Close/## Close it now/' "$T/pb/en/probe.md"
kill -HUP "$DAEMON_PID"
wait_for 'ls_ run show 1 --json | grep "\"file_changed\":[[:space:]]*true" >/dev/null'
assert_contains "$(ls_ run show 1)" "the playbook file has changed since the run started"
assert_contains "$(ls_ run show 1)" "Close"
assert_not_contains "$(ls_ run show 1)" "Close it now"

note "the last step finishes the run; the export has results, ticks and notes"
out=$(ls_ run step 1 3 failed "could not close")
assert_eq "$out" "ok; the run is finished"
md=$(ls_ run export 1)
assert_contains "$md" "# Playbook run 1: Probe the assistant"
assert_contains "$md" "Finished after"
assert_contains "$md" "1 done, 1 skipped, 1 failed of 3 steps"
assert_contains "$md" "- [ ] Look at the **Requests** tile"
assert_contains "$md" '- [x] Compare with `yesterday`'
assert_contains "$md" "**failed** by root"
assert_contains "$md" "could not close"
expect_exit 1 ls_ run step 1 1 done
assert_contains "$OUT" "finished"
assert_eq "$(ls_ run list)" ""
assert_contains "$(ls_ run list --all)" "finished"

note "a run bound to an incident writes its steps to the timeline; all of it is audited"
ls_ incident open --title "Probe traffic low" --severity 3 >/dev/null
assert_contains "$(ls_ incident show 1 --json | json_get incident.suggested.0.id)" "probe"
assert_eq "$(ls_ playbook run probe --incident 1)" "run 2 started"
ls_ run step 2 1 done >/dev/null
ls_ run note 2 2 "looked at it" >/dev/null
tl=$(ls_ incident show 1)
assert_contains "$tl" "playbook probe started (run 2)"
assert_contains "$tl" 'probe, step 1 "Traffic flows" done'
assert_contains "$tl" 'probe, step 2 "Write it down" note: looked at it'
audit=$(ls_ audit list --limit 50)
for op in run.start run.step run.note run.tick; do
	assert_contains "$audit" "$op"
done
ls_ audit verify >/dev/null

note "placeholders the daemon knows are filled in the run as the console shows it"
sh_block() {
	ls_ run show "$1" --json | python3 -c 'import json,sys
r = json.load(sys.stdin)["run"]
print("\n".join(b["text"] for s in r["content"]["steps"] for b in s["blocks"] if b["type"] == "sh"))'
}
block=$(sh_block 2)
assert_contains "$block" 'leitstand incident note 1 "traffic ok"'
assert_contains "$block" "promtool query instant $PROM_URL 'up{job=\"<JOB>\"}'"
# A run without an incident keeps <ID> for the reader to fill.
assert_contains "$(sh_block 1)" "leitstand incident note <ID>"
note "credentials in the Prometheus URL never reach a filled command"
stop_daemon
sed -i "s|^url = .*|url = http://reader:s3cret@127.0.0.1:${PROM_URL##*:}/|" "$CFG"
start_daemon
assert_contains "$(sh_block 2)" "promtool query instant http://127.0.0.1:${PROM_URL##*:}/ 'up"
assert_not_contains "$(ls_ run show 2 --json)" "s3cret"

stop_daemon
