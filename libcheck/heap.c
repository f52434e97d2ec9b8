/* heap.c: the chunk allocator under libcheck. Grows the user heap with sbrk (new extent when the break was
 * moved by someone else, mmap'd extents when brk fails), the internal heap with mmap; boundary tags, binned
 * free lists, eager coalescing, trimming. Must not know block headers, canaries or reports. */
#define _GNU_SOURCE
#include "heap.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

lc_heap_t lc_user_heap = { .lock = LC_LOCK_INIT };
lc_heap_t lc_internal_heap = { .lock = LC_LOCK_INIT };

#define MIN_CHUNK   32u
#define FENCE_SIZE  16u
#define PAGE        4096u
#define TOP_PAD     (128u * 1024u)       // extra asked of sbrk per growth, like glibc's M_TOP_PAD
#define MMAP_EXTENT (1u << 20)           // smallest mmap'd extent

static inline lc_chunk_t *chunk_of(const void *payload) { return (lc_chunk_t *)((char *)payload - LC_CHUNK_OVERHEAD); }
static inline void *payload_of(lc_chunk_t *c) { return (char *)c + LC_CHUNK_OVERHEAD; }
static inline size_t csize(const lc_chunk_t *c) { return c->head & ~(size_t)LC_FLAGS; }
static inline lc_chunk_t *at(uintptr_t a) { return (lc_chunk_t *)a; }
static inline lc_chunk_t *next_chunk(lc_chunk_t *c) { return at((uintptr_t)c + csize(c)); }

