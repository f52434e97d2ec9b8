/* double-free: the same pointer freed twice in a row. */
#include <stdlib.h>

int main(void) {
  char *p = malloc(24);                      /* alloc */
  void *volatile q = p;                      /* the compiler must not see the bug */
  free(p);                                   /* free */
  free(q);                                   /* detected */
  return 0;
}
