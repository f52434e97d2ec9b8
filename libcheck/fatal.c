/* fatal.c: the exit report on a fatal signal (see fatal.h). The handler runs on the faulting thread's stack
 * (no alternate stack is installed: a stack overflow still ends the process at once, without a report), makes
 * the report through lc_finish, then restores the default action and raises the signal again. It never reports
 * when the signal interrupted heapcheck itself (lc_inside: its locks may be held); a second thread dying meanwhile
 * waits for the first to end the process. Formats no report itself. Layer 6: above init, whose lc_finish it
 * calls; installed by its own constructor, which runs after init's. */
#define _GNU_SOURCE
#include "fatal.h"
#include "init.h"
#include "lc.h"
#include "report.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
static int reporting;              // the signal being reported (0: none yet); set once

int lc_fatal_signal(void) { return __atomic_load_n(&reporting, __ATOMIC_ACQUIRE); }

static void die_by(int sig) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, NULL);
  // Pending until the handler returns (the signal is blocked while it runs): a fault then kills at once with the
  // default action; a signal that was sent (kill, raise, abort) is delivered again.
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
}

static void on_fatal(int sig, siginfo_t *si, void *uc) {
  (void)si; (void)uc;
  int saved = errno;
  int none = 0;
  if (lc_inside || !__atomic_compare_exchange_n(&reporting, &none, sig, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    // Inside heapcheck (perhaps holding its locks), or another thread is already reporting a fatal signal.
    if (!lc_inside && none != 0) for (;;) pause();
    die_by(sig);
    errno = saved;
    return;
  }
  char msg[160];
  const char *name = sigabbrev_np(sig);
  int n = snprintf(msg, sizeof msg, "==%d== heapcheck: process terminating with default action of signal %d (SIG%s)\n",
                   (int)getpid(), sig, name ? name : "?");
  if (n > 0) lc_write_all(lc_report_text_fd(), msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
  lc_report_set_signal(sig);
  lc_finish(LC_EXIT_PATH_SIGNAL);
  die_by(sig);
  errno = saved;
}

// After init.c's constructor (101), which has read the options and decided whether this process reports.
__attribute__((constructor(102))) static void fatal_constructor(void) {
  if (lc_ready && lc_traced) lc_fatal_install();
}

void lc_fatal_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;          // the program's alternate stack, if it has one
  sigfillset(&sa.sa_mask);                        // nothing else runs on this thread while it reports
  for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
    struct sigaction old;
    if (sigaction(fatal_signals[i], NULL, &old) != 0) continue;
    if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL) sigaction(fatal_signals[i], &sa, NULL);
  }
}
