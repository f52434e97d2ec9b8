#!/bin/sh
# real.sqlite.CONFIG: /usr/bin/sqlite3 runs workload.sql on a database file (tables, 30k rows from a
# recursive CTE, indexes, joins, group by, order by, a transaction rolled back, one failing statement
# whose message goes to stderr); compared with a plain run, then the database is checked.
. "$HC_SRC/common.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
STDIN=$HC_SRC/workload.sql
scenario() {
  $HC_PRE sqlite3 "$RUN/test.db"
  echo "sqlite3 exit $?"
  $HC_PRE sqlite3 "$RUN/test.db" 'PRAGMA integrity_check; SELECT count(*), sum(qty) FROM orders;'
}
compare_run "${1:-default}"
check_reports --min 2 --max 2 --need sqlite3
grep -q '^ok$' "$W/checked/stdout" || fail "PRAGMA integrity_check did not say ok"
finish
