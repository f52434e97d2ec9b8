#!/bin/sh
# heapcheck-report check --expect [--exact]: every expectation key, passing and failing.
. "$HC_TESTLIB"

# expect NAME JSON: writes $W/NAME.json
expect() {
    printf '%s\n' "$2" >"$W/$1.json"
}

# pass NAME REPORT [--exact] / fail NAME REPORT [--exact]
pass() {
    case_ "$1 passes on $(basename "$2")"
    report check --expect "$W/$1.json" ${3:-} "$2"
    expect_rc 0
    expect_out "passed:"
}
fail_() {
    case_ "$1 fails on $(basename "$2")"
    report check --expect "$W/$1.json" ${3:-} "$2"
    expect_rc 1
    expect_out "FAIL "
    expect_out "findings in $2:"
}

L="$FIX/leak.json"
L2="$FIX/leak2.json"
O="$FIX/overflow.json"
S="$FIX/suppressed.json"

# kind alone: at least one
expect kind '[ {"kind": "leak-definite"} ]'
pass kind "$L"
fail_ kind "$O"

# the numbers of a leak group
expect leak-numbers '[ {"kind": "leak-definite", "bytes": 64, "blocks": 2, "indirect_bytes": 32, "indirect_blocks": 1} ]'
pass leak-numbers "$L"
expect wrong-bytes '[ {"kind": "leak-definite", "bytes": 65} ]'
fail_ wrong-bytes "$L"
expect wrong-blocks '[ {"kind": "leak-definite", "blocks": 3} ]'
fail_ wrong-blocks "$L"
expect wrong-indirect-bytes '[ {"kind": "leak-definite", "indirect_bytes": 0} ]'
fail_ wrong-indirect-bytes "$L"
expect wrong-indirect-blocks '[ {"kind": "leak-definite", "indirect_blocks": 2} ]'
fail_ wrong-indirect-blocks "$L"

# block_size and offset of an error
expect block '[ {"kind": "heap-buffer-overflow", "block_size": 13, "offset": 13} ]'
pass block "$O"
expect wrong-offset '[ {"kind": "heap-buffer-overflow", "block_size": 13, "offset": 12} ]'
fail_ wrong-offset "$O"
expect wrong-block-size '[ {"kind": "double-free", "block_size": 13} ]'
fail_ wrong-block-size "$O"

# count: exactly N
expect count2 '[ {"kind": "leak-definite", "count": 2} ]'
pass count2 "$L2"
fail_ count2 "$L"
expect count0 '[ {"kind": "leak-possible", "count": 0} ]'
pass count0 "$L2"
fail_ count0 "$L"

# absent
expect absent '[ {"kind": "use-after-free", "absent": true}, {"kind": "double-free"} ]'
pass absent "$O"
expect absent-bad '[ {"kind": "double-free", "absent": true} ]'
fail_ absent-bad "$O"
expect absent-narrow '[ {"kind": "leak-definite", "bytes": 1000, "absent": true} ]'
pass absent-narrow "$L"

# stack selection and a frame pattern on one frame
expect alloc-frame '[ {"kind": "heap-buffer-overflow", "stack": "alloc", "frame": "new_name", "file": "names.c", "line": 20} ]'
pass alloc-frame "$O"
expect detected-not-alloc '[ {"kind": "heap-buffer-overflow", "stack": "detected", "frame": "new_name"} ]'
fail_ detected-not-alloc "$O"
expect free-frame '[ {"kind": "double-free", "stack": "free", "frame": "cleanup", "line": 65} ]'
pass free-frame "$O"
expect free-missing '[ {"kind": "heap-buffer-overflow", "stack": "free"} ]'
fail_ free-missing "$O"
expect detected-stack '[ {"kind": "double-free", "stack": "detected"} ]'
pass detected-stack "$O"
expect any-stack '[ {"kind": "heap-buffer-overflow", "frame": "malloc"} ]'
pass any-stack "$O"
expect one-frame '[ {"kind": "heap-buffer-overflow", "frame": "copy_name", "file": "names.c", "line": 27} ]'
pass one-frame "$O"
# copy_name is on line 27 and main on line 50: no ONE frame has both
expect two-frames '[ {"kind": "heap-buffer-overflow", "frame": "copy_name", "line": 50} ]'
fail_ two-frames "$O"
expect wrong-file '[ {"kind": "heap-buffer-overflow", "frame": "copy_name", "file": "other.c"} ]'
fail_ wrong-file "$O"
expect file-path '[ {"kind": "heap-buffer-overflow", "file": "src/names.c", "line": 27} ]'
pass file-path "$O"
expect file-partial '[ {"kind": "heap-buffer-overflow", "file": "rc/names.c"} ]'
fail_ file-partial "$O"
expect leak-stack '[ {"kind": "leak-definite", "stack": "leak", "frame": "make_list", "file": "leaky.c", "line": 12} ]'
pass leak-stack "$L"
expect leak-alloc '[ {"kind": "leak-definite", "stack": "alloc", "frame": "main", "line": 30} ]'
pass leak-alloc "$L"
expect leak-on-error '[ {"kind": "heap-buffer-overflow", "stack": "leak"} ]'
fail_ leak-on-error "$O"
expect inlined '[ {"kind": "leak-possible", "frame": "grow_buf", "file": "buf.c", "line": 40} ]'
pass inlined "$L"

