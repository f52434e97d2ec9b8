/* check_every=N: an overflow in a block that stays live is found by the periodic check, before exit, in the
 * allocation loop that follows it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *keep;                                  /* live and reachable until exit */
static void *volatile sink;

int main(void) {
  volatile size_t extra = 1;
  keep = malloc(50);                         /* alloc */
  memset(keep, 'k', 50 + extra);
  for (int i = 0; i < 200; i++) {
    sink = malloc(8); free(sink);            /* detected: the periodic check runs in one of these calls */
  }
  printf("loop done\n");
  return 0;
}
