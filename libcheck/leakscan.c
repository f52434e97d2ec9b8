/* leakscan.c: roots -> flood fill -> memcheck's classes -> groups by stack; lc_leakscan_run drives the scan with
 * stoptheworld.c and procmaps.c. While the other threads are stopped nothing here may take a lock or allocate
 * from a heap (a stopped thread may hold either): scratch memory comes straight from mmap (os.c, lock-free),
 * sorting is done in place. Reads blocks only through heap.c's walk and block.c's header. */
#define _GNU_SOURCE
#include "leakscan.h"
#include "os.h"
#include "block.h"
#include "heap.h"
#include "stackdepot.h"
#include "unwind.h"
#include "stoptheworld.h"
#include "procmaps.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>

extern const ElfW(Ehdr) __ehdr_start;

/* ---- scratch memory: checker-owned (os.c), so excluded from the roots; lock-free, usable while stopped ---- */

static void *scratch_alloc(size_t size) { return lc_os_reserve(size); }
static void scratch_free(void *p, size_t size) { lc_os_free(p, size); }

/* ---- blocks ---- */

// A block's state: its class once classified (the report's kinds, same values), or not reached yet.
enum { ST_DEFINITE = LC_LEAK_DEFINITE, ST_POSSIBLE = LC_LEAK_POSSIBLE, ST_REACHABLE = LC_LEAK_REACHABLE,
       ST_INDIRECT = LC_LEAK_INDIRECT, ST_UNREACHED };

typedef struct scan_s {
  lc_leak_block_t *blocks;         // sorted by start, disjoint
  size_t n;
  uintptr_t lo, hi;                // every block lies in [lo, hi)
  uint32_t *work;                  // flood work list
  size_t nwork, work_cap;          // work_cap >= 2 * n: each phase pushes a block at most twice
  uintptr_t (*excl)[2];            // ranges that are never roots, sorted by start and merged (scratch memory)
  size_t nexcl, excl_cap;
  int excl_overflow;               // more ranges than counted: the scan must not trust its roots
  uintptr_t (*ro)[2];              // read-only file mappings, where vtables live (none without /proc)
  int nro;
} scan_t;

// Blocks that are roots themselves: the dynamic loader's. (Blocks allocated before the library's constructor
// ran are not: they are the program's libraries' too, whose constructors may leak; libc's start-up keeps its
// blocks pointed to.)
static int is_root_block(const lc_header_t *h) {
  // The loader's bookkeeping (DTVs, TLS blocks of dlopen'd modules, link maps, scopes), reached through
  // pointers it may keep offset (the DTV is pointed to at its second word).
  if (h->loader) return 1;
  const uintptr_t *pcs;
  int n = lc_stackdepot_get(h->alloc_stack, &pcs);
  return n > 0 && lc_unwind_is_loader_pc(pcs[0]);
}

typedef struct collect_s { lc_leak_block_t *blocks; size_t n, cap; } collect_t;

static void count_chunk(void *payload, size_t psize, void *arg) { (void)payload; (void)psize; (*(size_t *)arg)++; }

static void add_block(void *payload, size_t psize, void *arg) {
  collect_t *c = arg;
  lc_header_t *h = lc_block_from_payload(payload, psize);
  if (!h || h->state != LC_BLOCK_LIVE || h->origin == LC_ORIGIN_INTERNAL || c->n >= c->cap) return;
  c->blocks[c->n++] = (lc_leak_block_t){ .start = (uintptr_t)lc_block_user(h), .size = h->size,
                                         .stack = h->alloc_stack, .root = (uint8_t)is_root_block(h) };
}

static void sift(lc_leak_block_t *a, size_t root, size_t n) {
  for (;;) {
    size_t c = 2 * root + 1;
    if (c >= n) return;
    if (c + 1 < n && a[c + 1].start > a[c].start) c++;
    if (a[root].start >= a[c].start) return;
    lc_leak_block_t t = a[root]; a[root] = a[c]; a[c] = t;
    root = c;
  }
}

