#!/bin/sh
# HEAPCHECK_OPTIONS as the preloaded library takes it: checked, read whole, filtered under secure execution.
#
#   options_env.sh DEF LIB LEAK CLEAN LINKED
#
# DEF is libcheck/options.def, LIB libheapcheck.so, LEAK a program with one definite leak that exits 0, CLEAN a
# program without findings that exits 0, LINKED the leaking program linked against LIB (so the loader loads it
# even in secure execution, where LD_PRELOAD is ignored).
#
# - Every int and bool option one past its range and every word of an enum or list option misspelled, on the
#   clean program: stderr names the option, the value, what it takes (built here from DEF) and what is used,
#   and the status is 23 (exitcode): a rejected option fails the run. The values that made a leak exit 0.
# - Valid spellings: leak_check=yes lists the leak as full does; an empty leak_exitcode_kinds counts no leak.
# - A 100 KB HEAPCHECK_OPTIONS whose last entry decides; a 70 KB variable before HEAPCHECK_OPTIONS.
# - Secure execution (as root only: a setuid copy of LINKED): no file named by the environment is written, the
#   exit status stays the default's, and stderr says what was ignored.
set -u
def=$1 lib=$2 leak=$3 clean=$4 linked=$5
dir=$(mktemp -d "${TMPDIR:-/tmp}/hc-options.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
failed=0 cases=0
fail() {
  failed=$((failed + 1))
  echo "FAIL [$case]: $*"
  echo "--- stderr:"; sed -n '1,30p' "$dir/err"
}
# run OPTIONS PROGRAM: under the library with HEAPCHECK_OPTIONS=OPTIONS; stderr in $dir/err, status in $rc
run() {
  case=$1
  cases=$((cases + 1))
  HEAPCHECK_OPTIONS=$1 LD_PRELOAD=$lib "$2" >/dev/null 2>"$dir/err"
  rc=$?
}
expect_rc() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1"; }
expect_err() { grep -F -q -e "$1" "$dir/err" || fail "stderr lacks '$1'"; }
expect_no_err() { if grep -F -q -e "$1" "$dir/err"; then fail "stderr has '$1'"; fi; }

options=$(sed -n 's/^LC_OPTION(\([a-z]*\), *\([a-z_]*\), *"\{0,1\}\([^",]*\)"\{0,1\}, *\([0-9]*\), *\([0-9]*\),.*/\1 \2 \4 \5 =\3/p' "$def")
[ "$(printf '%s\n' "$options" | wc -l)" -ge 29 ] || { echo "FAIL: no options found in $def"; exit 1; }
words() { sed -n "s/^LC_WORD($1, *[A-Z_]*, *\([a-z]*\)).*/\1/p" "$def"; }
aliases() { sed -n "s/^LC_ALIAS($1, *[A-Z_]*, *\([a-z]*\)).*/\1/p" "$def"; }
joined() { tr '\n' ' ' | sed 's/ $//; s/ /, /g'; }
expected() { # TYPE NAME MIN MAX
  case "$1" in
  bool) echo "0 or 1" ;;
  int) echo "an integer from $3 to $4" ;;
  enum) a=$(aliases "$2" | joined); echo "one of $(words "$2" | joined)${a:+ (or $a)}" ;;
  list) echo "a comma-separated list of $(words "$2" | joined) (may be empty)" ;;
  esac
}
# rejected ENTRY EXPECTED USING: on the clean program
rejected() {
  run "$1" "$clean"
  expect_rc 23
  expect_err "heapcheck: option $1 rejected: expected $2; using $3"
  expect_err "heapcheck: the process will exit with status 23 (exitcode) because an option was rejected"
  expect_err "warning: options rejected at start-up: ${1%%=*}"
}

n=0
while read -r type name min max default; do
  default=${default#=}
  e=$(expected "$type" "$name" "$min" "$max")
  case "$type" in
  int | bool)
    rejected "$name=$((min - 1))" "$e" "$default"
    rejected "$name=$((max + 1))" "$e" "$default"
    n=$((n + 1)) ;;
  enum | list)
    for w in $(words "$name") $(aliases "$name"); do
      rejected "$name=${w%?}" "$e" "$default"
      rejected "$name=${w}x" "$e" "$default"
      n=$((n + 1))
    done ;;
  esac
done <<EOF
$options
EOF
[ "$n" -ge 29 ] || { case="the table"; fail "only $n options and words tried"; }

# What let a definite leak exit 0 before.
for bad in leak_exitcode_kinds=definit exitcode=256 exitcode=-1 leak_check=fulll unwind=fpp max_frames=1000 \
           quarantine_mb=-5; do
  run "$bad" "$leak"
  expect_rc 23
  expect_err "heapcheck: option $bad rejected: expected"