// Pages for extents and large chunks: user memory, tracked by the heap itself (not lc_os_*, whose mappings the
// leak scan leaves out of its roots and whose contents are never blocks).
static void *os_map(size_t size) {
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* ---- bins ---- */

static inline unsigned bin_index(size_t size) {
  if (size < 1024) return (unsigned)(size >> 4);              // exact bins, 16 bytes apart
  unsigned b = 63u - (unsigned)__builtin_clzl(size);          // >= 10
  unsigned idx = 64u + (b - 10u) * 4u + (unsigned)((size >> (b - 2)) & 3u);
  return idx < LC_NBINS ? idx : LC_NBINS - 1;
}

static inline void bin_insert(lc_heap_t *h, lc_chunk_t *c) {
  unsigned i = bin_index(csize(c));
  lc_chunk_t *b = &h->bins[i];
  c->fd = b->fd; c->bk = b;
  b->fd->bk = c; b->fd = c;
  h->binmap[i >> 6] |= 1ull << (i & 63);
}

static inline void bin_unlink(lc_heap_t *h, lc_chunk_t *c) {
  c->fd->bk = c->bk; c->bk->fd = c->fd;
  unsigned i = bin_index(csize(c));
  if (h->bins[i].fd == &h->bins[i]) h->binmap[i >> 6] &= ~(1ull << (i & 63));
}

// First non-empty bin >= i, or -1.
static int next_bin(lc_heap_t *h, unsigned i) {
  for (unsigned w = i >> 6; w < LC_NBINS / 64; w++) {
    uint64_t m = h->binmap[w];
    if (w == i >> 6) m &= ~0ull << (i & 63);
    if (m) return (int)(w * 64 + (unsigned)__builtin_ctzll(m));
  }
  return -1;
}

void lc_heap_setup(lc_heap_t *h, const char *name, int use_brk, size_t mmap_threshold, size_t trim_threshold) {
  h->name = name;
  h->use_brk = use_brk;
  for (int i = 0; i < LC_NBINS; i++) h->bins[i].fd = h->bins[i].bk = &h->bins[i];
  h->cur = -1;
  h->mmap_threshold = mmap_threshold;
  h->trim_threshold = trim_threshold;
}

/* ---- extents and top ---- */

// Turns the rest of the current extent into a free chunk (if large enough) and a fence, so a walk stops there.
static void seal_current(lc_heap_t *h) {
  if (h->cur < 0) return;
  size_t rest = h->top_end - h->top;          // >= FENCE_SIZE by construction
  uintptr_t fence = h->top_end - FENCE_SIZE;
  if (rest >= MIN_CHUNK + FENCE_SIZE) {
    lc_chunk_t *c = at(h->top);
    c->head = (rest - FENCE_SIZE) | LC_PINUSE;
    at(fence)->prev_foot = rest - FENCE_SIZE;
    at(fence)->head = FENCE_SIZE | LC_CINUSE | LC_FENCE;
    bin_insert(h, c);
  } else {
    at(h->top)->head = rest | LC_CINUSE | LC_FENCE | LC_PINUSE;
  }
  h->top = h->top_end;
}

static int start_extent(lc_heap_t *h, uintptr_t base, uintptr_t end) {
  if (h->nextents >= LC_MAX_EXTENTS) return 0;
  seal_current(h);
  int i = h->nextents;
  h->extents[i].base = base;
  __atomic_store_n(&h->extents[i].end, end, __ATOMIC_RELEASE);
  __atomic_store_n(&h->nextents, i + 1, __ATOMIC_RELEASE);
  h->cur = i;
  h->top = base;
  h->top_end = end;
  return 1;
}

static int grow_brk(lc_heap_t *h, size_t need) {
  // Ask for only what the current extent lacks when the break is still where we left it; otherwise the
  // memory will start a new extent and must hold the whole request.
  int ours = h->cur >= 0 && (uintptr_t)sbrk(0) == h->top_end && h->extents[h->cur].end == h->top_end;
  size_t have = ours ? h->top_end - h->top : 0;
  size_t inc = LC_ROUND_UP(need + FENCE_SIZE + TOP_PAD - (have < need ? have : 0), PAGE);
  h->stats.sbrk_calls++;
  void *old = sbrk((intptr_t)inc);
  if (old == (void *)-1) { h->stats.brk_failures++; return 0; }
  uintptr_t b = (uintptr_t)old;
  h->stats.brk_bytes += inc;
  if (h->cur >= 0 && b == h->top_end && h->extents[h->cur].end == h->top_end) {
    h->top_end += inc;                        // the break was ours: the extent just gets longer
    __atomic_store_n(&h->extents[h->cur].end, h->top_end, __ATOMIC_RELEASE);
    return 1;
  }
  // Someone else moved the break (or this is the first growth): a new extent, both ends 16-aligned so every
  // chunk size stays a multiple of 16.
  uintptr_t base = LC_ROUND_UP(b, LC_ALIGN), end = (b + inc) & ~(uintptr_t)(LC_ALIGN - 1);
  if (start_extent(h, base, end)) return 1;
  if ((uintptr_t)sbrk(0) == b + inc) sbrk(-(intptr_t)inc);   // no room to track it: give it back
  h->stats.brk_bytes -= inc;
  return 0;
}

static int grow_mmap(lc_heap_t *h, size_t need) {
  size_t size = LC_ROUND_UP(need + FENCE_SIZE, PAGE);
  // Extents grow with the heap (an eighth of it, up to 64 MiB), so a heap that lives in mmap'd extents
  // needs few of them.
  size_t held = h->stats.brk_bytes + h->stats.mmap_extent_bytes, grown = LC_ROUND_UP(held / 8, PAGE);
  if (grown > ((size_t)64 << 20)) grown = (size_t)64 << 20;
  if (size < grown) size = grown;
  if (size < MMAP_EXTENT) size = MMAP_EXTENT;
  void *p = os_map(size);
  if (!p) return 0;
  if (!start_extent(h, (uintptr_t)p, (uintptr_t)p + size)) { munmap(p, size); return 0; }
  h->stats.mmap_extent_bytes += size;
  return 1;
}

static int grow(lc_heap_t *h, size_t need) {
  if (h->use_brk && h->stats.brk_failures == 0 && grow_brk(h, need)) return 1;
  return grow_mmap(h, need);
}

// Gives the free top of the brk extent back to the kernel, keeping `keep` bytes, while the break is still ours.
static int trim_to(lc_heap_t *h, size_t keep) {
  if (!h->use_brk || h->cur < 0 || h->stats.brk_failures) return 0;
  size_t rest = h->top_end - h->top;
  if (rest <= keep + FENCE_SIZE + PAGE) return 0;
  if ((uintptr_t)sbrk(0) != h->top_end) return 0;
  size_t release = (rest - keep - FENCE_SIZE) & ~(size_t)(PAGE - 1);
  if (release == 0 || sbrk(-(intptr_t)release) == (void *)-1) return 0;
  h->top_end -= release;
  h->stats.brk_bytes -= release;
  h->stats.trims++;
  __atomic_store_n(&h->extents[h->cur].end, h->top_end, __ATOMIC_RELEASE);
  return 1;
}

static void maybe_trim(lc_heap_t *h) {
  if (h->trim_threshold && h->top_end - h->top >= h->trim_threshold + TOP_PAD) trim_to(h, TOP_PAD);
}

static void tcache_flush(void *arg);
static struct tcache_s *tcache_self(void);

int lc_heap_trim(lc_heap_t *h, size_t pad) {
  if (h == &lc_user_heap) tcache_flush(tcache_self());    // this thread's cached chunks may sit below the top
  lc_lock(&h->lock);
  int r = trim_to(h, pad);
  lc_unlock(&h->lock);
  return r;
}

/* ---- large chunks: direct mmap, indexed in a sorted array of checker-owned memory ---- */

static size_t large_find(lc_heap_t *h, uintptr_t chunk) {     // first index with .chunk >= chunk
  size_t lo = 0, hi = h->nlarge;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (h->large[mid].chunk < chunk) lo = mid + 1; else hi = mid;
  }
  return lo;
}

