/* An overflow from a live block into the free chunk right after it, once that chunk's block has left the
 * quarantine (32 MiB of later frees push it out; with quarantine_mb=0 it is free at once). argv[1] says what the
 * overflow writes there, laid out for heapcheck's chunks ([prev_foot | head | payload], the free list links at the
 * payload's start, the chunk after an n-byte block starting n + 8 bytes after it):
 *   unlink   the free chunk's tag kept, its two list links aimed at the program's globals (the classic unlink:
 *            a malloc that takes the chunk would write each link into the other's target);
 *   garbage  0x41 over the free chunk's tag and links;
 *   cache    a 1000-byte block's free chunk (held in the thread's cache), every word of it aimed at a global.
 * Then it allocates. heapcheck must say the heap was corrupted and go on: the globals stay as they were, no
 * allocation returns a pointer into them, nothing crashes. The program says what it saw. With argv[2] "check" it
 * calls heapcheck_check_heap() right after the overflow, with "tick" one malloc and free served by the thread's
 * cache (for check_every=1): either must find the damage before any allocation meets it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapcheck.h"

static long victim[8];                           /* what a wild write would land in */
static char decoy[4096];                         /* where a forged free list would send malloc */

static void push_out_of_quarantine(void) {
  for (int i = 0; i < 400; i++) free(malloc(100000));     /* 40 MB of frees: the quarantine is 32 MiB */
}

static int in_globals(const void *p) {
  uintptr_t a = (uintptr_t)p;
  return (a >= (uintptr_t)victim && a < (uintptr_t)(victim + 8)) || (a >= (uintptr_t)decoy && a < (uintptr_t)(decoy + sizeof decoy));
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "unlink";
  int cache = strcmp(mode, "cache") == 0;
  size_t n = cache ? 1000 : 3000;
  char *a = malloc(n), *b = malloc(n), *guard = malloc(n);
  char *small = malloc(8), *small_guard = malloc(8);
  free(small);                                             /* in the thread's cache: the tick below takes it */
  free(b);                                                 /* freed */
  push_out_of_quarantine();
  const char *then = argc > 2 ? argv[2] : "";
  char *volatile alias = a;                                /* the compiler must not see the overflow */
  size_t end = n + 8;                                      /* a's back canary ends here: b's chunk starts */
  uint64_t *w = (uint64_t *)(alias + end);
  if (strcmp(mode, "unlink") == 0) {
    w[2] = (uint64_t)(uintptr_t)((char *)&victim[0] - 24);   /* fd: fd->bk is victim[0] */
    w[3] = (uint64_t)(uintptr_t)((char *)&victim[4] - 16);   /* bk: bk->fd is victim[4] */
  } else if (strcmp(mode, "garbage") == 0) {
    memset(alias + end, 0x41, 32);
  } else {
    for (size_t i = 2; i < (n + 48) / 8; i++) w[i] = (uint64_t)(uintptr_t)(decoy + 2048);
  }
  if (strcmp(then, "check") == 0) printf("check_heap: %zu\n", HEAPCHECK_CHECK_HEAP());
  if (strcmp(then, "tick") == 0) free(malloc(8));          /* checked by check_every=1 */
  int wild = 0;
  char *got[4];
  for (int i = 0; i < 4; i++) {
    got[i] = malloc(n);                                    /* takes the damaged chunk, or another */
    if (in_globals(got[i])) { wild = 1; got[i] = NULL; }
    else if (got[i]) memset(got[i], 1, n);
  }
  for (int i = 0; i < 4; i++) free(got[i]);
  for (int i = 0; i < 8; i++) if (victim[i]) wild = 1;
  for (size_t i = 0; i < sizeof decoy; i++) if (decoy[i]) wild = 1;
  printf("%s: %s\n", mode, wild ? "the heap wrote into the program's globals" : "globals intact");
  free(guard);
  free(small_guard);
  free(a);
  return 0;
}
