#!/bin/bash
# Roles: the daemon checks every request; refusals are answered and audited.
. "$(dirname "$0")/../lib/lib.sh"

me=$(id -un)
write_config <<EOF2
[roles]
owner = viewer
EOF2
start_daemon

note "a viewer may read"
assert_contains "$(ls_ status)" "role      viewer"
ls_ audit verify >/dev/null

note "a viewer may not export the audit log or reload the config"
expect_exit 1 ls_ audit export
assert_contains "$OUT" "forbidden"
assert_contains "$OUT" "audit.export needs role admin; $me is viewer"
expect_exit 1 ls_ config reload
assert_contains "$OUT" "config.reload needs role admin"

note "each refusal is an audit entry; a viewer sees no details"
out=$(ls_ audit list --json)
assert_eq "$(echo "$out" | json_get entries.0.action)" "denied"
assert_eq "$(echo "$out" | json_get entries.0.object)" "config.reload"
assert_eq "$(echo "$out" | json_get entries.1.object)" "audit.export"
assert_eq "$(echo "$out" | json_get entries.1.actor)" "$me"
assert_not_contains "$out" '"details"'

note "roles change with SIGHUP, for connected clients too"
write_config <<EOF2
[roles]
owner = viewer
admin = $me
EOF2
kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'role      admin'"
out=$(ls_ audit list --json)
assert_eq "$(echo "$out" | json_get entries.0.action)" "config.reload"
assert_eq "$(echo "$out" | json_get entries.0.role)" "daemon"
assert_contains "$(echo "$out" | json_get entries.0.details)" "SIGHUP"
ls_ config reload >/dev/null
ls_ audit export --format csv >"$T/audit.csv"
assert_eq "$(wc -l <"$T/audit.csv")" "6" "header + 5 entries (the first: the prompt repository's import)"
assert_contains "$(sed -n 6p "$T/audit.csv")" ",$me,admin,config.reload,$CFG,"

note "a config that names a user under no role and refuses others"
write_config <<EOF2
[roles]
owner = none
default = none
EOF2
ls_ config reload >/dev/null
expect_exit 1 ls_ status
assert_contains "$OUT" "user $me has no role on this daemon"

note "--readonly and [console] readonly are reported"
write_config <<EOF2
[console]
readonly = $me
EOF2
kill -HUP "$DAEMON_PID"
wait_for "ls_ status | grep -q 'admin (read-only)'"