done
run "leak_check=" "$leak"
expect_rc 23
expect_err 'heapcheck: option leak_check="" rejected: expected one of'
# A typo among good entries: the others still apply (exitcode=42 is the status).
run "exitcode=42:leak_chek=full:show_reachable=1" "$clean"
expect_rc 42
expect_err "heapcheck: option leak_chek=full rejected: unknown option"
# exitcode=0 keeps the program's status, typo or not; the typo is still said.
run "exitcode=0:leak_check=fulll" "$leak"
expect_rc 0
expect_err "heapcheck: option leak_check=fulll rejected"
expect_no_err "will exit with status"

# Valid spellings.
run "leak_check=yes" "$leak"
expect_rc 23
expect_err "77 bytes in 1 block is definitely lost"
expect_no_err "rejected"
run "leak_check=summary" "$leak"
expect_rc 23
expect_no_err "is definitely lost"
expect_err "definitely lost: 77 bytes in 1 blocks"
run "leak_exitcode_kinds=" "$leak"
expect_rc 0
expect_err "is definitely lost"
run "leak_exitcode_kinds=possible,reachable:leak_exitcode_kinds=possible,definite" "$leak"
expect_rc 23
run "leak_check=no" "$leak"
expect_rc 0
expect_no_err "definitely lost"
run "" "$clean"
expect_rc 0
[ -s "$dir/err" ] && fail "a clean run said something"

# Read whole: 100 KB of options, the last one decides (exitcode=77 was cut to 7 at 64 KiB).
opts=
i=0
while [ $i -lt 1024 ]; do opts="${opts}verbosity=0:show_possibly=1:checks=1:"; i=$((i + 1)); done   # 40 KB
opts="$opts$opts${opts}exitcode=77"
[ ${#opts} -gt 100000 ] || { case="100 KB"; fail "only ${#opts} bytes"; }
case="a 100 KB HEAPCHECK_OPTIONS"
cases=$((cases + 1))
env -i HEAPCHECK_OPTIONS="$opts" LD_PRELOAD="$lib" "$leak" >/dev/null 2>"$dir/err"
rc=$?
expect_rc 77
expect_no_err "rejected"
# 70 KB in a variable before HEAPCHECK_OPTIONS: it was never seen.
big=$(printf '%071680d' 0)
case="a 70 KB variable before HEAPCHECK_OPTIONS"
cases=$((cases + 1))
env -i BIG="$big" HEAPCHECK_OPTIONS="exitcode=77" LD_PRELOAD="$lib" "$leak" >/dev/null 2>"$dir/err"
rc=$?
expect_rc 77
# A str value longer than an option holds: rejected loudly, not cut.
long=$(printf '%0600d' 0)
run "log_path=$dir/$long" "$clean"
expect_rc 23
expect_err "bytes) rejected: expected at most 511 bytes; using \"\""

# Secure execution, for real: a setuid copy (owner nobody) of the linked program, run by root. The directory is
# writable by all, so only heapcheck's filter keeps the files from being written.
case="secure execution"
if [ "$(id -u)" -ne 0 ]; then
  echo "note: not root: the setuid case is not run (the filter itself is tested in unit.options)"
else
  cases=$((cases + 1))
  chmod 1777 "$dir"
  cp "$linked" "$dir/privileged"
  secure_opts="log_path=$dir/log:json_path=$dir/report.json:exitcode=77:suppressions=/etc/shadow:verbosity=1:leak_check=fulll"
  # Without the bit first: the same options are taken (what the filter must stop is real).
  HEAPCHECK_OPTIONS="$secure_opts" "$dir/privileged" >/dev/null 2>"$dir/err"
  rc=$?
  expect_rc 77
  [ -s "$dir/log" ] || fail "not setuid: no log written"
  rm -f "$dir/log" "$dir/report.json"
  chown 65534 "$dir/privileged" && chmod 4755 "$dir/privileged"
  HEAPCHECK_OPTIONS="$secure_opts" "$dir/privileged" >/dev/null 2>"$dir/err"
  rc=$?
  if grep -q "error while loading shared libraries" "$dir/err"; then
    echo "note: the setuid program cannot load the library from the build tree: case not run"
  else
    expect_rc 23
    expect_err "heapcheck: secure execution (setuid, setgid or file capabilities): ignored from HEAPCHECK_OPTIONS: log_path (names a file), json_path (names a file), exitcode (sets the exit status or ends the process), suppressions (names a file), leak_check (changes what is found, so the exit status); the defaults apply"
    expect_err "heapcheck: checking pid"                   # verbosity=1 is taken
    expect_err "77 bytes in 1 block is definitely lost"    # checked, reported on stderr
    [ -e "$dir/log" ] && fail "log_path was written"
    [ -e "$dir/report.json" ] && fail "json_path was written"
    [ "$(grep -c "secure execution" "$dir/err")" -eq 1 ] || fail "not said once"
  fi
fi

if [ $failed -ne 0 ]; then echo "$failed failure(s) in $cases case(s)"; exit 1; fi
echo "all $cases case(s) passed"
