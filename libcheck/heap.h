/* heap.h: the memory under every block: boundary-tagged chunks in contiguous extents, grown with sbrk (the
 * user heap) or mmap (the internal heap and the fallback), size-segregated free lists, eager coalescing,
 * top trimming with a negative brk, and direct mmap for large chunks. Knows nothing of headers or canaries.
 *
 * Chunk: [prev_foot | head | payload ...]; head = size | flags, payload = chunk + 16. Written for a chunk c of
 * extent e, prev(c) the chunk that ends at c, next(c) = c + size(c), inuse(c) = head & LC_CINUSE;
 * limit(e) = top when e is the current extent, else e.end. lc_heap_validate_locked checks every line:
 *   c % 16 == 0, size(c) % 16 == 0, size(c) >= 32 (a fence: 16 <= size < 48), !(head & LC_MMAPPED)
 *   the chunks of e tile [e.base, limit(e)) exactly; a sealed extent (not the current one) ends with its
 *     fence (LC_FENCE | LC_CINUSE, next(fence) == e.end), and no other chunk has LC_FENCE
 *   !inuse(c) => inuse(prev(c)) && inuse(next(c))          no two free chunks are adjacent (eager coalescing)
 *   next(c) == top => inuse(c)                              the chunk before top is in use (else it is top)
 *   (head & LC_PINUSE) == inuse(prev(c)); the first chunk of an extent has LC_PINUSE
 *   !(head & LC_PINUSE) => prev_foot == size(prev(c))      (prev_foot means nothing while prev(c) is in use)
 *   !inuse(c) <=> c is on bins[bin_index(size(c))], exactly once
 * A tag sits right after the previous chunk's payload, where an overflow of the program's block can land: the
 * block layer checks it (lc_heap_chunk_plausible) before a chunk is freed, and the validator tells a tag that
 * can only be the program's doing (LC_HEAP_TAG_OVERWRITTEN) from the heap's own faults.
 * Free chunks and cached chunks hold metadata in memory the program can write (an overflow of the block before,
 * a write through a dangling pointer): nothing of theirs is used before it is checked. A free chunk is unlinked or
 * handed out only when it lies in an extent, its tag says free, its size is of its bin's class and ends inside
 * the extent, the chunk after it records it as free, and its links lead back to it (fd->bk == c && bk->fd == c).
 * A cached chunk (see lc_heap_free) is taken only when its tag is that of its class, its check word is intact and
 * its link decodes to nothing (exactly for the list's last chunk) or to a place for a chunk of the class in an
 * extent, whose tag is checked in turn when it is taken. What fails is damage (lc_heap_damage_t): the chunk, or the
 * whole bin or cache list it was reached through, is retired (kept in use, its links pointing at itself, never
 * handed out nor merged), the operation goes on without it, and the damage is recorded for the caller. A bin's
 * chunks past a broken link stay free on no bin (the last equation above fails for them until a repair,
 * lc_heap_repair_locked, retires them): every check refuses them where they are met. */
#ifndef LC_HEAP_H
#define LC_HEAP_H

#include "lc.h"
#include "os.h"

#define LC_CHUNK_OVERHEAD 16
#define LC_MAX_EXTENTS    4096
#define LC_NBINS          128

typedef struct lc_chunk_s {
  size_t prev_foot;                 // == size(prev) while prev is free; large chunk: == chunk - start of its mapping
  size_t head;                      // size | LC_PINUSE | LC_CINUSE | LC_MMAPPED | LC_FENCE
  struct lc_chunk_s *fd, *bk;       // free list links, only while free: fd->bk == this && bk->fd == this
} lc_chunk_t;

enum { LC_PINUSE = 1, LC_CINUSE = 2, LC_MMAPPED = 4, LC_FENCE = 8, LC_FLAGS = 15 };

// [base, end) holds chunks, then top; base % 16 == end % 16 == 0, base < end; extents never overlap.
typedef struct lc_extent_s { uintptr_t base, end; } lc_extent_t;

// One mmap'd chunk c = chunk: head == size | LC_CINUSE | LC_MMAPPED; its mapping [c - prev_foot, that + map_size)
// is page-aligned and c + size(c) == its end.
typedef struct lc_large_s { uintptr_t chunk; size_t map_size; } lc_large_t;

typedef struct lc_heap_stats_s {
  size_t brk_bytes, mmap_extent_bytes;  // memory held for extents: sum(end - base) + at most 30 per extent
  size_t large_bytes, large_count;      // == sum(large[i].map_size), == nlarge
  size_t in_use_bytes;                  // == sum(size(c)) over the in-use chunks of the extents, fences left out
                                        //    (chunks in a thread's cache are in use for this layer)
  size_t peak_in_use_bytes;             // >= in_use_bytes
  uint64_t sbrk_calls, trims, brk_failures;
  size_t retired_chunks, retired_bytes; // free chunks retired for damage (counted in in_use_bytes from then on)
} lc_heap_stats_t;

