/* stackdepot_test.c: cmocka tests of libcheck/stackdepot.c: interning (same stack, same id; different
 * stacks, different ids), retrieval, the empty stack, the frame limit, 100k distinct stacks, unknown ids, and
 * four threads interning the same stacks at once. The depot is process-wide and never forgets: every test
 * uses stacks of its own (a per-test tag in the frames). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "stackdepot.h"

// Frame j of stack i of test `tag`: distinct for every (tag, i, j), looks like a code address.
static uintptr_t frame(uint64_t tag, uint64_t i, uint64_t j) {
  uint64_t x = (tag << 56) ^ (i << 8) ^ j;
  x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33;
  return (uintptr_t)(0x550000000000ull | (x & 0xffffffffffull));
}

static int make_stack(uint64_t tag, uint64_t i, uintptr_t *pcs) {   // 1..LC_MAX_FRAMES frames
  int n = 1 + (int)(i * 7 % LC_MAX_FRAMES);
  for (int j = 0; j < n; j++) pcs[j] = frame(tag, i, (uint64_t)j);
  return n;
}

static void expect_frames(uint32_t id, const uintptr_t *pcs, int n) {
  const uintptr_t *got = NULL;
  int m = lc_stackdepot_get(id, &got);
  if (m != n) fail_msg("id %u: %d frames, expected %d", id, m, n);
  assert_non_null(got);
  for (int j = 0; j < n; j++)
    if (got[j] != pcs[j]) fail_msg("id %u frame %d: %#lx, expected %#lx", id, j, (unsigned long)got[j],
                                   (unsigned long)pcs[j]);
}

/* ---- tests ---- */

static void test_same_stack_same_id(void **state) {
  (void)state;
  uintptr_t a[5] = { 0x401000, 0x401234, 0x402000, 0x7f0000001000, 0x7f0000002000 };
  uintptr_t copy[5];
  memcpy(copy, a, sizeof a);
  uint32_t id = lc_stackdepot_put(a, 5);
  assert_int_not_equal(id, 0);
  uint64_t count = lc_stackdepot_count();
  assert_int_equal(lc_stackdepot_put(a, 5), id);
  assert_int_equal(lc_stackdepot_put(copy, 5), id);                // equal content, other buffer
  assert_int_equal(lc_stackdepot_count(), count);                   // stored once
  expect_frames(id, a, 5);
}

static void test_different_stacks_different_ids(void **state) {
  (void)state;
  uintptr_t a[6] = { 0x501000, 0x501234, 0x502000, 0x503000, 0x504000, 0x505000 };
  uintptr_t b[6];
  memcpy(b, a, sizeof a);
  b[4] ^= 0x10;                                                      // one frame differs
  uint32_t ids[5];
  ids[0] = lc_stackdepot_put(a, 5);
  ids[1] = lc_stackdepot_put(b, 5);
  ids[2] = lc_stackdepot_put(a, 4);                                 // a prefix
  ids[3] = lc_stackdepot_put(a, 6);                                 // one frame more
  ids[4] = lc_stackdepot_put(a + 1, 5);                             // shifted
  for (int i = 0; i < 5; i++) {
    assert_int_not_equal(ids[i], 0);
    for (int j = 0; j < i; j++)
      if (ids[i] == ids[j]) fail_msg("stacks %d and %d got the same id %u", i, j, ids[i]);
  }
  expect_frames(ids[0], a, 5);
  expect_frames(ids[1], b, 5);
  expect_frames(ids[2], a, 4);
  expect_frames(ids[3], a, 6);
  expect_frames(ids[4], a + 1, 5);
}

// The same frames in another order are another stack: swapped inside a pair, pairs swapped, reversed. Asked
// one after the other from one thread, so a repeat served from the thread's memo of recent stacks would show.
static void test_permuted_stacks_different_ids(void **state) {
  (void)state;
  uintptr_t base[6] = { 0x901000, 0x902340, 0x903000, 0x904560, 0x905000, 0x906780 };
  uintptr_t perm[4][6] = {
    { 0x902340, 0x901000, 0x903000, 0x904560, 0x905000, 0x906780 },     // first two swapped
    { 0x903000, 0x904560, 0x901000, 0x902340, 0x905000, 0x906780 },     // first two pairs swapped
    { 0x906780, 0x905000, 0x904560, 0x903000, 0x902340, 0x901000 },     // reversed
    { 0x901000, 0x902340, 0x903000, 0x904560, 0x906780, 0x905000 },     // last two swapped
  };
  uint32_t first = lc_stackdepot_put(base, 6);
  assert_int_not_equal(first, 0);
  for (int k = 0; k < 4; k++) {
    uint32_t id = lc_stackdepot_put(perm[k], 6);
    assert_int_not_equal(id, 0);
    if (id == first) fail_msg("permutation %d got the id of the original order", k);
    expect_frames(id, perm[k], 6);
    assert_int_equal(lc_stackdepot_put(base, 6), first);
    assert_int_equal(lc_stackdepot_put(perm[k], 6), id);
  }
}

