#!/bin/bash
# The documentation stays true: generated tables match the binary, every command is documented.
. "$(dirname "$0")/../lib/lib.sh"
top=$TESTS/..

section() { sed -n "/<!-- $2 -->/,/<!-- \/$2 -->/p" "$1" | sed '1d;$d'; }

note "README key table is what the binary has"
diff -u <("$LEITSTAND" keys) <(section "$top/README.md" keys) || fail "README keys differ: run make docs"
note "README config table is what the binary has"
diff -u <("$LEITSTAND" config keys) <(section "$top/README.md" config) || fail "README config keys differ: run make docs"
note "docs/protocol.md op table is what the binary has"
diff -u <("$LEITSTAND" ops) <(section "$top/docs/protocol.md" ops) || fail "protocol ops differ: run make docs"
note "docs/protocol.md argument table is what the binary has"
diff -u <("$LEITSTAND" ops --args) <(section "$top/docs/protocol.md" op-args) ||
	fail "protocol op arguments differ: run make docs"
note "README shows the binary's help"
diff -u <(echo '```'; "$LEITSTAND" help; echo '```') <(section "$top/README.md" help) ||
	fail "README help differs: run make docs"
note "the man page is what the binary has, and renders without warnings"
diff -u <("$top/tools/gen-man" "$LEITSTAND") "$top/docs/leitstand.1" ||
	fail "docs/leitstand.1 differs: run make docs"
warn=$(groff -ww -man -z "$top/docs/leitstand.1" 2>&1) || fail "groff failed: $warn"
assert_eq "$warn" ""
note "every op has its arguments documented"
"$LEITSTAND" ops | sed -n 's/^| `\([a-z.]*\)` |.*/\1/p' | while read -r op; do
	grep -q "^| \(.*, \)\?\`$op\`\(, .*\)\? | [^|]* |$" "$top/docs/protocol.md" ||
		fail "no arguments row for $op"
done
note "the shipped config (the built-in defaults) sets every key of the fixed sections"
"$LEITSTAND" config check "$top/data/leitstand.ini" >/dev/null
"$LEITSTAND" config keys | sed -n 's/^| `\([a-z_]*\)\.\([a-z_]*\)` | \([^|]*\) |.*/\1 \2 \3/p' |
while read -r section key def; do
	sed -n "/^\[$section\]/,/^\[/p" "$top/data/leitstand.ini" | grep -q "^;\?$key =" ||
		fail "data/leitstand.ini lacks $section.$key"
done

note "the README's playbook example lints clean"
sed -n '/^~~~markdown$/,/^~~~$/p' "$top/README.md" | sed '1d;$d' >"$T/example.md"
[ -s "$T/example.md" ] || fail "README has no playbook example"
assert_eq "$("$LEITSTAND" playbook lint "$T/example.md")" "1 playbook: ok"
