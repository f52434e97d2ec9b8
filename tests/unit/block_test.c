/* block_test.c: cmocka tests of libcheck/block.c in plain buffers: payload requests, formatting, the keyed
 * header checksum (every header byte, copies at other addresses), states, front and back canaries with the
 * exact damage report, poison fill and its limit, over-aligned blocks and their gap record, in-place resize, and
 * the compare-and-swap of a free (one winner of two threads claiming one header). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "block.h"

_Static_assert(sizeof(lc_header_t) == LC_HEADER_SIZE, "header is 24 bytes");

#define ARENA_SIZE (64 * 1024)
#define SENTINEL 0x3C
static unsigned char arena[ARENA_SIZE] __attribute__((aligned(8192)));

// Formats a block of `size` bytes aligned to `align` at arena + off (off a multiple of the heap alignment),
// in a payload `extra` bytes larger than requested, like a heap chunk rounded up. Every other byte of the arena
// holds SENTINEL, so stray writes show.
typedef struct fmt_s { unsigned char *payload, *user; size_t psize, gap; } fmt_t;

static fmt_t format_at(size_t off, size_t size, size_t align, size_t extra, lc_origin_t origin, uint32_t stack,
                       uint32_t seq) {
  fmt_t f;
  size_t heap_align;
  f.psize = lc_block_payload_request(size, align, &heap_align) + extra;
  f.gap = align > LC_PREFIX ? align - LC_PREFIX : 0;
  assert_true(off % heap_align == 0);
  assert_true(off + f.psize <= ARENA_SIZE);
  memset(arena, SENTINEL, sizeof arena);
  f.payload = arena + off;
  f.user = lc_block_format(f.payload, f.psize, size, align, origin, stack, seq);
  return f;
}

static void expect_outside_untouched(const fmt_t *f) {
  for (unsigned char *p = arena; p < f->payload; p++)
    if (*p != SENTINEL) fail_msg("byte %td before the payload written", f->payload - p);
  for (unsigned char *p = f->payload + f->psize; p < arena + ARENA_SIZE; p++)
    if (*p != SENTINEL) fail_msg("byte %td after the payload written", p - (f->payload + f->psize));
}

static void expect_canaries_intact(const fmt_t *f, size_t size) {
  lc_damage_t d;
  assert_int_equal(lc_block_front_damaged(f->user, &d), 0);
  assert_int_equal(lc_block_back_damaged(f->user, size, f->psize, f->gap, &d), 0);
}

// The damage report: offset of the first damaged byte, length to the last one, and the bytes found there (and
// the ones expected), min(length, 16) of them from the first damaged one.
static void expect_damage(const lc_damage_t *d, int64_t offset, size_t length, const unsigned char *found,
                          unsigned char expected) {
  if (d->offset != offset) fail_msg("damage offset %lld, expected %lld", (long long)d->offset, (long long)offset);
  assert_int_equal(d->length, length);
  size_t shown = length < 16 ? length : 16;
  assert_int_equal(d->shown, shown);
  for (size_t i = 0; i < shown; i++) {
    if (d->found[i] != found[i]) fail_msg("found[%zu] = 0x%02x, expected 0x%02x", i, d->found[i], found[i]);
    assert_int_equal(d->expected[i], expected);
  }
}

static int setup(void **state) {
  (void)state;
  lc_block_checks = 1;
  lc_block_poison_limit = 0;
  lc_block_init_secret();
  return 0;
}

/* ---- tests ---- */

static void test_payload_request(void **state) {
  (void)state;
  size_t ha;
  assert_int_equal(lc_block_payload_request(0, 16, &ha), LC_PREFIX + LC_BACK_CANARY_MIN);
  assert_int_equal(ha, 16);
  assert_int_equal(lc_block_payload_request(100, 16, &ha), LC_PREFIX + 100 + LC_BACK_CANARY_MIN);
  assert_int_equal(ha, 16);
  assert_int_equal(lc_block_payload_request(100, 32, &ha), LC_PREFIX + 100 + LC_BACK_CANARY_MIN);
  assert_int_equal(ha, 32);
  assert_int_equal(lc_block_payload_request(100, 64, &ha), 64 + 100 + LC_BACK_CANARY_MIN);
  assert_int_equal(ha, 64);
  assert_int_equal(lc_block_payload_request(7, 4096, &ha), 4096 + 7 + LC_BACK_CANARY_MIN);
  assert_int_equal(ha, 4096);
  lc_block_checks = 0;                                      // the bare allocator: no back canary
  assert_int_equal(lc_block_payload_request(100, 16, &ha), LC_PREFIX + 100);
  lc_block_checks = 1;
}

