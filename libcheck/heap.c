/* heap.c: the chunk allocator under libcheck. Grows the user heap with sbrk (new extent when the break was
 * moved by someone else, mmap'd extents when brk fails), the internal heap with mmap; boundary tags, binned
 * free lists with safe unlinking, eager coalescing, trimming, a per-thread cache with checked links, the
 * retirement of damaged chunks, and the validator of heap.h's invariants. Must not know block headers, canaries
 * or reports: damage is recorded for the caller (heap.h). */
#define _GNU_SOURCE
#include "heap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

lc_heap_t lc_user_heap = { .lock = LC_LOCK_INIT };
lc_heap_t lc_internal_heap = { .lock = LC_LOCK_INIT };

#define MIN_CHUNK   32u
#define FENCE_SIZE  16u
#define PAGE        4096u
#define TOP_PAD     (128u * 1024u)       // extra asked of sbrk per growth, like glibc's M_TOP_PAD
#define MMAP_EXTENT (1u << 20)           // smallest mmap'd extent

// At LC_DEBUG >= 2 the operations under the lock run the whole validator every LC_HEAP_XCHECK_EVERY-th time, or
// less often on a heap so large that a walk costs more than LC_HEAP_XCHECK_COST chunk visits per operation since
// the last one: small heaps (the test programs') are validated thousands of times a run, and a program with a
// million chunks still runs at a small multiple of its release speed.
#ifndef LC_HEAP_XCHECK_EVERY
#define LC_HEAP_XCHECK_EVERY 64
#endif
#ifndef LC_HEAP_XCHECK_COST
#define LC_HEAP_XCHECK_COST 4
#endif

static int valid_every_n(lc_heap_t *h);

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
  LC_DCHECK(((uintptr_t)c & (LC_ALIGN - 1)) == 0 && csize(c) >= MIN_CHUNK);
  LC_DCHECK((c->head & LC_FLAGS) == LC_PINUSE);               // free, after a chunk in use
  unsigned i = bin_index(csize(c));
  lc_chunk_t *b = &h->bins[i];
  c->fd = b->fd; c->bk = b;
  b->fd->bk = c; b->fd = c;
  h->binmap[i >> 6] |= 1ull << (i & 63);
}

// pre: unlink_problem(h, c, ...) found nothing (every caller asks it first).
static inline void bin_unlink(lc_heap_t *h, lc_chunk_t *c) {
  LC_DCHECK(c->fd->bk == c && c->bk->fd == c);
  c->fd->bk = c->bk; c->bk->fd = c->fd;
  unsigned i = bin_index(csize(c));
  if (h->bins[i].fd == &h->bins[i]) h->binmap[i >> 6] &= ~(1ull << (i & 63));
}

/* ---- where a link may lead: every word of a free chunk is checked before it is followed or trusted ---- */

static inline uintptr_t limit_of(const lc_heap_t *h, int i) { return i == h->cur ? h->top : h->extents[i].end; }

static inline int in_region(const lc_heap_t *h, int i, uintptr_t a, size_t len) {
  return a >= h->extents[i].base && a < limit_of(h, i) && len <= limit_of(h, i) - a;
}

// The extents other than the current one: the one met last first (the chunks of a bin are mostly in one extent;
// a heap that lives in mmap'd extents has many), then all of them.
static LC_NOINLINE int region_slow(const lc_heap_t *h, uintptr_t a, size_t len) {
  int n = h->nextents, last = __atomic_load_n(&h->hint, __ATOMIC_RELAXED);
  if (last >= 0 && last < n && in_region(h, last, a, len)) return last;
  for (int i = 0; i < n; i++)
    if (i != h->cur && in_region(h, i, a, len)) {
      __atomic_store_n(&((lc_heap_t *)h)->hint, i, __ATOMIC_RELAXED);
      return i;
    }
  return -1;
}

// The extent whose chunk area [base, limit) holds [a, a + len), or -1: a link is followed only there. The current
// extent is looked at first, inline (most chunks are in it: this runs for every link the heap follows).
// pre: the lock held (top is read).
static inline int region_of(const lc_heap_t *h, uintptr_t a, size_t len) {
  if (a % LC_ALIGN) return -1;
  if (lc_likely(a >= h->cur_base && a < h->top && len <= h->top - a)) return h->cur;
  return region_slow(h, a, len);
}

static inline int in_published(lc_heap_t *h, int i, uintptr_t a, size_t len) {
  uintptr_t end = __atomic_load_n(&h->extents[i].end, __ATOMIC_ACQUIRE);
  return a >= h->extents[i].base && a < end && len <= end - a;
}

static LC_NOINLINE int in_extent_slow(lc_heap_t *h, uintptr_t a, size_t len, int n) {
  int last = __atomic_load_n(&h->hint, __ATOMIC_RELAXED);
  if (last >= 0 && last < n && in_published(h, last, a, len)) return 1;
  for (int i = n - 2; i >= 0; i--)
    if (in_published(h, i, a, len)) {
      __atomic_store_n(&h->hint, i, __ATOMIC_RELAXED);
      return 1;
    }
  return 0;
}

// 1 if [a, a + len) lies in one published extent; without the lock (the thread cache, a free's tag check), the
// newest extent first, inline.
static inline int in_extent_unlocked(lc_heap_t *h, uintptr_t a, size_t len) {
  int n = __atomic_load_n(&h->nextents, __ATOMIC_ACQUIRE);
  if (lc_unlikely(n <= 0)) return 0;
  if (lc_likely(in_published(h, n - 1, a, len))) return 1;
  return in_extent_slow(h, a, len, n);
}

static inline int is_sentinel(const lc_heap_t *h, const lc_chunk_t *x) {
  uintptr_t a = (uintptr_t)x, b0 = (uintptr_t)&h->bins[0];
  return a >= b0 && a < (uintptr_t)&h->bins[LC_NBINS] && (a - b0) % sizeof *x == 0;
}

// A free list link may point at a bin's sentinel or at a chunk inside an extent, nowhere else.
static inline int link_ok(const lc_heap_t *h, const lc_chunk_t *x) {
  return is_sentinel(h, x) || region_of(h, (uintptr_t)x, MIN_CHUNK) >= 0;
}

/* ---- damage: recorded here, said by the allocator, once per chunk ---- */

static lc_heap_hooks_t hooks;
__thread int lc_heap_damage_pending __attribute__((tls_model("initial-exec")));
static __thread lc_heap_damage_t damage_list[LC_HEAP_DAMAGE_MAX] __attribute__((tls_model("initial-exec")));

void lc_heap_set_hooks(const lc_heap_hooks_t *x) { hooks = *x; }

// 1 (and remembered) if no damage of key was recorded lately; 0 if it was: met again, it is refused quietly.
// pre: h->lock held.
static int note_damage(lc_heap_t *h, uintptr_t key) {
  unsigned n = h->ndamaged < 16 ? h->ndamaged : 16;
  for (unsigned i = 0; i < n; i++) if (h->damaged[i] == key) return 0;
  h->damaged[h->ndamaged++ % 16] = key;
  return 1;
}

static uint64_t word_at(const lc_heap_t *h, uintptr_t a) {
  uintptr_t w = a & ~(uintptr_t)7;
  return region_of(h, w & ~(uintptr_t)(LC_ALIGN - 1), LC_ALIGN) >= 0 ? *(const uint64_t *)w : 0;
}