static int large_insert(lc_heap_t *h, uintptr_t chunk, size_t map_size) {
  if (h->nlarge == h->large_cap) {
    size_t cap = h->large_cap ? h->large_cap * 2 : 512;
    lc_large_t *n = lc_os_alloc(cap * sizeof *n);
    if (!n) return 0;
    if (h->large) {
      memcpy(n, h->large, h->nlarge * sizeof *n);
      lc_os_free(h->large, h->large_cap * sizeof *n);
    }
    h->large = n; h->large_cap = cap;
  }
  size_t i = large_find(h, chunk);
  memmove(&h->large[i + 1], &h->large[i], (h->nlarge - i) * sizeof *h->large);
  h->large[i].chunk = chunk; h->large[i].map_size = map_size;
  h->nlarge++;
  return 1;
}

static void *alloc_large(lc_heap_t *h, size_t size, size_t align) {
  size_t map_size = LC_ROUND_UP(size + LC_CHUNK_OVERHEAD + (align > LC_ALIGN ? align : 0), PAGE);
  if (map_size < size) return NULL;
  char *map = os_map(map_size);
  if (!map) return NULL;
  uintptr_t payload = LC_ROUND_UP((uintptr_t)map + LC_CHUNK_OVERHEAD, align);
  lc_chunk_t *c = chunk_of((void *)payload);
  c->prev_foot = (uintptr_t)c - (uintptr_t)map;              // where the mapping starts
  c->head = ((uintptr_t)map + map_size - (uintptr_t)c) | LC_CINUSE | LC_MMAPPED;
  if (!large_insert(h, (uintptr_t)c, map_size)) { munmap(map, map_size); return NULL; }
  h->stats.large_bytes += map_size;
  h->stats.large_count++;
  return (void *)payload;
}

static void free_large(lc_heap_t *h, lc_chunk_t *c) {
  size_t i = large_find(h, (uintptr_t)c);
  LC_CHECK(i < h->nlarge && h->large[i].chunk == (uintptr_t)c);
  size_t map_size = h->large[i].map_size;
  memmove(&h->large[i], &h->large[i + 1], (h->nlarge - i - 1) * sizeof *h->large);
  h->nlarge--;
  h->stats.large_bytes -= map_size;
  h->stats.large_count--;
  munmap((char *)c - c->prev_foot, map_size);
}

/* ---- chunks ---- */

