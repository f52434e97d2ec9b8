/* invalid-free: free() of a pointer into the middle of a live block (the offset is reported). */
#include <stdlib.h>

int main(void) {
  char *p = malloc(100);                     /* alloc */
  char *volatile inside = p + 10;            /* the compiler must not see the bug */
  free(inside);                              /* detected */
  free(p);                                   /* the block itself is fine */
  return 0;
}
