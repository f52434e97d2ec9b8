#!/bin/sh
# real.gcc.CONFIG: /usr/bin/gcc -O2 compiles and links hello.c (with a warning on stderr); gcc runs
# cc1, as, collect2 and ld as children, all preloaded: each writes its own report and each must be
# clean of heap errors. The executables of the plain and the checked build must be byte-identical,
# and the compiled program's output is checked.
. "$HC_SRC/common.sh"
command -v gcc >/dev/null || { echo "SKIP: gcc not installed"; exit 77; }
scenario() {
  cp "$HC_SRC/hello.c" . || return 99
  $HC_PRE gcc -O2 -Wall -o hello hello.c
  echo "gcc exit $?"
  $HC_PRE ./hello 7
  echo "hello exit $?"
}
compare_run "${1:-default}"
check_reports --min 6 --need gcc --need cc1 --need as --need collect2 --need ld --need hello
cmp "$W/plain/run/hello" "$W/checked/run/hello" || fail "the executable built under heapcheck differs from the plain one"
printf 'gcc exit 0\nfib(30) = 832040\nfib(7) = 13\nsorted: 1 2 3 5 8 13 21 (16 chars)\nhello exit 0\n' >"$W/expected"
cmp -s "$W/expected" "$W/checked/stdout" || { fail "the compiled program's output is wrong"; diff "$W/expected" "$W/checked/stdout"; }
grep -q 'warning: unused variable' "$W/plain/stderr" || fail "gcc's warning is missing from stderr"
finish
