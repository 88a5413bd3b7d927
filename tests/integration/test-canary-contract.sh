#!/bin/bash
# The canary contract, from the deployment's side, against hostile input: someone who can write
# the prompt repository (here: a clone pushing to a real `git daemon`, no Leitstand daemon)
# puts up refs/heads/canary/support by hand with a rollout.ini or files that are wrong. For
# each, `leitstand sim serve --prompts` keeps serving production, says in /sim/status
# (prompts.canary_refused) why the canary is not served, or serves a sane canary when the
# input is legal, labels it escaped on /metrics (promtool parses the scrape), and does not
# crash. With --allowed-signers a canary nobody signed is refused, a signed one is parsed alike.
. "$(dirname "$0")/../lib/lib.sh"

command -v git >/dev/null || { echo "SKIP: no git"; exit 77; }
[ -x /usr/bin/promtool ] || { echo "SKIP: no promtool (Debian prometheus)"; exit 77; }

start_git_daemon
REMOTE=$GIT_URL/prompts.git
git init -q --bare "$T/git/prompts.git"
W=$T/w
wg() {
	git -C "$W" -c user.name=mallory -c user.email=mallory@example.org "$@"
}
# Production with release/support/1, as the daemon would have pushed them.
git init -q -b production "$W"
cp -r "$TESTS/../data/prompts/assistants" "$W/"
wg add -A
wg commit -qm "production"
wg tag -a release/support/1 -m "release 1"
wg push -q "$REMOTE" production refs/tags/release/support/1
S=$W/assistants/support

status() {
	curl -sf "$SIM_URL/sim/status"
}
# A field of /sim/status's prompts, "" for null or missing.
st() {
	status | python3 -c 'import json, sys
d = json.load(sys.stdin)["prompts"]
for k in sys.argv[1].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$1"
}
# The scrape must parse (promtool exits 1 on a parse error, 3 on mere lint).
scrape_parses() {
	local rc=0
	curl -sf "$SIM_URL/metrics" >"$T/scrape"
	promtool check metrics <"$T/scrape" >"$T/promtool.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "promtool cannot parse /metrics ($rc): $(cat "$T/promtool.out")"
}
# Production served, nothing else: the sim alive, its status valid JSON.
production_served() {
	kill -0 "$SIM_PID" || fail "the sim died: $(cat "$T/sim.err")"
	assert_eq "$(st release)" 1
	assert_eq "$(st model)" gpt-4o-2024-08-06
	assert_eq "$(st fetch_ok)" True
}
# Starts a canary on production: the caller changes $S, put_canary pushes it by force.
new_canary() {
	wg checkout -q -B c production
}
put_canary() {
	wg add -A
	wg commit -q --allow-empty -m "$1"
	wg push -qf "$REMOTE" HEAD:refs/heads/canary/support
}
drop_canary() {
	wg push -q "$REMOTE" :refs/heads/canary/support
	wait_for '[ -z "$(st canary_refused)" ] && [ -z "$(st canary.weight)" ]' 10
}
ini() { # ini WEIGHT-LINE RELEASE-LINE: a rollout.ini as the daemon writes it, but these lines
	printf '[rollout]\nassistant = support\nproposal = 7\n%s\n%s\n' "$1" "$2" >"$S/rollout.ini"
}
# refused WHAT WHY: a canary put up as the caller staged it is refused for WHY.
refused() {
	note "refused: $1"
	put_canary "$1"
	wait_for '[ -n "$(st canary_refused)" ]' 10
	assert_contains "$(st canary_refused)" "$2"
	assert_eq "$(st canary.weight)" ""
	production_served
	scrape_parses
	drop_canary
}

start_sim --prompts "$REMOTE" --prompts-interval 200ms --rate-scale 40 --seed 5
wait_for '[ "$(st release)" = 1 ]' 20
production_served

note "legal: weight 100 serves every conversation from the canary, under its label"
new_canary
ini "weight = 100" "release = canary-7"
sed -i 's/^id = .*/id = gpt-4o-2024-05-13/' "$S/model.ini"
put_canary legal
wait_for '[ "$(st canary.weight)" = 100 ]' 10
assert_eq "$(st canary.release)" canary-7
assert_eq "$(st canary.model)" gpt-4o-2024-05-13
assert_eq "$(st canary_refused)" ""
assert_eq "$(st release)" 1
wait_for 'curl -sf "$SIM_URL/metrics" | grep -q "release=\"canary-7\""' 10
scrape_parses
drop_canary

