/* heap-buffer-overflow: p[n] = 'A' just past an n-byte block (n from argv), caught by free(). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 13;
  char *p = malloc(n);                       /* alloc */
  if (!p) return 1;
  p[n] = 'A';                                /* one byte after the block */
  free(p);                                   /* detected */
  printf("done\n");
  return 0;
}