// Splits c (in use, size >= need) so it keeps `need` bytes; the rest becomes a free chunk or merges into top.
static void split_tail(lc_heap_t *h, lc_chunk_t *c, size_t need) {
  size_t size = csize(c);
  if (size - need < MIN_CHUNK) return;
  c->head = need | (c->head & LC_FLAGS);
  lc_chunk_t *rest = at((uintptr_t)c + need);
  rest->head = (size - need) | LC_PINUSE;
  lc_chunk_t *after = next_chunk(rest);
  if ((uintptr_t)after == h->top) { h->top = (uintptr_t)rest; return; }
  if (!(after->head & LC_CINUSE)) {                     // coalesce with a free successor
    bin_unlink(h, after);
    rest->head = (csize(rest) + csize(after)) | LC_PINUSE;
    after = next_chunk(rest);
    if ((uintptr_t)after == h->top) { h->top = (uintptr_t)rest; return; }
  }
  after->prev_foot = csize(rest);
  after->head &= ~(size_t)LC_PINUSE;
  bin_insert(h, rest);
}

static lc_chunk_t *take_from_bins(lc_heap_t *h, size_t need) {
  unsigned i = bin_index(need);
  if (i >= 64) {                                       // ranged bin: first fit inside it
    lc_chunk_t *b = &h->bins[i];
    for (lc_chunk_t *c = b->fd; c != b; c = c->fd)
      if (csize(c) >= need) { bin_unlink(h, c); return c; }
    i++;
  }
  int j = next_bin(h, i);
  if (j < 0) return NULL;
  lc_chunk_t *c = h->bins[j].fd;
  bin_unlink(h, c);
  return c;
}

static lc_chunk_t *take_chunk(lc_heap_t *h, size_t need) {
  lc_chunk_t *c = take_from_bins(h, need);
  if (c) {
    c->head |= LC_CINUSE;
    lc_chunk_t *n = next_chunk(c);
    if ((uintptr_t)n != h->top) n->head |= LC_PINUSE;
    split_tail(h, c, need);
    return c;
  }
  if (h->cur < 0 || h->top_end - h->top < need + FENCE_SIZE) {
    if (!grow(h, need)) return NULL;
    // A break moved again between our look and our sbrk can leave the new extent short: mmap then.
    if (h->top_end - h->top < need + FENCE_SIZE && (!grow_mmap(h, need) || h->top_end - h->top < need + FENCE_SIZE))
      return NULL;
  }
  c = at(h->top);
  c->head = need | LC_CINUSE | LC_PINUSE;          // the chunk before top is always in use
  h->top += need;
  return c;
}

static inline size_t request_to_chunk(size_t size) {
  size_t need = LC_ROUND_UP(size + LC_CHUNK_OVERHEAD, LC_ALIGN);
  return need < MIN_CHUNK ? MIN_CHUNK : need;
}

void *lc_heap_alloc_locked(lc_heap_t *h, size_t size, size_t align) {
  if (size > ((size_t)1 << 40)) return NULL;
  if (size >= h->mmap_threshold) return alloc_large(h, size, align);
  size_t need = request_to_chunk(size);
  if (align <= LC_ALIGN) {
    lc_chunk_t *c = take_chunk(h, need);
    if (!c) return NULL;
    h->stats.in_use_bytes += csize(c);
    if (h->stats.in_use_bytes > h->stats.peak_in_use_bytes) h->stats.peak_in_use_bytes = h->stats.in_use_bytes;
    return payload_of(c);
  }
  // Over-aligned: take room for a leading chunk to give back, then cut at an aligned payload.
  lc_chunk_t *c = take_chunk(h, need + align + MIN_CHUNK);
  if (!c) return NULL;
  uintptr_t p = (uintptr_t)payload_of(c);
  uintptr_t ap = LC_ROUND_UP(p, align);
  if (ap != p) {
    if (ap - p < MIN_CHUNK) ap += align;
    lc_chunk_t *a = chunk_of((void *)ap);
    size_t lead = (uintptr_t)a - (uintptr_t)c;
    a->head = (csize(c) - lead) | LC_CINUSE;            // PINUSE clear: the leading piece is free
    c->head = lead | (c->head & LC_PINUSE) | LC_CINUSE;
    lc_heap_free_locked(h, payload_of(c));               // gives the lead back (coalesces with predecessor)
    h->stats.in_use_bytes += lead;                       // free above subtracted it, it was never counted
    c = a;
  }
  split_tail(h, c, need);
  h->stats.in_use_bytes += csize(c);
  if (h->stats.in_use_bytes > h->stats.peak_in_use_bytes) h->stats.peak_in_use_bytes = h->stats.in_use_bytes;
  return payload_of(c);
}

