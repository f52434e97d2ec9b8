/* A library for leak_dlopen: loses a block in its own code. */
#include <stdlib.h>
#include <string.h>

void dlib_leak_block(void) {
  char *p = malloc(168);
  memset(p, 'l', 168);
}
