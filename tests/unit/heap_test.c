/* heap_test.c: cmocka tests of libcheck/heap.c on private heaps (mmap only, so the test never fights glibc for
 * the break): sizes, alignment, no overlap under random traffic, coalescing, lookups, walks, large chunks,
 * in-place resize, statistics, and the validator: it passes on every heap the other tests build and rejects each
 * kind of deliberate corruption with the right violation; damage to free chunks (safe unlinking, merging with a
 * damaged neighbour, repairs after a violation) and to cached chunks (encoded links, check word, tag) is refused,
 * recorded once and retired. The brk heap is tested in forked children, where nothing else moves the break between
 * the heap's own calls (the children never call malloc). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heap.h"

#define KiB ((size_t)1024)
#define MiB ((size_t)1024 * 1024)

/* ---- helpers ---- */

static uint64_t rng_state;
static uint64_t rnd(void) {                    // xorshift64*: reproducible runs
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

static lc_heap_t *heap_new(size_t mmap_threshold) {
  lc_heap_t *h = calloc(1, sizeof *h);
  assert_non_null(h);
  h->lock = (lc_lock_t)LC_LOCK_INIT;                       // calloc'd: unlocked already, said for clarity
  lc_heap_setup(h, "unit", 0, mmap_threshold, 0);
  return h;
}

// Gives everything back: large chunks through the heap, extents (mmap'd, [base, end) exactly) with munmap.
static void heap_destroy(lc_heap_t *h) {
  lc_lock(&h->lock);
  while (h->nlarge > 0) lc_heap_free_locked(h, (void *)(h->large[0].chunk + LC_CHUNK_OVERHEAD));
  lc_unlock(&h->lock);
  if (h->large) lc_os_free(h->large, h->large_cap * sizeof *h->large);
  for (int i = 0; i < h->nextents; i++) munmap((void *)h->extents[i].base, h->extents[i].end - h->extents[i].base);
  free(h);
}

static void *halloc(lc_heap_t *h, size_t size, size_t align) {
  lc_lock(&h->lock);
  void *p = lc_heap_alloc_locked(h, size, align);
  lc_unlock(&h->lock);
  return p;
}

static void hfree(lc_heap_t *h, void *p) {
  lc_lock(&h->lock);
  lc_heap_free_locked(h, p);
  lc_unlock(&h->lock);
}

static int hresize(lc_heap_t *h, void *p, size_t size) {
  lc_lock(&h->lock);
  int r = lc_heap_resize_locked(h, p, size);
  lc_unlock(&h->lock);
  return r;
}

static void *hfind(lc_heap_t *h, const void *a) {
  lc_lock(&h->lock);
  void *p = lc_heap_find_chunk_locked(h, a);
  lc_unlock(&h->lock);
  return p;
}

static const char *fault_name(lc_heap_fault_t f) {
  switch (f) {
  case LC_HEAP_OK: return "OK";
  case LC_HEAP_BAD_EXTENT: return "BAD_EXTENT";
  case LC_HEAP_BAD_TAG: return "BAD_TAG";
  case LC_HEAP_ADJACENT_FREE: return "ADJACENT_FREE";
  case LC_HEAP_FREE_BEFORE_TOP: return "FREE_BEFORE_TOP";
  case LC_HEAP_BAD_PINUSE: return "BAD_PINUSE";
  case LC_HEAP_BAD_PREV_FOOT: return "BAD_PREV_FOOT";
  case LC_HEAP_BAD_LINK: return "BAD_LINK";
  case LC_HEAP_WRONG_BIN: return "WRONG_BIN";
  case LC_HEAP_NOT_IN_BIN: return "NOT_IN_BIN";
  case LC_HEAP_BAD_BIN_ENTRY: return "BAD_BIN_ENTRY";
  case LC_HEAP_BAD_BINMAP: return "BAD_BINMAP";
  case LC_HEAP_BAD_LARGE: return "BAD_LARGE";
  case LC_HEAP_BAD_STATS: return "BAD_STATS";
  case LC_HEAP_TAG_OVERWRITTEN: return "TAG_OVERWRITTEN";
  }
  return "?";
}

static lc_heap_fault_t validate(lc_heap_t *h, lc_heap_violation_t *v) {
  lc_lock(&h->lock);
  lc_heap_fault_t f = lc_heap_validate_locked(h, v);
  lc_unlock(&h->lock);
  assert_int_equal(v->fault, f);
  if (f == LC_HEAP_OK) assert_null(v->what);
  else assert_non_null(v->what);
  return f;
}

// The validator finds nothing wrong.
static void expect_valid(lc_heap_t *h) {
  lc_heap_violation_t v;
  if (validate(h, &v) != LC_HEAP_OK)
    fail_msg("heap '%s' invalid: %s: %s at %#lx (found %#llx, expected %#llx)", h->name, fault_name(v.fault), v.what,
             (unsigned long)v.addr, (unsigned long long)v.found, (unsigned long long)v.expected);
}

// The validator's first violation is `want`, at `addr`.
static void expect_fault(lc_heap_t *h, lc_heap_fault_t want, const void *addr) {
  lc_heap_violation_t v;
  lc_heap_fault_t f = validate(h, &v);
  if (f != want || v.addr != (uintptr_t)addr)
    fail_msg("expected %s at %p, got %s (%s) at %#lx (found %#llx, expected %#llx)", fault_name(want), addr,
             fault_name(f), v.what ? v.what : "-", (unsigned long)v.addr, (unsigned long long)v.found,
             (unsigned long long)v.expected);
}

// A chunk the test holds, with the pattern its usable bytes were filled with.
typedef struct live_s { unsigned char *p; size_t usable; unsigned char pat; } live_t;

static void fill(live_t *l) { memset(l->p, l->pat, l->usable); }

static void expect_intact(const live_t *l) {
  for (size_t i = 0; i < l->usable; i++)
    if (l->p[i] != l->pat) fail_msg("chunk %p (%zu usable bytes): byte %zu is 0x%02x, was written 0x%02x",
                                    (void *)l->p, l->usable, i, l->p[i], l->pat);
}

// The chunk (header and usable payload) of a must not overlap that of any other live chunk.
static void expect_no_overlap(const live_t *live, size_t n, size_t self) {
  uintptr_t a0 = (uintptr_t)live[self].p - LC_CHUNK_OVERHEAD, a1 = (uintptr_t)live[self].p + live[self].usable;
  for (size_t i = 0; i < n; i++) {
    if (i == self || !live[i].p) continue;
    uintptr_t b0 = (uintptr_t)live[i].p - LC_CHUNK_OVERHEAD, b1 = (uintptr_t)live[i].p + live[i].usable;
    if (a0 < b1 && b0 < a1)
      fail_msg("chunk %p+%zu overlaps live chunk %p+%zu", (void *)live[self].p, live[self].usable,
               (void *)live[i].p, live[i].usable);
  }
}

typedef struct seen_s { void *p; size_t size; } seen_t;
typedef struct walk_s { seen_t *v; size_t n, cap; } walk_t;

static void collect(void *payload, size_t size, void *arg) {
  walk_t *w = arg;
  if (w->n == w->cap) {
    w->cap = w->cap ? w->cap * 2 : 256;
    w->v = realloc(w->v, w->cap * sizeof *w->v);
    assert_non_null(w->v);
  }
  w->v[w->n].p = payload;
  w->v[w->n].size = size;
  w->n++;
}

static walk_t walk(lc_heap_t *h) {
  walk_t w = { 0 };
  lc_lock(&h->lock);
  lc_heap_for_each_chunk_locked(h, collect, &w);
  lc_unlock(&h->lock);
  return w;
}

static int extent_of(lc_heap_t *h, const void *p) {
  for (int i = 0; i < h->nextents; i++)
    if ((uintptr_t)p >= h->extents[i].base && (uintptr_t)p < h->extents[i].end) return i;
  return -1;
}

// for_each visits exactly the live chunks, each once, with their payload size; extent chunks come in address
// order per extent, then the large ones; in_use_bytes is the sum of the extent chunks handed out.
static void expect_walk_matches(lc_heap_t *h, const live_t *live, size_t n) {
  walk_t w = walk(h);
  size_t nlive = 0, in_use = 0, nlarge = 0;
  for (size_t i = 0; i < n; i++) {
    if (!live[i].p) continue;
    nlive++;
    if (lc_heap_is_large(live[i].p)) nlarge++;
    else in_use += live[i].usable + LC_CHUNK_OVERHEAD;
    size_t hits = 0;
    for (size_t j = 0; j < w.n; j++)
      if (w.v[j].p == live[i].p) {
        hits++;
        assert_int_equal(w.v[j].size, live[i].usable);
      }
    if (hits != 1) fail_msg("live chunk %p (%zu bytes, extent %d) visited %zu times", (void *)live[i].p,
                            live[i].usable, extent_of(h, live[i].p), hits);
  }
  assert_int_equal(w.n, nlive);
  // Order: extent chunks ascending within an extent; once a large chunk was visited, no extent chunk follows.
  int in_large = 0;
  for (size_t j = 0; j < w.n; j++) {
    int large = lc_heap_is_large(w.v[j].p);
    if (in_large) assert_true(large);
    in_large = large;
    if (j > 0 && !large && !lc_heap_is_large(w.v[j - 1].p) &&
        extent_of(h, w.v[j].p) == extent_of(h, w.v[j - 1].p))
      assert_true((uintptr_t)w.v[j].p > (uintptr_t)w.v[j - 1].p);
  }
  assert_int_equal(h->stats.in_use_bytes, in_use);
  assert_int_equal(h->stats.large_count, nlarge);
  assert_true(h->stats.peak_in_use_bytes >= h->stats.in_use_bytes);
  free(w.v);
  expect_valid(h);
}

static int page_mapped(const void *p) {
  unsigned char v;
  void *page = (void *)((uintptr_t)p & ~(uintptr_t)4095);
  if (mincore(page, 4096, &v) == 0) return 1;
  assert_int_equal(errno, ENOMEM);
  return 0;
}

/* ---- tests ---- */

// Every size from 0 to 4 KiB, then a sweep up to the mmap threshold: usable >= size, 16-aligned, writable;
// freed one at a time and all at once; nothing stays counted in use.
static void test_alloc_free_many_sizes(void **state) {
  (void)state;
  lc_heap_t *h = heap_new(256 * KiB);
  for (size_t size = 0; size <= 4096; size++) {
    unsigned char *p = halloc(h, size, 16);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    assert_false(lc_heap_is_large(p));
    size_t usable = lc_heap_payload_size(p);
    assert_true(usable >= size);
    assert_true(usable < size + 48);                       // rounded to 16, never a wildly bigger chunk
    memset(p, 0xA5, usable);
    assert_int_equal(h->stats.in_use_bytes, usable + LC_CHUNK_OVERHEAD);
    hfree(h, p);
    assert_int_equal(h->stats.in_use_bytes, 0);
  }
  enum { N = 600 };
  static live_t live[N];
  size_t size = 1;
  for (int i = 0; i < N; i++) {
    size = size * 5 / 4 + 1;
    if (size >= 256 * KiB) size = 7;
    live[i].p = halloc(h, size, 16);
    assert_non_null(live[i].p);
    live[i].usable = lc_heap_payload_size(live[i].p);
    assert_true(live[i].usable >= size);
    live[i].pat = (unsigned char)(i * 7 + 1);
    fill(&live[i]);
    expect_no_overlap(live, (size_t)i + 1, (size_t)i);
  }
  expect_walk_matches(h, live, N);
  for (int i = 0; i < N; i += 2) { expect_intact(&live[i]); hfree(h, live[i].p); live[i].p = NULL; }
  expect_walk_matches(h, live, N);
  for (int i = 1; i < N; i += 2) { expect_intact(&live[i]); hfree(h, live[i].p); live[i].p = NULL; }
  expect_walk_matches(h, live, N);
  assert_int_equal(h->stats.in_use_bytes, 0);
  heap_destroy(h);
}

// Payloads aligned to 16 by default and to every power of two from 32 to 4096 on request, also for large
// chunks and with other chunks live around them; the over-aligned path accounts its bytes right.
static void test_alignment(void **state) {
  (void)state;
  lc_heap_t *h = heap_new(128 * KiB);
  enum { N = 400 };
  static live_t live[N];
  static const size_t sizes[] = { 0, 1, 15, 16, 17, 100, 1000, 4095, 5000, 20000 };
  int n = 0;
  for (size_t align = 16; align <= 4096; align *= 2)
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
      live[n].p = halloc(h, sizes[s], align);
      assert_non_null(live[n].p);
      if ((uintptr_t)live[n].p % align != 0) fail_msg("size %zu align %zu: payload %p", sizes[s], align, (void *)live[n].p);
      live[n].usable = lc_heap_payload_size(live[n].p);
      assert_true(live[n].usable >= sizes[s]);
      live[n].pat = (unsigned char)(n + 1);
      fill(&live[n]);
      expect_no_overlap(live, (size_t)n + 1, (size_t)n);
      n++;
      // A small odd chunk between, so the next over-aligned request starts at another offset.
      live[n].p = halloc(h, 16 + 16 * (size_t)(n % 5), 16);
      assert_non_null(live[n].p);
      live[n].usable = lc_heap_payload_size(live[n].p);
      live[n].pat = (unsigned char)(n + 1);
      fill(&live[n]);
      n++;
      expect_walk_matches(h, live, (size_t)n);
    }
  // Large chunks, over-aligned too (beyond a page as well).
  for (size_t align = 16; align <= 64 * KiB; align *= 4) {
    live[n].p = halloc(h, 200 * KiB + align, align);
    assert_non_null(live[n].p);
    assert_true(lc_heap_is_large(live[n].p));
    if ((uintptr_t)live[n].p % align != 0) fail_msg("large, align %zu: payload %p", align, (void *)live[n].p);
    live[n].usable = lc_heap_payload_size(live[n].p);
    assert_true(live[n].usable >= 200 * KiB + align);
    live[n].pat = (unsigned char)(n + 1);
    fill(&live[n]);
    n++;
  }
  expect_walk_matches(h, live, (size_t)n);
  for (int i = n - 1; i >= 0; i -= 3) { expect_intact(&live[i]); hfree(h, live[i].p); live[i].p = NULL; }
  expect_walk_matches(h, live, (size_t)n);
  // Over-aligned requests again, now served from the free lists the frees above left.
  for (int i = 0; i < n; i++) {
    if (live[i].p) continue;
    size_t align = (size_t)16 << (i % 9);
    live[i].p = halloc(h, (size_t)(i * 37 % 3000), align);
    assert_non_null(live[i].p);
    assert_int_equal((uintptr_t)live[i].p % align, 0);
    live[i].usable = lc_heap_payload_size(live[i].p);
    live[i].pat = (unsigned char)(i + 101);
    fill(&live[i]);
    expect_no_overlap(live, (size_t)n, (size_t)i);
  }
  expect_walk_matches(h, live, (size_t)n);
  for (int i = 0; i < n; i++) { expect_intact(&live[i]); hfree(h, live[i].p); live[i].p = NULL; }
  expect_walk_matches(h, live, (size_t)n);
  assert_int_equal(h->stats.in_use_bytes, 0);
  assert_int_equal(h->stats.large_bytes, 0);
  heap_destroy(h);
}

