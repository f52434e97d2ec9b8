#!/bin/sh
# Runs one example under the heapcheck driver and checks its JSON report (ctest label "examples").
#
#   run_example.sh --heapcheck DRIVER --report-tool TOOL --expect EXPECT.json [--status N] [--silent]
#                  -- [HEAPCHECK_OPTION...] PROGRAM [ARGS...]
#
# Runs `DRIVER --json_path=DIR/report.%p.json HEAPCHECK_OPTION... PROGRAM ARGS...`, then
# `TOOL check --expect EXPECT.json --exact REPORT`: every expectation must hold and every finding of
# the report must be expected (an EXPECT.json of [] means: no finding at all).
# --status N: the exit status the run must end with (default: not checked).
# --silent:   heapcheck must print nothing (the text report goes to stderr: stderr must be empty).
# On failure the program's stderr (the text report) and the JSON report are shown.
set -u
driver= tool= expect= status= silent=
while [ $# -gt 0 ]; do
  case "$1" in
    --heapcheck) driver=$2; shift 2 ;;
    --report-tool) tool=$2; shift 2 ;;
    --expect) expect=$2; shift 2 ;;
    --status) status=$2; shift 2 ;;
    --silent) silent=1; shift ;;
    --) shift; break ;;
    *) echo "run_example.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$driver" ] && [ -n "$tool" ] && [ -n "$expect" ] && [ $# -gt 0 ] ||
  { echo "run_example.sh: usage: see the header of $0" >&2; exit 2; }
cmd="$*"
dir=$(mktemp -d "${TMPDIR:-/tmp}/hc-example.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT

"$driver" --json_path="$dir/report.%p.json" "$@" </dev/null >"$dir/stdout" 2>"$dir/stderr"
rc=$?

fail() {
  echo "FAIL: $*" >&2
  echo "--- stderr of: heapcheck $cmd ---" >&2; cat "$dir/stderr" >&2
  for r in "$dir"/report.*.json; do [ -f "$r" ] && { echo "--- $r ---" >&2; cat "$r" >&2; }; done
  exit 1
}
if [ -n "$status" ] && [ "$rc" -ne "$status" ]; then fail "exit status $rc, expected $status"; fi
if [ -n "$silent" ] && [ -s "$dir/stderr" ]; then fail "heapcheck was expected to print nothing"; fi
set -- "$dir"/report.*.json
[ -f "$1" ] || fail "no JSON report was written"
[ $# -eq 1 ] || fail "$# JSON reports were written, expected one"
"$tool" check --expect "$expect" --exact "$1" >"$dir/check" 2>&1 ||
  { cat "$dir/check" >&2; fail "expectations of $expect not met"; }
cat "$dir/check"
echo "ok: exit status $rc"
exit 0
