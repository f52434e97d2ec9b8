#!/bin/sh
# Runs one test program under libheapcheck.so and checks what run_case.sh cannot: the program's stdout and
# stderr (the text report), and report fields that `heapcheck-report check --expect` has no key for (through
# report_probe).
#
#   run_probe.sh --lib LIB --report-tool TOOL --probe PROBE [--options OPTS] [--status N] [--stdin FILE]
#                [--stdout-has S] [--stdout-lacks S] [--stderr-has S] [--stderr-lacks S] [--no-report]
#                [PROBE ASSERTION]... -- PROGRAM [ARGS...]
#
# The program runs as under run_case.sh: LD_PRELOAD=LIB, HEAPCHECK_OPTIONS="json_path=DIR/report.%p.json:OPTS".
# --status N:      the exit status the program must end with, as the shell sees it (128+n for signal n).
# --*-has/lacks S: the fixed string S must (not) occur in the program's stdout/stderr. Each may be repeated.
# --no-report:     no JSON report is looked for (a program that aborts writes none); no probe assertion then.
# PROBE ASSERTION: --field KIND KEY VALUE, --frame KIND FUNCTION KEY VALUE, --max-frames N,
#                  --unsymbolized MODULE, --kinds LIST (see report_probe.c). When several processes wrote
#                  reports (fork) they are merged with `TOOL merge` first.
# Core dumps are disabled. On failure the program's stdout and stderr are shown.
set -u
lib= tool= probe= opts= status= stdin=/dev/null noreport=
dir=$(mktemp -d "${TMPDIR:-/tmp}/hc-probe.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
: >"$dir/grep"
: >"$dir/asserts"
# Probe assertions are kept one argument per line (no argument contains a newline).
keep() { for a in "$@"; do printf '%s\n' "$a" >>"$dir/asserts"; done; }
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2; shift 2 ;;
    --report-tool) tool=$2; shift 2 ;;
    --probe) probe=$2; shift 2 ;;
    --options) opts=$2; shift 2 ;;
    --status) status=$2; shift 2 ;;
    --stdin) stdin=$2; shift 2 ;;
    --no-report) noreport=1; shift ;;
    --stdout-has|--stdout-lacks|--stderr-has|--stderr-lacks) printf '%s\n%s\n' "$1" "$2" >>"$dir/grep"; shift 2 ;;
    --field) keep "$1" "$2" "$3" "$4"; shift 4 ;;
    --frame) keep "$1" "$2" "$3" "$4" "$5"; shift 5 ;;
    --max-frames|--unsymbolized|--kinds) keep "$1" "$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "run_probe.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$lib" ] && [ -n "$tool" ] && [ -n "$probe" ] && [ $# -gt 0 ] || { echo "run_probe.sh: usage: see the header" >&2; exit 2; }
ulimit -c 0 2>/dev/null
HEAPCHECK_OPTIONS="json_path=$dir/report.%p.json${opts:+:$opts}" LD_PRELOAD="$lib" "$@" <"$stdin" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
fail() {
  echo "FAIL: $*" >&2
  echo "--- program stdout ---" >&2; cat "$dir/stdout" >&2
  echo "--- program stderr ---" >&2; cat "$dir/stderr" >&2
  exit 1
}
if [ -n "$status" ] && [ "$rc" -ne "$status" ]; then fail "exit status $rc, expected $status"; fi
while IFS= read -r what && IFS= read -r text; do
  case "$what" in
    --stdout-has) grep -qF -e "$text" "$dir/stdout" || fail "stdout lacks '$text'" ;;
    --stdout-lacks) ! grep -qF -e "$text" "$dir/stdout" || fail "stdout has '$text'" ;;
    --stderr-has) grep -qF -e "$text" "$dir/stderr" || fail "stderr lacks '$text'" ;;
    --stderr-lacks) ! grep -qF -e "$text" "$dir/stderr" || fail "stderr has '$text'" ;;
  esac
done <"$dir/grep"
if [ -z "$noreport" ]; then
  set -- "$dir"/report.*.json
  [ -f "$1" ] || fail "no JSON report was written"
  if [ $# -gt 1 ]; then "$tool" merge -o "$dir/merged.json" "$@" || fail "merge failed"; report=$dir/merged.json; else report=$1; fi
  if [ -s "$dir/asserts" ]; then
    # Rebuild the argument list from the saved assertions.
    set --
    while IFS= read -r a; do set -- "$@" "$a"; done <"$dir/asserts"
    "$probe" "$report" "$@" 2>"$dir/probe" || { cat "$dir/probe" >&2; fail "report assertions not met"; }
  fi
fi
echo "ok: run_probe.sh"
exit 0
