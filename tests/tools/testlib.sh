# testlib.sh: sourced by the tests/tools/*.sh scripts (POSIX sh).
# Environment (set by tests/tools/CMakeLists.txt): HC_DRIVER, HC_REPORT, HC_FIXTURES, HC_WORK,
# HC_WRAP (a command prefix such as valgrind, may be empty), HC_ENVPRINT, HC_PRELOAD_A/B,
# HC_OPTIONS_DEF, HC_VERSION, HC_LIB (libheapcheck.so), HC_FP_PLAIN/SHIFTED/STRIPPED (fp_leaks.c),
# HC_POLICY (policy.c).
#
#   case_ "what"          names the assertions that follow
#   run CMD...            runs CMD: stdout in $OUT, stderr in $ERR, exit status in $RC
#   report ARGS...        run $HC_WRAP heapcheck-report ARGS...
#   expect_rc N           $RC must be N
#   expect_out TEXT       stdout must contain TEXT (fixed string); expect_no_out: must not
#   expect_err TEXT       same for stderr; expect_no_err: must not
#   expect_count N TEXT   stdout has exactly N lines containing TEXT
#   under_lib JSON OPTS PROG ARGS...  runs PROG with the real library preloaded ($HC_LIB), its
#                         JSON report written to JSON, more options in OPTS (may be empty)
#   fnv1a64 TEXT          FNV-1a 64 of TEXT (printf %b escapes), 16 hex digits: the fingerprint
#                         rule of docs/report-schema.md computed apart from the tool and the library
#   finish                exit 1 if anything failed

set -u
: "${HC_WORK:?run through ctest}"
rm -rf "$HC_WORK"
mkdir -p "$HC_WORK"
OUT="$HC_WORK/stdout"
ERR="$HC_WORK/stderr"
FIX="${HC_FIXTURES:-}"
W="$HC_WORK"
CASE="(start)"
FAILED=0
CASES=0
RC=0

case_() {
    CASE="$1"
    CASES=$((CASES + 1))
}

fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL [$CASE]: $*"
    echo "--- stdout:"
    sed -n '1,60p' "$OUT" 2>/dev/null
    echo "--- stderr:"
    sed -n '1,60p' "$ERR" 2>/dev/null
    echo "---"
}

run() {
    "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

report() {
    # HC_WRAP is a command line: split on purpose.
    # shellcheck disable=SC2086
    run ${HC_WRAP:-} "$HC_REPORT" "$@"
}

expect_rc() {
    [ "$RC" -eq "$1" ] || fail "exit status $RC, expected $1"
}

expect_out() {
    grep -F -q -e "$1" "$OUT" || fail "stdout lacks '$1'"
}

expect_no_out() {
    if grep -F -q -e "$1" "$OUT"; then fail "stdout has '$1'"; fi
}

expect_err() {
    grep -F -q -e "$1" "$ERR" || fail "stderr lacks '$1'"
}

expect_no_err() {
    if grep -F -q -e "$1" "$ERR"; then fail "stderr has '$1'"; fi
}

# expect_count N TEXT: stdout has exactly N lines containing the fixed string TEXT
expect_count() {
    n=$(grep -F -c -e "$2" "$OUT")
    [ "$n" -eq "$1" ] || fail "stdout has $n lines with '$2', expected $1"
}

under_lib() {
    json=$1 opts=$2
    shift 2
    rm -f "$json"
    HEAPCHECK_OPTIONS="json_path=$json:log_path=$HC_WORK/lib.log${opts:+:$opts}" LD_PRELOAD="$HC_LIB" \
        "$@" >/dev/null 2>&1
    [ -s "$json" ] || fail "no report from $*"
}

fnv1a64() {
    printf '%b' "$1" | python3 -c '
import sys
h = 0xcbf29ce484222325
for c in sys.stdin.buffer.read():
    h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)'
}

finish() {
    if [ "$FAILED" -ne 0 ]; then
        echo "$FAILED failure(s) in $CASES case(s)"
        exit 1
    fi
    echo "all $CASES case(s) passed"
    exit 0
}
