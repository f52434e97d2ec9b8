/* stackdepot.c: a hash of bucket heads over a bump arena of stack records. Records are never freed; ids are
 * 8-byte offsets into the arena. Insert is a CAS on the bucket head; two threads interning the same new stack
 * at once may store it twice, which costs memory, not correctness.
 * The arena is a series of mappings, each twice the size of the one before, made as stacks arrive: the
 * process's address space grows with what is stored (a program may lower RLIMIT_AS or RLIMIT_DATA later and
 * must not find gigabytes already taken). */
#define _GNU_SOURCE
#include "stackdepot.h"
#include "os.h"

#include <string.h>

#define NBUCKETS   (1u << 18)
#define RECORD_MAGIC 0x5eedcafeu
#define SEG0       ((size_t)1 << 20)        // segment k holds SEG0 << k bytes, from offset SEG0 * (2^k - 1)
#define NSEGS      15                       // 32 GiB in all: every 8-byte offset has a 32-bit id

typedef struct record_s {
  uint32_t next;                          // id of the next record in the bucket, 0 ends
  uint32_t hash;
  uint32_t n;
  uint32_t magic;                         // RECORD_MAGIC ^ hash: an id into the middle of a record is refused
  uintptr_t pcs[];
} record_t;

static uint32_t *buckets;
static char *segs[NSEGS];                 // published with a release store once mapped
static size_t arena_used = 8;             // offset 0 is id 0 = none
static uint64_t dropped, stored;
static int ready;                         // 0: not set up, 1: set up, -1: failed
static lc_lock_t setup_lock = LC_LOCK_INIT;

static int setup(void) {
  lc_lock(&setup_lock);
  if (!ready) {
    buckets = lc_os_alloc(NBUCKETS * sizeof *buckets);
    __atomic_store_n(&ready, buckets ? 1 : -1, __ATOMIC_RELEASE);
  }
  lc_unlock(&setup_lock);
  return ready == 1;
}

static inline int seg_of(size_t off) { return 63 - __builtin_clzll((unsigned long long)(off / SEG0 + 1)); }
static inline size_t seg_start(int k) { return SEG0 * (((size_t)1 << k) - 1); }

// Address of arena offset off, or NULL when its segment is not mapped (never handed out, or no memory).
static inline char *addr_of(size_t off) {
  int k = seg_of(off);
  if (k >= NSEGS) return NULL;
  char *base = __atomic_load_n(&segs[k], __ATOMIC_ACQUIRE);
  return base ? base + (off - seg_start(k)) : NULL;
}

static char *map_segment(int k) {
  lc_lock(&setup_lock);
  if (!segs[k]) __atomic_store_n(&segs[k], (char *)lc_os_reserve(SEG0 << k), __ATOMIC_RELEASE);
  lc_unlock(&setup_lock);
  return segs[k];
}

// Room for a record of `size` bytes: its offset, or 0 when the arena is at its end or out of memory. A record
// never straddles two segments; the tail of a segment that is too short is left unused.
static int exhausted;                     // a segment could not be mapped: no more attempts (one per malloc)

static size_t take(size_t size) {
  LC_DCHECK(size % 8 == 0 && size >= sizeof(record_t) + sizeof(uintptr_t));   // ids are 8-byte offsets
  while (!__atomic_load_n(&exhausted, __ATOMIC_RELAXED)) {
    size_t off = __atomic_fetch_add(&arena_used, size, __ATOMIC_RELAXED);
    int k = seg_of(off);
    if (k >= NSEGS || (off + size) / 8 > UINT32_MAX) break;
    if (seg_of(off + size - 1) != k) continue;       // straddles: the next try starts in segment k + 1
    if (!__atomic_load_n(&segs[k], __ATOMIC_ACQUIRE) && !map_segment(k)) break;
    return off;
  }
  __atomic_store_n(&exhausted, 1, __ATOMIC_RELAXED);
  return 0;
}

// 128-bit multiply folded to 64 bits (wyhash's mixing step).
static inline uint64_t mum(uint64_t a, uint64_t b) {
  __uint128_t r = (__uint128_t)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}

// Runs on every allocation and free: frames are mixed two at a time by independent multiplies, so the
// cost is throughput, not a chain of dependent rounds (the serial FNV-style loop was a third of put()).
static uint64_t hash_pcs(const uintptr_t *pcs, int n) {
  uint64_t h = 0x9e3779b97f4a7c15ull * (uint64_t)(n + 1);
  int i = 0;
  for (; i + 1 < n; i += 2)
    h += mum(pcs[i] ^ 0xa0761d6478bd642full, pcs[i + 1] ^ (0xe7037ed1a0b428dbull + (uint64_t)i));
  if (i < n) h += mum(pcs[i] ^ 0x8ebc6af09c88c6e3ull, 0x589965cc75374cc3ull);
  return mum(h ^ 0x1d8e4e27c47d124full, 0xa0761d6478bd642full ^ (uint64_t)n);
}

