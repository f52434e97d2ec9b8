/* interpose.c: every symbol libheapcheck exports. Each one: guard, capture, one call into alloc.c, with the
 * C/POSIX/glibc argument rules and errno. No other logic lives here; only this file is default-visible. */
#define _GNU_SOURCE
#include "alloc.h"
#include "init.h"
#include "os.h"
#include "quiesce.h"
#include "heap.h"
#include "options.h"
#include "quarantine.h"
#include "report.h"
#include "stackdepot.h"
#include "unwind.h"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

// The caller's stack, unless stacks are off. Before the constructor has run (the unwinder is not set up yet:
// libc's start-up, the constructors of libraries initialized before us) the caller's address alone.
// freeing: the dynamic loader frees while it holds the lock dl_iterate_phdr takes (dlclose), and the unwinder
// calls dl_iterate_phdr: a free or realloc called by ld.so is never unwound, or an unwinding thread waiting
// for that lock and the loader waiting for the unwinder's lock deadlock.
static inline __attribute__((always_inline)) uint32_t capture(int freeing) {
  if (!lc_initialized || !lc_options.stacks) return 0;
  uintptr_t caller = (uintptr_t)__builtin_return_address(0);
  if (lc_likely(lc_ready) && !(freeing && lc_unwind_is_loader_pc(caller))) {
    // The unwinder may check an address by writing it to a pipe, a cancellation point: malloc and free are
    // none, so a cancelled thread must not die in them (perhaps holding the unwinder's lock).
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    uint32_t id = lc_unwind_capture();
    pthread_setcancelstate(cancel_state, NULL);
    return id;
  }
  return lc_stackdepot_put(&caller, 1);
}

// allocate, release and op_new are inlined into every entry point, so a stack costs one frame of ours less
// to unwind (unwind.c counts on the entry point being the only frame between the program and the capture).
#define ENTRY_INLINE static inline __attribute__((always_inline))

ENTRY_INLINE void *allocate(size_t size, size_t align, lc_origin_t origin, int zero) {
  int saved = errno;
  lc_ensure_init();
  void *p;
  if (lc_inside) {
    p = lc_alloc(size, align, LC_ORIGIN_INTERNAL, zero, 0);
  } else {
    lc_enter();
    uint32_t stack = capture(0);
    lc_busy_enter();
    p = lc_alloc(size, align, origin, zero, stack);
    // The loader's blocks (DTVs, link maps) are its bookkeeping, reached through pointers it keeps offset: known
    // by the caller's address, so even without stacks.
    if (p && lc_unlikely(lc_unwind_is_loader_pc((uintptr_t)__builtin_return_address(0)))) lc_alloc_mark_loader(p);
    lc_busy_leave();
    lc_alloc_tick();
    lc_leave();
  }
  errno = p ? saved : ENOMEM;
  return p;
}

ENTRY_INLINE void release(void *p, lc_origin_t origin, lc_by_t by) {
  if (!p) return;
  int saved = errno;
  lc_ensure_init();
  if (lc_inside) {
    lc_free(p, origin, 0, by);
  } else {
    lc_enter();
    uint32_t stack = capture(1);
    lc_busy_enter();
    lc_free(p, origin, stack, by);
    lc_busy_leave();
    lc_alloc_tick();
    lc_leave();
  }
  errno = saved;
}

// A request that can never be met: optionally said (allocation-size-too-big), always ENOMEM.
// count != 0: the request was count * size and that product overflows.
static void *too_big_n(lc_by_t by, size_t count, size_t size) {
  if (lc_options.warn_size_too_big && !lc_inside && lc_ready) {
    lc_enter();
    lc_error_t e = lc_report_make_error(LC_ERR_SIZE_TOO_BIG, by, NULL, NULL, NULL, NULL, capture(0), NULL);
    e.requested = size;
    e.count = count;
    lc_report_error(&e);
    lc_leave();
  }
  errno = ENOMEM;
  return NULL;
}
static void *too_big(lc_by_t by, size_t size) { return too_big_n(by, 0, size); }

static inline int bad_align(size_t a) { return a == 0 || (a & (a - 1)) != 0; }
static inline size_t min_align(size_t a) { return a < LC_ALIGN ? LC_ALIGN : a; }

LC_EXPORT void *malloc(size_t size) {
  if (lc_unlikely(size > LC_MAX_SIZE)) return too_big(LC_BY_MALLOC, size);
  return allocate(size, LC_ALIGN, LC_ORIGIN_MALLOC, 0);
}