// A formatted block: user 32 bytes after its header, header fields as given, LIVE, canaries all around.
static void test_format_validate(void **state) {
  (void)state;
  fmt_t f = format_at(256, 100, 16, 24, LC_ORIGIN_NEW, 7, 42);
  assert_ptr_equal(f.user, f.payload + LC_PREFIX);
  lc_header_t h;
  memset(&h, 0, sizeof h);
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
  assert_int_equal(h.size, 100);
  assert_int_equal(h.origin, LC_ORIGIN_NEW);
  assert_int_equal(h.state, LC_BLOCK_LIVE);
  assert_int_equal(h.reported, 0);
  assert_int_equal(h.alloc_stack, 7);
  assert_int_equal(h.free_stack, 0);
  assert_int_equal(h.gap, 0);
  assert_int_equal(h.seq, 42);
  assert_ptr_equal(lc_block_header(f.user), f.payload);
  assert_ptr_equal(lc_block_user(lc_block_header(f.user)), f.user);
  assert_ptr_equal(lc_block_payload(lc_block_header(f.user)), f.payload);
  for (int i = 1; i <= LC_FRONT_CANARY; i++) assert_int_equal(f.user[-i], LC_CANARY_BYTE);
  for (unsigned char *p = f.user + 100; p < f.payload + f.psize; p++) assert_int_equal(*p, LC_CANARY_BYTE);
  for (unsigned char *p = f.user; p < f.user + 100; p++) assert_int_equal(*p, SENTINEL);   // user bytes untouched
  expect_canaries_intact(&f, 100);
  expect_outside_untouched(&f);
  // The largest size the header holds comes back exact.
  f = format_at(0, 0, 16, 0, LC_ORIGIN_MALLOC, 0, 0);
  lc_header_t *hp = lc_block_header(f.user);
  hp->size = LC_MAX_SIZE;
  lc_block_set_state(f.user, LC_BLOCK_LIVE, 0);                       // re-seals
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
  assert_int_equal(h.size, LC_MAX_SIZE);
  // Internal blocks: header only, no canaries.
  f = format_at(512, 40, 16, 8, LC_ORIGIN_INTERNAL, 0, 1);
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
  assert_int_equal(h.origin, LC_ORIGIN_INTERNAL);
  for (int i = 1; i <= LC_FRONT_CANARY; i++) assert_int_equal(f.user[-i], SENTINEL);
  for (unsigned char *p = f.user + 40; p < f.payload + f.psize; p++) assert_int_equal(*p, SENTINEL);
}

// Flips byte i of the header of the block at arena + off; 1 if validate then says BAD_SUM. Restores it.
static int flip_detected(size_t off, int i) {
  fmt_t f = format_at(off, 64, 16, 0, LC_ORIGIN_MALLOC, 0x01020304, 0x0A0B0C0D);
  lc_header_t h;
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
  unsigned char *hb = (unsigned char *)lc_block_header(f.user);
  hb[i] ^= 0xFF;
  int bad = lc_block_validate(f.user, &h) == LC_BLOCK_BAD_SUM;
  hb[i] ^= 0xFF;
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
  return bad;
}

// Every byte of the 24-byte header is covered by the checksum. The sum has 16 bits: a given change goes
// unnoticed with probability 2^-16 (that is what a 16-bit sum can do). A byte the sum does not cover is missed at
// every address, so a miss at the first address is looked at again at a second one; two misses of one byte, or
// more than one miss at the first address, fail.
static void test_header_each_byte_flip(void **state) {
  (void)state;
  int missed_first = 0;
  for (int i = 0; i < LC_HEADER_SIZE; i++) {
    if (flip_detected(1024, i)) continue;
    missed_first++;
    if (!flip_detected(2048 + 16 * (size_t)i, i)) fail_msg("header byte %d is not covered by the checksum", i);
  }
  assert_true(missed_first <= 1);
  // Byte by byte, every single-bit change of the size field's low byte, too.
  int missed = 0;
  fmt_t f = format_at(4096, 200, 16, 0, LC_ORIGIN_MALLOC, 5, 6);
  unsigned char *hb = (unsigned char *)lc_block_header(f.user);
  lc_header_t h;
  for (int bit = 0; bit < 8; bit++) {
    hb[0] ^= (unsigned char)(1u << bit);
    missed += lc_block_validate(f.user, &h) != LC_BLOCK_BAD_SUM;
    hb[0] ^= (unsigned char)(1u << bit);
  }
  assert_true(missed <= 1);
}

