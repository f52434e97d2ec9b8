/* use-after-free: a write into a freed block still in the quarantine at exit: found by the exit-time check. */
#include <stdlib.h>

int main(void) {
  char *p = malloc(64);                      /* alloc */
  char *volatile dangling = p;
  free(p);                                   /* free */
  dangling[63] = 'Z';
  return 0;
}
