/* A stripped binary (no symbols, no debug info): the program's own frames show as module+offset without a
 * function, and nothing crashes. */
#include <stdlib.h>
#include <string.h>

#include "case_util.h"

static void *volatile sink;

__attribute__((noinline)) static char *make_blob(size_t n) {
  char *p = malloc(n);
  if (p) memset(p, 'b', n);
  return p;
}

int main(void) {
  sink = make_blob(33);
  sink = NULL;
  forget_stack();
  return 0;
}
