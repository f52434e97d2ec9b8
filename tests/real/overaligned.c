/* overaligned: 256 blocks of posix_memalign(2 MiB, 4096), each written whole; prints how much the peak resident
 * set grew meanwhile (VmHWM, KiB). An over-aligned block must pay for its alignment in address space only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long peak_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) kib = atol(line + 6);
  if (f) fclose(f);
  return kib;
}

int main(void) {
  enum { N = 256 };
  static void *blocks[N];
  long before = peak_kib();
  for (int i = 0; i < N; i++) {
    if (posix_memalign(&blocks[i], 2u << 20, 4096) != 0) { printf("posix_memalign failed\n"); return 1; }
    memset(blocks[i], i, 4096);
  }
  long after = peak_kib();
  for (int i = 0; i < N; i++) free(blocks[i]);
  printf("%ld\n", after - before);
  return 0;
}
