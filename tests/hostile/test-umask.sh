#!/bin/bash
# The daemon under `umask 000` creates nothing group- or world-writable (data dir, store, key,
# the prompt repository outside the data dir, socket directory, checkpoint file); a data dir
# left readable by others is made private; a prompt repository another user could write
# (directory, refs, objects, or the directory holding it) or owns stops the daemon with a
# message that says what to fix, and nothing in it was moved.
. "$(dirname "$0")/../lib/lib.sh"

need_root
mallory=ltm$$
group=ltg$$
test_users "$group" "$mallory"
chmod 755 "$T"
mkdir -p "$T/repos" "$T/cp"
REPO=$T/repos/prompts.git
write_config <<EOF2
[prompts]
repo = $REPO
[audit]
checkpoint_file = $T/cp/checkpoints
EOF2
g() {
	git --git-dir="$REPO" "$@"
}
writable() {
	find "$T/data" "$T/run" "$T/repos" "$T/cp" ! -type l \( -perm -o+w -o -perm -g+w \) -print
}

note "under umask 000 no path the daemon creates is group- or world-writable"
umask 000
start_daemon
umask 022
ls_ incident open --severity 1 --title "Checkout down" >/dev/null
ls_ incident note 1 "rolled back" >/dev/null
ls_ audit checkpoint >/dev/null
wait_for "g rev-parse --verify -q production"
assert_eq "$(writable)" "" "group- or world-writable paths"
assert_eq "$(stat -c %a "$T/data" "$T/data/leitstand.db" "$T/data/audit.key" "$REPO" "$T/run" "$SOCK" "$T/cp/checkpoints" | tr '\n' ' ')" \
	"700 600 600 700 700 600 600 "
production=$(g rev-parse production)
stop_daemon

note "a data dir left 0755 with a 0644 store is made 0700 and 0600 at start"
chmod 755 "$T/data"
chmod 644 "$T/data/leitstand.db"
start_daemon
assert_eq "$(stat -c %a "$T/data" "$T/data/leitstand.db" | tr '\n' ' ')" "700 600 "
stop_daemon

note "a socket or data dir named in a shared directory never makes that directory private"
mkdir -m 755 "$T/shared"
echo "someone's notes" >"$T/shared/notes.txt"
chmod 644 "$T/shared/notes.txt"
expect_exit 1 "$LEITSTAND" -c "$CFG" -S "$T/shared/x.sock" incident list
assert_contains "$OUT" "holds files that are not Leitstand's"
expect_exit 1 "$LEITSTAND" -c "$CFG" -S "$T/shared/x.sock" serve
assert_contains "$OUT" "holds files that are not Leitstand's"
assert_eq "$(stat -c %a "$T/shared" "$T/shared/notes.txt" | tr '\n' ' ')" "755 644 "
printf '[daemon]\ndata_dir = %s\n' "$T/shared" >"$T/shared.ini"
expect_exit 1 "$LEITSTAND" -c "$T/shared.ini" -S "$T/sock2/x.sock" serve
assert_contains "$OUT" "data dir $T/shared is readable by others (mode 755) and holds files"
assert_eq "$(stat -c %a "$T/shared" "$T/shared/notes.txt" | tr '\n' ' ')" "755 644 "
note "an empty directory of its own is made private, as before"
mkdir -m 755 "$T/own"
"$LEITSTAND" -c "$CFG" -S "$T/own/x.sock" serve 2>"$T/own.err" &
own=$!
wait_for '[ -S "$T/own/x.sock" ]' 10
assert_eq "$(stat -c %a "$T/own")" "700"
kill -TERM "$own"
wait "$own" || fail "the daemon on its own directory exited with $?: $(cat "$T/own.err")"

refused() {
	expect_exit 1 ls_ serve
	assert_contains "$OUT" "$1"
	[ ! -e "$SOCK" ] || fail "the daemon listens although it refused"
}

note "a prompt repository whose refs others can write: the daemon refuses to start"
chmod o+w "$REPO/refs/heads"
refused "prompt repository $REPO: $REPO/refs/heads is writable by group or others (mode 702), so another user could move its releases; refusing to start. chmod -R go-w $REPO"
chmod o-w "$REPO/refs/heads"
note "the same for the repository itself, its objects, and a ref file"
chmod g+w "$REPO"
refused "prompt repository $REPO is writable by group or others (mode 720)"
chmod g-w "$REPO"
chmod o+w "$REPO/objects"
refused "$REPO/objects is writable by group or others"
chmod o-w "$REPO/objects"
ref=$(find "$REPO/refs" -type f | head -n 1)
chmod 666 "$ref"
refused "$ref is writable by group or others (mode 666)"
chmod 600 "$ref"
note "a directory holding the repository that others can write (not sticky)"
chmod 777 "$T/repos"
refused "its directory $T/repos is writable by group or others (mode 777), so another user could replace it; refusing to use it"
chmod 755 "$T/repos"
note "a file in it that belongs to another user"
chown "$mallory" "$ref"
refused "belongs to uid $(id -u "$mallory") ($mallory), not to the daemon's user"
chown root "$ref"
note "a data dir that others can write"
chmod 777 "$T/data"
refused "data dir $T/data is writable by group or others (mode 777)"
chmod 700 "$T/data"

note "nothing was moved: production, fsck, the store and the chain are as they were"
start_daemon
assert_eq "$(g rev-parse production)" "$production"
g fsck --strict >/dev/null 2>&1 || fail "git fsck: $(g fsck --strict 2>&1)"
assert_eq "$(sqlite3 "$T/data/leitstand.db" 'PRAGMA integrity_check')" "ok"
assert_contains "$(ls_ audit verify --checkpoints "$T/cp/checkpoints")" "chain intact"
assert_contains "$(ls_ incident show 1)" "rolled back"
