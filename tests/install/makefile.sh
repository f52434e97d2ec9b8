#!/bin/sh
# install.makefile: tests/install/makefile/Makefile, a plain make project, takes the installed heapcheck's paths
# from pkg-config (the preload and heapcheck variables, --cflags for heapcheck.h): its leaky check fails with
# heapcheck's exit status, its tidy check passes, both with the library preloaded and through the driver.
. "$(dirname "$0")/lib.sh"
M="$HC_SOURCE/tests/install/makefile/Makefile"
PKG_CONFIG_PATH="$HC_PREFIX/lib/pkgconfig"
export PKG_CONFIG_PATH
mk() { run "$HC_MAKE" -C "$HC_WORK" -f "$M" SRC="$HC_SOURCE/tests/install/consumer" CC="$HC_CC" "$@"; }

case_ "pkg-config's variables"
run pkg-config --variable=preload heapcheck
expect_rc 0
[ "$(cat "$OUT")" = "$HC_PREFIX/lib/libheapcheck.so" ] || fail "preload is '$(cat "$OUT")'"
run pkg-config --variable=heapcheck heapcheck
[ "$(cat "$OUT")" = "$HC_PREFIX/bin/heapcheck" ] || fail "heapcheck is '$(cat "$OUT")'"
run pkg-config --variable=heapcheck_report heapcheck
[ "$(cat "$OUT")" = "$HC_PREFIX/bin/heapcheck-report" ] || fail "heapcheck_report is '$(cat "$OUT")'"
run pkg-config --cflags heapcheck
expect_out "-I$HC_PREFIX/include"
run pkg-config --modversion heapcheck
expect_rc 0
[ -n "$(cat "$OUT")" ] || fail "no version"

case_ "build"
mk all
expect_rc 0

for how in check driver-check; do
    case_ "make $how-tidy"
    mk "$how-tidy"
    expect_rc 0
    expect_out "tidy: 0 damaged blocks"

    case_ "make $how-leaky"
    mk "$how-leaky"
    expect_fail
    expect_err "definitely lost: 16 bytes in 1 blocks"
    expect_err "Error 23"
done

case_ "make check stops at the leak"
mk check
expect_fail
expect_err "Error 23"

finish
