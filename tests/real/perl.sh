#!/bin/sh
# real.perl.CONFIG: /usr/bin/perl builds hashes of 200k keys, sorts them, runs regexes, grows and
# shrinks strings and arrays, warns on stderr and dies with status 4; compared with a plain run.
. "$HC_SRC/common.sh"
command -v perl >/dev/null || { echo "SKIP: perl not installed"; exit 77; }
scenario() {
  $HC_PRE perl -w "$HC_SRC/workload.pl"
}
compare_run "${1:-default}"
check_reports --max 1 --need perl
finish
