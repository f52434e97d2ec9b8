/* bad_heap.c: a program with one heap error (a write one byte past a 13-byte block) for selftest.sh:
 * the checks of tests/real must notice it. Prints "bad_heap done" and exits 0. The size depends on
 * argc so that the compiler does not see the overflow. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  (void)argv;
  size_t n = 12 + (size_t)argc;                  /* 13 when run without arguments */
  char *p = malloc(n);
  if (!p) return 1;
  p[n] = 'A';
  __asm__ volatile("" : : "r"(p) : "memory");   /* the write is not a dead store to the compiler */
  free(p);
  puts("bad_heap done");
  return 0;
}