static void test_empty_stack(void **state) {
  (void)state;
  uintptr_t a[1] = { 0x601000 };
  uint64_t dropped = lc_stackdepot_dropped(), count = lc_stackdepot_count();
  assert_int_equal(lc_stackdepot_put(a, 0), 0);
  assert_int_equal(lc_stackdepot_put(NULL, 0), 0);
  assert_int_equal(lc_stackdepot_put(a, -1), 0);
  assert_int_equal(lc_stackdepot_dropped(), dropped);                // not a stack, not a drop
  assert_int_equal(lc_stackdepot_count(), count);
  const uintptr_t *p = NULL;
  assert_int_equal(lc_stackdepot_get(0, &p), 0);
}

// Up to LC_MAX_FRAMES frames come back as given; a longer stack is kept to its first LC_MAX_FRAMES.
static void test_frame_limit(void **state) {
  (void)state;
  uintptr_t a[LC_MAX_FRAMES + 10];
  for (int j = 0; j < LC_MAX_FRAMES + 10; j++) a[j] = frame(0x11, 0, (uint64_t)j);
  uint32_t id = lc_stackdepot_put(a, LC_MAX_FRAMES);
  assert_int_not_equal(id, 0);
  expect_frames(id, a, LC_MAX_FRAMES);
  uint32_t id2 = lc_stackdepot_put(a, LC_MAX_FRAMES + 10);
  assert_int_not_equal(id2, 0);
  const uintptr_t *got;
  int n = lc_stackdepot_get(id2, &got);
  assert_true(n >= 1 && n <= LC_MAX_FRAMES);
  assert_memory_equal(got, a, (size_t)n * sizeof *a);
}

// Ids past what the depot handed out are unknown: 0 frames.
static void test_unknown_id_past_end(void **state) {
  (void)state;
  uintptr_t a[2] = { 0x701000, 0x702000 };
  uint32_t id = lc_stackdepot_put(a, 2);
  assert_int_not_equal(id, 0);
  const uintptr_t *p = NULL;
  size_t used = lc_stackdepot_bytes();
  assert_int_equal(lc_stackdepot_get((uint32_t)(used / 8 + 1), &p), 0);
  assert_int_equal(lc_stackdepot_get((uint32_t)(used / 8 + 1000), &p), 0);
  assert_int_equal(lc_stackdepot_get(UINT32_MAX, &p), 0);
}

// An id that put never returned, pointing into the middle of a stored record, is unknown as well: the header
// says "0 for id 0 or an unknown id". (A wrong frame count here makes the reader walk off the record.)
static void test_unknown_id_inside_record(void **state) {
  (void)state;
  uintptr_t a[3] = { 0x801000, 0x802000, 0x803000 };
  uint32_t id = lc_stackdepot_put(a, 3);
  uintptr_t b[3] = { 0x811000, 0x812000, 0x813000 };
  uint32_t next = lc_stackdepot_put(b, 3);
  assert_int_not_equal(id, 0);
  assert_true(next > id + 1);
  for (uint32_t k = id + 1; k < next; k++) {
    const uintptr_t *p = NULL;
    int n = lc_stackdepot_get(k, &p);
    if (n != 0) fail_msg("id %u (inside the record of id %u, never handed out) gives %d frames", k, id, n);
  }
}

// Every id up to what was handed out, after enough stacks to fill several of the arena's mappings: a lookup
// never faults (no read runs past the mapping the id falls in) and gives a real record or nothing.
static void test_every_id_is_safe(void **state) {
  (void)state;
  uintptr_t pcs[LC_MAX_FRAMES];
  for (uint64_t i = 0; i < 40000; i++) {
    int n = make_stack(0x44, i, pcs);
    assert_int_not_equal(lc_stackdepot_put(pcs, n), 0);
  }
  size_t ids = lc_stackdepot_bytes() / 8;
  assert_true(ids > ((size_t)4 << 20) / 8);              // past the first few mappings
  size_t found = 0;
  for (size_t id = 1; id < ids && id <= UINT32_MAX; id++) {
    const uintptr_t *got = NULL;
    int n = lc_stackdepot_get((uint32_t)id, &got);
    if (n == 0) continue;
    if (n > LC_MAX_FRAMES || !got) fail_msg("id %zu: %d frames", id, n);
    found++;
  }
  assert_true(found >= 40000);
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return a < b ? -1 : a > b;
}