// A few 10k random allocations, frees and resizes, sizes from 0 to past the mmap threshold, alignments from
// 16 to 4096: live chunks never overlap and keep what was written to them; walks and stats stay exact.
static void random_traffic(uint64_t seed, int ops) {
  rng_state = seed;
  lc_heap_t *h = heap_new(64 * KiB);
  enum { N = 700 };
  static live_t live[N];
  memset(live, 0, sizeof live);
  size_t peak = 0;
  for (int op = 0; op < ops; op++) {
    size_t i = rnd() % N;
    uint64_t r = rnd() % 100;
    if (!live[i].p) {
      size_t size;
      if (r < 60) size = rnd() % 257;
      else if (r < 85) size = 257 + rnd() % 4000;
      else if (r < 98) size = 4097 + rnd() % 40000;
      else size = 64 * KiB + rnd() % (100 * KiB);
      size_t align = rnd() % 4 ? 16 : (size_t)32 << (rnd() % 8);
      unsigned char *p = halloc(h, size, align);
      if (!p) fail_msg("op %d: alloc(%zu, %zu) failed", op, size, align);
      if ((uintptr_t)p % align) fail_msg("op %d: alloc(%zu, %zu) = %p", op, size, align, (void *)p);
      assert_int_equal(lc_heap_is_large(p), size >= 64 * KiB);
      live[i].p = p;
      live[i].usable = lc_heap_payload_size(p);
      assert_true(live[i].usable >= size);
      live[i].pat = (unsigned char)rnd();
      expect_no_overlap(live, N, i);
      fill(&live[i]);
    } else if (r < 75) {
      expect_intact(&live[i]);
      hfree(h, live[i].p);
      live[i].p = NULL;
    } else {
      size_t size = r < 90 ? rnd() % 600 : rnd() % 30000;
      size_t before = live[i].usable;
      if (hresize(h, live[i].p, size)) {
        size_t after = lc_heap_payload_size(live[i].p);
        assert_true(after >= size);
        live[i].usable = after < before ? after : before;
        expect_intact(&live[i]);                           // the bytes both sizes share were kept
        live[i].usable = after;
        expect_no_overlap(live, N, i);
        fill(&live[i]);
      } else {
        assert_int_equal(lc_heap_payload_size(live[i].p), before);
      }
    }
    if (h->stats.in_use_bytes > peak) peak = h->stats.in_use_bytes;
    assert_int_equal(h->stats.peak_in_use_bytes, peak);
    expect_valid(h);                                        // after every allocation, free and resize
    if (op % 2500 == 0) {
      for (size_t j = 0; j < N; j++) if (live[j].p) expect_intact(&live[j]);
      expect_walk_matches(h, live, N);
    }
  }
  expect_walk_matches(h, live, N);
  for (size_t j = 0; j < N; j++)
    if (live[j].p) { expect_intact(&live[j]); hfree(h, live[j].p); live[j].p = NULL; }
  assert_int_equal(h->stats.in_use_bytes, 0);
  assert_int_equal(h->stats.large_count, 0);
  assert_int_equal(h->stats.large_bytes, 0);
  expect_walk_matches(h, live, N);
  heap_destroy(h);
}

static void test_random_no_overlap(void **state) {
  (void)state;
  random_traffic(0x9E3779B97F4A7C15ull, 30000);
  random_traffic(0x0123456789ABCDEFull, 30000);
}

// Freed neighbours merge: whatever the order of the frees, one chunk of their total size then fits at the
// address of the first, in exact bins and in ranged bins, and into the top.
static void test_coalescing(void **state) {
  (void)state;
  static const int orders[6][3] = { {0,1,2}, {0,2,1}, {1,0,2}, {1,2,0}, {2,0,1}, {2,1,0} };
  static const size_t sizes[2][3] = { { 100, 200, 300 }, { 3000, 5000, 7000 } };
  for (int s = 0; s < 2; s++)
    for (int o = 0; o < 6; o++) {
      lc_heap_t *h = heap_new(1 * MiB);
      void *lead = halloc(h, 40, 16);                    // in use before the three
      void *c[3];
      size_t total = 0;
      for (int k = 0; k < 3; k++) {
        c[k] = halloc(h, sizes[s][k], 16);
        assert_non_null(c[k]);
        total += lc_heap_payload_size(c[k]) + LC_CHUNK_OVERHEAD;
      }
      for (int k = 0; k < 2; k++)                         // fresh heap: carved from the top, one after another
        assert_ptr_equal((char *)c[k] + lc_heap_payload_size(c[k]) + LC_CHUNK_OVERHEAD, c[k + 1]);
      void *guard = halloc(h, 40, 16);                   // keeps them off the top
      for (int k = 0; k < 3; k++) hfree(h, c[orders[o][k]]);
      void *big = halloc(h, total - LC_CHUNK_OVERHEAD, 16);
      if (big != c[0]) fail_msg("sizes %d order %d: merged chunk of %zu bytes expected at %p, got %p", s, o, total,
                                c[0], big);
      assert_int_equal(lc_heap_payload_size(big), total - LC_CHUNK_OVERHEAD);
      live_t live[3] = { { lead, lc_heap_payload_size(lead), 1 }, { big, total - LC_CHUNK_OVERHEAD, 2 },
                         { guard, lc_heap_payload_size(guard), 3 } };
      for (int k = 0; k < 3; k++) fill(&live[k]);
      expect_walk_matches(h, live, 3);
      // Everything after `lead` freed: it all merges into the top, and a chunk as large as the rest of the
      // extent comes back right after `lead`.
      hfree(h, big);
      hfree(h, guard);
      live[1].p = live[2].p = NULL;
      expect_walk_matches(h, live, 3);
      size_t rest = h->top_end - h->top;
      assert_ptr_equal((char *)h->top, (char *)lead + lc_heap_payload_size(lead));
      void *all = halloc(h, rest - 2 * LC_CHUNK_OVERHEAD, 16);   // all of it but the room for the fence
      assert_ptr_equal(all, c[0]);
      assert_int_equal(h->nextents, 1);
      heap_destroy(h);
    }
}