// Each thread remembers the stacks it interned last, named by their 64-bit hash: a program allocates from
// the same few thousand places again and again, and the shared table's bucket and record are cold lines
// (a fifth of the cost of a stack on python). Trusting the hash here means two different stacks are mixed up
// only on a 64-bit collision; a miss falls through to the exact compare of the shared table.
#define MEMO_SIZE 1024
typedef struct { uint64_t hash; uint32_t id, n; } memo_t;
static __thread memo_t memo[MEMO_SIZE] __attribute__((tls_model("initial-exec")));

static inline record_t *rec(uint32_t id) { return (record_t *)addr_of((size_t)id * 8); }

static uint32_t drop(void) {
  __atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
  return 0;
}

// The shared table: the id of the exact stack, or of a new record for it (0 when the arena is full).
static uint32_t intern(const uintptr_t *pcs, int n, uint32_t h) {
  uint32_t *b = &buckets[h & (NBUCKETS - 1)];
  uint32_t head = __atomic_load_n(b, __ATOMIC_ACQUIRE);
  for (uint32_t id = head; id; id = rec(id)->next) {
    record_t *r = rec(id);
    if (r->hash == h && r->n == (uint32_t)n && memcmp(r->pcs, pcs, (size_t)n * sizeof *pcs) == 0) return id;
  }
  size_t size = sizeof(record_t) + (size_t)n * sizeof *pcs;
  size_t off = take(size);
  if (!off) return drop();
  record_t *r = (record_t *)addr_of(off);
  LC_DCHECK(r != NULL && off % 8 == 0 && seg_of(off) == seg_of(off + size - 1));
  r->hash = h;
  r->magic = RECORD_MAGIC ^ h;
  r->n = (uint32_t)n;
  memcpy(r->pcs, pcs, (size_t)n * sizeof *pcs);
  uint32_t id = (uint32_t)(off / 8);
  do { r->next = head; } while (!__atomic_compare_exchange_n(b, &head, id, 1, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE));
  __atomic_fetch_add(&stored, 1, __ATOMIC_RELAXED);
  return id;
}

uint32_t lc_stackdepot_put(const uintptr_t *pcs, int n) {
  if (n <= 0) return 0;
  if (lc_unlikely(__atomic_load_n(&ready, __ATOMIC_ACQUIRE) != 1) && !setup()) return drop();
  if (n > LC_MAX_FRAMES) n = LC_MAX_FRAMES;
  uint64_t h = hash_pcs(pcs, n);
  memo_t *m = &memo[h % MEMO_SIZE];
  if (m->id && m->hash == h && m->n == (uint32_t)n) return m->id;
  uint32_t id = intern(pcs, n, (uint32_t)h);
  // The id names a whole record of this stack (what lc_stackdepot_get will accept).
  LC_DCHECK(id == 0 || (rec(id)->magic == (RECORD_MAGIC ^ (uint32_t)h) && rec(id)->n == (uint32_t)n));
  if (id) *m = (memo_t){ h, id, (uint32_t)n };
  return id;
}

int lc_stackdepot_get(uint32_t id, const uintptr_t **pcs) {
  if (id == 0 || ready != 1 || (size_t)id * 8 >= __atomic_load_n(&arena_used, __ATOMIC_RELAXED)) return 0;
  // A stray id must not lead the reads past the end of its segment (the next one is mapped elsewhere).
  size_t off = (size_t)id * 8;
  record_t *r = rec(id);
  if (!r || seg_of(off + sizeof *r - 1) != seg_of(off)) return 0;
  if (r->magic != (RECORD_MAGIC ^ r->hash) || r->n == 0 || r->n > LC_MAX_FRAMES) return 0;
  if (seg_of(off + sizeof *r + r->n * sizeof(uintptr_t) - 1) != seg_of(off)) return 0;
  *pcs = r->pcs;
  return (int)r->n;
}

uint64_t lc_stackdepot_dropped(void) { return dropped; }
size_t lc_stackdepot_bytes(void) { return ready == 1 ? arena_used + NBUCKETS * sizeof *buckets : 0; }
uint64_t lc_stackdepot_count(void) { return stored; }