// The checksum is keyed with the header's address: a header copied elsewhere does not validate. Eight copies at
// eight addresses; a 16-bit collision at one of them is possible (2^-16 each), at two is not expected.
static void test_header_copy_elsewhere(void **state) {
  (void)state;
  fmt_t f = format_at(0, 100, 16, 0, LC_ORIGIN_MALLOC, 11, 12);
  lc_header_t orig;
  memcpy(&orig, lc_block_header(f.user), sizeof orig);
  lc_header_t h;
  int validated = 0;
  for (int k = 1; k <= 8; k++) {
    unsigned char *user2 = arena + 8192 + (size_t)k * 512 + LC_PREFIX;
    memcpy(lc_block_header(user2), &orig, sizeof orig);
    validated += lc_block_validate(user2, &h) != LC_BLOCK_BAD_SUM;
  }
  if (validated > 1) fail_msg("a header copied to 8 other addresses validated at %d of them", validated);
  // And back at its own address it is fine.
  memcpy(lc_block_header(f.user), &orig, sizeof orig);
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
}

static void test_states(void **state) {
  (void)state;
  fmt_t f = format_at(128, 50, 16, 0, LC_ORIGIN_NEW_ARRAY, 3, 4);
  lc_header_t h;
  lc_block_set_state(f.user, LC_BLOCK_QUARANTINED, 99);
  memset(&h, 0, sizeof h);
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_NOT_LIVE);
  assert_int_equal(h.state, LC_BLOCK_QUARANTINED);
  assert_int_equal(h.free_stack, 99);
  assert_int_equal(h.alloc_stack, 3);
  assert_int_equal(h.size, 50);
  assert_int_equal(h.origin, LC_ORIGIN_NEW_ARRAY);
  lc_block_set_state(f.user, LC_BLOCK_FREED, 100);
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_NOT_LIVE);
  assert_int_equal(h.state, LC_BLOCK_FREED);
  assert_int_equal(h.free_stack, 100);
  lc_block_set_state(f.user, LC_BLOCK_LIVE, 0);
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
  assert_int_equal(h.reported, 0);
  lc_block_mark_reported(f.user);
  assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
  assert_int_equal(h.reported, 1);
  assert_int_equal(h.seq, 4);
  // A state change by a plain write (not re-sealed) is caught.
  lc_block_header(f.user)->state = LC_BLOCK_QUARANTINED;
  int bad = lc_block_validate(f.user, &h) == LC_BLOCK_BAD_SUM;
  lc_block_header(f.user)->state = LC_BLOCK_FREED;
  bad += lc_block_validate(f.user, &h) == LC_BLOCK_BAD_SUM;
  assert_true(bad >= 1);                                   // both missed: a 2^-32 chance
}

