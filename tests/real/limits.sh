#!/bin/sh
# A leaking program whose exit-time leak scan finds no memory (limits scan-starved: RLIMIT_DATA at what the
# process uses): the leak check does not complete, and that is a finding, never a clean run. The process exits
# with exitcode, the text says so, the JSON says "incomplete": true with a reason, and heapcheck-report check
# fails on the JSON; with exitcode=0 the program's own status is kept and check still fails.
# usage: limits.sh PROG (the limits program), with HC_LIB, HC_REPORT and HC_PY set (tests/real/CMakeLists.txt)
set -u
lib=$HC_LIB prog=$1 tool=$HC_REPORT py=${HC_PY:-/usr/bin/python3}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/err" 2>/dev/null; cat "$tmp/check" 2>/dev/null; exit 1; }

run() {   # run OPTIONS: the program under the library, its report in $tmp/r.json
  rm -f "$tmp/r.json"
  HEAPCHECK_OPTIONS="json_path=$tmp/r.json${1:+:$1}" LD_PRELOAD=$lib "$prog" scan-starved 2>"$tmp/err" >/dev/null
  status=$?
  grep -q '^ok: 10 blocks dropped' "$tmp/err" || fail "the program did not get to its exit"
  grep -q '^==[0-9]*== error: the leak check did not complete: [^;]*; leaks may be missing' "$tmp/err" ||
    fail "no line saying the leak check did not complete"
  [ -f "$tmp/r.json" ] || fail "no JSON report"
  "$py" - "$tmp/r.json" <<'PY' || fail "JSON report"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert s["incomplete"] is True, s
assert isinstance(s["incomplete_reason"], str) and s["incomplete_reason"], s
PY
  "$tool" check "$tmp/r.json" >"$tmp/check" 2>&1
  rc=$?
  [ $rc -eq 1 ] || fail "heapcheck-report check exited $rc on the incomplete report, expected 1"
  grep -q '^INCOMPLETE the leak check did not complete' "$tmp/check" || fail "check does not say why it failed"
  grep -q 'FAILED: .*leak check incomplete' "$tmp/check" || fail "check's result line"
}

run ""
[ "$status" -eq 23 ] || fail "exit status $status, expected 23 (exitcode): an incomplete leak check passed"
grep -q 'the run fails as for a finding (exit status 23)' "$tmp/err" || fail "the text does not give the exit status"
"$py" -c 'import json,sys; assert json.load(open(sys.argv[1]))["summary"]["exit_status"] == 23' "$tmp/r.json" ||
  fail "the JSON's exit_status is not 23"
echo "ok: exit status 23, said in the text, incomplete in the JSON, check fails"

run "exitcode=0"
[ "$status" -eq 0 ] || fail "exitcode=0: exit status $status, expected the program's own 0"
echo "ok: exitcode=0 keeps the program's status; check still fails on the report"

# Control: with the limit left alone the same program's leak is found (the scan was what the limit starved).
HEAPCHECK_OPTIONS="json_path=$tmp/c.json" LD_PRELOAD=$lib "$prog" data-squeeze 2>"$tmp/err" >/dev/null
grep -q 'error: the leak check did not complete' "$tmp/err" && fail "control: the scan did not complete without the limit"
echo "ok: control"
exit 0
