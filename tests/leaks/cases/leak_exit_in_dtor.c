/* The program's own destructor calls exit(9): the process then ends from inside the destructor pass. The
 * leak must still be reported and the status be heapcheck's 23. */
#include <stdlib.h>

#include "leakcase.h"

static void *volatile sink;

__attribute__((destructor)) static void finish(void) { exit(9); }

__attribute__((noinline)) static void leak_it(void) { sink = malloc(31); sink = NULL; }

int main(void) {
  leak_it();
  lc_case_clobber_stack();
  return 0;
}
