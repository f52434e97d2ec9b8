#!/bin/sh
# Runs a randomized test program under libheapcheck.so once per seed and stops at the first seed that fails: the
# exit status must be the findings' (a report was made), no signal, no internal error of heapcheck's, the
# program's last line printed, and every finding of a kind in the list.
#
#   run_seeds.sh --lib LIB --probe PROBE --seeds N [--options OPTS] [--status S] [--stdout-has TEXT] [--kinds LIST]
#                -- PROGRAM [ARGS...]
#
# Every argument that is exactly @SEED@ becomes the seed, 1 to N: `--seeds 1` with the seed written in replays
# one. Like run_probe.sh (HEAPCHECK_OPTIONS="json_path=DIR/report.json:OPTS", core dumps off), in one shell and
# one directory for all seeds, so that a hundred runs take little more than the programs themselves.
set -u
lib= probe= seeds= opts= status=23 has= kinds=
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2; shift 2 ;;
    --probe) probe=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --options) opts=$2; shift 2 ;;
    --status) status=$2; shift 2 ;;
    --stdout-has) has=$2; shift 2 ;;
    --kinds) kinds=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run_seeds.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$lib" ] && [ -n "$probe" ] && [ -n "$seeds" ] && [ $# -gt 0 ] || { echo "run_seeds.sh: usage: see the header" >&2; exit 2; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/hc-seeds.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
ulimit -c 0 2>/dev/null
fail() {
  echo "FAIL: seed $seed: $*" >&2
  echo "--- program stdout ---" >&2; cat "$dir/stdout" >&2
  echo "--- program stderr ---" >&2; cat "$dir/stderr" >&2
  exit 1
}
# One run: the arguments rebuilt with the seed in place of @SEED@.
run() {
  count=$#
  for a; do
    [ "$a" = @SEED@ ] && a=$seed
    set -- "$@" "$a"
  done
  shift "$count"
  rm -f "$dir/report.json"
  HEAPCHECK_OPTIONS="json_path=$dir/report.json${opts:+:$opts}" LD_PRELOAD="$lib" "$@" </dev/null >"$dir/stdout" 2>"$dir/stderr"
}
seed=1
while [ "$seed" -le "$seeds" ]; do
  run "$@"
  rc=$?
  [ "$rc" -eq "$status" ] || fail "exit status $rc, expected $status"
  ! grep -q "heapcheck: internal error" "$dir/stderr" || fail "heapcheck's internal error"
  [ -z "$has" ] || grep -qF -e "$has" "$dir/stdout" || fail "stdout lacks '$has'"
  [ -f "$dir/report.json" ] || fail "no JSON report was written"
  [ -z "$kinds" ] || "$probe" "$dir/report.json" --kinds "$kinds" >"$dir/probe" 2>&1 || { cat "$dir/probe" >&2; fail "kinds"; }
  seed=$((seed + 1))
done
echo "ok: $seeds seeds"
exit 0
