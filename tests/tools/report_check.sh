#!/bin/sh
# heapcheck-report check without --expect: the CI gate.
. "$HC_TESTLIB"

case_ "clean report passes"
report check "$FIX/clean.json"
expect_rc 0
expect_out "passed: 0 errors, 0 leaks"

case_ "definite and possible leaks fail, reachable ones do not count"
report check "$FIX/leak.json"
expect_rc 1
expect_out "LEAK  leak-definite 0b8e7f6a1c2d3e4f 64 bytes in 2 blocks (+32 bytes in 1 block indirect) at make_list leaky.c:12"
expect_out "LEAK  leak-possible 1111222233334444"
expect_no_out "LEAK  leak-reachable"
expect_out "FAILED: 0 errors, 2 leaks (1 suppressed or reachable leak group not counted)"

case_ "errors fail"
report check "$FIX/overflow.json"
expect_rc 1
expect_out "ERROR heap-buffer-overflow 9c1f3a0d5e7b2c11 (1 byte after the 13-byte block) at copy_name names.c:27"
expect_out "ERROR double-free d0d0d0d0d0d0d0d0"
expect_out "FAILED: 2 errors, 0 leaks"

case_ "a suppressed leak passes"
report check "$FIX/suppressed.json"
expect_rc 0
expect_out "passed: 0 errors, 0 leaks (1 suppressed or reachable leak group not counted)"

case_ "only reachable leaks pass"
cat >"$W/reachable.json" <<'JSON'
{ "heapcheck_report": 1, "pid": 7, "errors": [],
  "leaks": [ { "kind": "leak-reachable", "fingerprint": "0123456789abcdef", "bytes": 5, "blocks": 1,
               "stack": [ { "function": "keep", "file": "k.c", "line": 1 } ], "suppressed_by": null } ] }
JSON
report check "$W/reachable.json"
expect_rc 0

case_ "unknown keys are ignored, unknown error kinds still count"
report check "$FIX/unknown-keys.json"
expect_rc 1
expect_out "ERROR use-after-free fefefefefefefefe at use u.c:3"

case_ "a report that records its policy is judged by it"
cat >"$W/policy.json" <<'JSON'
{ "heapcheck_report": 2, "pid": 8, "errors": [],
  "leaks": [ { "kind": "leak-possible", "fingerprint": "1111222233334444", "bytes": 16, "blocks": 1,
               "stack": [ { "function": "grow", "file": "g.c", "line": 4 } ], "suppressed_by": null } ],
  "summary": { "leaks": { "definite_blocks": 0, "possible_blocks": 1, "reachable_blocks": 0 },
               "error_count": 0, "counted_leak_kinds": ["leak-definite"], "incomplete": false,
               "options_rejected": [], "text_lost": false } }
JSON
report check "$W/policy.json"
expect_rc 0
expect_out "passed: 0 errors, 0 leaks (counted leak kinds: leak-definite, from the report; 1 leak group not counted)"
sed 's/"counted_leak_kinds": \["leak-definite"\]/"counted_leak_kinds": ["leak-definite", "leak-possible"]/' \
    "$W/policy.json" >"$W/policy2.json"
report check "$W/policy2.json"
expect_rc 1
expect_out "LEAK  leak-possible 1111222233334444 16 bytes in 1 block at grow g.c:4"

case_ "what the summary counts beyond the list fails a report that records its policy"
cat >"$W/unlisted.json" <<'JSON'
{ "heapcheck_report": 2, "errors": [ { "kind": "double-free", "fingerprint": "d0d0d0d0d0d0d0d0" } ],
  "leaks": [],
  "summary": { "leaks": { "definite_blocks": 3, "possible_blocks": 0 },
               "error_count": 4, "counted_leak_kinds": ["leak-definite"] } }
JSON
report check "$W/unlisted.json"
expect_rc 1
expect_out "ERROR summary: 3 errors counted in the report's summary but not in its list"
expect_out "LEAK  summary: 3 leak-definite blocks counted in the report's summary but not in its list"
expect_out "FAILED: 1 error, 0 leaks, 3 more errors in the summary, 3 more leaked blocks in the summary"
# An older report (no policy recorded) is judged on its list alone, as before.
sed 's/, "counted_leak_kinds": \["leak-definite"\]//' "$W/unlisted.json" >"$W/unlisted-old.json"
report check "$W/unlisted-old.json"
expect_rc 1
expect_out "FAILED: 1 error, 0 leaks"
expect_no_out "summary:"

case_ "a leak check that did not complete fails the gate and the oracle"
cat >"$W/incomplete.json" <<'JSON'
{ "heapcheck_report": 2, "errors": [], "leaks": [],
  "summary": { "leaks": { "definite_blocks": 0, "reachable_blocks": 10 }, "error_count": 0,
               "counted_leak_kinds": ["leak-definite"], "incomplete": true,
               "incomplete_reason": "no memory was left for the leak scan's tables" } }
JSON
report check "$W/incomplete.json"
expect_rc 1
expect_out "INCOMPLETE the leak check did not complete: no memory was left for the leak scan's tables; leaks may be missing from the report"
expect_out "FAILED: 0 errors, 0 leaks, leak check incomplete"
printf '[{"kind": "leak-definite", "absent": true}]' >"$W/absent.expect.json"
report check --expect "$W/absent.expect.json" "$W/incomplete.json"
expect_rc 1
expect_out "FAILED: 0 of 1 expectation not met, leak check incomplete"
sed 's/"incomplete": true/"incomplete": false/' "$W/incomplete.json" >"$W/complete.json"
report check --expect "$W/absent.expect.json" "$W/complete.json"
expect_rc 0
report check "$W/complete.json"
expect_rc 0

case_ "rejected options fail the gate"
sed 's/"incomplete": true/"options_rejected": ["exitcode", "unwind"]/' "$W/incomplete.json" >"$W/rejected.json"
report check "$W/rejected.json"
expect_rc 1
expect_out "OPTION rejected at start-up: exitcode"
expect_out "OPTION rejected at start-up: unwind"
expect_out "FAILED: 0 errors, 0 leaks, 2 rejected options"

case_ "report on stdin"
report check - <"$FIX/clean.json"
expect_rc 0

case_ "bad report: exit 2, not 1"
report check "$FIX/no-kind.json"
expect_rc 2
expect_err "no-kind.json: leaks[1] has no \"kind\""

finish