# Weights and releases the parser must refuse. No file may pass for another.
msg="rollout.ini needs weight = 0-100 and release = LABEL"
for w in "weight = 1000" "weight = -5" "weight = abc" "weight = 50abc" "weight =" \
	"weight = 99999999999999999999999" "weight = 0x32" "; weight = 50"; do
	new_canary
	ini "$w" "release = canary-7"
	refused "$w" "$msg"
done
new_canary
ini "weight = 50" "# release = canary-7"
refused "no release" "$msg"
new_canary
ini "weight = 50" "release = $(head -c 10240 /dev/zero | tr '\0' x)"
refused "a release label of 10 KB" "$msg"
new_canary
ini "weight = 50" "release ="
refused "an empty release" "$msg"
new_canary
ini "weight = 50" "release = 1"
refused "production's own label" "rollout.ini's release 1 is production's label"
new_canary
# (production has none)
refused "no rollout.ini" "no assistants/support/rollout.ini"
new_canary
mkdir "$S/rollout.ini"
echo x >"$S/rollout.ini/x"
refused "rollout.ini a directory" "rollout.ini is not a file"
new_canary
head -c 4096 /dev/urandom >"$S/rollout.ini"
refused "rollout.ini of binary garbage" "$msg"
new_canary
ini "weight = 50" "release = canary-7"
git -C "$W" rm -q "$S/system.md"
refused "no system.md" "no assistants/support/system.md"
new_canary
ini "weight = 50" "release = canary-7"
head -c 2097152 /dev/zero | tr '\0' a >"$S/system.md"
refused "a system.md of 2 MB" "system.md is larger than 262144 bytes"
new_canary
ini "weight = 50" "release = canary-7"
printf 'garbage\n' >"$S/model.ini"
refused "a model.ini that does not parse" "model.ini:1: expected [model]"
new_canary
ini "weight = 50" "release = canary-7"
printf '[model]\ntemperature = 1\n' >"$S/model.ini"
refused "a model.ini without id" "model.ini: [model] id is missing"
# A label that is no text would make /sim/status invalid JSON (the bytes went into it as
# they were) and reach every reader of the metrics.
new_canary
printf '[rollout]\nweight = 100\nrelease = bin\377\376x\n' >"$S/rollout.ini"
refused "a release of bytes that are no UTF-8" "$msg"
new_canary
printf '[rollout]\nweight = 100\nrelease = esc\033]0;pwned\007\n' >"$S/rollout.ini"
refused "a release with control characters" "$msg"

# Labels that are legal to the parser: escaped on /metrics, the scrape parses, the status is
# JSON that says them as they are.
legal_label() { # legal_label WHAT LABEL: with $S/rollout.ini written by the caller; LABEL as
	# the exposition format must write it
	note "served, escaped: $1"
	put_canary "$1"
	wait_for '[ "$(st canary.weight)" = 100 ]' 10
	assert_eq "$(st release)" 1
	production_served
	# Served: its conversations reach /metrics under its label (the sim scrapes at traffic).
	for _ in $(seq 100); do
		curl -sf "$SIM_URL/metrics" >"$T/scrape"
		! grep -qF "leitstand_prompt_release=\"$2\"" "$T/scrape" || break
		sleep 0.1
	done
	grep -qF "leitstand_prompt_release=\"$2\"" "$T/scrape" ||
		fail "no series labelled $2: $(grep -o 'leitstand_prompt_release="[^,}]*' "$T/scrape" | sort -u)"
	scrape_parses
}
new_canary
ini "weight = 100" 'release = a"}b\c{x="y'
legal_label 'a release with a quote, "}, a backslash' 'a\"}b\\c{x=\"y'
assert_eq "$(st canary.release)" 'a"}b\c{x="y'
drop_canary
new_canary
printf '[rollout]\r\nweight = 100\r\nrelease = crlf-7\r\n' >"$S/rollout.ini"
legal_label "CRLF line ends" crlf-7
assert_eq "$(st canary.release)" crlf-7
drop_canary
new_canary
printf '[rollout]\nweight = 100\nrelease = kanarie-\303\274-7\n' >"$S/rollout.ini"
legal_label "a release in UTF-8" "kanarie-ü-7"
assert_eq "$(st canary.release)" "kanarie-ü-7"
drop_canary
new_canary
printf '[rollout]\nweight = 100\nrelease = canary-7\n' >"$S/rollout.ini"
head -c 8192 /dev/urandom >"$S/system.md"
legal_label "a system.md of binary garbage" canary-7
assert_eq "$(st canary.release)" canary-7
drop_canary