static void sort_blocks(lc_leak_block_t *a, size_t n) {          // heapsort: in place, no allocation
  if (n < 2) return;
  // The heap walk yields each extent's blocks in address order, and a heap mostly has one extent: often
  // there is nothing to sort (and a forked child exiting scans its parent's whole heap each time).
  size_t i = 1;
  while (i < n && a[i - 1].start < a[i].start) i++;
  if (i == n) return;
  for (size_t i = n / 2; i-- > 0;) sift(a, i, n);
  for (size_t end = n - 1; end > 0; end--) {
    lc_leak_block_t t = a[0]; a[0] = a[end]; a[end] = t;
    sift(a, 0, end);
  }
}

// pre: s->work is set. The blocks' first states: root blocks are reachable, the others not reached yet.
static void begin(scan_t *s, lc_leak_block_t *blocks, size_t n) {
  s->blocks = blocks;
  s->n = n;
  s->lo = n ? blocks[0].start : 0;
  s->hi = n ? blocks[n - 1].start + blocks[n - 1].size + 1 : 0;
  for (size_t i = 0; i < n; i++) {
    blocks[i].state = blocks[i].root ? ST_REACHABLE : ST_UNREACHED;
    blocks[i].indirect_bytes = blocks[i].indirect_blocks = 0;
  }
}

// Index of the block containing address v, or -1. *interior: v is not the block's start.
static inline long find_block(const scan_t *s, uintptr_t v, int *interior) {
  if (v < s->lo || v >= s->hi) return -1;
  size_t lo = 0, hi = s->n;
  while (lo < hi) {                                  // last block with start <= v
    size_t mid = (lo + hi) / 2;
    if (s->blocks[mid].start <= v) lo = mid + 1; else hi = mid;
  }
  if (lo == 0) return -1;
  const lc_leak_block_t *b = &s->blocks[lo - 1];
  if (v == b->start) { *interior = 0; return (long)(lo - 1); }
  if (v < b->start + b->size) { *interior = 1; return (long)(lo - 1); }
  return -1;
}

/* Interior pointers that are really references, memcheck's default leak-check heuristics (same names):
 * stdstring (old libstdc++ string rep), length64 (a 64-bit length before the data, e.g. sqlite3), newarray
 * (operator new[] of objects with destructors keeps the count before them), multipleinheritance (a pointer to
 * a second base class: both it and the block start hold vtable pointers). */
static int is_vtable_addr(const scan_t *s, uintptr_t v) {
  for (int i = 0; i < s->nro; i++) if (v >= s->ro[i][0] && v < s->ro[i][1]) return 1;
  return 0;
}

static int heuristic_reference(const scan_t *s, const lc_leak_block_t *b, uintptr_t v) {
  const uintptr_t *w = (const uintptr_t *)b->start;
  size_t off = v - b->start;
  if (off == 3 * sizeof(size_t) && b->size >= 3 * sizeof(size_t) + 1) {
    size_t length = w[0], capacity = w[1];
    if (3 * sizeof(size_t) + capacity + 1 == b->size && length <= capacity) return 1;          // stdstring
  }
  if (off == sizeof(uint64_t) && b->size >= 8) {
    if (w[0] == b->size - sizeof(uint64_t)) return 1;                                          // length64
    if (w[0] > 0 && (b->size - sizeof(size_t)) % w[0] == 0) return 1;                          // newarray
  }
  if ((off & 7) == 0 && off + 8 <= b->size && b->size >= 16 && is_vtable_addr(s, *(const uintptr_t *)v) &&
      is_vtable_addr(s, w[0]))
    return 1;                                                                                  // multipleinheritance
  return 0;
}

static inline void push(scan_t *s, size_t i) { if (s->nwork < s->work_cap) s->work[s->nwork++] = (uint32_t)i; }

