#!/bin/sh
# Runs one test program under libheapcheck.so and checks what run_case.sh does not look at: the text report on
# stderr, the number of JSON reports, lines of the JSON reports, the order of lines.
#
#   run_stderr.sh --lib LIB --report-tool TOOL [--options OPTS] [--status N] [--reports N]
#                 [--has ERE]... [--lacks ERE]... [--seq ERE]... [--json-has ERE]... [--json-seq ERE]...
#                 -- PROGRAM [ARGS...]
#
# The program runs with LD_PRELOAD=LIB and HEAPCHECK_OPTIONS="json_path=DIR/report.%p.json:OPTS", stdin from
# /dev/null.
# --status N:   the exit status the program must end with (a death by signal S is 128+S).
# --reports N:  exactly N JSON reports must have been written (default: not checked). Every report written
#               must be read without complaint by `TOOL show`.
# --has ERE:    some line of stderr matches (grep -E). --lacks ERE: no line of stderr matches.
# --seq ERE:    the --seq patterns match lines of stderr in the order given (each one on a later line than
#               the previous one's match).
# --json-has ERE, --json-seq ERE: the same over the JSON report(s), concatenated.
set -u
lib='' tool='' opts='' status='' reports=''
nl='
'
has='' lacks='' seq='' jhas='' jseq=''
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2; shift 2 ;;
    --report-tool) tool=$2; shift 2 ;;
    --options) opts=$2; shift 2 ;;
    --status) status=$2; shift 2 ;;
    --reports) reports=$2; shift 2 ;;
    --has) has="$has$2$nl"; shift 2 ;;
    --lacks) lacks="$lacks$2$nl"; shift 2 ;;
    --seq) seq="$seq$2$nl"; shift 2 ;;
    --json-has) jhas="$jhas$2$nl"; shift 2 ;;
    --json-seq) jseq="$jseq$2$nl"; shift 2 ;;
    --) shift; break ;;
    *) echo "run_stderr.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -n "$lib" ] && [ -n "$tool" ] && [ $# -gt 0 ] || { echo "run_stderr.sh: usage: see the header" >&2; exit 2; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/hc-leaks.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
HEAPCHECK_OPTIONS="json_path=$dir/report.%p.json${opts:+:$opts}" LD_PRELOAD="$lib" "$@" </dev/null >"$dir/stdout" 2>"$dir/stderr"
rc=$?
failed=0
fail() { echo "FAIL: $*" >&2; failed=1; }

if [ -n "$status" ] && [ "$rc" -ne "$status" ]; then fail "exit status $rc, expected $status"; fi

n=0
: >"$dir/json"
for r in "$dir"/report.*.json; do
  [ -f "$r" ] || continue
  n=$((n + 1))
  "$tool" show "$r" >/dev/null 2>"$dir/show.err" || { cat "$dir/show.err" >&2; fail "$TOOL show cannot read $(basename "$r")"; }
  cat "$r" >>"$dir/json"
done
if [ -n "$reports" ] && [ "$n" -ne "$reports" ]; then fail "$n JSON report(s) written, expected $reports"; fi

# each_line LIST FUNCTION: calls FUNCTION with each non-empty line of LIST.
each_line() {
  _list=$1 _fn=$2
  while [ -n "$_list" ]; do
    _re=${_list%%"$nl"*}
    _list=${_list#*"$nl"}
    [ -n "$_re" ] && "$_fn" "$_re"
  done
}
check_has() { grep -Eq -- "$1" "$dir/stderr" || fail "no line of stderr matches /$1/"; }
check_lacks() { if grep -Eq -- "$1" "$dir/stderr"; then fail "a line of stderr matches /$1/: $(grep -E -m1 -- "$1" "$dir/stderr")"; fi; }
check_jhas() { grep -aEq -- "$1" "$dir/json" || fail "no line of the JSON report(s) matches /$1/"; }
# In-order matching: $from is the number of lines already consumed.
check_seq_in() {
  _line=$(tail -n +"$((from + 1))" "$seq_file" | grep -aEn -m1 -- "$1" | cut -d: -f1)
  if [ -z "$_line" ]; then fail "/$1/ matches no line after line $from of $(basename "$seq_file")"; else from=$((from + _line)); fi
}
TOOL=$tool
each_line "$has" check_has
each_line "$lacks" check_lacks
each_line "$jhas" check_jhas
from=0 seq_file=$dir/stderr
each_line "$seq" check_seq_in
from=0 seq_file=$dir/json
each_line "$jseq" check_seq_in

if [ "$failed" -ne 0 ]; then
  echo "--- program stderr ---" >&2; cat "$dir/stderr" >&2
  for r in "$dir"/report.*.json; do [ -f "$r" ] && { echo "--- $r ---" >&2; cat "$r" >&2; }; done
  exit 1
fi
echo "ok: $*"
exit 0
