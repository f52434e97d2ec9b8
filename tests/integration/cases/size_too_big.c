/* allocation-size-too-big. argv[1] picks the requests: "calloc" (calloc(SIZE_MAX / 4, 16): the product
 * overflows), "calloc0" (calloc(2^33, 2^31): the product overflows to exactly 0), "malloc" (malloc(SIZE_MAX / 2))
 * or "all". Each returns NULL with errno ENOMEM (checked here: status 1 otherwise); heapcheck records a finding
 * only with warn_size_too_big=1. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int want(const char *mode, const char *call) { return strcmp(mode, "all") == 0 || strcmp(mode, call) == 0; }

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "all";
  volatile size_t half = SIZE_MAX / 2, quarter = SIZE_MAX / 4, sixteen = 16;
  volatile size_t n0 = (size_t)1 << 33, size0 = (size_t)1 << 31;
  void *p;
  if (want(mode, "calloc")) {
    errno = 0;
    p = calloc(quarter, sixteen);            /* calloc */
    if (p != NULL || errno != ENOMEM) { printf("calloc: %p errno %d\n", p, errno); return 1; }
  }
  if (want(mode, "calloc0")) {
    errno = 0;
    p = calloc(n0, size0);                   /* calloc0 */
    if (p != NULL || errno != ENOMEM) { printf("calloc0: %p errno %d\n", p, errno); return 1; }
  }
  if (want(mode, "malloc")) {
    errno = 0;
    p = malloc(half);                        /* malloc */
    if (p != NULL || errno != ENOMEM) { printf("malloc: %p errno %d\n", p, errno); return 1; }
  }
  printf("%s: NULL with ENOMEM\n", mode);
  return 0;
}