// pre: h->lock held.
static void damage(lc_heap_t *h, const char *what, uintptr_t addr, uintptr_t chunk, uint64_t expected) {
  if (!note_damage(h, chunk ? chunk : addr)) return;
  if (lc_heap_damage_pending < LC_HEAP_DAMAGE_MAX)
    damage_list[lc_heap_damage_pending++] = (lc_heap_damage_t){ .heap = h, .what = what, .addr = addr, .chunk = chunk,
                                                                .found = word_at(h, addr), .expected = expected };
}

int lc_heap_take_damage(lc_heap_damage_t *out, int max) {
  int n = lc_heap_damage_pending < max ? lc_heap_damage_pending : max;
  if (n > 0) memcpy(out, damage_list, (size_t)n * sizeof *out);
  lc_heap_damage_pending = 0;
  return n;
}

/* ---- checks on free chunks (glibc's unlink_chunk, made to report instead of abort) ---- */

// Why c, an entry of bins[bin] (bin < 0: a neighbour about to be merged, on the bin of its size), is no free chunk
// as the heap wrote it, or NULL; *where: the first word found wrong, *e: c's extent. Each word is read only once
// what holds it is known to be the heap's: c's extent, c's tag, then the tag of the chunk after it.
static const char *entry_at(const lc_heap_t *h, const lc_chunk_t *c, int bin, uintptr_t *where, int *e) {
  *where = (uintptr_t)c;
  *e = region_of(h, (uintptr_t)c, MIN_CHUNK);
  if (*e < 0) return "a free list link leads out of the heap";
  size_t size = csize(c);
  if ((c->head & LC_FLAGS) != LC_PINUSE) return "a free chunk's tag does not say free";
  if (size < MIN_CHUNK || size >= limit_of(h, *e) - (uintptr_t)c) return "a free chunk's size runs past its extent";
  if (bin >= 0 && bin_index(size) != (unsigned)bin) return "a free chunk's size is not of its bin's class";
  const lc_chunk_t *n = at((uintptr_t)c + size);
  *where = (uintptr_t)n;
  if (n->prev_foot != size || (n->head & LC_PINUSE)) return "the chunk after a free chunk does not record it as free";
  return NULL;
}

static inline const char *entry_problem(const lc_heap_t *h, const lc_chunk_t *c, int bin, uintptr_t *where) {
  int e;
  return entry_at(h, c, bin, where, &e);
}

// x may be linked with a free chunk of bin i, which lies in extent e: that bin's sentinel, or a chunk in an extent
// (e's first: the neighbours on a list are mostly in one extent). Only where it lies is checked, so that no word is
// read here that the unlink does not read anyway: its links must then lead back (a retired chunk's never do).
static inline int node_ok(const lc_heap_t *h, const lc_chunk_t *x, unsigned i, int e) {
  uintptr_t a = (uintptr_t)x, lo = h->extents[e].base, hi = limit_of(h, e);
  if (x == &h->bins[i]) return 1;
  return ((a & (LC_ALIGN - 1)) == 0 && a >= lo && a < hi && hi - a >= MIN_CHUNK) || region_of(h, a, MIN_CHUNK) >= 0;
}

// Safe unlinking: why c cannot be taken off its bin (entry_problem, then links that do not lead back), or NULL.
static const char *unlink_problem(const lc_heap_t *h, const lc_chunk_t *c, int bin, uintptr_t *where) {
  int e;
  const char *bad = entry_at(h, c, bin, where, &e);
  if (bad) return bad;
  unsigned i = bin_index(csize(c));
  const lc_chunk_t *fd = c->fd, *bk = c->bk;
  *where = (uintptr_t)&c->fd;
  if (!node_ok(h, fd, i, e) || !node_ok(h, bk, i, e)) return "a free chunk's list links lead out of its bin";
  if (fd->bk != c || bk->fd != c)
    return "a free chunk's list links do not lead back to it (fd->bk or bk->fd is not the chunk)";
  return NULL;
}

// A chunk taken out of use for good: marked (or left) in use, so that nothing hands it out or merges with it. A free
// chunk whose size is trusted also tells the chunk after it and is counted in use.
static void retire(lc_heap_t *h, lc_chunk_t *c, int was_free, int trusted) {
  size_t size = csize(c);
  if (was_free) {
    c->head |= LC_CINUSE;
    c->fd = c->bk = c;                // no list leads back through it: a chunk still linked to it is refused
    if (trusted) {
      lc_chunk_t *n = next_chunk(c);
      if ((uintptr_t)n != h->top) n->head |= LC_PINUSE;
      h->stats.in_use_bytes += size;
      if (h->stats.in_use_bytes > h->stats.peak_in_use_bytes) h->stats.peak_in_use_bytes = h->stats.in_use_bytes;
    }
  }
  h->stats.retired_chunks++;
  if (trusted) h->stats.retired_bytes += size;
  if (hooks.retired && size >= MIN_CHUNK) hooks.retired(payload_of(c), size - LC_CHUNK_OVERHEAD);
}

// Bin i is given up: the chunks its links still reach from the sentinel, forward and back, one well-linked step at a
// time (which ends the walk), that check out as free chunks of its class, are retired; the bin is left empty. A
// chunk past a broken link stays free on no bin: the checks refuse it wherever it is met.
static void retire_bin(lc_heap_t *h, unsigned i) {
  lc_chunk_t *s = &h->bins[i];
  uintptr_t where;
  for (int back = 0; back < 2; back++) {
    lc_chunk_t *prev = s, *c = back ? s->bk : s->fd;
    while (c != s && !entry_problem(h, c, (int)i, &where) && (back ? c->fd : c->bk) == prev) {
      lc_chunk_t *next = back ? c->bk : c->fd;
      retire(h, c, 1, 1);
      prev = c;
      c = next;
    }
  }
  s->fd = s->bk = s;
  h->binmap[i >> 6] &= ~(1ull << (i & 63));
}

// The size of c if it can be trusted so far (in an extent, ending before its limit), else 0.
static size_t sane_size(const lc_heap_t *h, const lc_chunk_t *c) {
  int e = region_of(h, (uintptr_t)c, MIN_CHUNK);
  size_t size = e >= 0 ? csize(c) : 0;
  return size >= MIN_CHUNK && size < limit_of(h, e) - (uintptr_t)c ? size : 0;
}

