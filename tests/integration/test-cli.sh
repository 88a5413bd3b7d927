#!/bin/bash
# The CLI against a real daemon: status, config check, usage errors.
. "$(dirname "$0")/../lib/lib.sh"

write_config </dev/null
note "status without a daemon says so and starts none"
expect_exit 1 ls_ status
assert_contains "$OUT" "no daemon at $SOCK"
[ ! -e "$SOCK" ] || fail "status started a daemon"

start_daemon
note "status, human and JSON"
out=$(ls_ status)
assert_contains "$out" "data dir  $T/data"
assert_contains "$out" "user      $(id -un)"
assert_contains "$out" "role      admin"
json=$(ls_ status --json)
assert_eq "$(echo "$json" | json_get socket)" "$SOCK"
assert_eq "$(echo "$json" | json_get role)" "admin"
assert_eq "$(echo "$json" | json_get clients)" "1"
assert_eq "$(echo "$json" | json_get pid)" "$DAEMON_PID"

note "usage errors exit 2"
expect_exit 2 ls_ no-such-command
assert_contains "$OUT" 'unknown command "no-such-command"'
expect_exit 2 ls_ status --bogus
assert_contains "$OUT" "usage: leitstand status"
expect_exit 2 ls_ audit list --limit 0
assert_contains "$OUT" "--limit"

note "config check: ok, and every error with file:line"
out=$("$LEITSTAND" config check "$CFG")
assert_eq "$out" "$CFG: ok"
cat >"$T/bad.ini" <<'INI'
; a comment

[daemon]
max_line = 12
colour = blue
[roles]
admin = alice
admin = bob
default = superuser
[nosuch]
x = 1
INI
expect_exit 1 "$LEITSTAND" config check "$T/bad.ini"
assert_contains "$OUT" "$T/bad.ini:4: daemon.max_line: \"12\" is not an integer from 1024 to 16777216"
assert_contains "$OUT" "$T/bad.ini:5: daemon.colour: unknown key"
assert_contains "$OUT" "$T/bad.ini:8: roles.admin: set twice"
assert_contains "$OUT" "$T/bad.ini:9: roles.default: \"superuser\" is not one of none, viewer"
assert_contains "$OUT" "$T/bad.ini:11: unknown section [nosuch]"
printf '[daemon\n' >"$T/syntax.ini"
expect_exit 1 "$LEITSTAND" config check "$T/syntax.ini"
assert_contains "$OUT" "$T/syntax.ini:1: syntax error"
expect_exit 1 "$LEITSTAND" config check "$T/missing.ini"
assert_contains "$OUT" "$T/missing.ini: No such file or directory"
note "a broken config stops the daemon from starting, with the reason"
expect_exit 1 "$LEITSTAND" -c "$T/bad.ini" serve
assert_contains "$OUT" "daemon.colour: unknown key"

note "the shipped default config is valid"
"$LEITSTAND" config check "$TESTS/../data/leitstand.ini" >/dev/null

stop_daemon
[ ! -e "$SOCK" ] || fail "SIGTERM left the socket behind"