void lc_heap_free_locked(lc_heap_t *h, void *payload) {
  lc_chunk_t *c = chunk_of(payload);
  if (c->head & LC_MMAPPED) { free_large(h, c); return; }
  size_t size = csize(c);
  h->stats.in_use_bytes -= size;
  if (!(c->head & LC_PINUSE)) {                          // coalesce with a free predecessor
    lc_chunk_t *prev = at((uintptr_t)c - c->prev_foot);
    bin_unlink(h, prev);
    size += csize(prev);
    c = prev;
  }
  lc_chunk_t *n = at((uintptr_t)c + size);
  if ((uintptr_t)n == h->top) {
    h->top = (uintptr_t)c;
    maybe_trim(h);
    return;
  }
  if (!(n->head & LC_CINUSE)) {
    bin_unlink(h, n);
    size += csize(n);
    n = at((uintptr_t)c + size);
    if ((uintptr_t)n == h->top) { h->top = (uintptr_t)c; maybe_trim(h); return; }
  }
  c->head = size | LC_PINUSE;
  n->prev_foot = size;
  n->head &= ~(size_t)LC_PINUSE;
  bin_insert(h, c);
}

int lc_heap_chunk_plausible(const void *payload, size_t lo, size_t hi) {
  const lc_chunk_t *c = chunk_of(payload);
  if ((c->head & (LC_CINUSE | LC_FENCE)) != LC_CINUSE || csize(c) < MIN_CHUNK) return 0;
  size_t n = csize(c) - LC_CHUNK_OVERHEAD;
  return n >= lo && n <= hi;
}

size_t lc_heap_payload_size(const void *payload) {
  return csize(chunk_of(payload)) - LC_CHUNK_OVERHEAD;
}

// A large chunk shrunk in place gives its tail pages back, so that its tag keeps describing what it holds
// (the block layer checks the tag against the block's size at free).
static int shrink_large(lc_heap_t *h, lc_chunk_t *c, size_t size) {
  if (size + LC_CHUNK_OVERHEAD > csize(c) || size < h->mmap_threshold / 2) return 0;
  size_t i = large_find(h, (uintptr_t)c);
  if (i >= h->nlarge || h->large[i].chunk != (uintptr_t)c) return 0;
  uintptr_t map = (uintptr_t)c - c->prev_foot, end = map + h->large[i].map_size;
  uintptr_t keep_end = LC_ROUND_UP((uintptr_t)payload_of(c) + size, PAGE);
  if (keep_end < end && munmap((void *)keep_end, end - keep_end) == 0) {
    h->large[i].map_size = keep_end - map;
    h->stats.large_bytes -= end - keep_end;
    c->head = (keep_end - (uintptr_t)c) | (c->head & LC_FLAGS);
  }
  return 1;
}

