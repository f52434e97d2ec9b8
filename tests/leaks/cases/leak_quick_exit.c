/* quick_exit() after a leak and an overflow: libc ends the process with its own _exit, past heapcheck's; the
 * report is made before the at_quick_exit handlers run, and the status is 23. */
#include <stdio.h>
#include <stdlib.h>

#include "leakcase.h"

static void *volatile sink;

static void handler(void) { fprintf(stderr, "at_quick_exit handler ran\n"); }

__attribute__((noinline)) static void leak_it(void) { sink = malloc(100); sink = NULL; }

int main(void) {
  at_quick_exit(handler);
  leak_it();
  char *p = malloc(10);
  volatile int n = 10;
  p[n] = 1;
  free(p);
  lc_case_clobber_stack();
  quick_exit(0);
}
