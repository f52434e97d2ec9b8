/* alloc.c: the policy of malloc, free and realloc: which heap, when to check, what a bad pointer means,
 * the quarantine's life cycle, what damage the heap found in its free chunks is said as. Bytes are only touched
 * through block.c; findings go to report.c. */
#define _GNU_SOURCE
#include "alloc.h"
#include "heap.h"
#include "quiesce.h"
#include "options.h"
#include "quarantine.h"
#include "report.h"
#include "unwind.h"

#include <string.h>

static lc_heap_usage_t stats;
static uint64_t ticks;

// Recently unmapped large blocks: a second free of one is a double free, not a wild pointer.
#define UNMAPPED_RING 256
static struct { uintptr_t user; size_t size; uint32_t alloc_stack, free_stack; } unmapped[UNMAPPED_RING];
static unsigned unmapped_next;
static lc_lock_t unmapped_lock = LC_LOCK_INIT;


static void retired_chunk(void *payload, size_t payload_size);
static void unclaimed_damage(void);

void lc_alloc_setup(void) {
  size_t mmap_threshold = (size_t)lc_options.mmap_threshold_kb * 1024;
  if (mmap_threshold < 4096) mmap_threshold = 4096;
  lc_heap_setup(&lc_user_heap, "user", 1, mmap_threshold, (size_t)lc_options.trim_threshold_kb * 1024);
  lc_heap_setup(&lc_internal_heap, "internal", 0, (size_t)1 << 24, 0);
  lc_heap_set_hooks(&(lc_heap_hooks_t){ .retired = retired_chunk, .unclaimed = unclaimed_damage });
  lc_block_checks = lc_options.checks;
  lc_block_poison_limit = lc_options.poison_bytes > 0 ? (size_t)lc_options.poison_bytes : 0;
  lc_quarantine_setup(lc_options.checks ? (size_t)lc_options.quarantine_mb << 20 : 0);
}

/* ---- damage the heap found in its free chunks: corrupted-heap ---- */

// Taken from the heap after each of its calls, with the call and stack that met it, and said at the end of the
// program's call (lc_alloc_tick): it can be met while this thread is inside a report (the symbolizer allocates),
// and saying it there would wait for the report's own lock.
typedef struct queued_s { lc_heap_damage_t d; lc_by_t by; uint32_t stack; } queued_t;
static __thread queued_t queued[LC_HEAP_DAMAGE_MAX] __attribute__((tls_model("initial-exec")));
static __thread int nqueued __attribute__((tls_model("initial-exec")));

static LC_NOINLINE void collect_slow(lc_by_t by, uint32_t stack) {
  lc_heap_damage_t d[LC_HEAP_DAMAGE_MAX];
  int n = lc_heap_take_damage(d, LC_HEAP_DAMAGE_MAX);
  for (int i = 0; i < n && nqueued < LC_HEAP_DAMAGE_MAX; i++) queued[nqueued++] = (queued_t){ d[i], by, stack };
}

static inline void collect(lc_by_t by, uint32_t stack) {
  if (lc_unlikely(lc_heap_damage_pending)) collect_slow(by, stack);
}

// 1 if [a, a + len) lies in one extent of h (so it can be read).
static int in_extent(const lc_heap_t *h, uintptr_t a, size_t len) {
  for (int i = 0; i < h->nextents; i++)
    if (a >= h->extents[i].base && a < h->extents[i].end && len <= h->extents[i].end - a) return 1;
  return 0;
}

