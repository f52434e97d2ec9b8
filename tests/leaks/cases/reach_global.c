/* Still reachable, not lost: a block whose only pointer is in a global variable (.bss), and one whose only
 * pointer is in an initialised global (.data). */
#include <stdlib.h>
#include <string.h>

#include "leakcase.h"

void *volatile bss_root;
void *volatile data_root = (void *)1;

__attribute__((noinline)) static void *make_bss_block(void) { return memset(malloc(48), 'b', 48); }
__attribute__((noinline)) static void *make_data_block(void) { return memset(malloc(80), 'd', 80); }

int main(void) {
  bss_root = make_bss_block();
  data_root = make_data_block();
  lc_case_clobber_stack();
  return 0;
}
