/* leakscan_test.c: cmocka tests of libcheck/leakscan.c's classifier (lc_leakscan_classify) on synthetic heaps
 * built in ordinary memory: no thread is stopped and /proc is not read. The expectations are memcheck's rules:
 * a start pointer from a root or a reachable block reaches, an interior one makes possibly lost (and so is all a
 * possibly lost block points to), unreached blocks form cliques whose leader is definitely lost and the rest
 * indirectly lost under it; only aligned 8-byte words are pointers. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "leakscan.h"

// The synthetic heap: blocks carved from one arena in address order, GAP bytes apart (where a heap keeps its
// headers), so that the end of a block is never the start of the next. The root words are a separate array.
#define ARENA_SIZE 8192
#define GAP 16
#define MAX_BLOCKS 32
static unsigned char arena[ARENA_SIZE] __attribute__((aligned(16)));
static uintptr_t rootmem[16];

typedef struct heap_s {
  lc_leak_block_t b[MAX_BLOCKS];
  size_t n, used;
  lc_leak_range_t roots[4];
  size_t nroots;
  lc_leak_result_t *r;
} heap_t;

static heap_t heap;

static int setup(void **state) {
  (void)state;
  memset(arena, 0, sizeof arena);
  memset(rootmem, 0, sizeof rootmem);
  memset(&heap, 0, sizeof heap);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  lc_leakscan_free(heap.r);
  heap.r = NULL;
  return 0;
}

// A new block of size bytes (zeroed) above every earlier one; returns its words.
static uintptr_t *block(size_t size, uint32_t stack) {
  assert_true(heap.n < MAX_BLOCKS);
  heap.used = (heap.used + GAP + 15) & ~(size_t)15;
  assert_true(heap.used + size <= ARENA_SIZE);
  uintptr_t *p = (uintptr_t *)(arena + heap.used);
  heap.b[heap.n++] = (lc_leak_block_t){ .start = (uintptr_t)p, .size = size, .stack = stack };
  heap.used += size;
  return p;
}

static lc_leak_block_t *info(const void *p) {
  for (size_t i = 0; i < heap.n; i++)
    if (heap.b[i].start == (uintptr_t)p) return &heap.b[i];
  fail_msg("no block at %p", p);
  return NULL;
}

static void add_root(const void *a, size_t len) {
  assert_true(heap.nroots < 4);
  heap.roots[heap.nroots++] = (lc_leak_range_t){ (uintptr_t)a, (uintptr_t)a + len };
}

// Classifies with rootmem as the (only) root range.
static lc_leak_result_t *classify(void) {
  add_root(rootmem, sizeof rootmem);
  heap.r = lc_leakscan_classify(heap.b, heap.n, heap.roots, heap.nroots);
  assert_non_null(heap.r);
  return heap.r;
}

static const char *kind_name(int k) {
  static const char *names[] = { "definite", "possible", "reachable", "indirect" };
  return k >= 0 && k < 4 ? names[k] : "(not a class)";
}

static void expect_kind_at(const void *p, lc_leak_kind_t want, int line) {
  int got = info(p)->state;
  if (got != (int)want) fail_msg("line %d: block %p is %s, expected %s", line, p, kind_name(got), kind_name(want));
}
#define expect_kind(p, want) expect_kind_at(p, want, __LINE__)

typedef struct totals_s { uint64_t definite[2], indirect[2], possible[2], reachable[2]; } totals_t;  // bytes, blocks

static void expect_totals(const lc_leak_result_t *r, totals_t t) {
  assert_int_equal(r->definite_bytes, t.definite[0]);   assert_int_equal(r->definite_blocks, t.definite[1]);
  assert_int_equal(r->indirect_bytes, t.indirect[0]);   assert_int_equal(r->indirect_blocks, t.indirect[1]);
  assert_int_equal(r->possible_bytes, t.possible[0]);   assert_int_equal(r->possible_blocks, t.possible[1]);
  assert_int_equal(r->reachable_bytes, t.reachable[0]); assert_int_equal(r->reachable_blocks, t.reachable[1]);
  uint64_t bytes = 0;
  for (size_t i = 0; i < heap.n; i++) bytes += heap.b[i].size;
  assert_int_equal(r->in_use_bytes, bytes);
  assert_int_equal(r->in_use_blocks, heap.n);
  assert_int_equal(r->incomplete, 0);
  assert_int_equal(r->unscanned, 0);
  assert_int_equal(r->ungrouped, 0);
  assert_int_equal(r->threads_stopped + r->threads_unresponsive, 0);
}

static void expect_clique(const void *leader, uint64_t bytes, uint64_t blocks) {
  expect_kind(leader, LC_LEAK_DEFINITE);
  assert_int_equal(info(leader)->indirect_bytes, bytes);
  assert_int_equal(info(leader)->indirect_blocks, blocks);
}

/* ---- reachable ---- */