// The user bytes of the block nearest to damaged chunk metadata, and a copy of its header, or NULL: the block whose
// header is still valid in the damaged chunk (a freed block in the thread's cache), else the block in use right
// before it (whose overflow reaches it first). pre: h->lock held.
static void *nearest_block_locked(lc_heap_t *h, uintptr_t chunk, uintptr_t addr, lc_header_t *copy) {
  if (chunk && (chunk % LC_ALIGN || !in_extent(h, chunk, LC_CHUNK_OVERHEAD + LC_PREFIX))) chunk = 0;
  if (chunk) {
    lc_header_t *own = lc_block_from_payload((char *)chunk + LC_CHUNK_OVERHEAD, LC_PREFIX);
    // (a header written by lc_block_retire over a retired chunk names nothing)
    if (own && (own->size || own->alloc_stack || !own->reported)) { *copy = *own; return lc_block_user(own); }
  }
  uintptr_t at = chunk ? chunk : addr;
  void *payload = at ? lc_heap_find_chunk_locked(h, (void *)(at - 1)) : NULL;
  lc_header_t *before = payload ? lc_block_from_payload(payload, lc_heap_payload_size(payload)) : NULL;
  if (!before) return NULL;
  *copy = *before;
  return lc_block_user(before);
}

static lc_error_t heap_error_locked(lc_heap_t *h, uintptr_t chunk, uintptr_t addr, const char *what, lc_by_t by,
                                    uint32_t stack) {
  lc_header_t copy;
  void *block = nearest_block_locked(h, chunk, addr, &copy);
  return lc_report_make_error(LC_ERR_CORRUPTED_HEAP, by, (void *)addr, block, block ? &copy : NULL, NULL, stack, what);
}

static void say_queued(void) {
  queued_t all[LC_HEAP_DAMAGE_MAX];
  int n = nqueued;
  memcpy(all, queued, (size_t)n * sizeof *all);            // (a report can queue more: said next time)
  nqueued = 0;
  for (int i = 0; i < n; i++) {
    const queued_t q = all[i];
    lc_heap_t *h = (lc_heap_t *)q.d.heap;
    lc_lock(&h->lock);
    lc_error_t e = heap_error_locked(h, q.d.chunk, q.d.addr, q.d.what, q.by, q.stack);
    lc_unlock(&h->lock);
    lc_report_error(&e);
  }
}

// Under the heap lock, for each chunk the heap retires: one that holds no valid block header gets a retired one, so
// that the whole-heap checks and the leak scan see a freed, reported block there and say nothing more of it.
static void retired_chunk(void *payload, size_t payload_size) {
  size_t look = payload_size < ((size_t)1 << 20) ? payload_size : (size_t)1 << 20;
  if (payload_size >= LC_PREFIX && !lc_block_from_payload(payload, look)) lc_block_retire((char *)payload + LC_PREFIX);
}

// Damage no call of the program will take: a thread's cache flushed at its exit, malloc_trim.
static void unclaimed_damage(void) {
  lc_enter();
  collect(LC_BY_FREE, lc_options.stacks ? lc_unwind_capture() : 0);
  say_queued();
  lc_leave();
}

static inline lc_heap_t *heap_for(lc_origin_t origin) {
  return origin == LC_ORIGIN_INTERNAL ? &lc_internal_heap : &lc_user_heap;
}

static void evict(void *p, uint32_t stack);

// Out of memory (RLIMIT_DATA, RLIMIT_AS, a full address space): the quarantine is memory the program has given
// back, so it goes back to the heap, checked as usual, before the program is told there is none.
static int release_quarantine(uint32_t stack) {
  lc_qentry_t out[64];
  int n, any = 0;
  while ((n = lc_quarantine_drain(out, 64)) > 0) {
    for (int i = 0; i < n; i++) evict(out[i].user, stack);
    any = 1;
  }
  return any;
}

