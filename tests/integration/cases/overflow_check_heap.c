/* heap-buffer-overflow in a live block, found on demand by heapcheck_check_heap(). */
#include <heapcheck.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char *p = malloc(48);                      /* alloc */
  if (!p) return 1;
  p[48] = 0;
  size_t found = heapcheck_check_heap();     /* detected */
  printf("found %zu\n", found);
  if (found != 1) return 1;
  if (heapcheck_check_heap() != 0) return 2; /* said once: not found again */
  free(p);                                   /* nor here */
  return 0;
}