// A start pointer in a root reaches a block, and a start pointer in a reachable block reaches the next.
static void test_root_reaches_block(void **state) {
  (void)state;
  uintptr_t *a = block(64, 1), *b = block(48, 2), *lost = block(16, 3);
  rootmem[3] = (uintptr_t)a;
  a[5] = (uintptr_t)b;
  lc_leak_result_t *r = classify();
  expect_kind(a, LC_LEAK_REACHABLE);
  expect_kind(b, LC_LEAK_REACHABLE);
  expect_clique(lost, 0, 0);
  expect_totals(r, (totals_t){ .definite = { 16, 1 }, .reachable = { 112, 2 } });
}

// A block that is a root itself (the loader's) is reachable, and so is what it points to.
static void test_root_block(void **state) {
  (void)state;
  uintptr_t *dtv = block(32, 1), *tls = block(64, 2);
  info(dtv)->root = 1;
  dtv[1] = (uintptr_t)tls;
  lc_leak_result_t *r = classify();
  expect_kind(dtv, LC_LEAK_REACHABLE);
  expect_kind(tls, LC_LEAK_REACHABLE);
  expect_totals(r, (totals_t){ .reachable = { 96, 2 } });
}

// memcheck counts a pointer to a zero-sized block's start as a reference to it.
static void test_zero_sized_block(void **state) {
  (void)state;
  uintptr_t *z = block(0, 1), *lost = block(0, 2);
  rootmem[0] = (uintptr_t)z;
  lc_leak_result_t *r = classify();
  expect_kind(z, LC_LEAK_REACHABLE);
  expect_kind(lost, LC_LEAK_DEFINITE);
  expect_totals(r, (totals_t){ .definite = { 0, 1 }, .reachable = { 0, 1 } });
}

/* ---- definitely and indirectly lost ---- */

// A list of three nothing points to: its head is definitely lost, the other two indirectly lost under it.
static void test_lost_list_of_three(void **state) {
  (void)state;
  uintptr_t *head = block(32, 1), *mid = block(48, 1), *tail = block(64, 1);
  head[0] = (uintptr_t)mid;
  mid[0] = (uintptr_t)tail;
  lc_leak_result_t *r = classify();
  expect_clique(head, 112, 2);
  expect_kind(mid, LC_LEAK_INDIRECT);
  expect_kind(tail, LC_LEAK_INDIRECT);
  expect_totals(r, (totals_t){ .definite = { 32, 1 }, .indirect = { 112, 2 } });
  assert_int_equal(r->ngroups, 1);
  assert_int_equal(r->groups[0].kind, LC_LEAK_DEFINITE);
  assert_int_equal(r->groups[0].bytes, 32);
  assert_int_equal(r->groups[0].blocks, 1);
  assert_int_equal(r->groups[0].indirect_bytes, 112);
  assert_int_equal(r->groups[0].indirect_blocks, 2);
  assert_int_equal(r->groups[0].example, (uintptr_t)head);
}

// The same list laid out tail first: the leaders found earlier in address order are taken over, and the head
// still owns the clique.
static void test_lost_list_head_at_highest_address(void **state) {
  (void)state;
  uintptr_t *tail = block(64, 1), *mid = block(48, 1), *head = block(32, 1);
  head[2] = (uintptr_t)mid;
  mid[2] = (uintptr_t)tail;
  lc_leak_result_t *r = classify();
  expect_clique(head, 112, 2);
  expect_kind(mid, LC_LEAK_INDIRECT);
  expect_kind(tail, LC_LEAK_INDIRECT);
  assert_int_equal(info(mid)->indirect_bytes + info(tail)->indirect_bytes, 0);   // moved to the head
  expect_totals(r, (totals_t){ .definite = { 32, 1 }, .indirect = { 112, 2 } });
}

// Two blocks pointing at each other, no root: one is the leader (definitely lost), the other indirectly lost.
static void test_cycle_of_two(void **state) {
  (void)state;
  uintptr_t *a = block(40, 1), *b = block(24, 2);
  a[1] = (uintptr_t)b;
  b[2] = (uintptr_t)a;
  lc_leak_result_t *r = classify();
  expect_clique(a, 24, 1);                          // the lower address is taken first
  expect_kind(b, LC_LEAK_INDIRECT);
  expect_totals(r, (totals_t){ .definite = { 40, 1 }, .indirect = { 24, 1 } });
}

// A lost block pointing to itself is its own clique (lsan's pointer_to_self).
static void test_pointer_to_self(void **state) {
  (void)state;
  uintptr_t *a = block(32, 1);
  a[3] = (uintptr_t)a;
  lc_leak_result_t *r = classify();
  expect_clique(a, 0, 0);
  expect_totals(r, (totals_t){ .definite = { 32, 1 } });
}

