#!/bin/sh
# heapcheck-report merge: dedup on (kind, fingerprint), sums, occurrences, pids, commands,
# summaries, merging merged reports, atomic output.
. "$HC_TESTLIB"

case_ "merge four reports"
report merge -o "$W/merged.json" "$FIX/leak.json" "$FIX/leak2.json" "$FIX/overflow.json" \
    "$FIX/suppressed.json"
expect_rc 0
[ -s "$W/merged.json" ] || fail "no output file"
grep -q '"heapcheck_report": 1' "$W/merged.json" || fail "not format version 1"
grep -q '"commands"' "$W/merged.json" || fail "no commands array"
grep -q '"merged_reports": 4' "$W/merged.json" || fail "merged_reports is not 4"
if grep -q '"command":' "$W/merged.json"; then fail "a single command is left"; fi

case_ "the merged report is a report: findings summed and deduplicated"
cat >"$W/expect-merged.json" <<'JSON'
[
  { "kind": "leak-definite", "fingerprint": "0b8e7f6a1c2d3e4f", "count": 1,
    "bytes": 160, "blocks": 5, "indirect_bytes": 48, "indirect_blocks": 3 },
  { "kind": "leak-definite", "fingerprint": "aaaabbbbccccdddd", "count": 1, "bytes": 8, "blocks": 1 },
  { "kind": "leak-definite", "count": 2 },
  { "kind": "leak-possible", "count": 1, "bytes": 16 },
  { "kind": "leak-reachable", "count": 1, "bytes": 100 },
  { "kind": "leak-definite", "suppressed": true, "count": 1, "bytes": 24 },
  { "kind": "heap-buffer-overflow", "count": 1, "block_size": 13, "offset": 13,
    "stack": "alloc", "frame": "new_name", "file": "names.c", "line": 20 },
  { "kind": "double-free", "count": 1 }
]
JSON
report check --exact --expect "$W/expect-merged.json" "$W/merged.json"
expect_rc 0

case_ "occurrences, pids, commands and summed summary"
report show "$W/merged.json"
expect_rc 0
expect_out "merged from 4 processes (pids 1001, 1002, 1003, 1004)"
expect_out "command: ./leaky arg1"
expect_out "command: ./leaky --again"
expect_out "command: ./uses-libfoo"
expect_out "occurrences: 2 (pids 1001, 1002)"
expect_out "occurrences: 1 (pid 1003)"
expect_out "heap:            356 bytes in 12 blocks in use at exit; 35 allocations, 24 frees, 5213 bytes allocated"
expect_out "definitely lost: 168 bytes in 6 blocks"
expect_out "indirectly lost: 48 bytes in 3 blocks"
expect_out "suppressed:      24 bytes in 1 block"
expect_out "errors:          2 (heap-buffer-overflow: 1, double-free: 1)"
expect_out "exit status:     23 (set by heapcheck)"
expect_out "suppression leak:libfoo.so* (supp.txt:3): matched 1"
# the first group keeps the stack of its first occurrence
expect_out "#2 /lib/x86_64-linux-gnu/libc.so.6+0x29d90"

case_ "options differ: dropped; options equal: kept"
grep -q '"options"' "$W/merged.json" && fail "differing options kept"
report merge -o "$W/same-opts.json" "$FIX/leak.json" "$FIX/leak2.json"
expect_rc 0
grep -q '"options": "exitcode=23:leak_check=full"' "$W/same-opts.json" || fail "common options lost"

case_ "merging a merged report again"
report merge -o "$W/merged2.json" "$W/merged.json" "$FIX/leak.json"
expect_rc 0
report show "$W/merged2.json"
expect_out "merged from 4 processes"
expect_out "occurrences: 3 (pids 1001, 1002)"
expect_out "definitely lost: 232 bytes in 8 blocks"
cat >"$W/expect-merged2.json" <<'JSON'
[ { "kind": "leak-definite", "fingerprint": "0b8e7f6a1c2d3e4f", "count": 1,
    "bytes": 224, "blocks": 7, "indirect_bytes": 80, "indirect_blocks": 4 } ]
JSON
report check --expect "$W/expect-merged2.json" "$W/merged2.json"
expect_rc 0
grep -q '"merged_reports": 5' "$W/merged2.json" || fail "merged_reports is not 5"

case_ "same report twice: one pid, two occurrences"
report merge -o "$W/twice.json" "$FIX/overflow.json" "$FIX/overflow.json"
expect_rc 0
report show "$W/twice.json"
expect_out "occurrences: 2 (pid 1003)"
expect_out "errors:          4 (heap-buffer-overflow: 2, double-free: 2)"

case_ "clean reports: exit_status stays null"
report merge -o "$W/clean.json" "$FIX/clean.json" "$FIX/clean.json"
expect_rc 0
grep -q '"exit_status": null' "$W/clean.json" || fail "exit_status not null"
report check "$W/clean.json"
expect_rc 0

case_ "what fails a process fails the merged report, in either order"
mk() { # mk NAME INCOMPLETE KINDS REJECTED
    printf '{"heapcheck_report":2,"pid":%s,"summary":{"error_count":0,"counted_leak_kinds":%s,"incomplete":%s,"incomplete_reason":%s,"options_rejected":%s,"text_lost":%s}}' \
        "$(printf %s "$1" | wc -c)" "$3" "$2" "$([ "$2" = true ] && echo '"no memory"' || echo null)" "$4" "$2" >"$W/$1.json"
}
mk a false '["leak-definite"]' '[]'
mk bb true '["leak-definite","leak-possible"]' '["unwind"]'
for order in "a bb" "bb a"; do
    set -- $order
    report merge -o "$W/m.json" "$W/$1.json" "$W/$2.json"
    expect_rc 0
    python3 - "$W/m.json" <<'PY' || fail "merged summary ($order)"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["incomplete"] is True and s["text_lost"] is True, s
assert s["incomplete_reason"] == "no memory", s
assert sorted(s["counted_leak_kinds"]) == ["leak-definite", "leak-possible"], s
assert s["options_rejected"] == ["unwind"], s
PY
done
# A report that records no policy was judged with definite and possible leaks counted: so is its
# part of a merge with one that records a narrower policy.
report merge -o "$W/m.json" "$W/a.json" "$FIX/clean.json"
expect_rc 0
grep -q '"leak-possible"' "$W/m.json" || fail "the older report's policy is not in the merged one"

case_ "--output= form, output to stdout with -o -"
report merge --output="$W/long.json" "$FIX/clean.json"
expect_rc 0
[ -s "$W/long.json" ] || fail "no output file"
report merge -o - "$FIX/leak.json"
expect_rc 0
expect_out '"heapcheck_report": 1'
expect_out '"occurrences": 1'

case_ "a bad input: exit 2, the old output untouched, no temporary file left"
echo "previous content" >"$W/keep.json"
report merge -o "$W/keep.json" "$FIX/leak.json" "$FIX/truncated.json"
expect_rc 2
expect_err "truncated.json:"
[ "$(cat "$W/keep.json")" = "previous content" ] || fail "output overwritten"
ls "$W" | grep -q 'keep.json.tmp' && fail "temporary file left"

case_ "an output that cannot be written"
report merge -o "$W/no/such/dir/out.json" "$FIX/leak.json"
expect_rc 2
expect_err "cannot create '$W/no/such/dir/out.json.tmp."
[ -e "$W/no" ] && fail "created something"

finish
