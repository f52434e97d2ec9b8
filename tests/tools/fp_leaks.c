/* fp_leaks.c: leaks whose fingerprints the tools tests compare (report_fingerprint.sh), run under the real
 * library. Built four times: with debug info, with FP_SHIFTED (the same functions further down the file),
 * stripped of every symbol, and that stripped build copied elsewhere.
 *   fp_leaks base    one block lost at the first site of two_sites, one in other
 *   fp_leaks more    also one at the second site of two_sites: a new leak in the same function
 *   fp_leaks other   only the one in other */
#include <stdlib.h>
#include <string.h>

static void *volatile sink;

#ifdef FP_SHIFTED
/* An edit elsewhere in the file: a function added, and everything below moved down by many lines. */
__attribute__((noinline)) static size_t unrelated(size_t n) {
  size_t r = 0;
  for (size_t i = 0; i < n; i++) r += i;
  return r;
}
#line 1000
#endif

__attribute__((noinline)) static void two_sites(int both) {
  sink = malloc(16);
  if (both) sink = malloc(32);
  sink = NULL;
}

__attribute__((noinline)) static void other(void) {
  sink = malloc(48);
  sink = NULL;
}

// Zeroes the dead stack below main, so no stale copy of a dropped pointer keeps a block reachable.
__attribute__((noinline)) static void forget_stack(void) {
  volatile char pad[16384];
  memset((char *)pad, 0, sizeof pad);
  __asm__ volatile("" : : "r"(pad) : "memory");
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "base";
#ifdef FP_SHIFTED
  sink = (void *)unrelated(3);
#endif
  if (strcmp(mode, "other") != 0) two_sites(strcmp(mode, "more") == 0);
  other();
  sink = NULL;
  forget_stack();
  return 0;
}