// Inside a lost clique start and interior pointers count alike (memcheck does not tell them apart there): a
// block referenced only from the middle of a lost block, or only through a pointer into its own middle, is
// indirectly lost. What a lost block points to that is reachable stays reachable.
static void test_pointed_to_only_by_lost_interior(void **state) {
  (void)state;
  uintptr_t *kept = block(16, 1), *lost = block(64, 2), *b = block(32, 3), *c = block(48, 4);
  rootmem[0] = (uintptr_t)kept;
  lost[5] = (uintptr_t)b;                           // stored at offset 40 of the lost block
  lost[6] = (uintptr_t)c + 16;                      // into c's middle
  lost[7] = (uintptr_t)kept;
  lc_leak_result_t *r = classify();
  expect_kind(kept, LC_LEAK_REACHABLE);
  expect_clique(lost, 80, 2);
  expect_kind(b, LC_LEAK_INDIRECT);
  expect_kind(c, LC_LEAK_INDIRECT);
  expect_totals(r, (totals_t){ .definite = { 64, 1 }, .indirect = { 80, 2 }, .reachable = { 16, 1 } });
}

/* ---- possibly lost ---- */

// Only an interior pointer from a root: possibly lost; what a possibly lost block points to, even by its start,
// is possibly lost too.
static void test_interior_pointer_only(void **state) {
  (void)state;
  uintptr_t *a = block(64, 1), *b = block(32, 2);
  rootmem[7] = (uintptr_t)a + 16;
  a[4] = (uintptr_t)b;
  lc_leak_result_t *r = classify();
  expect_kind(a, LC_LEAK_POSSIBLE);
  expect_kind(b, LC_LEAK_POSSIBLE);
  expect_totals(r, (totals_t){ .possible = { 96, 2 } });
  assert_int_equal(r->ngroups, 2);
  assert_int_equal(r->groups[0].kind, LC_LEAK_POSSIBLE);
  assert_int_equal(r->groups[0].bytes, 64);          // larger first
}

// An interior pointer from a reachable block also makes possibly lost; a start pointer anywhere makes
// reachable, whichever is seen first.
static void test_start_pointer_wins(void **state) {
  (void)state;
  uintptr_t *a = block(64, 1), *b = block(64, 2), *c = block(64, 3);
  rootmem[0] = (uintptr_t)a + 8 * 3;                // interior first...
  rootmem[1] = (uintptr_t)a;                        // ...then the start
  rootmem[2] = (uintptr_t)b;
  b[0] = (uintptr_t)c + 40;                         // c: interior pointer from a reachable block
  c[1] = (uintptr_t)b + 16;
  lc_leak_result_t *r = classify();
  expect_kind(a, LC_LEAK_REACHABLE);
  expect_kind(b, LC_LEAK_REACHABLE);
  expect_kind(c, LC_LEAK_POSSIBLE);
  expect_totals(r, (totals_t){ .possible = { 64, 1 }, .reachable = { 128, 2 } });
}

// memcheck's default heuristics turn some interior pointers into references: stdstring (pointer 3 words in,
// length <= capacity, size = 3 words + capacity + 1), length64 (pointer 8 bytes in, first word = size - 8),
// newarray (pointer 8 bytes in, first word a count that divides the rest). Otherwise: possibly lost.
static void test_interior_heuristics(void **state) {
  (void)state;
  uintptr_t *str = block(24 + 15 + 1, 1), *len64 = block(72, 2), *arr = block(8 + 4 * 12, 3), *no = block(40, 4);
  str[0] = 5; str[1] = 15;
  len64[0] = 64;
  arr[0] = 4;
  no[0] = 3;                                        // neither 40 - 8 nor a divisor of it
  rootmem[0] = (uintptr_t)str + 24;
  rootmem[1] = (uintptr_t)len64 + 8;
  rootmem[2] = (uintptr_t)arr + 8;
  rootmem[3] = (uintptr_t)no + 8;
  lc_leak_result_t *r = classify();
  expect_kind(str, LC_LEAK_REACHABLE);
  expect_kind(len64, LC_LEAK_REACHABLE);
  expect_kind(arr, LC_LEAK_REACHABLE);
  expect_kind(no, LC_LEAK_POSSIBLE);
  expect_totals(r, (totals_t){ .possible = { 40, 1 }, .reachable = { 40 + 72 + 56, 3 } });
}

/* ---- what is not a pointer ---- */