// Back canary: a write at user[n] for n >= size is reported at offset n, its length up to the last damaged
// byte of the zone, with the found/expected bytes of the damaged span (16 at most).
static void test_back_canary(void **state) {
  (void)state;
  const size_t size = 100;
  fmt_t f = format_at(64, size, 16, 24, LC_ORIGIN_MALLOC, 0, 0);
  size_t zone = f.psize - LC_PREFIX - size;                 // 8 + 24
  assert_int_equal(zone, 32);
  const size_t ns[] = { 100, 101, 107, 108, 115, 116, 117, 131 };
  lc_damage_t d;
  for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
    size_t n = ns[k];
    memset(&d, 0xEE, sizeof d);
    f.user[n] = (unsigned char)(0x40 + k);
    assert_int_equal(lc_block_back_damaged(f.user, size, f.psize, f.gap, &d), 1);
    unsigned char found[16];
    memset(found, LC_CANARY_BYTE, sizeof found);
    found[0] = (unsigned char)(0x40 + k);
    expect_damage(&d, (int64_t)n, 1, found, LC_CANARY_BYTE);
    assert_int_equal(lc_block_front_damaged(f.user, &d), 0);
    f.user[n] = LC_CANARY_BYTE;
    expect_canaries_intact(&f, size);
  }
  // Two damaged bytes: the length spans both, the bytes between are shown as they are.
  f.user[103] = 0;
  f.user[110] = 1;
  assert_int_equal(lc_block_back_damaged(f.user, size, f.psize, f.gap, &d), 1);
  unsigned char found[16];
  memset(found, LC_CANARY_BYTE, sizeof found);
  found[0] = 0;
  found[7] = 1;
  expect_damage(&d, 103, 8, found, LC_CANARY_BYTE);
  // A run to the end of the zone.
  f.user[103] = f.user[110] = LC_CANARY_BYTE;
  memset(f.user + 120, 0, 12);
  assert_int_equal(lc_block_back_damaged(f.user, size, f.psize, f.gap, &d), 1);
  memset(found, 0, sizeof found);
  expect_damage(&d, 120, 12, found, LC_CANARY_BYTE);
  memset(f.user + 120, LC_CANARY_BYTE, 12);
  expect_canaries_intact(&f, size);
  // Writes inside the user bytes are no canary damage.
  memset(f.user, 0, size);
  expect_canaries_intact(&f, size);
  // Odd sizes: the zone starts unaligned and its word loop must still find every byte.
  for (size_t sz = 1; sz < 200; sz += 13) {
    fmt_t g = format_at(0, sz, 16, 200, LC_ORIGIN_MALLOC, 0, 0);
    size_t z = g.psize - LC_PREFIX - sz;
    for (size_t rel = 0; rel < z; rel += 5) {
      g.user[sz + rel] ^= 0x01;
      assert_int_equal(lc_block_back_damaged(g.user, sz, g.psize, g.gap, &d), 1);
      if (d.offset != (int64_t)(sz + rel)) fail_msg("size %zu: damage at %zu reported at %lld", sz, sz + rel,
                                                   (long long)d.offset);
      assert_int_equal(d.length, 1);
      g.user[sz + rel] ^= 0x01;
    }
  }
}

// Front canary: writes at user[-1] .. user[-8] are reported with negative offsets.
static void test_front_canary(void **state) {
  (void)state;
  fmt_t f = format_at(64, 40, 16, 0, LC_ORIGIN_MALLOC, 0, 0);
  lc_damage_t d;
  unsigned char found[16];
  for (int k = 1; k <= LC_FRONT_CANARY; k++) {
    f.user[-k] = 0x11;
    memset(&d, 0xEE, sizeof d);
    assert_int_equal(lc_block_front_damaged(f.user, &d), 1);
    memset(found, LC_CANARY_BYTE, sizeof found);
    found[0] = 0x11;
    expect_damage(&d, -k, 1, found, LC_CANARY_BYTE);
    assert_int_equal(lc_block_back_damaged(f.user, 40, f.psize, f.gap, &d), 0);
    f.user[-k] = LC_CANARY_BYTE;
    expect_canaries_intact(&f, 40);
  }
  f.user[-8] = 1;
  f.user[-2] = 2;
  assert_int_equal(lc_block_front_damaged(f.user, &d), 1);
  memset(found, LC_CANARY_BYTE, sizeof found);
  found[0] = 1;
  found[6] = 2;
  expect_damage(&d, -8, 7, found, LC_CANARY_BYTE);
  // The header lies before the front canary: damage there is the checksum's business, not the canary's.
  f.user[-8] = f.user[-2] = LC_CANARY_BYTE;
  f.user[-LC_FRONT_CANARY - 1] ^= 0xFF;
  assert_int_equal(lc_block_front_damaged(f.user, &d), 0);
}

