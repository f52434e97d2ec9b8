#!/bin/sh
# heapcheck (the driver): HEAPCHECK_OPTIONS and LD_PRELOAD as the program sees them.
. "$HC_TESTLIB"

HEAPCHECK_LIBRARY="$HC_PRELOAD_A"
export HEAPCHECK_LIBRARY
unset HEAPCHECK_OPTIONS LD_PRELOAD

# value NAME: the line NAME=... that envprint printed, without "NAME="
value() {
    sed -n "s/^$1=//p" "$OUT"
}

case_ "empty environment"
run "$HC_DRIVER" --max_frames=8 --checks -- "$HC_ENVPRINT" a b
expect_rc 0
pid=$(value PID)
[ "$(value HEAPCHECK_OPTIONS)" = "max_frames=8:checks=1:root_pid=$pid" ] || fail "HEAPCHECK_OPTIONS"
[ "$(value LD_PRELOAD)" = "$HC_PRELOAD_A" ] || fail "LD_PRELOAD"
[ "$(value ARG1)" = "a" ] && [ "$(value ARG2)" = "b" ] || fail "arguments"

case_ "no options: root_pid only"
run "$HC_DRIVER" "$HC_ENVPRINT"
expect_rc 0
[ "$(value HEAPCHECK_OPTIONS)" = "root_pid=$(value PID)" ] || fail "HEAPCHECK_OPTIONS"

case_ "existing HEAPCHECK_OPTIONS first, ours after (later wins)"
HEAPCHECK_OPTIONS="verbosity=1:max_frames=4" run "$HC_DRIVER" --max_frames=8 -- "$HC_ENVPRINT"
expect_rc 0
[ "$(value HEAPCHECK_OPTIONS)" = "verbosity=1:max_frames=4:max_frames=8:root_pid=$(value PID)" ] || fail "HEAPCHECK_OPTIONS"

case_ "existing HEAPCHECK_OPTIONS with a trailing ':'"
HEAPCHECK_OPTIONS="verbosity=1:" run "$HC_DRIVER" -- "$HC_ENVPRINT"
[ "$(value HEAPCHECK_OPTIONS)" = "verbosity=1:root_pid=$(value PID)" ] || fail "HEAPCHECK_OPTIONS"

case_ "the driver's root_pid wins over one given"
run "$HC_DRIVER" --root_pid=1 -- "$HC_ENVPRINT"
[ "$(value HEAPCHECK_OPTIONS)" = "root_pid=1:root_pid=$(value PID)" ] || fail "HEAPCHECK_OPTIONS"

case_ "existing LD_PRELOAD kept after the library (colon-separated)"
LD_PRELOAD="$HC_PRELOAD_B" run "$HC_DRIVER" -- "$HC_ENVPRINT"
expect_rc 0
[ "$(value LD_PRELOAD)" = "$HC_PRELOAD_A:$HC_PRELOAD_B" ] || fail "LD_PRELOAD"
expect_no_err "cannot be preloaded"

case_ "existing LD_PRELOAD kept (space-separated)"
LD_PRELOAD="$HC_PRELOAD_B $HC_PRELOAD_B" run "$HC_DRIVER" -- "$HC_ENVPRINT"
expect_rc 0
[ "$(value LD_PRELOAD)" = "$HC_PRELOAD_A:$HC_PRELOAD_B $HC_PRELOAD_B" ] || fail "LD_PRELOAD"
expect_no_err "cannot be preloaded"

case_ "the library already first in LD_PRELOAD is not added twice"
LD_PRELOAD="$HC_PRELOAD_A:$HC_PRELOAD_B" run "$HC_DRIVER" -- "$HC_ENVPRINT"
[ "$(value LD_PRELOAD)" = "$HC_PRELOAD_A:$HC_PRELOAD_B" ] || fail "LD_PRELOAD"

case_ "an empty LD_PRELOAD"
LD_PRELOAD="" run "$HC_DRIVER" -- "$HC_ENVPRINT"
[ "$(value LD_PRELOAD)" = "$HC_PRELOAD_A" ] || fail "LD_PRELOAD"

case_ "a relative HEAPCHECK_LIBRARY becomes absolute"
mkdir -p "$W/sub"
cp "$HC_PRELOAD_A" "$W/sub/libx.so"
(cd "$W" && HEAPCHECK_LIBRARY=sub/libx.so run "$HC_DRIVER" -- "$HC_ENVPRINT")
expect_rc 0
lib=$(value LD_PRELOAD)
case "$lib" in
/*/sub/libx.so) ;;
*) fail "LD_PRELOAD is '$lib'" ;;
esac

case_ "the program is found on PATH and options after it are its own"
dir=$(dirname "$HC_ENVPRINT")
PATH="$dir:$PATH" run "$HC_DRIVER" --checks=0 "$(basename "$HC_ENVPRINT")" --checks=1 -- --foo
expect_rc 0
[ "$(value HEAPCHECK_OPTIONS)" = "checks=0:root_pid=$(value PID)" ] || fail "HEAPCHECK_OPTIONS"
[ "$(value ARG1)" = "--checks=1" ] && [ "$(value ARG2)" = "--" ] && [ "$(value ARG3)" = "--foo" ] || fail "arguments"

case_ "the library beside the driver: bin/../lib/libheapcheck.so"
unset HEAPCHECK_LIBRARY
mkdir -p "$W/inst/bin" "$W/inst/lib"
cp "$HC_DRIVER" "$W/inst/bin/heapcheck"
run "$W/inst/bin/heapcheck" -- "$HC_ENVPRINT"
expect_rc 2
expect_err "heapcheck: library '$W/inst/bin/../lib/libheapcheck.so' not found"
[ -s "$OUT" ] && fail "ran the program"
cp "$HC_PRELOAD_A" "$W/inst/lib/libheapcheck.so"
run "$W/inst/bin/heapcheck" -- "$HC_ENVPRINT"
expect_rc 0
[ "$(value LD_PRELOAD)" = "$W/inst/lib/libheapcheck.so" ] || fail "LD_PRELOAD is '$(value LD_PRELOAD)'"

case_ "HEAPCHECK_LIBRARY naming a missing file"
HEAPCHECK_LIBRARY="$W/nope.so" run "$HC_DRIVER" -- "$HC_ENVPRINT"
expect_rc 2
expect_err "heapcheck: library '$W/nope.so' not found: No such file or directory"

case_ "HEAPCHECK_LIBRARY naming a directory"
HEAPCHECK_LIBRARY="$W" run "$HC_DRIVER" -- "$HC_ENVPRINT"
expect_rc 2
expect_err "is not a regular file"

finish