// 100k distinct stacks: all different ids, all retrievable with their frames, all found again.
static void test_many_distinct_stacks(void **state) {
  (void)state;
  enum { N = 100000 };
  uint32_t *ids = malloc(N * sizeof *ids);
  assert_non_null(ids);
  uintptr_t pcs[LC_MAX_FRAMES];
  uint64_t count = lc_stackdepot_count(), dropped = lc_stackdepot_dropped();
  for (uint64_t i = 0; i < N; i++) {
    int n = make_stack(0x22, i, pcs);
    ids[i] = lc_stackdepot_put(pcs, n);
    if (ids[i] == 0) fail_msg("stack %lu: id 0", (unsigned long)i);
  }
  assert_int_equal(lc_stackdepot_count(), count + N);
  assert_int_equal(lc_stackdepot_dropped(), dropped);
  // Distinct ids: sort a copy and look at neighbours.
  uint32_t *sorted = malloc(N * sizeof *sorted);
  assert_non_null(sorted);
  memcpy(sorted, ids, N * sizeof *ids);
  qsort(sorted, N, sizeof *sorted, cmp_u32);
  for (size_t i = 1; i < N; i++) if (sorted[i] == sorted[i - 1]) fail_msg("id %u given twice", sorted[i]);
  for (uint64_t i = 0; i < N; i++) {
    int n = make_stack(0x22, i, pcs);
    expect_frames(ids[i], pcs, n);
    assert_int_equal(lc_stackdepot_put(pcs, n), ids[i]);
  }
  assert_int_equal(lc_stackdepot_count(), count + N);
  free(sorted);
  free(ids);
}

// Four threads intern the same stacks at the same time (each in its own order): every id they get names the
// right frames, and a thread asking twice for a stack it already interned gets the same id again.
enum { NTHREADS = 4, NSTACKS = 20000 };
static uint32_t thread_ids[NTHREADS][NSTACKS];
static pthread_barrier_t barrier;

static void *interner(void *arg) {
  int t = (int)(intptr_t)arg;
  uintptr_t pcs[LC_MAX_FRAMES];
  pthread_barrier_wait(&barrier);
  for (int r = 0; r < NSTACKS; r++) {
    uint64_t i = t % 2 ? (uint64_t)r : (uint64_t)(NSTACKS - 1 - r);
    int n = make_stack(0x33, i, pcs);
    thread_ids[t][i] = lc_stackdepot_put(pcs, n);
  }
  for (uint64_t i = 0; i < NSTACKS; i++) {
    int n = make_stack(0x33, i, pcs);
    uint32_t again = lc_stackdepot_put(pcs, n);
    if (again != thread_ids[t][i]) {
      // Two threads storing one new stack at once may both store it; a lookup then finds one of the copies,
      // which must hold the same frames.
      const uintptr_t *got;
      if (lc_stackdepot_get(again, &got) != n || memcmp(got, pcs, (size_t)n * sizeof *pcs) != 0)
        thread_ids[t][i] = 0;
    }
  }
  return NULL;
}

static void test_concurrent_puts(void **state) {
  (void)state;
  pthread_t th[NTHREADS];
  uint64_t count = lc_stackdepot_count();
  pthread_barrier_init(&barrier, NULL, NTHREADS);
  for (int t = 0; t < NTHREADS; t++)
    assert_int_equal(pthread_create(&th[t], NULL, interner, (void *)(intptr_t)t), 0);
  for (int t = 0; t < NTHREADS; t++) pthread_join(th[t], NULL);
  pthread_barrier_destroy(&barrier);
  uintptr_t pcs[LC_MAX_FRAMES];
  for (uint64_t i = 0; i < NSTACKS; i++) {
    int n = make_stack(0x33, i, pcs);
    for (int t = 0; t < NTHREADS; t++) {
      if (thread_ids[t][i] == 0) fail_msg("thread %d stack %lu: id 0 or a wrong stack", t, (unsigned long)i);
      expect_frames(thread_ids[t][i], pcs, n);
    }
    uint32_t id = lc_stackdepot_put(pcs, n);                          // found now, whichever copy
    expect_frames(id, pcs, n);
  }
  uint64_t stored = lc_stackdepot_count() - count;
  assert_true(stored >= NSTACKS && stored <= (uint64_t)NSTACKS * NTHREADS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_same_stack_same_id),
    cmocka_unit_test(test_different_stacks_different_ids),
    cmocka_unit_test(test_permuted_stacks_different_ids),
    cmocka_unit_test(test_empty_stack),
    cmocka_unit_test(test_frame_limit),
    cmocka_unit_test(test_unknown_id_past_end),
    cmocka_unit_test(test_unknown_id_inside_record),
    cmocka_unit_test(test_many_distinct_stacks),
    cmocka_unit_test(test_every_id_is_safe),
    cmocka_unit_test(test_concurrent_puts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
