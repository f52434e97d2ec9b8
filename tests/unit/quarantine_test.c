/* quarantine_test.c: cmocka tests of libcheck/quarantine.c: FIFO order, the byte budget, eviction in batches
 * of at most `max` (and draining the rest with empty pushes), for_each order across ring growth and
 * wrap-around, drain, and the entry bound of the ring. The quarantine is process-wide: every test starts and
 * ends with it empty (the library's exit-time check would look at whatever is left). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "quarantine.h"

// Entry i: a distinct fake pointer (never dereferenced, only prefetched) and a byte count.
static lc_qentry_t entry(size_t i, size_t bytes) {
  lc_qentry_t e = { (void *)(uintptr_t)(0x10000000u + i * 16), bytes };
  return e;
}

static void expect_entry(lc_qentry_t got, lc_qentry_t want) {
  if (got.user != want.user || got.bytes != want.bytes)
    fail_msg("entry {%p, %zu}, expected {%p, %zu}", got.user, got.bytes, want.user, want.bytes);
}

static void drain_all(void) {
  lc_qentry_t out[256];
  while (lc_quarantine_drain(out, 256) > 0) {}
}

static int setup(void **state) {
  (void)state;
  drain_all();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  drain_all();
  lc_quarantine_setup(0);
  return 0;
}

typedef struct seen_s { lc_qentry_t *v; size_t n, cap; } seen_t;

static void collect(lc_qentry_t e, void *arg) {
  seen_t *s = arg;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 1024;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
    assert_non_null(s->v);
  }
  s->v[s->n++] = e;
}

static seen_t snapshot(void) {
  seen_t s = { 0 };
  lc_quarantine_for_each(collect, &s);
  return s;
}

/* ---- tests ---- */

static void test_budget_setting(void **state) {
  (void)state;
  lc_quarantine_setup(12345);
  assert_int_equal(lc_quarantine_budget(), 12345);
  assert_int_equal(lc_quarantine_bytes(), 0);
}

// Within the budget nothing leaves; past it, the oldest leaves first.
static void test_fifo_order(void **state) {
  (void)state;
  lc_quarantine_setup(1000);
  lc_qentry_t out[16];
  for (size_t i = 0; i < 10; i++) {
    assert_int_equal(lc_quarantine_push(entry(i, 100), out, 16), 0);
    assert_int_equal(lc_quarantine_bytes(), (i + 1) * 100);
  }
  for (size_t i = 10; i < 30; i++) {
    assert_int_equal(lc_quarantine_push(entry(i, 100), out, 16), 1);
    expect_entry(out[0], entry(i - 10, 100));
    assert_int_equal(lc_quarantine_bytes(), 1000);
  }
  seen_t s = snapshot();
  assert_int_equal(s.n, 10);
  for (size_t k = 0; k < 10; k++) expect_entry(s.v[k], entry(20 + k, 100));
  free(s.v);
}

// Bytes, not entries, decide: as many of the oldest leave as it takes to get back within the budget; an entry
// larger than the whole budget leaves at once, after everything older.
static void test_byte_budget(void **state) {
  (void)state;
  lc_quarantine_setup(1000);
  lc_qentry_t out[16];
  assert_int_equal(lc_quarantine_push(entry(0, 600), out, 16), 0);
  assert_int_equal(lc_quarantine_push(entry(1, 300), out, 16), 0);
  assert_int_equal(lc_quarantine_push(entry(2, 100), out, 16), 0);     // exactly the budget: stays
  assert_int_equal(lc_quarantine_bytes(), 1000);
  assert_int_equal(lc_quarantine_push(entry(3, 200), out, 16), 1);
  expect_entry(out[0], entry(0, 600));
  assert_int_equal(lc_quarantine_bytes(), 600);
  assert_int_equal(lc_quarantine_push(entry(4, 900), out, 16), 3);
  expect_entry(out[0], entry(1, 300));
  expect_entry(out[1], entry(2, 100));
  expect_entry(out[2], entry(3, 200));
  assert_int_equal(lc_quarantine_bytes(), 900);
  assert_int_equal(lc_quarantine_push(entry(5, 5000), out, 16), 2);
  expect_entry(out[0], entry(4, 900));
  expect_entry(out[1], entry(5, 5000));
  assert_int_equal(lc_quarantine_bytes(), 0);
  seen_t s = snapshot();
  assert_int_equal(s.n, 0);
  free(s.v);
  // A budget of 0: everything leaves as it comes.
  lc_quarantine_setup(0);
  assert_int_equal(lc_quarantine_push(entry(6, 1), out, 16), 1);
  expect_entry(out[0], entry(6, 1));
  assert_int_equal(lc_quarantine_bytes(), 0);
}

