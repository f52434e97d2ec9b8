/* os.c: libcheck's own memory and raw file access (see os.h). The registry of mappings is lock-free: the leak
 * scan reads it and allocates scratch while the other threads are stopped, and a stopped thread may be in the
 * middle of lc_os_alloc. */
#define _GNU_SOURCE
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096u

// A slot is free when start == 0. Claimed by a CAS on start; end is published after it (0 = not yet readable).
// Invariant: for every slot with start != 0 && end != 0, [start, end) is a live mapping of ours.
static struct { uintptr_t start, end; } ranges[LC_OS_MAX_RANGES];
static int nranges;              // high-water mark of slots ever claimed

static void remember(uintptr_t start, uintptr_t end) {
  for (int i = 0; i < LC_OS_MAX_RANGES; i++) {
    uintptr_t none = 0;
    if (__atomic_load_n(&ranges[i].start, __ATOMIC_RELAXED) == 0 &&
        __atomic_compare_exchange_n(&ranges[i].start, &none, start, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
      __atomic_store_n(&ranges[i].end, end, __ATOMIC_RELEASE);
      int hw = __atomic_load_n(&nranges, __ATOMIC_RELAXED);
      while (hw < i + 1 && !__atomic_compare_exchange_n(&nranges, &hw, i + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {}
      return;
    }
  }
  // Full: the mapping works but is not excluded from the leak scan's roots (it holds no user pointers that
  // could hide a leak other than checker tables, which only ever point into checker memory or at blocks
  // already known).
}

static void forget(uintptr_t start) {
  int n = __atomic_load_n(&nranges, __ATOMIC_ACQUIRE);
  for (int i = 0; i < n; i++)
    if (__atomic_load_n(&ranges[i].start, __ATOMIC_ACQUIRE) == start) {
      __atomic_store_n(&ranges[i].end, 0, __ATOMIC_RELEASE);
      __atomic_store_n(&ranges[i].start, 0, __ATOMIC_RELEASE);
      return;
    }
}

static void *os_map(size_t size, int flags) {
  size = LC_ROUND_UP(size ? size : 1, PAGE);
  int saved = errno;
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
  errno = saved;
  if (p == MAP_FAILED) return NULL;
  remember((uintptr_t)p, (uintptr_t)p + size);
  return p;
}

void *lc_os_alloc(size_t size) { return os_map(size, 0); }
void *lc_os_reserve(size_t size) { return os_map(size, MAP_NORESERVE); }

void lc_os_free(void *p, size_t size) {
  if (!p) return;
  size = LC_ROUND_UP(size ? size : 1, PAGE);
  forget((uintptr_t)p);
  int saved = errno;
  munmap(p, size);
  errno = saved;
}

void lc_os_for_each_range(lc_range_fn fn, void *arg) {
  int n = __atomic_load_n(&nranges, __ATOMIC_ACQUIRE);
  for (int i = 0; i < n; i++) {
    uintptr_t start = __atomic_load_n(&ranges[i].start, __ATOMIC_ACQUIRE);
    uintptr_t end = __atomic_load_n(&ranges[i].end, __ATOMIC_ACQUIRE);
    if (start && end > start) fn(start, end, arg);
  }
}

int lc_os_fd_high(int fd) {
  int saved = errno;
  long top = 4096;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)top)
    top = (long)rl.rlim_cur;
  // The top 64 numbers first; when they are taken (libdw keeps one or two files per module of a report), a span
  // twice as wide, down to half the limit.
  for (long min = top - 64 > 100 ? top - 64 : 100; min < top;) {
    int high = fcntl(fd, F_DUPFD_CLOEXEC, min);
    if (high >= 0) {
      lc_os_close(fd);           // not through the interposed close: fd may be 2
      errno = saved;
      return high;
    }
    long lower = top - 2 * (top - min);
    if (errno != EMFILE || lower < top / 2 || lower < 100) break;
    min = lower;
  }
  errno = saved;
  return fd;
}

int lc_os_open(const char *path, int flags, int mode) {
  int fd = (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC, mode);
  return fd < 0 ? fd : lc_os_fd_high(fd);
}

ssize_t lc_os_read(int fd, void *buf, size_t len) {
  for (;;) {
    ssize_t n = syscall(SYS_read, fd, buf, len);
    if (n >= 0 || errno != EINTR) return n;
  }
}

int lc_os_close(int fd) { return (int)syscall(SYS_close, fd); }

ssize_t lc_os_read_file(const char *path, char *buf, size_t cap) {
  int fd = lc_os_open(path, O_RDONLY, 0);
  if (fd < 0) return -1;
  size_t len = 0;
  ssize_t n;
  while (len + 1 < cap && (n = lc_os_read(fd, buf + len, cap - 1 - len)) > 0) len += (size_t)n;
  lc_os_close(fd);
  if (cap) buf[len] = 0;
  return (ssize_t)len;
}