// Poison: all user bytes, or the first lc_block_poison_limit of them; damage reported at its offset.
static void test_poison(void **state) {
  (void)state;
  const size_t size = 300;
  fmt_t f = format_at(64, size, 16, 0, LC_ORIGIN_MALLOC, 0, 0);
  memset(f.user, 0x11, size);
  lc_block_poison(f.user, size);
  for (size_t i = 0; i < size; i++) assert_int_equal(f.user[i], LC_POISON_BYTE);
  expect_canaries_intact(&f, size);
  lc_damage_t d;
  assert_int_equal(lc_block_poison_damaged(f.user, size, &d), 0);
  const size_t ks[] = { 0, 1, 7, 8, 63, 64, 65, 128, 200, 283, 284, 299 };
  unsigned char found[16];
  for (size_t j = 0; j < sizeof ks / sizeof *ks; j++) {
    size_t k = ks[j];
    f.user[k] = 0;
    memset(&d, 0xEE, sizeof d);
    assert_int_equal(lc_block_poison_damaged(f.user, size, &d), 1);
    memset(found, LC_POISON_BYTE, sizeof found);
    found[0] = 0;
    expect_damage(&d, (int64_t)k, 1, found, LC_POISON_BYTE);
    f.user[k] = LC_POISON_BYTE;
  }
  f.user[10] = 1;
  f.user[250] = 2;
  assert_int_equal(lc_block_poison_damaged(f.user, size, &d), 1);
  memset(found, LC_POISON_BYTE, sizeof found);
  found[0] = 1;
  expect_damage(&d, 10, 241, found, LC_POISON_BYTE);          // 16 bytes shown of 241
  f.user[10] = f.user[250] = LC_POISON_BYTE;
  // With a limit: only the first 16 bytes are filled and checked.
  lc_block_poison_limit = 16;
  memset(f.user, 0x11, size);
  lc_block_poison(f.user, size);
  for (size_t i = 0; i < 16; i++) assert_int_equal(f.user[i], LC_POISON_BYTE);
  for (size_t i = 16; i < size; i++) assert_int_equal(f.user[i], 0x11);
  assert_int_equal(lc_block_poison_damaged(f.user, size, &d), 0);
  f.user[15] = 0;
  assert_int_equal(lc_block_poison_damaged(f.user, size, &d), 1);
  memset(found, 0, 16);
  found[0] = 0;
  expect_damage(&d, 15, 1, found, LC_POISON_BYTE);
  f.user[15] = LC_POISON_BYTE;
  // A limit above the size: all of it.
  lc_block_poison_limit = 1000;
  memset(f.user, 0x11, size);
  lc_block_poison(f.user, size);
  for (size_t i = 0; i < size; i++) assert_int_equal(f.user[i], LC_POISON_BYTE);
  f.user[size - 1] = 0;
  assert_int_equal(lc_block_poison_damaged(f.user, size, &d), 1);
  assert_int_equal(d.offset, size - 1);
  lc_block_poison_limit = 0;
  expect_canaries_intact(&f, size);
  expect_outside_untouched(&f);
}

// Over-aligned blocks: the user pointer has the alignment, a gap record at the payload start leads to the
// header, and lc_block_from_payload finds it; plain blocks are found at the payload start.
static void test_over_aligned(void **state) {
  (void)state;
  lc_header_t h;
  for (size_t align = 16; align <= 4096; align *= 2) {
    fmt_t f = format_at(align < 4096 ? 4096 : 0, 77, align, 40, LC_ORIGIN_MALLOC, 8, 9);
    if ((uintptr_t)f.user % align) fail_msg("align %zu: user %p", align, (void *)f.user);
    assert_int_equal(f.user - f.payload, f.gap + LC_PREFIX);
    assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
    assert_int_equal(h.gap, f.gap);
    assert_int_equal(h.size, 77);
    assert_ptr_equal(lc_block_from_payload(f.payload, f.psize), lc_block_header(f.user));
    assert_ptr_equal(lc_block_payload(lc_block_header(f.user)), f.payload);
    expect_canaries_intact(&f, 77);
    expect_outside_untouched(&f);
    lc_damage_t d;
    f.user[77 + 3] = 0;
    assert_int_equal(lc_block_back_damaged(f.user, 77, f.psize, f.gap, &d), 1);
    assert_int_equal(d.offset, 80);
    f.user[80] = LC_CANARY_BYTE;
    // Quarantined blocks are found too (from_payload looks at the checksum, not the state).
    lc_block_set_state(f.user, LC_BLOCK_QUARANTINED, 1);
    assert_ptr_equal(lc_block_from_payload(f.payload, f.psize), lc_block_header(f.user));
    // A payload too small for the gap it records: nothing.
    if (f.gap) assert_null(lc_block_from_payload(f.payload, f.gap + LC_PREFIX - 1));
    if (f.gap) {
      // The gap record alone is not enough: the header it leads to must validate and record the same gap.
      lc_header_t *hp = lc_block_header(f.user);
      hp->gap ^= 16;
      assert_null(lc_block_from_payload(f.payload, f.psize));           // damaged
      lc_block_set_state(f.user, LC_BLOCK_QUARANTINED, 1);               // sealed again, gap still different
      assert_null(lc_block_from_payload(f.payload, f.psize));
      hp->gap ^= 16;
      lc_block_set_state(f.user, LC_BLOCK_QUARANTINED, 1);
      int taken = 0;                                      // a damaged header: missed only by a 2^-16 chance
      for (int b = 8; b < 16; b++) {
        ((unsigned char *)hp)[b] ^= 0x5A;
        taken += lc_block_from_payload(f.payload, f.psize) != NULL;
        ((unsigned char *)hp)[b] ^= 0x5A;
      }
      assert_true(taken <= 1);
      assert_ptr_equal(lc_block_from_payload(f.payload, f.psize), hp);
    }
  }
  // Too small to hold a header at all.
  fmt_t f = format_at(0, 1, 16, 0, LC_ORIGIN_MALLOC, 0, 0);
  assert_null(lc_block_from_payload(f.payload, LC_PREFIX - 1));
  // A payload with no block in it (a free chunk's remnants). A 16-bit sum can match garbage with probability
  // 2^-16, so of eight such payloads at most one may be taken for a block.
  int found = 0;
  for (int k = 0; k < 8; k++) {
    unsigned char *p = arena + 16384 + (size_t)k * 256;
    memset(p, k * 37 + 1, 256);
    memset(p + 16, 0, 4);                                  // gap field 0, as in a plain block
    found += lc_block_from_payload(p, 256) != NULL;
  }
  assert_true(found <= 1);
}