// Phase 1 (strong = 1): a start pointer makes a block REACHABLE (and scanned); an interior one POSSIBLE.
// Phase 2 (strong = 0): what POSSIBLE blocks point to becomes POSSIBLE.
static void scan_range(scan_t *s, uintptr_t a, uintptr_t b, int strong) {
  a = LC_ROUND_UP(a, 8);
  for (; a + 8 <= b; a += 8) {
    uintptr_t v = *(const uintptr_t *)a;
    int interior;
    long i = find_block(s, v, &interior);
    if (i < 0) continue;
    lc_leak_block_t *blk = &s->blocks[i];
    if (interior && heuristic_reference(s, blk, v)) interior = 0;
    if (strong && !interior) {
      if (blk->state != ST_REACHABLE) { blk->state = ST_REACHABLE; push(s, (size_t)i); }
    } else if (blk->state == ST_UNREACHED) {
      blk->state = ST_POSSIBLE;
      if (!strong) push(s, (size_t)i);
    }
  }
}

static void drain(scan_t *s, int strong) {
  while (s->nwork > 0) {
    lc_leak_block_t *b = &s->blocks[s->work[--s->nwork]];
    scan_range(s, b->start, b->start + b->size, strong);
  }
}

/* ---- leaders of lost cliques: memcheck's "indirectly lost" ---- */

static void claim(scan_t *s, size_t leader) {
  lc_leak_block_t *L = &s->blocks[leader];
  L->state = ST_DEFINITE;
  s->nwork = 0;
  push(s, leader);
  while (s->nwork > 0) {
    lc_leak_block_t *b = &s->blocks[s->work[--s->nwork]];
    for (uintptr_t a = b->start; a + 8 <= b->start + b->size; a += 8) {
      int interior;
      long i = find_block(s, *(const uintptr_t *)a, &interior);
      if (i < 0 || (size_t)i == leader) continue;
      lc_leak_block_t *t = &s->blocks[i];
      if (t->state == ST_UNREACHED) {
        t->state = ST_INDIRECT;
        L->indirect_bytes += t->size; L->indirect_blocks++;
        push(s, (size_t)i);
      } else if (t->state == ST_DEFINITE) {        // an earlier leader: it and what it owns are ours now
        t->state = ST_INDIRECT;
        L->indirect_bytes += t->size + t->indirect_bytes;
        L->indirect_blocks += 1 + t->indirect_blocks;
        t->indirect_bytes = t->indirect_blocks = 0;
      }
    }
  }
}

// pre: the roots were scanned (scan_range, strong). From the reachable blocks, then the possibly reachable
// ones; what is left unreached is claimed in address order, and a block that reaches an earlier leader takes
// its clique over: a leader is a block no other lost block points to (in a cycle, its lowest address).
static void flood(scan_t *s) {
  for (size_t i = 0; i < s->n; i++) if (s->blocks[i].state == ST_REACHABLE) push(s, i);   // root blocks
  drain(s, 1);
  for (size_t i = 0; i < s->n; i++) if (s->blocks[i].state == ST_POSSIBLE) push(s, i);
  drain(s, 0);
  for (size_t i = 0; i < s->n; i++) if (s->blocks[i].state == ST_UNREACHED) claim(s, i);
}

/* ---- grouping ---- */

static int group_cmp(const lc_leak_group_t *a, const lc_leak_group_t *b) {   // >0 when a sorts after b
  if (a->kind != b->kind) return a->kind > b->kind ? 1 : -1;
  uint64_t ta = a->bytes + a->indirect_bytes, tb = b->bytes + b->indirect_bytes;
  if (ta != tb) return ta < tb ? 1 : -1;
  return a->stack > b->stack ? 1 : a->stack < b->stack ? -1 : 0;
}

static void sort_groups(lc_leak_group_t *g, size_t n) {    // insertion sort over a gap sequence (shell sort)
  for (size_t gap = n / 2; gap > 0; gap /= 2)
    for (size_t i = gap; i < n; i++) {
      lc_leak_group_t t = g[i];
      size_t j = i;
      for (; j >= gap && group_cmp(&g[j - gap], &t) > 0; j -= gap) g[j] = g[j - gap];
      g[j] = t;
    }
}

