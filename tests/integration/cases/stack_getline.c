/* getline: libc allocates the line buffer while reading stdin; the leak's stack shows the user's line. */
#define _GNU_SOURCE
#include <stdio.h>

#include "case_util.h"

static void *volatile sink;

int main(void) {
  char *line = NULL;
  size_t cap = 0;
  if (getline(&line, &cap, stdin) < 0) return 1;
  sink = line;
  line = NULL;
  sink = NULL;
  forget_stack();
  return 0;
}