void *lc_alloc(size_t size, size_t align, lc_origin_t origin, int zero, uint32_t stack) {
  if (size > LC_MAX_SIZE) return NULL;
  lc_heap_t *h = heap_for(origin);
  size_t heap_align, req = lc_block_payload_request(size, align, &heap_align);
  size_t psize;
  void *payload = lc_heap_alloc(h, req, heap_align, &psize);
  if (!payload && origin != LC_ORIGIN_INTERNAL && release_quarantine(stack))
    payload = lc_heap_alloc(h, req, heap_align, &psize);
  collect(LC_BY_MALLOC, stack);
  if (!payload) return NULL;
  uint32_t seq = 0;
  if (origin != LC_ORIGIN_INTERNAL) {
    seq = (uint32_t)__atomic_add_fetch(&stats.allocs, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&stats.bytes_allocated, size, __ATOMIC_RELAXED);
  }
  void *user = lc_block_format(payload, psize, size, align, origin, stack, seq);
  if (zero && !lc_heap_is_large(payload)) memset(user, 0, size);   // fresh mmap pages are zero already
  return user;
}

void lc_alloc_mark_loader(void *p) { lc_block_set_loader(p); }

#define HEADER_OVERWRITTEN "the block's header was overwritten (an underflow?)"
#define TAG_OVERWRITTEN "the heap's tag in front of the block was overwritten"

// h is a copy of the header of the block whose user bytes start at `block`; p is the pointer concerned.
static void say_block(lc_error_kind_t kind, const void *p, const void *block, const lc_header_t *h, uint32_t stack,
                      lc_by_t by, const char *detail, const lc_damage_t *d) {
  lc_error_t e = lc_report_make_error(kind, by, p, block, h, d, stack, detail);
  lc_report_error(&e);
}

// The common case: p is the block's own user pointer.
static void say(lc_error_kind_t kind, const void *p, const lc_header_t *h, uint32_t stack, lc_by_t by,
                const char *detail, const lc_damage_t *d) {
  say_block(kind, p, p, h, stack, by, detail, d);
}

// 1 if the chunk tag in front of the block agrees with its header (the payload the block needs, plus what
// rounding, an unsplit remainder or a page may add). Else a write before the block, or past the one before
// it, reached the tag: it is said as a corrupted header and the chunk is never freed.
static int tag_intact(void *p, const lc_header_t *h, uint32_t stack, lc_by_t by) {
  void *payload = lc_block_payload(lc_block_header(p));
  size_t need = h->gap + LC_PREFIX + h->size + (lc_block_checks ? LC_BACK_CANARY_MIN : 0);
  size_t slack = lc_heap_is_large(payload) ? 4096 + h->gap + LC_CHUNK_OVERHEAD : 2 * LC_ALIGN + 32;
  if (lc_heap_chunk_plausible(&lc_user_heap, payload, need, need + slack)) return 1;
  if (!h->reported) say(LC_ERR_CORRUPTED_HEADER, p, h, stack, by, TAG_OVERWRITTEN, NULL);
  lc_block_retire(p);
  return 0;
}

// The damage a block shows, judged the same way at free, at eviction and in whole-heap checks: a live block
// by its canaries (underflow before overflow), a quarantined one by its poison, then its canaries (a write
// outside the freed block). Returns the kind and fills *d (and *detail), or -1 when the block is intact.
static int block_damage(void *user, const lc_header_t *h, size_t psize, lc_damage_t *d, const char **detail) {
  *detail = NULL;
  if (h->state == LC_BLOCK_QUARANTINED) {
    if (lc_block_poison_damaged(user, h->size, d)) return LC_ERR_USE_AFTER_FREE;
    if (!lc_block_front_damaged(user, d) && !lc_block_back_damaged(user, h->size, psize, h->gap, d)) return -1;
    *detail = "the write lies outside the freed block";
    return LC_ERR_USE_AFTER_FREE;
  }
  if (lc_block_front_damaged(user, d)) return LC_ERR_UNDERFLOW;
  if (lc_block_back_damaged(user, h->size, psize, h->gap, d)) return LC_ERR_OVERFLOW;
  return -1;
}