typedef struct lc_heap_s {
  lc_lock_t lock;
  int use_brk;                        // 1: grow with sbrk first; 0: mmap only (internal heap)
  const char *name;
  lc_chunk_t bins[LC_NBINS];          // circular sentinels; bins[i].fd is the first free chunk; every c on bins[i]
                                      //   is free, with bin_index(size(c)) == i: size / 16 below 1 KiB, then four
                                      //   bins per power of two, the last one open-ended
  uint64_t binmap[LC_NBINS / 64];     // bit i set <=> bins[i].fd != &bins[i] (non-empty)
  uintptr_t top, top_end;             // unused tail of the current extent: [top, top_end);
                                      //   extents[cur].base <= top, top + 16 <= top_end == extents[cur].end
                                      //   (room to seal it with a fence)
  int cur;                            // index of the current extent: == nextents - 1 (-1: no extent yet)
  uintptr_t cur_base;                 // == extents[cur].base (0 while there is none): the checks' fast path
  int hint;                           // the extent a check found an address in last (any value is safe: a hint)
  int nextents;                       // extents[0..nextents) are published (readable without the lock)
  lc_extent_t extents[LC_MAX_EXTENTS];
  lc_large_t *large; size_t nlarge, large_cap;   // mmap'd chunks, in checker-owned memory; nlarge <= large_cap;
                                                 //   sorted: large[i].chunk < large[i+1].chunk, mappings disjoint
  size_t mmap_threshold, trim_threshold;
  lc_heap_stats_t stats;
  uint64_t ops, xcheck_at;            // operations under the lock; LC_DEBUG >= 2 validates when ops reaches xcheck_at
  uintptr_t damaged[16];              // the chunks (or addresses) whose damage was recorded last, so that the same
  unsigned ndamaged;                  //   damage met again is refused quietly: a ring, ndamaged counts every entry
} lc_heap_t;

extern lc_heap_t lc_user_heap, lc_internal_heap;

void lc_heap_setup(lc_heap_t *h, const char *name, int use_brk, size_t mmap_threshold, size_t trim_threshold);

// pre: h->lock held.  post: a chunk of at least `size` payload bytes whose payload is aligned to `align`
// (a power of two >= 16), or NULL (errno untouched). Chunks >= mmap_threshold are mmap'd.
void *lc_heap_alloc_locked(lc_heap_t *h, size_t size, size_t align);
// The same without the caller holding the lock: small chunks of the user heap come from and go to a per-thread
// cache first. post of lc_heap_free: a chunk that went to the cache keeps its first 24 payload bytes (a block
// header) and its tag; it holds a check word at payload + 24 and its link in its payload's last word (see heap.c);
// one that went to a free list keeps nothing (its first 16 bytes hold the list links).
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
// 1 if the chunk tag in front of payload still describes an in-use chunk of h whose payload holds between lo and
// hi bytes, where such a chunk can be (in an extent, or mmap'd on its own outside them): a write past the previous
// block can overwrite the tag, and a wrong size or flag must never reach the free lists.
int lc_heap_chunk_plausible(lc_heap_t *h, const void *payload, size_t lo, size_t hi);
// Usable payload bytes of a chunk handed out.
size_t lc_heap_payload_size(const void *payload);
// Try to grow or shrink a chunk in place to hold `size` payload bytes. pre: lock held. Returns 1 on success.
int lc_heap_resize_locked(lc_heap_t *h, void *payload, size_t size);

// 1 if addr lies in one of h's extents (any chunk, free or not) or in one of its large chunks.
// Lock-free for extents; large chunks are looked up under the lock.
int lc_heap_contains(lc_heap_t *h, const void *addr);
// 1 if addr lies in one of h's extents. Lock-free.
int lc_heap_in_extents(lc_heap_t *h, const void *addr);
// 1 if [addr, addr + len) lies in the mapping of one of h's large chunks. pre: h->lock held (the chunk cannot be
// unmapped while it is).
int lc_heap_in_large_locked(lc_heap_t *h, const void *addr, size_t len);
// The payload of the in-use chunk that contains addr, or NULL. Slow (walks the extent): error paths only.
void *lc_heap_find_chunk_locked(lc_heap_t *h, const void *addr);

// Calls fn(payload, payload_size, arg) for every in-use chunk, in address order per extent, then large ones.
// pre: lock held (or the world is stopped).
typedef void (*lc_chunk_fn)(void *payload, size_t payload_size, void *arg);
void lc_heap_for_each_chunk_locked(lc_heap_t *h, lc_chunk_fn fn, void *arg);
// Calls fn(start, end, arg) for each address range this heap owns (extents, large mappings): the leak scan
// excludes them from the roots.
void lc_heap_for_each_range_locked(lc_heap_t *h, lc_range_fn fn, void *arg);

