/* block.c: the layout of one allocation inside a chunk: checksummed header, canaries, poison, states.
 * Validation returns codes; deciding what a damaged block means (and saying it) is alloc.c's and report.c's. */
#define _GNU_SOURCE
#include "block.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <sys/random.h>
#include <time.h>

int lc_block_checks = 1;
static uint64_t secret = 0x5bd1e9955bd1e995ull;

#define GAP_MAGIC 0x9a7c0ffee0dd1e55ull   // first payload word of an over-aligned block (then the gap)

// The header's fields as bits of its words, for headers made and changed in registers (lc_block_format, a free's
// exchange): the layout the compiler gives lc_header_t on x86-64 and aarch64 (bitfields from the low bit), checked
// against the struct once in lc_block_init_secret. word(c, i) is word i of header c.
#define W0_ORIGIN_SHIFT 40
#define W0_STATE_SHIFT  42
#define W0_STATE        ((uint64_t)3 << W0_STATE_SHIFT)
#define W0_SUM          ((uint64_t)0xffff << 48)
#define W_HIGH_SHIFT    32                 // free_stack in word 1, seq in word 2; alloc_stack and gap below
static inline uint64_t word(lc_header_t c, int i) { uint64_t w[3]; memcpy(w, &c, sizeof w); return w[i]; }

void lc_block_init_secret(void) {
  uint64_t s = 0;
  // getrandom(2) by syscall wrapper: no allocation; falls back to time and addresses.
  if (getrandom(&s, sizeof s, GRND_NONBLOCK) != sizeof s) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&s;
  }
  secret = s | 1;
  // The header's words are made and changed in registers with these bits (exchange_state, lc_block_format).
  LC_CHECK(word((lc_header_t){ .size = 1 }, 0) == 1 &&
           word((lc_header_t){ .origin = 1 }, 0) == (uint64_t)1 << W0_ORIGIN_SHIFT &&
           word((lc_header_t){ .state = 1 }, 0) == (uint64_t)1 << W0_STATE_SHIFT &&
           word((lc_header_t){ .sum = 0xffff }, 0) == W0_SUM && word((lc_header_t){ .alloc_stack = 1 }, 1) == 1 &&
           word((lc_header_t){ .free_stack = 1 }, 1) == (uint64_t)1 << W_HIGH_SHIFT &&
           word((lc_header_t){ .gap = 1 }, 2) == 1 &&
           word((lc_header_t){ .seq = 1 }, 2) == (uint64_t)1 << W_HIGH_SHIFT);
}

// Keyed with the secret and the header's address, so a header copied elsewhere or forged does not validate.
// Three multiply-xor rounds: cheap enough for every malloc and free. Always computed on a copy held in
// registers, never by reading the header back: a wide load of bytes just written by narrower stores waits
// for them to retire (store forwarding fails), and that stall was a tenth of sqlite's time under the checks.
static inline uint16_t sum_words(const uint64_t w[3], const void *at) {
  if (!lc_block_checks) return 0;                 // measuring the bare allocator: no checks at all
  uint64_t x = (secret ^ (uintptr_t)at ^ (w[0] & ~((uint64_t)0xffff << 48))) * 0x9E3779B97F4A7C15ull;   // not the sum
  x = (x ^ (x >> 29) ^ w[1]) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 32) ^ w[2]) * 0x94d049bb133111ebull;
  return (uint16_t)(x >> 48);
}

static uint16_t sum_at(const lc_header_t *c, const void *at) {
  uint64_t w[3];
  memcpy(w, c, sizeof w);
  return sum_words(w, at);
}


// Seals c for address h and stores it with one 24-byte copy: a fresh header, which no other thread can be changing.
static inline void store_sealed(lc_header_t *h, lc_header_t c) {
  c.sum = sum_at(&c, h);
  *h = c;
}

/* A header that exists is changed only by a compare-and-swap of its first two words (state, size, sum; the stacks),
 * which are all a change touches (gap and seq stay): two threads freeing one pointer at once cannot both see it LIVE
 * and both change it (Scudo's compareExchangeHeader), and a reader never takes one word new and the other old.
 * Headers are 16-aligned (payloads are, and a gap is a multiple of 16), as cmpxchg16b wants. */
typedef uint64_t __attribute__((may_alias)) hword_t;
typedef struct { hword_t w[2]; } __attribute__((aligned(16), may_alias)) hpair_t;

