/* Stack of a direct malloc: the leak's allocation stack names make_node and main with their lines. */
#include <stdlib.h>
#include <string.h>

#include "case_util.h"

static void *volatile sink;

__attribute__((noinline)) static char *make_node(size_t n) {
  char *p = malloc(n);                       /* make_node's line */
  if (p) memset(p, 'n', n);
  return p;
}

int main(void) {
  sink = make_node(77);                      /* main's line */
  sink = NULL;                               /* the only pointer is gone: definitely lost */
  forget_stack();
  return 0;
}
