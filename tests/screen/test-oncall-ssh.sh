#!/bin/bash
# The on-call story over real SSH: OpenSSH's sshd on a loopback port (temporary host key,
# key-only login) and two engineers whose consoles run through `ssh -t` in tmux. An alert
# fires in the real Alertmanager, alice acknowledges it and runs the suggested playbook, her
# connection drops mid-run and she resumes it, bob rolls back a prompt release, the alert
# resolves, alice resolves the incident; the handover and the audit log tell who did what.
. "$(dirname "$0")/../lib/lib.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for sshd and two test users"; exit 77; }
[ -x /usr/sbin/sshd ] || fail "sshd missing: apt-get install openssh-server"
alice=lta$$
bob=ltb$$
outsider=lto$$
group=ltg$$
groupadd "$group"
for u in "$alice" "$bob"; do
	useradd -M -N -g "$group" -s /bin/sh -d "$T" "$u"
done
useradd -M -N -s /bin/sh -d "$T" "$outsider"
# A locked account may not log in even with a key: no password at all instead.
for u in "$alice" "$bob" "$outsider"; do usermod -p '*' "$u"; done
trap 'rc=$?; cleanup || rc=1; for u in "$alice" "$bob" "$outsider"; do userdel "$u"; done;
	groupdel "$group"; exit $rc' EXIT
chmod 755 "$T"

note "sshd on a loopback port: temporary host key, public keys only"
mkdir -p "$T/ssh/keys" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host"
for u in "$alice" "$bob" "$outsider"; do
	ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/$u"
	cp "$T/ssh/$u.pub" "$T/ssh/keys/$u"
done
chmod 755 "$T/ssh" "$T/ssh/keys"
chmod 644 "$T"/ssh/keys/*
SSH_PORT=$(free_port)
cat >"$T/ssh/sshd_config" <<EOF2
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $T/ssh/host
PidFile $T/ssh/sshd.pid
AuthorizedKeysFile $T/ssh/keys/%u
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
StrictModes yes
AcceptEnv LANG
AllowUsers $alice $bob $outsider
EOF2
/usr/sbin/sshd -D -e -f "$T/ssh/sshd_config" 2>"$T/ssh/log" &
PIDS+=($!)
wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $SSH_PORT), 1)'"
ssh_() {
	local user=$1
	shift
	ssh -i "$T/ssh/$user" -p "$SSH_PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile="$T/ssh/known_hosts" -o LogLevel=ERROR "$user@127.0.0.1" "$@"
}
# A console over ssh in its own tmux session.
remote_console() {
	local user=$1 name=$2
	tmux_ -f /dev/null new-session -d -s "$name" -c "$T" -x 100 -y 30 \
		env LANG=C.UTF-8 TERM=xterm-256color ssh -t -i "$T/ssh/$user" -p "$SSH_PORT" \
		-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile="$T/ssh/known_hosts" \
		-o LogLevel=ERROR -o SendEnv=LANG "$user@127.0.0.1" "$LEITSTAND" -c "$CFG"
	TMUX_SESSIONS+=("$name")
}

start_alertmanager
start_sim
write_config <<EOF2
group = $group
[roles]
engineer = $alice
approver = $bob
[alertmanager]
url = $AM_URL
interval = 1s
[sim]
url = $SIM_URL
EOF2
chmod 644 "$CFG"
start_daemon

note "key-only login works; a user outside the daemon's group cannot reach its socket"
assert_eq "$(ssh_ "$alice" id -un)" "$alice"
expect_exit 1 ssh_ "$outsider" "$LEITSTAND" -c "$CFG" status
assert_contains "$OUT" "Permission denied"
[ "$(stat -c %a "$(dirname "$SOCK")")" = 750 ] || fail "socket directory is not 0750"

note "a release to roll back later: root proposes, bob approves"
ls_ prompt cat system.md >"$T/system.md"
echo "- Mention the new loyalty programme." >>"$T/system.md"
mkdir -p "$T/p" && mv "$T/system.md" "$T/p/system.md" && chmod -R a+rX "$T/p"
ls_ prompt propose -m "Loyalty programme" "$T/p/system.md" >/dev/null
ls_ prompt eval 1 >/dev/null
assert_contains "$(ssh_ "$bob" "$LEITSTAND" -c "$CFG" prompt approve 1)" "release/support/2"

note "an alert fires; alice's console over ssh shows the incident"
remote_console "$alice" a
wait_screen a "connected"
post_alert ProviderErrors chat critical "Provider returns 5xx"
keys a 2
wait_screen a "Provider returns 5xx"
wait_screen a "SEV1 1"

note "alice acknowledges and starts the suggested playbook; step 1 done"
keys a a
wait_screen a "acknowledged $alice"
keys a Enter
wait_screen a "api-errors"
keys a p
wait_screen a "Start a playbook for incident 1"
keys a Enter
wait_screen a "step 1 of"
keys a d
wait_screen a "step 2 of"

note "her ssh connection drops mid-run: the run is saved, the daemon is fine"
kill -KILL "$(tmux_ display-message -p -t a '#{pane_pid}')"
wait_for "! tmux_ has-session -t a 2>/dev/null || tmux_ display-message -p -t a '#{pane_dead}' | grep -q 1" 10
ls_ status >/dev/null
out=$(ls_ run show 1)
assert_contains "$out" "done"
assert_contains "$(ls_ run show 1 --json | json_get run.results.0.actor)" "$alice"

note "she logs in again and resumes where she stopped"
remote_console "$alice" a2
wait_screen a2 "connected"
keys a2 ":run 1" Enter
wait_screen a2 "step 2 of"

note "bob, over his own ssh session, rolls back the release"
remote_console "$bob" b
wait_screen b "connected"
keys b 4
wait_screen b "live: release/support/2"
keys b b
wait_screen b "Roll back: the release to restore"
keys b Enter
wait_screen b "released release/support/3"
assert_eq "$(git --git-dir="$T/data/prompts.git" rev-parse production:assistants/support)" \
	"$(git --git-dir="$T/data/prompts.git" rev-parse release/support/1:assistants/support)"

note "the alert resolves; alice resolves the incident"
post_alert ProviderErrors chat critical "Provider returns 5xx" resolved
wait_for "ls_ incident show 1 | grep -q 'recovered'" 15
keys a2 q
keys a2 2
wait_screen a2 "Provider returns 5xx"
keys a2 r
wait_screen a2 "Resolve #1"
keys a2 "provider fixed their deployment" Enter
wait_for "ls_ incident show 1 --json | json_get incident.status | grep -q resolved" 10

note "the handover tells it all, and the audit log names each user"
out=$(ls_ handover)
assert_contains "$out" "Provider returns 5xx"
assert_contains "$out" "resolved"
audit=$(ls_ audit list --limit 200 --json)
for want in "incident.ack $alice" "run.start $alice" "run.step $alice" \
    "incident.resolve $alice" "prompt.approve $bob" "prompt.rollback $bob"; do
	echo "$audit" | python3 -c 'import json,sys
want = sys.argv[1].split()
sys.exit(0 if any(e["action"] == want[0] and e["actor"] == want[1]
    for e in json.load(sys.stdin)["entries"]) else 1)' "$want" || fail "no audit entry: $want"
done
ls_ audit verify >/dev/null
