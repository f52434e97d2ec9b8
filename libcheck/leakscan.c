/* leakscan.c: roots -> flood fill -> classes, at exit. While the other threads are stopped nothing here may
 * take a lock or allocate from a heap (a stopped thread may hold either): scratch memory comes straight from
 * mmap, files are read with raw system calls, sorting is done in place. Reads blocks only through heap.c's
 * walk and block.c's header. */
#define _GNU_SOURCE
#include "leakscan.h"
#include "os.h"
#include "block.h"
#include "heap.h"
#include "alloc.h"
#include "stackdepot.h"
#include "unwind.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

extern const ElfW(Ehdr) __ehdr_start;

/* ---- scratch memory: checker-owned (os.c), so excluded from the roots; lock-free, usable while stopped ---- */

static void *scratch_alloc(size_t size) { return lc_os_reserve(size); }
static void scratch_free(void *p, size_t size) { lc_os_free(p, size); }

static uintptr_t parse_hex(const char **p);

/* ---- stopping the other threads: a signal whose handler publishes its registers and waits ---- */

#define MAX_THREADS 8192
#define NREGS 23
typedef struct slot_s {
  pid_t tid;
  int state;                       // 0 signalled, 1 stopped (registers saved), 2 resumed, -1 gone
  uintptr_t sp;
  uintptr_t regs[NREGS];
} slot_t;

static slot_t *slots;
static int nslots;
static int release_flag;
static int stop_signal;

static pid_t gettid_raw(void) { return (pid_t)syscall(SYS_gettid); }

static void stop_handler(int sig, siginfo_t *si, void *ucv) {
  (void)sig; (void)si;
  int saved = errno;
  pid_t me = gettid_raw();
  slot_t *s = NULL;
  for (int i = 0; i < nslots; i++) if (slots[i].tid == me) { s = &slots[i]; break; }
  if (s) {
    ucontext_t *uc = ucv;
    for (int i = 0; i < NREGS; i++) s->regs[i] = (uintptr_t)uc->uc_mcontext.gregs[i];
    s->sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    __atomic_store_n(&s->state, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&release_flag, __ATOMIC_ACQUIRE))
      syscall(SYS_futex, &release_flag, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    __atomic_store_n(&s->state, 2, __ATOMIC_RELEASE);
  }
  errno = saved;
}

static void sleep_us(long us) {
  struct timespec ts = { 0, us * 1000 };
  nanosleep(&ts, NULL);
}

// Calls fn(tid, arg) for every thread of the process, read from /proc/self/task with getdents64 (opendir
// would allocate). Returns the number of threads, or -1 when /proc cannot be read.
static int for_each_task(void (*fn)(pid_t tid, void *arg), void *arg) {
  int fd = lc_os_open("/proc/self/task", O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return -1;
  char buf[8192];
  int count = 0;
  long n;
  while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + off);
      off += d->reclen;
      if (d->name[0] < '0' || d->name[0] > '9') continue;
      pid_t tid = 0;
      for (const char *c = d->name; *c; c++) tid = tid * 10 + (*c - '0');
      count++;
      if (fn) fn(tid, arg);
    }
  }
  lc_os_close(fd);
  return count;
}

static void add_slot(pid_t tid, void *self) {
  if (tid != *(pid_t *)self && nslots < MAX_THREADS) slots[nslots++] = (slot_t){ .tid = tid };
}

static int list_threads(pid_t self) {
  for_each_task(add_slot, &self);
  return nslots;
}

static struct sigaction old_action;

// Reads /proc/self/task/TID/NAME into buf with raw calls; returns the length (0 on failure).
static size_t read_task_file(pid_t tid, const char *name, char *buf, size_t cap) {
  char path[64];
  int n = 0;
  const char *prefix = "/proc/self/task/";
  while (prefix[n]) { path[n] = prefix[n]; n++; }
  char digits[16];
  int d = 0;
  for (pid_t t = tid; t > 0 && d < 15; t /= 10) digits[d++] = (char)('0' + t % 10);
  while (d > 0) path[n++] = digits[--d];
  path[n++] = '/';
  for (int i = 0; name[i] && n < (int)sizeof path - 1; i++) path[n++] = name[i];
  path[n] = 0;
  ssize_t len = lc_os_read_file(path, buf, cap);
  return len > 0 ? (size_t)len : 0;
}

