/* heap-buffer-overflow in a block still live (and reachable) at exit: found by the exit-time check. */
#include <stdlib.h>

char *keep;                                  /* keeps the block reachable: no leak */

static void fill(char *p, size_t n) {
  for (size_t i = 0; i <= n; i++) p[i] = 'y'; /* <= : one byte too many */
}

int main(void) {
  keep = malloc(32);                         /* alloc */
  if (!keep) return 1;
  fill(keep, 32);
  return 0;
}
