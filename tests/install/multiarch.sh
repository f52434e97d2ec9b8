#!/bin/sh
# install.multiarch: a tree configured as a Debian package would be (prefix /usr, libdir lib/x86_64-linux-gnu)
# and staged with DESTDIR: the library, the package and heapcheck.pc land in the multiarch libdir, and the
# installed driver finds the library there (the install libdir compiled into it) and nowhere else.
# The build directory is kept between runs, so that only changed files are rebuilt.
. "$(dirname "$0")/lib.sh"
B="$HC_MULTIARCH_BUILD"
L=lib/x86_64-linux-gnu
D="$HC_WORK/dest"

case_ "configure and build with CMAKE_INSTALL_LIBDIR=$L"
run "$HC_CMAKE" -S "$HC_SOURCE" -B "$B" -G "$HC_GENERATOR" -DCMAKE_C_COMPILER="$HC_CC" -DCMAKE_CXX_COMPILER="$HC_CXX" \
    -DHEAPCHECK_TESTS=OFF -DHEAPCHECK_MAN="$HC_MAN" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR=$L
expect_rc 0
run "$HC_CMAKE" --build "$B" -j2
expect_rc 0

case_ "DESTDIR=... cmake --install"
DESTDIR="$D" run "$HC_CMAKE" --install "$B"
expect_rc 0
need "$D/usr/bin/heapcheck" "$D/usr/$L/libheapcheck.so" "$D/usr/$L/cmake/heapcheck/heapcheckConfig.cmake" \
    "$D/usr/$L/pkgconfig/heapcheck.pc" "$D/usr/include/heapcheck.h"
[ -e "$D/usr/lib/libheapcheck.so" ] && fail "a library in usr/lib too"

case_ "the driver finds the library in the multiarch libdir"
HEAPCHECK_LIBRARY= run "$D/usr/bin/heapcheck" --leak_check=no -- printenv LD_PRELOAD
expect_rc 0
[ "$(cat "$OUT")" = "$(cd "$D/usr/$L" && pwd -P)/libheapcheck.so" ] || fail "LD_PRELOAD is '$(cat "$OUT")'"
HEAPCHECK_LIBRARY= run "$D/usr/bin/heapcheck" -- "$HC_LEAKY"
expect_rc 23
expect_err "definitely lost: 96 bytes in 3 blocks"

case_ "heapcheck.pc names the final paths, not the staging directory"
PKG_CONFIG_PATH="$D/usr/$L/pkgconfig" run pkg-config --variable=preload heapcheck
[ "$(cat "$OUT")" = "/usr/$L/libheapcheck.so" ] || fail "preload is '$(cat "$OUT")'"

case_ "without the library the driver names every place it looked in"
mv "$D/usr/$L/libheapcheck.so" "$HC_WORK/"
HEAPCHECK_LIBRARY= run "$D/usr/bin/heapcheck" -- "$HC_LEAKY"
expect_rc 2
expect_err "heapcheck: library '$D/usr/bin/../$L/libheapcheck.so' not found: No such file or directory"
expect_err "heapcheck: library '$D/usr/bin/../lib/libheapcheck.so' not found: No such file or directory"
expect_err "set HEAPCHECK_LIBRARY to its path"
[ -s "$OUT" ] && fail "ran the program"

finish
