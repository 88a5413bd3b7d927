#!/bin/bash
# The prompt repository's remote, what deployments read: git's own daemon serving a bare
# repository over git://, and a file:// remote. Every release and rollback reaches it (also
# one made while a push still runs), a remote configured later receives every earlier
# release, a remote that is down shows as pending with its age and last error and gets
# everything once it is back, and a plain `git clone` of a file remote checks out production.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to create a second test user"; exit 77; }
command -v git >/dev/null || { echo "SKIP: no git"; exit 0; }
alice=ltr$$
group=ltrg$$
test_users "$group" "$alice"
chmod 755 "$T"

git init -q --bare "$T/git/prompts.git"
start_git_daemon
REMOTE=$GIT_URL/prompts.git

start_sim
config() {
	write_config <<EOF2
group = $group
[roles]
engineer = $alice
[sim]
url = $SIM_URL
[prompts]
remote = $1
push_retry = 5s
EOF2
	chmod 644 "$CFG"
}
config "$REMOTE"
start_daemon
REPO=$T/data/prompts.git
g() {
	git --git-dir="$REPO" "$@"
}
# remote_has URL REF: the remote holds REF as the local repository does.
remote_has() {
	[ "$(git ls-remote "$1" "refs/$2" | cut -f1)" = "$(g rev-parse "refs/$2")" ]
}
# remote_whole URL: production and every local release tag are on the remote as they are here.
remote_whole() {
	[ "$(git ls-remote "$1" 'refs/heads/production' 'refs/tags/release/*' | grep -v '\^{}$' |
		sort)" = "$(g for-each-ref --format='%(objectname)	%(refname)' refs/heads/production \
		refs/tags/release/ | sort)" ]
}
# Proposes a change to the system prompt as alice and evaluates it; prints its id.
propose() {
	local dir id
	dir=$(mktemp -d "$T/p.XXXXXX")
	ls_ prompt cat system.md >"$dir/system.md"
	echo "- $1" >>"$dir/system.md"
	chmod -R a+rX "$dir"
	id=$(as "$alice" prompt propose -m "$1" "$dir/system.md" | sed -n 's/^proposal \([0-9]*\):.*/\1/p')
	as "$alice" prompt eval "$id" >/dev/null
	echo "$id"
}

note "the seed's release reaches the git:// remote at start"
wait_for "remote_whole '$REMOTE'" 15
remote_has "$REMOTE" tags/release/support/1

note "approve: production and the tag on the remote; a clone of it is whole"
id=$(propose "Thank the customer")
assert_contains "$(ls_ prompt approve "$id")" "release/support/2"
wait_for "remote_whole '$REMOTE'" 15
git clone -q --branch production "$REMOTE" "$T/clone1"
assert_eq "$(git -C "$T/clone1" rev-parse HEAD)" "$(g rev-parse production)"
assert_contains "$(git -C "$T/clone1" log -1 --format=%B)" "Release 2 of support: Thank the customer"
git -C "$T/clone1" fsck --strict
git --git-dir="$T/git/prompts.git" fsck --strict
assert_eq "$(git -C "$T/clone1" tag -l 'release/*' | sort | tr '\n' ' ')" \
	"release/support/1 release/support/2 "
wait_for "ls_ prompt list | grep -q 'remote $REMOTE: 0 releases to push'" 10
assert_not_contains "$(ls_ status)" "prompt push"

note "rollback while the release's push still runs: both reach the remote"
# A slow remote: every push to it takes two seconds, so the rollback lands mid-push.
cat >"$T/git/prompts.git/hooks/pre-receive" <<'EOF2'
#!/bin/sh
cat >/dev/null
sleep 2
EOF2
chmod +x "$T/git/prompts.git/hooks/pre-receive"
id=$(propose "Shorter answers")
assert_contains "$(ls_ prompt approve "$id")" "release/support/3"
out=$(ls_ prompt rollback)
assert_contains "$out" "release/support/4 restores release/support/2"
wait_for "remote_has '$REMOTE' tags/release/support/4" 30
wait_for "remote_whole '$REMOTE'" 30
assert_eq "$(git ls-remote "$REMOTE" refs/heads/production | cut -f1)" \
	"$(g rev-parse production)"
rm "$T/git/prompts.git/hooks/pre-receive"
git --git-dir="$T/git/prompts.git" fsck --strict
git -C "$T/clone1" fetch -q origin production
assert_eq "$(git -C "$T/clone1" rev-parse FETCH_HEAD:assistants/support)" \
	"$(g rev-parse release/support/2:assistants/support)"
wait_for "ls_ prompt list | grep -q 'remote $REMOTE: 0 releases to push'" 10