LC_EXPORT void free(void *p) { release(p, LC_ORIGIN_MALLOC, LC_BY_FREE); }
LC_EXPORT void cfree(void *p) { release(p, LC_ORIGIN_MALLOC, LC_BY_FREE); }

LC_EXPORT void *calloc(size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) return too_big_n(LC_BY_CALLOC, n, size);
  if (total > LC_MAX_SIZE) return too_big(LC_BY_CALLOC, total);
  return allocate(total, LC_ALIGN, LC_ORIGIN_MALLOC, 1);
}

LC_EXPORT void *realloc(void *p, size_t size) {
  if (lc_unlikely(size > LC_MAX_SIZE)) return too_big(LC_BY_REALLOC, size);
  int saved = errno;
  lc_ensure_init();
  void *r;
  if (lc_inside) {
    r = lc_realloc(p, size, 0, LC_ORIGIN_INTERNAL);
  } else {
    lc_enter();
    uint32_t stack = capture(1);
    lc_busy_enter();
    r = lc_realloc(p, size, stack, LC_ORIGIN_MALLOC);
    lc_busy_leave();
    lc_alloc_tick();
    lc_leave();
  }
  errno = (r || size == 0) ? saved : ENOMEM;
  return r;
}

LC_EXPORT void *reallocarray(void *p, size_t n, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(n, size, &total)) return too_big_n(LC_BY_REALLOCARRAY, n, size);
  return realloc(p, total);
}