// The free remainder a split leaves (a shrink, or a big free chunk cut for a small request) merges with a free
// neighbour after it, whether that neighbour was freed before or after the split.
static void test_split_remainders_coalesce(void **state) {
  (void)state;
  for (int freed_first = 0; freed_first < 2; freed_first++) {
    lc_heap_t *h = heap_new(1 * MiB);
    char *a = halloc(h, 3000, 16), *b = halloc(h, 2000, 16), *g = halloc(h, 40, 16);
    assert_non_null(a); assert_non_null(b); assert_non_null(g);
    size_t a_chunk = lc_heap_payload_size(a) + LC_CHUNK_OVERHEAD, b_chunk = lc_heap_payload_size(b) + LC_CHUNK_OVERHEAD;
    if (freed_first) hfree(h, b);
    assert_true(hresize(h, a, 100));
    size_t a_new = lc_heap_payload_size(a) + LC_CHUNK_OVERHEAD;
    if (!freed_first) hfree(h, b);
    size_t merged = a_chunk - a_new + b_chunk;
    char *m = halloc(h, merged - LC_CHUNK_OVERHEAD, 16);
    if (m != a + a_new) fail_msg("shrink, neighbour freed %s: %zu merged bytes expected at %p, got %p",
                                 freed_first ? "before" : "after", merged, (void *)(a + a_new), (void *)m);
    memset(m, 1, merged - LC_CHUNK_OVERHEAD);
    live_t live[3] = { { (unsigned char *)a, lc_heap_payload_size(a), 0 }, { (unsigned char *)m, merged - LC_CHUNK_OVERHEAD, 1 },
                       { (unsigned char *)g, lc_heap_payload_size(g), 0 } };
    expect_walk_matches(h, live, 3);
    heap_destroy(h);
  }
  // A free chunk cut for a smaller request: its remainder merges with the next chunk once that is freed.
  lc_heap_t *h = heap_new(1 * MiB);
  char *l = halloc(h, 40, 16), *x = halloc(h, 5000, 16), *n = halloc(h, 100, 16), *g = halloc(h, 40, 16);
  size_t x_chunk = lc_heap_payload_size(x) + LC_CHUNK_OVERHEAD, n_chunk = lc_heap_payload_size(n) + LC_CHUNK_OVERHEAD;
  hfree(h, x);
  char *y = halloc(h, 1000, 16);
  assert_ptr_equal(y, x);
  size_t y_chunk = lc_heap_payload_size(y) + LC_CHUNK_OVERHEAD;
  hfree(h, n);
  size_t merged = x_chunk - y_chunk + n_chunk;
  char *m = halloc(h, merged - LC_CHUNK_OVERHEAD, 16);
  if (m != y + y_chunk) fail_msg("split remainder: %zu merged bytes expected at %p, got %p", merged,
                                 (void *)(y + y_chunk), (void *)m);
  live_t live[4] = { { (unsigned char *)l, lc_heap_payload_size(l), 0 }, { (unsigned char *)y, y_chunk - LC_CHUNK_OVERHEAD, 0 },
                     { (unsigned char *)m, merged - LC_CHUNK_OVERHEAD, 0 }, { (unsigned char *)g, lc_heap_payload_size(g), 0 } };
  expect_walk_matches(h, live, 4);
  heap_destroy(h);
}

// lc_heap_contains: inside every live chunk (both ends), inside free chunks of an extent, inside large chunks;
// not on the stack, in glibc's heap, past the extent, or in a large chunk once it was freed (unmapped).
static void test_contains(void **state) {
  (void)state;
  lc_heap_t *h = heap_new(128 * KiB);
  char *a = halloc(h, 100, 16), *b = halloc(h, 5000, 16), *c = halloc(h, 64, 16);
  assert_non_null(a); assert_non_null(b); assert_non_null(c);
  assert_int_equal(h->nextents, 1);
  uintptr_t base = h->extents[0].base, end = h->extents[0].end;
  for (char *p = a; p < a + lc_heap_payload_size(a); p++) assert_true(lc_heap_contains(h, p));
  assert_true(lc_heap_contains(h, b));
  assert_true(lc_heap_contains(h, b + lc_heap_payload_size(b) - 1));
  assert_true(lc_heap_contains(h, (void *)base));
  assert_true(lc_heap_contains(h, (void *)(end - 1)));
  assert_true(lc_heap_contains(h, (void *)h->top));         // unused tail of the extent: still the heap's
  assert_false(lc_heap_contains(h, (void *)end));
  assert_false(lc_heap_contains(h, (void *)(base - 1)));
  int local;
  assert_false(lc_heap_contains(h, &local));
  void *g = malloc(100);
  assert_false(lc_heap_contains(h, g));
  free(g);
  assert_false(lc_heap_contains(h, NULL));
  hfree(h, b);                                               // a free chunk between two in use
  assert_true(lc_heap_contains(h, b + 100));
  char *l = halloc(h, 300 * KiB, 16);
  assert_true(lc_heap_is_large(l));
  size_t lsize = lc_heap_payload_size(l);
  assert_true(lc_heap_contains(h, l));
  assert_true(lc_heap_contains(h, l + lsize / 2));
  assert_true(lc_heap_contains(h, l + lsize - 1));
  if (extent_of(h, l + lsize) < 0) assert_false(lc_heap_contains(h, l + lsize));   // past the mapping
  assert_true(lc_heap_contains(h, a));                       // extents still found with large chunks around
  hfree(h, l);
  assert_false(lc_heap_contains(h, l));
  assert_false(lc_heap_contains(h, l + lsize / 2));
  heap_destroy(h);
  // A heap with one large chunk and no extent at all: both ends of the chunk exactly.
  h = heap_new(128 * KiB);
  l = halloc(h, 200 * KiB, 16);
  assert_non_null(l);
  assert_int_equal(h->nextents, 0);
  lsize = lc_heap_payload_size(l);
  assert_true(lc_heap_contains(h, l - LC_CHUNK_OVERHEAD));     // its header
  assert_true(lc_heap_contains(h, l + lsize - 1));
  assert_false(lc_heap_contains(h, l + lsize));
  assert_false(lc_heap_contains(h, l - LC_CHUNK_OVERHEAD - 1));
  assert_false(lc_heap_contains(h, l + lsize + 4096));
  heap_destroy(h);
}

// lc_heap_find_chunk_locked: any interior address of an in-use chunk gives its payload; free chunks, the top,
// and addresses outside the heap give NULL; large chunks are found too.
static void test_find_chunk(void **state) {
  (void)state;
  lc_heap_t *h = heap_new(128 * KiB);
  enum { N = 64 };
  char *p[N];
  size_t usable[N];
  for (int i = 0; i < N; i++) {
    p[i] = halloc(h, (size_t)(i * 97 % 3000), i % 7 ? 16 : 256);
    assert_non_null(p[i]);
    usable[i] = lc_heap_payload_size(p[i]);
  }
  for (int i = 0; i < N; i += 4) { hfree(h, p[i]); }
  for (int i = 0; i < N; i++) {
    size_t u = usable[i];
    const size_t offs[] = { 0, 1, u / 2, u - 1 };
    for (int k = 0; k < 4; k++) {
      void *f = hfind(h, p[i] + offs[k]);
      if (i % 4 == 0) {
        // freed (and possibly merged into a neighbour that is free too, or into the top): nobody's payload
        if (f != NULL) fail_msg("freed chunk %d: find(%p + %zu) = %p", i, (void *)p[i], offs[k], f);
      } else if (f != p[i]) {
        fail_msg("chunk %d: find(%p + %zu) = %p", i, (void *)p[i], offs[k], f);
      }
    }
  }
  assert_null(hfind(h, (void *)h->top));
  assert_null(hfind(h, (void *)(h->top_end - 1)));
  int local;
  assert_null(hfind(h, &local));
  char *l = halloc(h, 256 * KiB, 4096);
  assert_true(lc_heap_is_large(l));
  assert_ptr_equal(hfind(h, l), l);
  assert_ptr_equal(hfind(h, l + 12345), l);
  assert_ptr_equal(hfind(h, l + lc_heap_payload_size(l) - 1), l);
  assert_ptr_equal(hfind(h, p[1] + 3), p[1]);                // extents still searched with large chunks around
  hfree(h, l);
  assert_null(hfind(h, l + 12345));
  heap_destroy(h);
}

// for_each visits exactly the live chunks across several extents and large chunks, whatever was freed.
static void test_for_each_visits_live_chunks(void **state) {
  (void)state;
  rng_state = 42;
  lc_heap_t *h = heap_new(64 * KiB);
  enum { N = 300 };
  static live_t live[N];
  for (int i = 0; i < N; i++) {
    size_t size = i % 30 == 29 ? 64 * KiB + (size_t)i : (size_t)(rnd() % 60000);
    live[i].p = halloc(h, size, i % 3 ? 16 : 64);
    assert_non_null(live[i].p);
    live[i].usable = lc_heap_payload_size(live[i].p);
    live[i].pat = (unsigned char)i;
  }
  assert_true(h->nextents >= 3);                  // ~9 MB of extent chunks, extents of 1 MiB and up
  assert_true(h->stats.large_count >= 9);
  expect_walk_matches(h, live, N);
  for (int i = 0; i < N; i++)
    if (rnd() % 3 == 0) { hfree(h, live[i].p); live[i].p = NULL; }
  expect_walk_matches(h, live, N);
  for (int i = 0; i < N; i++) if (live[i].p) { hfree(h, live[i].p); live[i].p = NULL; }
  expect_walk_matches(h, live, N);
  heap_destroy(h);
}