#if defined(__x86_64__)
static inline int cas_pair(lc_header_t *h, const uint64_t old[2], const uint64_t new[2]) {
  uint64_t lo = old[0], hi = old[1];
  unsigned char ok;
  __asm__ __volatile__("lock cmpxchg16b %1\n\tsete %0"
                       : "=q"(ok), "+m"(*(hpair_t *)h), "+a"(lo), "+d"(hi)
                       : "b"(new[0]), "c"(new[1])
                       : "memory", "cc");
  return ok;
}
static inline void pair_read_begin(const lc_header_t *h) { (void)h; }
static inline void pair_read_end(const lc_header_t *h) { (void)h; }
#else
// Elsewhere the pair is changed under one of a few locks chosen by address, and read under it too.
static lc_lock_t pair_locks[64];
static inline lc_lock_t *pair_lock(const lc_header_t *h) { return &pair_locks[((uintptr_t)h >> 4) & 63]; }
static inline int cas_pair(lc_header_t *h, const uint64_t old[2], const uint64_t new[2]) {
  hword_t *w = (hword_t *)h;
  lc_lock(pair_lock(h));
  int ok = w[0] == old[0] && w[1] == old[1];
  if (ok) { w[0] = new[0]; w[1] = new[1]; }
  lc_unlock(pair_lock(h));
  return ok;
}
static inline void pair_read_begin(const lc_header_t *h) { lc_lock(pair_lock(h)); }
static inline void pair_read_end(const lc_header_t *h) { lc_unlock(pair_lock(h)); }
#endif

// A consistent copy of the three words: the first is read again after the others, so a change between the reads
// (one atomic exchange of the pair) is seen and the copy taken again.
static inline void load_words(const lc_header_t *h, uint64_t v[3]) {
  const volatile hword_t *w = (const volatile hword_t *)h;
  pair_read_begin(h);
  do {
    v[0] = __atomic_load_n(&w[0], __ATOMIC_ACQUIRE);
    v[1] = __atomic_load_n(&w[1], __ATOMIC_ACQUIRE);
    v[2] = w[2];
  } while (__atomic_load_n(&w[0], __ATOMIC_ACQUIRE) != v[0]);
  pair_read_end(h);
}

static inline lc_header_t load(const lc_header_t *h) {
  uint64_t v[3];
  load_words(h, v);
  lc_header_t c;
  memcpy(&c, v, sizeof c);
  return c;
}

// Changes an existing header with one exchange: from the words `o`, as read, to `n` sealed (the third word, gap and
// seq, never changes). 0 if the header changed meanwhile. The words are worked on in registers: bitfield stores to
// a copy in memory read back whole would wait for store forwarding on every free.
static inline int exchange_words(lc_header_t *h, const uint64_t o[3], uint64_t n[3]) {
  LC_DCHECK(((uintptr_t)h & 15) == 0 && o[2] == n[2]);
  n[0] = (n[0] & ~W0_SUM) | ((uint64_t)sum_words(n, h) << 48);
  return cas_pair(h, o, n);
}

static inline int exchange(lc_header_t *h, const lc_header_t *old, lc_header_t c) {
  uint64_t o[3], n[3];
  memcpy(o, old, sizeof o);
  memcpy(n, &c, sizeof n);
  return exchange_words(h, o, n);
}

// The state change of a free or an eviction, in registers: o as read, to `state` with `free_stack`.
static inline int exchange_state(lc_header_t *h, const uint64_t o[3], lc_block_state_t state, uint32_t free_stack) {
  uint64_t n[3] = { (o[0] & ~W0_STATE) | (uint64_t)state << W0_STATE_SHIFT,
                    (o[1] & 0xffffffffull) | (uint64_t)free_stack << W_HIGH_SHIFT, o[2] };
  return exchange_words(h, o, n);
}

// The header re-sealed with what fn changes, whatever another thread changed first (it is read again then).
#define REWRITE(h, c, change) \
  do { lc_header_t old_; do { old_ = load(h); c = old_; change; } while (!exchange(h, &old_, c)); } while (0)

size_t lc_block_payload_request(size_t size, size_t align, size_t *heap_align) {
  size_t gap = align > LC_PREFIX ? align - LC_PREFIX : 0;
  *heap_align = align > LC_ALIGN ? align : LC_ALIGN;
  return gap + LC_PREFIX + size + (lc_block_checks ? LC_BACK_CANARY_MIN : 0);
}

