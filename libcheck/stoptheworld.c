/* stoptheworld.c: stops the other threads with a borrowed real-time signal; the handler publishes the thread's
 * registers and waits on a futex until released. While the threads are stopped nothing here may take a lock or
 * allocate from a heap (a stopped thread may hold either): the thread table is checker memory from os.c, /proc
 * is read with raw system calls, waiting is a futex or nanosleep. */
#define _GNU_SOURCE
#include "stoptheworld.h"
#include "os.h"
#include "procmaps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static lc_stw_thread_t *slots;           // lc_os_reserve memory: lock-free, and excluded from the scan's roots
static int nslots;
static int release_flag;
static int stop_signal;
static struct sigaction old_action;

static pid_t gettid_raw(void) { return (pid_t)syscall(SYS_gettid); }

static void stop_handler(int sig, siginfo_t *si, void *ucv) {
  (void)sig; (void)si;
  int saved = errno;
  pid_t me = gettid_raw();
  lc_stw_thread_t *s = NULL;
  for (int i = 0; i < nslots; i++) if (slots[i].tid == me) { s = &slots[i]; break; }
  if (s) {
    ucontext_t *uc = ucv;
    for (int i = 0; i < LC_STW_NREGS; i++) s->regs[i] = (uintptr_t)uc->uc_mcontext.gregs[i];
    s->sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    __atomic_store_n(&s->state, LC_STW_STOPPED, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&release_flag, __ATOMIC_ACQUIRE))
      syscall(SYS_futex, &release_flag, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    __atomic_store_n(&s->state, LC_STW_RESUMED, __ATOMIC_RELEASE);
  }
  errno = saved;
}

static void sleep_us(long us) {
  struct timespec ts = { 0, us * 1000 };
  nanosleep(&ts, NULL);
}

int lc_stoptheworld_tasks(void (*fn)(pid_t tid, void *arg), void *arg) {
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
  if (tid != *(pid_t *)self && nslots < LC_STW_MAX_THREADS) slots[nslots++] = (lc_stw_thread_t){ .tid = tid };
}

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
  uint64_t mask = (uint64_t)lc_procmaps_parse_hex(&p);
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

void lc_stoptheworld_stop(lc_world_t *w) {
  *w = (lc_world_t){ 0 };
  slots = lc_os_reserve(LC_STW_MAX_THREADS * sizeof *slots);
  nslots = 0;
  release_flag = 0;
  if (!slots) return;
  pid_t self = gettid_raw();
  lc_stoptheworld_tasks(add_slot, &self);
  if (nslots == 0) return;
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
    if (cannot_be_stopped(slots[i].tid, stop_signal)) { slots[i].state = LC_STW_UNSTOPPABLE; continue; }
    if (syscall(SYS_tgkill, pid, slots[i].tid, stop_signal) != 0) slots[i].state = LC_STW_GONE;
  }
  for (int waited = 0; waited < 2000; waited++) {     // up to ~0.5 s for every thread to answer
    int pending = 0;
    for (int i = 0; i < nslots; i++)
      if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == LC_STW_SIGNALLED) pending++;
    if (!pending) break;
    sleep_us(waited < 100 ? 20 : 250);
  }
  w->threads = slots;
  w->nthreads = nslots;
  for (int i = 0; i < nslots; i++) {
    if (slots[i].state == LC_STW_STOPPED) w->stopped++;
    else if (slots[i].state == LC_STW_SIGNALLED || slots[i].state == LC_STW_UNSTOPPABLE) w->unresponsive++;
  }
}

void lc_stoptheworld_resume(void) {
  if (!slots) return;
  if (nslots > 0) {
    __atomic_store_n(&release_flag, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &release_flag, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
    for (int waited = 0; waited < 4000; waited++) {   // they must leave the handler before it is removed
      int inside = 0;
      for (int i = 0; i < nslots; i++)
        if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) == LC_STW_STOPPED) inside++;
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
  lc_os_free(slots, LC_STW_MAX_THREADS * sizeof *slots);
  slots = NULL;
}