// The report's kind of a classified block, or -1 for an indirect one.
static int kind_of(int state) {
  return state == ST_DEFINITE ? LC_LEAK_DEFINITE : state == ST_POSSIBLE ? LC_LEAK_POSSIBLE
         : state == ST_REACHABLE ? LC_LEAK_REACHABLE : -1;
}

static void group(scan_t *s, lc_leak_result_t *r) {
  size_t nb = 0;
  for (size_t i = 0; i < s->n; i++) if (s->blocks[i].state != ST_INDIRECT) nb++;
  size_t hcap = 64;
  while (hcap < nb * 2) hcap *= 2;
  size_t hbytes = hcap * sizeof(uint32_t);
  uint32_t *slot_of = scratch_alloc(hbytes);             // hash (kind, stack) -> 1 + group index
  lc_leak_group_t *groups = lc_os_alloc((nb ? nb : 1) * sizeof *groups);
  for (size_t i = 0; i < s->n; i++) {
    lc_leak_block_t *b = &s->blocks[i];
    r->in_use_bytes += b->size; r->in_use_blocks++;
    switch (kind_of(b->state)) {
      case LC_LEAK_DEFINITE: r->definite_bytes += b->size; r->definite_blocks++; break;
      case LC_LEAK_POSSIBLE: r->possible_bytes += b->size; r->possible_blocks++; break;
      case LC_LEAK_REACHABLE: r->reachable_bytes += b->size; r->reachable_blocks++; break;
      default: r->indirect_bytes += b->size; r->indirect_blocks++; break;
    }
  }
  if (!slot_of || !groups) {                             // the totals stand; the report says the list is missing
    scratch_free(slot_of, hbytes);
    if (groups) lc_os_free(groups, (nb ? nb : 1) * sizeof *groups);
    r->ungrouped = 1;
    return;
  }
  size_t ng = 0;
  for (size_t i = 0; i < s->n; i++) {
    lc_leak_block_t *b = &s->blocks[i];
    int kind = kind_of(b->state);
    if (kind < 0) continue;                              // indirect: counted under the block that owns it
    uint64_t key = ((uint64_t)kind << 32) | b->stack;
    size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (hcap - 1);
    while (slot_of[h] && (((uint64_t)groups[slot_of[h] - 1].kind << 32) | groups[slot_of[h] - 1].stack) != key)
      h = (h + 1) & (hcap - 1);
    if (!slot_of[h]) {
      groups[ng] = (lc_leak_group_t){ .kind = kind, .stack = b->stack, .example = b->start };
      slot_of[h] = (uint32_t)++ng;
    }
    lc_leak_group_t *g = &groups[slot_of[h] - 1];
    g->bytes += b->size; g->blocks++;
    g->indirect_bytes += b->indirect_bytes; g->indirect_blocks += b->indirect_blocks;
  }
  scratch_free(slot_of, hbytes);
  sort_groups(groups, ng);
  r->groups = groups;
  r->ngroups = ng;
  r->map_bytes = (nb ? nb : 1) * sizeof *groups;
}

lc_leak_result_t *lc_leakscan_classify(lc_leak_block_t *blocks, size_t n, const lc_leak_range_t *roots, size_t nroots) {
  lc_leak_result_t *r = lc_os_alloc(sizeof *r);
  scan_t s = { .work_cap = 2 * (n ? n : 1) };
  s.work = scratch_alloc(s.work_cap * sizeof(uint32_t));
  if (!r || !s.work) { scratch_free(s.work, s.work_cap * sizeof(uint32_t)); lc_os_free(r, sizeof *r); return NULL; }
  begin(&s, blocks, n);
  for (size_t i = 0; i < nroots; i++) scan_range(&s, roots[i].start, roots[i].end, 1);
  flood(&s);
  group(&s, r);
  scratch_free(s.work, s.work_cap * sizeof(uint32_t));
  return r;
}

