/* Behaviour after an error: the program goes on, and a damaged block is reported once only, however many
 * times it is looked at again. Block A (24 bytes) is overflowed and freed: reported by free(). Block B (40
 * bytes) is overflowed while live: reported by heapcheck_check_heap(), then looked at again by a second
 * heapcheck_check_heap(), by free() and by the exit-time check. The program then prints a line and returns
 * argv[1] (default 0). */
#include <heapcheck.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile sink;

int main(int argc, char **argv) {
  volatile size_t extra = 1;                 /* out of the compiler's sight */
  char *a = malloc(24);                      /* alloc A */
  memset(a, 'a', 24 + extra);
  free(a);                                   /* detected A */
  char *b = malloc(40);                      /* alloc B */
  memset(b, 'b', 40 + extra);
  size_t first = heapcheck_check_heap();     /* detected B */
  size_t second = heapcheck_check_heap();
  free(b);
  for (int i = 0; i < 1000; i++) {           /* the heap still works */
    sink = malloc((size_t)i % 200 + 1);
    free(sink);
  }
  printf("still running: check_heap found %zu then %zu\n", first, second);
  return argc > 1 ? atoi(argv[1]) : 0;
}