note "the remote is down: the push is pending, with its age and the last error"
stop_git_daemon
out=$(ls_ prompt rollback release/support/3)
assert_contains "$out" "release/support/5 restores release/support/3"
wait_for "ls_ status | grep -q 'prompt push to $REMOTE failed'" 15
out=$(ls_ status)
assert_contains "$out" "1 release and production not pushed for"
assert_contains "$out" "last error: "
assert_contains "$out" "trying again every 5s"
js=$(ls_ status --json)
assert_eq "$(echo "$js" | json_get prompt_push.remote)" "$REMOTE"
assert_eq "$(echo "$js" | json_get prompt_push.pending)" "1"
assert_eq "$(echo "$js" | json_get prompt_push.production)" "false"
[ -n "$(echo "$js" | json_get prompt_push.error)" ] || fail "no error in $js"
since=$(echo "$js" | json_get prompt_push.since)
[ "$since" -ge "$(($(date +%s) - 60))" ] || fail "since $since in $js"
[ "$(echo "$js" | json_get prompt_push.age)" -ge 0 ] || fail "age in $js"
out=$(ls_ prompt list)
assert_contains "$out" "remote $REMOTE: 1 release to push"
assert_contains "$out" "not pushed for"
assert_contains "$out" "last error: "
js=$(ls_ prompt list --json)
assert_eq "$(echo "$js" | json_get push.pending)" "1"
[ -n "$(echo "$js" | json_get push.error)" ] || fail "no error in $js"
assert_eq "$(ls_ prompt history --limit 1 --json | json_get releases.0.pushed)" "0"
# The console's Prompts view shows it too.
console c 100x30 TERM=xterm-256color LANG=C.UTF-8
wait_screen c "connected"
keys c 4
wait_screen c "remote $REMOTE: 1 release(s) and production not pushed for"
wait_screen c "last error: connecting:"
# The age grows while it stays down (the next retry comes every 5 s).
wait_for "ls_ status --json | python3 -c 'import json,sys; d = json.load(sys.stdin)
sys.exit(0 if d[\"prompt_push\"][\"age\"] >= 2 else 1)'" 10
[ "$(ls_ status --json | json_get prompt_push.since)" = "$since" ] || fail "since moved"

note "the remote is back: the retry pushes everything, the warning clears"
start_git_daemon
wait_for "remote_whole '$REMOTE'" 20
wait_for "! ls_ status | grep -q 'prompt push'" 10
wait_screen c "remote $REMOTE: every release pushed"
js=$(ls_ status --json)
assert_eq "$(echo "$js" | json_get prompt_push.pending)" "0"
assert_eq "$(echo "$js" | json_get prompt_push.production)" "true"
assert_contains "$(ls_ prompt list)" "remote $REMOTE: 0 releases to push"
assert_eq "$(ls_ prompt history --limit 1 --json | json_get releases.0.pushed)" "1"
git --git-dir="$T/git/prompts.git" fsck --strict
# Over git:// the remote's HEAD cannot be set: clone production by name (README).
git clone -q --branch production "$REMOTE" "$T/clone2"
assert_eq "$(git -C "$T/clone2" rev-parse HEAD)" "$(g rev-parse production)"

note "a file:// remote configured later (config reload) receives every earlier release"
git init -q --bare "$T/git/file.git"
FILE_REMOTE=file://$T/git/file.git
config "$FILE_REMOTE"
ls_ config reload >/dev/null
wait_for "remote_whole '$FILE_REMOTE'" 20
assert_eq "$(git --git-dir="$T/git/file.git" tag -l 'release/*' | wc -l)" "5"
git --git-dir="$T/git/file.git" fsck --strict
wait_for "ls_ prompt list | grep -q 'remote $FILE_REMOTE: 0 releases to push'" 10
assert_not_contains "$(ls_ status)" "prompt push"

note "a plain git clone of the file remote checks out production"
assert_eq "$(git --git-dir="$T/git/file.git" symbolic-ref HEAD)" "refs/heads/production"
git clone -q "$FILE_REMOTE" "$T/clone3"
assert_eq "$(git -C "$T/clone3" rev-parse --abbrev-ref HEAD)" "production"
assert_eq "$(git -C "$T/clone3" rev-parse HEAD)" "$(g rev-parse production)"
assert_eq "$(cat "$T/clone3/assistants/support/system.md")" \
	"$(g show production:assistants/support/system.md)"
git -C "$T/clone3" fsck --strict

note "a remote path configured while the daemon was stopped receives everything at start"
stop_daemon
git init -q --bare "$T/git/path.git"
config "$T/git/path.git"
start_daemon
wait_for "remote_whole '$T/git/path.git'" 20
assert_eq "$(git --git-dir="$T/git/path.git" tag -l 'release/*' | wc -l)" "5"
git clone -q "$T/git/path.git" "$T/clone4"
assert_eq "$(git -C "$T/clone4" rev-parse HEAD)" "$(g rev-parse production)"

note "a release after the move goes to the new remote only; the old ones keep theirs"
id=$(propose "Name the order number")
assert_contains "$(ls_ prompt approve "$id")" "release/support/6"
wait_for "remote_whole '$T/git/path.git'" 20
[ -z "$(git ls-remote "$FILE_REMOTE" refs/tags/release/support/6)" ] ||
	fail "the old remote got release 6"

note "every push is audited; the log verifies"
out=$(ls_ audit list --action prompt.push --json)
assert_contains "$out" "$REMOTE"
assert_contains "$out" "$FILE_REMOTE"
ls_ audit verify >/dev/null
stop_daemon
