#!/bin/sh
# heapcheck-report diff: new and fixed findings by (kind, fingerprint), suppressed leaks ignored,
# exit 1 only when something is new.
. "$HC_TESTLIB"

case_ "a new finding: exit 1"
report diff "$FIX/leak.json" "$FIX/leak2.json"
expect_rc 1
expect_out "new   leak-definite aaaabbbbccccdddd 8 bytes in 1 block at parse_args args.c:21"
expect_out "fixed leak-possible 1111222233334444"
expect_out "fixed leak-reachable 5555666677778888"
expect_no_out "0b8e7f6a1c2d3e4f"
expect_out "1 new, 2 fixed"

case_ "only fixed findings: exit 0"
report diff "$FIX/leak.json" "$FIX/clean.json"
expect_rc 0
expect_count 3 "fixed leak-"
expect_out "0 new, 3 fixed"

case_ "identical reports: exit 0"
report diff "$FIX/overflow.json" "$FIX/overflow.json"
expect_rc 0
expect_out "0 new, 0 fixed"

case_ "new errors: exit 1"
report diff "$FIX/clean.json" "$FIX/overflow.json"
expect_rc 1
expect_out "new   heap-buffer-overflow 9c1f3a0d5e7b2c11 (1 byte after the 13-byte block) at copy_name names.c:27"
expect_out "new   double-free d0d0d0d0d0d0d0d0"
expect_out "2 new, 0 fixed"

case_ "a suppressed leak is not new"
report diff "$FIX/clean.json" "$FIX/suppressed.json"
expect_rc 0
expect_out "0 new, 0 fixed"

case_ "a suppressed leak is not fixed either"
report diff "$FIX/suppressed.json" "$FIX/clean.json"
expect_rc 0
expect_out "0 new, 0 fixed"

case_ "a leak that became suppressed counts as fixed"
sed 's/"suppressed_by": null/"suppressed_by": "leak:make_list"/' "$FIX/leak2.json" >"$W/leak2-supp.json"
report diff "$FIX/leak2.json" "$W/leak2-supp.json"
expect_rc 0
expect_out "0 new, 2 fixed"

case_ "merged reports diff against single ones"
report merge -o "$W/merged.json" "$FIX/leak.json" "$FIX/leak2.json"
expect_rc 0
report diff "$W/merged.json" "$FIX/leak2.json"
expect_rc 0
expect_out "0 new, 2 fixed"

case_ "--json"
report diff --json "$FIX/leak.json" "$FIX/leak2.json"
expect_rc 1
expect_out '"new": ['
expect_out '"fixed": ['
expect_out '"fingerprint": "aaaabbbbccccdddd"'
expect_out '"new": 1,'
expect_out '"fixed": 2'
# the output is itself valid JSON: a report-shaped check on it would at least parse it
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["new"]) == 1 and len(d["fixed"]) == 2' "$OUT" \
        || fail "--json output is not the expected JSON"
fi

case_ "--json, nothing new: exit 0"
report diff "$FIX/clean.json" "$FIX/clean.json" --json
expect_rc 0
expect_out '"new": []'

case_ "bad input: exit 2"
report diff "$FIX/clean.json" "$FIX/v3.json"
expect_rc 2
expect_err "format version 3 is newer than this tool understands (2)"

finish
