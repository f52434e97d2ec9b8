/* double-free: the block is freed again after other allocations and frees (it is still in the quarantine). */
#include <stdlib.h>

static void *volatile sink;

int main(void) {
  char *p = malloc(40);                      /* alloc */
  void *volatile again = p;                  /* the compiler must not see the bug */
  free(p);                                   /* free */
  for (int i = 0; i < 100; i++) {
    sink = malloc(16 + (size_t)i);
    free(sink);
  }
  free(again);                               /* detected */
  return 0;
}
