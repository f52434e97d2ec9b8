/* Grouping and order: 5 blocks lost at one line are one group (blocks 5); groups come sorted by bytes
 * (direct + indirect), largest first: 300 (5 x 60), 256, 100 (one 20-byte block owning 80 more), 8. */
#include <stdlib.h>
#include <string.h>

#include "leakcase.h"

__attribute__((noinline)) static void leak_five(void) {
  for (int i = 0; i < 5; i++) memset(malloc(60), 'f', 60);
}
__attribute__((noinline)) static void leak_big(void) { memset(malloc(256), 'g', 256); }
__attribute__((noinline)) static void leak_small(void) { memset(malloc(8), 's', 8); }
__attribute__((noinline)) static void *make_owned(void) { return memset(malloc(80), 'o', 80); }
__attribute__((noinline)) static void leak_owner(void) {
  void **owner = malloc(20);
  memset(owner, 0, 20);
  owner[0] = make_owned();
}

int main(void) {
  leak_small();
  leak_owner();
  leak_five();
  leak_big();
  lc_case_clobber_stack();
  return 0;
}
