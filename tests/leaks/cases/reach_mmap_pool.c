/* Still reachable from the program's own anonymous mapping: a hand-made pool (mmap'd, writable) holds the
 * only pointer to a heap block, at an offset inside its second page. The mapping is private, or shared
 * (MAP_SHARED | MAP_ANONYMOUS, as for memory shared with children) when argv[1] is "shared". */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "leakcase.h"

static char *volatile pool;

__attribute__((noinline)) static void *make_pooled_block(void) { return memset(malloc(152), 'p', 152); }

int main(int argc, char **argv) {
  int shared = argc > 1 && strcmp(argv[1], "shared") == 0;
  pool = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
  if (pool == MAP_FAILED) return 1;
  void *b = make_pooled_block();
  memcpy(pool + 4096 + 24, &b, sizeof b);
  b = NULL;
  lc_case_clobber_stack();
  return 0;
}