// A pointer stored misaligned, in a root or in a reachable block, is not seen; nor is one just past a block's
// end.
static void test_misaligned_pointer_not_seen(void **state) {
  (void)state;
  uintptr_t *a = block(32, 1), *holder = block(32, 2), *c = block(32, 3), *b = block(32, 4);
  uintptr_t pa = (uintptr_t)a, pb = (uintptr_t)b;
  memcpy((char *)rootmem + 4, &pa, sizeof pa);
  rootmem[4] = (uintptr_t)holder;
  memcpy((char *)holder + 12, &pb, sizeof pb);
  rootmem[5] = (uintptr_t)c + 32;                   // one past c's end: in the gap before b
  lc_leak_result_t *r = classify();
  expect_kind(a, LC_LEAK_DEFINITE);
  expect_kind(holder, LC_LEAK_REACHABLE);
  expect_kind(b, LC_LEAK_DEFINITE);
  expect_kind(c, LC_LEAK_DEFINITE);
  expect_totals(r, (totals_t){ .definite = { 96, 3 }, .reachable = { 32, 1 } });
}

// Root ranges are read as given: a pointer outside every range reaches nothing.
static void test_only_given_roots(void **state) {
  (void)state;
  uintptr_t *a = block(32, 1), *b = block(32, 2);
  static uintptr_t other[2];
  other[0] = (uintptr_t)a;                          // not a root
  rootmem[0] = (uintptr_t)b;
  lc_leak_result_t *r = classify();
  expect_kind(a, LC_LEAK_DEFINITE);
  expect_kind(b, LC_LEAK_REACHABLE);
  expect_totals(r, (totals_t){ .definite = { 32, 1 }, .reachable = { 32, 1 } });
  assert_int_equal(other[0], (uintptr_t)a);
}

/* ---- groups ---- */

// Groups are (class, stack); indirect blocks count under their leader's group; order: class (definite,
// possible, reachable), then bytes with what they own, largest first.
static void test_groups_by_stack(void **state) {
  (void)state;
  uintptr_t *d7a = block(16, 7), *d7b = block(32, 7), *d9 = block(100, 9), *leader = block(16, 5);
  uintptr_t *owned = block(200, 6), *reach = block(8, 7);
  leader[0] = (uintptr_t)owned;
  rootmem[0] = (uintptr_t)reach;
  lc_leak_result_t *r = classify();
  assert_int_equal(r->ngroups, 4);
  const lc_leak_group_t *g = r->groups;
  assert_int_equal(g[0].kind, LC_LEAK_DEFINITE); assert_int_equal(g[0].stack, 5);
  assert_int_equal(g[0].bytes, 16); assert_int_equal(g[0].indirect_bytes, 200); assert_int_equal(g[0].indirect_blocks, 1);
  assert_int_equal(g[1].kind, LC_LEAK_DEFINITE); assert_int_equal(g[1].stack, 9);
  assert_int_equal(g[1].bytes, 100); assert_int_equal(g[1].blocks, 1);
  assert_int_equal(g[2].kind, LC_LEAK_DEFINITE); assert_int_equal(g[2].stack, 7);
  assert_int_equal(g[2].bytes, 48); assert_int_equal(g[2].blocks, 2);
  assert_true(g[2].example == (uintptr_t)d7a || g[2].example == (uintptr_t)d7b);
  assert_int_equal(g[3].kind, LC_LEAK_REACHABLE); assert_int_equal(g[3].stack, 7);
  assert_int_equal(g[3].bytes, 8); assert_int_equal(g[3].blocks, 1);
  expect_totals(r, (totals_t){ .definite = { 164, 4 }, .indirect = { 200, 1 }, .reachable = { 8, 1 } });
  (void)d9;
}

// No blocks at all: nothing lost, no groups.
static void test_empty_heap(void **state) {
  (void)state;
  lc_leak_result_t *r = classify();
  expect_totals(r, (totals_t){ 0 });
  assert_int_equal(r->ngroups, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_root_reaches_block, setup, teardown),
    cmocka_unit_test_setup_teardown(test_root_block, setup, teardown),
    cmocka_unit_test_setup_teardown(test_zero_sized_block, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lost_list_of_three, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lost_list_head_at_highest_address, setup, teardown),
    cmocka_unit_test_setup_teardown(test_cycle_of_two, setup, teardown),
    cmocka_unit_test_setup_teardown(test_pointer_to_self, setup, teardown),
    cmocka_unit_test_setup_teardown(test_pointed_to_only_by_lost_interior, setup, teardown),
    cmocka_unit_test_setup_teardown(test_interior_pointer_only, setup, teardown),
    cmocka_unit_test_setup_teardown(test_start_pointer_wins, setup, teardown),
    cmocka_unit_test_setup_teardown(test_interior_heuristics, setup, teardown),
    cmocka_unit_test_setup_teardown(test_misaligned_pointer_not_seen, setup, teardown),
    cmocka_unit_test_setup_teardown(test_only_given_roots, setup, teardown),
    cmocka_unit_test_setup_teardown(test_groups_by_stack, setup, teardown),
    cmocka_unit_test_setup_teardown(test_empty_heap, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
