/* heap-buffer-overflow: a write several bytes past the end (bytes in between left intact). */
#include <stdlib.h>

int main(void) {
  char *p = malloc(40);                      /* alloc */
  volatile size_t at = 40 + 5;
  p[at] = 'A';                               /* 6th byte after the block */
  free(p);                                   /* detected */
  return 0;
}
