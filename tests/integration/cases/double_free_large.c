/* double-free of a large block (served by mmap, given back at once: no quarantine). */
#include <stdlib.h>

int main(void) {
  size_t n = 256 * 1024;
  char *p = malloc(n);                       /* alloc */
  void *volatile again = p;                  /* the compiler must not see the bug */
  p[0] = p[n - 1] = 1;
  free(p);                                   /* free */
  free(again);                               /* detected */
  return 0;
}
