#!/bin/sh
# heapcheck benchmark: bench/run.sh [--reps N] [--quick] [--only WORKLOAD[,...]] [more: --help]
# Runs every workload under glibc, heapcheck (bare, checks only, default, unwind=fp), LSan, ASan,
# heaptrack and valgrind, interleaved, and prints the median times and peak RSS side by side.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 "$here/bench.py" "$@"
