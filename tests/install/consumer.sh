#!/bin/sh
# install.consumer: tests/install/consumer/, a CMake project, finds the installed package (CMAKE_PREFIX_PATH)
# and registers a leaking and a clean test each documented way; its ctest fails exactly the leaking ones,
# on heapcheck's verdict (the leaking program alone exits 0), and passes the clean ones, which check that
# they ran under the library.
. "$(dirname "$0")/lib.sh"
B="$HC_WORK/build"
C="$HC_SOURCE/tests/install/consumer"

case_ "configure and build against the installed package"
run "$HC_CMAKE" -S "$C" -B "$B" -G "$HC_GENERATOR" -DCMAKE_C_COMPILER="$HC_CC" -DCMAKE_PREFIX_PATH="$HC_PREFIX"
expect_rc 0
grep -q "^heapcheck_DIR:PATH=$HC_PREFIX/lib/cmake/heapcheck\$" "$B/CMakeCache.txt" ||
    fail "heapcheck_DIR is not the installed package: $(grep '^heapcheck_DIR' "$B/CMakeCache.txt")"
run "$HC_CMAKE" --build "$B"
expect_rc 0

case_ "the programs alone: leaky passes, tidy says it runs without heapcheck"
run "$B/leaky"
expect_rc 0
run "$B/tidy" --expect-heapcheck
expect_rc 3

case_ "the consumer's ctest"
run "$HC_CTEST" --test-dir "$B" --output-on-failure
expect_fail
for way in function launcher emulator preload; do
    grep -E -q "Test +#[0-9]+: $way\\.leaky \\.+\\*+Failed" "$OUT" || fail "$way.leaky did not fail"
    grep -E -q "Test +#[0-9]+: $way\\.tidy \\.+ +Passed" "$OUT" || fail "$way.tidy did not pass"
done
expect_out "definitely lost: 16 bytes in 1 blocks"
expect_out "indirectly lost: 32 bytes in 2 blocks"
expect_out "50% tests passed, 4 tests failed out of 8"

case_ "heapcheck_add_test labels its tests"
run "$HC_CTEST" --test-dir "$B" -N -L heapcheck
expect_rc 0
expect_out "function.leaky"
expect_out "function.tidy"
expect_out "Total Tests: 2"

case_ "another minor version is refused (0.x: a minor release may change the options)"
run "$HC_CMAKE" -S "$C" -B "$HC_WORK/build-v02" -G "$HC_GENERATOR" -DCMAKE_C_COMPILER="$HC_CC" \
    -DCMAKE_PREFIX_PATH="$HC_PREFIX" -DCONSUMER_WANTS_HEAPCHECK=0.2
expect_fail
expect_err 'compatible with requested version "0.2"'

finish
