# lib.sh: sourced by the tests/install/*.sh scripts (POSIX sh). Environment from tests/install/CMakeLists.txt:
# HC_SOURCE, HC_BUILD (the build tree installed from), HC_PREFIX (where install.prefix installs it),
# HC_WORK (this test's scratch directory, emptied here), HC_CMAKE, HC_CTEST, HC_GENERATOR, HC_CC, HC_MAKE,
# HC_LEAKY (examples/leak_definite), HC_MAN (ON when the man pages are built).
#
#   case_ "what"      names the assertions that follow
#   run CMD...        runs CMD: stdout in $OUT, stderr in $ERR, exit status in $RC
#   expect_rc N       $RC must be N;  expect_fail: $RC must not be 0
#   expect_out TEXT   stdout must contain TEXT (fixed string); expect_err TEXT: stderr must
#   need FILE...      each FILE must exist
#   finish            exit 1 if anything failed
set -u
: "${HC_WORK:?run through ctest}"
rm -rf "$HC_WORK"
mkdir -p "$HC_WORK"
OUT="$HC_WORK/stdout"
ERR="$HC_WORK/stderr"
CASE="(start)"
FAILED=0
RC=0

case_() { CASE="$1"; }

fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL [$CASE]: $*"
    echo "--- stdout:"
    sed -n '1,80p' "$OUT" 2>/dev/null
    echo "--- stderr:"
    sed -n '1,80p' "$ERR" 2>/dev/null
    echo "---"
}

run() {
    "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

expect_rc() { [ "$RC" -eq "$1" ] || fail "exit status $RC, expected $1"; }
expect_fail() { [ "$RC" -ne 0 ] || fail "exit status 0, expected a failure"; }
expect_out() { grep -F -q -e "$1" "$OUT" || fail "stdout lacks '$1'"; }
expect_err() { grep -F -q -e "$1" "$ERR" || fail "stderr lacks '$1'"; }

need() {
    for f in "$@"; do
        [ -e "$f" ] || fail "missing $f"
    done
}

finish() {
    if [ "$FAILED" -ne 0 ]; then
        echo "$FAILED failure(s)"
        exit 1
    fi
    echo "ok"
}
