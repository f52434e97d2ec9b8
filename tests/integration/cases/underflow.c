/* heap-buffer-underflow: p[-k] = 'A' (k from argv), caught by free(). */
#include <stdlib.h>

int main(int argc, char **argv) {
  long k = argc > 1 ? atol(argv[1]) : 1;
  char *p = malloc(64);                      /* alloc */
  if (!p) return 1;
  p[-k] = 'A';
  free(p);                                   /* detected */
  return 0;
}
