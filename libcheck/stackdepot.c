/* stackdepot.c: one reserved mapping holds a hash of bucket heads and a bump arena of stack records.
 * Records are never freed; ids are 8-byte offsets into the arena. Insert is a CAS on the bucket head;
 * two threads interning the same new stack at once may store it twice, which costs memory, not correctness. */
#define _GNU_SOURCE
#include "stackdepot.h"
#include "heap.h"

#include <string.h>

#define NBUCKETS   (1u << 20)
#define RECORD_MAGIC 0x5eedcafeu
#define ARENA_SIZE ((size_t)1 << 32)        // reserved, not committed: pages are touched as stacks arrive

typedef struct record_s {
  uint32_t next;                          // id of the next record in the bucket, 0 ends
  uint32_t hash;
  uint32_t n;
  uint32_t magic;                         // RECORD_MAGIC ^ hash: an id into the middle of a record is refused
  uintptr_t pcs[];
} record_t;

static uint32_t *buckets;
static char *arena;
static size_t arena_size;
static size_t arena_used = 8;             // offset 0 is id 0 = none
static uint64_t dropped, stored;
static int ready;                         // 0: not set up, 1: set up, -1: failed
static lc_lock_t setup_lock = LC_LOCK_INIT;

static int setup(void) {
  lc_lock(&setup_lock);
  if (!ready) {
    buckets = lc_os_alloc(NBUCKETS * sizeof *buckets);
    // Reserved, not committed; under an address-space limit (ulimit -v) a smaller arena still records stacks.
    for (arena_size = ARENA_SIZE; arena_size >= ((size_t)16 << 20) && !arena; arena_size /= 4)
      arena = lc_os_reserve(arena_size);
    if (arena) arena_size *= 4;
    __atomic_store_n(&ready, buckets && arena ? 1 : -1, __ATOMIC_RELEASE);
  }
  lc_unlock(&setup_lock);
  return ready == 1;
}

static uint32_t hash_pcs(const uintptr_t *pcs, int n) {
  uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)n;
  for (int i = 0; i < n; i++) { h ^= pcs[i]; h *= 0x100000001b3ull; h ^= h >> 29; }
  return (uint32_t)(h ^ (h >> 32));
}

static inline record_t *rec(uint32_t id) { return (record_t *)(arena + (size_t)id * 8); }

uint32_t lc_stackdepot_put(const uintptr_t *pcs, int n) {
  if (n <= 0) return 0;
  if (lc_unlikely(__atomic_load_n(&ready, __ATOMIC_ACQUIRE) != 1) && !setup()) goto drop;
  if (n > LC_MAX_FRAMES) n = LC_MAX_FRAMES;
  uint32_t h = hash_pcs(pcs, n);
  uint32_t *b = &buckets[h & (NBUCKETS - 1)];
  uint32_t head = __atomic_load_n(b, __ATOMIC_ACQUIRE);
  for (uint32_t id = head; id; id = rec(id)->next) {
    record_t *r = rec(id);
    if (r->hash == h && r->n == (uint32_t)n && memcmp(r->pcs, pcs, (size_t)n * sizeof *pcs) == 0) return id;
  }
  size_t size = sizeof(record_t) + (size_t)n * sizeof *pcs;
  size_t off = __atomic_fetch_add(&arena_used, size, __ATOMIC_RELAXED);
  if (off + size > arena_size || off / 8 > UINT32_MAX) goto drop;
  record_t *r = (record_t *)(arena + off);
  r->hash = h;
  r->magic = RECORD_MAGIC ^ h;
  r->n = (uint32_t)n;
  memcpy(r->pcs, pcs, (size_t)n * sizeof *pcs);
  uint32_t id = (uint32_t)(off / 8);
  do { r->next = head; } while (!__atomic_compare_exchange_n(b, &head, id, 1, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE));
  __atomic_fetch_add(&stored, 1, __ATOMIC_RELAXED);
  return id;
drop:
  __atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
  return 0;
}

int lc_stackdepot_get(uint32_t id, const uintptr_t **pcs) {
  if (id == 0 || ready != 1 || (size_t)id * 8 >= __atomic_load_n(&arena_used, __ATOMIC_RELAXED)) return 0;
  record_t *r = rec(id);
  if (r->magic != (RECORD_MAGIC ^ r->hash) || r->n == 0 || r->n > LC_MAX_FRAMES) return 0;
  *pcs = r->pcs;
  return (int)r->n;
}

uint64_t lc_stackdepot_dropped(void) { return dropped; }
size_t lc_stackdepot_bytes(void) { return ready == 1 ? arena_used + NBUCKETS * sizeof *buckets : 0; }
uint64_t lc_stackdepot_count(void) { return stored; }