// Bytes of the back canary: from user + size to the end of the payload, but not past the end of the page after the
// last user byte plus LC_BACK_CANARY_MIN. The slack of an over-aligned mmap'd chunk can be as large as its alignment
// (posix_memalign(2 MiB, 4096)): it must cost address space, not touched memory.
static inline size_t back_len(const char *user, size_t size, size_t payload_size, size_t gap) {
  size_t rest = payload_size - gap - LC_PREFIX - size;
  uintptr_t end = (uintptr_t)user + size;
  size_t cap = (size_t)(LC_ROUND_UP(end + LC_BACK_CANARY_MIN, 4096) - end);
  return rest < cap ? rest : cap;
}

void *lc_block_format(void *payload, size_t payload_size, size_t size, size_t align, lc_origin_t origin,
                      uint32_t stack, uint32_t seq) {
  size_t gap = align > LC_PREFIX ? align - LC_PREFIX : 0;
  LC_DCHECK(((uintptr_t)payload & (LC_ALIGN - 1)) == 0 && size <= LC_MAX_SIZE && origin <= LC_ORIGIN_INTERNAL);
  // The payload was sized by lc_block_payload_request: header, canaries and the back canary's minimum fit.
  LC_DCHECK_LE(gap + LC_PREFIX + size + (lc_block_checks ? LC_BACK_CANARY_MIN : 0), payload_size);
  if (gap) { ((uint64_t *)payload)[0] = GAP_MAGIC; ((uint64_t *)payload)[1] = gap; }
  lc_header_t *h = (lc_header_t *)((char *)payload + gap);
  // Made in registers and stored as three words (see exchange_words): this runs on every malloc.
  uint64_t w[3] = { (uint64_t)size | (uint64_t)origin << W0_ORIGIN_SHIFT | (uint64_t)LC_BLOCK_LIVE << W0_STATE_SHIFT,
                    stack, (uint64_t)gap | (uint64_t)seq << W_HIGH_SHIFT };
  w[0] |= (uint64_t)sum_words(w, h) << 48;
  hword_t *hw = (hword_t *)h;
  hw[0] = w[0]; hw[1] = w[1]; hw[2] = w[2];
  char *user = lc_block_user(h);
  if (lc_block_checks && origin != LC_ORIGIN_INTERNAL) {
    memset(user - LC_FRONT_CANARY, LC_CANARY_BYTE, LC_FRONT_CANARY);
    memset(user + size, LC_CANARY_BYTE, back_len(user, size, payload_size, gap));
  }
  return user;
}

lc_block_status_t lc_block_validate(const void *user, lc_header_t *out) {
  const lc_header_t *h = lc_block_header(user);
  uint64_t w[3];
  load_words(h, w);
  if ((uint16_t)(w[0] >> 48) != sum_words(w, h)) return LC_BLOCK_BAD_SUM;
  memcpy(out, w, sizeof *out);
  return (w[0] & W0_STATE) == (uint64_t)LC_BLOCK_LIVE << W0_STATE_SHIFT ? LC_BLOCK_OK : LC_BLOCK_NOT_LIVE;
}

lc_header_t *lc_block_from_payload(void *payload, size_t payload_size) {
  if (payload_size < LC_PREFIX) return NULL;
  lc_header_t *h = payload, c = load(h);
  if (c.sum == sum_at(&c, h) && c.gap == 0) return h;
  uint64_t *w = payload;
  if (w[0] == GAP_MAGIC && w[1] + LC_PREFIX <= payload_size) {
    h = (lc_header_t *)((char *)payload + w[1]);
    c = load(h);
    if (c.sum == sum_at(&c, h) && c.gap == w[1]) return h;
  }
  return NULL;
}

int lc_block_claim(void *user, const lc_header_t *seen, lc_block_state_t state, uint32_t free_stack) {
  LC_DCHECK(seen->state == LC_BLOCK_LIVE && state > LC_BLOCK_LIVE && state <= LC_BLOCK_FREED);
  uint64_t o[3];
  memcpy(o, seen, sizeof o);
  return exchange_state(lc_block_header(user), o, state, free_stack);
}

void lc_block_set_state(void *user, lc_block_state_t state, uint32_t free_stack) {
  LC_DCHECK(state >= LC_BLOCK_LIVE && state <= LC_BLOCK_FREED);
  lc_header_t *h = lc_block_header(user);
  uint64_t o[3];
  do load_words(h, o); while (!exchange_state(h, o, state, free_stack));
}

void lc_block_mark_reported(void *user) {
  lc_header_t *h = lc_block_header(user), c;
  REWRITE(h, c, c.reported = 1);
}

