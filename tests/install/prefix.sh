#!/bin/sh
# install.prefix: `cmake --install BUILD --prefix P` puts every piece in its GNUInstallDirs place, and the
# installed driver finds the installed library by itself: a leaking example exits 23 with the report. Also
# the fixture the other install tests use (HC_PREFIX).
. "$(dirname "$0")/lib.sh"
P="$HC_PREFIX"
rm -rf "$P"

case_ "cmake --install --prefix"
run "$HC_CMAKE" --install "$HC_BUILD" --prefix "$P"
expect_rc 0
need "$P/bin/heapcheck" "$P/bin/heapcheck-report" "$P/lib/libheapcheck.so" "$P/include/heapcheck.h" \
    "$P/lib/cmake/heapcheck/heapcheckConfig.cmake" "$P/lib/cmake/heapcheck/heapcheckConfigVersion.cmake" \
    "$P/lib/cmake/heapcheck/heapcheckTesting.cmake" "$P/lib/pkgconfig/heapcheck.pc"
if [ "$HC_MAN" = ON ]; then
    need "$P/share/man/man1/heapcheck.1" "$P/share/man/man1/heapcheck-report.1"
fi
cmp -s "$HC_SOURCE/include/heapcheck.h" "$P/include/heapcheck.h" || fail "the installed heapcheck.h differs"

case_ "the installed driver preloads the installed library"
HEAPCHECK_LIBRARY= run "$P/bin/heapcheck" --leak_check=no -- printenv LD_PRELOAD
expect_rc 0
[ "$(cat "$OUT")" = "$(cd "$P/lib" && pwd -P)/libheapcheck.so" ] || fail "LD_PRELOAD is '$(cat "$OUT")'"

case_ "the installed driver on a leaking example"
HEAPCHECK_LIBRARY= run "$P/bin/heapcheck" -- "$HC_LEAKY"
expect_rc 23
expect_err "definitely lost: 96 bytes in 3 blocks"
expect_err "SUMMARY: heapcheck: 96 byte(s) leaked in 3 allocation(s)."

case_ "the installed report tool"
run "$P/bin/heapcheck-report" --version
expect_rc 0
expect_out "heapcheck-report "

case_ "a driver without its library names the place it looked in"
mkdir -p "$HC_WORK/alone/bin"
cp "$P/bin/heapcheck" "$HC_WORK/alone/bin/"
HEAPCHECK_LIBRARY= run "$HC_WORK/alone/bin/heapcheck" -- "$HC_LEAKY"
expect_rc 2
expect_err "heapcheck: library '$HC_WORK/alone/bin/../lib/libheapcheck.so' not found: No such file or directory"
[ -s "$OUT" ] && fail "ran the program"

finish