note "refused: the branch names a tree, not a commit (written into the bare repository)"
tree=$(git --git-dir="$T/git/prompts.git" rev-parse production^{tree})
mkdir -p "$T/git/prompts.git/refs/heads/canary"
echo "$tree" >"$T/git/prompts.git/refs/heads/canary/support"
wait_for '[ -n "$(st canary_refused)" ]' 10
assert_eq "$(st canary.weight)" ""
production_served
scrape_parses
rm "$T/git/prompts.git/refs/heads/canary/support"
wait_for '[ -z "$(st canary_refused)" ]' 10

note "weight 0: nothing served, nothing refused"
new_canary
ini "weight = 0" "release = canary-7"
put_canary "weight 0"
sleep 1
assert_eq "$(st canary.weight)" ""
assert_eq "$(st canary_refused)" ""
production_served
drop_canary

note "--allowed-signers: production's signed release served, an unsigned legal canary refused"
command -v ssh-keygen >/dev/null || { echo "SKIP: no ssh-keygen for the signed part"; exit 77; }
mkdir -m 700 "$T/keys"
ssh-keygen -q -t ed25519 -N '' -C "release key" -f "$T/keys/release"
echo "releases@example.org namespaces=\"git\" $(cat "$T/keys/release.pub")" >"$T/allowed"
wg checkout -q production
wg -c gpg.format=ssh -c user.signingkey="$T/keys/release" tag -f -s release/support/1 -m "release 1" >/dev/null
wg push -qf "$REMOTE" refs/tags/release/support/1
kill -TERM "$SIM_PID"
wait "$SIM_PID" || true
start_sim --prompts "$REMOTE" --prompts-interval 200ms --rate-scale 40 --seed 5 --allowed-signers "$T/allowed"
wait_for '[ "$(st release)" = 1 ]' 20
assert_eq "$(st signer)" releases@example.org
new_canary
ini "weight = 100" "release = canary-7"
put_canary "legal, unsigned"
wait_for '[ -n "$(st canary_refused)" ]' 10
# (Refused as no signed release tag, or as a commit not signed by an allowed key.)
st canary_refused | grep -Eq "not a signed release tag|not signed" ||
	fail "canary_refused does not say the canary is not signed: $(st canary_refused)"
assert_eq "$(st canary.weight)" ""
production_served
scrape_parses
! grep -q 'release="canary-7"' "$T/scrape" || fail "a refused canary was served"
drop_canary
# (Signed as the daemon signs canaries when it signs releases: git commit -S.)
sign() {
	wg -c gpg.format=ssh -c user.signingkey="$T/keys/release" commit -q -S --amend --no-edit
	wg push -qf "$REMOTE" HEAD:refs/heads/canary/support
}
note "--allowed-signers: a signed canary whose rollout.ini is hostile is still refused"
new_canary
ini "weight = 1000" "release = canary-7"
put_canary "signed, weight 1000"
sign
wait_for 'st canary_refused | grep -q "rollout.ini needs weight = 0-100"' 10
assert_eq "$(st canary.weight)" ""
production_served
drop_canary
note "--allowed-signers: a legal canary signed by the allowed key is served"
new_canary
ini "weight = 100" "release = canary-8"
put_canary "signed, legal"
sign
wait_for '[ "$(st canary.weight)" = 100 ]' 10
assert_eq "$(st canary.release)" canary-8
assert_eq "$(st canary_refused)" ""
production_served
echo PASS