// What lc_heap_validate_locked found, first violation first. Every kind but LC_HEAP_TAG_OVERWRITTEN is a fault of
// the heap's own bookkeeping.
typedef enum lc_heap_fault_e {
  LC_HEAP_OK = 0,
  LC_HEAP_BAD_EXTENT,        // the extent table, cur, top or top_end break their equations
  LC_HEAP_BAD_TAG,           // a chunk's size or flags cannot be right where it sits, and only the heap writes
                             //   there (it follows a free chunk); or a sealed extent lacks its fence
  LC_HEAP_ADJACENT_FREE,     // two free chunks side by side
  LC_HEAP_FREE_BEFORE_TOP,   // a free chunk ends at top
  LC_HEAP_BAD_PINUSE,        // LC_PINUSE differs from whether the previous chunk is in use
  LC_HEAP_BAD_PREV_FOOT,     // prev_foot differs from the size of the free chunk before
  LC_HEAP_BAD_LINK,          // fd->bk != c or bk->fd != c, or a link that leads out of the heap
  LC_HEAP_WRONG_BIN,         // a free chunk on the bin of another size class
  LC_HEAP_NOT_IN_BIN,        // a free chunk on no bin (or on one the walk cannot reach)
  LC_HEAP_BAD_BIN_ENTRY,     // a bin holds a chunk in use, or an address that is no chunk of the heap
  LC_HEAP_BAD_BINMAP,        // binmap bit i differs from whether bins[i] is empty
  LC_HEAP_BAD_LARGE,         // the large chunk table (order, overlap, tags against entries)
  LC_HEAP_BAD_STATS,         // in_use_bytes (not checked once damage was recorded: retired chunks blur it),
                             //   large_bytes, large_count, peak or the extent bytes disagree
  // Nothing else is wrong, but a tag right after an in-use chunk (or at an extent's start, or of a large chunk)
  // holds what no heap operation writes: the program's overflow or underflow. The walk of that extent stops at it,
  // as lc_heap_for_each_chunk_locked does; bins are matched with the chunks the walks reached, and in_use_bytes
  // is not checked. (A wrong size of an in-use chunk looks the same when it leads the walk into garbage.)
  LC_HEAP_TAG_OVERWRITTEN,
} lc_heap_fault_t;

typedef struct lc_heap_violation_s {
  lc_heap_fault_t fault;
  const char *what;              // which equation, in words (a static string)
  uintptr_t addr;                // the chunk, bin sentinel, extent entry or large table entry at fault
  uint64_t found, expected;      // the two sides that differ, where there are two (else 0)
  int bin;                       // the bin concerned (its sentinel, or the bin of the chunk at fault), or -1
  uintptr_t before;              // the chunk before addr in its extent's walk, when the fault is between the two
} lc_heap_violation_t;

// Checks every invariant written above and at the structures. Reads only: no allocation, no stdio, no lock taken,
// never faults on a broken heap (links are followed only into the heap's own extents and bins).
// pre: h->lock held (or the world stopped).  post: returns report->fault; LC_HEAP_OK leaves the rest zero but bin,
// which is -1.
lc_heap_fault_t lc_heap_validate_locked(lc_heap_t *h, lc_heap_violation_t *report);
// Makes the heap usable past a violation the validator reported: the bin it names is retired, a free chunk on no
// bin is retired, a PINUSE bit or prev_foot is set to what the chunk before says; faults of the heap's own tables
// (extents, binmap, large chunks, counters) are left. Returns 1 if the violation's chunk was not recorded as
// damaged before (say it), 0 if it was (said already).  pre: h->lock held.
int lc_heap_repair_locked(lc_heap_t *h, const lc_heap_violation_t *v);

/* ---- damage: metadata of a free or cached chunk found overwritten ---- */

typedef struct lc_heap_damage_s {
  const lc_heap_t *heap;
  const char *what;              // the check that failed, in words (a static string)
  uintptr_t addr;                // the first word found wrong (a tag, a link, a check word)
  uintptr_t chunk;               // the chunk it belongs to (0: none known); a block header still valid in it, or
                                 //   the block in use just before it, is the nearest block
  uint64_t found, expected;      // what was there and what the check wanted, where there are two (else 0)
} lc_heap_damage_t;

#define LC_HEAP_DAMAGE_MAX 4
// Damage found by this thread's heap operations and not yet taken (each one once: see lc_heap_t.damaged).
extern __thread int lc_heap_damage_pending __attribute__((tls_model("initial-exec")));
// Moves up to max recorded damages (the first ones) into out; returns how many, and forgets the rest.
int lc_heap_take_damage(lc_heap_damage_t *out, int max);

// What the allocator does for the heap, which knows no blocks: retired is called under the heap lock for each chunk
// retired (it may write that payload, nothing else); unclaimed is called with no lock held when damage was recorded
// where no caller will take it (a thread's cache flushed as the thread exits).
typedef struct lc_heap_hooks_s {
  void (*retired)(void *payload, size_t payload_size);
  void (*unclaimed)(void);
} lc_heap_hooks_t;
void lc_heap_set_hooks(const lc_heap_hooks_t *hooks);

#endif