// 1 if thread tid would not run our handler for sig: it blocks it (SigBlk), or it sits in sigwait()
// (rt_sigtimedwait unblocks the waited signals and takes them itself, so the program would receive ours).
static int cannot_be_stopped(pid_t tid, int sig) {
  char buf[2048];
  if (read_task_file(tid, "syscall", buf, sizeof buf) && strncmp(buf, "128 ", 4) == 0) return 1;  // rt_sigtimedwait
  if (!read_task_file(tid, "status", buf, sizeof buf)) return 0;
  const char *p = strstr(buf, "SigBlk:");
  if (!p) return 0;
  p += 7;
  while (*p == ' ' || *p == '\t') p++;
  uint64_t mask = (uint64_t)parse_hex(&p);
  return (mask >> (sig - 1)) & 1;
}

// The stop signal is borrowed from the program: a real-time signal it has not claimed (its action is still the
// default, which would end the process, so the program cannot be expecting it through a handler).
static int pick_stop_signal(void) {
  for (int sig = SIGRTMAX - 2; sig >= SIGRTMIN + 2; sig--) {
    struct sigaction cur;
    if (sigaction(sig, NULL, &cur) == 0 && !(cur.sa_flags & SA_SIGINFO) && cur.sa_handler == SIG_DFL) return sig;
  }
  return SIGRTMAX - 2;
}

static void stop_world(lc_leak_result_t *r) {
  slots = scratch_alloc(MAX_THREADS * sizeof *slots);
  nslots = 0;
  release_flag = 0;
  if (!slots || list_threads(gettid_raw()) == 0) return;
  stop_signal = pick_stop_signal();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = stop_handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&sa.sa_mask);
  sigaction(stop_signal, &sa, &old_action);
  pid_t pid = getpid();
  for (int i = 0; i < nslots; i++) {
    // A thread that blocks the signal is scanned without its registers (its whole stack mapping is scanned).
    if (cannot_be_stopped(slots[i].tid, stop_signal)) { slots[i].state = -2; continue; }
    if (syscall(SYS_tgkill, pid, slots[i].tid, stop_signal) != 0) slots[i].state = -1;
  }
  for (int waited = 0; waited < 2000; waited++) {     // up to ~0.5 s for every thread to answer
    int pending = 0;
    for (int i = 0; i < nslots; i++) if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == 0) pending++;
    if (!pending) break;
    sleep_us(waited < 100 ? 20 : 250);
  }
  for (int i = 0; i < nslots; i++) {
    if (slots[i].state == 1) r->threads_stopped++;
    else if (slots[i].state == 0 || slots[i].state == -2) r->threads_unresponsive++;
  }
}

static void resume_world(void) {
  if (!slots) return;
  if (nslots > 0) {
    __atomic_store_n(&release_flag, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &release_flag, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
    for (int waited = 0; waited < 4000; waited++) {   // they must leave the handler before it is removed
      int inside = 0;
      for (int i = 0; i < nslots; i++) if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == 1) inside++;
      if (!inside) break;
      sleep_us(50);
    }
    // A signal still pending (a thread that never answered) must not reach the program: ignoring it discards
    // it, then the program's own action comes back.
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(stop_signal, &ign, NULL);
    sigaction(stop_signal, &old_action, NULL);
  }
  scratch_free(slots, MAX_THREADS * sizeof *slots);
  slots = NULL;
}

/* ---- blocks ---- */

enum { ST_UNREACHED, ST_POSSIBLE, ST_REACHABLE, ST_INDIRECT, ST_DEFINITE };

typedef struct blk_s {
  uintptr_t start;
  uint64_t size;
  uint32_t stack;
  uint8_t state;
  uint64_t indirect_bytes, indirect_blocks;
} blk_t;