int lc_heap_resize_locked(lc_heap_t *h, void *payload, size_t size) {
  lc_chunk_t *c = chunk_of(payload);
  if (c->head & LC_MMAPPED) return shrink_large(h, c, size);
  if (size >= h->mmap_threshold) return 0;
  size_t need = request_to_chunk(size), have = csize(c);
  if (need <= have) {
    size_t before = have;
    split_tail(h, c, need);
    h->stats.in_use_bytes -= before - csize(c);
    return 1;
  }
  lc_chunk_t *n = next_chunk(c);
  if ((uintptr_t)n == h->top) {                           // extend into top
    if (h->top_end - (uintptr_t)c < need + FENCE_SIZE) return 0;
    c->head = need | (c->head & LC_FLAGS);
    h->top = (uintptr_t)c + need;
  } else if (!(n->head & LC_CINUSE) && have + csize(n) >= need) {
    bin_unlink(h, n);
    c->head = (have + csize(n)) | (c->head & LC_FLAGS);
    lc_chunk_t *nn = next_chunk(c);
    if ((uintptr_t)nn != h->top) nn->head |= LC_PINUSE;
    split_tail(h, c, need);
  } else {
    return 0;
  }
  h->stats.in_use_bytes += csize(c) - have;
  if (h->stats.in_use_bytes > h->stats.peak_in_use_bytes) h->stats.peak_in_use_bytes = h->stats.in_use_bytes;
  return 1;
}

/* ---- per-thread cache of small chunks (glibc's tcache): no lock, no neighbour touched ---- */

// Only the user heap caches. A cached chunk stays "in use" for the chunk layer; its link lives at payload + 24,
// so the first 24 bytes (a block header, sealed FREED by the block layer) stay as they were written. Every
// user-heap chunk has at least 32 payload bytes (the block prefix).
#define TC_CLASSES 128                   // chunk sizes below 2 KiB, by 16
#define TC_MAX     8
typedef struct tcache_s {
  void *head[TC_CLASSES];
  uint8_t count[TC_CLASSES];
  int registered;                        // the thread-exit flush is armed
  int dead;                              // flushed at thread exit: later frees (other destructors) bypass it
} tcache_t;
static __thread tcache_t tcache __attribute__((tls_model("initial-exec")));
static pthread_key_t tcache_key;
static int tcache_key_ready;

static tcache_t *tcache_self(void) { return &tcache; }

static inline void **tc_link(void *payload) { return (void **)((char *)payload + 24); }

static void tcache_flush(void *arg) {
  tcache_t *tc = arg;
  lc_lock(&lc_user_heap.lock);
  for (int i = 0; i < TC_CLASSES; i++) {
    while (tc->head[i]) {
      void *p = tc->head[i];
      tc->head[i] = *tc_link(p);
      lc_heap_free_locked(&lc_user_heap, p);
    }
    tc->count[i] = 0;
  }
  lc_unlock(&lc_user_heap.lock);
}

static void tcache_thread_exit(void *arg) {
  ((tcache_t *)arg)->dead = 1;
  tcache_flush(arg);
}

void lc_heap_thread_cache_init(void) {
  if (pthread_key_create(&tcache_key, tcache_thread_exit) == 0) tcache_key_ready = 1;
}

void *lc_heap_alloc(lc_heap_t *h, size_t size, size_t align, size_t *payload_size) {
  if (h == &lc_user_heap && align <= LC_ALIGN && size < h->mmap_threshold) {
    size_t need = request_to_chunk(size);
    size_t i = need >> 4;
    if (i < TC_CLASSES && tcache.head[i] && !tcache.dead) {
      void *p = tcache.head[i];
      tcache.head[i] = *tc_link(p);
      tcache.count[i]--;
      *payload_size = need - LC_CHUNK_OVERHEAD;
      return p;
    }
  }
  lc_lock(&h->lock);
  void *p = lc_heap_alloc_locked(h, size, align);
  *payload_size = p ? lc_heap_payload_size(p) : 0;
  lc_unlock(&h->lock);
  return p;
}

void lc_heap_free(lc_heap_t *h, void *payload) {
  lc_chunk_t *c = chunk_of(payload);
  size_t i = csize(c) >> 4;
  // A chunk right below the top is not cached: freed, it merges into the top, which can then shrink the break.
  // (h->top is read without the lock: a stale value only decides between two correct paths.)
  if (h == &lc_user_heap && i < TC_CLASSES && !(c->head & LC_MMAPPED) && tcache.count[i] < TC_MAX && !tcache.dead &&
      (uintptr_t)c + csize(c) != __atomic_load_n(&h->top, __ATOMIC_RELAXED) &&
      (tcache.registered || !tcache_key_ready || pthread_setspecific(tcache_key, &tcache) == 0)) {
    tcache.registered = 1;
    *tc_link(payload) = tcache.head[i];
    tcache.head[i] = payload;
    tcache.count[i]++;
    return;
  }
  lc_lock(&h->lock);
  lc_heap_free_locked(h, payload);
  lc_unlock(&h->lock);
}

