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
# The shared assertions (case_, run, expect_*, fail, finish) are tests/tools/testlib.sh's; only need and
# expect_fail are the install tests' own.
. "$HC_SOURCE/tests/tools/testlib.sh"

expect_fail() { [ "$RC" -ne 0 ] || fail "exit status 0, expected a failure"; }

need() {
    for f in "$@"; do
        [ -e "$f" ] || fail "missing $f"
    done
}
