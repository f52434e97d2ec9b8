/* hello.c: compiled by gcc under heapcheck in tests/real/gcc.sh; its output is checked there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int cmp(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int unused;                                   /* -Wall: the warning that goes to stderr */
  int n = argc > 1 ? atoi(argv[1]) : 5;
  int v[] = { 21, 3, 13, 1, 8, 2, 5 };
  qsort(v, sizeof v / sizeof *v, sizeof *v, cmp);
  char *buf = malloc(256);
  if (!buf) return 1;
  size_t len = 0;
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) len += (size_t)sprintf(buf + len, " %d", v[i]);
  printf("fib(30) = %lu\n", fib(30));
  printf("fib(%d) = %lu\n", n, fib((unsigned)n));
  printf("sorted:%s (%zu chars)\n", buf, strlen(buf));
  free(buf);
  return 0;
}
