/* Built with -O2: the allocating function is inlined into its caller. The leak's stack shows the inlined frame
 * (function make_record at its malloc line, marked inlined) and then its caller at the call's line. */
#include <stdlib.h>
#include <string.h>

#include "case_util.h"

void *volatile sink;

static inline __attribute__((always_inline)) char *make_record(size_t n) {
  char *p = malloc(n);                       /* make_record's line */
  if (p) memset(p, 'r', n);
  return p;
}

__attribute__((noinline)) static void build(size_t n) {
  sink = make_record(n);                     /* build's line */
}

int main(int argc, char **argv) {
  (void)argv;
  build(60 + (size_t)argc);                  /* 61 bytes */
  sink = NULL;
  forget_stack();
  return 0;
}