// Chunks of at least mmap_threshold bytes are mmap'd on their own: fresh zero pages, counted in large_*,
// unmapped when freed; one byte less is an ordinary chunk.
static void test_large_chunks(void **state) {
  (void)state;
  size_t threshold = 128 * KiB;
  lc_heap_t *h = heap_new(threshold);
  unsigned char *small = halloc(h, threshold - 1, 16);
  assert_non_null(small);
  assert_false(lc_heap_is_large(small));
  assert_int_equal(h->stats.large_count, 0);
  size_t in_use = h->stats.in_use_bytes;
  unsigned char *l[4];
  const size_t sizes[4] = { threshold, threshold + 1, 1 * MiB, 5 * MiB + 3 };
  for (int i = 0; i < 4; i++) {
    l[i] = halloc(h, sizes[i], 16);
    assert_non_null(l[i]);
    assert_true(lc_heap_is_large(l[i]));
    assert_int_equal((uintptr_t)l[i] % 16, 0);
    size_t u = lc_heap_payload_size(l[i]);
    assert_true(u >= sizes[i]);
    assert_true(u < sizes[i] + 4096 + 16);
    for (size_t k = 0; k < u; k++) if (l[i][k]) fail_msg("large chunk %d byte %zu not zero", i, k);
    memset(l[i], 0x5A, u);
    assert_int_equal(h->stats.large_count, (size_t)i + 1);
    assert_true(h->stats.large_bytes >= u);
    assert_int_equal(extent_of(h, l[i]), -1);
  }
  assert_int_equal(h->stats.in_use_bytes, in_use);    // large chunks are counted in large_*, not in in_use
  // In-place resize of a large chunk: yes within its mapping (down to half the threshold), no beyond; shrunk,
  // it gives its tail pages back and its payload size follows.
  size_t u0 = lc_heap_payload_size(l[0]);
  assert_true(hresize(h, l[0], u0));
  assert_int_equal(lc_heap_payload_size(l[0]), u0);
  assert_true(hresize(h, l[0], threshold / 2));
  size_t u1 = lc_heap_payload_size(l[0]);
  assert_true(u1 >= threshold / 2 && u1 < threshold / 2 + 4096);
  assert_true(page_mapped(l[0] + u1 - 1));
  assert_false(page_mapped(l[0] + u1 + 4096));
  assert_false(hresize(h, l[0], threshold / 2 - 1));
  assert_false(hresize(h, l[0], u1 + 1));
  assert_false(hresize(h, l[0], u0));
  for (int i = 0; i < 4; i++) {
    hfree(h, l[i]);
    assert_false(page_mapped(l[i]));
    assert_int_equal(h->stats.large_count, 3 - (size_t)i);
  }
  assert_int_equal(h->stats.large_bytes, 0);
  assert_true(page_mapped(small));
  hfree(h, small);
  heap_destroy(h);
}

// lc_heap_resize_locked: grows into the top, into a free neighbour (all of it, or a part with the rest left
// free and usable), refuses when the neighbour is in use or the size reaches the mmap threshold, shrinks with
// the tail given back; contents kept, stats exact.
static void test_resize(void **state) {
  (void)state;
  lc_heap_t *h = heap_new(256 * KiB);
  live_t live[6] = { { 0 } };
  // Into the top.
  live[0].p = halloc(h, 100, 16);
  live[0].usable = lc_heap_payload_size(live[0].p);
  live[0].pat = 0x11;
  fill(&live[0]);
  assert_true(hresize(h, live[0].p, 5000));
  assert_true(lc_heap_payload_size(live[0].p) >= 5000);
  expect_intact(&live[0]);
  live[0].usable = lc_heap_payload_size(live[0].p);
  fill(&live[0]);
  assert_ptr_equal((void *)h->top, live[0].p + live[0].usable);
  expect_walk_matches(h, live, 6);
  // Into a free neighbour: all of it.
  live[1].p = halloc(h, 3000, 16); live[1].usable = lc_heap_payload_size(live[1].p); live[1].pat = 0x22;
  live[2].p = halloc(h, 64, 16);   live[2].usable = lc_heap_payload_size(live[2].p); live[2].pat = 0x33;
  fill(&live[1]); fill(&live[2]);
  size_t b_chunk = live[1].usable + LC_CHUNK_OVERHEAD;
  unsigned char *b = live[1].p;
  hfree(h, b);
  live[1].p = NULL;
  size_t before = live[0].usable;
  assert_true(hresize(h, live[0].p, before + b_chunk));
  assert_int_equal(lc_heap_payload_size(live[0].p), before + b_chunk);
  expect_intact(&live[0]);
  expect_intact(&live[2]);
  live[0].usable = before + b_chunk;
  fill(&live[0]);
  expect_walk_matches(h, live, 6);
  // Neighbour in use: no, and nothing changes.
  assert_false(hresize(h, live[0].p, live[0].usable + 16));
  assert_int_equal(lc_heap_payload_size(live[0].p), live[0].usable);
  expect_intact(&live[2]);
  // Into a free neighbour: part of it; the rest stays a free chunk that the next allocation gets.
  live[3].p = halloc(h, 8000, 16); live[3].usable = lc_heap_payload_size(live[3].p); live[3].pat = 0x44;
  live[4].p = halloc(h, 64, 16);   live[4].usable = lc_heap_payload_size(live[4].p); live[4].pat = 0x55;
  fill(&live[3]); fill(&live[4]);
  unsigned char *d = live[3].p;
  size_t d_chunk = live[3].usable + LC_CHUNK_OVERHEAD;
  hfree(h, d);
  live[3].p = NULL;
  before = live[2].usable;
  assert_true(hresize(h, live[2].p, before + 1000));
  size_t grown = lc_heap_payload_size(live[2].p);
  assert_true(grown >= before + 1000 && grown < before + 1000 + 48);
  expect_intact(&live[2]);
  live[2].usable = grown;
  fill(&live[2]);
  expect_intact(&live[4]);
  size_t rest = before + LC_CHUNK_OVERHEAD + d_chunk - (grown + LC_CHUNK_OVERHEAD);
  live[5].p = halloc(h, rest - LC_CHUNK_OVERHEAD, 16);
  assert_ptr_equal(live[5].p, live[2].p + grown + LC_CHUNK_OVERHEAD);
  live[5].usable = lc_heap_payload_size(live[5].p); live[5].pat = 0x66;
  fill(&live[5]);
  expect_intact(&live[4]);
  expect_walk_matches(h, live, 6);
  // Shrink: the tail comes back as a free chunk right after.
  before = live[0].usable;
  assert_true(hresize(h, live[0].p, 100));
  size_t shrunk = lc_heap_payload_size(live[0].p);
  assert_true(shrunk >= 100 && shrunk < 100 + 48);
  live[0].usable = shrunk;
  expect_intact(&live[0]);
  expect_intact(&live[2]);
  expect_walk_matches(h, live, 6);
  void *tail = halloc(h, before - shrunk - LC_CHUNK_OVERHEAD, 16);   // exactly the freed tail
  assert_ptr_equal(tail, live[0].p + shrunk + LC_CHUNK_OVERHEAD);
  hfree(h, tail);
  // Shrink by less than a minimal chunk: allowed, nothing split off.
  assert_true(hresize(h, live[2].p, live[2].usable - 8));
  assert_int_equal(lc_heap_payload_size(live[2].p), live[2].usable);
  // Never to the mmap threshold or beyond: that is a large chunk's business.
  assert_ptr_equal(live[4].p + live[4].usable, (void *)h->top);      // the top holds more than that
  assert_true(h->top_end - h->top > 256 * KiB + 64);
  assert_false(hresize(h, live[4].p, 256 * KiB));
  assert_int_equal(lc_heap_payload_size(live[4].p), live[4].usable);
  assert_true(hresize(h, live[4].p, 256 * KiB - 1));
  live[4].usable = lc_heap_payload_size(live[4].p);
  assert_true(live[4].usable >= 256 * KiB - 1);
  fill(&live[4]);
  expect_walk_matches(h, live, 6);
  for (int i = 0; i < 6; i++) if (live[i].p) { expect_intact(&live[i]); hfree(h, live[i].p); live[i].p = NULL; }
  assert_int_equal(h->stats.in_use_bytes, 0);
  heap_destroy(h);
  // The chunk before the top grows up to what the extent holds less its fence; not one granule more. (A
  // threshold above the extent size, so the threshold does not say no first.)
  h = heap_new(4 * MiB);
  live[0].p = halloc(h, 64, 16); live[0].usable = lc_heap_payload_size(live[0].p); live[0].pat = 0x77;
  live[1].p = halloc(h, 64, 16); live[1].usable = lc_heap_payload_size(live[1].p); live[1].pat = 0x88;
  fill(&live[0]); fill(&live[1]);
  unsigned char *last = live[1].p;
  assert_ptr_equal(last + live[1].usable, (void *)h->top);
  size_t room = h->top_end - (uintptr_t)last;                 // from its payload to the extent's end
  assert_true(room < 4 * MiB);
  assert_false(hresize(h, last, room - 15));
  assert_int_equal(lc_heap_payload_size(last), live[1].usable);
  expect_intact(&live[1]);
  assert_true(hresize(h, last, room - 16));
  assert_int_equal(lc_heap_payload_size(last), room - 16);
  assert_int_equal(h->top, h->top_end - 16);
  expect_intact(&live[1]);
  live[1].usable = room - 16;
  fill(&live[1]);
  expect_intact(&live[0]);
  for (int i = 2; i < 6; i++) live[i].p = NULL;
  expect_walk_matches(h, live, 6);
  for (int i = 0; i < 6; i++) if (live[i].p) { expect_intact(&live[i]); hfree(h, live[i].p); live[i].p = NULL; }
  assert_int_equal(h->stats.in_use_bytes, 0);
  heap_destroy(h);
}

// in_use_bytes and peak_in_use_bytes follow every alloc, free and resize exactly.
static void test_stats(void **state) {
  (void)state;
  lc_heap_t *h = heap_new(64 * KiB);
  assert_int_equal(h->stats.in_use_bytes, 0);
  char *a = halloc(h, 1000, 16);
  size_t ca = lc_heap_payload_size(a) + LC_CHUNK_OVERHEAD;
  assert_int_equal(h->stats.in_use_bytes, ca);
  char *b = halloc(h, 100, 512);
  size_t cb = lc_heap_payload_size(b) + LC_CHUNK_OVERHEAD;
  assert_int_equal(h->stats.in_use_bytes, ca + cb);
  assert_int_equal(h->stats.peak_in_use_bytes, ca + cb);
  hfree(h, a);
  assert_int_equal(h->stats.in_use_bytes, cb);
  assert_int_equal(h->stats.peak_in_use_bytes, ca + cb);
  assert_true(hresize(h, b, 3000));
  cb = lc_heap_payload_size(b) + LC_CHUNK_OVERHEAD;
  assert_int_equal(h->stats.in_use_bytes, cb);
  assert_true(hresize(h, b, 10));
  cb = lc_heap_payload_size(b) + LC_CHUNK_OVERHEAD;
  assert_int_equal(h->stats.in_use_bytes, cb);
  char *l = halloc(h, 100 * KiB, 16);
  assert_int_equal(h->stats.in_use_bytes, cb);
  assert_int_equal(h->stats.large_count, 1);
  assert_true(h->stats.large_bytes >= 100 * KiB + LC_CHUNK_OVERHEAD);
  hfree(h, l);
  assert_int_equal(h->stats.large_count, 0);
  assert_int_equal(h->stats.large_bytes, 0);
  hfree(h, b);
  assert_int_equal(h->stats.in_use_bytes, 0);
  assert_int_equal(h->stats.sbrk_calls, 0);                 // mmap only
  assert_int_equal(h->stats.brk_bytes, 0);
  assert_true(h->stats.mmap_extent_bytes >= 1 * MiB);
  heap_destroy(h);
}

