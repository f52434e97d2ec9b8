/* getline's buffer held in a global: still reachable. The stream is a fmemopen'd string, closed. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "leakcase.h"

char *line_buf;
size_t line_cap;

__attribute__((noinline)) static long read_first_line(void) {
  static char text[] = "a line of text, long enough to need a buffer of its own\nsecond line\n";
  FILE *f = fmemopen(text, sizeof text - 1, "r");
  if (!f) return -1;
  long n = getline(&line_buf, &line_cap, f);
  fclose(f);
  return n;
}

int main(void) {
  if (read_first_line() <= 0) return 1;
  lc_case_clobber_stack();
  return 0;
}
