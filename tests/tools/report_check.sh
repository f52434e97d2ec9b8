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

case_ "report on stdin"
report check - <"$FIX/clean.json"
expect_rc 0

case_ "bad report: exit 2, not 1"
report check "$FIX/no-kind.json"
expect_rc 2
expect_err "no-kind.json: leaks[1] has no \"kind\""

finish