LC_EXPORT int posix_memalign(void **out, size_t align, size_t size) {
  if (bad_align(align) || align % sizeof(void *) != 0) return EINVAL;
  if (size > LC_MAX_SIZE) { int saved = errno; too_big(LC_BY_POSIX_MEMALIGN, size); errno = saved; return ENOMEM; }
  int saved = errno;
  void *p = allocate(size, min_align(align), LC_ORIGIN_MALLOC, 0);
  errno = saved;
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

// glibc 2.36 serves aligned_alloc as memalign: any alignment, rounded up to a power of two.
LC_EXPORT void *aligned_alloc(size_t align, size_t size) { return memalign(align, size); }

LC_EXPORT void *memalign(size_t align, size_t size) {
  if (bad_align(align)) {            // glibc rounds a non-power of two up
    if (align > ((size_t)1 << 40)) { errno = EINVAL; return NULL; }
    size_t a = LC_ALIGN;
    while (a < align) a <<= 1;
    align = a;
  }
  if (size > LC_MAX_SIZE) return too_big(LC_BY_MEMALIGN, size);
  return allocate(size, min_align(align), LC_ORIGIN_MALLOC, 0);
}

LC_EXPORT void *valloc(size_t size) { return memalign((size_t)sysconf(_SC_PAGESIZE), size); }

LC_EXPORT void *pvalloc(size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  if (size > LC_MAX_SIZE) return too_big(LC_BY_PVALLOC, size);
  return memalign(page, size ? LC_ROUND_UP(size, page) : page);
}

LC_EXPORT size_t malloc_usable_size(void *p) {
  lc_ensure_init();
  int saved = errno;
  size_t n = lc_usable_size(p);
  errno = saved;
  return n;
}

// glibc's internal names, which some programs and libraries call directly.
LC_EXPORT void *__libc_malloc(size_t size) { return malloc(size); }
LC_EXPORT void __libc_free(void *p) { free(p); }
LC_EXPORT void *__libc_calloc(size_t n, size_t size) { return calloc(n, size); }
LC_EXPORT void *__libc_realloc(void *p, size_t size) { return realloc(p, size); }
LC_EXPORT void *__libc_memalign(size_t align, size_t size) { return memalign(align, size); }
LC_EXPORT void *__libc_valloc(size_t size) { return valloc(size); }
LC_EXPORT void *__libc_pvalloc(size_t size) { return pvalloc(size); }

/* ---- statistics and tuning: answered from our heap ---- */

static struct mallinfo2 info2(void) {
  lc_ensure_init();
  lc_heap_t *h = &lc_user_heap;
  lc_lock(&h->lock);
  lc_heap_stats_t s = h->stats;
  lc_unlock(&h->lock);
  struct mallinfo2 m = { 0 };
  m.arena = s.brk_bytes + s.mmap_extent_bytes;
  m.hblks = s.large_count;
  m.hblkhd = s.large_bytes;
  m.uordblks = s.in_use_bytes;
  m.usmblks = s.peak_in_use_bytes;
  m.fordblks = m.arena > s.in_use_bytes ? m.arena - s.in_use_bytes : 0;
  m.keepcost = 0;
  return m;
}

LC_EXPORT struct mallinfo2 mallinfo2(void) { return info2(); }

LC_EXPORT struct mallinfo mallinfo(void) {
  struct mallinfo2 m2 = info2();
  struct mallinfo m = { .arena = (int)m2.arena, .hblks = (int)m2.hblks, .hblkhd = (int)m2.hblkhd,
                        .uordblks = (int)m2.uordblks, .usmblks = (int)m2.usmblks, .fordblks = (int)m2.fordblks };
  return m;
}

LC_EXPORT void malloc_stats(void) {
  struct mallinfo2 m = info2();
  char buf[256];
  lc_enter();
  int n = snprintf(buf, sizeof buf, "heapcheck heap:\nsystem bytes     = %10zu\nin use bytes     = %10zu\n"
                   "mmap regions     = %10zu\nmmap bytes       = %10zu\n", m.arena, m.uordblks, m.hblks, m.hblkhd);
  lc_leave();
  if (n > 0) lc_write_all(2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

LC_EXPORT int malloc_trim(size_t pad) {
  lc_ensure_init();
  return lc_heap_trim(&lc_user_heap, pad);
}

// The thresholds glibc's programs tune are honoured; the rest have no meaning for this heap and are accepted.
LC_EXPORT int mallopt(int param, int value) {
  lc_ensure_init();
  lc_heap_t *h = &lc_user_heap;
  if ((param == M_MMAP_THRESHOLD || param == M_TRIM_THRESHOLD) && value < 0) return 0;
  lc_lock(&h->lock);
  if (param == M_MMAP_THRESHOLD) h->mmap_threshold = (size_t)value < 4096 ? 4096 : (size_t)value;
  if (param == M_TRIM_THRESHOLD) h->trim_threshold = (size_t)value;
  lc_unlock(&h->lock);
  return 1;
}

LC_EXPORT int malloc_info(int options, FILE *fp) {
  (void)options;
  struct mallinfo2 m = info2();
  lc_enter();
  fprintf(fp, "<malloc version=\"heapcheck-1\"><system type=\"current\" size=\"%zu\"/>"
              "<total type=\"mmap\" count=\"%zu\" size=\"%zu\"/></malloc>\n", m.arena, m.hblks, m.hblkhd);
  lc_leave();
  return 0;
}

/* ---- C++ operators: same heap, origin kept for mismatched-free ---- */

typedef void (*new_handler_t)(void);

// operator new failed: call the installed new-handler and retry, or throw std::bad_alloc through libstdc++.
static void *new_failed(size_t size, size_t align, lc_origin_t origin, int nothrow) {
  for (;;) {
    lc_enter();
    new_handler_t (*get)(void) = (new_handler_t (*)(void))dlsym(RTLD_DEFAULT, "_ZSt15get_new_handlerv");
    new_handler_t handler = get ? get() : NULL;
    void (*throw_bad_alloc)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv");
    lc_leave();
    if (!handler) {
      if (nothrow || !throw_bad_alloc) return NULL;
      throw_bad_alloc();
      return NULL;
    }
    handler();
    void *p = size <= LC_MAX_SIZE ? allocate(size, align, origin, 0) : NULL;
    if (p) return p;
  }
}

ENTRY_INLINE void *op_new(size_t size, size_t align, lc_origin_t origin, int nothrow) {
  void *p = size <= LC_MAX_SIZE ? allocate(size, min_align(align), origin, 0) : NULL;
  return lc_likely(p != NULL) ? p : new_failed(size, min_align(align), origin, nothrow);
}

#define NT const void *nothrow_tag
LC_EXPORT void *_Znwm(size_t n) { return op_new(n, LC_ALIGN, LC_ORIGIN_NEW, 0); }
LC_EXPORT void *_Znam(size_t n) { return op_new(n, LC_ALIGN, LC_ORIGIN_NEW_ARRAY, 0); }
LC_EXPORT void *_ZnwmRKSt9nothrow_t(size_t n, NT) { (void)nothrow_tag; return op_new(n, LC_ALIGN, LC_ORIGIN_NEW, 1); }
LC_EXPORT void *_ZnamRKSt9nothrow_t(size_t n, NT) { (void)nothrow_tag; return op_new(n, LC_ALIGN, LC_ORIGIN_NEW_ARRAY, 1); }
LC_EXPORT void *_ZnwmSt11align_val_t(size_t n, size_t a) { return op_new(n, a, LC_ORIGIN_NEW, 0); }
LC_EXPORT void *_ZnamSt11align_val_t(size_t n, size_t a) { return op_new(n, a, LC_ORIGIN_NEW_ARRAY, 0); }
LC_EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, NT) { (void)nothrow_tag; return op_new(n, a, LC_ORIGIN_NEW, 1); }
LC_EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, NT) { (void)nothrow_tag; return op_new(n, a, LC_ORIGIN_NEW_ARRAY, 1); }

LC_EXPORT void _ZdlPv(void *p) { release(p, LC_ORIGIN_NEW, LC_BY_DELETE); }
LC_EXPORT void _ZdaPv(void *p) { release(p, LC_ORIGIN_NEW_ARRAY, LC_BY_DELETE_ARRAY); }
LC_EXPORT void _ZdlPvm(void *p, size_t n) { (void)n; release(p, LC_ORIGIN_NEW, LC_BY_DELETE); }
LC_EXPORT void _ZdaPvm(void *p, size_t n) { (void)n; release(p, LC_ORIGIN_NEW_ARRAY, LC_BY_DELETE_ARRAY); }
LC_EXPORT void _ZdlPvRKSt9nothrow_t(void *p, NT) { (void)nothrow_tag; release(p, LC_ORIGIN_NEW, LC_BY_DELETE); }
LC_EXPORT void _ZdaPvRKSt9nothrow_t(void *p, NT) { (void)nothrow_tag; release(p, LC_ORIGIN_NEW_ARRAY, LC_BY_DELETE_ARRAY); }
LC_EXPORT void _ZdlPvSt11align_val_t(void *p, size_t a) { (void)a; release(p, LC_ORIGIN_NEW, LC_BY_DELETE); }
LC_EXPORT void _ZdaPvSt11align_val_t(void *p, size_t a) { (void)a; release(p, LC_ORIGIN_NEW_ARRAY, LC_BY_DELETE_ARRAY); }
LC_EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t a) { (void)n; (void)a; release(p, LC_ORIGIN_NEW, LC_BY_DELETE); }
LC_EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t a) { (void)n; (void)a; release(p, LC_ORIGIN_NEW_ARRAY, LC_BY_DELETE_ARRAY); }
LC_EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t a, NT) { (void)a; (void)nothrow_tag; release(p, LC_ORIGIN_NEW, LC_BY_DELETE); }
LC_EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t a, NT) { (void)a; (void)nothrow_tag; release(p, LC_ORIGIN_NEW_ARRAY, LC_BY_DELETE_ARRAY); }

