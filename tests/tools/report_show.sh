#!/bin/sh
# heapcheck-report show: errors, leaks with their stacks, summary.
. "$HC_TESTLIB"

case_ "clean report"
report show "$FIX/clean.json"
expect_rc 0
expect_out "== $FIX/clean.json: pid 1000 (ppid 999): ./clean"
expect_out "no errors, no leaks"
expect_out "errors:          0"
expect_out "exit status:     the program's own"

case_ "leaks with stacks"
report show "$FIX/leak.json"
expect_rc 0
expect_out "LEAK leak-definite [0b8e7f6a1c2d3e4f]: 64 bytes in 2 blocks (+ 32 bytes in 1 block indirectly lost)"
expect_out "#0 make_list /src/leaky.c:12"
expect_out "#1 main /src/leaky.c:30"
expect_out "#2 /lib/x86_64-linux-gnu/libc.so.6+0x29d90"
expect_out "#0 grow_buf /src/buf.c:40 [inlined]"
expect_out "LEAK leak-reachable [5555666677778888]"
expect_out "definitely lost: 64 bytes in 2 blocks"
expect_out "exit status:     23 (set by heapcheck)"

case_ "errors with every stack"
report show "$FIX/overflow.json"
expect_rc 0
expect_out "ERROR heap-buffer-overflow [9c1f3a0d5e7b2c11]: 1 byte after the 13-byte block"
expect_out "block 0x55d0c0a12000 of 13 bytes, offset 13"
expect_out "expected cacacacacacacaca"
expect_out "found    41cacacacacacaca"
expect_out "detected at:"
expect_out "allocated at:"
expect_out "freed at:"
expect_out "#0 malloc (/build/lib/libheapcheck.so+0x4a10)"
expect_out "#1 cleanup /src/names.c:65"
expect_out "errors:          2 (heap-buffer-overflow: 1, double-free: 1)"

case_ "suppressed leak"
report show "$FIX/suppressed.json"
expect_rc 0
expect_out "suppressed by: leak:libfoo.so*"
expect_out "suppression leak:libfoo.so* (supp.txt:3): matched 1"

case_ "several reports, and stdin"
report show "$FIX/clean.json" - "$FIX/overflow.json" <"$FIX/leak.json"
expect_rc 0
expect_out "== $FIX/clean.json"
expect_out "== -: pid 1001"
expect_out "== $FIX/overflow.json"

case_ "unknown keys are ignored, unknown stacks still shown"
report show "$FIX/unknown-keys.json"
expect_rc 0
expect_out "ERROR use-after-free [fefefefefefefefe]"
expect_out "new_stack_kind stack:"
expect_out "#0 future u.c:9"

case_ "a missing fingerprint is computed: version 1, names and a module's base name"
report show "$FIX/no-fingerprint.json"
expect_rc 0
expect_out "LEAK leak-definite [$(fnv1a64 'leak-definite\nmake_list\nmain\nlibc.so.6')]"

case_ "a missing fingerprint is computed: version 2, the line within the innermost function known"
report show "$FIX/no-fingerprint-v2.json"
expect_rc 0
expect_out "LEAK leak-definite [$(fnv1a64 'leak-definite\nstrdup\nmake_name@4\nmain\nlibc.so.6')]"
expect_out "ERROR double-free [$(fnv1a64 'double-free\nrelease@-2\nmain')]"

case_ "control characters in the report never reach the terminal"
report show "$FIX/control-chars.json"
expect_rc 0
expect_out './leaky a\tb\nc\x1b[31m'
expect_out 'evil?]0;title?name'
if LC_ALL=C grep -q "$(printf '\033')" "$OUT"; then fail "an escape character was printed"; fi

case_ "one bad report: nothing printed"
report show "$FIX/clean.json" "$FIX/truncated.json"
expect_rc 2
[ -s "$OUT" ] && fail "printed something"

finish
