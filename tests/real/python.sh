#!/bin/sh
# real.python.CONFIG: Debian's /usr/bin/python3 with PYTHONMALLOC=malloc (every object through malloc)
# runs workload.py (dicts, classes, json, re, sorting, ~15 MB of buffers, exceptions, generators,
# threads) plainly and under heapcheck: same exit status (3), stdout, stderr; no heap error reported.
. "$HC_SRC/common.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "SKIP: $PY not installed"; exit 77; }
scenario() {
  # The environment of both runs is fixed: no user site, no bytecode written, hashing seeded.
  $HC_PRE env -u PYTHONPATH -u PYTHONHOME -u PYTHONSTARTUP PYTHONMALLOC=malloc PYTHONDONTWRITEBYTECODE=1 \
    PYTHONHASHSEED=0 PYTHONNOUSERSITE=1 "$PY" "$HC_SRC/workload.py"
}
compare_run "${1:-default}"
check_reports --max 1 --need python3
grep -q '^== threads' "$W/checked/stdout" || fail "the workload did not get to its last section"
finish
