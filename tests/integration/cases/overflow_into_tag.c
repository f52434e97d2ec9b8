/* An overflow that runs past the block's back canary into the heap's tag of the next chunk (but not into the
 * next block's header): the overflow is reported for the first block, the next block's free is reported as a
 * corrupted header instead of handing a chunk of garbage size to the free lists, and the program goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  char *a = malloc(40), *b = malloc(40);
  char *volatile alias = a;                                /* the compiler must not see the overflow */
  memset(alias, 0x7f, 64);                                 /* 24 bytes past a's end */
  free(b);
  free(a);
  for (int i = 0; i < 100000; i++) free(malloc((size_t)(i % 300)));
  puts("survived");
  return 0;
}
