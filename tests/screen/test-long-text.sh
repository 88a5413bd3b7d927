#!/bin/bash
# Long text in the console: an incident's timeline scrolls by rows, so the entries after a
# 40-line note are reachable; a run with ten 64 KB notes and a 1 MB paragraph still answers
# every key (the layout is linear in the text and kept per width). g and G rather than Home
# and End: tmux sends those as \e[1~ and \e[4~, which TERM=xterm-256color does not name.
. "$(dirname "$0")/../lib/lib.sh"

# A playbook whose first step is one paragraph of about 1 MB (the library's limit is 1 MiB).
mkdir -p "$T/pb/en"
python3 - "$T/pb/en/long-text.md" <<'EOF2'
import random, sys
random.seed(12)
words = ['alpha', 'beta', 'gamma', 'delta', 'Grüße', '日本語', '**strong**', '`code`']
out, n = [], 0
while n < 1000000:
    w = random.choice(words)
    out.append(w)
    n += len(w.encode()) + 1
open(sys.argv[1], 'w').write('''---
id: long-text
title: Long text
version: 1
lang: en
level: L1
owner: test
---

A step with a long paragraph.

## Read the long paragraph
START-OF-PARAGRAPH %s END-OF-PARAGRAPH

- [ ] First item
- [ ] Second item

## Second step
Short.
''' % ' '.join(out))
EOF2
# Notes of 64 000 bytes (a request holds at most 64 KiB), one paragraph each, numbered at
# both ends: run notes 1-10 and incident notes i1-i10, written once.
mkdir -p "$T/notes"
python3 - "$T/notes" <<'EOF2'
import sys
body = " ".join("word%d" % i for i in range(20000))
for n in [str(i) for i in range(1, 11)] + ["i%d" % i for i in range(1, 11)]:
    text = ("NOTE-%s-START " % n + body)[:64000 - 16] + " NOTE-%s-END" % n
    open("%s/%s" % (sys.argv[1], n), "w").write(text)
EOF2

write_config <<EOF2
[playbooks]
dir = $T/pb
EOF2
start_daemon

note "an incident with a 40-line note and three entries after it"
ls_ incident open --severity 2 --title "Scrolling by rows" >/dev/null
ls_ incident note 1 "$(for i in $(seq 1 40); do printf 'long note line %02d\n' "$i"; done)" >/dev/null
ls_ incident note 1 "after the long note: first" >/dev/null
ls_ incident note 1 "after the long note: second" >/dev/null
ls_ incident ack 1 >/dev/null

console a 100x30 TERM=xterm-256color LANG=C.UTF-8
wait_screen a "connected"
keys a : "incident 1" Enter
wait_screen a "#1 Scrolling by rows"
note "g (Home): the first rows; the entries after the note are below"
keys a g
wait_screen a "long note line 01"
wait_screen a "rows 1-"
assert_not_contains "$(screen_ a)" "after the long note: second"
note "j scrolls one row, PgDn a page, G (End) to the last rows: the later entries show"
keys a j
wait_screen a "rows 2-"
keys a PgDn
wait_screen a "long note line 30"
keys a G
wait_screen a "after the long note: second"
wait_screen a "acknowledged"
assert_not_contains "$(screen_ a)" "long note line 01"
keys a PgUp
wait_screen a "long note line 1"
keys a g
wait_screen a "long note line 01"

note "ten 64 KB notes on a run and on an incident, with a 1 MB paragraph in the step"
run=$(ls_ playbook run long-text --incident 1 | grep -o 'run [0-9]*' | awk '{ print $2 }')
[ -n "$run" ] || fail "no run started"
for i in $(seq 1 10); do
	ls_ run note "$run" 1 "$(cat "$T/notes/$i")" >/dev/null
	ls_ incident note 1 "$(cat "$T/notes/i$i")" >/dev/null
done
note "a longer note is refused with the limit named"
expect_exit 2 ls_ run note "$run" 1 "$(head -c 65537 /dev/zero | tr '\0' x)"
assert_contains "$OUT" "longer than 65536 bytes"

keys a Escape : "run $run" Enter
wait_screen a "step 1 of 2"
wait_screen a "START-OF-PARAGRAPH"
note "every key still answers: G, g, PgDn, Down, a note typed, the next step"
keys a G
wait_for "screen_ a | grep -qF NOTE-10-END" 60
keys a g
wait_for "screen_ a | grep -qF START-OF-PARAGRAPH" 60
keys a PgDn
wait_for "! screen_ a | grep -qF START-OF-PARAGRAPH" 60
keys a Down
wait_for "screen_ a | grep -qF '>[ ] Second item'" 60
keys a n
wait_for "screen_ a | grep -qF 'Note on step 1:'" 60
keys a "typed after the flood" Enter
wait_for "ls_ run show $run --json | grep -q 'typed after the flood'" 60
keys a G
wait_for "screen_ a | grep -qF 'typed after the flood'" 60
keys a Right
wait_for "screen_ a | grep -qF 'step 2 of 2'" 60
keys a Left
wait_for "screen_ a | grep -qF 'step 1 of 2'" 60

note "the incident's timeline with the same notes: G, g, and back to the list"
keys a : "incident 1" Enter
wait_for "screen_ a | grep -qF 'NOTE-i10-END'" 60
keys a g
wait_for "screen_ a | grep -qF 'long note line 01'" 60
keys a G
wait_for "screen_ a | grep -qF 'NOTE-i10-END'" 60
keys a Escape
wait_for "screen_ a | grep -qF 'Scrolling by rows'" 60
echo PASS
