#!/bin/sh
# heapcheck (the driver): option validation, --help, --version.
. "$HC_TESTLIB"

# Any existing shared library will do for the driver: the real one is built elsewhere.
HEAPCHECK_LIBRARY="$HC_PRELOAD_A"
export HEAPCHECK_LIBRARY

usage_error() { # usage_error MESSAGE ARGS...
    msg="$1"
    shift
    case_ "usage error: $*"
    run "$HC_DRIVER" "$@"
    expect_rc 2
    expect_err "$msg"
    expect_err "usage: heapcheck"
    [ -s "$OUT" ] && fail "printed to stdout"
}

usage_error "heapcheck: unknown option '--foo' (see heapcheck --help)" --foo -- "$HC_ENVPRINT"
usage_error "heapcheck: unknown option '--foo' (see heapcheck --help)" --foo=1 -- "$HC_ENVPRINT"
usage_error "heapcheck: unknown option '-x' (see heapcheck --help)" -x "$HC_ENVPRINT"
usage_error "option '--checks' takes 0 or 1, not '2'" --checks=2 -- "$HC_ENVPRINT"
usage_error "option '--checks' takes 0 or 1, not 'yes'" --checks=yes -- "$HC_ENVPRINT"
usage_error "option '--checks' takes 0 or 1, not ''" --checks= -- "$HC_ENVPRINT"
usage_error "option '--max_frames' takes an integer from 1 to 64, not '0x10'" --max_frames=0x10 -- "$HC_ENVPRINT"
usage_error "option '--max_frames' takes an integer from 1 to 64, not '8k'" --max_frames=8k "$HC_ENVPRINT"
usage_error "option '--max_frames' takes an integer from 1 to 64, not ''" --max_frames= "$HC_ENVPRINT"
usage_error "option '--max_frames' takes an integer from 1 to 64, not '99999999999'" --max_frames=99999999999 "$HC_ENVPRINT"
usage_error "option '--max_frames' takes an integer from 1 to 64, not '+8'" --max_frames=+8 "$HC_ENVPRINT"
usage_error "option '--max_frames' takes an integer from 1 to 64, not '-1'" --max_frames=-1 "$HC_ENVPRINT"
usage_error "option '--exitcode' needs a value" --exitcode -- "$HC_ENVPRINT"
usage_error "option '--json_path' needs a value" --json_path -- "$HC_ENVPRINT"
usage_error "option '--leak_check' needs a value (--leak_check=full|summary|no)" --leak_check -- "$HC_ENVPRINT"
usage_error "cannot contain ':'" --suppressions=a:b -- "$HC_ENVPRINT"
usage_error "heapcheck: no program to run"
usage_error "heapcheck: no program to run" --checks=1
usage_error "heapcheck: no program to run" --checks=1 --

case_ "--help lists every option of options.def with its default"
run "$HC_DRIVER" --help
expect_rc 0
expect_out "usage: heapcheck"
n=0
for name in $(sed -n 's/^LC_OPTION([a-z]*, *\([a-z_0-9]*\),.*/\1/p' "$HC_OPTIONS_DEF"); do
    expect_out "--$name="
    n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n options found in $HC_OPTIONS_DEF"
expect_out "[default: 16]"
expect_out "[default: 'libunwind']"
expect_out "--leak_check=full|summary|no"
expect_out "Takes an integer from 1 to 64."

case_ "-h"
run "$HC_DRIVER" -h
expect_rc 0
expect_out "--max_frames=N"

case_ "--version"
run "$HC_DRIVER" --version
expect_rc 0
[ "$(cat "$OUT")" = "heapcheck $HC_VERSION" ] || fail "version line is '$(cat "$OUT")'"

case_ "valid options are accepted"
run "$HC_DRIVER" --checks --stacks=0 --max_frames=1 --max-frames=64 --json_path=/tmp/r.%p.json --suppressions= -- "$HC_ENVPRINT"
expect_rc 0
expect_out "checks=1:stacks=0:max_frames=1:max_frames=64:json_path=/tmp/r.%p.json:suppressions=:root_pid="

finish