/* ---- lookups and walks ---- */

static const lc_large_t *large_containing(lc_heap_t *h, uintptr_t a) {
  size_t i = large_find(h, a + 1);                 // first chunk > a
  if (i == 0) return NULL;
  const lc_large_t *l = &h->large[i - 1];
  uintptr_t map = l->chunk - at(l->chunk)->prev_foot;
  return a >= map && a < map + l->map_size ? l : NULL;
}

static int in_extents(lc_heap_t *h, uintptr_t a) {
  int n = __atomic_load_n(&h->nextents, __ATOMIC_ACQUIRE);
  for (int i = 0; i < n; i++)
    if (a >= h->extents[i].base && a < __atomic_load_n(&h->extents[i].end, __ATOMIC_ACQUIRE)) return 1;
  return 0;
}

int lc_heap_contains(lc_heap_t *h, const void *addr) {
  uintptr_t a = (uintptr_t)addr;
  if (in_extents(h, a)) return 1;
  if (__atomic_load_n(&h->nlarge, __ATOMIC_RELAXED) == 0) return 0;
  lc_lock(&h->lock);
  int r = large_containing(h, a) != NULL;
  lc_unlock(&h->lock);
  return r;
}

// Walks the chunks of extent i, calling fn for in-use ones; stops at top or after the fence.
static void walk_extent(lc_heap_t *h, int i, lc_chunk_fn fn, void *arg, uintptr_t find, void **found) {
  uintptr_t p = h->extents[i].base;
  uintptr_t limit = i == h->cur ? h->top : h->extents[i].end;
  while (p < limit) {
    lc_chunk_t *c = at(p);
    size_t size = csize(c);
    if (size < FENCE_SIZE || p + size > h->extents[i].end) return;   // corrupted: stop, never loop or fault
    if ((c->head & (LC_CINUSE | LC_FENCE)) == LC_CINUSE) {
      if (fn) fn(payload_of(c), size - LC_CHUNK_OVERHEAD, arg);
      if (found && find >= p && find < p + size) { *found = payload_of(c); return; }
    }
    if (c->head & LC_FENCE) return;
    p += size;
  }
}

void *lc_heap_find_chunk_locked(lc_heap_t *h, const void *addr) {
  uintptr_t a = (uintptr_t)addr;
  for (int i = 0; i < h->nextents; i++)
    if (a >= h->extents[i].base && a < h->extents[i].end) {
      void *found = NULL;
      walk_extent(h, i, NULL, NULL, a, &found);
      return found;
    }
  const lc_large_t *l = large_containing(h, a);
  return l ? payload_of(at(l->chunk)) : NULL;
}

void lc_heap_for_each_chunk_locked(lc_heap_t *h, lc_chunk_fn fn, void *arg) {
  for (int i = 0; i < h->nextents; i++) walk_extent(h, i, fn, arg, 0, NULL);
  for (size_t i = 0; i < h->nlarge; i++) {
    lc_chunk_t *c = at(h->large[i].chunk);
    fn(payload_of(c), csize(c) - LC_CHUNK_OVERHEAD, arg);
  }
}

void lc_heap_for_each_range_locked(lc_heap_t *h, lc_range_fn fn, void *arg) {
  for (int i = 0; i < h->nextents; i++) fn(h->extents[i].base, h->extents[i].end, arg);
  for (size_t i = 0; i < h->nlarge; i++) {
    uintptr_t map = h->large[i].chunk - at(h->large[i].chunk)->prev_foot;
    fn(map, map + h->large[i].map_size, arg);
  }
}