/* ---- roots ---- */

static void exclude(uintptr_t start, uintptr_t end, void *arg) {
  scan_t *s = arg;
  if (s->nexcl < s->excl_cap) { s->excl[s->nexcl][0] = start; s->excl[s->nexcl][1] = end; s->nexcl++; }
  else s->excl_overflow = 1;
}

static void sort_ranges(uintptr_t (*r)[2], size_t n) {   // shell sort by start: in place, no allocation
  for (size_t gap = n / 2; gap > 0; gap /= 2)
    for (size_t i = gap; i < n; i++) {
      uintptr_t a = r[i][0], b = r[i][1];
      size_t j = i;
      for (; j >= gap && r[j - gap][0] > a; j -= gap) { r[j][0] = r[j - gap][0]; r[j][1] = r[j - gap][1]; }
      r[j][0] = a; r[j][1] = b;
    }
}

static void merge_exclusions(scan_t *s) {
  sort_ranges(s->excl, s->nexcl);
  size_t out = 0;
  for (size_t i = 0; i < s->nexcl; i++) {
    if (out > 0 && s->excl[i][0] <= s->excl[out - 1][1]) {
      if (s->excl[i][1] > s->excl[out - 1][1]) s->excl[out - 1][1] = s->excl[i][1];
    } else {
      s->excl[out][0] = s->excl[i][0]; s->excl[out][1] = s->excl[i][1]; out++;
    }
  }
  s->nexcl = out;
}

static void scan_root_part(scan_t *s, uintptr_t a, uintptr_t b);

// Scans [a, b) minus the excluded ranges (sorted, disjoint: found by binary search).
static void scan_root(scan_t *s, uintptr_t a, uintptr_t b) {
  size_t lo = 0, hi = s->nexcl;
  while (lo < hi) {                                 // first exclusion ending after a
    size_t mid = (lo + hi) / 2;
    if (s->excl[mid][1] <= a) lo = mid + 1; else hi = mid;
  }
  for (size_t i = lo; i < s->nexcl && a < b && s->excl[i][0] < b; i++) {
    if (s->excl[i][0] > a) scan_root_part(s, a, s->excl[i][0]);
    if (s->excl[i][1] > a) a = s->excl[i][1];
  }
  if (a < b) scan_root_part(s, a, b);
}

static void scan_root_part(scan_t *s, uintptr_t a, uintptr_t b) {
  // Pages never touched hold only zeros: ask mincore, and read only resident pages (a runtime may reserve
  // gigabytes of address space it never uses; reading them would fault every page in).
  a &= ~(uintptr_t)7;
  uintptr_t page_a = a & ~(uintptr_t)4095;
  unsigned char vec[256];
  for (uintptr_t chunk = page_a; chunk < b; chunk += sizeof vec * 4096) {
    uintptr_t chunk_end = chunk + sizeof vec * 4096 < b ? chunk + sizeof vec * 4096 : b;
    size_t pages = (chunk_end - chunk + 4095) / 4096;
    if (mincore((void *)chunk, chunk_end - chunk, vec) != 0) { scan_range(s, chunk < a ? a : chunk, chunk_end, 1); continue; }
    for (size_t i = 0; i < pages; i++) {
      if (!(vec[i] & 1)) continue;
      uintptr_t pa = chunk + i * 4096, pb = pa + 4096 < chunk_end ? pa + 4096 : chunk_end;
      scan_range(s, pa < a ? a : pa, pb, 1);
    }
  }
}

static void exclude_own_segments(scan_t *s) {
  const ElfW(Ehdr) *eh = &__ehdr_start;
  const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
  for (int i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W)) {
      uintptr_t a = (uintptr_t)eh + ph[i].p_vaddr;
      exclude(a & ~(uintptr_t)4095, LC_ROUND_UP(a + ph[i].p_memsz, 4096), s);
    }
}