// More to evict than `max`: the push returns max; empty pushes then give the rest, oldest first, until one
// returns less than max.
static void test_return_equals_max(void **state) {
  (void)state;
  lc_quarantine_setup(1u << 30);
  lc_qentry_t out[8];
  for (size_t i = 0; i < 100; i++) assert_int_equal(lc_quarantine_push(entry(i, 10), out, 8), 0);
  lc_quarantine_setup(25);                                   // room for two entries and a half
  size_t next = 0;
  int n = lc_quarantine_push(entry(100, 10), out, 8);
  assert_int_equal(n, 8);
  for (int k = 0; k < n; k++) expect_entry(out[k], entry(next++, 10));
  lc_qentry_t none = { NULL, 0 };
  int calls = 0;
  while ((n = lc_quarantine_push(none, out, 8)) == 8) {
    for (int k = 0; k < n; k++) expect_entry(out[k], entry(next++, 10));
    calls++;
    assert_true(calls < 100);
  }
  for (int k = 0; k < n; k++) expect_entry(out[k], entry(next++, 10));
  assert_int_equal(next, 99);                                // 101 pushed, 2 fit in 25 bytes
  assert_int_equal(lc_quarantine_bytes(), 20);
  seen_t s = snapshot();
  assert_int_equal(s.n, 2);
  expect_entry(s.v[0], entry(99, 10));
  expect_entry(s.v[1], entry(100, 10));
  free(s.v);
  // Nothing over the budget: an empty push evicts nothing.
  assert_int_equal(lc_quarantine_push(none, out, 8), 0);
  // Exactly max to evict: max, then 0.
  drain_all();
  lc_quarantine_setup(1u << 30);
  for (size_t i = 200; i < 210; i++) assert_int_equal(lc_quarantine_push(entry(i, 10), out, 8), 0);
  lc_quarantine_setup(20);                                   // 10 entries, 2 may stay
  assert_int_equal(lc_quarantine_push(none, out, 8), 8);
  for (int k = 0; k < 8; k++) expect_entry(out[k], entry(200 + (size_t)k, 10));
  assert_int_equal(lc_quarantine_push(none, out, 8), 0);
  assert_int_equal(lc_quarantine_bytes(), 20);
}

// for_each: oldest first, also after the ring wrapped around and then grew.
static void test_for_each_order_wrap_and_grow(void **state) {
  (void)state;
  lc_qentry_t out[4];
  lc_quarantine_setup(3000);
  for (size_t i = 0; i < 3000; i++) assert_int_equal(lc_quarantine_push(entry(i, 1), out, 4), 0);
  for (size_t i = 3000; i < 5000; i++) {                    // the ring's start moves on
    assert_int_equal(lc_quarantine_push(entry(i, 1), out, 4), 1);
    expect_entry(out[0], entry(i - 3000, 1));
  }
  seen_t s = snapshot();
  assert_int_equal(s.n, 3000);
  for (size_t k = 0; k < s.n; k++) expect_entry(s.v[k], entry(2000 + k, 1));
  free(s.v);
  lc_quarantine_setup(1u << 30);
  for (size_t i = 5000; i < 15000; i++) assert_int_equal(lc_quarantine_push(entry(i, 1), out, 4), 0);
  s = snapshot();
  assert_int_equal(s.n, 13000);
  for (size_t k = 0; k < s.n; k++) expect_entry(s.v[k], entry(2000 + k, 1));
  free(s.v);
  assert_int_equal(lc_quarantine_bytes(), 13000);
  // Drain gives the same order.
  lc_qentry_t d[1000];
  size_t next = 2000;
  int n;
  while ((n = lc_quarantine_drain(d, 1000)) > 0)
    for (int k = 0; k < n; k++) expect_entry(d[k], entry(next++, 1));
  assert_int_equal(next, 15000);
}

