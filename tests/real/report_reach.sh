#!/bin/sh
# The exit report reaches the program's stderr whole, and only its stderr (see report_reach.c).
# usage: report_reach.sh LIB PROG CASE; CASE: slow_pipe, interrupted, nonblocking, datafile, dup2, freopen.
set -u
lib=$1 prog=$2 case=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# A reader that sleeps before reading: the 64 KiB pipe fills and the report's writes must wait.
whole_report() {   # $@: extra arguments of report_reach
  { LD_PRELOAD=$lib HEAPCHECK_OPTIONS=symbolize=0 "$prog" leaks 300 "$@" 2>&1; echo "status $?"; } |
    { sleep 2; cat; } > "$tmp/out"
  groups=$(grep -c 'definitely lost' "$tmp/out")
  grep -q '^SUMMARY: heapcheck: ' "$tmp/out" || fail "no summary line: the report was cut after $groups groups"
  [ "$groups" -ge 300 ] || fail "$groups of 300 leak groups reached the reader"
  grep -q '^status 23$' "$tmp/out" || fail "exit status: $(grep '^status' "$tmp/out")"
  echo "ok: 300 groups and the summary through a slow pipe ($*)"
}

case $case in
  slow_pipe) whole_report ;;
  interrupted) whole_report itimer ;;
  nonblocking) whole_report nonblock ;;
  datafile)
    LD_PRELOAD=$lib "$prog" datafile "$tmp/data" 2>&- > "$tmp/stdout"
    status=$?
    [ "$status" -eq 23 ] || fail "exit status $status, expected 23 (the leak still counts)"
    [ "$(cat "$tmp/data")" = "data" ] || { echo "the program's file holds:"; cat "$tmp/data"; fail "the report went into the program's own file on fd 2"; }
    echo "ok: the program's file on fd 2 holds only its own data" ;;
  dup2|freopen)
    LD_PRELOAD=$lib "$prog" "$case" "$tmp/err" 2> "$tmp/stderr"
    status=$?
    [ "$status" -eq 23 ] || fail "exit status $status, expected 23"
    grep -q '^own message$' "$tmp/err" || fail "the program's own message is not in its new stderr"
    grep -q '77 bytes in 1 block is definitely lost' "$tmp/err" || { cat "$tmp/err"; fail "the report did not follow stderr to the file the program put there ($case)"; }
    ! grep -q 'definitely lost' "$tmp/stderr" || fail "the report went to the old stderr"
    echo "ok: the report followed stderr ($case)" ;;
  *) fail "unknown case $case" ;;
esac