void lc_block_set_origin(void *user, lc_origin_t origin) {
  LC_DCHECK(origin <= LC_ORIGIN_INTERNAL);
  lc_header_t *h = lc_block_header(user), c;
  REWRITE(h, c, c.origin = origin);
}

void lc_block_set_loader(void *user) {
  lc_header_t *h = lc_block_header(user), c;
  REWRITE(h, c, c.loader = 1);
}

void lc_block_retire(void *user) {
  lc_header_t *h = lc_block_header(user), c = load(h);
  lc_header_t dead = { .state = LC_BLOCK_FREED, .reported = 1 };
  // A header that still validates is the block's own (its chunk is given up for damage found around it): changed
  // like any other, its gap and seq kept. One that does not is rewritten whole.
  if (c.sum == sum_at(&c, h)) {
    REWRITE(h, c, (dead.gap = c.gap, dead.seq = c.seq, c = dead));
    return;
  }
  store_sealed(h, dead);
}

void lc_block_resize(void *user, size_t payload_size, size_t new_size, uint32_t stack) {
  lc_header_t *h = lc_block_header(user), c;
  LC_DCHECK(new_size <= LC_MAX_SIZE);
  REWRITE(h, c, (c.size = new_size, c.alloc_stack = stack ? stack : c.alloc_stack));
  LC_DCHECK(c.state == LC_BLOCK_LIVE);
  LC_DCHECK_LE(c.gap + LC_PREFIX + new_size + (lc_block_checks ? LC_BACK_CANARY_MIN : 0), payload_size);
  if (lc_block_checks && c.origin != LC_ORIGIN_INTERNAL)
    memset((char *)user + new_size, LC_CANARY_BYTE, back_len(user, new_size, payload_size, c.gap));
}

typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

// Offset of the first byte in [z, z+len) that differs from `want`, or len. This runs over every freed byte
// when a block leaves the quarantine, so the bulk is compared 64 bytes at a time (SSE2 is part of x86-64).
static size_t first_mismatch(const unsigned char *z, size_t len, unsigned char want) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i pat = _mm_set1_epi8((char)want);
  for (; i + 64 <= len; i += 64) {
    __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(z + i)), pat);
    __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(z + i + 16)), pat);
    __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(z + i + 32)), pat);
    __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(z + i + 48)), pat);
    if (_mm_movemask_epi8(_mm_and_si128(_mm_and_si128(a, b), _mm_and_si128(c, d))) != 0xffff) break;
  }
#endif
  const uint64_t pat8 = want * 0x0101010101010101ull;
  for (; i + 8 <= len; i += 8) if (*(const word_t *)(z + i) != pat8) break;
  for (; i < len; i++) if (z[i] != want) return i;
  return len;
}

// Finds the first and last byte in [zone, zone+len) that differs from `want`; fills d relative to user.
static int zone_damaged(const unsigned char *zone, size_t len, unsigned char want, const void *user,
                        lc_damage_t *d) {
  size_t i = first_mismatch(zone, len, want);
  if (i == len) return 0;
  size_t last = len - 1;
  while (zone[last] == want) last--;
  d->offset = (int64_t)((const char *)zone + i - (const char *)user);
  d->length = last - i + 1;
  d->shown = d->length < sizeof d->found ? d->length : sizeof d->found;
  memcpy(d->found, zone + i, d->shown);
  memset(d->expected, want, d->shown);
  return 1;
}

int lc_block_front_damaged(const void *user, lc_damage_t *d) {
  return zone_damaged((const unsigned char *)user - LC_FRONT_CANARY, LC_FRONT_CANARY, LC_CANARY_BYTE, user, d);
}

int lc_block_back_damaged(const void *user, size_t size, size_t payload_size, size_t gap, lc_damage_t *d) {
  return zone_damaged((const unsigned char *)user + size, back_len(user, size, payload_size, gap), LC_CANARY_BYTE,
                      user, d);
}

size_t lc_block_poison_limit = 0;

static inline size_t poisoned(size_t size) {
  return lc_block_poison_limit && size > lc_block_poison_limit ? lc_block_poison_limit : size;
}

void lc_block_poison(void *user, size_t size) { memset(user, LC_POISON_BYTE, poisoned(size)); }

int lc_block_poison_damaged(const void *user, size_t size, lc_damage_t *d) {
  return zone_damaged(user, poisoned(size), LC_POISON_BYTE, user, d);
}
