# common.sh: sourced by the tests/real/*.sh scripts (POSIX sh).
#
# Environment (set by tests/real/CMakeLists.txt):
#   HC_LIB     libheapcheck.so            HC_DRIVER  build/bin/heapcheck
#   HC_REPORT  build/bin/heapcheck-report HC_PY      python used to read the JSON reports (never preloaded)
#   HC_SRC     this directory             HC_WORK    a scratch directory of the test's own (emptied here)
#
# The comparison of a real program with a plain run:
#
#   compare_run CONFIG            runs the function `scenario` twice, in a fresh $RUN directory each time:
#                                 plainly (HC_PRE empty) and under heapcheck (HC_PRE = "env LD_PRELOAD=...
#                                 HEAPCHECK_OPTIONS=exitcode=0:json_path=$REPORTS/r.%p.json[:CONFIG options]"),
#                                 stdin from $STDIN (default /dev/null). `scenario` runs the program as
#                                 `$HC_PRE program args`; children it execs inherit the preload.
#                                 (HC_PRE is split on spaces: the build path must not contain any.)
#                                 Then: identical exit status, identical stdout, and a stderr identical
#                                 to the plain one once heapcheck's text report lines are removed
#                                 (strip_report). The outputs stay in $W/plain and $W/checked.
#   check_reports [ARGS]          reports.py over $W/checked/reports/*.json: every report is valid JSON
#                                 with summary.error_count == 0 and no errors (ARGS: see reports.py).
#   config_options CONFIG         the options of a named configuration:
#                                 default  every check at its default (quarantine, canaries, stacks, leaks)
#                                 reuse    quarantine_mb=0: freed memory is reused at once (other allocator
#                                          paths), checks and stacks still on
#   finish                        exit 1 if anything failed

set -u
unset LD_PRELOAD HEAPCHECK_OPTIONS          # the plain runs must be plain; the checked ones set both
: "${HC_WORK:?run through ctest}"
: "${HC_LIB:?}" "${HC_REPORT:?}" "${HC_SRC:?}"
HC_PY=${HC_PY:-/usr/bin/python3}
rm -rf "$HC_WORK"
mkdir -p "$HC_WORK"
W=$HC_WORK
FAILED=0
STDIN=/dev/null

fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL: $*"
}

note() { echo "-- $*"; }

# Shows the first lines of a file, for a failure message.
show() {
  echo "--- $1:"
  sed -n "1,${2:-40}p" "$1"
  echo "---"
}

config_options() {
  case "$1" in
    default) echo "" ;;
    reuse) echo "quarantine_mb=0" ;;
    *) echo "unknown configuration '$1'" >&2; exit 2 ;;
  esac
}

# strip_report FILE: FILE without the lines of heapcheck's text report (libcheck/report.c): lines
# starting with "==PID== ", "SUMMARY: heapcheck: ", and, inside such a block, the stack frame lines
# "    #N 0x... in ...", "    (no stack recorded)" and the one blank line that ends a block.
strip_report() {
  awk '
    /^==[0-9]+== /                              { inblock = 1; next }
    /^SUMMARY: heapcheck: /                     { inblock = 1; next }
    inblock && /^    #[0-9]+ 0x[0-9a-f]+ in /   { next }
    inblock && /^    \(no stack recorded\)$/    { next }
    inblock && /^$/                             { inblock = 0; next }
    { inblock = 0; print }
  ' "$1"
}

# run_scenario DIR PRE: runs `scenario` in DIR/run with HC_PRE=PRE; DIR/stdout, DIR/stderr, DIR/rc.
run_scenario() {
  rm -rf "$1"
  mkdir -p "$1/run" "$1/reports"
  (
    cd "$1/run" || exit 99
    RUN=$1/run
    REPORTS=$1/reports
    HC_PRE=$2
    scenario
  ) <"$STDIN" >"$1/stdout" 2>"$1/stderr"
  echo $? >"$1/rc"
}

compare_run() {
  opts=$(config_options "$1") || exit 2
  hcopts="exitcode=0:json_path=$W/checked/reports/r.%p.json${opts:+:$opts}"
  run_scenario "$W/plain" ""
  run_scenario "$W/checked" "env LD_PRELOAD=$HC_LIB HEAPCHECK_OPTIONS=$hcopts"
  prc=$(cat "$W/plain/rc")
  crc=$(cat "$W/checked/rc")
  note "config $1 ($hcopts): plain exit $prc, under heapcheck exit $crc"
  [ "$prc" = "$crc" ] || fail "exit status: plain $prc, under heapcheck $crc"
  if ! cmp -s "$W/plain/stdout" "$W/checked/stdout"; then
    fail "stdout differs from the plain run"
    diff "$W/plain/stdout" "$W/checked/stdout" | sed -n 1,40p
  fi
  strip_report "$W/checked/stderr" >"$W/checked/stderr.stripped"
  if ! cmp -s "$W/plain/stderr" "$W/checked/stderr.stripped"; then
    fail "stderr (without heapcheck's report) differs from the plain run"
    diff "$W/plain/stderr" "$W/checked/stderr.stripped" | sed -n 1,40p
  fi
  [ -s "$W/plain/stdout" ] || fail "the plain run printed nothing: the scenario is broken"
}

check_reports() {
  set -- "$@" "$W"/checked/reports/*.json
  if ! "$HC_PY" "$HC_SRC/reports.py" "$@"; then
    fail "the reports are not clean (see above)"
    echo "--- heapcheck's text report (stderr of the checked run):"
    sed -n 1,80p "$W/checked/stderr"
  fi
}

finish() {
  if [ "$FAILED" -ne 0 ]; then
    echo "$FAILED failure(s)"
    exit 1
  fi
  echo "passed"
  exit 0
}