// Checks a block whose header validated (its tag, then its canaries or poison); reports (once) and returns 1 if
// damaged.
static int block_damaged(void *p, const lc_header_t *h, uint32_t stack, lc_by_t by) {
  if (!tag_intact(p, h, stack, by)) return 1;        // the back canary's end is not known: said already
  if (!lc_block_checks) return 0;
  lc_damage_t d;
  const char *detail;
  int kind = block_damage(p, h, lc_heap_payload_size(lc_block_payload(lc_block_header(p))), &d, &detail);
  if (kind < 0) return 0;
  if (!h->reported) {
    say((lc_error_kind_t)kind, p, h, stack, by, detail, &d);
    lc_block_mark_reported(p);
  }
  return 1;
}

static void remember_unmapped(void *p, const lc_header_t *h, uint32_t free_stack) {
  lc_lock(&unmapped_lock);
  unsigned i = unmapped_next++ % UNMAPPED_RING;
  unmapped[i].user = (uintptr_t)p;
  unmapped[i].size = h->size;
  unmapped[i].alloc_stack = h->alloc_stack;
  unmapped[i].free_stack = free_stack;
  lc_unlock(&unmapped_lock);
}

// A block leaving the quarantine: returns the chunk to its heap (or leaves it, marked freed, when it is damaged:
// never reuse a damaged block).
static void release(void *p, int damaged, uint32_t free_stack, lc_by_t by) {
  lc_block_set_state(p, LC_BLOCK_FREED, free_stack);
  if (damaged) return;
  lc_heap_free(&lc_user_heap, lc_block_payload(lc_block_header(p)));
  collect(by, free_stack);
}

// A block leaves the quarantine: its poison and canaries must be intact, else it was written after free.
static void evict(void *p, uint32_t stack) {
  lc_header_t h;
  lc_block_status_t st = lc_block_validate(p, &h);
  if (st == LC_BLOCK_BAD_SUM) {                         // even the header was overwritten after the free
    lc_damage_t d = { .offset = -LC_PREFIX, .length = LC_HEADER_SIZE };
    lc_header_t lost = { 0 };                           // its size and stacks went with the header
    if (!lc_block_header(p)->reported)
      say(LC_ERR_USE_AFTER_FREE, p, &lost, stack, LC_BY_QUARANTINE, "the freed block's header was overwritten", &d);
    lc_block_retire(p);                                 // never reuse: we cannot trust its size
    return;
  }
  release(p, block_damaged(p, &h, stack, LC_BY_QUARANTINE), h.free_stack, LC_BY_QUARANTINE);
}

static void quarantine(void *p, size_t size, uint32_t stack) {
  lc_qentry_t out[16];
  lc_qentry_t e = { p, size };
  for (;;) {
    int n = lc_quarantine_push(e, out, 16);
    for (int i = 0; i < n; i++) evict(out[i].user, stack);
    if (n < 16) break;
    e.user = NULL;
  }
}

// free() of something that is not the start of a live block of ours: classify and say it.
static void bad_pointer(void *p, uint32_t stack, lc_by_t by) {
  lc_heap_t *uh = &lc_user_heap;
  if (lc_heap_contains(uh, p)) {
    lc_lock(&uh->lock);
    void *payload = lc_heap_find_chunk_locked(uh, p);
    lc_header_t *h = payload ? lc_block_from_payload(payload, lc_heap_payload_size(payload)) : NULL;
    lc_header_t copy;
    if (h) copy = *h;
    int ours = payload && !h && (char *)p == (char *)payload + LC_PREFIX;   // where a block's user bytes start
    lc_unlock(&uh->lock);
    if (ours) {                       // our block, but its header does not add up: written before the block
      say(LC_ERR_CORRUPTED_HEADER, p, NULL, stack, by, HEADER_OVERWRITTEN, NULL);
      lc_block_retire(p);             // never reused, never said again
      return;
    }
    if (h) {
      say_block(LC_ERR_INVALID_FREE, p, lc_block_user(h), &copy, stack, by,
          copy.state == LC_BLOCK_LIVE ? "pointer into the middle of a block" : "pointer into a freed block", NULL);
      return;
    }
    say(LC_ERR_INVALID_FREE, p, NULL, stack, by, "pointer into the heap, but to no block (already freed?)", NULL);
    return;
  }
  lc_lock(&unmapped_lock);
  for (unsigned i = 0; i < UNMAPPED_RING; i++)
    if (unmapped[i].user == (uintptr_t)p) {
      lc_header_t h = { .size = unmapped[i].size, .alloc_stack = unmapped[i].alloc_stack,
                        .free_stack = unmapped[i].free_stack, .gap = 0 };
      lc_unlock(&unmapped_lock);
      say(LC_ERR_DOUBLE_FREE, p, &h, stack, by, NULL, NULL);
      return;
    }
  lc_unlock(&unmapped_lock);
  say(LC_ERR_INVALID_FREE, p, NULL, stack, by,
      "address was not allocated by heapcheck (stack, global, or another allocator's memory)", NULL);
}

