/* corrupted-header: a write 12 bytes before a block lands in heapcheck's header of the block (the front canary
 * covers only the last 8 bytes before the user bytes); free() must say the header was overwritten. */
#include <stdlib.h>

int main(void) {
  char *p = malloc(64);                      /* alloc */
  volatile long off = -12;                   /* out of the compiler's sight */
  p[off] = 'A';
  free(p);                                   /* detected */
  return 0;
}
