/* policy.c: the findings the exit-status policy is tested on (report_policy.sh), run under the real library.
 *   policy possible   a block whose only pointer points into its middle: possibly lost, nothing else found
 *   policy definite   one block lost
 *   policy error      a double free, nothing lost
 *   policy clean      nothing at all
 * Prints nothing; exits 0. */
#include <stdlib.h>
#include <string.h>

static char *volatile interior;

/* Zeroes the dead stack below the caller, so no stale copy of a dropped pointer keeps a block reachable. */
__attribute__((noinline)) static void clobber_stack(void) {
  volatile char pad[16384];
  memset((char *)pad, 0, sizeof pad);
  __asm__ volatile("" : : "r"(pad) : "memory");
}

__attribute__((noinline)) static void possible(void) { interior = (char *)memset(malloc(64), 0, 64) + 16; }

__attribute__((noinline)) static void definite(void) {
  char *volatile p = malloc(40);
  p[0] = 1;
  p = NULL;
}

__attribute__((noinline)) static void error(void) {
  char *volatile p = malloc(24);
  free(p);
  free(p);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "possible") == 0) possible();
  else if (strcmp(mode, "definite") == 0) definite();
  else if (strcmp(mode, "error") == 0) error();
  else if (strcmp(mode, "clean") != 0) return 2;
  clobber_stack();
  return 0;
}
