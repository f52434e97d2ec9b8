/* Possibly lost: the only pointer to a 64-byte block points 16 bytes inside it (an interior pointer, kept
 * in a global). A block that only the possibly lost block points to is possibly lost too. */
#include <stdlib.h>
#include <string.h>

#include "leakcase.h"

char *volatile interior;

__attribute__((noinline)) static char *make_outer(void) { return memset(malloc(64), 0, 64); }
__attribute__((noinline)) static void *make_inner(void) { return memset(malloc(24), 'i', 24); }

int main(void) {
  char *outer = make_outer();
  void *inner = make_inner();
  memcpy(outer + 32, &inner, sizeof inner);      /* outer owns inner */
  interior = outer + 16;
  outer = NULL;
  inner = NULL;
  lc_case_clobber_stack();
  return 0;
}
