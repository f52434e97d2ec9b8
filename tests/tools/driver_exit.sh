#!/bin/sh
# heapcheck (the driver): the program's exit status and signals come through unchanged; exec
# failures are 127/126 like a shell's.
. "$HC_TESTLIB"

HEAPCHECK_LIBRARY="$HC_PRELOAD_A"
export HEAPCHECK_LIBRARY

case_ "exit status 0"
run "$HC_DRIVER" -- sh -c 'exit 0'
expect_rc 0

case_ "exit status 3"
run "$HC_DRIVER" -- sh -c 'exit 3'
expect_rc 3

case_ "exit status 3 without --"
run "$HC_DRIVER" --checks=1 sh -c 'exit 3'
expect_rc 3

case_ "killed by SIGTERM: the shell sees 143"
run "$HC_DRIVER" -- sh -c 'kill -TERM $$'
expect_rc 143

case_ "the program runs in the driver's own process"
run sh -c '"$0" -- sh -c "echo \$\$" & echo "driver=$!"; wait' "$HC_DRIVER"
driver=$(sed -n 's/^driver=//p' "$OUT")
prog=$(grep -v '^driver=' "$OUT")
[ -n "$driver" ] && [ "$driver" = "$prog" ] || fail "driver pid $driver, program pid $prog"

case_ "program not found: 127"
run "$HC_DRIVER" -- no-such-program-heapcheck-test arg
expect_rc 127
expect_err "heapcheck: cannot run 'no-such-program-heapcheck-test': No such file or directory"

case_ "program path not found: 127"
run "$HC_DRIVER" -- "$W/missing/prog"
expect_rc 127
expect_err "heapcheck: cannot run '$W/missing/prog': No such file or directory"

case_ "program not executable: 126"
printf '#!/bin/sh\nexit 0\n' >"$W/noexec.sh"
chmod 644 "$W/noexec.sh"
run "$HC_DRIVER" -- "$W/noexec.sh"
expect_rc 126
expect_err "heapcheck: cannot run '$W/noexec.sh': Permission denied"

case_ "a directory: 126"
run "$HC_DRIVER" -- "$W"
expect_rc 126
expect_err "heapcheck: cannot run '$W':"

finish