// Damage found at free chunk c, reached through bins[bin] (bin < 0: as a neighbour): recorded, and that bin and the
// bin of c's size (when its size can be told) retired.
static void free_damage(lc_heap_t *h, lc_chunk_t *c, int bin, const char *what, uintptr_t where) {
  int in = region_of(h, (uintptr_t)c, MIN_CHUNK) >= 0;
  damage(h, what, where, in ? (uintptr_t)c : 0, 0);
  if (bin >= 0) retire_bin(h, (unsigned)bin);
  size_t size = in ? sane_size(h, c) : 0;
  if (size && (int)bin_index(size) != bin) retire_bin(h, bin_index(size));
  // c itself, when only its links were wrong (its tag and the one after it agree): the walks of its bin stopped at it.
  uintptr_t w;
  if (in && !(c->head & LC_CINUSE) && !entry_problem(h, c, -1, &w)) retire(h, c, 1, 1);
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

static void tc_keys_init(void);

void lc_heap_setup(lc_heap_t *h, const char *name, int use_brk, size_t mmap_threshold, size_t trim_threshold) {
  tc_keys_init();
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
  LC_DCHECK(rest >= FENCE_SIZE && rest % LC_ALIGN == 0);
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
  LC_DCHECK(base % LC_ALIGN == 0 && end % LC_ALIGN == 0 && base + FENCE_SIZE <= end);
  seal_current(h);
  int i = h->nextents;
  h->extents[i].base = base;
  __atomic_store_n(&h->extents[i].end, end, __ATOMIC_RELEASE);
  __atomic_store_n(&h->nextents, i + 1, __ATOMIC_RELEASE);
  h->cur = i;
  h->cur_base = base;
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
  LC_DCHECK(h->top + keep + FENCE_SIZE <= h->top_end);
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
  LC_XCHECK(valid_every_n(h));
  lc_unlock(&h->lock);
  if (lc_heap_damage_pending && hooks.unclaimed) hooks.unclaimed();
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
  LC_DCHECK(payload + size <= (uintptr_t)map + map_size);
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

// Splits c (in use, size >= need) so it keeps `need` bytes; the rest becomes a free chunk or merges into top. When
// the free chunk after c is damaged, c keeps all of its size.
static void split_tail(lc_heap_t *h, lc_chunk_t *c, size_t need) {
  size_t size = csize(c);
  LC_DCHECK(need % LC_ALIGN == 0 && need >= MIN_CHUNK && need <= size && (c->head & LC_CINUSE));
  if (size - need < MIN_CHUNK) return;
  lc_chunk_t *after = next_chunk(c);
  int merge = (uintptr_t)after != h->top && !(after->head & LC_CINUSE);
  uintptr_t where;
  const char *bad = merge ? unlink_problem(h, after, -1, &where) : NULL;
  if (lc_unlikely(bad)) { free_damage(h, after, -1, bad, where); return; }
  c->head = need | (c->head & LC_FLAGS);
  lc_chunk_t *rest = at((uintptr_t)c + need);
  rest->head = (size - need) | LC_PINUSE;
  if ((uintptr_t)after == h->top) { h->top = (uintptr_t)rest; return; }
  if (merge) {                                          // coalesce with a free successor
    bin_unlink(h, after);
    rest->head = (csize(rest) + csize(after)) | LC_PINUSE;
    after = next_chunk(rest);
    if ((uintptr_t)after == h->top) { h->top = (uintptr_t)rest; return; }
  }
  after->prev_foot = csize(rest);
  after->head &= ~(size_t)LC_PINUSE;
  bin_insert(h, rest);
}

// A free chunk of at least `need` bytes, unlinked, or NULL. Every chunk is checked before it is used; a damaged one
// retires its bin and the search goes on (each retirement empties a bin: the loop ends).
static lc_chunk_t *take_from_bins(lc_heap_t *h, size_t need) {
  uintptr_t where;
  const char *bad;
  for (;;) {
    unsigned i = bin_index(need);
    if (i >= 64) {                                     // ranged bin: first fit inside it
      lc_chunk_t *b = &h->bins[i], *prev = b, *c;
      // Each step must lead into the heap and back (c->bk == prev) before c is read: a circle well linked that
      // way returns to the sentinel.
      int out = 0;
      for (c = b->fd; c != b; prev = c, c = c->fd) {
        if (lc_unlikely((out = region_of(h, (uintptr_t)c, MIN_CHUNK) < 0) || c->bk != prev)) break;
        if (csize(c) >= need) break;
      }
      if (lc_unlikely(out)) {                          // the link in prev (or in the sentinel) leads out
        damage(h, "a free list link leads out of the heap", prev == b ? (uintptr_t)&b->fd : (uintptr_t)&prev->fd,
               prev == b ? 0 : (uintptr_t)prev, 0);
        retire_bin(h, i);
        continue;
      }
      if (c != b) {
        if (lc_unlikely((bad = unlink_problem(h, c, (int)i, &where)) != NULL)) {
          free_damage(h, c, (int)i, bad, where);
          continue;
        }
        bin_unlink(h, c);
        return c;
      }
      i++;
    }
    int j = next_bin(h, i);
    if (j < 0) return NULL;
    lc_chunk_t *c = h->bins[j].fd;
    if (lc_unlikely((bad = unlink_problem(h, c, j, &where)) != NULL)) { free_damage(h, c, j, bad, where); continue; }
    bin_unlink(h, c);
    return c;
  }
}

static lc_chunk_t *take_chunk(lc_heap_t *h, size_t need) {
  lc_chunk_t *c = take_from_bins(h, need);
  if (c) {
    LC_DCHECK(csize(c) >= need && !(c->head & LC_CINUSE));
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
  LC_DCHECK(h->top + need + FENCE_SIZE <= h->top_end);
  c = at(h->top);
  c->head = need | LC_CINUSE | LC_PINUSE;          // the chunk before top is always in use
  h->top += need;
  return c;
}

static inline size_t request_to_chunk(size_t size) {
  size_t need = LC_ROUND_UP(size + LC_CHUNK_OVERHEAD, LC_ALIGN);
  return need < MIN_CHUNK ? MIN_CHUNK : need;
}

static void free_chunk(lc_heap_t *h, lc_chunk_t *c);

static void *alloc_chunk(lc_heap_t *h, size_t size, size_t align) {
  LC_DCHECK(align >= LC_ALIGN);    // a power of two too, but that one comes from the program (operator new)
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
    h->stats.in_use_bytes += lead;                       // counted for a moment: free_chunk takes it off again
    free_chunk(h, c);                                    // gives the lead back (coalesces with predecessor)
    c = a;
  }
  split_tail(h, c, need);
  LC_DCHECK(((uintptr_t)payload_of(c) & (align - 1)) == 0);
  h->stats.in_use_bytes += csize(c);
  if (h->stats.in_use_bytes > h->stats.peak_in_use_bytes) h->stats.peak_in_use_bytes = h->stats.in_use_bytes;
  return payload_of(c);
}

// Why the neighbours of c (in use, about to be freed) cannot be merged with it, or NULL; *bad_chunk: the one at fault.
static const char *merge_problem(lc_heap_t *h, lc_chunk_t *c, int e, lc_chunk_t **bad_chunk, uintptr_t *where) {
  *bad_chunk = c;
  *where = (uintptr_t)c;
  if (!(c->head & LC_PINUSE)) {
    size_t foot = c->prev_foot;
    if (foot % LC_ALIGN || foot < MIN_CHUNK || foot > (uintptr_t)c - h->extents[e].base)
      return "the tag of a chunk after a free chunk gives a size that runs out of its extent (prev_foot)";
    lc_chunk_t *prev = at((uintptr_t)c - foot);
    *bad_chunk = prev;
    const char *bad = unlink_problem(h, prev, -1, where);
    if (bad) return bad;
    if (csize(prev) != foot) return "the size of a free chunk differs from what the chunk after it records";
  }
  lc_chunk_t *n = next_chunk(c);
  if ((uintptr_t)n == h->top || (n->head & LC_CINUSE)) return NULL;
  *bad_chunk = n;
  return unlink_problem(h, n, -1, where);
}

static void free_chunk(lc_heap_t *h, lc_chunk_t *c) {
  if (c->head & LC_MMAPPED) { free_large(h, c); return; }
  size_t size = csize(c);
  // The caller checked the tag against its block (the user heap), or it is the heap's own (the internal heap, the
  // cache, a split): looked at again here all the same, as a wrong size must never reach the bins.
  int e = region_of(h, (uintptr_t)c, MIN_CHUNK);
  if (lc_unlikely(e < 0 || (c->head & (LC_CINUSE | LC_FENCE)) != LC_CINUSE || size < MIN_CHUNK ||
                  size > limit_of(h, e) - (uintptr_t)c)) {
    damage(h, "a chunk given back has a tag that cannot be", (uintptr_t)c, e >= 0 ? (uintptr_t)c : 0, 0);
    return;                                              // never freed
  }
  lc_chunk_t *bad_chunk;
  uintptr_t where;
  const char *bad = merge_problem(h, c, e, &bad_chunk, &where);
  if (lc_unlikely(bad)) {                                // c stays in use: its neighbour cannot be trusted
    if (bad_chunk == c) damage(h, bad, where, (uintptr_t)c, 0);
    else free_damage(h, bad_chunk, -1, bad, where);
    retire(h, c, 0, 1);
    return;
  }
  LC_DCHECK_LE(size, h->stats.in_use_bytes);
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

int lc_heap_chunk_plausible(lc_heap_t *h, const void *payload, size_t lo, size_t hi) {
  const lc_chunk_t *c = chunk_of(payload);
  if ((c->head & (LC_CINUSE | LC_FENCE)) != LC_CINUSE || csize(c) < MIN_CHUNK) return 0;
  size_t n = csize(c) - LC_CHUNK_OVERHEAD;
  if (n < lo || n > hi) return 0;
  // A chunk of an extent ends inside it; an mmap'd one lies outside every extent (a flag written over is caught here,
  // before free takes the wrong path).
  if (c->head & LC_MMAPPED) return !in_extent_unlocked(h, (uintptr_t)c, 1);
  return in_extent_unlocked(h, (uintptr_t)c, csize(c));
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

static int resize_chunk(lc_heap_t *h, lc_chunk_t *c, size_t size) {
  if (c->head & LC_MMAPPED) return shrink_large(h, c, size);
  LC_DCHECK((c->head & (LC_CINUSE | LC_FENCE)) == LC_CINUSE);
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
    uintptr_t where;
    const char *bad = unlink_problem(h, n, -1, &where);
    if (lc_unlikely(bad)) { free_damage(h, n, -1, bad, where); return 0; }
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

/* ---- the operations under the lock: each leaves the heap valid (LC_DEBUG >= 2 checks it, see valid_every_n) ---- */

void *lc_heap_alloc_locked(lc_heap_t *h, size_t size, size_t align) {
  void *p = alloc_chunk(h, size, align);
  LC_XCHECK(valid_every_n(h));
  return p;
}

void lc_heap_free_locked(lc_heap_t *h, void *payload) {
  free_chunk(h, chunk_of(payload));
  LC_XCHECK(valid_every_n(h));
}

int lc_heap_resize_locked(lc_heap_t *h, void *payload, size_t size) {
  int r = resize_chunk(h, chunk_of(payload), size);
  LC_XCHECK(valid_every_n(h));
  return r;
}

/* ---- per-thread cache of small chunks (glibc's tcache): no lock, no neighbour touched ---- */

// Only the user heap caches. A cached chunk stays "in use" for the chunk layer: its tag and its first 24 payload
// bytes (a block header, sealed FREED by the block layer) stay as they were written. Its link to the next chunk of
// the list is kept in its payload's last word, the place of the chunk that the program's writes reach last: an
// overflow of the block before reaches this chunk's tag and header first, an underflow of the block after reaches
// that block's canary, header and tag first, and a write through a dangling pointer lands in the user bytes or just
// before them. The link is encoded as glibc's safe-linking does, XOR with a per-process random key and with its own
// address shifted right by 12, so that what a write leaves there decodes to an address the checks refuse. The word
// at payload + 24 (the freed block's front canary, p[-8], the first word the program reaches after the header)
// holds a check word: the encoded link XOR a second key and the payload's address. A write there, or a link forged
// without both keys, makes the two disagree. Every user-heap chunk has at least 32 payload bytes (the block
// prefix); in one of exactly 32 the two words are one, and only the link is kept.
#define TC_CLASSES 128                   // chunk sizes below 2 KiB, by 16
#define TC_MAX     8
#define TC_MIN     3                     // the smallest class cached: 48-byte chunks (a block needs 32 payload bytes)
typedef struct tcache_s {
  void *head[TC_CLASSES];                // payload of the newest chunk of each class: pushed by free, or decoded from
                                         //   the link before it and checked then (a chunk of that class, in an extent)
  uint8_t count[TC_CLASSES];             // chunks on each list: the last one's link decodes to NULL
  int registered;                        // the thread-exit flush is armed
  int dead;                              // flushed at thread exit: later frees (other destructors) bypass it
} tcache_t;
static __thread tcache_t tcache __attribute__((tls_model("initial-exec")));
static pthread_key_t tcache_key;
static int tcache_key_ready;
static uintptr_t tc_key, tc_check_key;   // per process, random; set up with the heaps

static tcache_t *tcache_self(void) { return &tcache; }

static void tc_keys_init(void) {
  if (tc_key) return;
  uint64_t k[2] = { 0, 0 };
  // getrandom(2) by its syscall wrapper, which never allocates; else time and addresses.
  if (getrandom(k, sizeof k, GRND_NONBLOCK) != (ssize_t)sizeof k) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    k[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&k;
    k[1] = (k[0] ^ (uint64_t)(uintptr_t)tc_keys_init) * 0xbf58476d1ce4e5b9ull;
  }
  tc_key = (uintptr_t)(k[0] | 1);         // never 0: 0 says "not set up yet"
  tc_check_key = (uintptr_t)k[1];
}

static inline uintptr_t *tc_link(const lc_chunk_t *c) {
  return (uintptr_t *)((uintptr_t)c + csize(c) - sizeof(uintptr_t));
}
static inline uintptr_t *tc_check(void *payload) { return (uintptr_t *)((char *)payload + 24); }
static inline uintptr_t tc_encode(const uintptr_t *link, const void *next) {
  return (uintptr_t)next ^ ((uintptr_t)link >> 12) ^ tc_key;
}
static inline void *tc_decode(const uintptr_t *link, uintptr_t word) {
  return (void *)(word ^ ((uintptr_t)link >> 12) ^ tc_key);
}
static inline uintptr_t tc_witness(uintptr_t word, const void *payload) {
  return word ^ tc_check_key ^ (uintptr_t)payload;
}

// 1 if payload p may be the next chunk of cache list i: 16-aligned, a whole chunk of class i in an extent (read
// without the lock: extents are published). Nothing of p is read yet: its tag is checked when it is taken.
static inline int tc_chunk_ok(lc_heap_t *h, const void *p, size_t i) {
  return ((uintptr_t)p & (LC_ALIGN - 1)) == 0 && in_extent_unlocked(h, (uintptr_t)chunk_of(p), i << 4);
}

// Damage on cache list i of tc, at its newest chunk c: recorded, the whole list dropped (its chunks stay in use,
// never handed out again), c retired.
static void tc_damage(lc_heap_t *h, tcache_t *tc, size_t i, const char *what, uintptr_t where, lc_chunk_t *c,
                      uint64_t expected, int locked) {
  if (!locked) lc_lock(&h->lock);
  damage(h, what, where, (uintptr_t)c, expected);
  tc->head[i] = NULL;
  tc->count[i] = 0;
  if ((c->head & (LC_CINUSE | LC_MMAPPED | LC_FENCE)) == LC_CINUSE && csize(c) == i << 4) retire(h, c, 0, 1);
  if (!locked) lc_unlock(&h->lock);
}

// Takes the newest chunk of class i off tc, or NULL (then the list is dropped for damage). Before it is handed out
// its tag must still be that of its class and its check word agree with its link; the link must decode to a place
// for a chunk of the class in an extent (whose tag is checked in turn when it is taken), or to NULL exactly when
// this is the last chunk of the list.
static void *tc_pop(lc_heap_t *h, tcache_t *tc, size_t i, int locked) {
  void *p = tc->head[i];
  lc_chunk_t *c = chunk_of(p);
  if (lc_unlikely((c->head & (LC_CINUSE | LC_MMAPPED | LC_FENCE)) != LC_CINUSE || csize(c) != i << 4)) {
    tc_damage(h, tc, i, "the tag of a chunk in the thread's cache was overwritten", (uintptr_t)c, c, i << 4, locked);
    return NULL;
  }
  uintptr_t *link = tc_link(c), word = *link;
  if (lc_likely(i > TC_MIN) && lc_unlikely(*tc_check(p) != tc_witness(word, p))) {
    tc_damage(h, tc, i, "the check word of a chunk in the thread's cache was overwritten (at p[-8] of the freed block)",
              (uintptr_t)tc_check(p), c, tc_witness(word, p), locked);
    return NULL;
  }
  void *next = tc_decode(link, word);
  if (lc_unlikely((next == NULL) != (tc->count[i] == 1) || (next && !tc_chunk_ok(h, next, i)))) {
    tc_damage(h, tc, i, "the link of a chunk in the thread's cache was overwritten (it decodes to no cached chunk)",
              (uintptr_t)link, c, 0, locked);
    return NULL;
  }
  tc->head[i] = next;
  tc->count[i]--;
  return p;
}

static void tcache_flush(void *arg) {
  tcache_t *tc = arg;
  lc_lock(&lc_user_heap.lock);
  for (size_t i = 0; i < TC_CLASSES; i++) {
    void *p;
    while (tc->head[i] && (p = tc_pop(&lc_user_heap, tc, i, 1)) != NULL) lc_heap_free_locked(&lc_user_heap, p);
    tc->head[i] = NULL;
    tc->count[i] = 0;
  }
  lc_unlock(&lc_user_heap.lock);
}

static void tcache_thread_exit(void *arg) {
  ((tcache_t *)arg)->dead = 1;
  tcache_flush(arg);
  if (lc_heap_damage_pending && hooks.unclaimed) hooks.unclaimed();
}

void lc_heap_thread_cache_init(void) {
  if (pthread_key_create(&tcache_key, tcache_thread_exit) == 0) tcache_key_ready = 1;
}

void *lc_heap_alloc(lc_heap_t *h, size_t size, size_t align, size_t *payload_size) {
  if (h == &lc_user_heap && align <= LC_ALIGN && size < h->mmap_threshold) {
    size_t need = request_to_chunk(size);
    size_t i = need >> 4;
    if (i < TC_CLASSES && tcache.head[i] && !tcache.dead) {
      LC_DCHECK(tcache.count[i] > 0 && tcache.count[i] <= TC_MAX);
      void *p = tc_pop(h, &tcache, i, 0);
      if (lc_likely(p != NULL)) {
        *payload_size = need - LC_CHUNK_OVERHEAD;
        return p;
      }
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
  if (h == &lc_user_heap && i < TC_CLASSES && i >= TC_MIN && !(c->head & LC_MMAPPED) && tcache.count[i] < TC_MAX &&
      !tcache.dead && (uintptr_t)c + csize(c) != __atomic_load_n(&h->top, __ATOMIC_RELAXED) &&
      (tcache.registered || !tcache_key_ready || pthread_setspecific(tcache_key, &tcache) == 0)) {
    tcache.registered = 1;
    uintptr_t *link = tc_link(c), word = tc_encode(link, tcache.head[i]);
    *link = word;
    if (i > TC_MIN) *tc_check(payload) = tc_witness(word, payload);
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

int lc_heap_in_extents(lc_heap_t *h, const void *addr) { return in_extents(h, (uintptr_t)addr); }

int lc_heap_in_large_locked(lc_heap_t *h, const void *addr, size_t len) {
  const lc_large_t *l = large_containing(h, (uintptr_t)addr);
  if (!l) return 0;
  uintptr_t map = l->chunk - at(l->chunk)->prev_foot;
  return len <= map + l->map_size - (uintptr_t)addr;
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

/* ---- validation: every invariant of heap.h, checked in the order the equations are written ---- */

typedef struct vstate_s {
  lc_heap_t *h;
  lc_heap_violation_t *v;
  uintptr_t overwritten;                 // first tag only the program can have written (0: none)
  int ncuts, cut_ext;                    // extents whose walk stopped at such a tag; the first one, and where:
  uintptr_t cut_at;                      //   its chunks below cut_at are known, the rest is out of reach
  size_t in_use;                         // sum of the in-use chunks the walks saw
  size_t visited;                        // chunks walked and bin entries followed
  uint32_t nfree[LC_NBINS];              // free chunks per size class, from the walks
  uint32_t nlisted[LC_NBINS];            // chunks on each bin
} vstate_t;

static lc_heap_fault_t fail(vstate_t *st, lc_heap_fault_t f, const char *what, uintptr_t addr, uint64_t found,
                            uint64_t expected) {
  *st->v = (lc_heap_violation_t){ .fault = f, .what = what, .addr = addr, .found = found, .expected = expected,
                                  .bin = -1 };
  return f;
}

// The same, naming the bin concerned, or the chunk before (the walk's neighbour).
static lc_heap_fault_t fail_bin(vstate_t *st, lc_heap_fault_t f, const char *what, uintptr_t addr, uint64_t found,
                                uint64_t expected, int bin) {
  fail(st, f, what, addr, found, expected);
  st->v->bin = bin;
  return f;
}
static lc_heap_fault_t fail_after(vstate_t *st, lc_heap_fault_t f, const char *what, uintptr_t addr, uint64_t found,
                                  uint64_t expected, const lc_chunk_t *before) {
  fail(st, f, what, addr, found, expected);
  st->v->before = (uintptr_t)before;
  return f;
}

static lc_heap_fault_t check_extents(vstate_t *st) {
  lc_heap_t *h = st->h;
  if (h->nextents < 0 || h->nextents > LC_MAX_EXTENTS)
    return fail(st, LC_HEAP_BAD_EXTENT, "nextents out of range", (uintptr_t)&h->nextents, (uint64_t)h->nextents,
                LC_MAX_EXTENTS);
  if (h->cur != h->nextents - 1)
    return fail(st, LC_HEAP_BAD_EXTENT, "cur is not the last extent", (uintptr_t)&h->cur, (uint64_t)h->cur,
                (uint64_t)(h->nextents - 1));
  for (int i = 0; i < h->nextents; i++) {
    const lc_extent_t *e = &h->extents[i];
    if (e->base % LC_ALIGN || e->end % LC_ALIGN || e->base >= e->end)
      return fail(st, LC_HEAP_BAD_EXTENT, "extent bounds not 16-aligned or empty", (uintptr_t)e, e->base, e->end);
    for (int j = 0; j < i; j++)
      if (e->base < h->extents[j].end && h->extents[j].base < e->end)
        return fail(st, LC_HEAP_BAD_EXTENT, "two extents overlap", (uintptr_t)e, e->base, h->extents[j].base);
  }
  if (h->cur >= 0) {
    const lc_extent_t *e = &h->extents[h->cur];
    if (h->top_end != e->end)
      return fail(st, LC_HEAP_BAD_EXTENT, "top_end is not the current extent's end", (uintptr_t)e, h->top_end, e->end);
    if (h->cur_base != e->base)
      return fail(st, LC_HEAP_BAD_EXTENT, "cur_base is not the current extent's base", (uintptr_t)e, h->cur_base,
                  e->base);
    if (h->top % LC_ALIGN || h->top < e->base || h->top > h->top_end - FENCE_SIZE)
      return fail(st, LC_HEAP_BAD_EXTENT, "top outside [base, top_end - 16] of the current extent", (uintptr_t)e,
                  h->top, h->top_end);
  }
  return LC_HEAP_OK;
}

// What makes the tag at p impossible, or NULL. The walk cannot go past such a tag.
static const char *tag_problem(const lc_chunk_t *c, uintptr_t p, uintptr_t limit, uintptr_t end, int sealed) {
  size_t size = csize(c);
  if (size < FENCE_SIZE || size > limit - p) return "chunk size runs past top or the extent's end";
  if (c->head & LC_MMAPPED) return "LC_MMAPPED on a chunk of an extent";
  if (c->head & LC_FENCE) {
    if (!sealed || p + size != end) return "fence chunk not at the end of a sealed extent";
    if (!(c->head & LC_CINUSE) || size >= MIN_CHUNK + FENCE_SIZE) return "fence chunk free or too large";
  } else if (size < MIN_CHUNK) {
    return "chunk smaller than the minimum";
  }
  return NULL;
}

static lc_heap_fault_t check_free_links(vstate_t *st, const lc_chunk_t *c) {
  const lc_heap_t *h = st->h;
  int bin = (int)bin_index(csize(c));
  if (!link_ok(h, c->fd) || !link_ok(h, c->bk))
    return fail_bin(st, LC_HEAP_BAD_LINK, "free chunk's fd or bk leads out of the heap", (uintptr_t)c, (uintptr_t)c->fd,
                    (uintptr_t)c->bk, bin);
  if (c->fd->bk != c)
    return fail_bin(st, LC_HEAP_BAD_LINK, "fd->bk != chunk", (uintptr_t)c, (uintptr_t)c->fd->bk, (uintptr_t)c, bin);
  if (c->bk->fd != c)
    return fail_bin(st, LC_HEAP_BAD_LINK, "bk->fd != chunk", (uintptr_t)c, (uintptr_t)c->bk->fd, (uintptr_t)c, bin);
  return LC_HEAP_OK;
}

// Walks extent i from its base to its limit: tiling, tags, neighbours, free links, counts per class.
static lc_heap_fault_t walk_checked(vstate_t *st, int i) {
  lc_heap_t *h = st->h;
  uintptr_t p = h->extents[i].base, end = h->extents[i].end, limit = limit_of(h, i);
  int sealed = i != h->cur;
  const lc_chunk_t *prev = NULL;
  while (p < limit) {
    const lc_chunk_t *c = at(p);
    size_t size = csize(c);
    const char *bad = tag_problem(c, p, limit, end, sealed);
    if (bad) {
      // Right after a block's payload (or at the extent's start, before the first block's header): the program
      // can write there, and no heap operation writes such a tag. The rest of the extent is out of reach.
      if (!prev || (prev->head & LC_CINUSE)) {
        if (!st->overwritten) st->overwritten = p;
        if (st->ncuts++ == 0) { st->cut_ext = i; st->cut_at = p; }
        return LC_HEAP_OK;
      }
      return fail_after(st, LC_HEAP_BAD_TAG, bad, p, c->head, 0, prev);
    }
    int in_use = (c->head & LC_CINUSE) != 0;
    if (prev) {
      int prev_in_use = (prev->head & LC_CINUSE) != 0;
      if (!prev_in_use && !in_use)
        return fail_after(st, LC_HEAP_ADJACENT_FREE, "two adjacent free chunks (they should have merged)", p, size,
                          csize(prev), prev);
      if (((c->head & LC_PINUSE) != 0) != prev_in_use)
        return fail_after(st, LC_HEAP_BAD_PINUSE, "LC_PINUSE differs from whether the previous chunk is in use", p,
                          (c->head & LC_PINUSE) != 0, (uint64_t)prev_in_use, prev);
      if (!prev_in_use && c->prev_foot != csize(prev))
        return fail_after(st, LC_HEAP_BAD_PREV_FOOT, "prev_foot differs from the size of the free chunk before", p,
                          c->prev_foot, csize(prev), prev);
    } else if (!(c->head & LC_PINUSE)) {
      return fail(st, LC_HEAP_BAD_PINUSE, "the first chunk of an extent has LC_PINUSE clear", p, 0, 1);
    }
    if (in_use) {
      if (!(c->head & LC_FENCE)) st->in_use += size;
    } else {
      lc_heap_fault_t f = check_free_links(st, c);
      if (f) return f;
      st->nfree[bin_index(size)]++;
    }
    prev = c;
    p += size;
    st->visited++;
  }
  if (sealed && (!prev || !(prev->head & LC_FENCE)))
    return fail(st, LC_HEAP_BAD_TAG, "a sealed extent does not end with its fence", (uintptr_t)prev, prev ? prev->head : 0,
                LC_FENCE);
  if (!sealed && prev && !(prev->head & LC_CINUSE))
    return fail(st, LC_HEAP_FREE_BEFORE_TOP, "the chunk before top is free (it should have merged into top)",
                (uintptr_t)prev, csize(prev), 0);
  return LC_HEAP_OK;
}

// 1 if the walks reached address a of extent e (only then can a bin entry there be matched with a walked chunk).
static inline uintptr_t known_limit(const vstate_t *st, int e) {
  return st->ncuts && e == st->cut_ext ? st->cut_at : limit_of(st->h, e);
}
static inline int known(const vstate_t *st, int e, uintptr_t a) { return a < known_limit(st, e); }

// Each bin: a well-linked circle through its sentinel of free chunks of its class; its binmap bit says so.
static lc_heap_fault_t check_bin(vstate_t *st, unsigned i) {
  lc_heap_t *h = st->h;
  const lc_chunk_t *s = &h->bins[i], *prev = s;
  uint32_t n = 0;
  for (const lc_chunk_t *c = s->fd; c != s; prev = c, c = c->fd) {
    // Every step checks c->bk == prev before going on: a circle that is well linked that way returns to its
    // sentinel before it can repeat a chunk, so the walk ends.
    int r = region_of(h, (uintptr_t)c, MIN_CHUNK);
    if (r < 0)
      return fail_bin(st, LC_HEAP_BAD_LINK, "a bin's list leads out of the heap", (uintptr_t)prev, (uintptr_t)c, i,
                      (int)i);
    if (c->bk != prev)
      return fail_bin(st, LC_HEAP_BAD_LINK, "fd->bk != chunk", (uintptr_t)prev, (uintptr_t)c->bk, (uintptr_t)prev,
                      (int)i);
    if (c->head & (LC_CINUSE | LC_FENCE | LC_MMAPPED))
      return fail_bin(st, LC_HEAP_BAD_BIN_ENTRY, "a bin holds a chunk that is not free", (uintptr_t)c, c->head, i,
                      (int)i);
    size_t size = csize(c);
    uintptr_t limit = limit_of(h, r);
    if (size < MIN_CHUNK || size >= limit - (uintptr_t)c)      // a free chunk is never the last before the limit
      return fail_bin(st, LC_HEAP_BAD_BIN_ENTRY, "a bin's chunk runs past its extent", (uintptr_t)c, size, limit,
                      (int)i);
    unsigned want = bin_index(size);
    if (want != i)
      return fail_bin(st, LC_HEAP_WRONG_BIN, "a free chunk on the bin of another size class", (uintptr_t)c, i, want,
                      (int)i);
    const lc_chunk_t *next = at((uintptr_t)c + size);
    if ((next->head & LC_PINUSE) || next->prev_foot != size)
      return fail_bin(st, LC_HEAP_BAD_BIN_ENTRY, "the chunk after a bin's chunk does not record it as free",
                      (uintptr_t)next, next->prev_foot, size, (int)i);
    n++;
    if (known(st, r, (uintptr_t)c)) st->nlisted[i]++;
    st->visited++;
  }
  if (s->bk != prev)
    return fail_bin(st, LC_HEAP_BAD_LINK, "bk->fd != chunk", (uintptr_t)s, (uintptr_t)s->bk, (uintptr_t)prev, (int)i);
  int bit = (h->binmap[i >> 6] >> (i & 63)) & 1;
  if (bit != (n > 0))
    return fail_bin(st, LC_HEAP_BAD_BINMAP, "binmap bit differs from whether the bin is empty", (uintptr_t)s,
                    (uint64_t)bit, n > 0, (int)i);
  return LC_HEAP_OK;
}

static int on_bin(const lc_heap_t *h, unsigned i, const lc_chunk_t *c) {
  for (const lc_chunk_t *x = h->bins[i].fd; x != &h->bins[i]; x = x->fd) if (x == c) return 1;
  return 0;
}

static int is_chunk_start(const vstate_t *st, uintptr_t a) {
  int i = region_of(st->h, a, MIN_CHUNK);
  if (i < 0) return 0;
  for (uintptr_t p = st->h->extents[i].base; p <= a && p < known_limit(st, i); p += csize(at(p))) if (p == a) return 1;
  return 0;
}

// Free chunks found by the walks and chunks on the bins within the walked part differ in number for class i
// (either a free chunk is on no bin or a bin holds an address where the walks found no chunk): find which. Slow,
// but only ever run on a heap already known to be broken.
static lc_heap_fault_t find_unlisted(vstate_t *st, unsigned i) {
  lc_heap_t *h = st->h;
  for (int e = 0; e < h->nextents; e++)
    for (uintptr_t p = h->extents[e].base; p < known_limit(st, e); p += csize(at(p))) {
      const lc_chunk_t *c = at(p);
      if (!(c->head & LC_CINUSE) && bin_index(csize(c)) == i && !on_bin(h, i, c))
        return fail_bin(st, LC_HEAP_NOT_IN_BIN, "a free chunk is not on the bin of its size class", p, st->nlisted[i],
                        st->nfree[i], (int)i);
    }
  for (const lc_chunk_t *x = h->bins[i].fd; x != &h->bins[i]; x = x->fd)
    if (known(st, region_of(h, (uintptr_t)x, MIN_CHUNK), (uintptr_t)x) && !is_chunk_start(st, (uintptr_t)x))
      return fail_bin(st, LC_HEAP_BAD_BIN_ENTRY, "a bin holds an address that is no chunk of the heap", (uintptr_t)x,
                      st->nlisted[i], st->nfree[i], (int)i);
  return fail_bin(st, LC_HEAP_NOT_IN_BIN, "free chunks and bin entries differ in number", (uintptr_t)&h->bins[i],
                  st->nlisted[i], st->nfree[i], (int)i);
}

static lc_heap_fault_t check_large(vstate_t *st, size_t *bytes) {
  lc_heap_t *h = st->h;
  if (h->nlarge > h->large_cap || (h->nlarge && !h->large))
    return fail(st, LC_HEAP_BAD_LARGE, "nlarge exceeds the table", (uintptr_t)&h->nlarge, h->nlarge, h->large_cap);
  uintptr_t prev_end = 0;
  for (size_t i = 0; i < h->nlarge; i++) {
    const lc_large_t *l = &h->large[i];
    *bytes += l->map_size;
    if (i > 0 && l->chunk <= h->large[i - 1].chunk)
      return fail(st, LC_HEAP_BAD_LARGE, "large chunk table not sorted", (uintptr_t)l, l->chunk, h->large[i - 1].chunk);
    if (l->chunk % LC_ALIGN || l->map_size % PAGE || l->map_size == 0)
      return fail(st, LC_HEAP_BAD_LARGE, "large chunk entry misaligned", (uintptr_t)l, l->chunk, l->map_size);
    if (region_of(h, l->chunk, 1) >= 0)
      return fail(st, LC_HEAP_BAD_LARGE, "large chunk inside an extent", (uintptr_t)l, l->chunk, 0);
    // The entry is the heap's (checker memory); the tag in front of the payload is reachable by an underflow.
    const lc_chunk_t *c = at(l->chunk);
    uintptr_t map = l->chunk - c->prev_foot;
    if ((c->head & LC_FLAGS) != (LC_CINUSE | LC_MMAPPED) || c->prev_foot > l->chunk || map % PAGE ||
        l->chunk + csize(c) != map + l->map_size || c->prev_foot + csize(c) != l->map_size) {
      if (!st->overwritten) st->overwritten = l->chunk;
      prev_end = 0;
      continue;
    }
    if (map < prev_end)
      return fail(st, LC_HEAP_BAD_LARGE, "two large chunks' mappings overlap", (uintptr_t)l, map, prev_end);
    prev_end = map + l->map_size;
  }
  return LC_HEAP_OK;
}

static lc_heap_fault_t check_stats(vstate_t *st, size_t large_bytes) {
  lc_heap_t *h = st->h;
  const lc_heap_stats_t *s = &h->stats;
  if (!st->ncuts && !h->ndamaged && s->in_use_bytes != st->in_use)
    return fail(st, LC_HEAP_BAD_STATS, "in_use_bytes differs from the chunks in use", (uintptr_t)&s->in_use_bytes,
                s->in_use_bytes, st->in_use);
  if (s->peak_in_use_bytes < s->in_use_bytes)
    return fail(st, LC_HEAP_BAD_STATS, "peak_in_use_bytes below in_use_bytes", (uintptr_t)&s->peak_in_use_bytes,
                s->peak_in_use_bytes, s->in_use_bytes);
  if (s->large_count != h->nlarge)
    return fail(st, LC_HEAP_BAD_STATS, "large_count differs from the table", (uintptr_t)&s->large_count, s->large_count,
                h->nlarge);
  if (s->large_bytes != large_bytes)
    return fail(st, LC_HEAP_BAD_STATS, "large_bytes differs from the table", (uintptr_t)&s->large_bytes, s->large_bytes,
                large_bytes);
  size_t ext = 0, held = s->brk_bytes + s->mmap_extent_bytes;
  for (int i = 0; i < h->nextents; i++) ext += h->extents[i].end - h->extents[i].base;
  // A brk extent rounds both ends in to 16 bytes (at most 30 lost); mmap'd extents are exact.
  if (ext > held || held - ext > (size_t)30 * (size_t)h->nextents)
    return fail(st, LC_HEAP_BAD_STATS, "brk_bytes + mmap_extent_bytes differ from the extents' bytes",
                (uintptr_t)&s->brk_bytes, held, ext);
  return LC_HEAP_OK;
}

// *visited: chunks and bin entries looked at, the cost of this validation.
static lc_heap_fault_t validate(lc_heap_t *h, lc_heap_violation_t *report, size_t *visited) {
  vstate_t st = { .h = h, .v = report };
  *report = (lc_heap_violation_t){ .fault = LC_HEAP_OK, .bin = -1 };
  lc_heap_fault_t f = check_extents(&st);
  for (int i = 0; !f && i < h->nextents; i++) f = walk_checked(&st, i);
  for (unsigned i = 0; !f && i < LC_NBINS; i++) f = check_bin(&st, i);
  // The counts are compared over what the walks reached: all of it, or all but the rest of one extent.
  for (unsigned i = 0; !f && st.ncuts <= 1 && i < LC_NBINS; i++)
    if (st.nlisted[i] != st.nfree[i]) f = find_unlisted(&st, i);
  size_t large_bytes = 0;
  if (!f) f = check_large(&st, &large_bytes);
  if (!f) f = check_stats(&st, large_bytes);
  if (!f && st.overwritten)
    f = fail(&st, LC_HEAP_TAG_OVERWRITTEN, "a tag after a block holds what no heap operation writes (the program's)",
             st.overwritten, at(st.overwritten)->head, 0);
  *visited = st.visited;
  return f;
}

lc_heap_fault_t lc_heap_validate_locked(lc_heap_t *h, lc_heap_violation_t *report) {
  size_t visited;
  return validate(h, report, &visited);
}

/* ---- past a violation: what the heap can retire or set right so that it goes on ---- */

// The chunk at a, when it lies in an extent and its tag says free with a size that ends inside the extent, else NULL.
static lc_chunk_t *free_at(lc_heap_t *h, uintptr_t a) {
  lc_chunk_t *c = at(a);
  if (!a || region_of(h, a, MIN_CHUNK) < 0 || (c->head & (LC_CINUSE | LC_MMAPPED | LC_FENCE)) || !sane_size(h, c))
    return NULL;
  return c;
}

// Retires the bin of free chunk c's size, then c itself when that left it free (it was on no bin, or the bin's walk
// could not reach it).
static void retire_loose(lc_heap_t *h, lc_chunk_t *c, int trusted) {
  if (!c) return;
  retire_bin(h, bin_index(csize(c)));
  if (!(c->head & LC_CINUSE)) retire(h, c, 1, trusted);
}

int lc_heap_repair_locked(lc_heap_t *h, const lc_heap_violation_t *v) {
  int news = note_damage(h, v->addr);
  int in = region_of(h, v->addr, MIN_CHUNK) >= 0;
  lc_chunk_t *c = at(v->addr);
  switch (v->fault) {
  case LC_HEAP_BAD_LINK: case LC_HEAP_WRONG_BIN: case LC_HEAP_BAD_BIN_ENTRY: case LC_HEAP_NOT_IN_BIN:
  case LC_HEAP_FREE_BEFORE_TOP:
    if (v->bin >= 0) retire_bin(h, (unsigned)v->bin);
    if (v->fault == LC_HEAP_WRONG_BIN && v->expected < LC_NBINS) retire_bin(h, (unsigned)v->expected);
    retire_loose(h, free_at(h, v->addr), 1);     // a chunk flagged free that is on no bin: in use again, never used
    break;
  case LC_HEAP_ADJACENT_FREE:                    // one of the two lost its in-use flag to a write; both are retired
    retire_loose(h, free_at(h, v->before), 1);
    retire_loose(h, free_at(h, v->addr), 1);
    break;
  case LC_HEAP_BAD_PINUSE:                       // the flag is set right from the walk, which knows the chunk before
    if (in) c->head = v->expected ? c->head | LC_PINUSE : c->head & ~(size_t)LC_PINUSE;
    break;
  case LC_HEAP_BAD_PREV_FOOT:
    if (in) c->prev_foot = (size_t)v->expected;
    break;
  case LC_HEAP_BAD_TAG:                          // after a free chunk: that chunk is retired, the walk stops at the tag
    retire_loose(h, free_at(h, v->before), 0);
    break;
  default:                                       // the heap's own tables: nothing to retire; an overwritten tag stays
    break;
  }
  return news;
}

// A fault the program's writes can have caused (chunk memory), as opposed to one of the heap's own tables.
static int in_chunk_memory(lc_heap_fault_t f) {
  return f != LC_HEAP_BAD_EXTENT && f != LC_HEAP_BAD_BINMAP && f != LC_HEAP_BAD_LARGE && f != LC_HEAP_BAD_STATS;
}

// The LC_XCHECK of every heap operation (LC_DEBUG >= 2): when its turn comes, the validator runs. A fault in chunk
// memory is damage, which the program can have done (heap.h): recorded and repaired like the damage the operations
// find, so that the programs that corrupt the heap on purpose run at every level. A fault of the heap's own tables
// stops the process like a failed CHECK, saying which equation broke and where.
static int valid_every_n(lc_heap_t *h) {
  if (++h->ops < h->xcheck_at) return 1;
  lc_heap_violation_t v;
  size_t visited = 0;
  lc_heap_fault_t f = validate(h, &v, &visited);
  uint64_t wait = visited / LC_HEAP_XCHECK_COST;
  h->xcheck_at = h->ops + (wait > LC_HEAP_XCHECK_EVERY ? wait : LC_HEAP_XCHECK_EVERY);
  if (f == LC_HEAP_OK || f == LC_HEAP_TAG_OVERWRITTEN) return 1;
  if (in_chunk_memory(f) || (f == LC_HEAP_BAD_STATS && h->ndamaged)) {
    uintptr_t chunk = region_of(h, v.addr, MIN_CHUNK) >= 0 ? v.addr : 0;
    if (lc_heap_repair_locked(h, &v) && lc_heap_damage_pending < LC_HEAP_DAMAGE_MAX)
      damage_list[lc_heap_damage_pending++] = (lc_heap_damage_t){ .heap = h, .what = v.what, .addr = v.addr,
                                                                  .chunk = chunk, .found = v.found,
                                                                  .expected = v.expected };
    return 1;
  }
  char msg[256];
  snprintf(msg, sizeof msg, "lc_heap_validate_locked(%s heap): %s at 0x%lx (found 0x%llx, expected 0x%llx)",
           h->name ? h->name : "?", v.what, (unsigned long)v.addr, (unsigned long long)v.found,
           (unsigned long long)v.expected);
  lc_check_failed(__FILE__, __LINE__, msg, (uint64_t)f, v.addr);
}
