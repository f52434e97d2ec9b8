#!/bin/sh
# real.selftest: the helpers of tests/real catch what they are meant to catch, so that a passing
# real.* test means something. HC_BAD_HEAP is bad_heap (one heap-buffer-overflow).
. "$HC_SRC/common.sh"
: "${HC_BAD_HEAP:?}"
ok=0

# expect_caught WHAT CMD...: CMD must report a failure (exit non-zero); expect_passes: must not.
expect_caught() {
  what=$1; shift
  if "$@" >"$W/selftest.out" 2>&1; then
    fail "not caught: $what"
    show "$W/selftest.out"
  else
    ok=$((ok + 1))
    echo "caught: $what"
  fi
}
expect_passes() {
  what=$1; shift
  if "$@" >"$W/selftest.out" 2>&1; then
    ok=$((ok + 1))
    echo "passes: $what"
  else
    fail "failed: $what"
    show "$W/selftest.out"
  fi
}

# nested NAME 'SCRIPT': SCRIPT run by a new sh after common.sh, with the work directory $W/NAME.
nested() {
  HC_WORK=$W/$1 sh -c '. "$HC_SRC/common.sh"; '"$2"
}

# 1. strip_report removes a text report (error block, leak blocks, summary) and nothing else.
cat >"$W/mixed" <<'T'
program line 1

program line after a blank line
==4242== heapcheck: heap-buffer-overflow: 1 byte after the 13-byte block at 0x5000 (found by free)
==4242==   detected at:
    #0 0x401000 in main /src/x.c:3
    #1 0x7f0000 in __libc_start_main (/lib/libc.so.6+0x2000)

==4242== 8 bytes in 1 block is definitely lost [1 of 2]
    (no stack recorded)

==4242== HEAP SUMMARY:
==4242==     in use at exit: 8 bytes in 1 blocks
SUMMARY: heapcheck: 8 byte(s) leaked in 1 allocation(s).
program line after the report
    #0 0x1 in something the program printed
T
printf 'program line 1\n\nprogram line after a blank line\nprogram line after the report\n    #0 0x1 in something the program printed\n' >"$W/mixed.expected"
strip_report "$W/mixed" >"$W/mixed.stripped"
if cmp -s "$W/mixed.expected" "$W/mixed.stripped"; then
  ok=$((ok + 1)); echo "passes: strip_report"
else
  fail "strip_report"; diff "$W/mixed.expected" "$W/mixed.stripped"
fi

# 2. compare_run: a faithful program passes; a differing stdout, stderr or status is caught.
expect_passes "compare_run and check_reports on /bin/echo" nested echo '
  scenario() { $HC_PRE /bin/echo same; }
  compare_run default; check_reports --max 1 --need echo; finish'
expect_caught "a different stdout" nested stdout '
  scenario() { echo "${HC_PRE:+checked}"; echo x; }
  compare_run default; finish'
expect_caught "a different stderr" nested stderr '
  scenario() { echo x; [ -n "$HC_PRE" ] && echo extra >&2; :; }
  compare_run default; finish'
expect_caught "a different exit status" nested status '
  scenario() { echo x; [ -z "$HC_PRE" ]; }
  compare_run default; finish'
expect_caught "a line of heapcheck's on stderr that is not part of its report" nested internal '
  scenario() { echo x; [ -n "$HC_PRE" ] && echo "heapcheck: internal error" >&2; :; }
  compare_run default; finish'

# 3. check_reports: a heap error, a missing report, a missing process and invalid JSON are caught.
expect_caught "a heap error in a report (bad_heap)" nested bad '
  scenario() { $HC_PRE "$HC_BAD_HEAP"; }
  compare_run default; check_reports; finish'
expect_caught "no report at all" nested none '
  scenario() { echo x; }
  compare_run default; check_reports; finish'
expect_caught "a process without a report" nested need '
  scenario() { $HC_PRE /bin/echo x; }
  compare_run default; check_reports --need cc1; finish'
mkdir -p "$W/json"
printf '{"heapcheck_report": 2, "command": ["x"], "errors": [], "summary": {"error_count": 0,\0 "errors": {}}}\n' >"$W/json/r.1.json"
expect_caught "a report with a NUL byte" "$HC_PY" "$HC_SRC/reports.py" "$W/json/r.1.json"
printf '{"heapcheck_report": 2, "command": ["x"], "errors": [], "leaks": [{"kind": "leak-definite", "bytes": 8, "suppressed_by": null}], "summary": {"error_count": 0, "errors": {}}}\n' >"$W/json/r.2.json"
expect_passes "a report with only a leak (real programs leak by design)" "$HC_PY" "$HC_SRC/reports.py" "$W/json/r.2.json"
expect_caught "the same with --clean" "$HC_PY" "$HC_SRC/reports.py" --clean "$W/json/r.2.json"

echo "$ok check(s) behaved"
finish
