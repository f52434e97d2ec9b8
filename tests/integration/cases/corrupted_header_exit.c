/* corrupted-header in a block that stays live and reachable: the exit-time check must report it. */
#include <stdlib.h>

char *keep;

int main(void) {
  keep = malloc(64);                         /* alloc */
  volatile long off = -12;                   /* out of the compiler's sight */
  keep[off] = 'A';
  return 0;
}