// 1 if the 32 bytes before p and p itself lie in the user heap, so its header can be read.
static int header_readable(const void *p) {
  if (((uintptr_t)p & (LC_ALIGN - 1)) != 0) return 0;
  return lc_heap_contains(&lc_user_heap, (const char *)p - LC_PREFIX) && lc_heap_contains(&lc_user_heap, p);
}

static void free_internal(void *p) {
  lc_header_t *h = lc_block_header(p);
  lc_lock(&lc_internal_heap.lock);
  lc_heap_free_locked(&lc_internal_heap, lc_block_payload(h));
  lc_unlock(&lc_internal_heap.lock);
  collect(LC_BY_FREE, 0);
}

// This free lost the exchange of the header to another thread freeing the same block at the same moment: a double
// free, said with the header as the winner left it (its free stack), or as this call saw it when the block is gone.
static LC_NOINLINE void lost_race(void *p, const lc_header_t *seen, uint32_t stack, lc_by_t by) {
  lc_header_t now;
  say(LC_ERR_DOUBLE_FREE, p, lc_block_validate(p, &now) == LC_BLOCK_NOT_LIVE ? &now : seen, stack, by, NULL, NULL);
}

// A block outside the extents can only be a large one, and its free unmaps it: it is read and claimed under the
// heap lock, which the unmapping takes too, so that a second free racing the first never reads the header of a
// block that is gone. Returns 1 when this call made it FREED (*h: the header as it was), else 0 once it said what
// the pointer is.
static LC_NOINLINE int claim_large(void *p, lc_header_t *h, uint32_t stack, lc_by_t by) {
  lc_heap_t *uh = &lc_user_heap;
  lc_lock(&uh->lock);
  int mapped = lc_heap_in_large_locked(uh, (char *)p - LC_PREFIX, LC_PREFIX + 1);
  lc_block_status_t st = mapped ? lc_block_validate(p, h) : LC_BLOCK_BAD_SUM;
  int won = st == LC_BLOCK_OK && lc_block_claim(p, h, LC_BLOCK_FREED, stack);
  lc_unlock(&uh->lock);
  if (won) return 1;
  if (st == LC_BLOCK_BAD_SUM) bad_pointer(p, stack, by);
  else say(LC_ERR_DOUBLE_FREE, p, h, stack, by, NULL, NULL);
  return 0;
}

