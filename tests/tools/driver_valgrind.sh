#!/bin/sh
# heapcheck (the driver): Valgrind's memcheck flags, as CTest's MEMORYCHECK_TYPE=Valgrind and other harnesses
# pass them, become heapcheck's options (the HEAPCHECK_OPTIONS the program gets, in the order given);
# Valgrind's values heapcheck's option would refuse, or Valgrind would, are exit 2 naming the flag as given.
# Then CTest's own command line on a leaking program under the real library: exit 23, the report in the
# --log-file.
. "$HC_TESTLIB"

HEAPCHECK_LIBRARY="$HC_PRELOAD_A"
export HEAPCHECK_LIBRARY
unset HEAPCHECK_OPTIONS LD_PRELOAD
max_frames=$(sed -n 's/^LC_OPTION(int, *max_frames, *[0-9]*, *[0-9]*, *\([0-9]*\),.*/\1/p' "$HC_OPTIONS_DEF")
[ -n "$max_frames" ] || { echo "FAIL: no max_frames in $HC_OPTIONS_DEF"; exit 1; }

passed() { # passed "OPTIONS" FLAG...: the program gets exactly HEAPCHECK_OPTIONS=OPTIONS:root_pid=...
    want=$1
    shift
    case_ "$*"
    run "$HC_DRIVER" "$@" -- "$HC_ENVPRINT"
    expect_rc 0
    expect_out "HEAPCHECK_OPTIONS=${want:+$want:}root_pid="
    expect_no_err "heapcheck"
}

refused() { # refused MESSAGE FLAG
    case_ "$2 refused"
    run "$HC_DRIVER" "$2" -- "$HC_ENVPRINT"
    expect_rc 2
    expect_err "heapcheck: $1"
    [ -s "$OUT" ] && fail "ran the program"
}

# CTest's defaults (MEMORYCHECK_COMMAND_OPTIONS unset), its suppression file and its log file
passed "verbosity=0:leak_check=yes:show_reachable=1:max_frames=50:suppressions=$W/v.supp:log_path=$W/MemoryChecker.1.log" \
    -q --tool=memcheck --leak-check=yes --show-reachable=yes --num-callers=50 --suppressions="$W/v.supp" \
    --log-file="$W/MemoryChecker.1.log"
passed "leak_check=full:show_reachable=0:exitcode=7" --leak-check=full --show-reachable=no --error-exitcode=7
passed "log_path=$W/vg.%p.log" --log-file="$W/vg.%p.log"
passed "verbosity=0:verbosity=1:verbosity=1" --quiet -v --verbose
passed "show_possibly=0:show_possibly=1" --show-possibly-lost=no --show-possibly-lost=yes
passed "trace_children=0:trace_children=1" --trace-children=no --trace-children=yes
passed "max_frames=1:max_frames=$max_frames:max_frames=$max_frames" --num-callers=1 --num-callers="$max_frames" \
    --num-callers=500
passed "" --gen-suppressions=all --gen-suppressions=yes --gen-suppressions=no --tool=memcheck
# mixed with heapcheck's own flags, later still wins
passed "show_reachable=1:show_reachable=0" --show_reachable --show-reachable=no

refused "'--tool=helgrind': heapcheck checks the heap as Valgrind's memcheck does; it has no other tool" --tool=helgrind
refused "option '--show-reachable' takes yes or no, not '1'" --show-reachable=1
refused "option '--trace-children' takes yes or no, not ''" --trace-children=
refused "option '--num-callers' takes an integer from 1 to 500, not '0'" --num-callers=0
refused "option '--num-callers' takes an integer from 1 to 500, not '501'" --num-callers=501
refused "option '--num-callers' takes an integer from 1 to 500, not '12x'" --num-callers=12x
refused "option '--error-exitcode' (heapcheck's --exitcode) takes an integer from 0 to 255, not '256'" \
    --error-exitcode=256
refused "option '--gen-suppressions' takes one of yes|no|all, not 'some'" --gen-suppressions=some
refused "the value of option '--log-file' cannot contain ':'" --log-file=a:b
refused "option '--log-file' (heapcheck's --log_path) takes at most 511 bytes, not a value of 600 bytes" \
    --log-file="$(printf '%600s' '' | tr ' ' x)"
# only Valgrind's spelling takes Valgrind's values
refused "option '--show_reachable' takes 0 or 1, not 'yes'" --show_reachable=yes
refused "unknown option '--track-origins' (see heapcheck --help)" --track-origins=yes

case_ "--help lists Valgrind's flags"
run "$HC_DRIVER" --help
expect_rc 0
for f in --tool=memcheck --log-file=FILE "-q " "-v " --leak-check= --show-reachable=yes --num-callers=N \
    --error-exitcode=N --suppressions=FILE --gen-suppressions=; do
    expect_out "  $f"
done

case_ "CTest's command line on a leaking program, under the real library"
HEAPCHECK_LIBRARY="$HC_LIB" run "$HC_DRIVER" -q --tool=memcheck --leak-check=yes --show-reachable=yes \
    --num-callers=50 --log-file="$W/MemoryChecker.2.log" "$HC_FP_PLAIN"
expect_rc 23
grep -q "definitely lost: 64 bytes in 2 blocks" "$W/MemoryChecker.2.log" || fail "no leak summary in the log file"
expect_no_err "definitely lost"

case_ "--error-exitcode sets the status of a run with findings"
HEAPCHECK_LIBRARY="$HC_LIB" run "$HC_DRIVER" --error-exitcode=7 --leak-check=full -- "$HC_FP_PLAIN"
expect_rc 7
expect_err "definitely lost: 64 bytes in 2 blocks"

finish
