/* strdup: libc allocates on the user's behalf; the leak's stack still shows the user's line. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "case_util.h"

static void *volatile sink;

int main(void) {
  sink = strdup("a string duplicated by libc");  /* 28 bytes */
  sink = NULL;
  forget_stack();
  return 0;
}
