#!/bin/bash
# Another local user is first to create the victim's default socket directory
# (/tmp/leitstand-UID, where XDG_RUNTIME_DIR is unset: sudo, su, cron) and runs a fake daemon
# in it that answers with escape sequences and the pid of one of the victim's processes.
# The victim's commands, a note with a password and --demo refuse before sending anything;
# nothing is signalled; demo files planted as symlinks stay untouched; with a runtime
# directory of their own the victim is served as before.
. "$(dirname "$0")/../lib/lib.sh"

need_root
alice=lta$$
mallory=ltm$$
group=ltg$$
test_users "$group" "$alice" "$mallory"
A=$(id -u "$alice")
M=$(id -u "$mallory")
RUN=/tmp/leitstand-$A
[ ! -e "$RUN" ] || fail "$RUN exists before the test"
trap 'rm -rf "$RUN"; cleanup || exit 1' EXIT
chmod 755 "$T"
mkdir -p "$T/alice" "$T/mallory"
chown "$alice" "$T/alice"
chown "$mallory" "$T/mallory"
chmod 700 "$T/alice" "$T/mallory"
echo "alice's own file" >"$T/alice/precious"
chown "$alice" "$T/alice/precious"
sum=$(sha256sum <"$T/alice/precious")

# alice's command line: no XDG_RUNTIME_DIR, her own home.
alice_() {
	runuser -u "$alice" -- env -i PATH="$PATH" HOME="$T/alice" "$LEITSTAND" "$@" </dev/null
}

note "a process of alice's that the fake daemon names as the daemon's pid"
runuser -u "$alice" -- sleep 1000 &
bait_runner=$!
PIDS+=("$bait_runner")
wait_for "pgrep -u '$alice' -x sleep"
bait=$(pgrep -u "$alice" -x sleep)
PIDS+=("$bait")

note "mallory creates alice's default socket directory first, with a fake daemon in it"
runuser -u "$mallory" -- mkdir -m 755 "$RUN" "$RUN/demo"
LOG=$T/mallory/received
runuser -u "$mallory" -- python3 "$TESTS/lib/fake-daemon.py" "$RUN/default.sock" "$LOG" "$bait" &
PIDS+=($!)
wait_for "[ -e '$LOG.ready' ]"
runuser -u "$mallory" -- ln -s "$RUN/default.sock" "$RUN/demo.sock"
# Where --demo writes its config and logs: symlinks to alice's file.
for f in leitstand.ini prometheus.yml sim.log prometheus.log; do
	runuser -u "$mallory" -- ln -s "$T/alice/precious" "$RUN/demo/$f"
done

note "status refuses and says whose the directory is and what to do"
expect_exit 1 alice_ status
assert_contains "$OUT" "socket directory $RUN belongs to uid $M ($mallory), not to you: someone else created it; refusing to connect"
assert_contains "$OUT" "set XDG_RUNTIME_DIR"
assert_not_contains "$OUT" $'\e'

note "a note with a password is never sent"
expect_exit 1 alice_ incident note 1 "vpn password is hunter2"
assert_contains "$OUT" "refusing to connect"
note "a command that would start a daemon neither starts one nor uses mallory's directory"
expect_exit 1 alice_ audit list
assert_contains "$OUT" "refusing to connect"
! pgrep -u "$alice" -f "leitstand.*serve" >/dev/null || fail "a daemon was started for alice"

note "--demo refuses before it signals, spawns or writes anything"
expect_exit 1 alice_ --demo
assert_contains "$OUT" "belongs to uid $M ($mallory), not to you"
assert_not_contains "$OUT" "starting the simulator"

note "the fake daemon received nothing; the bait lives; alice's file is unchanged"
[ ! -s "$LOG" ] || fail "the fake daemon received: $(cat "$LOG")"
[ ! -e "$LOG.conns" ] || fail "a client connected to the fake daemon"
kill -0 "$bait" || fail "alice's process $bait was signalled"
assert_eq "$(sha256sum <"$T/alice/precious")" "$sum" "alice's file"
[ ! -e "$T/alice/.local" ] || fail "alice's data dir was created: $(ls -R "$T/alice/.local")"

note "a configured socket in a directory others can write is refused too"
mkdir -m 1777 "$T/shared-run"
runuser -u "$mallory" -- ln -s "$RUN/default.sock" "$T/shared-run/leitstand.sock"
printf '[daemon]\nsocket = %s/shared-run/leitstand.sock\n' "$T" >"$T/shared.ini"
chmod 644 "$T/shared.ini"
expect_exit 1 alice_ -c "$T/shared.ini" status
assert_contains "$OUT" "socket directory $T/shared-run is writable by group or others (mode 1777)"

note "a listener of another uid in alice's own directory is refused after connect, before sending"
mkdir -m 700 "$T/alice/run"
chown "$alice" "$T/alice/run"
LOG2=$T/root-received
python3 "$TESTS/lib/fake-daemon.py" "$T/alice/run/leitstand.sock" "$LOG2" "$bait" &
PIDS+=($!)
wait_for "[ -e '$LOG2.ready' ]"
chown "$alice" "$T/alice/run/leitstand.sock"
printf '[daemon]\nsocket = %s/alice/run/leitstand.sock\n' "$T" >"$T/peer.ini"
chmod 644 "$T/peer.ini"
expect_exit 1 alice_ -c "$T/peer.ini" incident note 1 "vpn password is hunter2"
assert_contains "$OUT" "the daemon on $T/alice/run/leitstand.sock runs as uid 0 (root), not as uid $A ($alice) who owns its directory; refusing to talk to it"
[ ! -s "$LOG2" ] || fail "the listener received: $(cat "$LOG2")"

note "with a runtime directory of her own alice is served: a daemon of hers, the store intact"
mkdir -m 700 "$T/alice/rt"
chown "$alice" "$T/alice/rt"
alice_rt() {
	runuser -u "$alice" -- env -i PATH="$PATH" HOME="$T/alice" XDG_RUNTIME_DIR="$T/alice/rt" \
		"$LEITSTAND" "$@" </dev/null
}
out=$(alice_rt audit verify)
assert_contains "$out" "chain intact"
DATA=$T/alice/.local/share/leitstand
PIDS+=("$(head -n 1 "$DATA/daemon.lock")")
out=$(alice_rt incident open --severity 2 --title "VPN down")
alice_rt incident note 1 "vpn password is hunter2" >/dev/null
assert_contains "$(alice_rt incident show 1)" "VPN down"
assert_eq "$(stat -c '%U %a' "$T/alice/rt/leitstand")" "$alice 700"
assert_eq "$(stat -c '%U %a' "$DATA")" "$alice 700"
assert_eq "$(sqlite3 "$DATA/leitstand.db" 'PRAGMA integrity_check')" "ok"
[ ! -s "$LOG" ] || fail "the fake daemon received: $(cat "$LOG")"
kill -0 "$bait" || fail "alice's process $bait was signalled"
assert_eq "$(sha256sum <"$T/alice/precious")" "$sum" "alice's file"