// The stack pointer that bounds the scan of the mapping [a, b): a thread's saved sp if one lies inside.
static uintptr_t stack_floor(const lc_world_t *w, uintptr_t a, uintptr_t b, uintptr_t self_sp) {
  if (self_sp >= a && self_sp < b) return self_sp;
  for (int i = 0; i < w->nthreads; i++) {
    const lc_stw_thread_t *t = &w->threads[i];
    if (t->state == LC_STW_STOPPED && t->sp >= a && t->sp < b)
      return t->sp > a + 128 ? t->sp - 128 : a;   // the red zone below sp is live too
  }
  return a;
}

#define MAX_RO 4096
static uintptr_t ro_ranges[MAX_RO][2];             // read-only file mappings: where vtables live

static void collect_readonly(scan_t *s, const lc_procmaps_t *m) {
  lc_mapping_t mp;
  int nro = 0;
  for (const char *at = NULL; lc_procmaps_next(m, &at, &mp);)
    if (mp.perms[0] == 'r' && mp.perms[1] != 'w' && mp.path && mp.path[0] == '/' && nro < MAX_RO) {
      ro_ranges[nro][0] = mp.start; ro_ranges[nro][1] = mp.end; nro++;
    }
  s->ro = ro_ranges;
  s->nro = nro;
}

// Which writable mappings are roots: every private one; shared ones only when they are anonymous memory
// (MAP_SHARED|MAP_ANONYMOUS shows as /dev/zero, System V and POSIX shared memory, memfd), never device memory
// or shared files.
static int is_root_mapping(const lc_mapping_t *mp) {
  if (mp->perms[0] != 'r' || mp->perms[1] != 'w') return 0;
  const char *path = mp->path;
  if (path && (strcmp(path, "[vvar]") == 0 || strcmp(path, "[vsyscall]") == 0)) return 0;
  if (mp->perms[3] == 'p') return !path || strncmp(path, "/dev/", 5) != 0 || strncmp(path, "/dev/zero", 9) == 0;
  if (!path) return 1;
  return strncmp(path, "/dev/zero", 9) == 0 || strncmp(path, "/SYSV", 5) == 0 || strncmp(path, "/dev/shm/", 9) == 0 ||
         strncmp(path, "/memfd:", 7) == 0;
}

static void scan_mappings(scan_t *s, const lc_procmaps_t *m, const lc_world_t *w, uintptr_t self_sp) {
  lc_mapping_t mp;
  for (const char *at = NULL; lc_procmaps_next(m, &at, &mp);)
    if (is_root_mapping(&mp)) scan_root(s, stack_floor(w, mp.start, mp.end, self_sp), mp.end);
}

/* ---- the scan ---- */

