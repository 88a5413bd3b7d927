#!/bin/bash
# Prompt releases: a real git repository written by the daemon (libgit2) and checked with the
# git CLI; proposals, evals against the real sim, four eyes, the gate, merges, conflicts,
# rollback, a race of two approvals, pushes to a remote that fails and then works.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create two test users"; exit 77; }
alice=lta$$
bob=ltb$$
carol=ltc$$
group=ltg$$
test_users "$group" "$alice" "$bob" "$carol"
chmod 755 "$T"

start_sim
# The remote is not a repository yet: pushes fail until it is.
touch "$T/remote.git"
write_config <<EOF2
group = $group
[roles]
engineer = $alice
approver = $bob
[sim]
url = $SIM_URL
[prompts]
remote = $T/remote.git
push_retry = 5s
[triggers]
proposal = $bob
[notify]
command = $T/hook
[user.$bob]
command = yes
EOF2
# The approver's notices, one JSON line each.
printf '#!/bin/sh\ncat >>"%s/inbox"; echo >>"%s/inbox"\n' "$T" "$T" >"$T/hook"
chmod 755 "$T/hook"
chmod 644 "$CFG"
start_daemon
REPO=$T/data/prompts.git
g() {
	git --git-dir="$REPO" "$@"
}

note "a new daemon seeds a bare repository: production, release 1, a clean fsck"
[ "$(g rev-parse --is-bare-repository)" = true ] || fail "not bare"
g fsck --strict
assert_eq "$(g ls-tree -r --name-only production)" "assistants/support/evals.jsonl
assistants/support/model.ini
assistants/support/system.md"
assert_eq "$(g rev-parse 'release/support/1^{commit}')" "$(g rev-parse production)"
[ ! -e "$REPO/index" ] || fail "a bare repository has no index"
out=$(ls_ prompt history)
assert_contains "$out" "release/support/1"
expect_exit 2 ls_ prompt history --limit abc
assert_contains "$OUT" "--limit: abc is not a number from 1 to 1000"
assert_contains "$(ls_ prompt list)" "model gpt-4o-2024-08-06"

note "propose: bad input is refused with what and where, nothing is written"
ls_ prompt cat system.md >"$T/system.md"
cp "$T/system.md" "$T/orig.md"
mkdir -p "$T/p1" "$T/p2" "$T/p3" "$T/bad"
expect_exit 2 ls_ prompt propose "$T/system.md"
assert_contains "$OUT" "prompt propose: --message is required"
printf 'x' >"$T/bad/prompt.txt"
expect_exit 1 ls_ prompt propose -m x "$T/bad/prompt.txt"
assert_contains "$OUT" "name it system.md, model.ini or evals.jsonl"
printf '[model]\nid = gpt-4o-2024-08-06\ntemperature = 7\n' >"$T/bad/model.ini"
expect_exit 1 ls_ prompt propose -m "hot" "$T/bad/model.ini"
assert_contains "$OUT" "model.ini:3:"
printf '{"id": "a", "input": "x", "assert": [{"contains": "y"}]}\n{"id": "a", "input": "x", "assert": [{"containz": "y"}]}\nnot json\n' >"$T/bad/evals.jsonl"
expect_exit 1 ls_ prompt propose -m "cases" "$T/bad/evals.jsonl"
assert_contains "$OUT" "evals.jsonl:2:"
assert_contains "$OUT" "evals.jsonl:3:"
printf 'abc\0def' >"$T/bad/system.md"
expect_exit 1 ls_ prompt propose -m "nul" "$T/bad/system.md"
assert_contains "$OUT" "NUL"
printf '\xff\xfe prompt\n' >"$T/bad/system.md"
expect_exit 1 ls_ prompt propose -m "latin1" "$T/bad/system.md"
assert_contains "$OUT" "not UTF-8"
expect_exit 1 ls_ prompt propose -m "   " "$T/system.md"
assert_contains "$OUT" "describe the change"
expect_exit 1 ls_ prompt propose -m "same" "$T/system.md"
assert_contains "$OUT" "changes nothing"
expect_exit 1 ls_ prompt propose -m "x" --assistant nobody "$T/system.md"
assert_contains "$OUT" 'no assistant "nobody"'
assert_eq "$(g for-each-ref --format='%(refname)' refs/heads/proposals)" ""

note "a viewer may not propose"
expect_exit 1 as "$carol" prompt propose -m x "$T/system.md"
assert_contains "$OUT" "prompt.propose needs role engineer"