/* ---- the validator against deliberate corruption ---- */

static lc_chunk_t *chunk(void *payload) { return (lc_chunk_t *)((char *)payload - LC_CHUNK_OVERHEAD); }
static size_t chunk_size(const lc_chunk_t *c) { return c->head & ~(size_t)LC_FLAGS; }

// The bin whose circle holds c (its sentinel is the one link that points into h->bins).
static int bin_of(lc_heap_t *h, lc_chunk_t *c) {
  for (lc_chunk_t *x = c->fd; x != c; x = x->fd)
    if ((uintptr_t)x >= (uintptr_t)&h->bins[0] && (uintptr_t)x < (uintptr_t)&h->bins[LC_NBINS]) return (int)(x - h->bins);
  return -1;
}
static void unlink_chunk(lc_chunk_t *c) { c->fd->bk = c->bk; c->bk->fd = c->fd; }
static void link_after(lc_chunk_t *s, lc_chunk_t *c) { c->fd = s->fd; c->bk = s; s->fd->bk = c; s->fd = c; }
static int binmap_bit(lc_heap_t *h, int i) { return (int)((h->binmap[i >> 6] >> (i & 63)) & 1); }
static void flip_binmap(lc_heap_t *h, int i) { h->binmap[i >> 6] ^= 1ull << (i & 63); }

// A heap laid out as  g0 A B C D E F2 F | top:  A, C (two chunks of one small class) and E (a ranged class) free,
// each between chunks in use.
typedef struct layout_s { lc_heap_t *h; char *g0, *a, *b, *c, *d, *e, *f2, *f; } layout_t;

static layout_t layout(void) {
  layout_t l = { .h = heap_new(1 * MiB) };
  lc_heap_t *h = l.h;
  l.g0 = halloc(h, 40, 16); l.a = halloc(h, 200, 16); l.b = halloc(h, 100, 16); l.c = halloc(h, 200, 16);
  l.d = halloc(h, 100, 16); l.e = halloc(h, 3000, 16); l.f2 = halloc(h, 40, 16); l.f = halloc(h, 40, 16);
  char *order[] = { l.g0, l.a, l.b, l.c, l.d, l.e, l.f2, l.f };
  for (int i = 0; i + 1 < 8; i++)                               // fresh heap: carved from the top, in order
    assert_ptr_equal(order[i] + lc_heap_payload_size(order[i]) + LC_CHUNK_OVERHEAD, order[i + 1]);
  assert_ptr_equal((void *)h->top, l.f + lc_heap_payload_size(l.f));
  hfree(h, l.a); hfree(h, l.c); hfree(h, l.e);
  expect_valid(h);
  assert_int_equal(bin_of(h, chunk(l.a)), bin_of(h, chunk(l.c)));
  assert_true(bin_of(h, chunk(l.e)) > bin_of(h, chunk(l.a)));
  return l;
}

// No two free chunks side by side: B marked free between free A and C.
static void test_validate_adjacent_free(void **state) {
  (void)state;
  layout_t l = layout();
  chunk(l.b)->head &= ~(size_t)LC_CINUSE;
  expect_fault(l.h, LC_HEAP_ADJACENT_FREE, chunk(l.b));
  chunk(l.b)->head |= LC_CINUSE;
  expect_valid(l.h);
  heap_destroy(l.h);
}

// prev_foot must be the size of the free chunk before; PINUSE must say whether the chunk before is in use.
static void test_validate_prev_foot_and_pinuse(void **state) {
  (void)state;
  layout_t l = layout();
  lc_chunk_t *b = chunk(l.b), *d = chunk(l.d), *f = chunk(l.f);
  assert_int_equal(b->prev_foot, chunk_size(chunk(l.a)));
  b->prev_foot += 16;
  expect_fault(l.h, LC_HEAP_BAD_PREV_FOOT, b);
  b->prev_foot -= 16;
  expect_valid(l.h);
  d->prev_foot = 0;
  expect_fault(l.h, LC_HEAP_BAD_PREV_FOOT, d);
  d->prev_foot = chunk_size(chunk(l.c));
  expect_valid(l.h);
  f->prev_foot = 12345;                                       // after a chunk in use: prev_foot means nothing
  expect_valid(l.h);
  b->head |= LC_PINUSE;                                       // says A is in use
  expect_fault(l.h, LC_HEAP_BAD_PINUSE, b);
  b->head &= ~(size_t)LC_PINUSE;
  f->head &= ~(size_t)LC_PINUSE;                              // says F2 is free
  expect_fault(l.h, LC_HEAP_BAD_PINUSE, f);
  f->head |= LC_PINUSE;
  chunk(l.g0)->head &= ~(size_t)LC_PINUSE;                    // the first chunk of the extent has nothing before
  expect_fault(l.h, LC_HEAP_BAD_PINUSE, chunk(l.g0));
  chunk(l.g0)->head |= LC_PINUSE;
  expect_valid(l.h);
  heap_destroy(l.h);
}

// Every free chunk on the bin of its size class: C moved, well linked, onto E's bin (the binmap kept right).
static void test_validate_wrong_bin(void **state) {
  (void)state;
  layout_t l = layout();
  lc_heap_t *h = l.h;
  lc_chunk_t *c = chunk(l.c);
  int home = bin_of(h, c), other = bin_of(h, chunk(l.e));
  unlink_chunk(c);
  link_after(&h->bins[other], c);
  expect_fault(h, LC_HEAP_WRONG_BIN, c);
  lc_heap_violation_t v;
  validate(h, &v);
  assert_int_equal(v.found, other);
  assert_int_equal(v.expected, home);
  unlink_chunk(c);
  link_after(&h->bins[home], c);
  expect_valid(h);
  // On no bin at all (a circle of its own): the counts differ, and the chunk is named.
  unlink_chunk(c);
  c->fd = c->bk = c;
  expect_fault(h, LC_HEAP_NOT_IN_BIN, c);
  link_after(&h->bins[home], c);
  expect_valid(h);
  // A chunk in use on a bin.
  lc_chunk_t *b = chunk(l.b);
  link_after(&h->bins[home], b);
  expect_fault(h, LC_HEAP_BAD_BIN_ENTRY, b);
  unlink_chunk(b);
  expect_valid(h);
  heap_destroy(h);
}

// fd->bk == c and bk->fd == c for every free chunk; links never lead out of the heap (and are not followed there).
static void test_validate_broken_links(void **state) {
  (void)state;
  layout_t l = layout();
  lc_heap_t *h = l.h;
  lc_chunk_t *e = chunk(l.e), *c = chunk(l.c);
  int empty = -1;
  for (int i = 0; i < LC_NBINS && empty < 0; i++) if (h->bins[i].fd == &h->bins[i]) empty = i;
  assert_true(empty >= 0);
  lc_chunk_t *bk = e->bk, *fd = e->fd;
  e->bk = &h->bins[empty];                                   // E is alone on its bin: only its own bk is wrong
  expect_fault(h, LC_HEAP_BAD_LINK, e);
  e->bk = bk;
  expect_valid(h);
  e->fd = (lc_chunk_t *)(uintptr_t)0x10;                     // would fault if followed
  expect_fault(h, LC_HEAP_BAD_LINK, e);
  e->fd = (lc_chunk_t *)&h;                                  // the test's stack: not the heap's either
  expect_fault(h, LC_HEAP_BAD_LINK, e);
  e->fd = fd;
  expect_valid(h);
  // A bin's circle that skips a chunk: the sentinel of E's bin no longer leads to E.
  int eb = bin_of(h, e);
  h->bins[eb].fd = &h->bins[eb];
  expect_fault(h, LC_HEAP_BAD_LINK, e);
  h->bins[eb].fd = e;
  expect_valid(h);
  // C's bk says its bin's sentinel comes before it, and the sentinel's list says otherwise.
  lc_chunk_t *cbk = c->bk;
  c->bk = c->bk == &h->bins[bin_of(h, c)] ? chunk(l.a) : &h->bins[bin_of(h, c)];
  lc_heap_violation_t v;
  assert_int_equal(validate(h, &v), LC_HEAP_BAD_LINK);
  c->bk = cbk;
  expect_valid(h);
  heap_destroy(h);
}

// binmap bit i set <=> bins[i] non-empty, both ways.
static void test_validate_binmap(void **state) {
  (void)state;
  layout_t l = layout();
  lc_heap_t *h = l.h;
  int full = bin_of(h, chunk(l.e)), empty = -1;
  for (int i = LC_NBINS - 1; i >= 0 && empty < 0; i--) if (h->bins[i].fd == &h->bins[i]) empty = i;
  assert_true(empty >= 0);
  assert_int_equal(binmap_bit(h, full), 1);
  assert_int_equal(binmap_bit(h, empty), 0);
  flip_binmap(h, full);
  expect_fault(h, LC_HEAP_BAD_BINMAP, &h->bins[full]);
  flip_binmap(h, full);
  flip_binmap(h, empty);
  expect_fault(h, LC_HEAP_BAD_BINMAP, &h->bins[empty]);
  flip_binmap(h, empty);
  expect_valid(h);
  heap_destroy(h);
}