// lc_block_resize: new size in the header, re-sealed, alloc stack replaced only when given, back canary from
// the new end to the payload's end exactly (never past it), also for over-aligned blocks.
static void test_resize(void **state) {
  (void)state;
  for (size_t align = 16; align <= 256; align *= 4) {
    size_t ha;
    size_t big = lc_block_payload_request(1000, align, &ha);
    fmt_t f = format_at(4096, 100, align, big - lc_block_payload_request(100, align, &ha), LC_ORIGIN_MALLOC, 5, 1);
    assert_int_equal(f.psize, big);
    lc_header_t h;
    memset(f.user, 0x22, 100);
    // Grow.
    lc_block_resize(f.user, f.psize, 1000, 0);
    assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
    assert_int_equal(h.size, 1000);
    assert_int_equal(h.alloc_stack, 5);
    for (size_t i = 0; i < 100; i++) assert_int_equal(f.user[i], 0x22);
    expect_canaries_intact(&f, 1000);
    expect_outside_untouched(&f);
    lc_damage_t d;
    f.user[1000] = 0;
    assert_int_equal(lc_block_back_damaged(f.user, 1000, f.psize, f.gap, &d), 1);
    assert_int_equal(d.offset, 1000);
    assert_int_equal(d.length, 1);
    assert_int_equal(d.shown, 1);
    f.user[1000] = LC_CANARY_BYTE;
    // Shrink: what was user bytes becomes canary.
    memset(f.user, 0x33, 1000);
    lc_block_resize(f.user, f.psize, 50, 77);
    assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_OK);
    assert_int_equal(h.size, 50);
    assert_int_equal(h.alloc_stack, 77);
    for (size_t i = 0; i < 50; i++) assert_int_equal(f.user[i], 0x33);
    for (unsigned char *p = f.user + 50; p < f.payload + f.psize; p++) assert_int_equal(*p, LC_CANARY_BYTE);
    expect_canaries_intact(&f, 50);
    expect_outside_untouched(&f);
    f.user[50] = 0;
    assert_int_equal(lc_block_back_damaged(f.user, 50, f.psize, f.gap, &d), 1);
    assert_int_equal(d.offset, 50);
    assert_int_equal(d.length, 1);
    assert_int_equal(d.shown, 1);
    f.user[50] = LC_CANARY_BYTE;
    // To the very end of the payload less the minimum canary.
    size_t most = f.psize - f.gap - LC_PREFIX - LC_BACK_CANARY_MIN;
    lc_block_resize(f.user, f.psize, most, 0);
    expect_canaries_intact(&f, most);
    expect_outside_untouched(&f);
    assert_ptr_equal(lc_block_from_payload(f.payload, f.psize), lc_block_header(f.user));
  }
}

