#!/bin/sh
# Runs one test program under libheapcheck.so and checks its JSON report against an expectation file.
#
#   run_case.sh --lib LIB --report-tool TOOL [--expect EXPECT.json] [--exact] [--options OPTS]
#               [--status N] [--stdin FILE] -- PROGRAM [ARGS...]
#
# The program runs with LD_PRELOAD=LIB and HEAPCHECK_OPTIONS="json_path=DIR/report.%p.json:OPTS".
# --status N: the exit status the program must end with (default: not checked).
# --expect:   `heapcheck-report check --expect EXPECT.json [--exact]` must pass on the report. When several
#             processes wrote reports (fork, exec) they are merged first.
# Without --expect the report must be clean (`heapcheck-report check --leak-kinds=definite,possible REPORT`:
#             no error and no definite or possible leak, whatever the policy the report was made under).
# On failure the program's stderr (the text report) is shown.
set -u
lib= tool= expect= exact= opts= status= stdin=/dev/null
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2; shift 2 ;;
    --report-tool) tool=$2; shift 2 ;;
    --expect) expect=$2; shift 2 ;;
    --exact) exact=--exact; shift ;;
    --options) opts=$2; shift 2 ;;
    --status) status=$2; shift 2 ;;
    --stdin) stdin=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run_case.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$lib" ] && [ -n "$tool" ] && [ $# -gt 0 ] || { echo "run_case.sh: usage: see the header" >&2; exit 2; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/hc-case.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
HEAPCHECK_OPTIONS="json_path=$dir/report.%p.json${opts:+:$opts}" LD_PRELOAD="$lib" "$@" <"$stdin" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
fail() {
  echo "FAIL: $*" >&2
  echo "--- program stderr ---" >&2; cat "$dir/stderr" >&2
  for r in "$dir"/report.*.json; do [ -f "$r" ] && { echo "--- $r ---" >&2; cat "$r" >&2; }; done
  exit 1
}
if [ -n "$status" ] && [ "$rc" -ne "$status" ]; then fail "exit status $rc, expected $status"; fi
set -- "$dir"/report.*.json
[ -f "$1" ] || fail "no JSON report was written"
if [ $# -gt 1 ]; then "$tool" merge -o "$dir/merged.json" "$@" || fail "merge failed"; report=$dir/merged.json; else report=$1; fi
if [ -n "$expect" ]; then
  "$tool" check --expect "$expect" $exact "$report" >"$dir/check" 2>&1 || { cat "$dir/check" >&2; fail "expectations not met"; }
else
  "$tool" check --leak-kinds=definite,possible "$report" >"$dir/check" 2>&1 || { cat "$dir/check" >&2; fail "the report is not clean"; }
fi
echo "ok: $*"
exit 0