// Tiling, the chunk before top, fences, tags: a tag after a free chunk is the heap's fault; one after a chunk in
// use (where the program's overflow lands) is reported as overwritten, and only when nothing else is wrong.
static void test_validate_tags_and_tiling(void **state) {
  (void)state;
  layout_t l = layout();
  lc_heap_t *h = l.h;
  lc_chunk_t *b = chunk(l.b), *f = chunk(l.f);
  size_t saved = b->head;
  // B (in use) now runs 32 bytes into C: the walk stops at the zeros it finds there (as at an overwritten tag),
  // but C, still on its bin, lies where the walk went: no chunk of the heap starts there.
  b->head += 32;
  expect_fault(h, LC_HEAP_BAD_BIN_ENTRY, chunk(l.c));
  b->head = saved;
  b->head = (size_t)0x7f7f7f7f7f7f7f7full;                    // after free A: the heap's own fault
  expect_fault(h, LC_HEAP_BAD_TAG, b);
  b->head = saved;
  expect_valid(h);
  saved = f->head;
  f->head = (size_t)0x7f7f7f7f7f7f7f7full;                    // after F2, in use: an overflow of F2's block
  expect_fault(h, LC_HEAP_TAG_OVERWRITTEN, f);
  flip_binmap(h, 0);                                          // and a fault of the heap's own comes first
  expect_fault(h, LC_HEAP_BAD_BINMAP, &h->bins[0]);
  flip_binmap(h, 0);
  f->head = saved;
  expect_valid(h);
  // The last chunk before top marked free (linked to itself, so its links are fine): it should be top.
  f->head &= ~(size_t)LC_CINUSE;
  lc_chunk_t *fd = f->fd, *bk = f->bk;
  f->fd = f->bk = f;
  expect_fault(h, LC_HEAP_FREE_BEFORE_TOP, f);
  f->head |= LC_CINUSE;
  f->fd = fd; f->bk = bk;
  expect_valid(h);
  // top moved by 16 bytes: the chunks no longer tile [base, top).
  h->top += 16;
  expect_fault(h, LC_HEAP_TAG_OVERWRITTEN, (void *)(h->top - 16));
  h->top -= 16;
  h->top += 8;
  expect_fault(h, LC_HEAP_BAD_EXTENT, &h->extents[0]);
  h->top -= 8;
  expect_valid(h);
  heap_destroy(h);
}

// The counters that can be recomputed from the structures: in_use_bytes, peak, large_count, large_bytes.
static void test_validate_stats_and_large(void **state) {
  (void)state;
  layout_t l = layout();
  lc_heap_t *h = l.h;
  char *big1 = halloc(h, 2 * MiB, 16), *big2 = halloc(h, 3 * MiB, 16);
  assert_true(lc_heap_is_large(big1) && lc_heap_is_large(big2));
  expect_valid(h);
  h->stats.in_use_bytes += 16;
  expect_fault(h, LC_HEAP_BAD_STATS, &h->stats.in_use_bytes);
  h->stats.in_use_bytes -= 16;
  h->stats.peak_in_use_bytes = h->stats.in_use_bytes - 16;
  expect_fault(h, LC_HEAP_BAD_STATS, &h->stats.peak_in_use_bytes);
  h->stats.peak_in_use_bytes = h->stats.in_use_bytes;
  h->stats.large_bytes -= 4096;
  expect_fault(h, LC_HEAP_BAD_STATS, &h->stats.large_bytes);
  h->stats.large_bytes += 4096;
  expect_valid(h);
  assert_int_equal(h->nlarge, 2);
  lc_large_t t = h->large[0];
  h->large[0] = h->large[1]; h->large[1] = t;
  expect_fault(h, LC_HEAP_BAD_LARGE, &h->large[1]);
  t = h->large[0]; h->large[0] = h->large[1]; h->large[1] = t;
  expect_valid(h);
  lc_chunk_t *c1 = chunk(big1);
  size_t foot = c1->prev_foot;
  c1->prev_foot = 0x4242;                                     // an underflow of the large block
  expect_fault(h, LC_HEAP_TAG_OVERWRITTEN, c1);
  c1->prev_foot = foot;
  expect_valid(h);
  hfree(h, big1);
  hfree(h, big2);
  expect_valid(h);
  heap_destroy(h);
}

// At LC_DEBUG >= 2 the heap validates itself from its own operations: a heap broken behind its back stops the
// process within LC_HEAP_XCHECK_EVERY operations, with the validator's words. (Runs in a child.)
#if LC_DEBUG >= 2
static void child_broken_heap_stops(void) {
  layout_t l = layout();
  lc_heap_t *h = l.h;
  int empty = -1;
  for (int i = LC_NBINS - 1; i >= 0 && empty < 0; i--) if (h->bins[i].fd == &h->bins[i]) empty = i;
  flip_binmap(h, empty);
  for (int i = 0; i < 1000; i++) hfree(h, halloc(h, 64, 16));
  _exit(0);                                                   // not stopped: the test fails on the exit status
}
#endif

static void test_validate_from_the_allocator(void **state) {
  (void)state;
#if LC_DEBUG >= 2
  fflush(NULL);
  int errp[2];
  assert_int_equal(pipe(errp), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGABRT, SIG_DFL);
    dup2(errp[1], 2);
    child_broken_heap_stops();
  }
  close(errp[1]);
  char buf[1024];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof buf - 1 && (r = read(errp[0], buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)r;
  buf[n] = 0;
  close(errp[0]);
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) fail_msg("child not stopped by the validator: %s", buf);
  if (!strstr(buf, "binmap bit differs from whether the bin is empty")) fail_msg("unexpected message: %s", buf);
#else
  skip();                                                     // the release and level-1 builds do not run it
#endif
}

/* ---- damage: safe unlinking and the checked thread cache ---- */

// The damage the heap recorded since the last call, and the chunks it retired (the hook's calls).
static lc_heap_damage_t got[LC_HEAP_DAMAGE_MAX];
static int ngot;
static void *retired_seen[64];
static int nretired;
static void on_retired(void *payload, size_t payload_size) {
  (void)payload_size;
  if (nretired < 64) retired_seen[nretired++] = payload;
}
static void take_damage(void) { ngot = lc_heap_take_damage(got, LC_HEAP_DAMAGE_MAX); }
static int was_retired(const void *payload) {
  for (int i = 0; i < nretired; i++) if (retired_seen[i] == payload) return 1;
  return 0;
}
static void hooks_on(void) {
  lc_heap_set_hooks(&(lc_heap_hooks_t){ .retired = on_retired });
  nretired = 0;
  take_damage();
  ngot = 0;
}

// What an unchecked unlink would write to: fd->bk and bk->fd land in these.
static struct { lc_chunk_t fd_target, bk_target; uint64_t canary[4]; } wild;

static void expect_wild_untouched(void) {
  static const unsigned char zero[sizeof wild];
  assert_memory_equal(&wild, zero, sizeof wild);
}

// Safe unlinking: C (the first chunk of its bin) gets links that an unchecked unlink would follow into the program's
// memory. Taking it is refused and said once, at C's link; the bin is retired (A and C kept in use, never handed
// out), nothing outside the heap is written, and the allocation is served from elsewhere.
static void test_unlink_refuses_forged_links(void **state) {
  (void)state;
  hooks_on();
  layout_t l = layout();
  lc_heap_t *h = l.h;
  lc_chunk_t *a = chunk(l.a), *c = chunk(l.c);
  memset(&wild, 0, sizeof wild);
  c->fd = &wild.fd_target;
  c->bk = &wild.bk_target;
  char *p = halloc(h, 200, 16);
  assert_non_null(p);
  assert_true(p != l.a && p != l.c);
  expect_wild_untouched();
  take_damage();
  assert_int_equal(ngot, 1);
  assert_ptr_equal((void *)got[0].addr, &c->fd);
  assert_ptr_equal((void *)got[0].chunk, c);
  assert_non_null(got[0].what);
  assert_true(was_retired(l.a) && was_retired(l.c));
  assert_true((a->head & LC_CINUSE) && (c->head & LC_CINUSE));
  expect_valid(h);                                            // the heap goes on: it is whole without them
  // Met again (the same chunk's damage) nothing more is said.
  hfree(h, p);
  p = halloc(h, 200, 16);
  take_damage();
  assert_int_equal(ngot, 0);
  assert_true(p != l.a && p != l.c);
  hfree(h, p);
  expect_valid(h);
  heap_destroy(h);
}

// Each check of a chunk taken from a bin: its tag must say free, its size be of the bin's class, the chunk after it
// must record it as free, and its links must lead back to it (fd->bk == c, bk->fd == c).
static void test_unlink_checks_each_word(void **state) {
  (void)state;
  for (int k = 0; k < 4; k++) {
    hooks_on();
    layout_t l = layout();
    lc_heap_t *h = l.h;
    lc_chunk_t *c = chunk(l.c), *d = chunk(l.d), *a = chunk(l.a);
    uintptr_t where = 0;
    switch (k) {
    case 0: c->head |= LC_CINUSE; where = (uintptr_t)c; break;              // tag says in use
    case 1: c->head += 16; where = (uintptr_t)c; break;                      // 224 -> 240: another class
    case 2: d->prev_foot += 16; where = (uintptr_t)d; break;                 // the next chunk disagrees
    default: c->bk = a; where = (uintptr_t)&c->fd; break;                    // bk->fd is not C
    }
    char *p = halloc(h, 200, 16);
    assert_non_null(p);
    assert_true(p != l.c);
    take_damage();
    if (ngot != 1 || got[0].addr != where)
      fail_msg("case %d: %d damage(s), the first at %#lx, expected one at %#lx", k, ngot,
               ngot ? (unsigned long)got[0].addr : 0ul, (unsigned long)where);
    hfree(h, p);
    heap_destroy(h);
  }
}

// Merging with a damaged neighbour: freeing D, whose free neighbour E has forged links, is refused (D stays in use,
// retired, nothing written through E's links), and so is freeing F2 after E's prev_foot record (F2's) was bent to
// point elsewhere.
static void test_merge_refuses_damaged_neighbour(void **state) {
  (void)state;
  hooks_on();
  layout_t l = layout();
  lc_heap_t *h = l.h;
  lc_chunk_t *e = chunk(l.e);
  memset(&wild, 0, sizeof wild);
  e->fd = &wild.fd_target;
  e->bk = &wild.bk_target;
  size_t in_use = h->stats.in_use_bytes;
  hfree(h, l.d);
  expect_wild_untouched();
  take_damage();
  assert_int_equal(ngot, 1);
  assert_ptr_equal((void *)got[0].chunk, e);
  assert_true(was_retired(l.d));
  assert_true(chunk(l.d)->head & LC_CINUSE);                  // never freed
  assert_true(h->stats.in_use_bytes >= in_use);
  assert_true(h->stats.retired_chunks >= 2);
  expect_valid(h);
  heap_destroy(h);
  // F2's tag says the chunk before it is free and 64 bytes long: no such chunk, the free is refused.
  hooks_on();
  l = layout();
  h = l.h;
  lc_chunk_t *f = chunk(l.f);
  f->head &= ~(size_t)LC_PINUSE;
  f->prev_foot = 64;
  hfree(h, l.f);
  take_damage();
  assert_int_equal(ngot, 1);
  assert_true(chunk(l.f)->head & LC_CINUSE);
  assert_ptr_equal(h->bins[bin_of(h, chunk(l.a))].fd->fd->bk, h->bins[bin_of(h, chunk(l.a))].fd);   // A and C intact
  heap_destroy(h);
}

