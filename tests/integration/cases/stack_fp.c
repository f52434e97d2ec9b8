/* unwind=fp (frame pointers; the program is built with -fno-omit-frame-pointer): the leak's stack still shows
 * the user's functions and lines. With max_frames=2 (another test) the stack has at most 2 frames. */
#include <stdlib.h>
#include <string.h>

#include "case_util.h"

static void *volatile sink;

__attribute__((noinline)) static char *level3(size_t n) {
  char *p = malloc(n);                       /* level3's line */
  if (p) memset(p, '3', n);
  return p;
}

__attribute__((noinline)) static char *level2(size_t n) {
  return level3(n);                          /* level2's line */
}

__attribute__((noinline)) static char *level1(size_t n) {
  return level2(n);                          /* level1's line */
}

int main(void) {
  sink = level1(52);                         /* main's line */
  sink = NULL;
  forget_stack();
  return 0;
}