void lc_free(void *p, lc_origin_t origin, uint32_t stack, lc_by_t by) {
  if (!p) return;
  if (lc_heap_contains(&lc_internal_heap, p)) { free_internal(p); return; }
  lc_header_t h;
  if (((uintptr_t)p & (LC_ALIGN - 1)) != 0) { bad_pointer(p, stack, by); return; }
  void *payload;
  int large, held;
  if (lc_likely(lc_heap_in_extents(&lc_user_heap, (char *)p - LC_PREFIX) && lc_heap_in_extents(&lc_user_heap, p))) {
    lc_block_status_t st = lc_block_validate(p, &h);
    if (st == LC_BLOCK_BAD_SUM) { bad_pointer(p, stack, by); return; }
    if (st == LC_BLOCK_NOT_LIVE) { say(LC_ERR_DOUBLE_FREE, p, &h, stack, by, NULL, NULL); return; }
    payload = lc_block_payload(lc_block_header(p));
    large = lc_heap_is_large(payload);
    held = !large && lc_quarantine_budget() != 0;
    // The block is this call's from here: LIVE -> QUARANTINED (FREED when it is not held) in one compare-and-swap
    // of the header, so a second free of it racing this one either sees the new state or loses the exchange, and
    // is a double free either way.
    if (lc_unlikely(!lc_block_claim(p, &h, held ? LC_BLOCK_QUARANTINED : LC_BLOCK_FREED, stack))) {
      lost_race(p, &h, stack, by);
      return;
    }
  } else {
    if (!claim_large(p, &h, stack, by)) return;
    payload = lc_block_payload(lc_block_header(p));
    large = lc_heap_is_large(payload);
    held = 0;                                            // claimed FREED: a block here is never quarantined
  }
  __atomic_add_fetch(&stats.frees, 1, __ATOMIC_RELAXED);
  if (h.origin != origin) {
    static const char *const combos[3][3] = {
      { NULL, "allocated with malloc(), released with operator delete", "allocated with malloc(), released with operator delete[]" },
      { "allocated with operator new, released with free()", NULL, "allocated with operator new, released with operator delete[]" },
      { "allocated with operator new[], released with free()", "allocated with operator new[], released with operator delete", NULL },
    };
    say(LC_ERR_MISMATCHED_FREE, p, &h, stack, by, origin < 3 && h.origin < 3 ? combos[h.origin][origin] : NULL, NULL);
  }
  int damaged = block_damaged(p, &h, stack, by);       // a damaged block is left freed, never reused
  if (large) {
    if (damaged) return;
    remember_unmapped(p, &h, stack);
    lc_lock(&lc_user_heap.lock);
    lc_heap_free_locked(&lc_user_heap, payload);
    lc_unlock(&lc_user_heap.lock);
    collect(by, stack);
    return;
  }
  if (!held) {
    if (damaged) return;
    lc_heap_free(&lc_user_heap, payload);
    collect(by, stack);
    return;
  }
  if (damaged) { lc_block_set_state(p, LC_BLOCK_FREED, stack); return; }
  lc_block_poison(p, h.size);
  quarantine(p, h.size ? h.size : 1, stack);
}

