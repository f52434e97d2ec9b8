#!/bin/sh
# agreement.sh: heapcheck and valgrind memcheck must find the same definitely lost bytes.
#
# Each program runs twice: under `valgrind --leak-check=full --trace-children=yes` (the "definitely lost: N bytes"
# of its LEAK SUMMARY; 0 when memcheck says "All heap blocks were freed") and under libheapcheck.so with
# json_path (summary.leaks.definite_bytes of its JSON report; the reports of all processes are merged by
# heapcheck-report, which also proves they are valid). The two numbers, summed over the processes of the run,
# must be equal, zero included. Programs: the deterministic cases of cases/, then perl, sqlite3, python3 and
# git on small inputs.
#
# Environment (set by CMakeLists.txt): HC_LIB (libheapcheck.so), HC_REPORT (heapcheck-report), HC_LEAKS_BIN
# (the built cases), HC_LEAKS_CASES (their sources), HC_DLIB_LEAK and HC_DLIB_STATIC (the cases' libraries),
# HC_VALGRIND (may be empty or *-NOTFOUND: then valgrind is looked up in PATH).
# Exit: 0 all agree, 1 some disagree or could not be measured, 77 valgrind is missing (skipped).
set -u
vg=${HC_VALGRIND:-}
case "$vg" in ''|*NOTFOUND) vg=$(command -v valgrind 2>/dev/null || true) ;; esac
if [ -z "$vg" ] || [ ! -x "$vg" ]; then echo "SKIP: valgrind is not installed"; exit 77; fi
for v in HC_LIB HC_REPORT HC_LEAKS_BIN HC_LEAKS_CASES HC_DLIB_LEAK HC_DLIB_STATIC; do
  eval "val=\${$v:-}"
  [ -n "$val" ] || { echo "agreement.sh: $v is not set" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/hc-agree.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 n=0

# memcheck_definite DIR: the definitely lost bytes summed over DIR/vg.*.log, or "?" when a log says neither.
memcheck_definite() {
  total=0
  for log in "$1"/vg.*.log; do
    [ -f "$log" ] || { echo "?"; return; }
    line=$(grep -E 'definitely lost: [0-9,]+ bytes in' "$log" | tail -n 1)
    if [ -n "$line" ]; then
      bytes=$(echo "$line" | sed -E 's/.*definitely lost: ([0-9,]+) bytes.*/\1/' | tr -d ,)
    elif grep -q 'All heap blocks were freed' "$log"; then
      bytes=0
    else
      echo "?"; return
    fi
    total=$((total + bytes))
  done
  echo "$total"
}

# heapcheck_definite DIR: summary.leaks.definite_bytes of the merged DIR/hc.*.json, or "?".
heapcheck_definite() {
  set -- "$1"/hc.*.json
  [ -f "$1" ] || { echo "?"; return; }
  "$HC_REPORT" merge -o "$work/merged.json" "$@" 2>"$work/merge.err" || { echo "?"; return; }
  v=$(tr -d '\n' <"$work/merged.json" | grep -o '"definite_bytes": *[0-9]*' | head -n 1 | grep -o '[0-9]*$')
  echo "${v:-?}"
}

# compare NAME [ENV=VALUE...] -- PROGRAM [ARGS...]: runs both and compares. Standard input: $stdin_file;
# $vg_extra: more valgrind options; $hc_extra: more heapcheck options (name=value:...).
stdin_file=/dev/null vg_extra='' hc_extra=''
compare() {
  name=$1; shift
  envs=
  while [ "$1" != "--" ]; do envs="$envs $1"; shift; done
  shift
  n=$((n + 1))
  d=$work/$n
  mkdir -p "$d/vg" "$d/hc"
  # Each run in a fresh directory of its own (git init writes there).
  (cd "$d/vg" && env $envs "$vg" --leak-check=full --trace-children=yes $vg_extra --log-file="$d/vg.%p.log" "$@" \
     <"$stdin_file" >"$d/vg.out" 2>"$d/vg.err")
  (cd "$d/hc" && env $envs HEAPCHECK_OPTIONS="json_path=$d/hc.%p.json${hc_extra:+:$hc_extra}" LD_PRELOAD="$HC_LIB" "$@" \
     <"$stdin_file" >"$d/hc.out" 2>"$d/hc.err")
  m=$(memcheck_definite "$d")
  h=$(heapcheck_definite "$d")
  if [ "$m" = "?" ] || [ "$h" = "?" ]; then
    echo "FAIL $name: could not measure (memcheck: $m, heapcheck: $h)"
    for f in "$d"/vg.*.log "$d/hc.err" "$work/merge.err"; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
    failed=$((failed + 1))
  elif [ "$m" -eq "$h" ]; then
    echo "ok   $name: definitely lost $m bytes (both)"
    passed=$((passed + 1))
  else
    echo "FAIL $name: definitely lost $m bytes under memcheck, $h under heapcheck"
    echo "--- memcheck"; grep -h -A6 'LEAK SUMMARY' "$d"/vg.*.log
    echo "--- heapcheck"; grep -h -A6 'LEAK SUMMARY' "$d/hc.err"
    failed=$((failed + 1))
  fi
}

B=$HC_LEAKS_BIN
# ---- the cases of cases/ whose outcome does not depend on timing or on heapcheck itself ----
compare leak_plain -- "$B/leak_plain"
compare leak_possible -- "$B/leak_possible"
compare leak_cycle -- "$B/leak_cycle"
compare leak_tree -- "$B/leak_tree"
compare leak_thread -- "$B/leak_thread"
compare leak_dlopen -- "$B/leak_dlopen" "$HC_DLIB_LEAK"
compare leak_dlopen.dlclose -- "$B/leak_dlopen" "$HC_DLIB_LEAK" close
compare leak_strdup_getline -- "$B/leak_strdup_getline"
compare leak_fork -- "$B/leak_fork" -
compare leak_grouped -- "$B/leak_grouped"
compare leak_exit_now -- "$B/leak_exit_now"
compare leak_exit_now.Exit -- "$B/leak_exit_now" Exit
compare reach_global -- "$B/reach_global"
compare reach_list -- "$B/reach_list"
compare reach_tls -- "$B/reach_tls"
compare reach_thread_stack -- "$B/reach_thread_stack"
if [ "$(uname -m)" = x86_64 ]; then compare reach_thread_register -- "$B/reach_thread_register"; fi
compare reach_dlopen_static -- "$B/reach_dlopen_static" "$HC_DLIB_STATIC"
compare reach_mmap_pool -- "$B/reach_mmap_pool"
compare reach_mmap_pool.shared -- "$B/reach_mmap_pool" shared
compare reach_exit_from_thread -- "$B/reach_exit_from_thread"
compare stdio_fopen -- "$B/stdio_fopen" "$HC_LEAKS_CASES/stdio_fopen.c"
compare getline_global -- "$B/getline_global"
compare cxx_static -- "$B/cxx_static"
compare cxx_interior -- "$B/cxx_interior"
# A suppressed leak is not definitely lost (memcheck counts it under "suppressed" only). The Valgrind-format
# file serves both tools.
vg_extra="--suppressions=$HC_LEAKS_CASES/supp_valgrind.supp" hc_extra="suppressions=$HC_LEAKS_CASES/supp_valgrind.supp"
compare leak_plain.suppressed -- "$B/leak_plain"
vg_extra="--suppressions=$HC_LEAKS_CASES/supp_grouped.supp" hc_extra="suppressions=$HC_LEAKS_CASES/supp_grouped.supp"
compare leak_grouped.one_suppressed -- "$B/leak_grouped"
vg_extra='' hc_extra=''

# ---- real programs, small inputs ----
if command -v perl >/dev/null 2>&1; then
  compare perl_hash -- perl -e 'my %h; $h{"k$_"} = [$_, "v" x $_] for 1..300; my $n = 0; $n += @{$h{$_}} for keys %h; print "$n\n";'
fi
if command -v sqlite3 >/dev/null 2>&1; then
  cat >"$work/script.sql" <<'EOF'
create table t(id integer primary key, name text, n integer);
insert into t(name, n) values ('alpha', 1), ('beta', 2), ('gamma', 3), ('delta', 4);
create index t_name on t(name);
update t set n = n * 10 where name > 'b';
select name, n from t order by n desc;
select count(*), sum(n), group_concat(name, '+') from t;
EOF
  stdin_file=$work/script.sql
  compare sqlite3_memory -- sqlite3 :memory:
  stdin_file=/dev/null
fi
if [ -x /usr/bin/python3 ]; then
  compare python3_malloc PYTHONMALLOC=malloc -- /usr/bin/python3 -c 'd = {i: str(i) * 3 for i in range(300)}; print(len(d), sum(map(len, d.values())))'
fi
if command -v git >/dev/null 2>&1; then
  compare git_version -- git --version
  compare git_init GIT_CONFIG_NOSYSTEM=1 HOME=. -- git init -q repo
fi

echo "agreement: $passed agree, $failed disagree or unmeasured, of $n programs"
[ "$failed" -eq 0 ]