# fingerprint
expect fp '[ {"kind": "leak-definite", "fingerprint": "aaaabbbbccccdddd", "bytes": 8} ]'
pass fp "$L2"
fail_ fp "$L"

# several expectations: every one must hold, the failing one is named
expect several '[ {"kind": "leak-definite"}, {"kind": "leak-possible", "bytes": 17}, {"kind": "leak-reachable"} ]'
fail_ several "$L"
expect_out 'FAIL expectation [1] {"kind":"leak-possible","bytes":17}: no finding matches'
expect_no_out 'FAIL expectation [0]'
expect_no_out 'FAIL expectation [2]'
expect_out "leaks[0] leak-definite 0b8e7f6a1c2d3e4f bytes=64 blocks=2 indirect_bytes=32 indirect_blocks=1"
expect_out "leak: make_list leaky.c:12 | main leaky.c:30 | libc.so.6+0x29d90"
expect_out "FAILED: 1 of 3 expectations not met"

# count failure message
fail_ count2 "$L"
expect_out 'expected 2 matching findings, found 1'

# --exact: every finding must be expected
expect one-error '[ {"kind": "heap-buffer-overflow"} ]'
pass one-error "$O"
fail_ one-error "$O" --exact
expect_out "FAIL finding not matched by any expectation (--exact): errors[1] double-free d0d0d0d0d0d0d0d0"
expect both-errors '[ {"kind": "heap-buffer-overflow"}, {"kind": "double-free"} ]'
pass both-errors "$O" --exact
expect all-leaks '[ {"kind": "leak-definite"}, {"kind": "leak-possible"} ]'
fail_ all-leaks "$L" --exact
expect_out "leak-reachable 5555666677778888"
expect nothing '[]'
pass nothing "$FIX/clean.json" --exact
fail_ nothing "$L" --exact

# suppressed leaks are invisible unless asked for
pass nothing "$S" --exact
expect supp-default '[ {"kind": "leak-definite"} ]'
fail_ supp-default "$S"
expect supp '[ {"kind": "leak-definite", "suppressed": true, "bytes": 24, "frame": "main", "file": "uses.c"} ]'
pass supp "$S" --exact
expect supp-false '[ {"kind": "leak-definite", "suppressed": false} ]'
pass supp-false "$L"
fail_ supp-false "$S"

# bad expectation files: exit 2 and a message
bad() {
    case_ "bad expectations: $1"
    printf '%s\n' "$2" >"$W/bad.json"
    report check --expect "$W/bad.json" "$L"
    expect_rc 2
    expect_err "$3"
    [ -s "$OUT" ] && fail "printed a result"
}
bad "not an array" '{"kind": "leak-definite"}' "bad.json: expected a JSON array of expectations"
bad "no kind" '[ {"bytes": 3} ]' 'bad.json: expectation [0]: has no "kind"'
bad "unknown key" '[ {"kind": "leak-definite", "byte": 64} ]' 'bad.json: expectation [0]: unknown key "byte"'
bad "bytes not an integer" '[ {"kind": "leak-definite", "bytes": "64"} ]' 'needs an integer for "bytes"'
bad "stack value" '[ {"kind": "leak-definite"}, {"kind": "leak-definite", "stack": "heap"} ]' 'expectation [1]: "stack" must be alloc, free, detected or leak'
bad "negative count" '[ {"kind": "leak-definite", "count": -1} ]' 'needs an integer >= 0 for "count"'
bad "absent not a bool" '[ {"kind": "leak-definite", "absent": 1} ]' 'needs true or false for "absent"'
bad "absent and count" '[ {"kind": "leak-definite", "absent": true, "count": 2} ]' 'has both "absent": true and a non-zero "count"'
bad "not an object" '[ "leak-definite" ]' 'expectation [0]: is not an object'
bad "invalid JSON" '[ {"kind": "leak-definite",} ]' 'bad.json:1:'

case_ "missing expectation file"
report check --expect "$W/none.json" "$L"
expect_rc 2
expect_err "cannot open '$W/none.json': No such file or directory"

finish