// drain: at most max per call, oldest first, until empty; bytes back to 0.
static void test_drain(void **state) {
  (void)state;
  lc_qentry_t out[8];
  assert_int_equal(lc_quarantine_drain(out, 8), 0);
  lc_quarantine_setup(1u << 20);
  for (size_t i = 0; i < 20; i++) assert_int_equal(lc_quarantine_push(entry(i, i + 1), out, 8), 0);
  assert_int_equal(lc_quarantine_bytes(), 210);
  assert_int_equal(lc_quarantine_drain(out, 8), 8);
  for (size_t k = 0; k < 8; k++) expect_entry(out[k], entry(k, k + 1));
  assert_int_equal(lc_quarantine_bytes(), 210 - 36);
  assert_int_equal(lc_quarantine_drain(out, 8), 8);
  for (size_t k = 0; k < 8; k++) expect_entry(out[k], entry(8 + k, 9 + k));
  assert_int_equal(lc_quarantine_drain(out, 8), 4);
  for (size_t k = 0; k < 4; k++) expect_entry(out[k], entry(16 + k, 17 + k));
  assert_int_equal(lc_quarantine_drain(out, 8), 0);
  assert_int_equal(lc_quarantine_bytes(), 0);
  // Usable again afterwards.
  assert_int_equal(lc_quarantine_push(entry(50, 5), out, 8), 0);
  seen_t s = snapshot();
  assert_int_equal(s.n, 1);
  expect_entry(s.v[0], entry(50, 5));
  free(s.v);
}

// The ring is bounded in entries too: once at its largest, a push within the byte budget still makes the
// oldest leave early, so the quarantine never refuses a block.
static void test_entry_bound(void **state) {
  (void)state;
  lc_quarantine_setup((size_t)1 << 40);
  lc_qentry_t out[4];
  size_t i = 0, limit = (size_t)1 << 24;
  int n = 0;
  for (; i < limit; i++)
    if ((n = lc_quarantine_push(entry(i, 1), out, 4)) != 0) break;
  if (i == limit) fail_msg("%zu entries held without eviction", limit);
  assert_int_equal(n, 1);
  expect_entry(out[0], entry(0, 1));
  assert_int_equal(lc_quarantine_bytes(), i);                // i entries held: the first left
  assert_int_equal(lc_quarantine_push(entry(i + 1, 1), out, 4), 1);
  expect_entry(out[0], entry(1, 1));
  seen_t s = snapshot();
  assert_int_equal(s.n, i);
  expect_entry(s.v[0], entry(2, 1));
  expect_entry(s.v[s.n - 1], entry(i + 1, 1));
  free(s.v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_budget_setting, setup, teardown),
    cmocka_unit_test_setup_teardown(test_fifo_order, setup, teardown),
    cmocka_unit_test_setup_teardown(test_byte_budget, setup, teardown),
    cmocka_unit_test_setup_teardown(test_return_equals_max, setup, teardown),
    cmocka_unit_test_setup_teardown(test_for_each_order_wrap_and_grow, setup, teardown),
    cmocka_unit_test_setup_teardown(test_drain, setup, teardown),
    cmocka_unit_test_setup_teardown(test_entry_bound, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
