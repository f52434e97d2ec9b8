/* One block of 40 bytes that nothing points to at exit: definitely lost, allocated in leak_it (line 9). */
#include <stdlib.h>
#include <string.h>

#include "leakcase.h"

__attribute__((noinline)) static void leak_it(void) {
  char *p;
  p = malloc(40);
  memset(p, 'x', 40);
}

int main(void) {
  leak_it();
  lc_case_clobber_stack();
  return 0;
}
