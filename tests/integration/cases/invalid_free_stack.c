/* invalid-free: free() of a stack address. */
#include <stdlib.h>

static void release(void *p) {
  free(p);                                   /* detected */
}

int main(void) {
  char buf[64];
  void *volatile p = buf;                    /* hidden from the compiler's -Wfree-nonheap-object */
  release(p);                                /* caller */
  return 0;
}
