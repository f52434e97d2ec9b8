/* heap.h: the memory under every block: boundary-tagged chunks in contiguous extents, grown with sbrk (the
 * user heap) or mmap (the internal heap and the fallback), size-segregated free lists, eager coalescing,
 * top trimming with a negative brk, and direct mmap for large chunks. Knows nothing of headers or canaries.
 *
 * Chunk: [prev_foot | head | payload ...]; head = size | flags, size % 16 == 0, payload = chunk + 16.
 * Invariants: no two free chunks are adjacent; the chunk before an extent's top is in use;
 *             prev_foot == size of the previous chunk whenever !(head & LC_PINUSE). */
#ifndef LC_HEAP_H
#define LC_HEAP_H

#include "lc.h"
#include "os.h"

#define LC_CHUNK_OVERHEAD 16
#define LC_MAX_EXTENTS    4096
#define LC_NBINS          128

typedef struct lc_chunk_s {
  size_t prev_foot;                 // size of the previous chunk, valid only when it is free
  size_t head;                      // size | LC_PINUSE | LC_CINUSE | LC_MMAPPED
  struct lc_chunk_s *fd, *bk;       // free list links, only while free
} lc_chunk_t;

enum { LC_PINUSE = 1, LC_CINUSE = 2, LC_MMAPPED = 4, LC_FENCE = 8, LC_FLAGS = 15 };

typedef struct lc_extent_s { uintptr_t base, end; } lc_extent_t;   // [base, end) holds chunks, then top

typedef struct lc_large_s { uintptr_t chunk; size_t map_size; } lc_large_t;  // one mmap'd chunk

typedef struct lc_heap_stats_s {
  size_t brk_bytes, mmap_extent_bytes, large_bytes, large_count;  // memory held from the kernel
  size_t in_use_bytes, peak_in_use_bytes;                          // chunk bytes handed out
  uint64_t sbrk_calls, trims, brk_failures;
} lc_heap_stats_t;

typedef struct lc_heap_s {
  lc_lock_t lock;
  int use_brk;                        // 1: grow with sbrk first; 0: mmap only (internal heap)
  const char *name;
  lc_chunk_t bins[LC_NBINS];          // circular sentinels; bins[i].fd is the first free chunk
  uint64_t binmap[LC_NBINS / 64];     // bit i set <=> bins[i] non-empty
  uintptr_t top, top_end;             // unused tail of the current extent: [top, top_end)
  int cur;                            // index of the current extent
  int nextents;                       // extents[0..nextents) are published (readable without the lock)
  lc_extent_t extents[LC_MAX_EXTENTS];
  lc_large_t *large; size_t nlarge, large_cap;   // mmap'd chunks, in checker-owned memory
  size_t mmap_threshold, trim_threshold;
  lc_heap_stats_t stats;
} lc_heap_t;

extern lc_heap_t lc_user_heap, lc_internal_heap;

void lc_heap_setup(lc_heap_t *h, const char *name, int use_brk, size_t mmap_threshold, size_t trim_threshold);

// pre: h->lock held.  post: a chunk of at least `size` payload bytes whose payload is aligned to `align`
// (a power of two >= 16), or NULL (errno untouched). Chunks >= mmap_threshold are mmap'd.
void *lc_heap_alloc_locked(lc_heap_t *h, size_t size, size_t align);
// The same without the caller holding the lock: small chunks of the user heap come from and go to a per-thread
// cache first. post of lc_heap_free: a chunk that went to the cache keeps its first 24 payload bytes; one that
// went to a free list does not (its first 16 bytes hold the list links).
void *lc_heap_alloc(lc_heap_t *h, size_t size, size_t align, size_t *payload_size);
void lc_heap_free(lc_heap_t *h, void *payload);
// malloc_trim: gives back the free top of the brk heap beyond `pad` bytes. Returns 1 if memory was released.
int lc_heap_trim(lc_heap_t *h, size_t pad);
// Arms the flush of a thread's cache at its exit (called once, from the constructor).
void lc_heap_thread_cache_init(void);
// pre: h->lock held, payload came from lc_heap_alloc_locked(h) and is not free.
void lc_heap_free_locked(lc_heap_t *h, void *payload);
// 1 if the chunk was mmap'd on its own (fresh zero pages; unmapped, never reused, when freed).
static inline int lc_heap_is_large(const void *payload) {
  return (((const lc_chunk_t *)((const char *)payload - LC_CHUNK_OVERHEAD))->head & LC_MMAPPED) != 0;
}
// 1 if the chunk tag in front of payload still describes an in-use chunk whose payload holds between lo and
// hi bytes: a write past the previous block can overwrite it, and a wrong size must never reach the free lists.
int lc_heap_chunk_plausible(const void *payload, size_t lo, size_t hi);
// Usable payload bytes of a chunk handed out.
size_t lc_heap_payload_size(const void *payload);
// Try to grow or shrink a chunk in place to hold `size` payload bytes. pre: lock held. Returns 1 on success.
int lc_heap_resize_locked(lc_heap_t *h, void *payload, size_t size);

// 1 if addr lies in one of h's extents (any chunk, free or not) or in one of its large chunks.
// Lock-free for extents; large chunks are looked up under the lock.
int lc_heap_contains(lc_heap_t *h, const void *addr);
// The payload of the in-use chunk that contains addr, or NULL. Slow (walks the extent): error paths only.
void *lc_heap_find_chunk_locked(lc_heap_t *h, const void *addr);

// Calls fn(payload, payload_size, arg) for every in-use chunk, in address order per extent, then large ones.
// pre: lock held (or the world is stopped).
typedef void (*lc_chunk_fn)(void *payload, size_t payload_size, void *arg);
void lc_heap_for_each_chunk_locked(lc_heap_t *h, lc_chunk_fn fn, void *arg);
// Calls fn(start, end, arg) for each address range this heap owns (extents, large mappings): the leak scan
// excludes them from the roots.
void lc_heap_for_each_range_locked(lc_heap_t *h, lc_range_fn fn, void *arg);

#endif