note "alice proposes three changes; bob proposes one"
cp "$T/orig.md" "$T/p1/system.md"
echo "- Close every answer by thanking the customer." >>"$T/p1/system.md"
chmod -R a+rX "$T"
out=$(as "$alice" prompt propose -m "Thank the customer

Support leads asked for a warmer closing." "$T/p1/system.md")
assert_contains "$out" "proposal 1: proposals/1"
cp "$T/orig.md" "$T/p2/system.md"
echo "- Always answer as a JSON object with the fields answer and escalate." >>"$T/p2/system.md"
chmod -R a+rX "$T"
as "$alice" prompt propose -m "JSON answers for the web widget" "$T/p2/system.md" >/dev/null
ls_ prompt cat model.ini | sed 's/^temperature = .*/temperature = 0.3/' >"$T/p3/model.ini"
chmod -R a+rX "$T"
as "$alice" prompt propose -m "Slightly warmer sampling" "$T/p3/model.ini" >/dev/null
as "$bob" prompt propose -m "Bob's own idea" "$T/p1/system.md" >/dev/null
assert_eq "$(g for-each-ref --format='%(refname:short)' refs/heads/proposals | sort)" \
	"proposals/1
proposals/2
proposals/3
proposals/4"
assert_eq "$(g log -1 --format=%an proposals/1)" "$alice"
assert_eq "$(g log -1 --format='%(trailers:key=Proposal,valueonly)' proposals/1)" "1"
assert_eq "$(g rev-parse proposals/1^)" "$(g rev-parse production)"

note "the diff of a proposal against production"
out=$(ls_ prompt diff 1)
assert_contains "$out" "+++ b/assistants/support/system.md"
assert_contains "$out" "+- Close every answer by thanking the customer."
assert_eq "$(echo "$out" | grep -c '^+[^+]')" "1"

note "approving needs a finished eval"
expect_exit 1 as "$bob" prompt approve 1
assert_contains "$OUT" "has no finished eval"

note "evals against the sim: proposal 1 passes, proposal 2 fails the gate"
out=$(as "$alice" prompt eval 1)
assert_contains "$out" "100% (5 of 5 cases)"
out=$(as "$alice" prompt eval 2)
assert_contains "$out" "80% (4 of 5 cases)"
assert_contains "$out" "FAIL plain-text"
as "$alice" prompt eval 3 >/dev/null
as "$bob" prompt eval 4 >/dev/null

note "[triggers] proposal: the approver is told of a proposal that passed the gate, not of one that failed"
wait_for 'grep -q "Proposal waits for an approver: Thank the customer" "$T/inbox"' 10
grep -q '"event":"proposal"' "$T/inbox" || fail "no proposal notice: $(cat "$T/inbox")"
! grep -q "JSON answers for the web widget" "$T/inbox" || fail "told of a proposal that failed the gate"
out=$(ls_ prompt show 2 --json)
assert_eq "$(echo "$out" | json_get proposal.state)" "evaluated"
assert_eq "$(echo "$out" | json_get baseline.pass_rate)" "1"
assert_contains "$(echo "$out" | json_get proposal.eval.results.2.answer)" '{"answer"'
[ -n "$(echo "$out" | json_get proposal.eval.cost_per_answer)" ] || fail "no cost"
out=$(ls_ prompt list)
assert_contains "$out" "#2    evaluated  $alice"
assert_contains "$out" "eval  80%"

note "four eyes: nobody approves their own proposal, an engineer approves nothing"
expect_exit 1 as "$bob" prompt approve 4
assert_contains "$OUT" "four eyes: $bob proposed 4"
expect_exit 1 as "$alice" prompt approve 1
assert_contains "$OUT" "prompt.approve needs role approver"

note "bob approves proposal 1: release 2, tagged, trailers for git log"
out=$(as "$bob" prompt approve 1)
assert_contains "$out" "release/support/2"
g fsck --strict
assert_eq "$(g rev-parse 'release/support/2^{commit}')" "$(g rev-parse production)"
assert_eq "$(g cat-file -t release/support/2)" "tag"
msg=$(g log -1 --format=%B production)
assert_contains "$msg" "Release 2 of support: Thank the customer"
assert_contains "$msg" "Proposal: 1"
assert_contains "$msg" "Author: $alice"
assert_contains "$msg" "Approved-by: $bob"
assert_contains "$msg" "Eval: 100% (5 of 5 cases)"
assert_eq "$(g log -1 --format=%an production)" "$bob"
assert_eq "$(g rev-parse production^2)" "$(g rev-parse proposals/1)"
assert_eq "$(g show production:assistants/support/system.md)" "$(cat "$T/p1/system.md")"
expect_exit 1 as "$bob" prompt approve 1
assert_contains "$OUT" "proposal 1 is approved already"

note "proposal 3 was based on the old production: it is merged, both changes stand"
as "$bob" prompt approve 3 >/dev/null
assert_eq "$(g show production:assistants/support/system.md)" "$(cat "$T/p1/system.md")"
assert_contains "$(g show production:assistants/support/model.ini)" "temperature = 0.3"
assert_eq "$(g rev-list --count --merges production)" "2"

note "the gate: an approver cannot override it, an admin can, with a reason; a conflict stops it"
expect_exit 1 as "$bob" prompt approve 2
assert_contains "$OUT" "below the gate of 90%"
expect_exit 1 as "$bob" prompt approve 2 --override "widget launch"
assert_contains "$OUT" "needs role admin"
expect_exit 1 ls_ prompt approve 2 --override "widget launch"
assert_contains "$OUT" "propose again from the current production"
assert_eq "$(g tag -l 'release/support/*' | wc -l)" "3"
expect_exit 2 as "$bob" prompt reject 2
ls_ prompt reject 2 "conflicts with release 2" >/dev/null
assert_contains "$(ls_ prompt show 2)" "rejected by $(id -un): conflicts with release 2"
ls_ prompt cat system.md >"$T/p2/system.md"
echo "- Always answer as a JSON object with the fields answer and escalate." >>"$T/p2/system.md"
chmod -R a+rX "$T"
as "$alice" prompt propose -m "JSON answers, again" "$T/p2/system.md" >/dev/null
as "$alice" prompt eval 5 >/dev/null
out=$(ls_ prompt approve 5 --override "the widget launch needs JSON today")
assert_contains "$out" "release/support/4"
msg=$(g log -1 --format=%B production)
assert_contains "$msg" "Gate-override: the widget launch needs JSON today"
assert_contains "$msg" "Eval: 80% (4 of 5 cases)"

note "rollback: a new release whose assistant tree equals the one before; history kept"
before=$(g rev-list --count production)
out=$(as "$bob" prompt rollback)
assert_contains "$out" "release/support/5 restores release/support/3"
assert_eq "$(g rev-parse production:assistants/support)" \
	"$(g rev-parse release/support/3:assistants/support)"
assert_eq "$(g rev-list --count production)" "$((before + 1))"
assert_contains "$(g log -1 --format=%B production)" "Rollback-of: release/support/4"
out=$(as "$bob" prompt rollback release/support/1)
assert_contains "$out" "release/support/6 restores release/support/1"
assert_eq "$(g rev-parse production:assistants/support)" \
	"$(g rev-parse release/support/1:assistants/support)"
expect_exit 1 as "$bob" prompt rollback release/support/1
assert_contains "$OUT" "equals release/support/1 already"
expect_exit 1 as "$bob" prompt rollback release/support/99
assert_contains "$OUT" "no release release/support/99"
out=$(ls_ prompt history)
assert_eq "$(echo "$out" | head -1 | awk '{print $1}')" "release/support/6"
assert_contains "$out" "ROLLBACK of release/support/5"
echo "$out" | grep -q "^release/support/2 .* $alice  *$bob  *100%  Thank the customer$" ||
	fail "release 2 in the history: $out"
assert_eq "$(echo "$out" | wc -l)" "6"
out=$(ls_ prompt diff release/support/2)
assert_contains "$out" "+- Close every answer by thanking the customer."
g fsck --strict

note "two approvers' processes race on one proposal: exactly one release"
ls_ prompt cat system.md >"$T/p3/system.md"
echo "- Keep answers short." >>"$T/p3/system.md"
chmod -R a+rX "$T"
as "$alice" prompt propose -m "Shorter" "$T/p3/system.md" >/dev/null
as "$alice" prompt eval 6 >/dev/null
tags=$(g tag -l 'release/support/*' | wc -l)
( rc=0; as "$bob" prompt approve 6 >"$T/race1" 2>&1 || rc=$?; echo $rc >"$T/race1.rc" ) &
r1=$!
( rc=0; ls_ prompt approve 6 >"$T/race2" 2>&1 || rc=$?; echo $rc >"$T/race2.rc" ) &
r2=$!
wait $r1 $r2
assert_eq "$(cat "$T/race1.rc" "$T/race2.rc" | sort | tr '\n' ' ')" "0 1 "
assert_contains "$(cat "$T/race1" "$T/race2")" "is approved already"
assert_eq "$(g tag -l 'release/support/*' | wc -l)" "$((tags + 1))"
g fsck --strict

note "the remote: pushes failed and are shown; once it is a repository the retry pushes all"
assert_contains "$(ls_ status)" "prompt push to $T/remote.git failed"
assert_contains "$(ls_ prompt list)" "7 releases to push"
rm "$T/remote.git"
git init -q --bare "$T/remote.git"
wait_for "git --git-dir='$T/remote.git' rev-parse production" 15
assert_eq "$(git --git-dir="$T/remote.git" rev-parse production)" "$(g rev-parse production)"
wait_for "ls_ prompt list | grep -q '0 releases to push'" 10
assert_eq "$(git --git-dir="$T/remote.git" tag -l 'release/support/*' | wc -l)" "$((tags + 1))"
assert_not_contains "$(ls_ status)" "prompt push"

note "every action is audited under its user; a restart keeps everything and adds nothing"
out=$(ls_ audit list --action prompt.approve --json)
winner=$(grep -q '^0$' "$T/race1.rc" && echo "$bob" || id -un)
assert_eq "$(echo "$out" | json_get entries.0.actor)" "$winner"
out=$(ls_ audit list --action prompt.propose --json)
assert_eq "$(echo "$out" | json_get entries.0.actor)" "$alice"
stop_daemon
start_daemon
assert_eq "$(ls_ prompt history | wc -l)" "$((tags + 1))"
ls_ audit verify >/dev/null
g fsck --strict

note "a release whose rows a crash lost is recorded again from its tag at start"
stop_daemon
sqlite3 "$T/data/leitstand.db" "DELETE FROM release WHERE proposal_id = 6;
	UPDATE proposal SET state = 'evaluated', decided_by = NULL, release = NULL WHERE id = 6"
# And a tag a crash left before production moved: it never went live.
g tag -a release/support/99 -m "Release 99 of support: never live" proposals/2
start_daemon
assert_eq "$(g tag -l release/support/99)" ""
assert_not_contains "$(ls_ prompt history)" "release/support/99"
assert_eq "$(ls_ prompt history | wc -l)" "$((tags + 1))"
out=$(ls_ prompt show 6 --json)
assert_eq "$(echo "$out" | json_get proposal.state)" "approved"
assert_eq "$(echo "$out" | json_get proposal.decided_by)" "$winner"
assert_eq "$(ls_ prompt history --limit 1 --json | json_get releases.0.pass_rate)" "1"
out=$(ls_ audit list --action prompt.import --json)
assert_eq "$(echo "$out" | json_get entries.0.details)" '{"releases":1}'
assert_eq "$(echo "$out" | json_get entries.1.details)" '{"releases":1}' "the seed's release 1"
ls_ audit verify >/dev/null

note "a staging endpoint that never answers: stopping the daemon ends the eval, recorded as such"
python3 -c 'import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    held.append(s.accept()[0])' "$T/hung.port" &
PIDS+=($!)
wait_for "[ -s '$T/hung.port' ]"
write_config <<EOF2
group = $group
[roles]
engineer = $alice
approver = $bob
[prompts]
staging_url = http://127.0.0.1:$(cat "$T/hung.port")/v1/chat/completions
eval_timeout = 600s
EOF2
ls_ config reload >/dev/null
ls_ prompt cat system.md >"$T/p3/system.md"
echo "- Answer in one sentence." >>"$T/p3/system.md"
chmod -R a+rX "$T"
as "$alice" prompt propose -m "One sentence" "$T/p3/system.md" >/dev/null
id=$(ls_ prompt list --json | json_get proposals.0.id)
as "$alice" prompt eval "$id" --no-wait >/dev/null
wait_for "ls_ prompt show $id | grep -q 'eval .*: running'" 10
kill -TERM "$DAEMON_PID"
# Bounded: the requests in flight are cut, not waited out for their 600 s timeout.
wait_for "! kill -0 $DAEMON_PID" 30
wait "$DAEMON_PID" || fail "daemon exited with $?: $(cat "$T/daemon.log")"
start_daemon
out=$(ls_ prompt show "$id" --json)
assert_eq "$(echo "$out" | json_get proposal.eval.status)" "failed"
assert_eq "$(echo "$out" | json_get proposal.eval.error)" "the daemon stopped while it ran"
assert_eq "$(echo "$out" | json_get proposal.state)" "draft"

note "a fixed test clock (LEITSTAND_TEST_TIME_NOW) dates the decision exactly"
stop_daemon
LEITSTAND_TEST_TIME_NOW=1700000000 start_daemon
as "$bob" prompt reject "$id" "superseded" >/dev/null
out=$(ls_ prompt show "$id" --json)
assert_eq "$(echo "$out" | json_get proposal.state)" "rejected"
assert_eq "$(echo "$out" | json_get proposal.decided_at)" "1700000000"