// A ranged bin's first-fit walk follows no link that leads out of the heap.
static void test_ranged_walk_stays_in_heap(void **state) {
  (void)state;
  hooks_on();
  layout_t l = layout();
  lc_heap_t *h = l.h;
  lc_chunk_t *e = chunk(l.e);
  e->fd = (lc_chunk_t *)(uintptr_t)0x10;                     // would fault if followed
  char *p = halloc(h, 2900, 16);                             // E's bin, not E's size: the walk looks past E
  assert_non_null(p);
  take_damage();
  assert_true(ngot >= 1);
  expect_valid(h);
  heap_destroy(h);
}

// The validator's violations, repaired: the bin or the chunk it names is retired, so the next validation passes;
// the same violation is news only once.
static void test_repair_after_violation(void **state) {
  (void)state;
  hooks_on();
  layout_t l = layout();
  lc_heap_t *h = l.h;
  lc_chunk_t *c = chunk(l.c);
  c->bk = (lc_chunk_t *)&wild;                               // out of the heap
  lc_heap_violation_t v;
  assert_int_equal(validate(h, &v), LC_HEAP_BAD_LINK);
  assert_true(v.bin >= 0);
  lc_lock(&h->lock);
  assert_int_equal(lc_heap_repair_locked(h, &v), 1);
  lc_unlock(&h->lock);
  expect_valid(h);
  lc_lock(&h->lock);
  assert_int_equal(lc_heap_repair_locked(h, &v), 0);          // said already
  lc_unlock(&h->lock);
  // A PINUSE bit flipped: set right from what the chunk before is.
  chunk(l.b)->head &= ~(size_t)LC_PINUSE;                     // says A is free: A is retired, in use
  assert_int_equal(validate(h, &v), LC_HEAP_BAD_PINUSE);
  lc_lock(&h->lock);
  lc_heap_repair_locked(h, &v);
  lc_unlock(&h->lock);
  expect_valid(h);
  heap_destroy(h);
}

/* The thread cache (user heap only): links encoded and checked. A private mmap-only setup of lc_user_heap. */

static void user_heap_once(void) {
  static int done;
  if (!done) lc_heap_setup(&lc_user_heap, "user", 0, 1 * MiB, 0);
  done = 1;
}

static void *ualloc(size_t size) {
  size_t ps;
  void *p = lc_heap_alloc(&lc_user_heap, size, 16, &ps);
  assert_non_null(p);
  return p;
}

static uintptr_t *link_slot(void *payload) {
  return (uintptr_t *)((char *)payload + lc_heap_payload_size(payload) - sizeof(uintptr_t));
}

// Four chunks of one class, a guard so none sits below the top; q and r cached (r the newest). Returns the guard.
static void *cached_pair(size_t size, void **q, void **r) {
  user_heap_once();
  lc_heap_trim(&lc_user_heap, 0);                             // empties this thread's cache
  *q = ualloc(size);
  *r = ualloc(size);
  void *guard = ualloc(size);
  lc_heap_free(&lc_user_heap, *q);
  lc_heap_free(&lc_user_heap, *r);
  return guard;
}

// A cached chunk keeps its tag and first 24 payload bytes; its link is its payload's last word, neither the next
// chunk's address nor readable without the key, and bound to where it is stored: the same word moved to another
// chunk does not decode. Popped in order, the list gives its chunks back and says nothing.
static void test_cache_link_encoding(void **state) {
  (void)state;
  hooks_on();
  void *q, *r;
  void *guard = cached_pair(100, &q, &r);
  assert_true(*link_slot(r) != (uintptr_t)q && *link_slot(r) != 0);
  assert_true(*link_slot(q) != 0);                            // NULL, encoded
  assert_ptr_equal(ualloc(100), r);
  assert_ptr_equal(ualloc(100), q);
  take_damage();
  assert_int_equal(ngot, 0);
  lc_heap_free(&lc_user_heap, q);
  lc_heap_free(&lc_user_heap, r);
  lc_heap_free(&lc_user_heap, guard);
  // The smallest class (48-byte chunks) has its link alone: moving q's word (NULL, encoded at q) into r breaks the
  // list, which is dropped, said at r's link, and the allocation served elsewhere.
  guard = cached_pair(20, &q, &r);
  assert_int_equal(lc_heap_payload_size(r), 32);
  *link_slot(r) = *link_slot(q);
  void *p = ualloc(20);
  assert_true(p != r && p != q);
  take_damage();
  assert_int_equal(ngot, 1);
  assert_ptr_equal((void *)got[0].addr, link_slot(r));
  assert_ptr_equal((void *)got[0].chunk, chunk(r));
  assert_true(was_retired(r));
  // A plain pointer written there (what a program's write would leave) is refused the same way.
  lc_heap_free(&lc_user_heap, p);
  guard = cached_pair(20, &q, &r);
  memset(&wild, 0, sizeof wild);
  *link_slot(r) = (uintptr_t)&wild.canary;
  p = ualloc(20);
  assert_true(p != r);
  p = ualloc(20);
  assert_true((uintptr_t)p < (uintptr_t)&wild || (uintptr_t)p >= (uintptr_t)(&wild + 1));
  expect_wild_untouched();
  take_damage();
  assert_int_equal(ngot, 1);
}

// The check word at p[-8] of the freed block, and the tag: a write to either drops the list before anything of the
// chunk is used.
static void test_cache_check_word_and_tag(void **state) {
  (void)state;
  hooks_on();
  void *q, *r;
  cached_pair(100, &q, &r);
  uint64_t forged = (uint64_t)(uintptr_t)&wild.canary;
  memcpy((char *)r + 24, &forged, 8);                          // p[-8] of the block that was at r + 32
  void *p = ualloc(100);
  assert_true(p != r && p != q);
  take_damage();
  assert_int_equal(ngot, 1);
  assert_ptr_equal((void *)got[0].addr, (char *)r + 24);
  assert_ptr_equal((void *)got[0].chunk, chunk(r));
  lc_heap_free(&lc_user_heap, p);
  cached_pair(100, &q, &r);
  chunk(r)->head = 0x4141414141414141ull;                     // the tag, from the block before's overflow
  p = ualloc(100);
  assert_true(p != r && p != q);
  take_damage();
  assert_int_equal(ngot, 1);
  assert_ptr_equal((void *)got[0].addr, chunk(r));
  assert_false(was_retired(r));                               // its size is not known: nothing of it is touched
}

/* ---- brk heaps, in forked children ---- */

