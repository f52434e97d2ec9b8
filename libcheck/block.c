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

void lc_block_init_secret(void) {
  uint64_t s = 0;
  // getrandom(2) by syscall wrapper: no allocation; falls back to time and addresses.
  if (getrandom(&s, sizeof s, GRND_NONBLOCK) != sizeof s) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&s;
  }
  secret = s | 1;
}

// Keyed with the secret and the header's address, so a header copied elsewhere or forged does not validate.
// Three multiply-xor rounds: cheap enough for every malloc and free. Always computed on a copy held in
// registers, never by reading the header back: a wide load of bytes just written by narrower stores waits
// for them to retire (store forwarding fails), and that stall was a tenth of sqlite's time under the checks.
static uint16_t sum_at(const lc_header_t *c, const void *at) {
  if (!lc_block_checks) return 0;                 // measuring the bare allocator: no checks at all
  uint64_t w[3];
  memcpy(w, c, sizeof w);
  w[0] &= ~((uint64_t)0xffff << 48);              // the sum's own bits
  uint64_t x = (secret ^ (uintptr_t)at ^ w[0]) * 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 29) ^ w[1]) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 32) ^ w[2]) * 0x94d049bb133111ebull;
  return (uint16_t)(x >> 48);
}

// Seals c for address h and stores it with one 24-byte copy.
static inline void store_sealed(lc_header_t *h, lc_header_t c) {
  c.sum = sum_at(&c, h);
  *h = c;
}

static inline lc_header_t load(const lc_header_t *h) {
  lc_header_t c;
  memcpy(&c, h, sizeof c);
  return c;
}

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
  store_sealed(h, (lc_header_t){ .size = size, .origin = origin, .state = LC_BLOCK_LIVE, .alloc_stack = stack,
                                 .gap = (uint32_t)gap, .seq = seq });
  char *user = lc_block_user(h);
  if (lc_block_checks && origin != LC_ORIGIN_INTERNAL) {
    memset(user - LC_FRONT_CANARY, LC_CANARY_BYTE, LC_FRONT_CANARY);
    memset(user + size, LC_CANARY_BYTE, back_len(user, size, payload_size, gap));
  }
  return user;
}

lc_block_status_t lc_block_validate(const void *user, lc_header_t *out) {
  const lc_header_t *h = lc_block_header(user);
  lc_header_t c = load(h);
  if (c.sum != sum_at(&c, h)) return LC_BLOCK_BAD_SUM;
  *out = c;
  return c.state == LC_BLOCK_LIVE ? LC_BLOCK_OK : LC_BLOCK_NOT_LIVE;
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

void lc_block_set_state(void *user, lc_block_state_t state, uint32_t free_stack) {
  LC_DCHECK(state >= LC_BLOCK_LIVE && state <= LC_BLOCK_FREED);
  lc_header_t *h = lc_block_header(user), c = load(h);
  c.state = state;
  c.free_stack = free_stack;
  store_sealed(h, c);
}

void lc_block_mark_reported(void *user) {
  lc_header_t *h = lc_block_header(user), c = load(h);
  c.reported = 1;
  store_sealed(h, c);
}

void lc_block_set_origin(void *user, lc_origin_t origin) {
  LC_DCHECK(origin <= LC_ORIGIN_INTERNAL);
  lc_header_t *h = lc_block_header(user), c = load(h);
  c.origin = origin;
  store_sealed(h, c);
}

void lc_block_set_loader(void *user) {
  lc_header_t *h = lc_block_header(user), c = load(h);
  c.loader = 1;
  store_sealed(h, c);
}

void lc_block_retire(void *user) {
  store_sealed(lc_block_header(user), (lc_header_t){ .state = LC_BLOCK_FREED, .reported = 1 });
}

void lc_block_resize(void *user, size_t payload_size, size_t new_size, uint32_t stack) {
  lc_header_t *h = lc_block_header(user), c = load(h);
  LC_DCHECK(new_size <= LC_MAX_SIZE && c.state == LC_BLOCK_LIVE);
  LC_DCHECK_LE(c.gap + LC_PREFIX + new_size + (lc_block_checks ? LC_BACK_CANARY_MIN : 0), payload_size);
  c.size = new_size;
  if (stack) c.alloc_stack = stack;
  store_sealed(h, c);
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
