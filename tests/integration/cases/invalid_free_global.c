/* invalid-free: free() of a global. */
#include <stdlib.h>

char global_buf[64];

int main(void) {
  void *volatile p = global_buf;
  free(p);                                   /* detected */
  return 0;
}
