#!/bin/sh
# A program that leaks and dies of a fatal signal keeps its exit status, and still leaves the exit report: the
# text with the leak and a JSON report with exit_path "signal" and the leak. A program's own handler is kept.
# usage: fatal.sh LIB PROG CASE (segv abort fpe own_handler)
set -u
lib=$1 prog=$2 case=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/err" 2>/dev/null; exit 1; }
LD_PRELOAD=$lib HEAPCHECK_OPTIONS=json_path=$tmp/r.json "$prog" "$case" 2> "$tmp/err" > "$tmp/out"
status=$?
case $case in
  segv) want=139 sig=SIGSEGV ;;
  abort) want=134 sig=SIGABRT ;;
  fpe) want=136 sig=SIGFPE ;;
  own_handler)
    grep -q '^own handler$' "$tmp/out" || fail "status $status: the program's own SIGSEGV handler did not run"
    # _exit(42) from the handler: heapcheck's _exit reports the leak as for any _exit (status 23).
    [ "$status" -eq 23 ] || fail "exit status $status, expected 23 (the leak, reported by _exit)"
    ! grep -q 'process terminating' "$tmp/err" || fail "heapcheck reported a signal the program handles"
    echo "ok: the program's own handler kept"; exit 0 ;;
  *) fail "unknown case $case" ;;
esac
[ "$status" -eq "$want" ] || fail "exit status $status, expected $want (the signal's own)"
grep -q "process terminating with default action of signal [0-9]* ($sig)" "$tmp/err" || fail "no line naming $sig"
grep -q '99 bytes in 1 block is definitely lost' "$tmp/err" || fail "the leak is not in the text report"
[ -f "$tmp/r.json" ] || fail "no JSON report"
python3 - "$tmp/r.json" "$sig" <<'PY' || fail "JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["exit_path"] == "signal", r["exit_path"]
assert r["signal"] == sys.argv[2], r.get("signal")
leaks = [l for l in r["leaks"] if l["kind"] == "leak-definite" and l["bytes"] == 99]
assert leaks, r["leaks"]
PY
echo "ok: status $status, text and JSON report with the leak"
