/* Two threads free the same pointer at the same moment, round after round. One free must win and the other be
 * said as a double free, every round: never both (the chunk would go back to the heap twice, silently), never a
 * corrupted header or heap, never a crash. Afterwards the program checks that no two of its live allocations
 * share an address (a chunk handed back twice would be handed out twice). With argv[1] "large" the blocks are
 * mmap'd ones (200 KB), which the winning free unmaps. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 1000
#define LIVE 2000

static void *volatile shared;
static atomic_int go, done;

static void wait_for(atomic_int *v, int want) {
  for (int spins = 0; atomic_load(v) < want; spins++)
    if (spins > 1000) sched_yield();
}

static void release(void) {
  free(shared);                                             /* detected (the loser) */
}

/* The other thread spins (no yield: the two frees must meet) until the round starts, and frees with main. */
static void *freer(void *arg) {
  (void)arg;
  for (int r = 1; r <= ROUNDS; r++) {
    while (atomic_load(&go) < r) {}
    release();
    atomic_fetch_add(&done, 1);
  }
  return NULL;
}

static int cmp(const void *a, const void *b) {
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  size_t base = argc > 1 && argv[1][0] == 'l' ? 200000 : 24;
  pthread_t t;
  pthread_create(&t, NULL, freer, NULL);
  for (int r = 1; r <= ROUNDS; r++) {
    shared = malloc(base + (size_t)(r % 8) * 16);           /* alloc */
    atomic_store(&go, r);
    release();
    wait_for(&done, r);
  }
  pthread_join(t, NULL);
  static uintptr_t live[LIVE];
  for (int i = 0; i < LIVE; i++) live[i] = (uintptr_t)malloc(24 + (size_t)(i % 8) * 16);
  qsort(live, LIVE, sizeof *live, cmp);
  int twice = 0;
  for (int i = 1; i < LIVE; i++) twice += live[i] == live[i - 1];
  printf("%d rounds, %s\n", ROUNDS, twice ? "a block was handed out twice" : "no block handed out twice");
  for (int i = 0; i < LIVE; i++) free((void *)live[i]);
  return 0;
}
