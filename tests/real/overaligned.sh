#!/bin/sh
# 256 x posix_memalign(2 MiB, 4096) grow the peak resident set at most twice as much under heapcheck as under
# glibc: an over-aligned block's canary is bounded, its slack left untouched. usage: overaligned.sh LIB PROG
set -u
lib=$1 prog=$2
plain=$("$prog") || { echo "FAIL: the program failed without heapcheck"; exit 1; }
checked=$(LD_PRELOAD=$lib "$prog") || { echo "FAIL: the program failed under heapcheck"; exit 1; }
echo "peak RSS growth: glibc $plain KiB, heapcheck $checked KiB"
[ "$checked" -le $((2 * plain)) ] || { echo "FAIL: more than twice glibc's"; exit 1; }
echo "ok"