// lc_block_claim: LIVE -> state exactly when the header is still the copy validated; a second claim from that copy
// (a second free that validated before the first changed it) fails and leaves the header as the first left it.
static void test_claim(void **state) {
  (void)state;
  fmt_t f = format_at(256, 40, 16, 0, LC_ORIGIN_MALLOC, 7, 8);
  lc_header_t seen, now;
  assert_int_equal(lc_block_validate(f.user, &seen), LC_BLOCK_OK);
  assert_int_equal(lc_block_claim(f.user, &seen, LC_BLOCK_QUARANTINED, 11), 1);
  assert_int_equal(lc_block_validate(f.user, &now), LC_BLOCK_NOT_LIVE);
  assert_int_equal(now.state, LC_BLOCK_QUARANTINED);
  assert_int_equal(now.free_stack, 11);
  assert_int_equal(now.alloc_stack, 7);
  assert_int_equal(now.seq, 8);
  assert_int_equal(lc_block_claim(f.user, &seen, LC_BLOCK_FREED, 12), 0);
  lc_header_t after;
  assert_int_equal(lc_block_validate(f.user, &after), LC_BLOCK_NOT_LIVE);
  assert_memory_equal(&after, &now, sizeof now);
  // A header changed in any way since the copy (here: marked reported) is not claimed either.
  fmt_t g = format_at(512, 40, 16, 0, LC_ORIGIN_MALLOC, 7, 8);
  assert_int_equal(lc_block_validate(g.user, &seen), LC_BLOCK_OK);
  lc_block_mark_reported(g.user);
  assert_int_equal(lc_block_claim(g.user, &seen, LC_BLOCK_FREED, 12), 0);
  assert_int_equal(lc_block_validate(g.user, &now), LC_BLOCK_OK);
  assert_int_equal(now.reported, 1);
  expect_outside_untouched(&g);
}

// Two threads claim the same LIVE header at the same moment, round after round: exactly one wins each time, and
// the header always validates afterwards with the winner's free stack (a reader never sees half an exchange).
enum { RACE_ROUNDS = 20000 };
static pthread_barrier_t race_start, race_end;
static unsigned char *race_user;
static int race_wins[2];

static void *claimer(void *arg) {
  int me = (int)(intptr_t)arg;
  for (int r = 0; r < RACE_ROUNDS; r++) {
    pthread_barrier_wait(&race_start);
    lc_header_t seen;
    if (lc_block_validate(race_user, &seen) == LC_BLOCK_OK &&
        lc_block_claim(race_user, &seen, LC_BLOCK_QUARANTINED, (uint32_t)(100 + me)))
      race_wins[me]++;
    pthread_barrier_wait(&race_end);
  }
  return NULL;
}

static void test_claim_race(void **state) {
  (void)state;
  pthread_t t[2];
  assert_int_equal(pthread_barrier_init(&race_start, NULL, 3), 0);
  assert_int_equal(pthread_barrier_init(&race_end, NULL, 3), 0);
  for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&t[i], NULL, claimer, (void *)(intptr_t)i), 0);
  int total = 0;
  for (int r = 0; r < RACE_ROUNDS; r++) {
    fmt_t f = format_at(1024, 24 + (size_t)(r % 5) * 16, 16, 0, LC_ORIGIN_MALLOC, 1, (uint32_t)r);
    race_user = f.user;
    int before = race_wins[0] + race_wins[1];
    pthread_barrier_wait(&race_start);
    pthread_barrier_wait(&race_end);
    total = race_wins[0] + race_wins[1];
    if (total != before + 1) fail_msg("round %d: %d claims won", r, total - before);
    lc_header_t h;
    assert_int_equal(lc_block_validate(f.user, &h), LC_BLOCK_NOT_LIVE);
    assert_true(h.free_stack == 100 || h.free_stack == 101);
  }
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  assert_int_equal(total, RACE_ROUNDS);
  pthread_barrier_destroy(&race_start);
  pthread_barrier_destroy(&race_end);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_payload_request),
    cmocka_unit_test(test_format_validate),
    cmocka_unit_test(test_header_each_byte_flip),
    cmocka_unit_test(test_header_copy_elsewhere),
    cmocka_unit_test(test_states),
    cmocka_unit_test(test_back_canary),
    cmocka_unit_test(test_front_canary),
    cmocka_unit_test(test_poison),
    cmocka_unit_test(test_over_aligned),
    cmocka_unit_test(test_resize),
    cmocka_unit_test(test_claim),
    cmocka_unit_test(test_claim_race),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
