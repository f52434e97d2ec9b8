/* lc.c: the primitives every libcheck file uses (see lc.h): the lock's slow path, CHECK failures, raw writes to
 * heapcheck's output with the kept copy of stderr, and moving heapcheck's descriptors out of the program's range.
 * Layer 0: calls nothing of libcheck; never allocates. */
#define _GNU_SOURCE
#include "lc.h"
#include "os.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

__thread int lc_inside __attribute__((tls_model("initial-exec")));

void lc_lock_slow(lc_lock_t *l) {
  for (unsigned spins = 0;; spins++) {
    if (!__atomic_load_n(&l->held, __ATOMIC_RELAXED) && !__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE)) return;
    if (spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      sched_yield();                     // the holder may be preempted: let it run
    }
  }
}

int lc_move_fd_high(int fd) {
  // Near the top of the descriptor limit (at most 4096, so the kernel's table stays small): programs take the
  // lowest free numbers, and those must stay what they would be without heapcheck.
  int min = 100;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    long top = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 4096 ? 4096 : (long)rl.rlim_cur;
    if (top - 64 > min) min = (int)(top - 64);
  }
  int high = fcntl(fd, F_DUPFD_CLOEXEC, min);
  if (high < 0) return fd;
  lc_os_close(fd);               // not through the interposed close: fd may be 2
  return high;
}

// stderr as it was before the program closed it (close(2), or fclose(stderr) as GNU programs do at exit):
// the exit report must still reach it. -1 until then. The copy sits high (lc_move_fd_high) and is used only
// while it is still that file: a program closing every descriptor, or reusing the number, does not get the
// report written into one of its own files.
static int kept_stderr = -1;
static dev_t kept_dev;
static ino_t kept_ino;

void lc_keep_stderr(void) {
  if (__atomic_load_n(&kept_stderr, __ATOMIC_ACQUIRE) >= 0) return;
  struct stat st;
  if (fstat(2, &st) != 0) return;
  int fd = fcntl(2, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return;
  fd = lc_move_fd_high(fd);
  kept_dev = st.st_dev;
  kept_ino = st.st_ino;
  int none = -1;
  if (!__atomic_compare_exchange_n(&kept_stderr, &none, fd, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) lc_os_close(fd);
}

void lc_write_all(int fd, const char *buf, size_t len) {
  if (fd == 2) {
    int kept = __atomic_load_n(&kept_stderr, __ATOMIC_ACQUIRE);
    struct stat st;
    if (kept >= 0 && fstat(kept, &st) == 0 && st.st_dev == kept_dev && st.st_ino == kept_ino) fd = kept;
  }
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n <= 0) return;
    buf += n; len -= (size_t)n;
  }
}

void lc_check_failed(const char *file, int line, const char *cond, uint64_t a, uint64_t b) {
  char msg[512];
  int n = snprintf(msg, sizeof msg, "heapcheck: internal error: %s:%d: CHECK failed: %s (0x%llx, 0x%llx)\n",
                   file, line, cond, (unsigned long long)a, (unsigned long long)b);
  lc_write_all(2, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
  abort();
}