// In the child: no malloc, no stdio buffers; a failed check says why on stderr and exits with its line.
#define CHILD_CHECK(c) \
  do { if (!(c)) { child_fail(__LINE__, #c); } } while (0)
static void child_fail(int line, const char *what) {
  char msg[256];
  int n = snprintf(msg, sizeof msg, "heap_test child: line %d: check failed: %s\n", line, what);
  if (n > 0) { ssize_t w = write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1); (void)w; }
  _exit(line & 0x7f ? line & 0x7f : 1);
}

// The validator passes on the child's brk heap (extents sealed with fences, trimmed tops, rounded brk extents).
#define CHILD_VALID(h) child_valid(h, __LINE__)
static void child_valid(lc_heap_t *h, int line) {
  lc_heap_violation_t v;
  if (lc_heap_validate_locked(h, &v) != LC_HEAP_OK) {
    char msg[256];
    snprintf(msg, sizeof msg, "validator: %s at %#lx (found %#llx, expected %#llx)", v.what, (unsigned long)v.addr,
             (unsigned long long)v.found, (unsigned long long)v.expected);
    child_fail(line, msg);
  }
}

static void run_in_child(void (*fn)(void)) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    // cmocka's handlers would turn a crash into a failed test of the child's own copy of the runner: die of it.
    const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) signal(sigs[i], SIG_DFL);
    fn();
    _exit(0);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (WIFSIGNALED(status)) fail_msg("child killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail_msg("child failed (exit status %d)", WEXITSTATUS(status));
}

static lc_heap_t brk_heap;   // static: the child must not malloc

static void brk_setup(size_t mmap_threshold, size_t trim_threshold) {
  memset(&brk_heap, 0, sizeof brk_heap);
  brk_heap.lock = (lc_lock_t)LC_LOCK_INIT;
  lc_heap_setup(&brk_heap, "brk", 1, mmap_threshold, trim_threshold);
}

static void child_brk_grow_and_trim(void) {
  lc_heap_t *h = &brk_heap;
  brk_setup(1 * MiB, 64 * KiB);
  uintptr_t b0 = (uintptr_t)sbrk(0);
  char *p = lc_heap_alloc_locked(h, 600 * KiB, 16);
  CHILD_CHECK(p != NULL);
  uintptr_t b1 = (uintptr_t)sbrk(0);
  CHILD_CHECK(b1 >= b0 + 600 * KiB);                       // the break moved for the heap
  CHILD_CHECK((uintptr_t)p >= b0 && (uintptr_t)p + 600 * KiB <= b1);
  CHILD_CHECK(h->stats.sbrk_calls >= 1);
  CHILD_CHECK(h->stats.brk_bytes >= 600 * KiB);
  CHILD_CHECK(h->stats.mmap_extent_bytes == 0);
  CHILD_CHECK(lc_heap_contains(h, p) && lc_heap_contains(h, p + 600 * KiB - 1));
  memset(p, 0x77, 600 * KiB);
  char *q = lc_heap_alloc_locked(h, 64, 16);                // small chunks: no sbrk each time
  CHILD_CHECK(q != NULL);
  CHILD_VALID(h);
  lc_heap_free_locked(h, q);
  // Freeing it all leaves a big free top: given back with a negative brk.
  uint64_t trims = h->stats.trims;
  size_t held = h->stats.brk_bytes;
  lc_heap_free_locked(h, p);
  uintptr_t b2 = (uintptr_t)sbrk(0);
  CHILD_CHECK(b2 < b1);
  CHILD_CHECK(b1 - b2 >= 400 * KiB);
  CHILD_CHECK(h->stats.trims == trims + 1);
  CHILD_CHECK(h->stats.brk_bytes == held - (b1 - b2));
  CHILD_CHECK(h->top_end == b2);
  CHILD_VALID(h);
  // And the heap still works, growing the break again.
  p = lc_heap_alloc_locked(h, 800 * KiB, 16);
  CHILD_CHECK(p != NULL);
  CHILD_CHECK((uintptr_t)sbrk(0) > b2);
  memset(p, 0x78, 800 * KiB);
  lc_heap_free_locked(h, p);
  CHILD_CHECK((uintptr_t)sbrk(0) < b1 + 800 * KiB);
  CHILD_VALID(h);
}

static void test_brk_grow_and_trim(void **state) {
  (void)state;
  run_in_child(child_brk_grow_and_trim);
}

// Trimming is off with trim_threshold 0, and a small free top below the threshold stays.
static void child_brk_no_trim(void) {
  lc_heap_t *h = &brk_heap;
  brk_setup(1 * MiB, 0);
  char *p = lc_heap_alloc_locked(h, 600 * KiB, 16);
  CHILD_CHECK(p != NULL);
  uintptr_t b1 = (uintptr_t)sbrk(0);
  lc_heap_free_locked(h, p);
  CHILD_CHECK((uintptr_t)sbrk(0) == b1);
  CHILD_CHECK(h->stats.trims == 0);
}

// lc_heap_trim (malloc_trim): gives the free top back down to `pad` bytes (and the fence), no further; says 0
// when there is nothing to give.
static void child_brk_explicit_trim(void) {
  lc_heap_t *h = &brk_heap;
  brk_setup(1 * MiB, 0);
  char *keep = lc_heap_alloc_locked(h, 100, 16);
  char *p = lc_heap_alloc_locked(h, 700 * KiB, 16);
  CHILD_CHECK(keep != NULL && p != NULL);
  uintptr_t b1 = (uintptr_t)sbrk(0);
  lc_heap_free_locked(h, p);
  CHILD_CHECK((uintptr_t)sbrk(0) == b1);                     // trim_threshold 0: no automatic trim
  CHILD_CHECK(lc_heap_trim(h, 64 * KiB) == 1);
  uintptr_t b2 = (uintptr_t)sbrk(0);
  CHILD_CHECK(b2 < b1);
  CHILD_CHECK(h->top_end == b2);
  CHILD_CHECK(h->top_end - h->top >= 64 * KiB + 16);
  CHILD_CHECK(h->top_end - h->top < 64 * KiB + 16 + 4096);
  CHILD_CHECK(h->stats.trims == 1);
  CHILD_VALID(h);
  CHILD_CHECK(lc_heap_trim(h, 64 * KiB) == 0);               // nothing more to give at that pad
  CHILD_CHECK((uintptr_t)sbrk(0) == b2);
  // A top that is a whole number of pages: all but the fence's room goes, which costs one page.
  size_t rest = h->top_end - h->top;
  char *cut = lc_heap_alloc_locked(h, rest % 4096 + 4096 - LC_CHUNK_OVERHEAD, 16);
  CHILD_CHECK(cut != NULL);
  CHILD_CHECK((h->top_end - h->top) % 4096 == 0);
  CHILD_CHECK(lc_heap_trim(h, 0) == 1);
  CHILD_CHECK(h->top_end - h->top == 4096);
  lc_heap_free_locked(h, cut);
  CHILD_CHECK(lc_heap_trim(h, 0) == 1);
  CHILD_CHECK(h->top_end - h->top >= 16 && h->top_end - h->top < 16 + 4096);
  CHILD_CHECK((uintptr_t)sbrk(0) == h->top_end);
  CHILD_CHECK(lc_heap_trim(h, 0) == 0);
  for (int i = 0; i < 100; i++) keep[i] = (char)i;          // what stayed is still ours
  char *q = lc_heap_alloc_locked(h, 300 * KiB, 16);          // and the heap grows again
  CHILD_CHECK(q != NULL);
  memset(q, 1, 300 * KiB);
  for (int i = 0; i < 100; i++) CHILD_CHECK(keep[i] == (char)i);
  CHILD_VALID(h);
}

static void test_brk_explicit_trim(void **state) {
  (void)state;
  run_in_child(child_brk_explicit_trim);
  // An mmap-only heap has no break to give back.
  lc_heap_t *h = heap_new(1 * MiB);
  void *p = halloc(h, 500 * KiB, 16);
  hfree(h, p);
  assert_int_equal(lc_heap_trim(h, 0), 0);
  heap_destroy(h);
}

static void test_brk_no_trim(void **state) {
  (void)state;
  run_in_child(child_brk_no_trim);
}

// Someone else moved the break (by a page) between two growths, and the request is larger than what the old
// extent still had: the heap starts a new extent and must still serve it (from the break or from mmap).
static void child_brk_foreign_break_large_request(void) {
  lc_heap_t *h = &brk_heap;
  brk_setup(1 * MiB, 0);
  char *a = lc_heap_alloc_locked(h, 500 * KiB, 16);
  CHILD_CHECK(a != NULL);
  lc_heap_free_locked(h, a);                                // the whole extent is free top now (no trim)
  size_t have = h->top_end - h->top;
  CHILD_CHECK(have >= 600 * KiB);
  CHILD_CHECK(sbrk(4096) != (void *)-1);                    // not the heap's
  char *b = lc_heap_alloc_locked(h, 800 * KiB, 16);
  CHILD_CHECK(b != NULL);
  memset(b, 1, 800 * KiB);
  CHILD_VALID(h);
}

static void test_brk_foreign_break_large_request(void **state) {
  (void)state;
  run_in_child(child_brk_foreign_break_large_request);
}

// Someone else moved the break by an amount that is not a multiple of 16: the extents the heap then makes
// must still hold well-formed chunks, every one of them seen by for_each and found by find_chunk.
static live_t child_live[400];
static size_t child_walk_n, child_walk_bad;

static void child_count(void *payload, size_t size, void *arg) {
  (void)arg;
  child_walk_n++;
  int known = 0;
  for (size_t i = 0; i < sizeof child_live / sizeof *child_live; i++)
    if (child_live[i].p == payload && child_live[i].usable == size) known = 1;
  if (!known) child_walk_bad++;
}

static void child_brk_foreign_unaligned_break(void) {
  lc_heap_t *h = &brk_heap;
  brk_setup(1 * MiB, 0);
  size_t n = 0;
  child_live[n].p = lc_heap_alloc_locked(h, 1000, 16);            // extent 0
  CHILD_CHECK(child_live[n].p != NULL);
  n++;
  child_live[n].p = lc_heap_alloc_locked(h, 120 * KiB, 16);       // fills most of it
  CHILD_CHECK(child_live[n].p != NULL);
  n++;
  CHILD_CHECK(h->nextents == 1);
  CHILD_CHECK(sbrk(8) != (void *)-1);                              // foreign, odd
  child_live[n].p = lc_heap_alloc_locked(h, 200 * KiB, 16);       // does not fit extent 0: a new extent
  CHILD_CHECK(child_live[n].p != NULL);
  n++;
  CHILD_CHECK(h->nextents == 2);
  CHILD_CHECK(sbrk(8) != (void *)-1);
  child_live[n].p = lc_heap_alloc_locked(h, 300 * KiB, 16);       // a third extent; the second one is sealed
  CHILD_CHECK(child_live[n].p != NULL);
  n++;
  CHILD_CHECK(h->nextents == 3);
  for (; n < sizeof child_live / sizeof *child_live; n++) {       // these fill the sealed tails first
    child_live[n].p = lc_heap_alloc_locked(h, 1000 + n * 16 % 512, 16);
    CHILD_CHECK(child_live[n].p != NULL);
  }
  for (size_t i = 0; i < n; i++) {
    child_live[i].usable = lc_heap_payload_size(child_live[i].p);
    child_live[i].pat = (unsigned char)(i + 1);
    memset(child_live[i].p, child_live[i].pat, child_live[i].usable);
  }
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < child_live[i].usable; k++) CHILD_CHECK(child_live[i].p[k] == child_live[i].pat);
  lc_heap_for_each_chunk_locked(h, child_count, NULL);
  CHILD_CHECK(child_walk_bad == 0);
  CHILD_CHECK(child_walk_n == n);
  CHILD_VALID(h);                                                  // sealed extents end with their fences
  for (size_t i = 0; i < n; i++) CHILD_CHECK(lc_heap_find_chunk_locked(h, child_live[i].p + 1) == child_live[i].p);
  for (size_t i = 0; i < n; i++) {
    lc_heap_free_locked(h, child_live[i].p);
    if (i % 16 == 0) CHILD_VALID(h);
  }
  CHILD_CHECK(h->stats.in_use_bytes == 0);
  CHILD_VALID(h);
}

static void test_brk_foreign_unaligned_break(void **state) {
  (void)state;
  run_in_child(child_brk_foreign_unaligned_break);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_alloc_free_many_sizes),
    cmocka_unit_test(test_alignment),
    cmocka_unit_test(test_random_no_overlap),
    cmocka_unit_test(test_coalescing),
    cmocka_unit_test(test_split_remainders_coalesce),
    cmocka_unit_test(test_contains),
    cmocka_unit_test(test_find_chunk),
    cmocka_unit_test(test_for_each_visits_live_chunks),
    cmocka_unit_test(test_large_chunks),
    cmocka_unit_test(test_resize),
    cmocka_unit_test(test_stats),
    cmocka_unit_test(test_validate_adjacent_free),
    cmocka_unit_test(test_validate_prev_foot_and_pinuse),
    cmocka_unit_test(test_validate_wrong_bin),
    cmocka_unit_test(test_validate_broken_links),
    cmocka_unit_test(test_validate_binmap),
    cmocka_unit_test(test_validate_tags_and_tiling),
    cmocka_unit_test(test_validate_stats_and_large),
    cmocka_unit_test(test_validate_from_the_allocator),
    cmocka_unit_test(test_unlink_refuses_forged_links),
    cmocka_unit_test(test_unlink_checks_each_word),
    cmocka_unit_test(test_merge_refuses_damaged_neighbour),
    cmocka_unit_test(test_ranged_walk_stays_in_heap),
    cmocka_unit_test(test_repair_after_violation),
    cmocka_unit_test(test_cache_link_encoding),
    cmocka_unit_test(test_cache_check_word_and_tag),
    cmocka_unit_test(test_brk_grow_and_trim),
    cmocka_unit_test(test_brk_no_trim),
    cmocka_unit_test(test_brk_explicit_trim),
    cmocka_unit_test(test_brk_foreign_break_large_request),
    cmocka_unit_test(test_brk_foreign_unaligned_break),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