typedef struct scan_s {
  blk_t *blocks;
  size_t n, cap;
  uintptr_t lo, hi;                // every block lies in [lo, hi)
  uint32_t *work;                  // flood work list
  size_t nwork, work_cap;
  uintptr_t (*excl)[2];            // ranges that are never roots, sorted by start and merged (scratch memory)
  size_t nexcl, excl_cap;
  int excl_overflow;               // more ranges than counted: the scan must not trust its roots
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

static void count_chunk(void *payload, size_t psize, void *arg) { (void)payload; (void)psize; (*(size_t *)arg)++; }

static void add_block(void *payload, size_t psize, void *arg) {
  scan_t *s = arg;
  lc_header_t *h = lc_block_from_payload(payload, psize);
  if (!h || h->state != LC_BLOCK_LIVE || h->origin == LC_ORIGIN_INTERNAL || s->n >= s->cap) return;
  s->blocks[s->n++] = (blk_t){ .start = (uintptr_t)lc_block_user(h), .size = h->size, .stack = h->alloc_stack,
                               .state = is_root_block(h) ? ST_REACHABLE : ST_UNREACHED };
}

static void sift(blk_t *a, size_t root, size_t n) {
  for (;;) {
    size_t c = 2 * root + 1;
    if (c >= n) return;
    if (c + 1 < n && a[c + 1].start > a[c].start) c++;
    if (a[root].start >= a[c].start) return;
    blk_t t = a[root]; a[root] = a[c]; a[c] = t;
    root = c;
  }
}

static void sort_blocks(blk_t *a, size_t n) {          // heapsort: in place, no allocation
  if (n < 2) return;
  // The heap walk yields each extent's blocks in address order, and a heap mostly has one extent: often
  // there is nothing to sort (and a forked child exiting scans its parent's whole heap each time).
  size_t i = 1;
  while (i < n && a[i - 1].start < a[i].start) i++;
  if (i == n) return;
  for (size_t i = n / 2; i-- > 0;) sift(a, i, n);
  for (size_t end = n - 1; end > 0; end--) {
    blk_t t = a[0]; a[0] = a[end]; a[end] = t;
    sift(a, 0, end);
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
  const blk_t *b = &s->blocks[lo - 1];
  if (v == b->start) { *interior = 0; return (long)(lo - 1); }
  if (v < b->start + b->size) { *interior = 1; return (long)(lo - 1); }
  return -1;
}

/* Interior pointers that are really references, memcheck's default leak-check heuristics (same names):
 * stdstring (old libstdc++ string rep), length64 (a 64-bit length before the data, e.g. sqlite3), newarray
 * (operator new[] of objects with destructors keeps the count before them), multipleinheritance (a pointer to
 * a second base class: both it and the block start hold vtable pointers). */
#define MAX_RO 4096
static uintptr_t ro_ranges[MAX_RO][2];             // read-only file mappings: where vtables live
static int nro;

static int is_vtable_addr(uintptr_t v) {
  for (int i = 0; i < nro; i++) if (v >= ro_ranges[i][0] && v < ro_ranges[i][1]) return 1;
  return 0;
}

static int heuristic_reference(const blk_t *b, uintptr_t v) {
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
  if ((off & 7) == 0 && off + 8 <= b->size && b->size >= 16 && is_vtable_addr(*(const uintptr_t *)v) &&
      is_vtable_addr(w[0]))
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
    blk_t *blk = &s->blocks[i];
    if (interior && heuristic_reference(blk, v)) interior = 0;
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
    blk_t *b = &s->blocks[s->work[--s->nwork]];
    scan_range(s, b->start, b->start + b->size, strong);
  }
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

static uintptr_t parse_hex(const char **p) {
  uintptr_t v = 0;
  for (;; (*p)++) {
    char c = **p;
    if (c >= '0' && c <= '9') v = v * 16 + (uintptr_t)(c - '0');
    else if (c >= 'a' && c <= 'f') v = v * 16 + (uintptr_t)(c - 'a' + 10);
    else return v;
  }
}

// The stack pointer that bounds the scan of the mapping [a, b): a thread's saved sp if one lies inside.
static uintptr_t stack_floor(uintptr_t a, uintptr_t b, uintptr_t self_sp) {
  if (self_sp >= a && self_sp < b) return self_sp;
  for (int i = 0; i < nslots; i++)
    if (slots[i].state == 1 && slots[i].sp >= a && slots[i].sp < b)
      return slots[i].sp > a + 128 ? slots[i].sp - 128 : a;   // the red zone below sp is live too
  return a;
}

typedef struct maps_s { char *buf; size_t len, cap; } maps_t;

// Reads /proc/self/maps into scratch memory with raw calls.
static int read_maps(maps_t *m) {
  size_t cap = 1 << 20, len = 0;
  char *buf = scratch_alloc(cap);
  m->buf = NULL;
  if (!buf) return 0;
  int fd = lc_os_open("/proc/self/maps", O_RDONLY, 0);
  if (fd < 0) { scratch_free(buf, cap); return 0; }
  for (;;) {
    if (len + 4096 > cap) {                          // grow: a large process has many mappings
      char *nb = scratch_alloc(cap * 2);
      if (!nb) break;
      memcpy(nb, buf, len);
      scratch_free(buf, cap);
      buf = nb; cap *= 2;
    }
    ssize_t n = lc_os_read(fd, buf + len, cap - len - 1);
    if (n <= 0) break;
    len += (size_t)n;
  }
  lc_os_close(fd);
  buf[len] = 0;
  for (size_t i = 0; i < len; i++) if (buf[i] == '\n') buf[i] = 0;   // one string per line
  m->buf = buf; m->len = len; m->cap = cap;
  return 1;
}

typedef struct mapping_s { uintptr_t a, b; const char *perms, *path; } mapping_t;

static const char *next_mapping(const maps_t *m, const char *line, mapping_t *out) {
  while (line < m->buf + m->len && !*line) line++;
  if (line >= m->buf + m->len) return NULL;
  const char *p = line;
  out->a = parse_hex(&p);
  p++;
  out->b = parse_hex(&p);
  p++;
  out->perms = p;
  out->path = strchr(p, '/');
  if (!out->path) out->path = strchr(p, '[');
  return line + strlen(line) + 1;
}

static void collect_readonly(const maps_t *m) {
  mapping_t mp;
  nro = 0;
  for (const char *l = m->buf; l && (l = next_mapping(m, l, &mp)) != NULL;)
    if (mp.perms[0] == 'r' && mp.perms[1] != 'w' && mp.path && mp.path[0] == '/' && nro < MAX_RO) {
      ro_ranges[nro][0] = mp.a; ro_ranges[nro][1] = mp.b; nro++;
    }
}

// Which writable mappings are roots: every private one; shared ones only when they are anonymous memory
// (MAP_SHARED|MAP_ANONYMOUS shows as /dev/zero, System V and POSIX shared memory, memfd), never device memory
// or shared files.
static int is_root_mapping(const mapping_t *mp) {
  if (mp->perms[0] != 'r' || mp->perms[1] != 'w') return 0;
  const char *path = mp->path;
  if (path && (strcmp(path, "[vvar]") == 0 || strcmp(path, "[vsyscall]") == 0)) return 0;
  if (mp->perms[3] == 'p') return !path || strncmp(path, "/dev/", 5) != 0 || strncmp(path, "/dev/zero", 9) == 0;
  if (!path) return 1;
  return strncmp(path, "/dev/zero", 9) == 0 || strncmp(path, "/SYSV", 5) == 0 || strncmp(path, "/dev/shm/", 9) == 0 ||
         strncmp(path, "/memfd:", 7) == 0;
}

static void scan_mappings(scan_t *s, const maps_t *m, uintptr_t self_sp) {
  mapping_t mp;
  for (const char *l = m->buf; l && (l = next_mapping(m, l, &mp)) != NULL;)
    if (is_root_mapping(&mp)) scan_root(s, stack_floor(mp.a, mp.b, self_sp), mp.b);
}

/* ---- leaders of lost cliques: memcheck's "indirectly lost" ---- */

static void claim(scan_t *s, size_t leader) {
  blk_t *L = &s->blocks[leader];
  L->state = ST_DEFINITE;
  s->nwork = 0;
  push(s, leader);
  while (s->nwork > 0) {
    blk_t *b = &s->blocks[s->work[--s->nwork]];
    for (uintptr_t a = b->start; a + 8 <= b->start + b->size; a += 8) {
      int interior;
      long i = find_block(s, *(const uintptr_t *)a, &interior);
      if (i < 0 || (size_t)i == leader) continue;
      blk_t *t = &s->blocks[i];
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
    blk_t *b = &s->blocks[i];
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
    blk_t *b = &s->blocks[i];
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

/* ---- the scan ---- */

static void call_freeres(void) {
  void (*libc_freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__libc_freeres");
  void (*cxx_freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZN9__gnu_cxx9__freeresEv");
  if (cxx_freeres) cxx_freeres();
  if (libc_freeres) libc_freeres();
}

// 1 if the calling thread is the process's only thread (read from /proc without allocating).
static int single_threaded(void) { return for_each_task(NULL, NULL) == 1; }

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
  ucontext_t regs;                                 // our own registers: a pointer held only there is a root
  getcontext(&regs);
  uintptr_t self_sp = stack_from ? stack_from : (uintptr_t)__builtin_frame_address(0);

  stop_world(r);
  size_t nchunks = 0;
  lc_heap_for_each_chunk_locked(&lc_user_heap, count_chunk, &nchunks);
  s->cap = nchunks;
  s->blocks = scratch_alloc((nchunks ? nchunks : 1) * sizeof(blk_t));
  s->work_cap = 2 * (nchunks ? nchunks : 1);
  s->work = scratch_alloc(s->work_cap * sizeof(uint32_t));
  if (s->blocks && s->work) {
    lc_heap_for_each_chunk_locked(&lc_user_heap, add_block, s);
    sort_blocks(s->blocks, s->n);
    s->lo = s->n ? s->blocks[0].start : 0;
    s->hi = s->n ? s->blocks[s->n - 1].start + s->blocks[s->n - 1].size + 1 : 0;
    for (size_t i = 0; i < s->n; i++) {
      r->in_use_bytes += s->blocks[i].size;
      r->in_use_blocks++;
    }
    s->excl_cap = (size_t)lc_user_heap.nextents + lc_user_heap.nlarge + (size_t)lc_internal_heap.nextents +
                  lc_internal_heap.nlarge + LC_OS_MAX_RANGES + 64;
    s->excl = scratch_alloc(s->excl_cap * sizeof *s->excl);
    if (!s->excl) s->excl_cap = 0;
    lc_heap_for_each_range_locked(&lc_user_heap, exclude, s);
    lc_heap_for_each_range_locked(&lc_internal_heap, exclude, s);
    lc_os_for_each_range(exclude, s);                // also the scan state and scratch, this table included
    exclude_own_segments(s);
    merge_exclusions(s);
    maps_t maps = { 0 };
    read_maps(&maps);
    if (maps.buf) collect_readonly(&maps);
    // Roots unknown (no room for the exclusions, or no memory to read the mappings): say nothing rather than
    // something false.
    if (!s->excl || s->excl_overflow || !maps.buf) {
      r->incomplete = 1;
      for (size_t i = 0; i < s->n; i++) s->blocks[i].state = ST_REACHABLE;
    }
    // Roots: registers (ours and the stopped threads'), then every writable mapping of the program.
    if (!stack_from) scan_range(s, (uintptr_t)&regs, (uintptr_t)(&regs + 1), 1);   // else: the runtime's
    for (int i = 0; i < nslots; i++)
      if (slots[i].state == 1) scan_range(s, (uintptr_t)slots[i].regs, (uintptr_t)(slots[i].regs + NREGS), 1);
    if (maps.buf && !r->incomplete) scan_mappings(s, &maps, self_sp);
    for (size_t i = 0; i < s->n; i++) if (s->blocks[i].state == ST_REACHABLE) push(s, i);   // root blocks
    drain(s, 1);
    for (size_t i = 0; i < s->n; i++) if (s->blocks[i].state == ST_POSSIBLE) push(s, i);
    drain(s, 0);
    for (size_t i = 0; i < s->n; i++) if (s->blocks[i].state == ST_UNREACHED) claim(s, i);
    if (maps.buf) scratch_free(maps.buf, maps.cap);
  } else {
    r->unscanned = 1;
  }
  if (!keep_stopped) resume_world();
  group(s, r);
  scratch_free(s->blocks, (nchunks ? nchunks : 1) * sizeof(blk_t));
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
