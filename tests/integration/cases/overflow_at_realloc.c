/* heap-buffer-overflow caught by realloc() of the damaged block. */
#include <stdlib.h>
#include <string.h>

int main(void) {
  char *p = malloc(20);                      /* alloc */
  volatile size_t n = 21;                    /* one byte too many, out of the compiler's sight */
  memset(p, 'x', n);
  char *q = realloc(p, 400);                 /* detected */
  free(q);
  return 0;
}