static void call_freeres(void) {
  void (*libc_freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__libc_freeres");
  void (*cxx_freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZN9__gnu_cxx9__freeresEv");
  if (cxx_freeres) cxx_freeres();
  if (libc_freeres) libc_freeres();
}

// 1 if the calling thread is the process's only thread (read from /proc without allocating).
static int single_threaded(void) { return lc_stoptheworld_tasks(NULL, NULL) == 1; }

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

LC_NOINLINE lc_leak_result_t *lc_leakscan_run(int freeres, uintptr_t stack_from, int keep_stopped) {
  // libc's caches are freed only when no other thread could still be using them.
  if (freeres && single_threaded()) call_freeres();
  double t0 = now();
  lc_leak_result_t *r = lc_os_alloc(sizeof *r);
  scan_t *s = lc_os_alloc(sizeof *s);
  if (!r || !s) { if (s) lc_os_free(s, sizeof *s); if (r) lc_os_free(r, sizeof *r); return NULL; }
  // Our own registers: a pointer held only there is a root. getcontext fills the general registers and the FPU
  // environment only; the rest of the structure would be stale stack, which held a lost block's address.
  ucontext_t regs;
  memset(&regs, 0, sizeof regs);
  getcontext(&regs);
  uintptr_t self_sp = stack_from ? stack_from : (uintptr_t)__builtin_frame_address(0);

  lc_world_t world;
  lc_stoptheworld_stop(&world);
  r->threads_stopped = world.stopped;
  r->threads_unresponsive = world.unresponsive;
  size_t nchunks = 0;
  lc_heap_for_each_chunk_locked(&lc_user_heap, count_chunk, &nchunks);
  collect_t c = { .cap = nchunks };
  c.blocks = scratch_alloc((nchunks ? nchunks : 1) * sizeof *c.blocks);
  s->work_cap = 2 * (nchunks ? nchunks : 1);
  s->work = scratch_alloc(s->work_cap * sizeof(uint32_t));
  if (c.blocks && s->work) {
    lc_heap_for_each_chunk_locked(&lc_user_heap, add_block, &c);
    sort_blocks(c.blocks, c.n);
    begin(s, c.blocks, c.n);
    s->excl_cap = (size_t)lc_user_heap.nextents + lc_user_heap.nlarge + (size_t)lc_internal_heap.nextents +
                  lc_internal_heap.nlarge + LC_OS_MAX_RANGES + 64;
    s->excl = scratch_alloc(s->excl_cap * sizeof *s->excl);
    if (!s->excl) s->excl_cap = 0;
    lc_heap_for_each_range_locked(&lc_user_heap, exclude, s);
    lc_heap_for_each_range_locked(&lc_internal_heap, exclude, s);
    lc_os_for_each_range(exclude, s);                // also the scan state and scratch, this table included
    exclude_own_segments(s);
    merge_exclusions(s);
    lc_procmaps_t maps;
    lc_procmaps_read(&maps);
    if (maps.buf) collect_readonly(s, &maps);
    // Roots unknown (no room for the exclusions, or no memory to read the mappings): say nothing rather than
    // something false.
    if (!s->excl || s->excl_overflow || !maps.buf) {
      r->incomplete = 1;
      r->incomplete_reason = !s->excl ? LC_INCOMPLETE_NO_EXCLUSIONS
                             : s->excl_overflow ? LC_INCOMPLETE_TOO_MANY_RANGES : LC_INCOMPLETE_NO_MAPS;
      for (size_t i = 0; i < s->n; i++) s->blocks[i].state = ST_REACHABLE;
    }
    // Roots: registers (ours and the stopped threads'), then every writable mapping of the program.
    if (!stack_from)                                 // else: the runtime's
      scan_range(s, (uintptr_t)regs.uc_mcontext.gregs, (uintptr_t)(regs.uc_mcontext.gregs + NGREG), 1);
    for (int i = 0; i < world.nthreads; i++)
      if (world.threads[i].state == LC_STW_STOPPED)
        scan_range(s, (uintptr_t)world.threads[i].regs, (uintptr_t)(world.threads[i].regs + LC_STW_NREGS), 1);
    if (maps.buf && !r->incomplete) scan_mappings(s, &maps, &world, self_sp);
    flood(s);
    lc_procmaps_free(&maps);
  } else {
    r->unscanned = 1;
    r->incomplete_reason = LC_INCOMPLETE_NO_TABLES;
  }
  if (!keep_stopped) lc_stoptheworld_resume();
  group(s, r);
  scratch_free(c.blocks, (nchunks ? nchunks : 1) * sizeof *c.blocks);
  if (s->excl) scratch_free(s->excl, s->excl_cap * sizeof *s->excl);
  scratch_free(s->work, s->work_cap * sizeof(uint32_t));
  lc_os_free(s, sizeof *s);
  r->scan_seconds = now() - t0;
  return r;
}

void lc_leakscan_free(lc_leak_result_t *r) {
  if (!r) return;
  if (r->groups) lc_os_free(r->groups, r->map_bytes);
  lc_os_free(r, sizeof *r);
}
