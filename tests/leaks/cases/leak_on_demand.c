/* heapcheck_report_leaks() in the middle of the run: the on-demand report has the block lost so far
 * (64 bytes, definitely lost), not the one still held in a local variable, nor the one lost after it.
 * The return value must be the definitely lost bytes, 64: otherwise exit 1. After that the process kills
 * itself with SIGKILL, so that the on-demand report is the only one written (status 137 in a shell). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <heapcheck.h>

#include "leakcase.h"

__attribute__((noinline)) static void leak_early(void) { memset(malloc(64), 'e', 64); }
__attribute__((noinline)) static void leak_late(void) { memset(malloc(32), 'l', 32); }
__attribute__((noinline)) static void *make_held(void) { return memset(malloc(96), 'h', 96); }

int main(void) {
  void *volatile held = make_held();
  leak_early();
  lc_case_clobber_stack();
  int lost = HEAPCHECK_REPORT_LEAKS();
  if (lost != 64) return 1;
  leak_late();
  free(held);
  raise(SIGKILL);
  return 1;
}
