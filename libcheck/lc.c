/* lc.c: the primitives every libcheck file uses (see lc.h): the lock's slow path, CHECK failures, raw writes to
 * heapcheck's output with the kept copy of stderr, and moving heapcheck's descriptors out of the program's range.
 * Layer 0: calls nothing of libcheck; never allocates. */
#define _GNU_SOURCE
#include "lc.h"
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Where "stderr" (fd 2 in lc_write_all) goes. The program's stderr is the file fd 2 held when libheapcheck started,
 * or the one the program later put there with dup2/dup3/freopen. A file that merely lands on number 2 (a program
 * started with 2>&- that opens a data file, or one that closed fd 2 and opened something) is not stderr and never
 * receives a report. A program that closes stderr while running on is telling a reader at the other end of a pipe
 * that it is done: heapcheck keeps no copy then (the reader must see EOF), and later text is lost, counted in
 * lc_text_lost(). Closed during exit (fclose(stderr) in an atexit handler, as GNU programs do), a copy is kept high
 * (lc_os_fd_high, close-on-exec) for the report, and used only while it is still that file. */
// valid: 1 = stderr is the file dev/ino, 0 = the program has no stderr, -1 = not tracked (a unit test linking
// libcheck without the library's set-up): fd 2 is taken as it is.
static struct { int valid; dev_t dev; ino_t ino; } designated = { .valid = -1 };
static int kept_stderr = -1;
static int text_lost;

static int same_file(int fd) {
  struct stat st;
  if (designated.valid < 0) return fd == 2;
  return designated.valid && fstat(fd, &st) == 0 && st.st_dev == designated.dev && st.st_ino == designated.ino;
}

void lc_stderr_track(void) {
  struct stat st;
  if (fstat(2, &st) != 0) { designated.valid = 0; return; }
  designated.dev = st.st_dev;
  designated.ino = st.st_ino;
  designated.valid = 1;
}

void lc_stderr_closing(int exiting) {
  if (!exiting) { designated.valid = 0; return; }
  if (__atomic_load_n(&kept_stderr, __ATOMIC_ACQUIRE) >= 0 || !same_file(2)) return;
  int fd = fcntl(2, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return;
  fd = lc_os_fd_high(fd);
  int none = -1;
  if (!__atomic_compare_exchange_n(&kept_stderr, &none, fd, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) lc_os_close(fd);
}

int lc_text_lost(void) { return __atomic_load_n(&text_lost, __ATOMIC_RELAXED); }

int lc_write_all(int fd, const char *buf, size_t len) {
  int saved = errno;
  if (fd == 2) {
    int kept = __atomic_load_n(&kept_stderr, __ATOMIC_ACQUIRE);
    if (kept >= 0 && same_file(kept)) fd = kept;
    else if (!same_file(2)) { __atomic_store_n(&text_lost, 1, __ATOMIC_RELAXED); return -1; }
  }
  // A slow reader, O_NONBLOCK on the descriptor or a signal without SA_RESTART must never cut a report.
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n > 0) { buf += n; len -= (size_t)n; continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd p = { .fd = fd, .events = POLLOUT };
      if (poll(&p, 1, -1) >= 0 || errno == EINTR) continue;
    }
    if (fd == 2 || fd == kept_stderr) __atomic_store_n(&text_lost, 1, __ATOMIC_RELAXED);
    errno = saved;
    return -1;
  }
  errno = saved;
  return 0;
}

void lc_check_failed(const char *file, int line, const char *cond, uint64_t a, uint64_t b) {
  char msg[512];
  int n = snprintf(msg, sizeof msg, "heapcheck: internal error: %s:%d: CHECK failed: %s (0x%llx, 0x%llx)\n",
                   file, line, cond, (unsigned long long)a, (unsigned long long)b);
  lc_write_all(2, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
  abort();
}