/* ---- process exit and library unloading ---- */

// The next definition of a symbol we interpose (libc's), looked up once.
static void *next_symbol(const char *name) {
  lc_enter();
  void *f = dlsym(RTLD_NEXT, name);
  lc_leave();
  return f;
}

LC_EXPORT void _exit(int status) {
  int s = lc_initialized && lc_options.report_on_exit_now ? lc_finish(LC_EXIT_PATH_NOW) : -1;
  lc_exit_now(s >= 0 ? s : status);
}

LC_EXPORT void _Exit(int status) { _exit(status); }

// exit() from two threads at once: one runs the exit handlers (our report among them) while the other, finding
// them taken, would end the process halfway through the report. The second caller waits for the first to
// end the process instead (which of the two statuses wins is unspecified either way). The same thread calling
// exit again from an atexit handler goes on as glibc lets it.
static uint64_t exiting;                   // pid << 32 | tid of the thread in exit(); another pid: none yet

LC_EXPORT void exit(int status) {
  static void (*real_exit)(int);
  uint64_t pid = (uint64_t)getpid(), me = pid << 32 | (uint32_t)syscall(SYS_gettid);
  uint64_t cur = __atomic_load_n(&exiting, __ATOMIC_ACQUIRE);
  for (;;) {
    if (cur >> 32 == pid) {                   // an exit of this process has begun (a fork child starts afresh)
      if (cur != me && lc_ready) for (;;) pause();
      break;
    }
    if (__atomic_compare_exchange_n(&exiting, &cur, me, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
  }
  if (!real_exit) real_exit = (void (*)(int))next_symbol("exit");
  if (real_exit) real_exit(status);
  lc_exit_now(status);
  __builtin_unreachable();
}

// quick_exit runs the at_quick_exit handlers and ends the process with glibc's own _exit, past ours: the
// report is made first.
LC_EXPORT void quick_exit(int status) {
  static void (*real_quick_exit)(int);
  int s = lc_initialized ? lc_finish(LC_EXIT_PATH_QUICK) : -1;
  if (!real_quick_exit) real_quick_exit = (void (*)(int))next_symbol("quick_exit");
  if (real_quick_exit) real_quick_exit(s >= 0 ? s : status);
  lc_exit_now(s >= 0 ? s : status);
  __builtin_unreachable();
}

LC_EXPORT int dlclose(void *handle) {
  static int (*real_dlclose)(void *);
  lc_before_dlclose();
  if (!real_dlclose) real_dlclose = (int (*)(void *))next_symbol("dlclose");
  return real_dlclose ? real_dlclose(handle) : -1;
}

// Which file is the program's stderr (lc.c): GNU programs close it at exit (close_stdout: fclose(stderr), an
// atexit handler), before libheapcheck's report runs, so a copy is kept then. A program that closes stderr and
// runs on may be telling a reader at the other end of a pipe that it is done (bash's `exec 2>&-`): no copy is
// kept, and a file that later takes number 2 is not stderr. One that puts a file on fd 2 makes it its stderr.
static void stderr_closing(void) {
  if (lc_inside) return;
  lc_enter();
  lc_stderr_closing(lc_ready && lc_unwind_in_exit());
  lc_leave();
}

static void stderr_replaced(int ok) {
  if (ok && !lc_inside) lc_stderr_track();
}

// libunwind opens a pipe when it starts (to check addresses it reads): opened under heapcheck, it must not take
// the lowest free descriptors (0 and 1, for a program started with them closed), so it is moved high.
static int move_pipe_high(int r, int fds[2]) {
  if (r == 0 && lc_inside) { fds[0] = lc_os_fd_high(fds[0]); fds[1] = lc_os_fd_high(fds[1]); }
  return r;
}

LC_EXPORT int pipe2(int fds[2], int flags) {
  static int (*real_pipe2)(int *, int);
  if (!real_pipe2) real_pipe2 = (int (*)(int *, int))next_symbol("pipe2");
  if (!real_pipe2) { errno = ENOSYS; return -1; }
  return move_pipe_high(real_pipe2(fds, flags), fds);
}

LC_EXPORT int pipe(int fds[2]) {
  static int (*real_pipe)(int *);
  if (!real_pipe) real_pipe = (int (*)(int *))next_symbol("pipe");
  if (!real_pipe) { errno = ENOSYS; return -1; }
  return move_pipe_high(real_pipe(fds), fds);
}

LC_EXPORT int close(int fd) {
  static int (*real_close)(int);
  if (fd == 2) stderr_closing();
  if (!real_close) real_close = (int (*)(int))next_symbol("close");
  if (!real_close) { errno = ENOSYS; return -1; }
  return real_close(fd);
}

LC_EXPORT int fclose(FILE *f) {
  static int (*real_fclose)(FILE *);
  if (f == stderr) stderr_closing();
  if (!real_fclose) real_fclose = (int (*)(FILE *))next_symbol("fclose");
  if (!real_fclose) { errno = ENOSYS; return EOF; }
  return real_fclose(f);
}

LC_EXPORT int dup2(int old, int fd) {
  static int (*real_dup2)(int, int);
  if (!real_dup2) real_dup2 = (int (*)(int, int))next_symbol("dup2");
  if (!real_dup2) { errno = ENOSYS; return -1; }
  int r = real_dup2(old, fd);
  if (fd == 2) stderr_replaced(r == 2);
  return r;
}

LC_EXPORT int dup3(int old, int fd, int flags) {
  static int (*real_dup3)(int, int, int);
  if (!real_dup3) real_dup3 = (int (*)(int, int, int))next_symbol("dup3");
  if (!real_dup3) { errno = ENOSYS; return -1; }
  int r = real_dup3(old, fd, flags);
  if (fd == 2) stderr_replaced(r == 2);
  return r;
}

// freopen(path, mode, stderr) closes fd 2 and opens the new file on it inside libc, past the interposed close.
LC_EXPORT FILE *freopen(const char *path, const char *mode, FILE *f) {
  static FILE *(*real_freopen)(const char *, const char *, FILE *);
  if (!real_freopen) real_freopen = (FILE * (*)(const char *, const char *, FILE *))next_symbol("freopen");
  if (!real_freopen) { errno = ENOSYS; return NULL; }
  int was_stderr = f == stderr;
  FILE *r = real_freopen(path, mode, f);
  if (was_stderr) stderr_replaced(r != NULL && fileno(r) == 2);
  return r;
}

LC_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *f) { return freopen(path, mode, f); }

/* ---- the public API of heapcheck.h ---- */

LC_EXPORT size_t heapcheck_check_heap(void) {
  lc_ensure_init();
  if (lc_inside) return 0;
  lc_enter();
  size_t n = lc_alloc_check_all(LC_BY_CHECK_HEAP);
  lc_leave();
  return n;
}

LC_EXPORT int heapcheck_report_leaks(void) {
  lc_ensure_init();
  return lc_finish(LC_EXIT_PATH_ON_DEMAND);
}