void *lc_realloc(void *p, size_t size, uint32_t stack, lc_origin_t origin_if_new) {
  if (!p) return lc_alloc(size, LC_ALIGN, origin_if_new, 0, stack);
  if (size == 0) { lc_free(p, LC_ORIGIN_MALLOC, stack, LC_BY_REALLOC); return NULL; }   // glibc: frees, returns NULL
  if (size > LC_MAX_SIZE) return NULL;
  int internal = lc_heap_contains(&lc_internal_heap, p);
  lc_header_t h;
  if (!internal) {
    if (!header_readable(p) || lc_block_validate(p, &h) == LC_BLOCK_BAD_SUM) { bad_pointer(p, stack, LC_BY_REALLOC); return NULL; }
    if (h.state != LC_BLOCK_LIVE) {
      say(LC_ERR_USE_AFTER_FREE, p, &h, stack, LC_BY_REALLOC, "realloc() of a freed pointer", NULL);
      return NULL;
    }
    if (h.origin != LC_ORIGIN_MALLOC) {   // realloc releases the block as free() does
      say(LC_ERR_MISMATCHED_FREE, p, &h, stack, LC_BY_REALLOC, h.origin == LC_ORIGIN_NEW
          ? "allocated with operator new, released with realloc()" : "allocated with operator new[], released with realloc()", NULL);
      h.origin = LC_ORIGIN_MALLOC;         // said once; what realloc returns is malloc memory
      lc_block_set_origin(p, LC_ORIGIN_MALLOC);
    }
    if (block_damaged(p, &h, stack, LC_BY_REALLOC)) {   // moved; the damaged block is given up, never reused
      void *n = lc_alloc(size, LC_ALIGN, LC_ORIGIN_MALLOC, 0, stack);
      if (n) {
        memcpy(n, p, h.size < size ? h.size : size);
        lc_block_set_state(p, LC_BLOCK_FREED, stack);
        __atomic_add_fetch(&stats.frees, 1, __ATOMIC_RELAXED);
      }
      return n;
    }
  } else {
    h = *lc_block_header(p);
  }
  lc_heap_t *heap = internal ? &lc_internal_heap : &lc_user_heap;
  void *payload = lc_block_payload(lc_block_header(p));
  size_t heap_align, req = lc_block_payload_request(size, LC_ALIGN, &heap_align);
  if (h.gap == 0) {
    lc_lock(&heap->lock);
    int ok = lc_heap_resize_locked(heap, payload, req);
    size_t psize = lc_heap_payload_size(payload);
    lc_unlock(&heap->lock);
    collect(LC_BY_REALLOC, stack);
    if (ok) {
      lc_block_resize(p, psize, size, internal ? 0 : stack);
      if (!internal) {                 // counted as memcheck does: one allocation and one free
        __atomic_add_fetch(&stats.allocs, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&stats.frees, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&stats.bytes_allocated, size, __ATOMIC_RELAXED);
      }
      return p;
    }
  }
  void *n = lc_alloc(size, LC_ALIGN, internal ? LC_ORIGIN_INTERNAL : LC_ORIGIN_MALLOC, 0, internal ? 0 : stack);
  if (!n) return NULL;
  memcpy(n, p, h.size < size ? h.size : size);
  if (internal) free_internal(p);
  else lc_free(p, h.origin, stack, LC_BY_REALLOC);       // origin as allocated: a mismatch was said above if any
  return n;
}

size_t lc_usable_size(const void *p) {
  if (!p) return 0;
  if (lc_heap_contains(&lc_internal_heap, p)) return lc_block_header(p)->size;
  lc_header_t h;
  if (!header_readable(p) || lc_block_validate(p, &h) != LC_BLOCK_OK) return 0;
  return h.size;
}

/* ---- whole-heap verification ---- */

// Runs with every other thread out of the allocator (lc_quiesce) and under the heap lock: no block is being
// written, none is freed or unmapped while it is read. Findings are made into errors there and said after.
#define MAX_FINDINGS 4096
typedef struct { lc_error_t *list; size_t n; uint32_t stack; lc_by_t by; } findings_t;

static void verify_chunk(void *payload, size_t psize, void *arg) {
  findings_t *f = arg;
  if (f->n >= MAX_FINDINGS) return;
  lc_header_t *h = lc_block_from_payload(payload, psize);
  if (!h) {                                            // every in-use chunk holds a sealed header: damage
    if (psize < LC_PREFIX) return;
    void *user = (char *)payload + LC_PREFIX;
    f->list[f->n++] = lc_report_make_error(LC_ERR_CORRUPTED_HEADER, f->by, user, NULL, NULL, NULL, f->stack,
                                           HEADER_OVERWRITTEN);
    lc_block_retire(user);
    return;
  }
  if (h->reported || (h->state != LC_BLOCK_LIVE && h->state != LC_BLOCK_QUARANTINED)) return;
  void *user = lc_block_user(h);
  lc_header_t c = *h;
  lc_damage_t d;
  const char *detail;
  int kind = block_damage(user, &c, psize, &d, &detail);
  if (kind < 0) return;
  f->list[f->n++] = lc_report_make_error((lc_error_kind_t)kind, f->by, user, user, &c, &d, f->stack, detail);
  lc_block_mark_reported(user);
}

