#!/bin/bash
# Files the program creates in directories other users can write: in a team's shared working
# directory (group-writable, not sticky, so the kernel's protected_symlinks does not help)
# another user plants symlinks where the console's report, the -v logs and the audit
# checkpoint file go. Each is refused or written under a new name; the victims' files stay
# as they were and nothing is lost.
. "$(dirname "$0")/../lib/lib.sh"

need_root
alice=lta$$
mallory=ltm$$
group=ltg$$
test_users "$group" "$alice" "$mallory"
M=$(id -u "$mallory")
chmod 755 "$T"
TEAM=$T/team
mkdir -m 2770 "$TEAM"
chgrp "$group" "$TEAM"
mkdir -m 700 "$T/alice"
chown "$alice" "$T/alice"
echo "alice's own file" >"$T/alice/precious"
chown "$alice" "$T/alice/precious"
echo "root's own file" >"$T/root-precious"
chmod 644 "$T/root-precious"
asum=$(sha256sum <"$T/alice/precious")
rsum=$(sha256sum <"$T/root-precious")
unchanged() {
	assert_eq "$(sha256sum <"$T/alice/precious")" "$asum" "alice's file"
	assert_eq "$(sha256sum <"$T/root-precious")" "$rsum" "root's file"
}
plant() {
	runuser -u "$mallory" -- ln -s "$1" "$2"
}
# pid_then USER PIDFILE CMD...: runs CMD as USER in $TEAM once released by `go`; its pid is
# known before it starts (exec keeps it), so mallory can plant files named after it.
mkfifo -m 666 "$T/go"
pid_then() {
	local user=$1 pidfile=$2
	shift 2
	runuser -u "$user" -- bash -c 'echo $$ >"$0"; read -r _ <"$1"; cd "$2"; shift 3; exec "$@"' \
		"$pidfile" "$T/go" "$TEAM" -- "$@" &
	wait_for "[ -s '$pidfile' ]"
}
go() {
	echo go >"$T/go"
}

write_config <<EOF2
group = $group
[roles]
operator = $alice
admin = root
[audit]
checkpoint_file = $TEAM/checkpoints
EOF2
chmod 644 "$CFG"

note "the daemon's -v log: a symlink planted at its name is left alone, the log gets a new name"
touch "$T/pid.daemon" && chmod 666 "$T/pid.daemon" && : >"$T/pid.daemon"
pid_then root "$T/pid.daemon" "$LEITSTAND" -v -c "$CFG" serve >"$T/daemon.log" 2>&1
DAEMON_PID=$(cat "$T/pid.daemon")
PIDS+=("$DAEMON_PID")
plant "$T/root-precious" "$TEAM/leitstand-server-$DAEMON_PID.log"
go
wait_for "ls_ status"
assert_contains "$(cat "$T/daemon.log")" "leitstand-server-$DAEMON_PID.log exists; logging to leitstand-server-$DAEMON_PID-1.log"
assert_eq "$(stat -c '%U %a' "$TEAM/leitstand-server-$DAEMON_PID-1.log")" "root 600"
wait_for "grep -q 'listening on' '$TEAM/leitstand-server-$DAEMON_PID-1.log'"
unchanged

note "alice's console with -v: its log gets a new name, the planted one is left alone"
ls_ incident open --severity 2 --title "VPN down" >/dev/null
: >"$T/pid.alice" && chmod 666 "$T/pid.alice"
tmux_ -f /dev/null new-session -d -s a -c "$TEAM" -x 100 -y 30 \
	runuser -u "$alice" -- env -i PATH="$PATH" HOME="$T/alice" TERM=xterm-256color \
	LANG=C.UTF-8 bash -c 'echo $$ >"$0"; read -r _ <"$1"; shift 2; exec "$@"' \
	"$T/pid.alice" "$T/go" -- "$LEITSTAND" -v -c "$CFG"
TMUX_SESSIONS+=(a)
wait_for "[ -s '$T/pid.alice' ]"
apid=$(cat "$T/pid.alice")
plant "$T/alice/precious" "$TEAM/leitstand-client-$apid.log"
note "the console's report (w): a planted name is skipped, the path written is shown"
plant "$T/alice/precious" "$TEAM/incident-1-postmortem.md"
go
wait_screen a "connected"
assert_eq "$(stat -c '%U %a' "$TEAM/leitstand-client-$apid-1.log")" "$alice 600"
unchanged
keys a 2
wait_screen a "VPN down"
keys a w
wait_screen a "wrote $TEAM/incident-1-postmortem-1.md"
assert_contains "$(cat "$TEAM/incident-1-postmortem-1.md")" "VPN down"
assert_eq "$(stat -c '%U %a' "$TEAM/incident-1-postmortem-1.md")" "$alice 600"
note "a second report never truncates the first"
echo "alice's edits" >>"$TEAM/incident-1-postmortem-1.md"
keys a w
wait_screen a "wrote $TEAM/incident-1-postmortem-2.md"
assert_contains "$(cat "$TEAM/incident-1-postmortem-1.md")" "alice's edits"
unchanged

note "the checkpoint file: a symlink is refused, so is a file of another user's"
plant "$T/root-precious" "$TEAM/checkpoints"
expect_exit 1 ls_ audit checkpoint
assert_contains "$OUT" "$TEAM/checkpoints is a symlink; refusing to follow it"
runuser -u "$mallory" -- rm "$TEAM/checkpoints"
runuser -u "$mallory" -- sh -c "umask 0; echo 'leitstand-checkpoint v1 forged' >'$TEAM/checkpoints'"
expect_exit 1 ls_ audit checkpoint
assert_contains "$OUT" "$TEAM/checkpoints belongs to uid $M ($mallory), not to you (uid 0); refusing to append to it"
assert_eq "$(cat "$TEAM/checkpoints")" "leitstand-checkpoint v1 forged"
runuser -u "$mallory" -- rm "$TEAM/checkpoints"
ls_ audit checkpoint >/dev/null
assert_eq "$(stat -c '%U %a' "$TEAM/checkpoints")" "root 600"
unchanged

note "nothing lost: alice is served, the store and the chain are intact"
runuser -u "$alice" -- "$LEITSTAND" -c "$CFG" incident note 1 "routing fixed" >/dev/null
assert_contains "$(ls_ incident show 1)" "routing fixed"
assert_eq "$(sqlite3 "$T/data/leitstand.db" 'PRAGMA integrity_check')" "ok"
assert_contains "$(ls_ audit verify --checkpoints "$TEAM/checkpoints")" "chain intact"
