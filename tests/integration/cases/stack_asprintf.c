/* asprintf: libc allocates (and grows) the buffer; the leak's stack shows the user's line. */
#define _GNU_SOURCE
#include <stdio.h>

#include "case_util.h"

static void *volatile sink;

int main(void) {
  char *s = NULL;
  if (asprintf(&s, "%s %d", "formatted by asprintf", 12345) < 0) return 1;
  sink = s;
  s = NULL;
  sink = NULL;
  forget_stack();
  return 0;
}