// The heap's own structures first (lc_heap_validate_locked: free chunks, bins, tags): each violation is said as
// corrupted-heap (a tag overwritten in front of a live block as its corrupted-header) and repaired or retired, so
// that the next round can look past it; a violation met before (said already) ends the rounds.
static void check_heap_locked(findings_t *f) {
  lc_heap_t *h = &lc_user_heap;
  for (int round = 0; round < 8 && f->n < MAX_FINDINGS; round++) {
    lc_heap_violation_t v;
    lc_heap_fault_t fault = lc_heap_validate_locked(h, &v);
    if (fault == LC_HEAP_OK || !lc_heap_repair_locked(h, &v)) return;
    int chunk = v.addr % LC_ALIGN == 0 && in_extent(h, v.addr, LC_CHUNK_OVERHEAD + LC_PREFIX);
    lc_header_t *own = chunk && fault == LC_HEAP_TAG_OVERWRITTEN
                       ? lc_block_from_payload((char *)v.addr + LC_CHUNK_OVERHEAD, LC_PREFIX) : NULL;
    if (own && own->state == LC_BLOCK_LIVE && !own->reported) {   // the block behind the tag: its header's damage
      void *user = lc_block_user(own);
      lc_header_t c = *own;
      f->list[f->n++] = lc_report_make_error(LC_ERR_CORRUPTED_HEADER, f->by, user, user, &c, NULL, f->stack,
                                             TAG_OVERWRITTEN);
      lc_block_mark_reported(user);
    } else if (!own || !own->reported) {                // (a reported one: a free found the tag and said so)
      f->list[f->n++] = heap_error_locked(h, chunk ? v.addr : 0, v.addr, v.what, f->by, f->stack);
    }
    if (fault == LC_HEAP_TAG_OVERWRITTEN) return;       // the last thing the validator looks for
  }
}

size_t lc_alloc_check_all(lc_by_t by) {
  if (!lc_block_checks) return 0;
  say_queued();
  // The detecting stack is taken first: unwinding may take the loader's lock, which a quiesced thread may hold.
  findings_t f = { lc_os_alloc(MAX_FINDINGS * sizeof(lc_error_t)), 0, lc_options.stacks ? lc_unwind_capture() : 0,
                   by };
  if (!f.list) return 0;
  lc_quiesce();
  lc_lock(&lc_user_heap.lock);
  check_heap_locked(&f);
  lc_heap_for_each_chunk_locked(&lc_user_heap, verify_chunk, &f);
  lc_unlock(&lc_user_heap.lock);
  lc_unquiesce();
  for (size_t i = 0; i < f.n; i++) lc_report_error(&f.list[i]);
  size_t n = f.n;
  lc_os_free(f.list, MAX_FINDINGS * sizeof(lc_error_t));
  return n;
}

lc_heap_usage_t lc_alloc_stats(void) {
  lc_heap_usage_t u;
  u.allocs = __atomic_load_n(&stats.allocs, __ATOMIC_RELAXED);
  u.frees = __atomic_load_n(&stats.frees, __ATOMIC_RELAXED);
  u.bytes_allocated = __atomic_load_n(&stats.bytes_allocated, __ATOMIC_RELAXED);
  return u;
}

void lc_alloc_tick(void) {
  if (lc_unlikely(nqueued)) say_queued();
  if (lc_options.check_every > 0 &&
      __atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED) % (uint64_t)lc_options.check_every == 0)
    lc_alloc_check_all(LC_BY_CHECK_EVERY);
}

void lc_alloc_lock_all(void) {
  lc_quarantine_lock();
  lc_lock(&unmapped_lock);
  lc_lock(&lc_user_heap.lock);
  lc_lock(&lc_internal_heap.lock);
}

void lc_alloc_unlock_all(void) {
  lc_unlock(&lc_internal_heap.lock);
  lc_unlock(&lc_user_heap.lock);
  lc_unlock(&unmapped_lock);
  lc_quarantine_unlock();
}
