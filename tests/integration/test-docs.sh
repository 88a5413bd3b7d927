#!/bin/bash
# The documentation stays true: generated tables match the binary, every command is documented.
. "$(dirname "$0")/../lib/lib.sh"
top=$TESTS/..

section() { sed -n "/<!-- $2 -->/,/<!-- \/$2 -->/p" "$1" | sed '1d;$d'; }

note "README key table is what the binary has"
diff -u <("$LEITSTAND" keys) <(section "$top/README.md" keys) || fail "README keys differ: paste 'leitstand keys'"
note "README config table is what the binary has"
diff -u <("$LEITSTAND" config keys) <(section "$top/README.md" config) || fail "README config keys differ: paste 'leitstand config keys'"
note "docs/protocol.md op table is what the binary has"
diff -u <("$LEITSTAND" ops) <(section "$top/docs/protocol.md" ops) || fail "protocol ops differ: paste 'leitstand ops'"
note "README shows the binary's help"
"$LEITSTAND" help | while IFS= read -r line; do
	grep -qxF -- "$line" "$top/README.md" || fail "README lacks help line: $line"
done
note "every op has its arguments documented"
"$LEITSTAND" ops | sed -n 's/^| `\([a-z.]*\)` |.*/\1/p' | while read -r op; do
	grep -q "^| \`$op\` | [^|]* |$" "$top/docs/protocol.md" || fail "no arguments row for $op"
done
note "the shipped config names every key with its default"
"$LEITSTAND" config check "$top/data/leitstand.ini" >/dev/null
"$LEITSTAND" config keys | sed -n 's/^| `\([a-z_]*\)\.\([a-z_]*\)` | \([^|]*\) |.*/\1 \2 \3/p' |
while read -r section key def; do
	sed -n "/^\[$section\]/,/^\[/p" "$top/data/leitstand.ini" | grep -q "^;\?$key =" ||
		fail "data/leitstand.ini lacks $section.$key"
done
